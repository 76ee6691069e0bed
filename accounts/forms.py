from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.forms import ScopedModelForm
from core.scoping import ADD, owners_for

from . import services
from .choices import RoleKind
from .models import Role, User


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
    """Edit a role: its union, kind and whether it is active. The account stays the one it was granted
    to (giving it to another account is a grant, through RoleGrantForm's narrowed choice)."""

    class Meta:
        model = Role
        fields = ["user", "union", "kind", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["user"].disabled = True
            self.fields["user"].queryset = self.fields["user"].queryset.filter(pk=self.instance.user_id)


class RoleGrantForm(RoleForm):
    """Grant a role to an existing official: the accounts offered are those the granting official manages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = services.official_candidates(self.user).order_by("username")


class OfficialForm(forms.Form):
    """A new official's account and first role."""

    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.-]{3,40}$",
        error_messages={"invalid": _("用户名为3–40位字母、数字、下划线、点或连字符")},
    )
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput(render_value=False), strip=False
    )
    union = forms.ModelChoiceField(label=_("工会"), queryset=None)
    kind = forms.ChoiceField(label=_("角色"), choices=RoleKind.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The union model is reached through Role's foreign key: accounts sits below orgs.
        unions = Role.union.field.related_model.objects.order_by("path")
        self.fields["union"].queryset = owners_for(user, Role, ADD, unions)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该用户名已被使用"))
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            try:
                services.validate_new_password(password, User(username=cleaned.get("username", "")))
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
