"""Generic console views: every list, detail, form and export goes through restrict()."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.views import generic

from . import access
from .forms import ScopedModelForm
from .models import HistoryEntry, PiiAccess
from .pagination import Paginator
from .scoping import ADD, CHANGE, EXPORT, VIEW, can, check_write, registry


class ScopedMixin:
    """Console view over a scoped model: officials only, rows through restrict(user, action)."""

    model = None
    action = VIEW
    access = access.SCOPED

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "accounts:login")
        if not request.user.is_official:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        if self.model in registry:
            return self.model.objects.restrict(self.request.user, self.action)
        # Reference data (regions) is read by every official; its views declare access=OFFICIAL.
        assert self.access != access.SCOPED, f"{self.model} has no scope policy"
        return self.model._default_manager.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["opts"] = self.model._meta
        return context


class ConsoleListView(ScopedMixin, generic.ListView):
    """A list with the model's FilterSet (filters and search), ordering, pagination and xlsx export."""

    template_name = "core/list.html"
    paginate_by = 50
    paginator_class = Paginator
    filterset_class = None
    # (attribute or callable name, heading); headings default to the field's verbose name.
    columns: list[str] = []
    ordering_fields: list[str] = []
    default_ordering = "-id"
    export_name = ""

    def get_queryset(self):
        queryset = super().get_queryset()
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        queryset = self.filterset.qs if self.filterset.is_bound else queryset
        return queryset.order_by(self.chosen_order() or self.default_ordering, "-pk")

    def chosen_order(self) -> str:
        """`?o=` when it names a sortable column, ascending (`name`) or descending (`-name`); else ""
        (`--name` is neither: it reached order_by, a 500)."""
        order = self.request.GET.get("o", "")
        return order if order.removeprefix("-") in self.ordering_fields else ""

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            from .exports import start_export

            if not self.allowed(EXPORT):
                raise Http404

            return start_export(self)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filterset=self.filterset,
            headings=self.sort_headings(),
            rows=[
                (obj, [self.cell(obj, column) for column in self.columns]) for obj in context["object_list"]
            ],
            querystring=query.urlencode(),
            order=self.chosen_order(),
            can_add=self.allowed(ADD),
            can_export=self.allowed(EXPORT),
        )
        return context

    def allowed(self, action: str) -> bool:
        """Whether to offer a button: the user holds a role granting `action` on some union."""
        user = self.request.user
        if user.is_superuser:
            return True
        if self.model not in registry:
            return False
        return bool(user.scope_paths(registry[self.model].roles.get(action, frozenset())))

    def sort_headings(self) -> list[tuple[str, str | None, str]]:
        """(heading, link sorting by that column or None, "asc"/"desc"/"" if the list is sorted by it)."""
        query = self.request.GET.copy()
        query.pop("page", None)
        current = self.chosen_order() or self.default_ordering
        headings = []
        for column in self.columns:
            if column not in self.ordering_fields:
                headings.append((self.heading(column), None, ""))
                continue
            direction = {column: "asc", f"-{column}": "desc"}.get(current, "")
            # A click on the sorted column reverses it; on another column sorts ascending.
            query["o"] = f"-{column}" if direction == "asc" else column
            headings.append((self.heading(column), f"?{query.urlencode()}", direction))
        return headings

    def heading(self, column: str) -> str:
        try:
            return str(self.model._meta.get_field(column).verbose_name)
        except Exception:
            return str(getattr(getattr(self.model, column, None), "short_description", column))

    def cell(self, obj, column: str):
        labels = self.choice_labels(column)
        if labels is not None:
            value = getattr(obj, column)
            return labels.get(value, value)
        display = getattr(obj, f"get_{column}_display", None)
        value = display() if display else getattr(obj, column)
        return value() if callable(value) else value

    def choice_labels(self, column: str) -> dict | None:
        """A choice field's labels, translated once per page: get_FOO_display() hashes and translates
        every choice on every call, which made it the costliest part of a 50-row page."""
        cache = self.__dict__.setdefault("_choice_labels", {})
        if column not in cache:
            try:
                field = self.model._meta.get_field(column)
            except FieldDoesNotExist:
                field = None
            choices = getattr(field, "flatchoices", None) if getattr(field, "choices", None) else None
            cache[column] = {value: str(label) for value, label in choices} if choices else None
        return cache[column]


class ConsoleDetailView(ScopedMixin, generic.DetailView):
    """An object's page, with its change history and workflow steps."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        context["history"] = HistoryEntry.objects.for_object(obj).select_related("actor")[:200]
        context["can_change"] = can(self.request.user, CHANGE, obj)
        return context


class ConsoleFormMixin(ScopedMixin):
    """Create and update: the save is checked against the user's scope inside the transaction."""

    template_name = "core/form.html"
    form_class: type[ScopedModelForm]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = self.save(form)
                check_write(self.request.user, self.action, self.object)
        except PermissionDenied:
            # Rolled back: the page shows the object as stored; a refused new one does not exist,
            # though the failed INSERT left a primary key on it.
            self.object = self.get_object() if self.action != ADD else None
            form.add_error(None, _("超出您的管理范围，未保存。"))
            return self.form_invalid(form)
        from django.http import HttpResponseRedirect

        return HttpResponseRedirect(self.get_success_url())

    def save(self, form):
        """Override to call the app's service instead of form.save()."""
        return form.save()


class ConsoleCreateView(ConsoleFormMixin, generic.CreateView):
    action = ADD

    def get_queryset(self):
        return self.model.objects.none()


class ConsoleUpdateView(ConsoleFormMixin, generic.UpdateView):
    action = CHANGE


def pii_accesses(obj):
    from django.contrib.contenttypes.models import ContentType

    return PiiAccess.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("user")
