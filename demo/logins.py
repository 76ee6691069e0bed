"""The demo district's sign-ins: one documented password for every official, and a worker's phone.

Used by `seed_demo` to create them and by the README and `./run` to list them:
`demo_logins()` needs Django set up (the role names are translated) but no database.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.choices import RoleKind

# Demo only: documented in the README, never to be used on a server with real data.
DEMO_PASSWORD = "niangjia-demo-2026"  # noqa: S105
SUPERUSER = "admin"

DISTRICT = "柯桥区总工会"
TOWN = "柯桥街道总工会"
EXPRESS_UNION = "柯桥区快递行业工会"

# The worker of the seed's first story (李师傅, a 饿了么 rider from Sichuan); he signs in on
# the H5 pages with this number and the one-time code printed by the console SMS backend.
DEMO_WORKER_PHONE = "13800138000"
DEMO_WORKER_NAME = "李国强"


@dataclass(frozen=True)
class Official:
    username: str
    display_name: str
    role: str
    union: str


OFFICIALS: tuple[Official, ...] = (
    Official("kq_admin", "陈卫东", RoleKind.ADMIN, DISTRICT),
    Official("kq_org", "沈丽萍", RoleKind.ORGANISATION, DISTRICT),
    Official("kq_rights", "王建峰", RoleKind.RIGHTS, DISTRICT),
    Official("kq_service", "钱晓燕", RoleKind.SERVICE, DISTRICT),
    Official("kq_finance", "周美华", RoleKind.FINANCE, DISTRICT),
    Official("kq_audit", "孙志刚", RoleKind.AUDIT, DISTRICT),
    Official("kq_skills", "何海明", RoleKind.SKILLS, DISTRICT),
    Official("kq_viewer", "吴静怡", RoleKind.VIEWER, DISTRICT),
    # The seed's young cadre, sent from the district as chair assistant to 柯桥街道.
    Official("kq_town", "韩洁", RoleKind.ORGANISATION, TOWN),
    # The seed's chair of the express industry union.
    Official("kq_express", "朱融", RoleKind.ORGANISATION, EXPRESS_UNION),
    Official("kq_lawyer", "杨振华", RoleKind.LAWYER, DISTRICT),
    # More pro bono lawyers of the district's pool (rights.demo_legal gives them their profiles).
    Official("kq_lawyer_li", "李敏", RoleKind.LAWYER, DISTRICT),
    Official("kq_lawyer_zhou", "周涛", RoleKind.LAWYER, DISTRICT),
    Official("kq_lawyer_fang", "方晓红", RoleKind.LAWYER, DISTRICT),
    Official("kq_auditor", "许文静", RoleKind.AUDITOR, DISTRICT),
    Official("kq_judge", "蒋国平", RoleKind.JUDGE, DISTRICT),
    Official("kq_keeper", "马小兰", RoleKind.KEEPER, DISTRICT),
)
KEEPER = "kq_keeper"


def demo_logins() -> list[tuple[str, str]]:
    """(username or phone, what it is) for every demo sign-in, the superuser first."""
    rows = [(SUPERUSER, _("超级管理员（Django 管理后台）"))]
    rows += [(o.username, f"{o.display_name} · {RoleKind(o.role).label} · {o.union}") for o in OFFICIALS]
    rows.append(
        (
            DEMO_WORKER_PHONE,
            _("职工 %(name)s · 手机验证码登录（验证码见服务器控制台）") % {"name": DEMO_WORKER_NAME},
        )
    )
    return rows
