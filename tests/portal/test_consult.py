"""法律咨询 on the worker's H5: sign-in required, the form (photos, region, no employer contact),
suggestions as JSON and on the thread page, "我的咨询" only one's own, follow-up, rating, closing,
and the lawyers' duty days on the station page."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.backends import USER_BACKEND
from accounts.models import User
from rights.models import Article, Consultation, DutyDay, Lawyer
from rights.services import knowledge, legal
from stations.models import Station
from tests import factories

QUESTION = "我下班的时候摔了一跤，人没事，餐食坏了，公司要我出钱赔，请问我可以拒绝吗？"


def worker(union, name="王骑手"):
    person = factories.member(union, name)
    person.user = User.objects.create_user(f"w{person.pk}", is_worker=True)
    person.save()
    client = Client()
    client.force_login(person.user, backend=USER_BACKEND)
    return person, client


@pytest.fixture
def pool(tree):
    user = factories.official("lw_zhang", "lawyer", tree["district"])
    return Lawyer.objects.create(user=user, union=tree["district"], name="张律师", firm="浙江某律师事务所")


@pytest.fixture
def article(tree):
    return knowledge.publish(
        Article.objects.create(
            union=tree["district"],
            title="送餐途中摔倒餐品损坏，骑手要全额赔偿吗？",
            question="骑手送餐或下班途中摔倒，餐品损坏，站点要求骑手全额赔偿餐费。",
            answer="劳动者在履行工作中因意外造成的损失，不应由劳动者全部承担……",
            category="penalty",
        )
    )


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def test_sign_in_required(tree, client):
    response = client.get("/consult/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/me/consultations/").status_code == 302


def test_ask_with_a_photo_and_no_employer_contact(tree, pool):
    person, client = worker(tree["site_a"])
    page = client.get("/consult/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "不要联系我的用人单位" in html and "js/suggest.js" in html and "平台处罚与扣款" in html
    assert 'data-suggest-url="/api/v1/knowledge/suggest/"' in html
    response = client.post(
        "/consult/",
        {
            "category": "penalty",
            "question": QUESTION,
            "region": tree["town_a"].region_id,
            "no_employer_contact": "on",
            "photos": [SimpleUploadedFile("order.png", png(), content_type="image/png")],
        },
    )
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/me/consultations/{consultation.pk}/?sent=1"
    assert (consultation.person, consultation.lawyer) == (person, pool)
    assert consultation.no_employer_contact is True
    assert consultation.region_id == tree["town_a"].region_id
    assert consultation.photos.count() == 1
    # The question is in no URL the worker's browser visits.
    assert "摔" not in response["Location"]
    thread = client.get(response["Location"]).content.decode()
    assert "已提交" in thread and "律师还没有答复" in thread
    photo = consultation.photos.get()
    assert client.get(f"/me/consultations/photos/{photo.pk}/").status_code == 200


def test_a_bad_photo_changes_nothing_and_says_why(tree, pool):
    _person, client = worker(tree["site_a"])
    response = client.post(
        "/consult/",
        {
            "category": "penalty",
            "question": QUESTION,
            "photos": [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")],
        },
    )
    assert response.status_code == 200
    assert "第 1 张照片" in response.content.decode()
    assert Consultation.objects.count() == 0


def test_missing_fields(tree, pool):
    _person, client = worker(tree["site_a"])
    response = client.post("/consult/", {"category": "", "question": ""})
    assert response.status_code == 200 and Consultation.objects.count() == 0
    assert "has-error" in response.content.decode()


def test_suggestions_from_the_knowledge_api_and_on_the_thread(tree, pool, article):
    person, client = worker(tree["site_a"])
    # What suggest.js fetches while the worker types.
    found = client.get("/api/v1/knowledge/suggest/", {"q": QUESTION}).json()["results"]
    assert found[0]["id"] == article.pk and found[0]["title"] == article.title
    consultation = legal.submit(person, "penalty", QUESTION)
    # Without JavaScript: the thread lists the same articles until the lawyer answers.
    thread = client.get(f"/me/consultations/{consultation.pk}/").content.decode()
    assert "先看看这些解答" in thread and article.title in thread
    legal.answer(consultation, pool.user, "可以拒绝。")
    assert "先看看这些解答" not in client.get(f"/me/consultations/{consultation.pk}/").content.decode()


def test_only_own_consultations(tree, pool):
    person, client = worker(tree["site_a"])
    other, _other_client = worker(tree["site_a"], "李骑手")
    mine = legal.submit(person, "wages", "上个月工资被拖欠了，怎么办才好？")
    theirs = legal.submit(other, "injury", "送餐时被车撞了，算不算工伤？")
    listing = client.get("/me/consultations/").content.decode()
    assert f"/me/consultations/{mine.pk}/" in listing and f"/me/consultations/{theirs.pk}/" not in listing
    assert client.get(f"/me/consultations/{theirs.pk}/").status_code == 404
    assert client.post(f"/me/consultations/{theirs.pk}/message/", {"body": "偷看"}).status_code == 404
    assert client.post(f"/me/consultations/{theirs.pk}/rate/", {"rating": "1"}).status_code == 404
    assert theirs.messages.count() == 0


def test_follow_up_rate_close(tree, pool):
    person, client = worker(tree["site_a"])
    consultation = legal.submit(person, "penalty", QUESTION)
    # Not rateable before an answer.
    client.post(f"/me/consultations/{consultation.pk}/rate/", {"rating": "5"})
    consultation.refresh_from_db()
    assert consultation.rating is None
    legal.answer(consultation, pool.user, "可以拒绝全额赔偿。")
    page = client.get(f"/me/consultations/{consultation.pk}/").content.decode()
    assert "可以拒绝全额赔偿。" in page and "评价律师的答复" in page and "律师 张律师" in page
    # NUL (which PostgreSQL cannot store) is refused with the form's field named, nothing saved (core.nul).
    refused = client.post(f"/me/consultations/{consultation.pk}/message/", {"body": "\x00 \x00"})
    assert refused.status_code == 400 and "body" in refused.content.decode()
    client.post(f"/me/consultations/{consultation.pk}/message/", {"body": "要保留什么证据？"})
    assert list(consultation.messages.values_list("author_kind", flat=True)) == ["lawyer", "worker"]
    rate = f"/me/consultations/{consultation.pk}/rate/"
    refused = client.post(rate, {"rating": "4", "comment": "有\x00帮助"})
    consultation.refresh_from_db()
    assert refused.status_code == 400 and consultation.rating is None
    client.post(rate, {"rating": "4", "comment": "有帮助"})
    consultation.refresh_from_db()
    assert (consultation.rating, consultation.rating_comment) == (4, "有帮助")
    assert "您的评价：4 星" in client.get(f"/me/consultations/{consultation.pk}/").content.decode()
    client.post(f"/me/consultations/{consultation.pk}/close/")
    consultation.refresh_from_db()
    assert consultation.status == "closed"


def test_station_page_shows_duty_days(tree, pool):
    station = Station.objects.create(union=tree["site_a"], name="柯桥小哥驿站", kind="worker", address="柯桥")
    day = timezone.localdate() + datetime.timedelta(days=3)
    DutyDay.objects.create(
        lawyer=pool, station=station, day=day, starts_at=datetime.time(14), ends_at=datetime.time(17)
    )
    html = Client().get(f"/stations/{station.pk}/").content.decode()
    assert "公益律师驻站" in html and "张律师" in html and "14:00–17:00" in html
    pool.active = False
    pool.save()
    assert "公益律师驻站" not in Client().get(f"/stations/{station.pk}/").content.decode()
