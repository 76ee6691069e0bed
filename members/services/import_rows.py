"""One enrolment row at a time, with no database: validate, hash, and (for the import) encrypt.

Pure functions over plain values, so chunks can be handed to worker processes: validating,
hashing and encrypting is the CPU-bound part of a million-row enrolment. Errors come back as
codes with the cell already masked; the messages are rendered (and translated) by the caller.

A CSV without quotes is split here, in the worker, from the decoded text the worker inherited
(`text_rows`): the parent neither parses it nor pickles its cells across.
"""

import binascii
import datetime
import hashlib
import operator
import os
import re
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import pii

from .import_files import ImpreciseNumber

NAME_MAX = 50
NULL = "\\N"  # COPY text's NULL
# COPY text escapes, one pass per value (translate), so an escape it writes is never escaped again.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_DIGIT_RUN = re.compile(r"\d{6,}")


class RowError(NamedTuple):
    row: int
    field: str  # our field name, or "" for the row as a whole
    code: str
    masked: str
    params: tuple = ()


class GoodRow(NamedTuple):
    """A valid row: what finds it (keyed hashes) and shows it (masks), and the person as stored.

    `copy` is the person's columns (import_db.PERSON_COLUMNS up to employment_form) as one line of
    PostgreSQL's COPY text: ciphertexts, keyed hashes, masks, the name escaped; no raw number. It is
    what the check stages and the import writes, without taking the row apart in between.
    """

    row: int
    id_hash: str
    phone_hash: str  # "" without a phone
    id_mask: str
    phone_mask: str
    copy: str


class Checked(NamedTuple):
    """A valid row as the check sees it: GoodRow's first five fields, and the whole row as the stage
    keeps it (`line`: those five and GoodRow.copy, tab-separated), written as it comes."""

    row: int
    id_hash: str
    phone_hash: str
    id_mask: str
    phone_mask: str
    line: str


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
_ZEROS = ord("0") * sum(_ID_WEIGHTS)  # the weighted sum of the digits' codes, less this, is theirs
_EARLIEST = datetime.date(1900, 1, 1)


def _fast_id(raw: str, today: datetime.date) -> tuple[str, str, str, str] | None:
    """The common case of pii.parse_id_number, a few times faster, as (number, birth date in ISO
    form, gender, region code); None means "ask parse_id_number", which stays the one judge of what
    is wrong (and of any number this path is unsure of)."""
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
    # ASCII digits (the pattern said so): their byte codes weighted, less the zeros' share.
    if pii._ID_CHECK[(sum(map(operator.mul, value[:17].encode(), _ID_WEIGHTS)) - _ZEROS) % 11] != value[17]:
        return None
    return value, birth.isoformat(), "male" if int(value[16]) % 2 else "female", value[:6]


def _fast_phone(raw: str) -> str:
    """pii.normalise_phone for the common case (11 ASCII digits, a mobile prefix); else it decides."""
    if len(raw) == 11 and raw.isascii() and raw.isdigit() and raw[0] == "1" and raw[1] in "3456789":
        return raw
    return pii.normalise_phone(raw)


def _hasher(kind: str):
    """pii.lookup_hash(kind, ·) with the key and the prefix absorbed once.

    HMAC-SHA256 written out (RFC 2104: H(K ⊕ opad ‖ H(K ⊕ ipad ‖ m))) from hashlib states padded
    once: copying two hashlib objects costs less than copying an hmac object, whose copy() is
    Python. tests/members/test_imports_speed.py holds it equal to pii.lookup_hash.
    """
    key = settings.PII_HMAC_KEY.encode()
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(key.translate(_IPAD))
    inner.update(f"{kind}:".encode())
    outer = hashlib.sha256(key.translate(_OPAD))

    def digest(value: str) -> str:
        i = inner.copy()
        i.update(value.encode())
        o = outer.copy()
        o.update(i.digest())
        return o.hexdigest()

    return digest


_BLOCK = 64  # SHA-256's block size
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


_URLSAFE = bytes.maketrans(b"+/", b"-_")


class _Sealer:
    """pii.encrypt's format ("2:" + urlsafe base64 of nonce and AES-GCM ciphertext) for many values:
    the current key's cipher looked up once, random nonces drawn from the OS a chunk at a time."""

    def __init__(self, count: int):
        self.seal = pii._gcm_keys()[0].encrypt
        self.nonces = os.urandom(12 * max(count, 1))
        self.at = 0

    def __call__(self, value: str) -> str:
        nonce = self.nonces[self.at : self.at + 12]
        self.at += 12
        if len(nonce) < 12:  # more values than announced: a fresh nonce each
            nonce = os.urandom(12)
        sealed = nonce + self.seal(nonce, value.encode(), None)
        return pii.GCM_PREFIX + binascii.b2a_base64(sealed, newline=False).translate(_URLSAFE).decode()


def text_rows(text: str, start: int, end: int, first_line: int) -> list[tuple[int, list[str]]]:
    """The rows of text[start:end] as csv.reader gives them for a file without quotes or lone CRs:
    (line number, cells stripped), blank rows left out. `first_line` is the number of text[start]'s line.
    """
    rows = []
    number = first_line
    for line in text[start:end].split("\n"):
        cells = (line[:-1] if line.endswith("\r") else line).split(",")
        if any(cells):
            rows.append((number, [cell.strip() for cell in cells]))
        number += 1
    return rows


