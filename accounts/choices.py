from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    ADMIN = "admin", _("管理员")
    ORGANISATION = "organisation", _("组织建设")
    RIGHTS = "rights", _("权益保障")
    SERVICE = "service", _("服务阵地")
    FINANCE = "finance", _("财务")
    AUDIT = "audit", _("经审")
    SKILLS = "skills", _("劳模工匠")
    VIEWER = "viewer", _("只读")
    # Assigned-only roles: held on a union (its pool) but they see only what is assigned to them.
    LAWYER = "lawyer", _("公益律师")
    AUDITOR = "auditor", _("经审委员")
    JUDGE = "judge", _("评委")
    KEEPER = "keeper", _("驿站管理员")


# Roles whose holder sees and works the whole subtree of the union they hold it on.
TREE_ROLES = frozenset(
    {
        RoleKind.ADMIN,
        RoleKind.ORGANISATION,
        RoleKind.RIGHTS,
        RoleKind.SERVICE,
        RoleKind.FINANCE,
        RoleKind.AUDIT,
        RoleKind.SKILLS,
        RoleKind.VIEWER,
    }
)
ASSIGNED_ROLES = frozenset({RoleKind.LAWYER, RoleKind.AUDITOR, RoleKind.JUDGE, RoleKind.KEEPER})

# Shorthands for scope policies.
ALL_TREE = TREE_ROLES
# Tree roles that see people's records (names, files, photos, claims): all but finance and audit.
PERSONAL_VIEW = TREE_ROLES - {RoleKind.FINANCE, RoleKind.AUDIT}
ADMIN = frozenset({RoleKind.ADMIN})


def admin_and(*kinds: str) -> frozenset[str]:
    return frozenset({RoleKind.ADMIN, *kinds})
