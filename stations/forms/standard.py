from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import limits
from core.forms import ScopedModelForm

from ..models import Checklist, ChecklistItem
from ..services import standard as services


class ChecklistForm(ScopedModelForm):
    """A checklist's head; its items are added on its page. New checklists start as drafts."""

    class Meta:
        model = Checklist
        fields = ["name", "union", "version", "pass_mark"]
        help_texts = {
            "version": _("如 2026版；已有检查使用后不能修改，须新建版本"),
            "pass_mark": _("总分低于此分数即为未达标；必达项未得满分也为未达标"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = self.fields["union"].queryset.order_by("path")


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["category", "text", "max_score", "required"]
        widgets = {
            "category": forms.TextInput(attrs={"placeholder": _("如 统一标识"), "size": 10}),
            "text": forms.TextInput(attrs={"size": 40}),
            "max_score": forms.NumberInput(attrs={"step": "0.5", "min": "0", "style": "width:6em"}),
        }

    def __init__(self, *args, form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # The inputs sit in table cells apart from their <form>: the HTML form attribute joins them.
        if form_id:
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class NewVersionForm(forms.Form):
    version = forms.CharField(label=_("新版本"), max_length=20, help_text=_("如 2027版"))
    name = forms.CharField(label=_("名称"), max_length=100, required=False, help_text=_("留空则沿用原名称"))

    def __init__(self, *args, checklist, **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist

    def clean(self):
        cleaned = super().clean()
        version = cleaned.get("version", "").strip()
        name = (cleaned.get("name") or "").strip() or self.checklist.name
        taken = Checklist.objects.filter(union_id=self.checklist.union_id, name=name, version=version)
        if version and taken.exists():
            self.add_error("version", _("该工会已有同名同版本的标准"))
        cleaned["name"] = name
        return cleaned


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several images at once, each checked (an image, at most 5 MB)."""

    widget = MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        errors, cleaned = [], []
        image = forms.ImageField()
        for upload in uploads:
            problem = services.photo_error(upload)
            if problem:
                errors.append(problem)
                continue
            try:
                cleaned.append(image.clean(upload))
            except forms.ValidationError:
                errors.append(_("“%(name)s”不是有效的图片") % {"name": upload.name})
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class InspectionForm(forms.Form):
    """One row per checklist item (score and finding), the date, overall findings, follow-up and photos."""

    inspected_on = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    findings = forms.CharField(
        label=_("发现问题（总体）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.NOTE,
    )
    follow_up_on = forms.DateField(
        label=_("整改复查日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("未达标或有问题时请安排复查日期"),
    )
    photos = PhotosField(
        label=_("照片"), required=False, help_text=_("可多选，JPG/PNG/WebP，每张不超过 5 MB")
    )

    def __init__(self, *args, checklist, inspection=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        self.items = list(checklist.items.order_by("order", "pk"))
        current = {}
        if inspection is not None:
            current = {row.item_id: row for row in inspection.scores.all()}
            self.initial.update(
                inspected_on=inspection.inspected_on,
                findings=inspection.findings,
                follow_up_on=inspection.follow_up_on,
            )
        else:
            self.initial.setdefault("inspected_on", timezone.localdate())
        for item in self.items:
            row = current.get(item.pk)
            self.fields[f"score_{item.pk}"] = forms.CharField(
                label=item.text,
                required=False,
                initial=row.score if row else None,
                widget=forms.NumberInput(
                    attrs={"step": "0.1", "min": "0", "max": str(item.max_score), "style": "width:6em"}
                ),
            )
            self.fields[f"finding_{item.pk}"] = forms.CharField(
                label=_("问题"), required=False, max_length=200, initial=row.finding if row else ""
            )

    def rows(self):
        """(item, score field, finding field) for the template."""
        return [(item, self[f"score_{item.pk}"], self[f"finding_{item.pk}"]) for item in self.items]

    def score_inputs(self) -> list[services.ScoreInput]:
        return [
            services.ScoreInput(
                item.pk,
                self.cleaned_data.get(f"score_{item.pk}"),
                self.cleaned_data.get(f"finding_{item.pk}", ""),
            )
            for item in self.items
        ]

    def add_service_errors(self, error: services.InspectionInvalid) -> None:
        for item_id, messages in error.items.items():
            for message in messages:
                self.add_error(f"score_{item_id}", message)
        for name, messages in error.fields.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("复查情况"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
