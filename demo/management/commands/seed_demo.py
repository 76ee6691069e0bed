"""manage.py seed_demo: load the demo district (柯桥区), or say that it is already loaded."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import notify
from demo.district import NotADemoDistrict
from demo.logins import DEMO_PASSWORD, demo_logins
from demo.seed import seed_demo


class Command(BaseCommand):
    help = _("载入演示区县（绍兴市柯桥区）：工会、快递员与外卖配送员、各角色干部账号。可重复运行。")

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help=_("不打印演示账号"))

    def handle(self, *args, quiet: bool = False, **options):
        started = time.monotonic()
        try:
            with notify.held_back() as texts:  # the demo's people and numbers are made up
                report = seed_demo()
        except NotADemoDistrict as exc:
            raise CommandError(
                _("数据库中已有“%(name)s”，但不是演示数据生成的；请在空数据库中载入演示数据。")
                % {"name": exc}
            ) from None
        seconds = time.monotonic() - started
        if report.changed:
            for label, count in report.created:
                if count:
                    self.stdout.write(_("新建%(label)s：%(count)d") % {"label": label, "count": count})
            if texts:
                self.stdout.write(
                    _("演示短信：%(count)d 条，已记入通知记录，未发送。") % {"count": len(texts)}
                )
            self.stdout.write(self.style.SUCCESS(_("演示数据已载入（%(s).1f 秒）。") % {"s": seconds}))
        else:
            self.stdout.write(_("演示数据已存在，本次未做任何更改。"))
        if not quiet:
            self.stdout.write("")
            self.stdout.write(_("演示账号（密码均为 %(password)s）：") % {"password": DEMO_PASSWORD})
            for username, description in demo_logins():
                self.stdout.write(f"  {username:<14} {description}")
