"""One enrolment row at a time, with no database: validate, hash, and (for the import) encrypt.

Pure functions over plain tuples, so chunks can be handed to worker processes: the
encryption is the costly part of a million-row import. Errors come back as codes with
the cell already masked; the messages are rendered (and translated) by the caller.
"""

import re
from typing import NamedTuple

from django.core.exceptions import ValidationError

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


def prepare_chunk(
    rows: list[tuple[int, list[str]]], columns: dict[str, int | None], forms: dict[str, str], encrypt: bool
) -> list[GoodRow | RowError]:
    """Every row of a chunk checked; with `encrypt`, the ciphertexts the import stores."""
    out: list[GoodRow | RowError] = []
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
                pii.lookup_hash("id", value),
                pii.lookup_hash("phone", phone) if phone else None,
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
