"""Validation of public identification codes (not personal data): the unified social credit code, and
the form of an organisation's telephone number."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A telephone number as offices write one: digits, spaces and dashes (0575-84123456, 10000, 12351).
validate_phone_text = RegexValidator(
    r"^[0-9][0-9 -]{2,28}$", _("请填写有效的电话号码，如 0575-84123456 或 10000")
)

# GB 32100-2015: 18 characters from this 31-letter alphabet (no I, O, S, V, Z), the last a check
# character computed like ISO 7064 MOD 31-3 with these weights.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(raw: str) -> str:
    """A valid 统一社会信用代码, upper-cased; the error says what is wrong."""
    value = (raw or "").strip().replace(" ", "").upper()
    if len(value) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，现为%(n)d位"), code="uscc_length", params={"n": len(value)}
        )
    if any(c not in USCC_ALPHABET for c in value):
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）"), code="uscc_format"
        )
    if uscc_check_character(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位错误"), code="uscc_check")
    return value


def validate_uscc(value: str) -> None:
    normalise_uscc(value)
