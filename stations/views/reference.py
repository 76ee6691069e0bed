"""The managed lists (设施服务, 服务项目): every official reads them; top-union admins change them."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import access
from core.steps import refused

from ..services import reference as services


class ItemForm(forms.Form):
    code = forms.SlugField(
        label=gettext_lazy("代码"), max_length=30, help_text=gettext_lazy("英文小写，如 drinking_water")
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=30)


def _model(kind: str):
    model = services.LISTS.get(kind)
    if model is None:
        raise Http404
    return model


@access.requires(access.OFFICIAL)
def reference_list(request, kind):
    model = _model(kind)
    can_manage = services.may_manage(request.user)
    form = ItemForm()
    if request.method == "POST":
        if not can_manage:
            raise Http404
        form = ItemForm(request.POST)
        if form.is_valid():
            try:
                item = services.add_item(
                    request.user, model, form.cleaned_data["code"], form.cleaned_data["name"]
                )
            except ValidationError as error:
                refused(request, error)
            else:
                messages.success(request, _("已添加 %(name)s") % {"name": item.name})
                return redirect("stations:reference-list", kind=kind)
    context = {
        "kind": kind,
        "opts": model._meta,
        "items": model.objects.order_by("order", "code"),
        "can_manage": can_manage,
        "form": form,
        "lists": [(key, m._meta.verbose_name_plural) for key, m in services.LISTS.items()],
    }
    return render(request, "stations/reference_list.html", context)


@require_POST
@access.requires(access.OFFICIAL)
def reference_change(request, kind, pk, step):
    model = _model(kind)
    if not services.may_manage(request.user):
        raise Http404
    item = get_object_or_404(model, pk=pk)
    try:
        if step == "rename":
            services.rename_item(request.user, item, request.POST.get("name", ""))
        elif step in ("up", "down"):
            services.move_item(request.user, item, -1 if step == "up" else 1)
        elif step in ("activate", "deactivate"):
            services.set_active(request.user, item, step == "activate")
        else:
            raise Http404
    except ValidationError as error:
        refused(request, error)
    except PermissionDenied as error:
        raise Http404 from error
    return redirect("stations:reference-list", kind=kind)
