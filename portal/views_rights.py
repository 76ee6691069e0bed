"""法律咨询 on the worker's H5: ask the union's pro bono lawyers, see matching articles as you type,
"我的咨询" with the thread, follow-ups, the rating and closing.

Every step calls rights.services.legal; nothing here decides who receives or answers a question.
The question's text goes only in POST bodies (never in a URL of a page); the suggestions are fetched
from the knowledge base's public /api/v1/knowledge/suggest/?q= (rights.api.knowledge), whose query
string the access log drops (gunicorn.conf.py logs paths without query strings).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import access
from orgs.models import Region
from rights.choices import ConsultationCategory, ConsultationStatus
from rights.models import Consultation, ConsultationPhoto, Lawyer
from rights.services import legal


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several images in one input; each is checked by the service (type, size), all or nothing."""

    widget = MultipleImageInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def region_choices():
    """Regions where a union has lawyers, and the regions directly under them (streets, towns)."""
    served = Lawyer.objects.filter(active=True).values("union__region")
    lawyer_regions = Lawyer.regions.through.objects.filter(lawyer__active=True).values("region")
    regions = Region.objects.filter(
        Q(pk__in=served) | Q(parent__in=served) | Q(pk__in=lawyer_regions)
    ).order_by("code")
    return [("", _("请选择")), *((r.pk, r.name) for r in regions[:500])]


class ConsultForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("咨询类别"), choices=())
    question = forms.CharField(
        label=gettext_lazy("您的问题"),
        max_length=legal.QUESTION_MAX,
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "placeholder": gettext_lazy("说说发生了什么、您想问什么，不必写姓名和身份证号"),
                "data-suggest": "1",
                "autocomplete": "off",
            }
        ),
    )
    region = forms.ChoiceField(label=gettext_lazy("所在地区"), choices=(), required=False)
    photos = PhotosField(
        label=gettext_lazy("照片（可选，最多 5 张，每张不超过 5 MB）"),
        required=False,
        widget=MultipleImageInput(attrs={"accept": "image/*"}),
    )
    no_employer_contact = forms.BooleanField(label=gettext_lazy("不要联系我的用人单位"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("请选择")), *ConsultationCategory.choices]
        self.fields["region"].choices = region_choices()

    def clean_region(self):
        code = self.cleaned_data.get("region")
        return Region.objects.filter(pk=code).first() if code else None


def _person(request):
    user = request.user
    if not hasattr(user, "person"):
        raise Http404
    return user.person


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@never_cache
@access.requires(access.WORKER)
def consult(request):
    """The question form; suggestions appear while typing (static/js/suggest.js)."""
    person = _person(request)
    initial = {}
    membership = person.memberships.filter(status="active").select_related("union").first()
    if membership is not None:
        initial["region"] = membership.union.region_id
    form = ConsultForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = legal.submit(
                person,
                data["category"],
                data["question"],
                region=data["region"],
                no_employer_contact=data["no_employer_contact"],
                photos=data["photos"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect(f"{reverse('portal:consultation', args=[consultation.pk])}?sent=1")
    return render(
        request,
        "portal/consult.html",
        {"form": form, "suggest_url": reverse("knowledge-suggest"), "hours": legal.response_hours()},
    )


@never_cache
@access.requires(access.WORKER)
def my_consultations(request):
    person = _person(request)
    consultations = list(Consultation.objects.filter(person=person).order_by("-submitted_at", "-pk")[:100])
    return render(request, "portal/consult_mine.html", {"consultations": consultations})


def _own(request, pk) -> Consultation:
    person = _person(request)
    return get_object_or_404(
        Consultation.objects.select_related("lawyer", "union", "region"), pk=pk, person=person
    )


@never_cache
@access.requires(access.WORKER)
def consultation(request, pk):
    """The thread: the question, the lawyer's answers, follow-ups; rate after an answer; close."""
    item = _own(request, pk)
    thread = list(item.messages.order_by("sent_at", "pk"))
    suggestions = []
    if item.answered_at is None:
        # Also without JavaScript: what the knowledge base says while the lawyer has not answered yet.
        suggestions = legal.suggestions(item.question, limit=5)
    return render(
        request,
        "portal/consult_thread.html",
        {
            "item": item,
            "thread": thread,
            "photos": list(item.photos.all()),
            "suggestions": suggestions,
            "just_sent": request.GET.get("sent") == "1",
            "can_rate": item.answered_at is not None and item.rating is None,
            "closed": item.status == ConsultationStatus.CLOSED,
            "stars": range(1, 6),
        },
    )


@require_POST
@access.requires(access.WORKER)
def consultation_message(request, pk):
    item = _own(request, pk)
    try:
        legal.follow_up(item, item.person, request.POST.get("body", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("追问已发送"))
    return redirect("portal:consultation", pk=item.pk)


@require_POST
@access.requires(access.WORKER)
def consultation_rate(request, pk):
    item = _own(request, pk)
    try:
        legal.rate(item, item.person, request.POST.get("rating"), request.POST.get("comment", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("感谢您的评价"))
    return redirect("portal:consultation", pk=item.pk)


@require_POST
@access.requires(access.WORKER)
def consultation_close(request, pk):
    item = _own(request, pk)
    try:
        legal.close(item, request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("无法结束")])))
    else:
        messages.success(request, _("咨询已结束"))
    return redirect("portal:consultation", pk=item.pk)


@access.requires(access.WORKER)
def consultation_photo(request, pk):
    """A photo the worker attached, only to that worker."""
    photo = get_object_or_404(ConsultationPhoto, pk=pk, consultation__person__user=request.user)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
