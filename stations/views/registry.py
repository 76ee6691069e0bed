from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access, geo
from core.scoping import CHANGE, EXPORT, VIEW
from core.spreadsheets import FileError
from core.steps import form_errors, refused, step
from core.views import ConsoleCreateView, ConsoleDetailView, ConsoleListView, ConsoleUpdateView

from .. import hours as rules
from ..filtersets.registry import StationFilterSet
from ..forms.registry import ClosureForm, KeeperAssignForm, PhotoForm, StationForm, StationImportForm
from ..models import Amenity, Station, StationClosure, StationKeeper, StationPhoto
from ..services import hours as hours_service
from ..services import nearest, standard, station_files
from ..services import registry as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StationListView(ConsoleListView):
    model = Station
    filterset_class = StationFilterSet
    columns = ["name", "kind", "union", "partner", "address", "open_now", "standard", "active"]
    ordering_fields = ["name", "kind", "created_at", "id"]
    default_ordering = "name"

    def get_queryset(self):
        queryset = super().get_queryset().select_related("union", "partner")
        if self.action == EXPORT:
            # The xlsx export has the import's columns, so an exported file can be edited and imported
            # again (core.exports reads `columns` after the queryset).
            self.export_columns = station_files.columns()
            self.columns = [c.key for c in self.export_columns]
            queryset = queryset.prefetch_related(Prefetch("amenities", queryset=Amenity.objects.only("code")))
        return queryset

    def paginate_queryset(self, queryset, page_size):
        result = super().paginate_queryset(queryset, page_size)
        self.open_flags = hours_service.open_flags(result[2])
        return result

    def heading(self, column):
        if self.action == EXPORT:
            return next(c.header for c in self.export_columns if c.key == column)
        if column == "open_now":
            return _("此刻")
        if column == "standard":
            return _("统一标准")
        return super().heading(column)

    def cell(self, obj, column):
        if self.action == EXPORT:
            return station_files.export_value(obj, column)
        if column == "open_now":
            flags = getattr(self, "open_flags", None)
            if flags is None or obj.pk not in flags:
                flags = hours_service.open_flags([obj])
            return _("开放") if flags[obj.pk] else _("休息")
        if column == "standard":
            return standard.standard_label(obj)
        return super().cell(obj, column)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("stations:station-add")
        context["extra_actions"] = [
            (reverse("stations:station-import"), _("导入 Excel")),
            (reverse("stations:reference-list", args=["amenities"]), _("设施与服务项目清单")),
        ]
        return context


class StationDetailView(ConsoleDetailView):
    model = Station
    template_name = "stations/station_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("union", "region", "partner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        station = self.object
        context["keepers"] = StationKeeper.objects.filter(station=station).select_related("user")
        context["week"] = hours_service.week_table(station.hours)
        context["all_day"] = rules.is_all_day(station.hours)
        context["open_now"] = hours_service.open_now(station)
        context["closures"] = station.closures.order_by("-starts_on")
        context["photos"] = station.photos.all()
        context["amenities"] = station.amenities.order_by("order", "code")
        gcj = services.position_in(station, geo.GCJ02)
        context["gcj02"] = gcj and (f"{gcj[0]:.6f}", f"{gcj[1]:.6f}")
        context["map_links"] = nearest.navigation(station)
        if context["can_change"]:
            context["assign_form"] = KeeperAssignForm(station=station)
            context["closure_form"] = ClosureForm()
            context["photo_form"] = PhotoForm()
        return context


class StationFormMixin:
    model = Station
    form_class = StationForm
    template_name = "stations/station_form.html"

    def save(self, form):
        return services.save_station(form.instance, amenities=form.cleaned_data["amenities"])


class StationCreateView(StationFormMixin, ConsoleCreateView):
    def get_initial(self):
        return {"union": self.request.GET.get("union")}


class StationUpdateView(StationFormMixin, ConsoleUpdateView):
    pass


def _changeable(request, pk) -> Station:
    # Another union's station, or one the user may only see, is simply not found.
    return get_object_or_404(Station.objects.restrict(request.user, CHANGE).select_related("union"), pk=pk)


