"""Rules about stations: saving them, their position, amenities, closures and photos, who may keep them."""

import io

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.choices import RoleKind
from accounts.models import Role
from core import geo
from core.fields import SEGMENT_WIDTH
from core.history import record_action
from orgs.models import Union

from ..models import Station, StationClosure, StationKeeper, StationPhoto


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


def check_partner(station: Station) -> None:
    """A station's host is a partner kept by its union or a union above it (a county's telecom branch)."""
    if station.partner_id is None or station.union_id is None:
        return
    partner_union = station.partner.union
    if not station.union.is_within(partner_union):
        raise ValidationError(
            {
                "partner": _("合作单位“%(partner)s”属于%(union)s，不能作为本站点的依托单位")
                % {"partner": station.partner, "union": partner_union}
            },
            code="partner_scope",
        )


@transaction.atomic
def save_station(station: Station, amenities=None, *, checked: bool = False) -> Station:
    """Create or change a station once it is valid (fields, coordinates, a name unique in its union,
    a partner in reach); `amenities`, when given, replaces its amenities. `checked`: the caller (the
    xlsx import) has validated the rows already, against relations it read once for the whole file;
    the database's constraints still hold the unique name and the coordinates."""
    if not checked:
        station.full_clean()
        check_partner(station)
    is_new = station.pk is None
    station.save()
    if amenities is not None:
        set_amenities(station, amenities, new=is_new)
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


# --- Coordinates -----------------------------------------------------------------------------------


def place(station: Station, latitude, longitude, system: str) -> None:
    """Set the station's position from coordinates in `system`; both empty clears it."""
    if latitude in (None, "") and longitude in (None, ""):
        station.latitude = station.longitude = None
        return
    if latitude in (None, "") or longitude in (None, ""):
        raise ValidationError(_("经纬度须同时填写或同时留空"), code="coordinates")
    station.latitude, station.longitude = geo.stored_position(latitude, longitude, system)


def position_in(station: Station, system: str) -> tuple[float, float] | None:
    """The station's (lat, lon) in `system` (gcj02 for 高德/腾讯, bd09 for 百度), or None."""
    if station.latitude is None or station.longitude is None:
        return None
    return geo.from_wgs84(geo.Point(float(station.latitude), float(station.longitude)), system)


# --- Amenities, closures, photos ----------------------------------------------------------------------


@transaction.atomic
def set_amenities(station: Station, amenities, *, new: bool = False) -> bool:
    """Replace the station's amenities; records what changed; False when nothing did.
    `new`: the station was just created and has none yet (saves two queries a row in imports)."""
    wanted = {a.pk: a for a in amenities}
    current = set() if new else set(station.amenities.values_list("pk", flat=True))
    if set(wanted) == current:
        return False
    if new:
        station.amenities.add(*wanted.values())
    else:
        station.amenities.set(list(wanted.values()))
    names = "、".join(a.name for a in sorted(wanted.values(), key=lambda a: (a.order, a.code))) or "—"
    record_action(station, "amenities_changed", _("设施服务：%(names)s") % {"names": names})
    return True


@transaction.atomic
def add_closure(station: Station, starts_on, ends_on, reason: str = "") -> StationClosure:
    closure = StationClosure(station=station, starts_on=starts_on, ends_on=ends_on, reason=reason)
    closure.full_clean()
    closure.save()
    record_action(
        station,
        "closure_added",
        _("闭站：%(start)s 至 %(end)s %(reason)s") % {"start": starts_on, "end": ends_on, "reason": reason},
    )
    return closure


@transaction.atomic
def remove_closure(closure: StationClosure) -> None:
    station = closure.station
    closure.delete()
    record_action(
        station,
        "closure_removed",
        _("取消闭站：%(start)s 至 %(end)s") % {"start": closure.starts_on, "end": closure.ends_on},
    )


PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # a 5 MB file may still unpack to a huge bitmap (a "decompression bomb")
PHOTO_MAX_SIDE = 2048
THUMB_WIDTHS = (160, 320, 640)
# Kept as: JPEG stays JPEG, WebP stays WebP, PNG and GIF (first frame) become PNG.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}
_SAVE_AS = {"jpg": ("JPEG", {"quality": 85, "optimize": True}), "png": ("PNG", {"optimize": True})}
_SAVE_AS["webp"] = ("WEBP", {"quality": 85})


def check_photo(upload) -> str:
    """The extension the photo is kept with when it is an image we take (JPEG/PNG/WebP/GIF, at most
    5 MB, at most 40 megapixels); ValidationError otherwise. The content decides, not the name."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("照片不能超过 %(mb)d MB") % {"mb": PHOTO_MAX_BYTES // (1024 * 1024)}, code="photo_size"
        )
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
        if kind not in PHOTO_FORMATS:
            raise ValidationError(_("只支持 JPG、PNG、WebP 或 GIF 照片"), code="photo_type")
        if width * height > PHOTO_MAX_PIXELS:
            raise ValidationError(_("图片尺寸过大，请缩小后再上传"), code="photo_pixels")
        # verify() reads a PNG's checksums but not a JPEG's data: a photo cut short by a broken upload
        # shows only when it is decoded (the re-encoding would fail on it, a 500).
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("无法识别的图片，请上传 JPG、PNG 或 WebP 照片"), code="photo_type") from None
    finally:
        upload.seek(0)
    return PHOTO_FORMATS[kind]


def _encode(image, extension: str) -> ContentFile:
    kind, options = _SAVE_AS[extension]
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif kind == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return ContentFile(buffer.getvalue())


def _clean_copy(upload, extension: str) -> ContentFile:
    """The photo re-encoded: turned upright, at most 2048 px a side, and without its metadata
    (a phone's photo carries where and when it was taken, and the device, in its EXIF)."""
    from PIL import Image, ImageOps

    upload.seek(0)
    with Image.open(upload) as original:
        original.seek(0)
        image = ImageOps.exif_transpose(original)
        image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        return _encode(image, extension)


@transaction.atomic
def add_photo(station: Station, upload, caption: str = "") -> StationPhoto:
    """Keep an uploaded photo of the station (checked by `check_photo`, re-encoded without metadata);
    named by the app, not the user."""
    extension = check_photo(upload)
    content = _clean_copy(upload, extension)
    order = (station.photos.aggregate(m=Max("order"))["m"] or 0) + 1
    photo = StationPhoto(station=station, caption=caption[:100], order=order)
    photo.image.save(f"station-{station.pk}.{extension}", content, save=False)
    photo.save()
    record_action(station, "photo_added", _("添加照片 %(caption)s") % {"caption": caption})
    return photo


def thumbnail_name(photo: StationPhoto, width: int) -> str:
    base, _dot, extension = photo.image.name.rpartition(".")
    return f"{base}-w{width}.{extension}"


def thumbnail(photo: StationPhoto, width: int) -> str:
    """The storage name of the photo scaled to `width` (one of THUMB_WIDTHS), made on first use."""
    from PIL import Image

    if width not in THUMB_WIDTHS:
        raise ValueError(width)
    name = thumbnail_name(photo, width)
    storage = photo.image.storage
    if not storage.exists(name):
        with photo.image.open("rb") as handle, Image.open(handle) as image:
            image.thumbnail((width, width * 4))
            storage.save(name, _encode(image, name.rpartition(".")[2]))
    return name


@transaction.atomic
def remove_photo(photo: StationPhoto) -> None:
    station = photo.station
    names = [photo.image.name, *(thumbnail_name(photo, width) for width in THUMB_WIDTHS)]
    storage = photo.image.storage
    photo.delete()

    def delete_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    record_action(station, "photo_removed", _("删除照片 %(caption)s") % {"caption": photo.caption})
