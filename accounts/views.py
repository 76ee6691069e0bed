from django.contrib.auth import views as auth_views
from django.urls import reverse

from core import access
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from .filtersets import RoleFilterSet
from .forms import OfficialLoginForm, RoleForm
from .models import Role


class LoginView(auth_views.LoginView):
    access = access.PUBLIC
    form_class = OfficialLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    access = access.PUBLIC


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
        return context


class RoleDetailView(ConsoleDetailView):
    model = Role
    template_name = "accounts/role_detail.html"


class RoleCreateView(ConsoleCreateView):
    model = Role
    form_class = RoleForm


class RoleUpdateView(ConsoleUpdateView):
    model = Role
    form_class = RoleForm
