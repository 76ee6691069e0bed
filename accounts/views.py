from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import generic

from core import access
from core.scoping import ADD
from core.views import (
    ConsoleCreateView,
    ConsoleDetailView,
    ConsoleFormMixin,
    ConsoleListView,
    ConsoleUpdateView,
)

from . import services
from .filtersets import RoleFilterSet
from .forms import OfficialForm, OfficialLoginForm, RoleForm, RoleGrantForm
from .models import Role


class LoginView(auth_views.LoginView):
    access = access.PUBLIC
    form_class = OfficialLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    access = access.PUBLIC


@method_decorator(access.requires(access.OFFICIAL), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """An official changes their own password: the current one, then the new one twice, held to the
    password rules. They stay signed in here; their other sessions end (the session hash changes)."""

    access = access.OFFICIAL
    template_name = "core/form.html"
    success_url = reverse_lazy("reports:home")
    title = _("修改密码")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_usable_password():  # an official signed in some other way
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改，其他设备上的登录已退出。"))
        return response


class RoleListView(ConsoleListView):
    model = Role
    filterset_class = RoleFilterSet
    columns = ["user", "union", "kind", "active"]
    ordering_fields = ["union", "kind", "id"]
    default_ordering = "union"

    def get_queryset(self):
        return super().get_queryset().select_related("user", "union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("accounts:role-add")
        context["extra_actions"] = [(reverse("accounts:official-add"), _("新增干部账号"))]
        return context


class RoleDetailView(ConsoleDetailView):
    model = Role
    template_name = "accounts/role_detail.html"


class RoleCreateView(ConsoleCreateView):
    model = Role
    form_class = RoleGrantForm


class OfficialCreateView(ConsoleFormMixin, generic.FormView):
    """A new official account with a first role, by an admin of the union (or a superuser)."""

    model = Role
    action = ADD
    form_class = OfficialForm
    template_name = "core/form.html"

    def get_queryset(self):
        return Role.objects.none()

    def save(self, form):
        data = form.cleaned_data
        return services.create_official(
            data["username"], data["display_name"], data["password"], data["union"], data["kind"]
        )

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("新增干部账号")
        return context


class RoleUpdateView(ConsoleUpdateView):
    model = Role
    form_class = RoleForm
