"""Console steps: a POST that runs one service step on an object and goes back to the object's page.

What every module's step does alike lives here: the form's errors and the service's refusal are said
as a message on the page (the services refuse inside their transaction, so a refused step leaves
nothing written), success is said, and the official is sent back. Reading the object within the
user's scope (404 otherwise) is the caller's, as each module reads its own. The API's steps have
their own home (core.api.viewsets.StepView)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def form_errors(form) -> str:
    """A form's errors on one line, each after its field's label: "名额：不能少于已确认人数"."""
    return " ".join(
        f"{form[name].label}：{'；'.join(errors)}" if name in form.fields else "；".join(errors)
        for name, errors in form.errors.items()
    )


def refused(request, error: ValidationError | PermissionDenied) -> None:
    """Say why the service refused: a ValidationError's messages, a PermissionDenied's own words
    ("只有…的权益保障干部可以审批") or, when it has none, that the official may not."""
    if isinstance(error, ValidationError):
        text = " ".join(error.messages)
    else:
        text = str(error)
    messages.error(request, text or _("没有权限"))


def step(request, target, form, run: Callable[[dict], object], success: str | Callable[[dict], str]):
    """Run `run(cleaned data)` if `form` is valid; say what happened (`success`, or what it makes of
    the cleaned data); back to `target`'s page."""
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(target)
    try:
        run(form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        refused(request, error)
    else:
        messages.success(request, success(form.cleaned_data) if callable(success) else success)
    return redirect(target)
