"""Console pages of the knowledge base (法律知识库): list and search, write, edit, publish, withdraw, and
make an article from an answered consultation with the personal details removed.

Who: rights officials (and admins) of the union's subtree change articles; every official of the tree
reads them (the Article policy).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.ids import id_from
from core.scoping import CHANGE, VIEW, can
from core.steps import refused
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from ..filtersets.knowledge import ArticleFilterSet
from ..forms.knowledge import ArticleForm, WithdrawForm
from ..models import Article, Consultation
from ..services import knowledge as services
from ..services import search


class ArticleListView(ConsoleListView):
    model = Article
    filterset_class = ArticleFilterSet
    columns = ["title", "category", "status", "union", "published_at"]
    ordering_fields = ["title", "published_at", "created_at", "id"]
    default_ordering = "-id"
    template_name = "rights/article_list.html"
    export_name = "articles"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("rights:article-add")
        context["extra_actions"] = [(reverse("rights:article-sources"), _("从已答复咨询整理"))]
        return context


class ArticleDetailView(ConsoleDetailView):
    model = Article
    template_name = "rights/article_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union", "source")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        context["withdraw_form"] = WithdrawForm()
        context["law_lines"] = [line for line in article.law_references.splitlines() if line.strip()]
        context["source_visible"] = bool(article.source_id and can(self.request.user, VIEW, article.source))
        context["public_url"] = search.article_url(article.pk) if article.status == "published" else ""
        return context


def _source(request) -> Consultation | None:
    """The answered consultation named by ?source=, if the user may see it; 404 otherwise."""
    value = request.GET.get("source", "")
    if not value:
        return None
    if (pk := id_from(value)) is None:
        raise Http404
    consultation = get_object_or_404(
        Consultation.objects.restrict(request.user, VIEW).select_related("person", "lawyer", "union"),
        pk=pk,
    )
    if not search.answered_consultations().filter(pk=consultation.pk).exists():
        raise Http404
    return consultation


class ArticleCreateView(ConsoleCreateView):
    """A new draft; with ?source=<consultation> it starts from that consultation, personal details removed."""

    model = Article
    form_class = ArticleForm
    template_name = "rights/article_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.source = _source(request) if request.user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        if self.source is not None:
            draft = services.draft_from_consultation(self.source)
            draft.pop("source")
            initial.update(draft, union=self.source.union_id)
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["source"] = self.source
        return context

    def save(self, form):
        form.instance.source = self.source
        return services.save_article(form.instance)

    def get_success_url(self):
        return self.object.get_absolute_url()


class ArticleUpdateView(ConsoleUpdateView):
    model = Article
    form_class = ArticleForm
    template_name = "rights/article_form.html"

    def save(self, form):
        return services.save_article(form.instance)

    def get_success_url(self):
        return self.object.get_absolute_url()


def _article(request, pk: int, action: str) -> Article:
    return get_object_or_404(Article.objects.restrict(request.user, action), pk=pk)


@require_POST
@access.requires(access.SCOPED)
def article_publish(request, pk):
    article = _article(request, pk, CHANGE)
    try:
        services.publish(article)
    except (ValidationError, PermissionDenied) as error:
        refused(request, error)
    else:
        messages.success(request, _("文章已发布，职工可以在“法律知识”中查到"))
    return redirect(article)


@require_POST
@access.requires(access.SCOPED)
def article_withdraw(request, pk):
    article = _article(request, pk, CHANGE)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤下原因"))
        return redirect(article)
    try:
        services.withdraw(article, form.cleaned_data["note"])
    except (ValidationError, PermissionDenied) as error:
        refused(request, error)
    else:
        messages.success(request, _("文章已撤下，不再向职工展示"))
    return redirect(article)


@access.requires(access.SCOPED)
def article_sources(request):
    """Answered consultations of the user's scope not yet made into an article: candidates to write up."""
    consultations = (
        search.answered_consultations()
        .filter(pk__in=Consultation.objects.restrict(request.user, VIEW).values("pk"))
        .filter(articles__isnull=True)
        .select_related("union", "person")
        .order_by("-answered_at", "-pk")[:100]
    )
    rows = [(c, services.scrub(c.question, names=services.consultation_names(c))[:80]) for c in consultations]
    return render(request, "rights/article_sources.html", {"rows": rows})
