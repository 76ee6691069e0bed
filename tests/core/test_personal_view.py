"""Finance and audit officials see no personal data (README, roles): every scoped model that holds a
person's record, itself or through what it belongs to, keeps them out of its view."""

from django.db import models

from accounts.choices import RoleKind
from core.scoping import VIEW, registry
from members.models import Person


def _holds_a_person(model) -> bool:
    return any(
        isinstance(field, models.ForeignKey | models.OneToOneField) and field.related_model is Person
        for field in model._meta.concrete_fields
    )


def _personal(model, policy) -> bool:
    """The model or a model on its way to its union (aid_case__union: the aid case) names a person."""
    if model is Person or _holds_a_person(model):
        return True
    hop = model
    for name in policy.union.split("__")[:-1]:
        hop = hop._meta.get_field(name).related_model
        if hop is Person or _holds_a_person(hop):
            return True
    return False


def test_finance_and_audit_see_no_personal_record():
    seen = [
        f"{model._meta.label}"
        for model, policy in registry.items()
        if _personal(model, policy) and policy.roles[VIEW] & {RoleKind.FINANCE, RoleKind.AUDIT}
    ]
    assert seen == []
