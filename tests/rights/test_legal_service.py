"""Legal consultations: receiving union, routing by category, region and load, max_open, due time and
escalation, the thread, rating, closing, cases, and no question text in SMS, notifications or history."""

import datetime
import io
import logging
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from core.models import HistoryEntry, Notification
from core.notify import MemorySmsBackend
from orgs.models import Region
from rights.models import Consultation, ConsultationPhoto, Lawyer, RightsCase
from rights.services import legal
from tests import factories

QUESTION = "我下班的时候摔了一跤，人没事，餐食坏了，公司要我出钱赔，请问我可以拒绝吗？"
SECRET = "饿了么某某配送公司"


def lawyer(union, name, categories=(), regions=(), max_open=10, active=True):
    user = factories.official(f"lw-{name}", "lawyer", union)
    found = Lawyer.objects.create(
        user=user, union=union, name=name, categories=list(categories), max_open=max_open, active=active
    )
    found.regions.set(regions)
    return found


@pytest.fixture
def rider(tree):
    person = factories.member(tree["site_a"], "王骑手")
    user = User.objects.create_user(f"w{person.pk}", is_worker=True)
    person.user = user
    person.save()
    return person


@pytest.fixture
def rights_official(tree):
    return factories.official("kq_rights", "rights", tree["district"])


def ask(person, category="penalty", question=QUESTION, region=None, **kwargs):
    return legal.submit(person, category, question, region=region, **kwargs)


def test_received_by_the_nearest_union_with_lawyers_up_the_members_tree(tree, rider):
    lawyer(tree["district"], "甲")
    c = ask(rider)
    assert c.union == tree["district"]
    lawyer(tree["town_a"], "乙")
    assert ask(rider).union == tree["town_a"]


def test_a_non_member_is_received_by_region(tree):
    lawyer(tree["district"], "甲")
    lawyer(tree["town_b"], "乙")
    outsider = factories.member(tree["site_a"], "外人")
    outsider.memberships.update(status="ended")
    street_b = Region.objects.get(code="330603003")
    assert ask(outsider, region=street_b).union == tree["town_b"]
    # A street without a union of its own goes to the nearest ancestor region's union.
    other = factories.region("330603005", "齐贤街道", "town", street_b.parent)
    assert ask(outsider, region=other).union == tree["district"]
    with pytest.raises(ValidationError) as refused:
        ask(outsider, region=None)
    assert "region" in refused.value.message_dict


def test_routing_by_category_region_and_load(tree, rider):
    street_a = Region.objects.get(code="330603001")
    street_b = Region.objects.get(code="330603003")
    wages_only = lawyer(tree["district"], "工资", categories=["wages"])
    b_only = lawyer(tree["district"], "华舍", regions=[street_b])
    anyone = lawyer(tree["district"], "通才")
    first = ask(rider, region=street_a)
    # Not the wages lawyer (category), not the 华舍 lawyer (region): the generalist.
    assert first.lawyer == anyone and first.status == "assigned" and first.assigned_at is not None
    # Load: the generalist now has one open; wages lawyer does not fit penalty; still the generalist?
    # No — the region lawyer fits a 华舍 question and has none open.
    second = ask(rider, region=street_b)
    assert second.lawyer == b_only
    third = ask(rider, category="wages", region=street_a)
    assert third.lawyer == wages_only
    # Equal load (1 each) for a 华舍 question between b_only and anyone: earliest last assignment wins.
    fourth = ask(rider, region=street_b)
    assert fourth.lawyer == anyone


def test_a_region_lawyer_covers_the_streets_below(tree, rider):
    keqiao = Region.objects.get(code="330603")
    district_lawyer = lawyer(tree["district"], "区", regions=[keqiao])
    assert ask(rider, region=Region.objects.get(code="330603001")).lawyer == district_lawyer
    # No region given: a lawyer limited to regions does not take it.
    assert ask(rider, region=None).lawyer is None


def test_never_above_max_open_then_waits_and_the_official_is_told(
    tree, rider, rights_official, django_capture_on_commit_callbacks
):
    only = lawyer(tree["district"], "唯一", max_open=1)
    lawyer(tree["district"], "休假", active=False)
    first = ask(rider)
    assert first.lawyer == only
    second = ask(rider)
    assert second.lawyer is None and second.status == "submitted"
    told = Notification.objects.filter(user=rights_official, kind=legal.KIND)
    assert told.count() == 1 and f"#{second.pk}" in told.get().body
    assert QUESTION not in told.get().body
    # The lawyer answers the first: their queue frees, the waiting one is routed.
    with django_capture_on_commit_callbacks(execute=True):
        legal.answer(first, only.user, "可以拒绝。")
    second.refresh_from_db()
    assert second.lawyer == only and second.status == "assigned"


