"""Personal information (PIPL): encryption, keyed lookup hashes, masking, validation.

ID numbers and phones are stored encrypted (keys from the environment; the first
key encrypts, every key decrypts, so keys rotate) with a keyed HMAC-SHA256 beside
them for lookup and de-duplication, and a masked copy for display. The raw value
lives only in memory while it is being used.

Ciphertext format, versioned so older values still decrypt:
- "2:" + urlsafe base64 of (12-byte nonce, AES-256-GCM ciphertext and tag), under a
  key derived from each configured PII key. Written by encrypt(): ~1 µs a value, where
  Fernet took ~10-25 µs (a million-row enrolment file encrypts two values a row).
- a Fernet token (starts "gAAAA"): what was written before; read, and moved to the
  current format by rotation.
"""

import base64
import datetime
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .text import direction_problem


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.PII_KEYS])


GCM_PREFIX = "2:"


@cache
def _gcm_keys() -> tuple[AESGCM, ...]:
    # A key of its own per PII key (HMAC-derived), so the same secret never serves two ciphers.
    return tuple(
        AESGCM(hmac.new(key.encode(), b"niangjia-pii-aes-gcm", hashlib.sha256).digest())
        for key in settings.PII_KEYS
    )


def reset_keys() -> None:
    """Forget cached keys (after settings change: tests, key rotation)."""
    _fernet.cache_clear()
    _gcm_keys.cache_clear()


@receiver(setting_changed)
def _keys_changed(setting, **kwargs):
    if setting == "PII_KEYS":
        reset_keys()


def encrypt(value: str) -> str:
    if not value:
        return ""
    nonce = os.urandom(12)
    sealed = _gcm_keys()[0].encrypt(nonce, value.encode(), None)
    return GCM_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def _open_gcm(token: str) -> tuple[str, int]:
    """(plaintext, index of the key that opened it); InvalidToken when none does."""
    try:
        raw = base64.urlsafe_b64decode(token[len(GCM_PREFIX) :])
    except ValueError:
        raise InvalidToken from None
    for index, key in enumerate(_gcm_keys()):
        try:
            return key.decrypt(raw[:12], raw[12:], None).decode(), index
        except (InvalidTag, ValueError):
            continue
    raise InvalidToken


