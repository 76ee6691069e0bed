"""Rules about people: finding them by protected data, consent, and revealing what is masked."""

import re

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import pii
from core.history import record_action
from core.models import PiiAccess
from core.scoping import REVEAL, can

from ..choices import ConsentChannel, ConsentPurpose
from ..models import PII_FIELDS, Consent, Person

# The privacy notice's version a consent refers to; bump it when the text changes.
CONSENT_TEXT_VERSION = "2026-11"


def find_by_id_number(raw: str) -> Person | None:
    value = pii.parse_id_number(raw).value
    return Person.objects.filter(id_number_hash=pii.lookup_hash("id", value)).first()


def find_by_phone(raw: str) -> Person | None:
    value = pii.normalise_phone(raw)
    return Person.objects.filter(phone_hash=pii.lookup_hash("phone", value)).first()


def lookup_key(raw: str) -> tuple[str, str]:
    """(hash field, keyed hash) for a full ID number or mobile number typed into a search.

    Raises ValidationError with what is wrong with the number (without repeating it).
    """
    compact = re.sub(r"[\s\-()]", "", raw or "")
    if not any(char.isdigit() for char in compact):
        raise ValidationError(_("请输入完整的18位身份证号或11位手机号"), code="lookup")
    if compact.startswith(("+86", "0086")) or (compact.isdigit() and len(compact) == 11):
        return "phone_hash", pii.lookup_hash("phone", pii.normalise_phone(compact))
    return id_number_key(compact)


def id_number_key(raw: str) -> tuple[str, str]:
    """The lookup key of a full ID number (ValidationError when it is not one), for find_in_scope."""
    return "id_number_hash", pii.lookup_hash("id", pii.parse_id_number(raw).value)


def find_in_scope(user, key: tuple[str, str]) -> Person | None:
    """The person behind a lookup key, only if `user` may see them (otherwise nobody: no existence leak)."""
    field, value = key
    return Person.objects.restrict(user).filter(**{field: value}).first()


@transaction.atomic
def worker_for_phone(raw_phone: str) -> Person:
    """The person (with a worker login) behind a verified phone, created on first sign-in."""
    person = find_by_phone(raw_phone)
    if person is None:
        person = Person()
        person.set_phone(raw_phone)
        person.save()
    if person.user_id is None:
        user_model = get_user_model()
        user = user_model(username=f"w{person.pk}", is_worker=True)
        user.set_unusable_password()
        user.save()
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    return person


def reveal(person: Person, field: str, by, reason: str = "") -> str:
    """The raw ID number or phone, for an official allowed to see it; every reveal is logged."""
    if field not in PII_FIELDS or not can(by, REVEAL, person):
        raise PermissionDenied
    PiiAccess.objects.create(
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(person.pk),
        field=field,
        reason=reason[:200],
        user=by,
    )
    return person.decrypted(field)


@transaction.atomic
def give_consent(
    person: Person, purpose: str, channel: str = ConsentChannel.H5, version: str = CONSENT_TEXT_VERSION
) -> Consent:
    """Record consent (idempotent for a purpose already consented to under the same text)."""
    current = (
        Consent.objects.select_for_update().filter(person=person, purpose=purpose, withdrawn_at=None).first()
    )
    if current and current.text_version == version:
        return current
    if current:
        current.withdrawn_at = timezone.now()
        current.save(update_fields=["withdrawn_at", "updated_at"])
    consent = Consent.objects.create(person=person, purpose=purpose, text_version=version, channel=channel)
    record_action(person, "consent_given", note=consent.get_purpose_display(), data={"version": version})
    return consent


@transaction.atomic
def withdraw_consent(consent: Consent) -> Consent:
    """Withdraw a consent; withdrawing the account's ends every session of that account, on every device."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at", "updated_at"])
        record_action(consent.person, "consent_withdrawn", note=consent.get_purpose_display())
        user = consent.person.user
        if consent.purpose == ConsentPurpose.ACCOUNT and user is not None and not user.has_usable_password():
            # A fresh unusable password changes the session auth hash, so other sessions stop working.
            user.set_unusable_password()
            user.save(update_fields=["password"])
    return consent


def has_consent(person: Person, purpose: str = ConsentPurpose.ACCOUNT) -> bool:
    return Consent.objects.filter(person=person, purpose=purpose, withdrawn_at=None).exists()
