from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("会员")

    def ready(self) -> None:
        from core.counters import counter
        from orgs.services.census import count_members_with

        from .choices import MembershipStatus
        from .models import Membership
        from .services.coverage import active_members_by_union

        counter(
            _("在册会员（含下级）"),
            lambda union: Membership.objects.filter(
                union__path__subtree=union.path, status=MembershipStatus.ACTIVE
            ).count(),
        )

        # Coverage plans (orgs) count new members through this, without importing members.
        from orgs.services.plans import count_new_members_with

        from .services.statistics import count_new_members

        count_new_members_with(count_new_members)
        count_members_with(active_members_by_union)