def test_due_time_and_escalation_once(tree, rider, rights_official, settings):
    settings.CONSULTATION_RESPONSE_HOURS = 24
    solo = lawyer(tree["district"], "甲")
    start = timezone.now() - timedelta(hours=30)
    late = ask(rider, now=start)
    assert late.due_at == start + timedelta(hours=24)
    on_time = ask(rider)
    answered = ask(rider, now=start)
    legal.answer(answered, solo.user, "答复")
    assert legal.escalate_overdue() == 1
    late.refresh_from_db()
    assert late.escalated_at is not None
    on_time.refresh_from_db()
    assert on_time.escalated_at is None
    # Idempotent: a second run, and the command, escalate nothing more and tell nobody again.
    assert legal.escalate_overdue() == 0
    out = io.StringIO()
    call_command("rights_tick", stdout=out)
    assert "escalated: 0" in out.getvalue()
    told = Notification.objects.filter(user=rights_official, subject="法律咨询超时未答复")
    assert told.count() == 1 and QUESTION not in told.get().body
    assert HistoryEntry.objects.filter(verb="escalated", object_id=str(late.pk)).count() == 1


def test_answer_thread_rating_close(tree, rider, rights_official):
    MemorySmsBackend.outbox.clear()
    solo = lawyer(tree["district"], "甲")
    c = ask(rider, question=f"{SECRET}说我{QUESTION}")
    with pytest.raises(ValidationError):
        legal.rate(c, rider, 5)
    stranger = factories.official("other_lawyer", "lawyer", tree["district"])
    with pytest.raises(PermissionDenied):
        legal.answer(c, stranger, "我来答")
    legal.answer(c, solo.user, "因交通意外导致的损失，公司不能全部转嫁给您。")
    c.refresh_from_db()
    assert c.status == "answered" and c.answered_at is not None
    first_answer = c.answered_at
    legal.follow_up(c, rider, "那我应该怎么和站长说？")
    legal.answer(c, solo.user, "可以请工会出面协商。")
    legal.answer(c, rights_official, "工会已知悉。")
    c.refresh_from_db()
    assert c.answered_at == first_answer
    kinds = list(c.messages.values_list("author_kind", flat=True))
    assert kinds == ["lawyer", "worker", "lawyer", "official"]
    # One SMS (the first answer), with no question text and no employer name.
    sms = [text for _to, text in MemorySmsBackend.outbox]
    assert len(sms) == 1 and "已有律师答复" in sms[0]
    assert SECRET not in sms[0] and "摔了一跤" not in sms[0]
    logged = Notification.objects.filter(user=rider.user)
    assert logged.filter(channel="sms").count() == 1 and logged.filter(channel="site").count() == 3
    assert not any(SECRET in n.body or "摔了一跤" in n.body for n in Notification.objects.all())
    # The question and the messages are masked in the change log.
    assert not any(SECRET in str(h.changes) for h in HistoryEntry.objects.all())
    assert not any("出面协商" in str(h.changes) for h in HistoryEntry.objects.all())

    other = factories.member(tree["site_a"], "别人")
    with pytest.raises(PermissionDenied):
        legal.rate(c, other, 5)
    with pytest.raises(ValidationError):
        legal.rate(c, rider, 6)
    legal.rate(c, rider, 5, "很快，很专业")
    c.refresh_from_db()
    assert (c.rating, c.rating_comment) == (5, "很快，很专业")
    with pytest.raises(ValidationError):
        legal.rate(c, rider, 1)
    c.refresh_from_db()
    assert c.rating == 5

    legal.close(c, rider.user)
    c.refresh_from_db()
    assert c.status == "closed" and c.closed_at is not None
    with pytest.raises(ValidationError):
        legal.follow_up(c, rider, "还有")
    with pytest.raises(ValidationError):
        legal.answer(c, solo.user, "补充")