def decrypt(token: str) -> str:
    if not token:
        return ""
    if token.startswith(GCM_PREFIX):
        return _open_gcm(token)[0]
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a ciphertext under the current (first) key, in the current format."""
    return encrypt(decrypt(token)) if token else ""


def decrypt_current(token: str) -> tuple[str, bool]:
    """The plaintext, and whether the token is current (format and first key): rotation skips those.

    Raises InvalidToken when no configured key opens it.
    """
    if token.startswith(GCM_PREFIX):
        value, index = _open_gcm(token)
        return value, index == 0
    return decrypt(token), False


def lookup_hash(kind: str, value: str, key: str | None = None) -> str:
    """Keyed hash for equality lookups; `kind` keeps an ID number and a phone from ever colliding.

    `key` defaults to PII_HMAC_KEY; the rotation command passes the old key to find old hashes.
    """
    message = f"{kind}:{value}".encode()
    return hmac.new((key or settings.PII_HMAC_KEY).encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class EncryptedField:
    """A protected value stored as `<name>_cipher` (see encrypt) beside `<name>_hash` (lookup_hash)."""

    model: type
    name: str
    kind: str

    @property
    def cipher(self) -> str:
        return f"{self.name}_cipher"

    @property
    def hash(self) -> str:
        return f"{self.name}_hash"


@dataclass(frozen=True)
class HashColumn:
    """A lookup hash kept without a ciphertext (e.g. an SMS log's phone): remapped, not recomputed."""

    model: type
    column: str
    kind: str


# What the key-rotation command walks; models register themselves, nothing is hard-coded there.
ENCRYPTED_FIELDS: list[EncryptedField] = []
HASH_COLUMNS: list[HashColumn] = []


def encrypted(**fields: str):
    """Class decorator: `@pii.encrypted(id_number="id", phone="phone")` registers cipher/hash pairs."""

    def register(model):
        for name, kind in fields.items():
            entry = EncryptedField(model, name, kind)
            if entry not in ENCRYPTED_FIELDS:
                ENCRYPTED_FIELDS.append(entry)
        return model

    return register


def register_hash_column(model, column: str, kind: str) -> None:
    entry = HashColumn(model, column, kind)
    if entry not in HASH_COLUMNS:
        HASH_COLUMNS.append(entry)


def mask_id_number(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if value else ""


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if value else ""


def mask_name(value: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; a single character stays as it is."""
    return value[:1] + "*" * (len(value) - 1) if value else ""


# GB 11643-1999: 17 digits, then a check character from ISO 7064 MOD 11-2.
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: \d would take any script's digits
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
# GB/T 2260 province-level codes: the first two digits of every number issued (81-83: residence
# permits of Hong Kong, Macao and Taiwan residents).
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省",
    "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区", "83": "台湾地区（居住证）",
}  # fmt: skip


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: datetime.date
    gender: str  # "male" / "female": the 17th digit's parity
    region_code: str  # the six-digit GB/T 2260 code of the issuing county

    @property
    def province(self) -> str:
        return PROVINCES[self.region_code[:2]]


def check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _halfwidth(raw: str | None) -> str:
    """Full-width digits, letters and signs (a Chinese keyboard's "１３８", "Ｘ", "＋") as ASCII: the same
    number typed either way is the same number, found by the same hash."""
    return unicodedata.normalize("NFKC", raw or "")


def looks_like_a_number(text: str | None) -> bool:
    """Six or more digits, however typed (spaced, dashed, full-width): a part of an ID number or a
    phone, which a name search must not carry into a URL."""
    return bool(re.search(r"[0-9]{6,}", re.sub(r"[\s\-]", "", _halfwidth(text))))


_ANY_DIGIT = re.compile(r"\d")  # any script's: a full-width "１３８" too


def name_problem(name: str | None) -> str | None:
    """A person's name holds no digit (no name on an ID card or a passport does): an ID number or a
    phone typed into the name would be kept in plain text, beside the columns that encrypt them."""
    if name and _ANY_DIGIT.search(name):
        return str(_("姓名不能含数字：身份证号、手机号请填在各自的栏里"))
    return direction_problem(name)


def validate_name(value: str) -> None:
    """name_problem as a model field's validator."""
    if problem := name_problem(value):
        raise ValidationError(problem, code="name_digits")


def parse_id_number(raw: str) -> IdNumber:
    """Validate and normalise a resident ID number; the error says what is wrong."""
    # The messages never repeat the number: errors end up in pages and logs.
    value = re.sub(r"\s", "", _halfwidth(raw)).upper()
    if len(value) != 18:
        raise ValidationError(_("身份证号应为18位，现为%(n)d位"), code="id_length", params={"n": len(value)})
    if not _ID_RE.match(value):
        raise ValidationError(_("身份证号前17位应为数字，末位应为数字或X"), code="id_format")
    if value[:2] not in PROVINCES:
        raise ValidationError(_("身份证号前两位不是有效的省级行政区划代码"), code="id_region")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期不存在"), code="id_birth_date") from None
    if birth > timezone.localdate():
        raise ValidationError(_("身份证号中的出生日期晚于今天"), code="id_birth_date")
    if birth < datetime.date(1900, 1, 1):
        raise ValidationError(_("身份证号中的出生日期早于1900年"), code="id_birth_date")
    if check_character(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位错误"), code="id_check")
    gender = "male" if int(value[16]) % 2 else "female"
    return IdNumber(value=value, birth_date=birth, gender=gender, region_code=value[:6])


_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def normalise_phone(raw: str) -> str:
    """A mainland mobile number, with +86 / 0086 and separators stripped."""
    value = re.sub(r"[\s\-()]", "", _halfwidth(raw))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    if not _PHONE_RE.match(value):
        raise ValidationError(_("请输入11位中国大陆手机号"), code="phone")
    return value
