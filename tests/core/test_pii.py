"""Personal data primitives: GB 11643 and phone validation, encryption, keyed hashes, masks, key rotation."""

import datetime
import io
import logging

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import notify, pii
from core.choices import JobStatus
from core.logging import PiiRedactingFilter, redact
from core.models import HistoryEntry, Job, Notification
from members import services
from members.models import Person

from .. import factories

VALID = "11010519491231002X"  # the example of GB 11643-1999 itself


def with_check(first17: str) -> str:
    return first17 + pii.check_character(first17)


def message(raw: str, parse=pii.parse_id_number) -> str:
    with pytest.raises(ValidationError) as caught:
        parse(raw)
    return caught.value.messages[0]


# --- ID numbers -------------------------------------------------------------------------------


def test_valid_number_tells_birth_date_gender_and_region():
    parsed = pii.parse_id_number(VALID)
    assert parsed.value == VALID
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.gender == "female"  # 17th digit 2 is even
    assert parsed.region_code == "110105"
    assert parsed.province == "北京市"
    male = pii.parse_id_number(with_check("33062119900101001"))
    assert (male.gender, male.province, male.birth_date) == ("male", "浙江省", datetime.date(1990, 1, 1))


def test_lowercase_x_and_spaces_are_normalised():
    assert pii.parse_id_number("11010519491231002x").value == VALID
    assert pii.parse_id_number(" 110105 19491231 002x ").value == VALID


def test_full_width_digits_are_the_same_number_and_other_scripts_are_refused():
    full_width = VALID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert pii.parse_id_number(full_width).value == VALID
    assert pii.normalise_phone("１３８１２３４５６７８") == "13812345678"
    assert pii.lookup_hash("phone", pii.normalise_phone("１３８１２３４５６７８")) == pii.lookup_hash(
        "phone", "13812345678"
    )
    arabic_indic = "١٣٨١٢٣٤٥٦٧٨"  # digits to \d, but no phone here
    with pytest.raises(ValidationError):
        pii.normalise_phone(arabic_indic)
    with pytest.raises(ValidationError):
        pii.parse_id_number(VALID[:10] + "٠" + VALID[11:])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("110105194912310021", "身份证号校验位错误"),
        ("11010519491231002", "身份证号应为18位，现为17位"),
        ("11010519491231002XX", "身份证号应为18位，现为19位"),
        ("", "身份证号应为18位，现为0位"),
        ("11010519491231002A", "身份证号前17位应为数字，末位应为数字或X"),
        ("1101051949123100AX", "身份证号前17位应为数字，末位应为数字或X"),
        (with_check("99010519491231002"), "身份证号前两位不是有效的省级行政区划代码"),
        (with_check("11010519900230001"), "身份证号中的出生日期不存在"),
        (with_check("11010519901301001"), "身份证号中的出生日期不存在"),
        (with_check("11010518991231001"), "身份证号中的出生日期早于1900年"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(raw, expected):
    assert message(raw) == expected


def test_birth_date_in_the_future_is_refused():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert message(with_check(f"330621{tomorrow:%Y%m%d}001")) == "身份证号中的出生日期晚于今天"
    today = timezone.localdate()
    assert pii.parse_id_number(with_check(f"330621{today:%Y%m%d}001")).birth_date == today


# --- phones -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["13800138000", "+8613800138000", "+86 138 0013 8000", "0086-138-0013-8000", "138-0013-8000"]
)
def test_phone_prefixes_and_separators_are_stripped(raw):
    assert pii.normalise_phone(raw) == "13800138000"


@pytest.mark.parametrize(
    "raw", ["12800138000", "1380013800", "138001380001", "8613800138000", "1380013800a", ""]
)
def test_invalid_phones_are_refused(raw):
    assert message(raw, pii.normalise_phone) == "请输入11位中国大陆手机号"


# --- encryption, hashes, masks -----------------------------------------------------------------


def test_masks():
    assert pii.mask_id_number(VALID) == "110105********002X"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_name("欧阳娜娜") == "欧***"
    assert (pii.mask_id_number(""), pii.mask_phone("")) == ("", "")


