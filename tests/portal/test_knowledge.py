"""H5 法律知识: public list by category, search that finds the seed's article, an article's page; drafts
and withdrawn articles are not shown."""

import pytest
from django.test import Client

from rights.choices import ArticleStatus
from rights.demo_knowledge import ARTICLES, seed_articles
from rights.models import Article
from rights.services import knowledge

SPOILED = ARTICLES[0][1]


@pytest.fixture
def demo(tree):
    seed_articles(tree["district"])
    return tree


def test_list_by_category_without_signing_in(demo):
    client = Client()
    page = client.get("/knowledge/").content.decode()
    assert "法律知识" in page
    assert SPOILED in page
    assert 'href="/knowledge/?category=injury"' in page
    injury = client.get("/knowledge/", {"category": "injury"}).content.decode()
    assert "没签劳动合同，送外卖时受伤能认定工伤吗？" in injury
    assert SPOILED not in injury
    # An unknown category shows everything rather than failing.
    assert client.get("/knowledge/", {"category": "nope"}).status_code == 200


def test_search_finds_the_seed_article_first(demo):
    page = Client().get("/knowledge/", {"q": "送餐摔了一跤 餐坏了 公司要我赔"}).content.decode()
    first = Article.objects.get(title=SPOILED)
    results = page[page.index("的搜索结果") :]
    assert results.index(SPOILED) < results.index("快递丢件、损坏，快递员要全额赔偿吗？")
    assert f'href="/knowledge/{first.pk}/"' in results
    nothing = Client().get("/knowledge/", {"q": "zzzz"}).content.decode()
    assert "没有找到相关的解答" in nothing


def test_article_page_and_hidden_states(demo):
    first = Article.objects.get(title=SPOILED)
    page = Client().get(f"/knowledge/{first.pk}/").content.decode()
    assert SPOILED in page
    assert "《民法典》第一千一百九十一条" in page
    assert "未经律师审核" in page
    assert "账号被封、突然停单，可以申诉吗？" in page  # related: the latest of the same category
    knowledge.withdraw(first, "更新中")
    assert Client().get(f"/knowledge/{first.pk}/").status_code == 404
    assert SPOILED not in Client().get("/knowledge/").content.decode()
    draft = knowledge.save_article(
        Article(union=demo["district"], title="草稿文章", question="问", answer="答", category="other")
    )
    assert draft.status == ArticleStatus.DRAFT
    assert Client().get(f"/knowledge/{draft.pk}/").status_code == 404
