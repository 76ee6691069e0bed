"""Rules about people: finding them by protected data, consent, and revealing what is masked."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core import pii
from core.history import record_action
from core.models import PiiAccess
from core.scoping import REVEAL, can

from .choices import ConsentChannel, ConsentPurpose
from .models import PII_FIELDS, Consent, Person

# The privacy notice's version a consent refers to; bump it when the text changes.
CONSENT_TEXT_VERSION = "2026-11"


def find_by_id_number(raw: str) -> Person | None:
    value = pii.parse_id_number(raw).value
    return Person.objects.filter(id_number_hash=pii.lookup_hash("id", value)).first()


def find_by_phone(raw: str) -> Person | None:
    value = pii.normalise_phone(raw)
    return Person.objects.filter(phone_hash=pii.lookup_hash("phone", value)).first()


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
    current = Consent.objects.select_for_update().filter(person=person, purpose=purpose, withdrawn_at=None).first()
    if current and current.text_version == version:
        return current
    if current:
        current.withdrawn_at = timezone.now()
        current.save(update_fields=["withdrawn_at", "updated_at"])
    return Consent.objects.create(person=person, purpose=purpose, text_version=version, channel=channel)


@transaction.atomic
def withdraw_consent(consent: Consent) -> Consent:
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at", "updated_at"])
        record_action(consent.person, "consent_withdrawn", note=consent.get_purpose_display())
    return consent


def has_consent(person: Person, purpose: str = ConsentPurpose.ACCOUNT) -> bool:
    return Consent.objects.filter(person=person, purpose=purpose, withdrawn_at=None).exists()
