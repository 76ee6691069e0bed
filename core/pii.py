"""Personal information (PIPL): encryption, keyed lookup hashes, masking, validation.

ID numbers and phones are stored as Fernet ciphertext (keys from the
environment; the first key encrypts, every key decrypts, so keys rotate) with a
keyed HMAC-SHA256 beside them for lookup and de-duplication, and a masked copy
for display. The raw value lives only in memory while it is being used.
"""

import datetime
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.PII_KEYS])


def reset_keys() -> None:
    """Forget cached keys (after settings change: tests, key rotation)."""
    _fernet.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def rotate(token: str) -> str:
    """Re-encrypt a ciphertext under the current (first) key."""
    return _fernet().rotate(token.encode()).decode() if token else ""


def lookup_hash(kind: str, value: str) -> str:
    """Keyed hash for equality lookups; `kind` keeps an ID number and a phone from ever colliding."""
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.PII_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if value else ""


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if value else ""


def mask_name(value: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; a single character stays as it is."""
    return value[:1] + "*" * (len(value) - 1) if value else ""


# GB 11643-1999: 17 digits, then a check character from ISO 7064 MOD 11-2.
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: datetime.date
    gender: str  # "male" / "female": the 17th digit's parity
    region_code: str  # the six-digit GB/T 2260 code of the issuing county


def check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def parse_id_number(raw: str) -> IdNumber:
    """Validate and normalise a resident ID number; the error says what is wrong."""
    value = (raw or "").strip().replace(" ", "").upper()
    if len(value) != 18:
        raise ValidationError(_("身份证号应为18位，现为%(n)d位"), code="id_length", params={"n": len(value)})
    if not _ID_RE.match(value):
        raise ValidationError(_("身份证号前17位应为数字，末位为数字或X"), code="id_format")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期不存在"), code="id_birth_date") from None
    if not datetime.date(1900, 1, 1) <= birth <= datetime.date.today():
        raise ValidationError(_("身份证号中的出生日期不在合理范围内"), code="id_birth_date")
    if check_character(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位错误"), code="id_check")
    gender = "male" if int(value[16]) % 2 else "female"
    return IdNumber(value=value, birth_date=birth, gender=gender, region_code=value[:6])


_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(raw: str) -> str:
    """A mainland mobile number, with +86 / 0086 and separators stripped."""
    value = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    if not _PHONE_RE.match(value):
        raise ValidationError(_("请输入11位中国大陆手机号"), code="phone")
    return value
