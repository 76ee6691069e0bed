"""Rules about stations: saving them, and who may keep them."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import RoleKind
from accounts.models import Role
from core.fields import SEGMENT_WIDTH
from core.history import record_action
from orgs.models import Union

from ..models import Station, StationKeeper


def _covering_paths(union: Union) -> list[str]:
    """The paths of this union and all its ancestors: a role on any of them covers it."""
    step = SEGMENT_WIDTH + 1
    return [union.path[:end] for end in range(step, len(union.path) + 1, step)]


def may_keep(user, station: Station) -> bool:
    """Whether `user` holds an active keeper role on the station's union or one above it."""
    return Role.objects.filter(
        user=user, kind=RoleKind.KEEPER, active=True, union__path__in=_covering_paths(station.union)
    ).exists()


def keeper_candidates(station: Station):
    """Users who may be assigned to the station and are not yet."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            roles__kind=RoleKind.KEEPER,
            roles__active=True,
            roles__union__path__in=_covering_paths(station.union),
        )
        .exclude(station_links__station=station)
        .distinct()
        .order_by("display_name", "username")
    )


@transaction.atomic
def save_station(station: Station) -> Station:
    """Create or change a station once it is valid (fields, coordinates, a name unique in its union)."""
    station.full_clean()
    station.save()
    return station


@transaction.atomic
def assign_keeper(station: Station, user) -> StationKeeper:
    """Make `user` a keeper of `station`; they must hold a keeper role covering its union."""
    if not user.is_active or not may_keep(user, station):
        raise ValidationError(
            _("%(user)s 没有覆盖%(union)s的驿站管理员角色，请先授予角色")
            % {"user": user, "union": station.union},
            code="not_keeper",
        )
    link, created = StationKeeper.objects.get_or_create(station=station, user=user)
    if created:
        record_action(
            station, "keeper_assigned", _("指派驿站管理员：%(user)s") % {"user": user}, {"user": user.pk}
        )
    return link


@transaction.atomic
def unassign_keeper(station: Station, user) -> bool:
    """End `user`'s keeping of `station`; False when they did not keep it."""
    link = StationKeeper.objects.filter(station=station, user=user).first()
    if link is None:
        return False
    link.delete()
    record_action(
        station, "keeper_unassigned", _("取消驿站管理员：%(user)s") % {"user": user}, {"user": user.pk}
    )
    return True


def release_uncovered(user) -> int:
    """End the keepings a user's keeper roles no longer cover (after a role is revoked or changed)."""
    released = 0
    for link in StationKeeper.objects.filter(user=user).select_related("station__union"):
        if not may_keep(user, link.station):
            released += unassign_keeper(link.station, user)
    return released


def on_role_saved(sender, instance, **kwargs) -> None:
    # Without this a keeper whose role was revoked, moved or changed would still see their stations.
    if StationKeeper.objects.filter(user_id=instance.user_id).exists():
        release_uncovered(instance.user)