def test_encryption_round_trip_and_keyed_hash(settings):
    token = pii.encrypt(VALID)
    assert VALID not in token
    assert pii.decrypt(token) == VALID
    assert (pii.encrypt(""), pii.decrypt("")) == ("", "")
    assert pii.lookup_hash("id", VALID) == pii.lookup_hash("id", VALID)
    assert pii.lookup_hash("id", "13800138000") != pii.lookup_hash("phone", "13800138000")
    before = pii.lookup_hash("id", VALID)
    settings.PII_HMAC_KEY = "another-key"
    assert pii.lookup_hash("id", VALID) != before
    assert pii.lookup_hash("id", VALID, key=settings.PII_HMAC_KEY) == pii.lookup_hash("id", VALID)


def test_ciphertext_is_versioned_and_earlier_fernet_tokens_still_open(settings):
    token = pii.encrypt(VALID)
    assert token.startswith("2:") and pii.encrypt(VALID) != token  # a fresh nonce each time
    assert pii.decrypt_current(token) == (VALID, True)
    earlier = Fernet(settings.PII_KEYS[0].encode()).encrypt(VALID.encode()).decode()  # written before "2:"
    assert pii.decrypt(earlier) == VALID
    assert pii.decrypt_current(earlier) == (VALID, False)  # rotation moves it to the current format
    rotated = pii.rotate(earlier)
    assert rotated.startswith("2:") and pii.decrypt_current(rotated) == (VALID, True)
    settings.PII_KEYS = [Fernet.generate_key().decode(), settings.PII_KEYS[0]]
    assert pii.decrypt_current(token) == (VALID, False)  # under the second key: to be rotated
    settings.PII_KEYS = [Fernet.generate_key().decode()]
    for unreadable in (token, earlier, "2:AAAA", "2:!!"):
        with pytest.raises(InvalidToken):
            pii.decrypt(unreadable)


@pytest.mark.django_db
def test_person_setters_store_only_cipher_hash_mask_and_derived_facts():
    person = Person(name="王芳")
    person.set_id_number("11010519491231002x")
    person.set_phone("+86 138 1234 5678")
    person.save()
    person = Person.objects.get(pk=person.pk)
    assert VALID not in person.id_number_cipher and "13812345678" not in person.phone_cipher
    assert person.decrypted("id_number") == VALID
    assert person.decrypted("phone") == "13812345678"
    assert (person.id_number_mask, person.phone_mask) == ("110105********002X", "138****5678")
    assert (person.birth_date, person.gender, person.id_region_code) == (
        datetime.date(1949, 12, 31),
        "female",
        "110105",
    )
    assert services.find_by_id_number("11010519491231002X") == person
    assert services.find_by_phone("0086 13812345678") == person


@pytest.mark.django_db
def test_the_hash_keeps_a_person_unique():
    first = Person(name="甲")
    first.set_id_number(VALID)
    first.save()
    twin = Person(name="乙")
    twin.set_id_number(VALID.lower())
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert Person.objects.count() == 1


def test_encrypted_fields_are_registered():
    assert pii.EncryptedField(Person, "id_number", "id") in pii.ENCRYPTED_FIELDS
    assert pii.EncryptedField(Person, "phone", "phone") in pii.ENCRYPTED_FIELDS
    assert pii.HashColumn(Notification, "phone_hash", "phone") in pii.HASH_COLUMNS


def test_log_redaction_masks_numbers():
    assert (
        redact(f"证件 {VALID} 电话 13812345678，编号 123")
        == "证件 110105********002X 电话 138****5678，编号 123"
    )
    grouped = f"{VALID[:6]} {VALID[6:14]} {VALID[14:]} / 138 1234 5678 / 138-1234-5678"
    assert redact(grouped) == "110105********002X / 138****5678 / 138****5678"


def test_log_redaction_masks_the_traceback_too():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PiiRedactingFilter())
    logger = logging.getLogger("tests.pii.traceback")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"bad input {VALID} / 13812345678")
        except ValueError:
            logger.exception("refused")
    finally:
        logger.removeHandler(handler)
    printed = stream.getvalue()
    assert "Traceback" in printed and "110105********002X" in printed and "138****5678" in printed
    assert VALID not in printed and "13812345678" not in printed