@require_POST
@access.requires(access.SCOPED)
def keeper_assign(request, pk):
    station = _changeable(request, pk)
    form = KeeperAssignForm(request.POST, station=station)
    if not form.is_valid():
        messages.error(request, _("请选择有驿站管理员角色的用户"))
        return redirect(station)
    user = form.cleaned_data["user"]
    try:
        services.assign_keeper(station, user)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("已指派 %(user)s") % {"user": user})
    return redirect(station)


@require_POST
@access.requires(access.SCOPED)
def keeper_unassign(request, pk, user_pk):
    station = _changeable(request, pk)
    link = get_object_or_404(StationKeeper.objects.select_related("user"), station=station, user_id=user_pk)
    services.unassign_keeper(station, link.user)
    messages.success(request, _("已取消 %(user)s 的管理") % {"user": link.user})
    return redirect(station)


@require_POST
@access.requires(access.SCOPED)
def closure_add(request, pk):
    station = _changeable(request, pk)
    return step(
        request,
        station,
        ClosureForm(request.POST),
        lambda data: services.add_closure(station, **data),
        _("已添加闭站安排"),
    )


@require_POST
@access.requires(access.SCOPED)
def closure_remove(request, pk, closure_pk):
    station = _changeable(request, pk)
    closure = get_object_or_404(StationClosure, station=station, pk=closure_pk)
    services.remove_closure(closure)
    messages.success(request, _("已取消闭站安排"))
    return redirect(station)


@require_POST
@access.requires(access.SCOPED)
def photo_add(request, pk):
    station = _changeable(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        services.add_photo(station, form.cleaned_data["image"], form.cleaned_data["caption"])
        messages.success(request, _("已上传照片"))
    else:
        messages.error(request, form_errors(form))
    return redirect(station)


@require_POST
@access.requires(access.SCOPED)
def photo_remove(request, pk, photo_pk):
    station = _changeable(request, pk)
    photo = get_object_or_404(StationPhoto, station=station, pk=photo_pk)
    services.remove_photo(photo)
    messages.success(request, _("已删除照片"))
    return redirect(station)


# The scaled copies' widths as `?w=` names them (an int() of what "isdigit" took failed on "²").
_THUMB_WIDTHS = {str(width) for width in services.THUMB_WIDTHS}


@access.requires(access.PUBLIC)
def photo(request, photo_pk):
    """A station photo (`?w=160|320|640` for a scaled copy): public for an open (active) station, as
    workers see it on their phones; otherwise only to officials who may see the station."""
    shown = StationPhoto.objects.filter(pk=photo_pk, station__active=True)
    if not shown.exists():
        if not (request.user.is_authenticated and request.user.is_official):
            raise Http404
        shown = StationPhoto.objects.restrict(request.user, VIEW).filter(pk=photo_pk)
    item = get_object_or_404(shown)
    width = request.GET.get("w", "")
    try:
        if width in _THUMB_WIDTHS:
            handle = item.image.storage.open(services.thumbnail(item, int(width)), "rb")
        else:
            handle = item.image.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400" if item.station.active else "private, no-store"
    return response


# --- xlsx import ---------------------------------------------------------------------------------------


def _may_add(user) -> bool:
    return user.is_superuser or station_files.addable_unions(user).exists()


@access.requires(access.SCOPED)
def station_template(request):
    if not _may_add(request.user):
        raise Http404
    response = HttpResponse(station_files.build_template(request.user), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="stations-template.xlsx"'
    return response


@access.requires(access.SCOPED)
def station_import(request):
    if not _may_add(request.user):
        raise Http404
    form = StationImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > station_files.INLINE_BYTES:
            job = station_files.start_import(request.user, form.cleaned_data["union"], upload)
            return redirect("core:job-detail", job.pk)
        try:
            result = station_files.import_file(
                request.user, form.cleaned_data["union"], upload.read(), upload.name
            )
        except FileError as error:
            form.add_error("file", str(error))
        except PermissionDenied:
            form.add_error(None, _("超出您的管理范围，未导入。"))
        else:
            if result["imported"]:
                messages.success(
                    request,
                    _("已导入 %(rows)d 行：新增 %(created)d 个，更新 %(updated)d 个，%(unchanged)d 个无变化")
                    % result,
                )
                return redirect("stations:station-list")
    return render(request, "stations/station_import.html", {"form": form, "result": result})