def prepare_chunk(
    rows: list[tuple[int, list[str]]], columns: dict[str, int | None], forms: dict[str, str]
) -> tuple[str, list[RowError]]:
    """Every row of a chunk checked: (the valid rows' staged lines as one text, errors).

    One text: it crosses from a worker process as one string, where a tuple of six strings a row cost
    the worker a fifth of its time to pickle (and the parent more to unpickle); `checked_rows` reads
    the lines back as Checked rows.
    """
    good: list[str] = []
    errors: list[RowError] = []
    today = timezone.localdate()
    id_hash, phone_hash = _hasher("id"), _hasher("phone")
    seal = _Sealer(2 * len(rows))
    name_at, id_at = columns["name"], columns["id_number"]
    phone_at, form_at = columns.get("phone"), columns.get("employment_form")
    mask_id, name_problem = pii.mask_id_number, pii.name_problem
    for number, cells in rows:
        width = len(cells)
        name = cells[name_at] if name_at < width else ""
        raw_id = cells[id_at] if id_at < width else ""
        raw_phone = cells[phone_at] if phone_at is not None and phone_at < width else ""
        raw_form = cells[form_at] if form_at is not None and form_at < width else ""
        if not name:
            errors.append(RowError(number, "name", "name_missing", ""))
            continue
        if len(name) > NAME_MAX:
            errors.append(RowError(number, "name", "name_too_long", pii.mask_name(name[:10]), (NAME_MAX,)))
            continue
        if name_problem(name):  # not shown back: it may be an ID number or a phone
            errors.append(RowError(number, "name", "name_digits", ""))
            continue
        if not raw_id:
            errors.append(RowError(number, "id_number", "id_missing", ""))
            continue
        if type(raw_id) is ImpreciseNumber:  # its last digits are lost: it might even pass the check
            errors.append(RowError(number, "id_number", "id_as_number", mask_id_like(raw_id)))
            continue
        parsed = _fast_id(raw_id, today)
        if parsed is None:
            try:
                slow = pii.parse_id_number(raw_id)
            except ValidationError as error:
                errors.append(RowError(number, "id_number", error.code or "id_format", mask_id_like(raw_id)))
                continue
            parsed = (slow.value, slow.birth_date.isoformat(), slow.gender, slow.region_code)
        phone = ""
        if raw_phone:
            try:
                phone = _fast_phone(raw_phone)
            except ValidationError:
                errors.append(RowError(number, "phone", "phone", mask_phone_like(raw_phone)))
                continue
        form = forms.get(raw_form.replace(" ", ""), None) if raw_form else "other"
        if form is None:
            errors.append(RowError(number, "employment_form", "form_unknown", raw_form[:20]))
            continue
        value, birth, gender, region = parsed
        hashed, masked = id_hash(value), mask_id(value)
        if phone:
            phone_hashed, phone_sealed = phone_hash(phone), seal(phone)
            phone_masked = f"{phone[:3]}****{phone[-4:]}"
        else:
            phone_hashed = phone_masked = phone_sealed = ""
        good.append(
            # The staged line: Checked's first five fields, then the person in import_db.PERSON_COLUMNS'
            # order (GoodRow.copy). Only the name is free text (escaped); the rest holds no tab,
            # newline or backslash (hex, base64, digits, masks, codes, an ISO date).
            f"{number}\t{hashed}\t{phone_hashed}\t{masked}\t{phone_masked}\t"
            f"{name.translate(COPY_ESCAPES)}\t{seal(value)}\t{hashed}\t{masked}\t{phone_sealed}\t"
            f"{phone_hashed or NULL}\t{phone_masked}\t{birth}\t{gender}\t{region}\t{form}"
        )
    return "\n".join(good), errors


def checked_rows(text: str) -> list[Checked]:
    """The valid rows of prepare_chunk's text, as the check uses them."""
    if not text:
        return []
    rows = []
    for line in text.split("\n"):
        number, id_hash, phone_hash, id_mask, phone_mask, _person = line.split("\t", 5)
        rows.append(Checked(int(number), id_hash, phone_hash, id_mask, phone_mask, line))
    return rows


def prepare_text(args) -> tuple[int, str, list[RowError]]:
    """A worker's task for the quote-free CSV path: (rows seen, valid rows, errors) of one span."""
    start, end, first_line, columns, forms = args
    rows = text_rows(_TEXT[0], start, end, first_line)
    return (len(rows), *prepare_chunk(rows, columns, forms))


def prepare_rows(args) -> tuple[int, str, list[RowError]]:
    rows, columns, forms = args
    return (len(rows), *prepare_chunk(rows, columns, forms))


# The decoded file in a worker: set before the fork (set_text), so children inherit it unpickled.
_TEXT: list[str] = [""]


def set_text(text: str) -> None:
    _TEXT[0] = text


__all__ = ["Checked", "GoodRow", "RowError", "checked_rows", "mask_any", "prepare_chunk", "text_rows"]
