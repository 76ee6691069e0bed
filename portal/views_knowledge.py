"""法律知识 on the worker's H5: published articles by category, a search box, an article's page. Public.

The search words travel as ?q= (a link can be shared); the access log drops query strings
(gunicorn.conf.py), so what a worker typed is not kept.
"""

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse

from core import access
from rights.choices import ArticleStatus, ConsultationCategory
from rights.models import Article
from rights.services import search

PAGE = 30
RESULTS = 20


def _published():
    return Article.objects.filter(status=ArticleStatus.PUBLISHED)


def _consult_url() -> str:
    try:
        return reverse("portal:consult")
    except NoReverseMatch:
        return ""


@access.requires(access.PUBLIC)
def knowledge(request):
    q = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    if category not in ConsultationCategory.values:
        category = ""
    counts = dict(
        _published().values_list("category").annotate(n=Count("id")).order_by().values_list("category", "n")
    )
    categories = [(value, label, counts.get(value, 0)) for value, label in ConsultationCategory.choices]
    if q:
        hits = search.suggest(q, limit=RESULTS)
        articles = None
    else:
        hits = None
        articles = _published()
        if category:
            articles = articles.filter(category=category)
        articles = list(articles.order_by("-published_at", "-id")[:PAGE])
    return render(
        request,
        "portal/knowledge.html",
        {
            "q": q,
            "category": category,
            "categories": [c for c in categories if c[2]],
            "hits": hits,
            "articles": articles,
            "consult_url": _consult_url(),
        },
    )


@access.requires(access.PUBLIC)
def knowledge_article(request, pk):
    article = get_object_or_404(_published().select_related("union"), pk=pk)
    related = list(
        _published().filter(category=article.category).exclude(pk=article.pk).order_by("-published_at")[:3]
    )
    return render(
        request,
        "portal/knowledge_article.html",
        {
            "article": article,
            "law_lines": [line.strip() for line in article.law_references.splitlines() if line.strip()],
            "related": related,
            "consult_url": _consult_url(),
        },
    )
