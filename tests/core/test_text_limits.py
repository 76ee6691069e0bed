"""Text a person types has a bound (core.limits), on the model field, so forms and the API refuse the
same thing with the same message; a 100,000-character case summary was stored as given."""

from django.apps import apps
from django.db import models

# Written by the system, never typed into a box as such (ciphertext, job and import reports, history
# notes copied from bounded reasons, texts of messages the platform sends).
SYSTEM_WRITTEN = {
    "core.HistoryEntry.note",
    "core.Job.message",
    "core.Notification.body",
    "members.ImportBatch.message",
    "members.Person.id_number_cipher",
    "members.Person.phone_cipher",
}
OURS = {"accounts", "core", "members", "orgs", "programs", "rights", "stations", "portal", "reports"}


def test_every_text_field_a_person_types_is_bounded():
    unbounded = {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in OURS
        for field in model._meta.local_fields
        if isinstance(field, models.TextField) and field.max_length is None
    }
    assert unbounded == SYSTEM_WRITTEN
