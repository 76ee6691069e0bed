"""A tracked model's get_FOO_display(): the label of the value, in the language active at the call."""

from django.utils import translation

from members.choices import Gender
from members.models import Person
from programs.choices import RegistrationStatus
from programs.models import Registration


def test_label_follows_the_active_language_on_every_call():
    registration = Registration(status=RegistrationStatus.WAITLISTED)
    with translation.override("zh-hans"):
        assert registration.get_status_display() == "候补中"
    with translation.override("en"):
        assert registration.get_status_display() == "Waitlisted"
    with translation.override("zh-hans"):  # the labels are kept lazy, not as first translated
        assert registration.get_status_display() == "候补中"


def test_every_choice_shows_its_label_and_an_unknown_value_itself():
    registration = Registration()
    with translation.override("zh-hans"):
        for value, label in RegistrationStatus.choices:
            registration.status = value
            assert registration.get_status_display() == str(label)
        registration.status = "no-such-status"
        assert registration.get_status_display() == "no-such-status"
    # A blank choice field shows nothing, as Django's own method does.
    assert Person(gender="").get_gender_display() == ""
    assert Person(gender=Gender.FEMALE).get_gender_display() == str(Gender.FEMALE.label)
    assert isinstance(registration.get_status_display(), str)
