"""Knowledge search (法律知识检索) for Chinese, the same on SQLite and PostgreSQL, with no outside service.

Documents are cut into overlapping character bigrams ("送餐摔了" → 送餐 餐摔 摔了) and ASCII words ("1191"),
stored in one inverted index (rights.SearchTerm) with a BM25 term weight per document; a query is cut the
same way, widened by a small list of workers' synonyms (赔 → 赔偿, 摔 → 跌倒, 餐 → 餐品 …) and scored
BM25-style: sum over matched terms of idf × the document's term weight.

What is searchable, and by whom:
- published articles, by anyone (the worker's H5 form, the public API);
- answered consultations, only by those who may view them (rights officials of the union's subtree,
  admins, the assigned lawyer) — ``suggest(text, user=...)``. Their question is indexed, never shown
  raw: the snippet is scrubbed of names, phones, ID numbers, plates and house numbers. A worker sees an
  answered consultation only once an official has made it an article (with the personal details removed
  and checked by a person).

Speed: each term's postings are read best-first and at most ``CHAMPIONS`` of them (a "champion list"),
so a common bigram such as 公司 costs as much as a rare one; the best candidates are then rescored
exactly on all terms. Document frequencies of rare terms are counted live (exact, so an edit shows at
once); those of common ones (≥ ``DF_CAP``) are counted once and cached, since their idf barely moves.
"""

from __future__ import annotations

import functools
import math
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse

from ..choices import ArticleStatus, ConsultationCategory, ConsultationStatus, MessageAuthor
from ..models import Article, Consultation, SearchKind, SearchTerm

K1 = 1.2
B = 0.75
AVGDL = 240.0  # a typical article's weighted term count; fixed, so adding a document never rewrites others
FIELD_WEIGHTS = {"title": 3.0, "category": 2.0, "question": 2.0, "answer": 1.0, "law_references": 1.0}
SYNONYM_WEIGHT = 0.6  # a synonym's match counts for less than the worker's own word
CHAMPIONS = 100  # postings read per term, best weight first
DF_CAP = 300  # document frequencies at or above this are cached per process
CANDIDATES = 40  # documents rescored exactly
COMMON_SHARE = 0.25  # a term in more than this share of the documents does not choose candidates
LEADING = 16  # at most this many terms (the most telling) choose candidates
DOC_MARKER = "#"  # one row per document (the tokenizer never yields it): the document count
_COMMON_TTL = 600.0

_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_TERM_MAX = SearchTerm._meta.get_field("term").max_length

# Workers' words and the words the articles use for them. A query containing any word of a group is
# widened by the others.
SYNONYMS: list[tuple[str, ...]] = [
    ("赔", "赔偿", "赔付", "赔钱", "索赔", "承担损失"),
    ("扣钱", "扣款", "罚款", "罚钱", "扣工资", "扣罚", "处罚"),
    ("摔", "摔倒", "跌倒", "摔跤", "摔伤", "一跤"),
    ("餐", "餐品", "餐食", "订单", "外卖"),
    ("外卖", "送餐", "配送", "骑手", "跑单"),
    ("坏了", "损坏", "洒了", "损失", "毁损", "弄坏"),
    ("工伤", "受伤", "伤害", "职业伤害", "工伤认定"),
    ("快递", "快递员", "派件", "揽件", "快件"),
    ("欠薪", "拖欠工资", "不发工资", "欠工资", "工钱", "讨薪"),
    ("合同", "劳动合同", "用工协议", "协议"),
    ("社保", "社会保险", "参保", "五险", "养老保险", "医疗保险"),
    ("高温", "中暑", "防暑", "高温津贴", "天热", "太热"),
    ("车祸", "交通事故", "被撞", "撞车", "追尾", "撞了"),
    ("仲裁", "劳动仲裁", "劳动争议", "仲裁时效"),
    ("律师", "法律援助", "法援", "打官司"),
    ("公司", "平台", "站点", "用人单位", "老板", "站长", "配送商"),
    ("辞退", "开除", "解除", "封号", "停单", "不让干"),
    ("休息", "休假", "加班", "工作时间", "连续工作"),
    ("抽成", "佣金", "算法", "派单", "计件单价"),
    ("超时", "差评", "投诉", "考核"),
]


@dataclass(frozen=True)
class Suggestion:
    """One search hit as a form or page shows it."""

    kind: str  # "article" | "consultation"
    id: int
    title: str
    snippet: str
    url: str
    score: float = 0.0


