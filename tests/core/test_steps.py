"""core.steps: what every console step says — the form's errors by label, the service's refusal in
its own words (a PermissionDenied's too), success — and that it goes back to the object's page."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from core import steps


class Target:
    def get_absolute_url(self) -> str:
        return "/console/thing/1/"


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label="名额", min_value=1)
    reason = forms.CharField(label="原因")


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def _run(data: dict, run) -> list[tuple[str, str]]:
    request = _request()
    said = lambda d: f"名额已调整为 {d['capacity']}"  # noqa: E731
    response = steps.step(request, Target(), CapacityForm(data), run, said)
    assert (response.status_code, response["Location"]) == (302, "/console/thing/1/")
    return _said(request)


def test_the_form_errors_are_said_by_label_on_one_line():
    said = _run({"capacity": "0"}, lambda d: None)
    assert said == [("error", "名额：确保该值大于或等于1。 原因：该字段是必填项。")]


def test_a_refusal_is_said_in_its_own_words_and_a_bare_permission_denied_says_not_allowed():
    def refuse(error):
        def run(data):
            raise error

        return run

    ok = {"capacity": "3", "reason": "场地"}
    assert _run(ok, refuse(ValidationError(["名额不能少于已确认人数", "请联系活动负责人"]))) == [
        ("error", "名额不能少于已确认人数 请联系活动负责人")
    ]
    assert _run(ok, refuse(PermissionDenied("只有西湖区总工会的权益保障干部可以审批"))) == [
        ("error", "只有西湖区总工会的权益保障干部可以审批")
    ]
    assert _run(ok, refuse(PermissionDenied())) == [("error", "没有权限")]
    assert _run(ok, lambda d: None) == [("success", "名额已调整为 3")]
