"""The managed lists every union shares: amenities (设施服务) and service kinds (服务项目).

Like orgs.Brand they are global reference data: every official reads them, and only the admins of a
top union (a province's federation, with no union above it) or a superuser change them. Items are
never deleted once used; they are deactivated, which hides them from forms and filters.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.choices import RoleKind
from accounts.models import Role
from core.history import record_action

from ..models import Amenity, ServiceKind

LISTS = {"amenities": Amenity, "service-kinds": ServiceKind}


def may_manage(user) -> bool:
    """Superusers, and admins of a union with no parent."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(
        user=user, kind=RoleKind.ADMIN, active=True, union__parent__isnull=True
    ).exists()


def _require(user) -> None:
    if not may_manage(user):
        raise PermissionDenied


@transaction.atomic
def add_item(user, model, code: str, name: str):
    _require(user)
    order = (model.objects.aggregate(m=Max("order"))["m"] or 0) + 10
    item = model(code=code.strip(), name=name.strip(), order=order, active=True)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def rename_item(user, item, name: str):
    _require(user)
    item.name = name.strip()
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def set_active(user, item, active: bool):
    _require(user)
    if item.active != active:
        item.active = active
        item.save()
        record_action(item, "activated" if active else "deactivated", _("启用") if active else _("停用"))
    return item


@transaction.atomic
def move_item(user, item, step: int) -> bool:
    """Move one place up (step -1) or down (+1); the list is renumbered 10, 20, 30… first."""
    _require(user)
    items = list(type(item).objects.select_for_update().order_by("order", "code"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + step
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, 1):
        if other.order != position * 10:
            type(item).objects.filter(pk=other.pk).update(order=position * 10)
    return True