# --- cutting text into terms ------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Full-width letters, digits and punctuation to their plain forms, lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str) -> list[str]:
    """Bigrams of each run of Chinese characters (a one-character run stays one term) and ASCII words."""
    out: list[str] = []
    for match in _TOKEN.finditer(normalize(text)):
        run = match.group()
        if run.isascii():
            out.append(run[:_TERM_MAX])
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def query_terms(text: str) -> dict[str, float]:
    """The query's terms with their weights: the worker's own terms 1.0, synonyms' terms less."""
    text = normalize(text)
    weights: dict[str, float] = dict.fromkeys(tokens(text), 1.0)
    for group in SYNONYMS:
        if any(word in text for word in group):
            for word in group:
                for term in tokens(word):
                    weights.setdefault(term, SYNONYM_WEIGHT)
    return weights


def document_weights(fields: dict[str, str]) -> dict[str, float]:
    """BM25 term weights of one document: field-weighted term frequencies, saturated and length-normalised."""
    tf: Counter[str] = Counter()
    for name, text in fields.items():
        weight = FIELD_WEIGHTS.get(name, 1.0)
        for term in tokens(text):
            tf[term] += weight
    length = sum(tf.values())
    norm = K1 * (1 - B + B * length / AVGDL)
    weights = {term: round(f * (K1 + 1) / (f + norm), 4) for term, f in tf.items()}
    weights[DOC_MARKER] = round(length, 1)
    return weights


def article_fields(article: Article) -> dict[str, str]:
    return {
        "title": article.title,
        "category": str(ConsultationCategory(article.category).label) if article.category else "",
        "question": article.question,
        "answer": article.answer,
        "law_references": article.law_references,
    }


def consultation_fields(consultation: Consultation) -> dict[str, str]:
    # The worker's words only: a new question resembles them, and the lawyer's answer stays in its thread.
    return {
        "category": str(ConsultationCategory(consultation.category).label) if consultation.category else "",
        "question": consultation.question,
    }


# --- keeping the index ------------------------------------------------------------------------------

_doc_counts: dict[str, tuple[float, int]] = {}
_common_df: dict[tuple[str, str], tuple[float, int]] = {}


def _forget() -> None:
    _doc_counts.clear()
    _common_df.clear()


def _replace(kind: str, object_id: int, weights: dict[str, float] | None) -> None:
    with transaction.atomic():
        SearchTerm.objects.filter(kind=kind, object_id=object_id).delete()
        if weights:
            SearchTerm.objects.bulk_create(
                [SearchTerm(term=t, kind=kind, object_id=object_id, weight=w) for t, w in weights.items()],
                batch_size=500,
            )
    _forget()


def is_searchable_article(article: Article) -> bool:
    return article.status == ArticleStatus.PUBLISHED


def answered_consultations():
    """Consultations with a lawyer's answer: the ones officials may find again."""
    return Consultation.objects.filter(
        status__in=[ConsultationStatus.ANSWERED, ConsultationStatus.CLOSED],
        messages__author_kind=MessageAuthor.LAWYER,
    ).distinct()


def index_article(article: Article) -> None:
    """Index a published article, or drop it from the index when it is a draft or withdrawn."""
    _replace(
        SearchKind.ARTICLE,
        article.pk,
        document_weights(article_fields(article)) if is_searchable_article(article) else None,
    )


def index_consultation(consultation: Consultation) -> None:
    """Index an answered consultation (call after a lawyer's answer), or drop it if it has none."""
    answered = answered_consultations().filter(pk=consultation.pk).exists()
    weights = document_weights(consultation_fields(consultation)) if answered else None
    _replace(SearchKind.CONSULTATION, consultation.pk, weights)


def unindex(kind: str, object_id: int) -> None:
    _replace(kind, object_id, None)


def bulk_rows(
    kind: str, documents: Iterable[tuple[int, dict[str, str]]]
) -> Iterable[tuple[str, str, int, float]]:
    """(term, kind, object_id, weight) rows for many documents, for a fast load."""
    for object_id, fields in documents:
        for term, weight in document_weights(fields).items():
            yield term, kind, object_id, weight


def rebuild(batch: int = 5000) -> dict[str, int]:
    """Rebuild the whole index from published articles and answered consultations; returns counts."""
    counts = {SearchKind.ARTICLE.value: 0, SearchKind.CONSULTATION.value: 0}
    sources = {
        SearchKind.ARTICLE.value: (
            Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("pk"),
            article_fields,
        ),
        SearchKind.CONSULTATION.value: (answered_consultations().order_by("pk"), consultation_fields),
    }
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        for kind, (queryset, fields) in sources.items():
            rows: list[SearchTerm] = []
            for obj in queryset.iterator(chunk_size=2000):
                counts[kind] += 1
                rows += [
                    SearchTerm(term=t, kind=kind, object_id=obj.pk, weight=w)
                    for t, w in document_weights(fields(obj)).items()
                ]
                if len(rows) >= batch:
                    SearchTerm.objects.bulk_create(rows)
                    rows = []
            SearchTerm.objects.bulk_create(rows)
    _forget()
    return counts


