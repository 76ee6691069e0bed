import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from orgs.models import Union

from ..choices import ArticleStatus, ConsultationCategory
from ..models import Article


class ArticleFilterSet(django_filters.FilterSet):
    """Articles by words of their title, question or answer, category, status and union (with its subtree)."""

    q = django_filters.CharFilter(method="search", label=_("标题、问题或解答"))
    category = django_filters.ChoiceFilter(choices=ConsultationCategory.choices, label=_("类别"))
    status = django_filters.ChoiceFilter(choices=ArticleStatus.choices, label=_("状态"))
    within = IdFilter(method="in_subtree", label=_("所属工会编号（含下级）"))

    class Meta:
        model = Article
        fields = ["q", "category", "status", "within"]

    def search(self, queryset, name, value):
        # Officials' lists hold drafts too, which the search index leaves out: every word must appear.
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(question__icontains=word) | Q(answer__icontains=word)
            )
        return queryset

    def in_subtree(self, queryset, name, value):
        root = Union.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(union__path__subtree=root) if root else queryset.none()
