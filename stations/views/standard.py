"""Console pages of the unified standard: checklists and their items, inspections, follow-ups."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access
from core.ids import id_from
from core.scoping import ADD, CHANGE, DELETE, can, check_write
from core.steps import form_errors, refused
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from ..filtersets.standard import ChecklistFilterSet, InspectionFilterSet
from ..forms.standard import ChecklistForm, ChecklistItemForm, FollowUpForm, InspectionForm, NewVersionForm
from ..models import Checklist, ChecklistItem, Inspection, InspectionPhoto, Station
from ..services import standard as services


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form: on its field where there is one, else above the form."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# ---------------------------------------------------------------- checklists


class ChecklistListView(ConsoleListView):
    model = Checklist
    filterset_class = ChecklistFilterSet
    columns = ["name", "version", "union", "pass_mark", "active"]
    ordering_fields = ["name", "version", "created_at"]
    default_ordering = "name"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("stations:checklist-add")
        return context


class ChecklistDetailView(ConsoleDetailView):
    model = Checklist
    template_name = "stations/checklist_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        checklist = self.object
        locked = services.is_locked(checklist)
        items = list(checklist.items.order_by("order", "pk"))
        context.update(
            items=items,
            locked=locked,
            total=sum((item.max_score for item in items), 0),
            inspection_count=checklist.inspections.count(),
            editable=context["can_change"] and not locked,
            item_form=ChecklistItemForm(form_id="item-new"),
        )
        return context


class ChecklistFormMixin:
    model = Checklist
    form_class = ChecklistForm

    def save(self, form):
        return services.save_checklist(form.instance)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)


class ChecklistCreateView(ChecklistFormMixin, ConsoleCreateView):
    def get_initial(self):
        return {"union": self.request.GET.get("union"), "pass_mark": 80}


class ChecklistUpdateView(ChecklistFormMixin, ConsoleUpdateView):
    pass


def _changeable_checklist(request, pk) -> Checklist:
    return get_object_or_404(Checklist.objects.restrict(request.user, CHANGE).select_related("union"), pk=pk)


@require_POST
@access.requires(access.SCOPED)
def checklist_item_add(request, pk):
    checklist = _changeable_checklist(request, pk)
    form = ChecklistItemForm(request.POST, instance=ChecklistItem(checklist=checklist))
    if not form.is_valid():
        messages.error(request, _("条目未添加：%(errors)s") % {"errors": form_errors(form)})
        return redirect(checklist)
    try:
        services.save_item(form.instance)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("已添加条目“%(item)s”") % {"item": form.instance.text})
    return redirect(checklist)


def _changeable_item(request, pk, item_pk) -> ChecklistItem:
    checklist = _changeable_checklist(request, pk)
    return get_object_or_404(
        ChecklistItem.objects.select_related("checklist"), checklist=checklist, pk=item_pk
    )


@require_POST
@access.requires(access.SCOPED)
def checklist_item_edit(request, pk, item_pk):
    item = _changeable_item(request, pk, item_pk)
    form = ChecklistItemForm(request.POST, instance=item)
    if not form.is_valid():
        messages.error(request, _("条目未保存：%(errors)s") % {"errors": form_errors(form)})
        return redirect(item.checklist)
    try:
        services.save_item(form.instance)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("已保存条目“%(item)s”") % {"item": item.text})
    return redirect(item.checklist)


@require_POST
@access.requires(access.SCOPED)
def checklist_item_move(request, pk, item_pk):
    item = _changeable_item(request, pk, item_pk)
    try:
        services.move_item(item, -1 if request.POST.get("direction") == "up" else 1)
    except ValidationError as error:
        refused(request, error)
    return redirect(item.checklist)


@require_POST
@access.requires(access.SCOPED)
def checklist_item_remove(request, pk, item_pk):
    item = _changeable_item(request, pk, item_pk)
    try:
        services.remove_item(item)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("已删除条目“%(item)s”") % {"item": item.text})
    return redirect(item.checklist)


@require_POST
@access.requires(access.SCOPED)
def checklist_activate(request, pk):
    checklist = _changeable_checklist(request, pk)
    try:
        services.activate(checklist)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(
            request, _("已启用，%(union)s及下级工会的站点按此标准检查") % {"union": checklist.union}
        )
    return redirect(checklist)


@require_POST
@access.requires(access.SCOPED)
def checklist_deactivate(request, pk):
    checklist = _changeable_checklist(request, pk)
    services.deactivate(checklist)
    messages.success(request, _("已停用"))
    return redirect(checklist)


@access.requires(access.SCOPED)
def checklist_new_version(request, pk):
    checklist = _changeable_checklist(request, pk)
    form = NewVersionForm(request.POST or None, checklist=checklist)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                copy = services.new_version(
                    checklist, form.cleaned_data["version"], form.cleaned_data["name"]
                )
                check_write(request.user, ADD, copy)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已复制为新版本（草稿），修改条目后请启用"))
            return redirect(copy)
    title = _("新建版本：%(checklist)s") % {"checklist": checklist}
    return render(request, "core/form.html", {"form": form, "title": title, "opts": Checklist._meta})


# ---------------------------------------------------------------- inspections


class InspectionListView(ConsoleListView):
    model = Inspection
    filterset_class = InspectionFilterSet
    template_name = "stations/inspection_list.html"
    columns = ["station", "inspected_on", "score", "result", "follow_up", "inspector"]
    ordering_fields = ["inspected_on", "score", "follow_up_on"]
    default_ordering = "-inspected_on"

    def get_queryset(self):
        return super().get_queryset().select_related("station", "inspector", "checklist")

    def heading(self, column):
        if column == "follow_up":
            return _("整改复查")
        return super().heading(column)

    def cell(self, obj, column):
        if column == "follow_up":
            if obj.follow_up_on is None:
                return ""
            if obj.followed_up_at is not None:
                return _("%(date)s 已复查") % {"date": obj.follow_up_on.isoformat()}
            if services.is_overdue(obj):
                return _("%(date)s 逾期") % {"date": obj.follow_up_on.isoformat()}
            return _("%(date)s 待复查") % {"date": obj.follow_up_on.isoformat()}
        return super().cell(obj, column)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["counts"] = services.summary_counts(self.object_list.order_by())
        return context


class InspectionDetailView(ConsoleDetailView):
    model = Inspection
    template_name = "stations/inspection_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("station__union", "checklist__union", "inspector")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inspection = self.object
        scores = list(inspection.scores.select_related("item").order_by("item__order", "item_id"))
        context.update(
            scores=scores,
            failing=[row for row in scores if row.score < row.item.max_score],
            photos=list(inspection.photos.all()),
            overdue=services.is_overdue(inspection),
            latest=services.latest_inspection(inspection.station),
            can_delete=can(self.request.user, DELETE, inspection),
            checklist_visible=can(self.request.user, "view", inspection.checklist),
        )
        if context["can_change"] and inspection.follow_up_on and inspection.followed_up_at is None:
            context["follow_up_form"] = FollowUpForm()
        return context


def _inspectable(request, pk) -> Station:
    # The roles that may add an inspection are those that may change the station (admin, service).
    return get_object_or_404(Station.objects.restrict(request.user, CHANGE).select_related("union"), pk=pk)


def _posted_checklist(request, station) -> Checklist | None:
    """The checklist the form was drawn for, if it still applies; else the one that applies now."""
    posted = id_from(request.POST.get("checklist", ""))
    if posted is not None:
        found = services.applicable_checklists(station).filter(pk=posted).first()
        if found is not None:
            return found
    return services.checklist_for(station)


@access.requires(access.SCOPED)
def inspect(request, pk):
    station = _inspectable(request, pk)
    checklist = (
        _posted_checklist(request, station) if request.method == "POST" else services.checklist_for(station)
    )
    context = {"station": station, "checklist": checklist, "opts": Inspection._meta}
    if checklist is None:
        return render(request, "stations/inspection_form.html", context)
    form = InspectionForm(request.POST or None, request.FILES or None, checklist=checklist)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                inspection = services.record_inspection(
                    station,
                    request.user,
                    form.score_inputs(),
                    checklist=checklist,
                    inspected_on=form.cleaned_data["inspected_on"],
                    findings=form.cleaned_data["findings"],
                    follow_up_on=form.cleaned_data["follow_up_on"],
                )
                for upload in form.cleaned_data["photos"]:
                    services.add_photo(inspection, upload)
                check_write(request.user, ADD, inspection)
        except services.InspectionInvalid as error:
            form.add_service_errors(error)
        except PermissionDenied:
            form.add_error(None, _("超出您的管理范围，未保存。"))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("已记录检查：得分 %(score)s，%(result)s")
                % {"score": inspection.score, "result": inspection.get_result_display()},
            )
            return redirect(inspection)
    context["form"] = form
    return render(request, "stations/inspection_form.html", context, status=200)


def _changeable_inspection(request, pk, action=CHANGE) -> Inspection:
    queryset = Inspection.objects.restrict(request.user, action).select_related("station__union", "checklist")
    return get_object_or_404(queryset, pk=pk)


@access.requires(access.SCOPED)
def inspection_correct(request, pk):
    inspection = _changeable_inspection(request, pk)
    form = InspectionForm(
        request.POST or None, request.FILES or None, checklist=inspection.checklist, inspection=inspection
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.correct_inspection(
                    inspection,
                    form.score_inputs(),
                    inspected_on=form.cleaned_data["inspected_on"],
                    findings=form.cleaned_data["findings"],
                    follow_up_on=form.cleaned_data["follow_up_on"],
                )
                for upload in form.cleaned_data["photos"]:
                    services.add_photo(inspection, upload)
        except services.InspectionInvalid as error:
            form.add_service_errors(error)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("检查记录已更正"))
            return redirect(inspection)
    context = {
        "station": inspection.station,
        "checklist": inspection.checklist,
        "inspection": inspection,
        "form": form,
        "opts": Inspection._meta,
    }
    return render(request, "stations/inspection_form.html", context)


@require_POST
@access.requires(access.SCOPED)
def inspection_follow_up(request, pk):
    inspection = _changeable_inspection(request, pk)
    form = FollowUpForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.mark_followed_up(inspection, note)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("已记录整改复查完成"))
    return redirect(inspection)


@require_POST
@access.requires(access.SCOPED)
def inspection_delete(request, pk):
    inspection = _changeable_inspection(request, pk, DELETE)
    station = inspection.station
    services.delete_inspection(inspection)
    messages.success(request, _("已删除该检查记录，站点达标状态已按上一次检查更新"))
    return redirect(station)


@access.requires(access.SCOPED)
def inspection_photo(request, pk):
    """An inspection photo, to whoever may see the inspection; media has no public URL."""
    photo = get_object_or_404(InspectionPhoto.objects.restrict(request.user), pk=pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle)
    response["X-Content-Type-Options"] = "nosniff"
    return response
