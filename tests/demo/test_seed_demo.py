import hashlib
from collections import Counter

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError

from accounts.models import Role, User
from core.models import HistoryEntry
from demo.brands import BRANDS
from demo.logins import DEMO_PASSWORD, DEMO_WORKER_PHONE, OFFICIALS, demo_logins
from members import services as member_services
from members.models import Consent, JoinRequest, Membership, Person, Transfer
from orgs.models import Union

from .seeding import seed, seeded_district, skip_steps

pytestmark = pytest.mark.django_db

# Steps dated by the calendar (this year's organising, tests/demo/test_organising.py) are left out here:
# these tests pin the base district, its digests and its totals, whatever the year.
DATED_STEPS = {"_organising"}


@pytest.fixture(autouse=True)
def base_steps(monkeypatch):
    skip_steps(monkeypatch, DATED_STEPS)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The base district's output, for the tests that only read it or run the seed again."""
    with seeded_district(django_db_blocker, skip=DATED_STEPS) as output:
        yield output


# Household relations the hardship-aid demo gives its applicants' relatives.
RELATIVES = ("妻子", "儿子", "女儿", "父亲", "母亲")


def digest(rows) -> str:
    return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()


def totals() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Union, Person, Membership, Consent, User, Role, HistoryEntry)
    }


@pytest.fixture
def no_demo_yet(db):
    """These tests seed a database of their own: they come before the first test that asks for
    `seeded`, whose district stays until the module ends."""
    assert not User.objects.filter(username="kq_admin").exists(), "the module's seeded district is here"


def test_refuses_a_district_it_did_not_make(no_demo_yet, tree):
    before = totals()
    with pytest.raises(CommandError, match="不是演示数据生成的"):
        seed("--quiet")
    assert totals() == before


def test_quiet_prints_no_logins_and_the_texts_are_logged_not_sent(no_demo_yet, settings, capfd):
    # One load for both (a load is the slowest thing in the suite). The seed's people get SMS (answers,
    # claims): logged for them, never handed to the gateway, which would text made-up numbers (the
    # console one printed them over ./run's output). --quiet leaves out the logins only.
    from core.models import Notification

    settings.SMS_BACKEND = "core.notify.ConsoleSmsBackend"
    output = seed("--quiet")
    assert "kq_admin" not in output
    assert DEMO_PASSWORD not in output
    logged = Notification.objects.filter(channel="sms").count()
    assert logged > 0 and f"演示短信：{logged} 条" in output
    assert "[短信" not in capfd.readouterr().err


def test_builds_the_seed_district(seeded):
    # Its time (the "under 30 s") is bench/seed_demo.py's figure, not a test's.
    output = seeded

    assert Counter(Union.objects.values_list("kind", "status")) == {
        ("federation", "active"): 1,
        ("town_federation", "active"): 16,
        ("industry", "active"): 1,
        ("new_economy", "active"): 1,
        ("grassroots", "active"): 38,
        ("grassroots", "preparing"): 1,
    }
    district = Union.objects.get(name="柯桥区总工会", parent=None)
    assert district.region.code == "330603"
    assert set(district.children.values_list("name", flat=True)) >= {
        "柯桥街道总工会",
        "华舍街道总工会",
        "夏履镇总工会",
        "柯桥区快递行业工会",
        "柯桥区新业态工会联合会",
    }
    express = Union.objects.get(name="柯桥区快递行业工会")
    assert express.chair_name == "朱融"
    assert express.children.filter(kind="grassroots", status="active").count() == 38
    assert Union.objects.get(status="preparing").parent.name == "柯桥街道总工会"
    # Every town federation stands on its street's region.
    for town in Union.objects.filter(kind="town_federation").select_related("region"):
        assert town.name == f"{town.region.name}总工会"
        assert town.region.parent_id == "330603"

    assert len(BRANDS) == 27
    # The workers; the hardship-aid demo adds 7 relatives (households, no phone, no employment form).
    workers = Person.objects.exclude(households__relation__in=RELATIVES)
    assert workers.count() == 1472
    assert Person.objects.filter(households__relation__in=RELATIVES).count() == 7
    assert Counter(workers.values_list("employment_form", flat=True)) == {
        "courier": 1125,
        "delivery_rider": 310,
        "truck_driver": 37,
    }
    assert Counter(workers.values_list("gender", flat=True)) == {"male": 1354, "female": 118}
    assert Membership.objects.count() == 871
    assert Counter(Membership.objects.values_list("union__kind", flat=True)) == {
        "grassroots": 696,
        "new_economy": 175,
    }
    assert Counter(Membership.objects.values_list("channel", flat=True)) == {
        "qr": 292,
        "collective": 243,
        "mobile_window": 125,
        "online": 112,
        "on_site": 99,
    }
    assert Membership.objects.values("card_number").distinct().count() == 871
    assert not Membership.objects.filter(union__status="preparing").exists()
    # 43 from the people step, and the membership consent of each of the 12 demo join requests.
    assert Consent.objects.count() == 55
    assert Counter(JoinRequest.objects.values_list("status", flat=True)) == {
        "submitted": 10,
        "info_requested": 1,
        "rejected": 1,
    }
    assert Counter(Transfer.objects.values_list("status", flat=True)) == {"requested": 1, "released": 1}

    assert "新建职工（快递员、外卖配送员）：1472" in output
    for username, _description in demo_logins():
        assert username in output