def test_reassign_by_a_rights_official_only(tree, rider, rights_official):
    first = lawyer(tree["district"], "甲")
    second = lawyer(tree["district"], "乙")
    elsewhere = lawyer(factories.union("别区总工会", "federation"), "外区")
    c = ask(rider)
    assert c.lawyer == first
    with pytest.raises(PermissionDenied):
        legal.reassign(c, second, first.user)
    with pytest.raises(ValidationError):
        legal.reassign(c, elsewhere, rights_official)
    legal.reassign(c, second, rights_official)
    c.refresh_from_db()
    assert c.lawyer == second
    assert Notification.objects.filter(user=second.user, subject="新的法律咨询").count() == 1


def test_case_and_outcome(tree, rider, rights_official):
    solo = lawyer(tree["district"], "甲")
    c = ask(rider)
    case = legal.make_case(c, rights_official, "协商退还扣款")
    with pytest.raises(ValidationError):
        legal.make_case(c, solo.user)
    assert RightsCase.objects.count() == 1
    with pytest.raises(ValidationError):
        legal.update_case(case, rights_official, "mediated", "-1")
    for day in (datetime.date(1999, 1, 1), timezone.localdate() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError, match="日期不能"):  # before the worker asked, or to come
            legal.update_case(case, rights_official, "mediated", "1", closed_on=day)
    legal.update_case(case, solo.user, "mediated", "860.50")
    case.refresh_from_db()
    assert (case.outcome, str(case.amount_recovered), case.closed_on) == (
        "mediated",
        "860.50",
        timezone.localdate(),
    )
    worker_user = rider.user
    with pytest.raises(PermissionDenied):
        legal.update_case(case, worker_user, "advised")


def _jpeg_with_exif() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_photos_checked_and_stripped(tree, rider):
    from PIL import Image

    lawyer(tree["district"], "甲")
    photo = SimpleUploadedFile("p.jpg", _jpeg_with_exif(), content_type="image/jpeg")
    c = ask(rider, photos=[photo])
    kept = ConsultationPhoto.objects.get(consultation=c)
    with kept.image.open("rb") as handle, Image.open(handle) as image:
        assert not image.getexif()
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    before = Consultation.objects.count()
    with pytest.raises(ValidationError) as refused:
        ask(rider, photos=[SimpleUploadedFile("ok.jpg", _jpeg_with_exif()), bad])
    assert "第 2 张照片" in str(refused.value)
    assert Consultation.objects.count() == before


def test_nothing_of_the_question_in_log_lines(tree, rider, rights_official, caplog):
    lawyer(tree["district"], "甲", max_open=1)
    with caplog.at_level(logging.DEBUG):
        ask(rider, question=f"{SECRET}{QUESTION}")
        ask(rider, question=f"{SECRET}{QUESTION}")
        legal.escalate_overdue(timezone.now() + timedelta(days=2))
    assert SECRET not in caplog.text


def test_duty_days_shown_next_two_weeks(tree):
    from rights.models import DutyDay
    from stations.models import Station

    station = Station.objects.create(union=tree["site_a"], name="柯桥驿站", kind="worker", address="柯桥")
    solo = lawyer(tree["district"], "甲")
    today = timezone.localdate()
    import datetime as dt

    DutyDay.objects.create(
        lawyer=solo,
        station=station,
        day=today + timedelta(days=2),
        starts_at=dt.time(14),
        ends_at=dt.time(17),
    )
    DutyDay.objects.create(
        lawyer=solo,
        station=station,
        day=today - timedelta(days=1),
        starts_at=dt.time(14),
        ends_at=dt.time(17),
    )
    DutyDay.objects.create(
        lawyer=solo,
        station=station,
        day=today + timedelta(days=30),
        starts_at=dt.time(14),
        ends_at=dt.time(17),
    )
    assert [d.day for d in legal.upcoming_duty_days(station)] == [today + timedelta(days=2)]


def test_tick_routes_waiting_ones_when_a_lawyer_returns(tree, rider, rights_official):
    from rights.tasks import run_tick

    away = lawyer(tree["district"], "休假中", active=False)
    lawyer(tree["district"], "满额", max_open=1)
    first = ask(rider)
    waiting = ask(rider)
    assert first.lawyer is not None and waiting.lawyer is None
    assert run_tick() == {"escalated": 0, "routed": 0}
    away.active = True
    away.save()
    assert run_tick() == {"escalated": 0, "routed": 1}
    waiting.refresh_from_db()
    assert (waiting.lawyer, waiting.status) == (away, "assigned")
    assert run_tick() == {"escalated": 0, "routed": 0}