# --- searching ---------------------------------------------------------------------------------------


def _table() -> str:
    return connection.ops.quote_name(SearchTerm._meta.db_table)


def _doc_count(kind: str) -> int:
    cached = _doc_counts.get(kind)
    if cached and time.monotonic() - cached[0] < 60:
        return cached[1]
    count = SearchTerm.objects.filter(term=DOC_MARKER, kind=kind).count()
    _doc_counts[kind] = (time.monotonic(), count)
    return count


def _document_frequencies(kind: str, terms: list[str]) -> dict[str, int]:
    """Each term's document count: exact below DF_CAP (one bounded count each, in one statement)."""
    now = time.monotonic()
    out: dict[str, int] = {}
    live = []
    for term in terms:
        cached = _common_df.get((kind, term))
        if cached and now - cached[0] < _COMMON_TTL:
            out[term] = cached[1]
        else:
            live.append(term)
    if live:
        # Only our table's name and constants are formatted into the SQL; the values are parameters.
        if connection.vendor == "postgresql":
            # One small plan instead of one subquery a term (planning those cost more than running them).
            sql = (
                f"SELECT t.term, (SELECT COUNT(*) FROM (SELECT 1 FROM {_table()} "  # noqa: S608
                f"WHERE term = t.term AND kind = %s LIMIT {DF_CAP}) AS s) FROM unnest(%s::text[]) AS t(term)"
            )
            params: list = [kind, live]
        else:
            part = (
                f"SELECT %s, (SELECT COUNT(*) FROM (SELECT 1 FROM {_table()} "  # noqa: S608
                f"WHERE term = %s AND kind = %s LIMIT {DF_CAP}) AS s)"
            )
            sql = " UNION ALL ".join([part] * len(live))
            params = []
            for term in live:
                params += [term, term, kind]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            capped = []
            for term, count in cursor.fetchall():
                out[term] = count
                if count >= DF_CAP:
                    capped.append(term)
        if capped:
            # Common terms: counted in full once, in one statement, then cached.
            marks = ", ".join(["%s"] * len(capped))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT term, COUNT(*) FROM {_table()} "  # noqa: S608
                    f"WHERE kind = %s AND term IN ({marks}) GROUP BY term",
                    [kind, *capped],
                )
                for term, count in cursor.fetchall():
                    out[term] = count
                    _common_df[(kind, term)] = (now, count)
    return out


def _postings(kind: str, terms: list[str]) -> list[tuple[str, int, float]]:
    """Each term's best CHAMPIONS postings, in one statement (each an index range read backwards)."""
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT t.term, p.object_id, p.weight FROM unnest(%s::text[]) AS t(term) "  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT object_id, weight FROM {_table()} WHERE term = t.term AND kind = %s "
            f"ORDER BY weight DESC LIMIT {CHAMPIONS}) AS p"
        )
        params: list = [terms, kind]
    else:
        part = (
            f"SELECT * FROM (SELECT term, object_id, weight FROM {_table()} "  # noqa: S608
            f"WHERE term = %s AND kind = %s ORDER BY weight DESC LIMIT {CHAMPIONS}) AS p"
        )
        sql = " UNION ALL ".join([part] * len(terms))
        params = []
        for term in terms:
            params += [term, kind]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rank(text: str, kind: str, *, limit: int = 5, allowed_ids=None) -> list[tuple[int, float]]:
    """[(object_id, score)] best first for one kind of document.

    ``allowed_ids``: a set of ids the caller may see (None: all indexed), applied before the cut."""
    weights = query_terms(text)
    if not weights:
        return []
    n = _doc_count(kind)
    if not n:
        return []
    df = _document_frequencies(kind, list(weights))
    idf = {
        term: weights[term] * math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
        for term in weights
        if df.get(term)
    }
    if not idf:
        return []
    scores: dict[int, float] = defaultdict(float)
    seen: dict[int, set[str]] = defaultdict(set)
    # The most telling terms choose the candidates, LEADING at a time, until there are enough; terms
    # in most documents (的, 公司…) choose none. Every term counts in the exact rescoring below.
    common = {t for t in idf if df[t] > COMMON_SHARE * n}
    order = sorted((t for t in idf if t not in common), key=lambda t: -idf[t]) or sorted(
        idf, key=lambda t: -idf[t]
    )
    leading_set: set[str] = set()
    for start in range(0, len(order), LEADING):
        batch = order[start : start + LEADING]
        leading_set.update(batch)
        for term, object_id, weight in _postings(kind, batch):
            if allowed_ids is not None and object_id not in allowed_ids:
                continue
            scores[object_id] += idf[term] * weight
            seen[object_id].add(term)
        if len(scores) >= CANDIDATES:
            break
    if not scores:
        return []
    best = sorted(scores, key=lambda i: (-scores[i], i))[:CANDIDATES]
    # Terms whose postings were cut short: add what the candidates have of them, so the order is exact.
    truncated = [t for t in idf if df[t] > CHAMPIONS or t not in leading_set]
    if truncated:
        ids = ", ".join(["%s"] * len(best))
        marks = ", ".join(["%s"] * len(truncated))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT object_id, term, weight FROM {_table()} "  # noqa: S608
                f"WHERE kind = %s AND object_id IN ({ids}) AND term IN ({marks})",
                [kind, *best, *truncated],
            )
            rows = cursor.fetchall()
        for object_id, term, weight in rows:
            if term not in seen[object_id]:
                scores[object_id] += idf[term] * weight
    best.sort(key=lambda i: (-scores[i], i))
    return [(i, round(scores[i], 4)) for i in best[:limit]]


