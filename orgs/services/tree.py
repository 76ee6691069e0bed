"""Rules of the union tree."""

from core.counters import union_figures

from ..models import Union


def union_counts(union: Union) -> list[tuple[str, int]]:
    """Figures on a union's page; each is one query over the subtree, whatever its depth."""
    from django.utils.translation import gettext as _

    return [
        (_("直属下级工会"), Union.objects.filter(parent=union).count()),
        (_("下属工会（全部层级）"), Union.objects.filter(path__subtree=union.path).count() - 1),
        (_("干部与角色"), union.roles.filter(active=True).values("user").distinct().count()),
        *union_figures(union),
    ]
