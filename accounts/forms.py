from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.forms import ScopedModelForm

from .models import Role


class OfficialLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续错误5次将锁定30分钟。"),
        "inactive": _("该账号已停用。"),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # Worker accounts sign in on the phone with a code, never here.
        if user.is_worker:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class RoleForm(ScopedModelForm):
    class Meta:
        model = Role
        fields = ["user", "union", "kind", "active"]
