"""Console pages of the knowledge base: rights officials of the subtree write, publish, edit and withdraw
articles, and make one from an answered consultation with the personal details removed; others cannot."""

import pytest
from django.utils import timezone

from core.models import HistoryEntry
from rights.choices import ArticleStatus, ConsultationStatus, MessageAuthor
from rights.models import Article, Consultation, ConsultationMessage, SearchTerm
from rights.services import knowledge, search
from tests import factories

PHONE = "13912345678"


@pytest.fixture
def people(tree):
    return {
        "official": factories.official("kq_rights", "rights", tree["district"]),
        "town_b": factories.official("hs_rights", "rights", tree["town_b"]),
        "service": factories.official("kq_service", "service", tree["district"]),
    }


def form(union, **overrides):
    data = {
        "union": union.pk,
        "title": "电动车被交警扣了怎么办",
        "category": "traffic",
        "question": "送单时电动车被扣，站点让我自己处理",
        "answer": "先弄清扣车理由，按规定接受处理。",
        "law_references": "《道路交通安全法》",
    }
    data.update(overrides)
    return data


def test_official_writes_publishes_edits_and_withdraws(tree, people, login):
    client = login(people["official"])
    response = client.post("/console/articles/add/", form(tree["town_a"]))
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/articles/{article.pk}/"
    assert (article.status, article.union, article.published_at) == (
        ArticleStatus.DRAFT,
        tree["town_a"],
        None,
    )
    assert search.suggest("电动车被扣") == []

    page = client.get(f"/console/articles/{article.pk}/").content.decode()
    assert "电动车被交警扣了怎么办" in page and "《道路交通安全法》" in page
    assert f"/console/articles/{article.pk}/publish/" in page

    client.post(f"/console/articles/{article.pk}/publish/")
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None
    assert [h.id for h in search.suggest("电动车被扣")] == [article.pk]
    assert HistoryEntry.objects.filter(verb="publish", object_id=str(article.pk)).count() == 1

    client.post(
        f"/console/articles/{article.pk}/edit/", form(tree["town_a"], title="头盔的规定", question="头盔")
    )
    article.refresh_from_db()
    assert article.title == "头盔的规定" and article.status == ArticleStatus.PUBLISHED
    assert [h.id for h in search.suggest("头盔")] == [article.pk]

    # Withdrawing needs a reason; without one nothing changes.
    client.post(f"/console/articles/{article.pk}/withdraw/", {"note": ""})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    client.post(f"/console/articles/{article.pk}/withdraw/", {"note": "已过时"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.WITHDRAWN
    assert search.suggest("头盔") == []
    assert HistoryEntry.objects.get(verb="withdraw", object_id=str(article.pk)).note == "已过时"


def test_list_searches_every_word_and_filters(tree, people, login):
    union = tree["district"]
    knowledge.save_article(
        Article(
            union=union,
            title="高温津贴",
            question="夏天",
            answer="防暑",
            category="other",
            status="published",
        )
    )
    knowledge.save_article(
        Article(union=union, title="拖欠工资", question="欠薪", answer="投诉", category="wages")
    )
    client = login(people["official"])
    page = client.get("/console/articles/", {"q": "高温 防暑"}).content.decode()
    assert "高温津贴" in page and "拖欠工资" not in page
    page = client.get("/console/articles/", {"status": "draft"}).content.decode()
    assert "拖欠工资" in page and "高温津贴" not in page
    page = client.get("/console/articles/").content.decode()
    assert "/console/articles/from-consultations/" in page


def test_others_cannot_change_or_see_out_of_scope_drafts(tree, people, login):
    article = knowledge.save_article(
        Article(union=tree["town_a"], title="草稿", question="问", answer="答", category="other")
    )
    # A rights official of another branch: not found; a service official (no rights role) may read but
    # not publish.
    outsider = login(people["town_b"])
    assert outsider.get(f"/console/articles/{article.pk}/").status_code == 404
    assert outsider.post(f"/console/articles/{article.pk}/publish/").status_code == 404
    service = login(people["service"])
    assert service.get(f"/console/articles/{article.pk}/").status_code == 200
    assert service.post(f"/console/articles/{article.pk}/publish/").status_code == 404
    assert service.get(f"/console/articles/{article.pk}/edit/").status_code == 404
    # Adding under a union outside one's scope is refused.
    response = outsider.post("/console/articles/add/", form(tree["town_a"], title="越权"))
    assert response.status_code == 200
    assert not Article.objects.filter(title="越权").exists()
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    # Anonymous: to the login page.
    from django.test import Client

    assert Client().get("/console/articles/")["Location"].startswith("/accounts/login/")


@pytest.fixture
def answered(tree):
    person = factories.member(tree["site_a"], "王小明")
    consultation = Consultation.objects.create(
        union=tree["town_a"],
        person=person,
        category="penalty",
        question=f"我叫王小明，手机{PHONE}。送餐摔了一跤餐洒了，站长要我全赔。",
        status=ConsultationStatus.ANSWERED,
        answered_at=timezone.now(),
    )
    ConsultationMessage.objects.create(
        consultation=consultation,
        author_kind=MessageAuthor.LAWYER,
        body="王小明你好：正常送餐中的意外损失属于经营风险，扣款每月不得超过工资的20%。",
    )
    return consultation


def test_article_from_an_answered_consultation_is_prefilled_without_personal_details(
    tree, people, answered, login
):
    client = login(people["official"])
    sources = client.get("/console/articles/from-consultations/").content.decode()
    assert f"/console/articles/add/?source={answered.pk}" in sources
    assert "王小明" not in sources and PHONE not in sources

    page = client.get(f"/console/articles/add/?source={answered.pk}").content.decode()
    assert "王小明" not in page and PHONE not in page
    assert "送餐摔了一跤餐洒了，站长要我全赔。" in page
    assert "正常送餐中的意外损失属于经营风险" in page
    assert f"由法律咨询 #{answered.pk} 整理" in page

    response = client.post(
        f"/console/articles/add/?source={answered.pk}",
        form(tree["town_a"], title="摔倒餐洒了要全赔吗", category="penalty"),
    )
    assert response.status_code == 302
    article = Article.objects.get(title="摔倒餐洒了要全赔吗")
    assert article.source == answered and article.status == ArticleStatus.DRAFT
    # Written up: it leaves the list of consultations to write up.
    assert (
        f"?source={answered.pk}" not in client.get("/console/articles/from-consultations/").content.decode()
    )


def test_a_consultation_out_of_scope_or_unanswered_cannot_be_the_source(tree, people, answered, login):
    assert login(people["town_b"]).get(f"/console/articles/add/?source={answered.pk}").status_code == 404
    for odd in ("²", "99999999999999999999", "-1"):  # "²" passed isdigit() and failed int(): a 500
        assert login(people["official"]).get("/console/articles/add/", {"source": odd}).status_code == 404, (
            odd
        )
    unanswered = Consultation.objects.create(
        union=tree["district"], person=answered.person, category="wages", question="欠薪"
    )
    client = login(people["official"])
    assert client.get(f"/console/articles/add/?source={unanswered.pk}").status_code == 404
    assert client.get("/console/articles/add/?source=abc").status_code == 404
    assert not Article.objects.exists()
    assert not SearchTerm.objects.filter(kind="article").exists()
