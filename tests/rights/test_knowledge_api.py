"""Knowledge base API: officials' scoped articles with publish/withdraw steps; public published articles
ranked by the search; /knowledge/suggest/ public, throttled, no consultations for the public."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from rights.choices import ArticleStatus, ConsultationStatus, MessageAuthor
from rights.demo_knowledge import ARTICLES, seed_articles
from rights.models import Article, Consultation, ConsultationMessage
from rights.services import search
from tests import factories

SEED = "送餐摔了一跤 餐坏了 公司要我赔"
SPOILED = ARTICLES[0][1]


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(tree):
    seed_articles(tree["district"])
    return tree


def test_suggest_is_public_and_finds_the_seed_article_first(demo):
    response = Client().get("/api/v1/knowledge/suggest/", {"q": SEED, "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["title"] == SPOILED and first["kind"] == "article"
    assert first["url"] == f"http://testserver/knowledge/{first['id']}/"
    assert Client().get("/api/v1/knowledge/suggest/", {"q": ""}).json() == {"count": 0, "results": []}
    assert Client().get("/api/v1/knowledge/suggest/", {"q": SEED, "limit": "x"}).status_code == 400


def test_suggest_is_throttled_per_address(demo):
    client = Client()
    codes = [client.get("/api/v1/knowledge/suggest/", {"q": "工伤"}).status_code for _ in range(121)]
    assert codes[:120] == [200] * 120
    assert codes[120] == 429


def test_suggest_gives_consultations_to_officials_only(demo):
    person = factories.member(demo["site_a"], "王小明")
    consultation = Consultation.objects.create(
        union=demo["district"],
        person=person,
        category="penalty",
        question="王小明：送餐摔了一跤，餐坏了，公司要我赔，电话13912345678",
        status=ConsultationStatus.ANSWERED,
        answered_at=timezone.now(),
    )
    ConsultationMessage.objects.create(consultation=consultation, author_kind=MessageAuthor.LAWYER, body="答")
    search.index_consultation(consultation)
    public = Client().get("/api/v1/knowledge/suggest/", {"q": SEED, "limit": 20}).json()
    assert {r["kind"] for r in public["results"]} == {"article"}
    official = Client()
    official.force_login(factories.official("kq_rights", "rights", demo["district"]))
    mine = official.get("/api/v1/knowledge/suggest/", {"q": SEED, "limit": 20}).json()
    found = [r for r in mine["results"] if r["kind"] == "consultation"]
    assert [r["id"] for r in found] == [consultation.pk]
    assert "王小明" not in found[0]["snippet"] and "13912345678" not in found[0]["snippet"]


def test_public_articles_list_search_and_detail(demo):
    client = Client()
    listing = client.get("/api/v1/knowledge/articles/").json()
    assert listing["count"] == len(ARTICLES)
    ranked = client.get("/api/v1/knowledge/articles/", {"q": SEED}).json()
    assert ranked["results"][0]["title"] == SPOILED
    injury = client.get("/api/v1/knowledge/articles/", {"category": "injury"}).json()
    assert {r["category"] for r in injury["results"]} == {"injury"}
    first = Article.objects.get(title=SPOILED)
    detail = client.get(f"/api/v1/knowledge/articles/{first.pk}/").json()
    assert detail["law_references"].startswith("《工资支付暂行规定》第十六条")
    assert "source" not in detail and "status" not in detail
    draft = Article.objects.create(
        union=demo["district"], title="草稿", question="q", answer="a", category="other"
    )
    assert client.get(f"/api/v1/knowledge/articles/{draft.pk}/").status_code == 404


def test_officials_write_publish_and_withdraw_through_the_api(tree):
    client = Client()
    client.force_login(factories.official("kq_rights", "rights", tree["district"]))
    created = client.post(
        "/api/v1/articles/",
        {
            "union": tree["town_a"].pk,
            "title": "头盔的规定",
            "category": "traffic",
            "question": "不戴头盔会被罚吗",
            "answer": "按当地规定。",
            "law_references": "",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == ArticleStatus.DRAFT
    assert search.suggest("头盔") == []
    published = client.post(f"/api/v1/articles/{pk}/publish/")
    assert published.json()["status"] == ArticleStatus.PUBLISHED
    assert [h.id for h in search.suggest("头盔")] == [pk]
    assert client.post(f"/api/v1/articles/{pk}/publish/").status_code == 400
    assert (
        client.post(f"/api/v1/articles/{pk}/withdraw/", {}, content_type="application/json").status_code
        == 400
    )
    withdrawn = client.post(
        f"/api/v1/articles/{pk}/withdraw/", {"note": "过时"}, content_type="application/json"
    )
    assert withdrawn.json()["status"] == ArticleStatus.WITHDRAWN
    assert search.suggest("头盔") == []
    assert client.delete(f"/api/v1/articles/{pk}/").status_code == 405

    other = Client()
    other.force_login(factories.official("hs_rights", "rights", tree["town_b"]))
    assert other.post(f"/api/v1/articles/{pk}/publish/").status_code == 404
    assert other.get(f"/api/v1/articles/{pk}/").status_code == 404