def test_every_person_is_valid_and_protected(seeded):
    from core import pii

    for person in Person.objects.all():
        raw_id = person.decrypted("id_number")
        parsed = pii.parse_id_number(raw_id)  # raises if the check character or birth date is wrong
        assert (person.gender, person.birth_date) == (parsed.gender, parsed.birth_date)
        assert person.id_number_mask == pii.mask_id_number(raw_id)
        # Relatives in a hardship-aid household have no phone of their own.
        if person.phone_hash:
            assert pii.normalise_phone(person.decrypted("phone")) == person.decrypted("phone")
    worker = member_services.find_by_phone(DEMO_WORKER_PHONE)
    assert worker.name == "李国强"
    assert worker.employment_form == "delivery_rider"
    assert worker.memberships.get().union.name == "柯桥区新业态工会联合会"
    assert set(worker.consents.values_list("purpose", flat=True)) == {
        "account",
        "membership",
        "notifications",
    }


def test_is_deterministic(seeded):
    first = Membership.objects.order_by("card_number").values_list(
        "card_number", "person__name", "person__id_number_mask", "person__phone_mask"
    )
    assert list(first[:3]) == [
        ("KQ2021000001", "马建成", "330683********3170", "166****1353"),
        ("KQ2021000002", "何莉", "411525********8469", "153****7070"),
        ("KQ2021000003", "孙超辉", "330621********4157", "180****5912"),
    ]
    assert member_services.find_by_phone(DEMO_WORKER_PHONE).id_number_mask == "511321********5352"
    # Any change to the generated people or memberships shows here; update the digests on purpose only.
    people = Person.objects.exclude(households__relation__in=RELATIVES).values_list(
        "name", "id_number_mask", "phone_mask", "employment_form"
    )
    assert digest(people) == "6841e572c0e35529549074e50cf0c8a7db73d4524b3275d7e48165875b38d65e"
    memberships = Membership.objects.values_list(
        "card_number", "person__id_number_mask", "union__name", "channel", "joined_on"
    )
    assert digest(memberships) == "a400e51c5301a590503dc3f5f8e2ae1e79f4579c7ab9dae7923eaf6300766b57"


def test_second_run_changes_nothing_and_says_so(seeded):
    before = totals()
    output = seed("--quiet")
    assert output.strip() == "演示数据已存在，本次未做任何更改。"
    assert totals() == before


def test_history_is_written_and_attributed_to_the_command(seeded):
    labels = Counter(HistoryEntry.objects.values_list("actor_label", flat=True))
    assert set(labels) == {"command:seed_demo"}
    assert HistoryEntry.objects.filter(content_type__model="person", kind="created").count() == 1472 + 7
    assert HistoryEntry.objects.filter(content_type__model="membership", kind="created").count() == 871
    assert HistoryEntry.objects.filter(content_type__model="union", kind="created").count() == 58
    # Personal data never reaches the history in clear.
    entry = HistoryEntry.objects.filter(
        content_type__model="person", kind="created", changes__has_key="phone_hash"
    ).first()
    assert entry.changes["id_number_cipher"] == [None, "***"]
    assert entry.changes["phone_hash"] == [None, "***"]


def test_officials_for_every_role_share_the_documented_password(seeded):
    validate_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)
    for official in OFFICIALS:
        user = User.objects.get(username=official.username)
        assert user.check_password(DEMO_PASSWORD), official.username
        assert list(user.roles.values_list("kind", "union__name", "active")) == [
            (official.role, official.union, True)
        ]
    kinds = set(Role.objects.values_list("kind", flat=True))
    assert kinds == {
        "admin",
        "organisation",
        "rights",
        "service",
        "finance",
        "audit",
        "skills",
        "viewer",
        "lawyer",
        "auditor",
        "judge",
        "keeper",
    }


def test_town_official_sees_only_the_town_subtree(seeded):
    town_official = User.objects.get(username="kq_town")
    assert set(Union.objects.restrict(town_official).values_list("name", flat=True)) == {
        "柯桥街道总工会",
        "舟山泛海欣网络科技有限公司（饿了么柯桥总站）工会",
    }
    district_official = User.objects.get(username="kq_org")
    assert Union.objects.restrict(district_official).count() == 58
    express_chair = User.objects.get(username="kq_express")
    assert Person.objects.restrict(express_chair).count() == 696


def test_demo_logins_list():
    logins = demo_logins()
    assert logins[0][0] == "admin"
    assert [username for username, _ in logins[1:-1]] == [o.username for o in OFFICIALS]
    assert logins[-1][0] == DEMO_WORKER_PHONE
    assert dict(logins)["kq_town"] == "韩洁 · 组织建设 · 柯桥街道总工会"
