"""Rules of the knowledge base (法律知识库): writing, publishing and withdrawing articles, making one from an
answered consultation with the personal details removed, and keeping the search index in step."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import record_action

from ..choices import ArticleStatus, MessageAuthor
from ..models import Article, Consultation
from . import search

# --- removing personal details ---------------------------------------------------------------------

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[邮箱]"),
    # 18- or 15-digit ID numbers, before any shorter digit rule can split them.
    (
        re.compile(
            r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9])"
        ),
        "[身份证号]",
    ),
    (re.compile(r"(?<![0-9])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9])"), "[身份证号]"),
    # Mobile phones, also written 138-1234-5678 or 138 1234 5678, with or without +86.
    (re.compile(r"(?:\+?86[- ]?)?(?<![0-9])1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![0-9])"), "[手机号]"),
    # Landlines: 0575-88001234, (0575)88001234.
    (re.compile(r"[(（]?0\d{2,3}[)）-]?\d{7,8}(?![0-9])"), "[电话]"),
    # Bank cards and other long numbers.
    (re.compile(r"(?<![0-9])\d{12,19}(?![0-9])"), "[号码]"),
    # Vehicle plates: 浙D12345, 浙D·A1234, 浙DD12345 (new energy).
    (re.compile(rf"[{_PROVINCES}][A-Za-z][·・ ]?[A-Za-z0-9]{{4,6}}(?![A-Za-z0-9])"), "[车牌号]"),
    # House numbers of an address (XX路88号3幢2单元501室), but not of a document (〔2021〕56号, 第16条).
    (re.compile(r"(?<![0-9〕\]］第])\d+(?=号楼|号院|号|幢|栋|单元|室|弄|层|楼)"), "×"),
    # "我叫王小明" / "姓名：王小明": a name the worker gave in the text.
    (re.compile(r"(我叫|我是|本人|姓名[:：]?\s*)([\u4e00-\u9fff]{2,3})(?=[，,。.\s；;、]|$)"), r"\1某某"),
]


def scrub(text: str, *, names: list[str] | tuple[str, ...] = ()) -> str:
    """The text with personal details replaced: the given names (and their surname forms 王师傅, 小王…),
    ID numbers, phones, bank cards, vehicle plates, house numbers, e-mail addresses."""
    out = text or ""
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        out = out.replace(name, "某某")
        if len(name) >= 2 and "\u4e00" <= name[0] <= "\u9fff":
            surname = name[0]
            if len(name) >= 3:
                out = out.replace(name[1:], "某某")  # the given name alone
            out = re.sub(rf"(?:小|老|阿){surname}|{surname}(?=师傅|先生|女士|小姐|大哥|姐|哥|某)", "某", out)
    for pattern, replacement in _RULES:
        out = pattern.sub(replacement, out)
    return out


def consultation_names(consultation: Consultation) -> list[str]:
    """Names known to belong to the asker: scrub them wherever they appear."""
    name = getattr(consultation.person, "name", "") or ""
    return [name] if name.strip() else []


def lawyer_answer(consultation: Consultation) -> str:
    """The lawyer's messages of the thread, in order, as one text."""
    bodies = consultation.messages.filter(author_kind=MessageAuthor.LAWYER).order_by("sent_at", "id")
    return "\n\n".join(m.body.strip() for m in bodies if m.body.strip())


def draft_from_consultation(consultation: Consultation) -> dict:
    """Initial values of a new article made from an answered consultation, personal details removed.

    An official reads and edits them before saving: the scrub removes what has a shape (numbers, plates,
    the asker's name), not everything a person might recognise."""
    names = consultation_names(consultation)
    if consultation.lawyer_id:
        names.append(consultation.lawyer.name)
    question = scrub(consultation.question, names=names)
    answer = scrub(lawyer_answer(consultation), names=names)
    first = re.split(r"[。？?！!\n]", question.strip(), maxsplit=1)[0]
    title = (first[:40] + ("…" if len(first) > 40 else "")) or str(consultation.get_category_display())
    return {
        "title": title,
        "question": question,
        "answer": answer,
        "category": consultation.category,
        "source": consultation.pk,
    }


# --- articles --------------------------------------------------------------------------------------


def check_source(article: Article) -> None:
    """An article made from a consultation belongs to that consultation's union or one above it."""
    if article.source_id and article.union_id and not article.source.union.is_within(article.union):
        raise ValidationError({"source": _("来源咨询不属于本工会或其下级工会")})


@transaction.atomic
def save_article(article: Article) -> Article:
    """Save a new or edited article and keep the index in step (a published article is re-indexed)."""
    check_source(article)
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    article.save()
    search.index_article(article)
    return article


@transaction.atomic
def publish(article: Article, note: str = "") -> Article:
    if article.status == ArticleStatus.PUBLISHED:
        raise ValidationError(_("文章已发布"))
    if not (article.title.strip() and article.question.strip() and article.answer.strip()):
        raise ValidationError(_("标题、问题和解答都填写后才能发布"))
    article.status = ArticleStatus.PUBLISHED
    article.published_at = timezone.now()
    article.save()
    record_action(article, "publish", note)
    search.index_article(article)
    return article


@transaction.atomic
def withdraw(article: Article, note: str = "") -> Article:
    if article.status != ArticleStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的文章可以撤下"))
    if not note.strip():
        raise ValidationError(_("请填写撤下原因"))
    article.status = ArticleStatus.WITHDRAWN
    article.save()
    record_action(article, "withdraw", note)
    search.index_article(article)
    return article
