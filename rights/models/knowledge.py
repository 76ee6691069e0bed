"""The knowledge base (法律知识库): vetted question-and-answer articles for workers."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import ALL_TREE
from core import limits
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import ArticleStatus, ConsultationCategory
from .legal import RIGHTS_OFFICIALS


@scoped(policy("union", view=ALL_TREE, change=RIGHTS_OFFICIALS))
class Article(TrackedModel):
    """A vetted question and answer with its law references, often from an answered consultation."""

    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="articles", verbose_name=_("发布工会")
    )
    title = models.CharField(_("标题"), max_length=120)
    question = models.TextField(_("问题"), max_length=limits.REASON)
    answer = models.TextField(_("解答"), max_length=limits.ARTICLE)
    category = models.CharField(_("类别"), max_length=20, choices=ConsultationCategory.choices)
    law_references = models.TextField(_("法律依据"), blank=True, max_length=limits.NOTE)
    status = models.CharField(
        _("状态"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    source = models.ForeignKey(
        "rights.Consultation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("来源咨询"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("知识库文章")
        verbose_name_plural = pgettext_lazy("plural", "知识库文章")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "category"], name="rights_article_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("rights:article-detail", args=[self.pk])


class SearchKind(models.TextChoices):
    ARTICLE = "article", _("知识库文章")
    CONSULTATION = "consultation", _("已答复咨询")


class SearchTerm(models.Model):
    """One row of the knowledge search's inverted index: a character bigram or ASCII word of a document,
    with its BM25 term weight; kept by rights.services.search (no history: it is derived data)."""

    term = models.CharField(_("检索词"), max_length=24)
    kind = models.CharField(_("对象类型"), max_length=12, choices=SearchKind.choices)
    object_id = models.PositiveIntegerField(_("对象编号"))
    weight = models.FloatField(_("权重"))

    class Meta:
        verbose_name = _("检索索引项")
        verbose_name_plural = pgettext_lazy("plural", "检索索引项")
        indexes = [
            # Covering and best-first: a term's best postings are read from the index alone.
            models.Index(fields=["term", "kind", "weight", "object_id"], name="rights_search_term"),
        ]
        # Also the index by which a document's rows are replaced or dropped.
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "term"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message=_("同一对象的检索词不能重复"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.kind} #{self.object_id}"
