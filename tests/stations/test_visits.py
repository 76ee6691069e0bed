"""Visits and services: the rules (stations.services.visits) and the figures (visit_stats)."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from stations.models import ServiceKind, ServiceRecord, Station, Visit
from stations.services import registry, visit_stats
from stations.services import visits as services

from .. import factories
from .helpers import keeper, station


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def local(*parts) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*parts))


@pytest.fixture
def kinds(db):
    film = ServiceKind.objects.get_or_create(code="screen_film", defaults={"name": "手机贴膜"})[0]
    clinic = ServiceKind.objects.get_or_create(code="free_clinic", defaults={"name": "义诊"})[0]
    return {"film": film, "clinic": clinic}


@pytest.fixture
def place(tree):
    a = station(tree["town_a"], "柯迎社区小哥驿站")
    a2 = station(tree["town_a"], "爱心翼站·电信柯北营业厅", kind="telecom_care")
    b = station(tree["town_b"], "华舍职工驿站")
    user = keeper("keeper-a", tree["town_a"])
    registry.assign_keeper(a, user)
    return {"a": a, "a2": a2, "b": b, "keeper": user}


# --- check-in ---------------------------------------------------------------------------------


def test_a_double_tap_from_one_phone_counts_once(place):
    first = services.check_in(place["a"], employment_form="delivery_rider", device="phone-1")
    again = services.check_in(place["a"], employment_form="delivery_rider", device="phone-1")
    other_phone = services.check_in(place["a"], employment_form="courier", device="phone-2")
    other_station = services.check_in(place["b"], employment_form="delivery_rider", device="phone-1")
    assert first is not None and again is None
    assert other_phone is not None and other_station is not None
    assert sorted(Visit.objects.values_list("station__name", "employment_form")) == [
        ("华舍职工驿站", "delivery_rider"),
        ("柯迎社区小哥驿站", "courier"),
        ("柯迎社区小哥驿站", "delivery_rider"),
    ]
    # The cache holds a keyed digest, not the device id.
    assert services.device_digest("phone-1") != "phone-1" and len(services.device_digest("phone-1")) == 32


def test_a_signed_in_member_counts_once_within_ten_minutes(tree, place):
    person = factories.member(tree["site_a"], "李师傅")
    t0 = local(2026, 11, 2, 12, 0)
    assert services.check_in(place["a"], person=person, at=t0) is not None
    assert services.check_in(place["a"], person=person, at=t0 + datetime.timedelta(minutes=9)) is None
    assert services.check_in(place["a"], person=person, at=t0 + datetime.timedelta(minutes=11)) is not None
    assert [v.at for v in services.recent_visits(person)] == [t0 + datetime.timedelta(minutes=11), t0]


def test_check_in_refuses_a_closed_station_and_an_unknown_form(place):
    place["a"].active = False
    place["a"].save()
    with pytest.raises(ValidationError, match="已停用"):
        services.check_in(place["a"], employment_form="courier")
    with pytest.raises(ValidationError, match="就业形态"):
        services.check_in(place["b"], employment_form="astronaut")
    assert not Visit.objects.exists()


# --- services recorded by keepers -------------------------------------------------------------


def test_keeper_records_only_for_assigned_stations(place, kinds):
    today = timezone.localdate()
    record = services.record_service(
        place["a"], kinds["film"], 3, place["keeper"], served_on=today, employment_form="delivery_rider"
    )
    assert (record.station, record.count, record.recorded_by, record.served_on) == (
        place["a"],
        3,
        place["keeper"],
        today,
    )
    for other in (place["a2"], place["b"]):  # same union but not assigned; another town
        with pytest.raises(ValidationError) as refused:
            services.record_service(other, kinds["film"], 1, place["keeper"])
        assert "station" in refused.value.message_dict
    assert ServiceRecord.objects.count() == 1
    assert list(services.recordable_stations(place["keeper"])) == [place["a"]]


def test_service_officials_record_in_their_subtree_only(tree, place, kinds):
    town_a = factories.official("svc-a", "service", tree["town_a"])
    services.record_service(place["a2"], kinds["clinic"], 12, town_a)
    with pytest.raises(ValidationError):
        services.record_service(place["b"], kinds["clinic"], 12, town_a)
    viewer = factories.official("viewer-d", "viewer", tree["district"])
    with pytest.raises(ValidationError):
        services.record_service(place["a"], kinds["clinic"], 1, viewer)
    assert list(ServiceRecord.objects.values_list("station__name", "count")) == [
        ("爱心翼站·电信柯北营业厅", 12)
    ]
    assert sorted(s.name for s in services.recordable_stations(town_a)) == [
        "柯迎社区小哥驿站",
        "爱心翼站·电信柯北营业厅",
    ]


@pytest.mark.parametrize(
    ("count", "days_ahead", "field"),
    [
        (0, 0, "count"),
        (-2, 0, "count"),
        (10_001, 0, "count"),
        (2**63 - 1, 0, "count"),
        (1, 1, "served_on"),
        (1, -365 * 130, "served_on"),
    ],
)
def test_count_at_least_one_and_no_future_date(place, kinds, count, days_ahead, field):
    served_on = timezone.localdate() + datetime.timedelta(days=days_ahead)
    with pytest.raises(ValidationError) as refused:
        services.record_service(place["a"], kinds["film"], count, place["keeper"], served_on=served_on)
    assert list(refused.value.message_dict) == [field]
    assert not ServiceRecord.objects.exists()


def test_an_inactive_kind_is_refused(place, kinds):
    kinds["film"].active = False
    kinds["film"].save()
    with pytest.raises(ValidationError) as refused:
        services.record_service(place["a"], kinds["film"], 2, place["keeper"])
    assert list(refused.value.message_dict) == ["kind"]


def test_keeper_corrects_only_todays_records(tree, place, kinds):
    todays = services.record_service(place["a"], kinds["film"], 3, place["keeper"])
    services.correct_service(todays, place["keeper"], count=4, note=" 补录 ")
    todays.refresh_from_db()
    assert (todays.count, todays.note) == (4, "补录")
    old = services.record_service(
        place["a"],
        kinds["film"],
        2,
        place["keeper"],
        served_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    ServiceRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    old.refresh_from_db()
    with pytest.raises(ValidationError):
        services.correct_service(old, place["keeper"], count=9)
    with pytest.raises(ValidationError):
        services.delete_service(old, place["keeper"])
    old.refresh_from_db()
    assert old.count == 2
    # A service official of the subtree may still correct it.
    official = factories.official("svc-a", "service", tree["town_a"])
    services.correct_service(old, official, count=5)
    old.refresh_from_db()
    assert old.count == 5
    with pytest.raises(ValidationError):
        services.correct_service(
            todays, place["keeper"], served_on=timezone.localdate() + datetime.timedelta(days=1)
        )
    services.delete_service(todays, place["keeper"])
    assert list(ServiceRecord.objects.values_list("pk", flat=True)) == [old.pk]


# --- figures ----------------------------------------------------------------------------------


@pytest.fixture
def activity(place, kinds):
    """Monday 2 Nov 2026 to Sunday 8 Nov, at the rider station a and the town_b station b."""
    a, b = place["a"], place["b"]
    rows = [
        (a, (2026, 11, 2, 12, 5), "delivery_rider"),
        (a, (2026, 11, 2, 12, 40), "delivery_rider"),
        (a, (2026, 11, 2, 18, 10), "courier"),
        (a, (2026, 11, 8, 12, 15), "delivery_rider"),  # Sunday noon
        (a, (2026, 11, 9, 0, 10), "courier"),  # the day after the period
        (a, (2026, 11, 1, 23, 59), "courier"),  # the day before
        (b, (2026, 11, 3, 8, 30), "sanitation_worker"),
        (b, (2026, 11, 3, 12, 0), ""),
    ]
    for st, parts, form in rows:
        Visit.objects.create(station=st, at=local(*parts), employment_form=form)
    by = place["keeper"]
    for st, day, kind, count, form in [
        (a, 2, kinds["film"], 4, "delivery_rider"),
        (a, 7, kinds["clinic"], 20, ""),
        (a, 9, kinds["clinic"], 50, ""),  # outside
        (b, 5, kinds["film"], 3, "courier"),
    ]:
        ServiceRecord.objects.create(
            station=st,
            kind=kind,
            count=count,
            employment_form=form,
            served_on=datetime.date(2026, 11, day),
            recorded_by=by,
        )
    return place


def test_station_figures_are_exact(activity):
    figures = visit_stats.station_figures(
        activity["a"], datetime.date(2026, 11, 2), datetime.date(2026, 11, 8)
    )
    assert (figures.visits, figures.services, figures.person_times) == (4, 24, 28)
    assert figures.by_form == [
        ("", "未填写", 0, 20, 20),
        ("delivery_rider", "外卖配送员", 3, 4, 7),
        ("courier", "快递员", 1, 0, 1),
    ]
    assert figures.by_kind == [("free_clinic", "义诊", 20), ("screen_film", "手机贴膜", 4)]
    expected = [0] * 24
    expected[12], expected[18] = 3, 1
    assert figures.by_hour == expected
    assert figures.busiest_hour == 12
    assert figures.by_weekday_hour[0][12] == 2 and figures.by_weekday_hour[0][18] == 1
    assert figures.by_weekday_hour[6][12] == 1
    assert sum(map(sum, figures.by_weekday_hour)) == 4
    assert figures.hour_bars()[12] == ("12:00", 3, 100) and figures.hour_bars()[18] == ("18:00", 1, 33)


def test_scope_figures_add_up_a_subtree(tree, activity):
    period = (datetime.date(2026, 11, 2), datetime.date(2026, 11, 8))
    everything = visit_stats.figures(Station.objects.all(), *period)
    assert (everything.visits, everything.services, everything.station_count) == (6, 27, 3)
    assert everything.stations == [
        (activity["a"].pk, "柯迎社区小哥驿站", 4, 24, 28),
        (activity["b"].pk, "华舍职工驿站", 2, 3, 5),
    ]
    assert [(code, both) for code, _label, _v, _s, both in everything.by_form] == [
        ("", 21),
        ("delivery_rider", 7),
        ("courier", 4),
        ("sanitation_worker", 1),
    ]
    town_b = visit_stats.figures(Station.objects.filter(union__path__subtree=tree["town_b"].path), *period)
    assert (town_b.visits, town_b.services, town_b.by_hour[8], town_b.by_hour[12]) == (2, 3, 1, 1)
    empty = visit_stats.figures(
        Station.objects.all(), datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)
    )
    assert (empty.person_times, empty.busiest_hour, empty.by_form, empty.stations) == (0, None, [], [])


def test_default_period_is_this_month():
    assert visit_stats.default_period(datetime.date(2026, 11, 29)) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 29),
    )