def snippet(text: str, query: str, width: int = 60) -> str:
    """A piece of text around the query's first matching bigram (or its start), one line."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    norm = normalize(text)
    start = 0
    for term in tokens(query):
        at = norm.find(term)
        if at >= 0:
            start = max(0, at - width // 4)
            break
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


_PLACEHOLDER = 987654321


@functools.lru_cache(maxsize=8)
def _url_pattern(name: str) -> str:
    # reverse() per hit cost more than the search itself: reverse once, fill in the id.
    try:
        return reverse(name, args=[_PLACEHOLDER])
    except NoReverseMatch:
        return ""


def _url(name: str, pk: int) -> str:
    return _url_pattern(name).replace(str(_PLACEHOLDER), str(pk))


def article_url(pk: int) -> str:
    return _url("portal:knowledge-article", pk)


def _article_suggestions(text: str, limit: int) -> list[Suggestion]:
    ranked = rank(text, SearchKind.ARTICLE, limit=limit)
    articles = (
        Article.objects.filter(pk__in=[i for i, _ in ranked], status=ArticleStatus.PUBLISHED)
        .only("id", "title", "question")
        .in_bulk()
    )
    return [
        Suggestion(
            kind="article",
            id=pk,
            title=articles[pk].title,
            snippet=snippet(articles[pk].question, text),
            url=article_url(pk),
            score=score,
        )
        for pk, score in ranked
        if pk in articles
    ]


def _may_search_consultations(user) -> bool:
    # Officials and lawyers (any role); restrict() then narrows to what each may view.
    return bool(user is not None and user.is_authenticated and getattr(user, "is_official", False))


def _consultation_suggestions(text: str, limit: int, user) -> list[Suggestion]:
    from .knowledge import scrub

    # Rank a wider cut, then keep what the user may view (a lawyer: only their own).
    ranked = rank(text, SearchKind.CONSULTATION, limit=limit * 8)
    rows = (
        Consultation.objects.restrict(user, "view")
        .filter(pk__in=[i for i, _ in ranked])
        .values_list("pk", "category", "question", "person__name")
    )
    found = {pk: (category, question, name) for pk, category, question, name in rows}
    labels = dict(ConsultationCategory.choices)
    out = []
    for pk, score in ranked:
        if pk not in found:
            continue
        category, question, name = found[pk]
        out.append(
            Suggestion(
                kind="consultation",
                id=pk,
                title=f"{labels.get(category, category)} · #{pk}",
                snippet=snippet(scrub(question, names=[name] if name else []), text),
                url=_url("rights:consultation-detail", pk),
                score=score,
            )
        )
        if len(out) >= limit:
            break
    return out


def suggest(text: str, *, limit: int = 5, user=None) -> list[Suggestion]:
    """Published articles (and, for a signed-in official or lawyer, the answered consultations they may
    view) that match ``text``, best first. Safe for anyone: no personal data in what it returns."""
    text = (text or "").strip()[:500]
    if not text or limit <= 0:
        return []
    hits = _article_suggestions(text, limit)
    if _may_search_consultations(user):
        hits += _consultation_suggestions(text, limit, user)
        hits.sort(key=lambda s: (-s.score, s.kind, s.id))
    return hits[:limit]
