from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core import access
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from ..filtersets import RegionFilterSet, UnionFilterSet
from ..forms import UnionForm
from ..models import Region, Union
from ..services import union_counts


class UnionListView(ConsoleListView):
    model = Union
    filterset_class = UnionFilterSet
    columns = ["name", "kind", "region", "sector", "status", "established_on", "chair_name"]
    ordering_fields = ["name", "path", "established_on", "kind"]
    default_ordering = "path"

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("orgs:union-add")
        return context


class UnionDetailView(ConsoleDetailView):
    model = Union
    template_name = "orgs/union_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region", "parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        union = self.object
        context["counts"] = union_counts(union)
        context["children"] = (
            Union.objects.restrict(self.request.user).filter(parent=union).select_related("region")
        )
        context["ancestors"] = Union.objects.restrict(self.request.user).filter(pk__in=union.ancestors())
        return context


class UnionCreateView(ConsoleCreateView):
    model = Union
    form_class = UnionForm

    def get_initial(self):
        return {"parent": self.request.GET.get("parent")}


class UnionUpdateView(ConsoleUpdateView):
    model = Union
    form_class = UnionForm


@access.requires(access.SCOPED)
def union_tree(request):
    """The tree from the unions this official's roles start at; branches open on demand."""
    visible = Union.objects.restrict(request.user)
    if request.user.is_superuser:
        roots = visible.filter(parent__isnull=True)
    else:
        roots = visible.filter(pk__in=request.user.top_unions())
        # A role inside another role's subtree is already shown under it.
        paths = list(roots.values_list("path", flat=True))
        roots = roots.exclude(
            pk__in=[u.pk for u in roots if any(u.path != p and u.path.startswith(p) for p in paths)]
        )
    return render(request, "orgs/union_tree.html", {"nodes": _with_child_counts(roots)})


@access.requires(access.SCOPED)
def union_children(request, pk):
    union = get_object_or_404(Union.objects.restrict(request.user), pk=pk)
    children = Union.objects.restrict(request.user).filter(parent=union)
    return render(request, "orgs/_tree_nodes.html", {"nodes": _with_child_counts(children)})


def _with_child_counts(queryset):
    return queryset.select_related("region").annotate(n_children=Count("children")).order_by("path")


class RegionListView(ConsoleListView):
    """Regions are public reference data: any official may read them; only superusers change them."""

    model = Region
    filterset_class = RegionFilterSet
    columns = ["code", "name", "level", "parent"]
    ordering_fields = ["code", "name"]
    default_ordering = "code"
    access = access.OFFICIAL
