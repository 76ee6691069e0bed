"""Money a person types: yuan with two decimals, below a hundred million.

One household's income, one aid payment, one medical claim: a figure of a hundred million yuan or more
is a typo (a digit held down, a phone number pasted), whatever the column could hold.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX = Decimal("1e8")
CENT = Decimal("0.01")


def amount(value, field: str, *, positive: bool = False) -> Decimal:
    """`value` as yuan and fen; ValidationError on `field` when it is not a sum of money, negative (or
    not above 0 when `positive`), or past MAX. Empty is 0 unless `positive`."""
    try:
        money = Decimal(str(value if value not in (None, "") or positive else 0)).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("请填写金额")}) from None
    if positive and money <= 0:
        raise ValidationError({field: _("金额须大于 0")})
    if money < 0:
        raise ValidationError({field: _("金额不能为负数")})
    if money >= MAX:
        raise ValidationError({field: _("金额过大，请核对")})
    return money
