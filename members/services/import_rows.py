"""One enrolment row at a time, with no database: validate, hash, and (for the import) encrypt.

Pure functions over plain tuples, so chunks can be handed to worker processes: the
encryption is the costly part of a million-row import. Errors come back as codes with
the cell already masked; the messages are rendered (and translated) by the caller.
"""

import datetime
import hashlib
import hmac
import operator
import re
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import pii

NAME_MAX = 50
_DIGIT_RUN = re.compile(r"\d{6,}")


class RowError(NamedTuple):
    row: int
    field: str  # our field name, or "" for the row as a whole
    code: str
    masked: str
    params: tuple = ()


class GoodRow(NamedTuple):
    row: int
    name: str
    id_hash: str
    phone_hash: str | None
    employment_form: str
    birth_date: str
    gender: str
    region_code: str
    id_mask: str
    phone_mask: str
    id_cipher: str
    phone_cipher: str


def mask_any(value: str) -> str:
    """A cell shown in a report or preview: long digit runs (numbers that may be IDs or phones) masked."""
    if not value:
        return ""
    return _DIGIT_RUN.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 5) + m.group()[-2:], value)


def mask_id_like(value: str) -> str:
    compact = re.sub(r"\s", "", value).upper()
    if len(compact) == 18:
        return pii.mask_id_number(compact)
    return mask_any(compact) if len(compact) > 6 else "*" * len(compact)


def mask_phone_like(value: str) -> str:
    compact = re.sub(r"[\s\-()+]", "", value)
    return pii.mask_phone(compact) if len(compact) >= 7 else "*" * len(compact)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_EARLIEST = datetime.date(1900, 1, 1)


def _fast_id(raw: str, today: datetime.date) -> pii.IdNumber | None:
    """The common case of pii.parse_id_number, a few times faster; None means "ask parse_id_number",
    which stays the one judge of what is wrong (and of any number this path is unsure of)."""
    if len(raw) != 18:
        return None
    value = raw.upper()
    if not pii._ID_RE.match(value) or value[:2] not in pii.PROVINCES:
        return None
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None
    if birth > today or birth < _EARLIEST:
        return None
    if pii._ID_CHECK[sum(map(operator.mul, map(int, value[:17]), _ID_WEIGHTS)) % 11] != value[17]:
        return None
    return pii.IdNumber(value, birth, "male" if int(value[16]) % 2 else "female", value[:6])


def _hasher(kind: str):
    """pii.lookup_hash(kind, ·) with the key and the prefix absorbed once: copy, add the value, digest."""
    base = hmac.new(settings.PII_HMAC_KEY.encode(), f"{kind}:".encode(), hashlib.sha256)

    def digest(value: str) -> str:
        h = base.copy()
        h.update(value.encode())
        return h.hexdigest()

    return digest


def prepare_chunk(
    rows: list[tuple[int, list[str]]], columns: dict[str, int | None], forms: dict[str, str], encrypt: bool
) -> list[GoodRow | RowError]:
    """Every row of a chunk checked; with `encrypt`, the ciphertexts the import stores."""
    out: list[GoodRow | RowError] = []
    today = timezone.localdate()
    id_hash, phone_hash = _hasher("id"), _hasher("phone")
    name_at, id_at = columns["name"], columns["id_number"]
    phone_at, form_at = columns.get("phone"), columns.get("employment_form")
    for number, cells in rows:
        width = len(cells)
        name = cells[name_at] if name_at < width else ""
        raw_id = cells[id_at] if id_at < width else ""
        raw_phone = cells[phone_at] if phone_at is not None and phone_at < width else ""
        raw_form = cells[form_at] if form_at is not None and form_at < width else ""
        if not name:
            out.append(RowError(number, "name", "name_missing", ""))
            continue
        if len(name) > NAME_MAX:
            out.append(RowError(number, "name", "name_too_long", pii.mask_name(name[:10]), (NAME_MAX,)))
            continue
        if not raw_id:
            out.append(RowError(number, "id_number", "id_missing", ""))
            continue
        parsed = _fast_id(raw_id, today)
        if parsed is None:
            try:
                parsed = pii.parse_id_number(raw_id)
            except ValidationError as error:
                out.append(RowError(number, "id_number", error.code or "id_format", mask_id_like(raw_id)))
                continue
        phone = ""
        if raw_phone:
            try:
                phone = pii.normalise_phone(raw_phone)
            except ValidationError:
                out.append(RowError(number, "phone", "phone", mask_phone_like(raw_phone)))
                continue
        form = forms.get(raw_form.replace(" ", ""), None) if raw_form else "other"
        if form is None:
            out.append(RowError(number, "employment_form", "form_unknown", raw_form[:20]))
            continue
        value = parsed.value
        out.append(
            GoodRow(
                number,
                name,
                id_hash(value),
                phone_hash(phone) if phone else None,
                form,
                parsed.birth_date.isoformat(),
                parsed.gender,
                parsed.region_code,
                pii.mask_id_number(value),
                pii.mask_phone(phone),
                pii.encrypt(value) if encrypt else "",
                pii.encrypt(phone) if encrypt and phone else "",
            )
        )
    return out


def _prepare_star(args):
    return prepare_chunk(*args)


__all__ = ["GoodRow", "RowError", "mask_any", "prepare_chunk"]