# --- key rotation ------------------------------------------------------------------------------


def rotate(*args) -> list[str]:
    out = io.StringIO()
    call_command("rotate_pii_keys", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def people(tree):
    made = [factories.member(tree["site_a"], f"职工{i}") for i in range(3)]
    return [(p.pk, p.decrypted("id_number"), p.decrypted("phone")) for p in made]


def test_rotation_moves_everything_to_the_new_key(settings, people):
    old, new = settings.PII_KEYS[0], Fernet.generate_key().decode()
    settings.PII_KEYS = [new, old]
    assert rotate("--batch-size", "2") == [
        "members.Person.id_number: rows 3, rotated 3, rehashed 0",
        "members.Person.phone: rows 3, rotated 3, rehashed 0",
    ]
    ciphers = list(Person.objects.order_by("pk").values_list("id_number_cipher", "phone_cipher"))

    # Idempotent: a second run finds everything current and changes nothing.
    assert rotate()[0] == "members.Person.id_number: rows 3, rotated 0, rehashed 0"
    assert list(Person.objects.order_by("pk").values_list("id_number_cipher", "phone_cipher")) == ciphers

    settings.PII_KEYS = [new]  # the old key is removed
    for pk, id_number, phone in people:
        person = Person.objects.get(pk=pk)
        assert (person.decrypted("id_number"), person.decrypted("phone")) == (id_number, phone)
        with pytest.raises(InvalidToken):
            Fernet(old.encode()).decrypt(person.id_number_cipher.encode())
        assert services.find_by_id_number(id_number) == person
        assert services.find_by_phone(phone) == person

    job = Job.objects.filter(kind="rotate_pii_keys").order_by("pk").first()
    assert (job.status, job.total, job.done) == (JobStatus.DONE, 3, 3)
    assert job.result["members.Person.phone"] == {"rows": 3, "rotated": 3, "rehashed": 0}
    action = HistoryEntry.objects.for_object(job).get()
    assert (action.verb, action.actor_label, action.changes) == (
        "pii_keys_rotated",
        "command:rotate_pii_keys",
        job.result,
    )


def test_rehash_after_an_hmac_key_change(settings, people):
    pk, id_number, phone = people[0]
    notify.send_sms(phone, "通知", kind="test")
    settings.PII_HMAC_KEY_OLD, settings.PII_HMAC_KEY = settings.PII_HMAC_KEY, "a-brand-new-hmac-key"
    assert services.find_by_phone(phone) is None  # stale until rehashed
    assert rotate("--rehash") == [
        "members.Person.id_number: rows 3, rotated 0, rehashed 3",
        "members.Person.phone: rows 3, rotated 0, rehashed 3",
        "core.Notification.phone_hash: remapped 1",
    ]
    assert services.find_by_id_number(id_number).pk == pk
    assert services.find_by_phone(phone).pk == pk
    assert Notification.objects.get().phone_hash == pii.lookup_hash("phone", phone)
    assert rotate("--rehash")[2] == "core.Notification.phone_hash: remapped 0"
    settings.PII_HMAC_KEY_OLD = ""
    assert rotate("--rehash")[-1] == (
        "NIANGJIA_PII_HMAC_KEY_OLD is unset: hash-only columns (the SMS log) were not remapped."
    )


def test_an_unreadable_ciphertext_stops_the_run(settings, people):
    known = settings.PII_KEYS[0]
    settings.PII_KEYS = [Fernet.generate_key().decode()]  # a key that is then lost
    stranger = Person(name="外来")
    stranger.set_phone("13700000000")
    stranger.save()
    settings.PII_KEYS = [Fernet.generate_key().decode(), known]
    with pytest.raises(CommandError) as caught:
        rotate("--batch-size", "2")
    assert str(caught.value) == (
        f"No key in NIANGJIA_PII_KEYS decrypts members.Person #{stranger.pk} phone; "
        "earlier rows are done, re-run once fixed."
    )
    assert Job.objects.get(kind="rotate_pii_keys").status == JobStatus.FAILED
