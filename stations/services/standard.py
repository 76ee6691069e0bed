"""The unified standard (统一标识、统一标准、统一管理): checklists, versions, inspections, follow-ups.

A union sets a checklist for the stations of its subtree; the one that applies to a station is
the active checklist of the nearest union up the tree (`checklist_for`). Once an inspection uses
a checklist it is frozen: a change means a new version (`new_version`), so every inspection keeps
meaning what it meant when it was scored. Each station carries its latest inspection's score and
result (`Station.standard_score`, `below_standard`, `inspected_on`), kept here and nowhere else.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import range_problem
from core.fields import SEGMENT_WIDTH
from core.history import record_action
from orgs.models import Union

from ..choices import InspectionResult
from ..models import Checklist, ChecklistItem, Inspection, InspectionPhoto, InspectionScore, Station

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
SCORE_STEP = Decimal("0.1")


# ---------------------------------------------------------------- which checklist applies


def covering_paths(union: Union) -> list[str]:
    """The union's path and its ancestors' paths, the union's own last."""
    step = SEGMENT_WIDTH + 1
    return [union.path[:end] for end in range(step, len(union.path) + 1, step)]


def applicable_checklists(station: Station):
    """Active checklists of the station's union and of every union above it, nearest first."""
    return (
        Checklist.objects.filter(active=True, union__path__in=covering_paths(station.union))
        .select_related("union")
        .order_by(Length("union__path").desc(), "-pk")
    )


def checklist_for(station: Station) -> Checklist | None:
    """The active checklist of the nearest union up the tree (the station's union, then its ancestors)."""
    return applicable_checklists(station).first()


# ---------------------------------------------------------------- checklists and their versions


def is_locked(checklist: Checklist) -> bool:
    """Whether an inspection has used the checklist, so it may no longer change (only a new version)."""
    return checklist.pk is not None and checklist.inspections.exists()


def _refuse_if_locked(checklist: Checklist) -> None:
    if is_locked(checklist):
        raise ValidationError(
            _("已有站点按“%(checklist)s”检查过，不能再修改；请新建版本后修改。") % {"checklist": checklist},
            code="locked",
        )


def total_max(checklist: Checklist) -> Decimal:
    return checklist.items.aggregate(total=Sum("max_score"))["total"] or Decimal(0)


FROZEN_FIELDS = ("union_id", "version", "pass_mark")


@transaction.atomic
def save_checklist(checklist: Checklist) -> Checklist:
    """Create (as a draft, not yet in force) or change a checklist; a used one keeps its union, version
    and pass mark."""
    if checklist.pk is None:
        checklist.active = False
    else:
        stored = Checklist.objects.select_for_update().get(pk=checklist.pk)
        changed = [name for name in FROZEN_FIELDS if getattr(stored, name) != getattr(checklist, name)]
        if changed and is_locked(checklist):
            _refuse_if_locked(checklist)
        raised = checklist.pass_mark != stored.pass_mark
        if raised and checklist.active and checklist.pass_mark > total_max(checklist):
            raise ValidationError(
                {
                    "pass_mark": _("达标分数线不能高于各条目分值之和（%(total)s）")
                    % {"total": total_max(checklist)}
                }
            )
    checklist.full_clean()
    checklist.save()
    return checklist


@transaction.atomic
def create_checklist(checklist: Checklist, items: Iterable[ChecklistItem] = ()) -> Checklist:
    """A new checklist with its items, as a draft: it applies to stations once activated."""
    save_checklist(checklist)
    for order, item in enumerate(items, start=1):
        item.checklist = checklist
        item.order = order
        item.full_clean()
        item.save()
    return checklist


@transaction.atomic
def replace_items(checklist: Checklist, items: Iterable[ChecklistItem]) -> None:
    """Set a checklist's items anew, in the given order (the API's way of editing them)."""
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    _refuse_if_locked(checklist)
    items = list(items)
    if checklist.active and not items:
        raise ValidationError({"items": [_("现行标准至少要有一个条目")]})
    checklist.items.all().delete()
    for order, item in enumerate(items, start=1):
        item.pk = None
        item.checklist = checklist
        item.order = order
        item.full_clean()
        item.save()
    if checklist.active and checklist.pass_mark > total_max(checklist):
        raise ValidationError(
            {
                "pass_mark": _("达标分数线不能高于各条目分值之和（%(total)s）")
                % {"total": total_max(checklist)}
            }
        )


def _next_order(checklist: Checklist) -> int:
    return (checklist.items.aggregate(top=Max("order"))["top"] or 0) + 1


@transaction.atomic
def save_item(item: ChecklistItem) -> ChecklistItem:
    """Add or change one item of a checklist no inspection has used yet."""
    checklist = Checklist.objects.select_for_update().get(pk=item.checklist_id)
    _refuse_if_locked(checklist)
    if item.pk is None:
        item.order = _next_order(checklist)
    else:
        moved = ChecklistItem.objects.filter(pk=item.pk).exclude(checklist=checklist).exists()
        if moved:
            raise ValidationError(_("条目不能移到另一个标准"), code="moved")
    item.full_clean()
    item.save()
    if checklist.active and checklist.pass_mark > total_max(checklist):
        raise ValidationError(
            _("修改后各条目分值之和（%(total)s）低于达标分数线 %(mark)s")
            % {"total": total_max(checklist), "mark": checklist.pass_mark},
            code="below_pass_mark",
        )
    return item


@transaction.atomic
def remove_item(item: ChecklistItem) -> None:
    checklist = Checklist.objects.select_for_update().get(pk=item.checklist_id)
    _refuse_if_locked(checklist)
    if checklist.active and checklist.items.count() <= 1:
        raise ValidationError(_("现行标准至少要有一个条目"), code="last_item")
    item.delete()
    if checklist.active and checklist.pass_mark > total_max(checklist):
        raise ValidationError(
            _("删除后各条目分值之和（%(total)s）低于达标分数线 %(mark)s")
            % {"total": total_max(checklist), "mark": checklist.pass_mark},
            code="below_pass_mark",
        )
    _renumber(list(checklist.items.order_by("order", "pk")))


def _renumber(items: list[ChecklistItem]) -> None:
    for order, item in enumerate(items, start=1):
        if item.order != order:
            item.order = order
            item.save(update_fields=["order", "updated_at"])


@transaction.atomic
def move_item(item: ChecklistItem, step: int) -> None:
    """Move an item up (step -1) or down (+1) the checklist's order."""
    checklist = Checklist.objects.select_for_update().get(pk=item.checklist_id)
    _refuse_if_locked(checklist)
    items = list(checklist.items.order_by("order", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    _renumber(items)


@transaction.atomic
def new_version(checklist: Checklist, version: str, name: str = "") -> Checklist:
    """A draft copy of `checklist`, items included, under a new version label, to change and activate."""
    copy = Checklist(
        union=checklist.union,
        name=name or checklist.name,
        version=version,
        pass_mark=checklist.pass_mark,
    )
    items = [
        ChecklistItem(category=i.category, text=i.text, max_score=i.max_score, required=i.required)
        for i in checklist.items.order_by("order", "pk")
    ]
    create_checklist(copy, items)
    record_action(copy, "copied", _("由“%(checklist)s”复制为新版本") % {"checklist": checklist})
    return copy


@transaction.atomic
def activate(checklist: Checklist) -> Checklist:
    """Put a checklist in force for its union's subtree, retiring the union's other active versions."""
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    total = total_max(checklist)
    if not checklist.items.exists():
        raise ValidationError(_("请先添加检查条目再启用"), code="empty")
    if checklist.pass_mark > total:
        raise ValidationError(
            _("达标分数线 %(mark)s 高于各条目分值之和 %(total)s，无法启用")
            % {"mark": checklist.pass_mark, "total": total},
            code="pass_mark",
        )
    for other in Checklist.objects.filter(union_id=checklist.union_id, active=True).exclude(pk=checklist.pk):
        other.active = False
        other.save(update_fields=["active", "updated_at"])
        record_action(other, "retired", _("被新版本“%(checklist)s”取代") % {"checklist": checklist})
    if not checklist.active:
        checklist.active = True
        checklist.save(update_fields=["active", "updated_at"])
        record_action(checklist, "activated", _("启用"))
    return checklist


@transaction.atomic
def deactivate(checklist: Checklist) -> Checklist:
    if checklist.active:
        checklist.active = False
        checklist.save(update_fields=["active", "updated_at"])
        record_action(checklist, "retired", _("停用"))
    return checklist


# ---------------------------------------------------------------- inspections


@dataclass
class ScoreInput:
    """One row of an inspection as submitted: the item, its score (None when left empty), the finding."""

    item_id: int
    score: object
    finding: str = ""


class InspectionInvalid(ValidationError):
    """Refused inspection data: `items` maps an item's id to its messages, `fields` a field to its own."""

    def __init__(self, items: dict[int, list[str]], fields: dict[str, list[str]]):
        self.items = items
        self.fields = fields
        messages = {**fields, **{f"item_{pk}": errors for pk, errors in items.items()}}
        super().__init__(messages)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@dataclass
class Outcome:
    total: Decimal
    result: str
    failing: list[ChecklistItem]


def score(checklist: Checklist, scores: dict[int, Decimal]) -> Outcome:
    """Total and result: failed below the pass mark, or when any required item fell short of its maximum."""
    items = list(checklist.items.order_by("order", "pk"))
    total = sum((scores[item.pk] for item in items), Decimal(0))
    failing = [item for item in items if scores[item.pk] < item.max_score]
    required_failed = any(item.required for item in failing)
    failed = total < checklist.pass_mark or required_failed
    return Outcome(total, InspectionResult.FAILED if failed else InspectionResult.PASSED, failing)


def validate_scores(checklist: Checklist, rows: Iterable[ScoreInput]) -> tuple[dict, dict]:
    """(item id -> Decimal score and finding, item id -> errors): every item scored once, within
    0..max_score in steps of 0.1, with a finding wherever the score is below the maximum."""
    items = {item.pk: item for item in checklist.items.all()}
    given: dict[int, ScoreInput] = {}
    errors: dict[int, list[str]] = {}
    unknown = []
    for row in rows:
        if row.item_id not in items:
            unknown.append(row.item_id)
        elif row.item_id in given:
            errors.setdefault(row.item_id, []).append(_("该条目重复评分"))
        else:
            given[row.item_id] = row
    cleaned: dict[int, tuple[Decimal, str]] = {}
    for pk, item in items.items():
        row = given.get(pk)
        value = _decimal(row.score) if row else None
        finding = (row.finding or "").strip() if row else ""
        problems = errors.setdefault(pk, [])
        if row is None or row.score in (None, ""):
            problems.append(_("请为“%(item)s”打分") % {"item": item.text})
        elif value is None:
            problems.append(_("“%(item)s”的得分须为数字") % {"item": item.text})
        elif value < 0 or value > item.max_score:
            problems.append(
                _("“%(item)s”的得分须在 0 到 %(max)s 之间") % {"item": item.text, "max": item.max_score}
            )
        elif value != value.quantize(SCORE_STEP):
            problems.append(_("得分最多保留一位小数"))
        elif value < item.max_score and not finding:
            problems.append(_("“%(item)s”未得满分，请写明发现的问题") % {"item": item.text})
        elif len(finding) > InspectionScore._meta.get_field("finding").max_length:
            problems.append(_("问题描述不能超过 200 字"))
        if not problems:
            cleaned[pk] = (value.quantize(SCORE_STEP), finding)
    errors = {pk: problems for pk, problems in errors.items() if problems}
    fields = {}
    if unknown:
        fields["scores"] = [_("有得分不属于该标准的条目：%(ids)s") % {"ids": ", ".join(map(str, unknown))}]
    return cleaned, {"items": errors, "fields": fields}


def _check_fields(station, checklist, inspected_on, follow_up_on) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if checklist is None:
        fields["checklist"] = [_("该站点所属工会及上级工会均未启用站点标准")]
    elif not applicable_checklists(station).filter(pk=checklist.pk).exists():
        fields["checklist"] = [_("该标准不适用于此站点（须为本级或上级工会的现行标准）")]
    today = timezone.localdate()
    if problem := range_problem(inspected_on):
        fields["inspected_on"] = [problem]
    elif inspected_on > today:
        fields["inspected_on"] = [_("检查日期不能晚于今天")]
    if follow_up_on is not None and (problem := range_problem(follow_up_on)):
        fields["follow_up_on"] = [problem]
    elif follow_up_on is not None and follow_up_on < inspected_on:
        fields["follow_up_on"] = [_("整改复查日期不能早于检查日期")]
    return fields


def _apply_scores(inspection: Inspection, cleaned: dict[int, tuple[Decimal, str]]) -> None:
    existing = {row.item_id: row for row in inspection.scores.all()}
    for item_id, (value, finding) in cleaned.items():
        row = existing.get(item_id)
        if row is None:
            InspectionScore.objects.create(
                inspection=inspection, item_id=item_id, score=value, finding=finding
            )
        elif (row.score, row.finding) != (value, finding):
            row.score, row.finding = value, finding
            row.save()


@transaction.atomic
def record_inspection(
    station: Station,
    inspector,
    rows: Iterable[ScoreInput],
    *,
    checklist: Checklist | None = None,
    inspected_on: datetime.date | None = None,
    findings: str = "",
    follow_up_on: datetime.date | None = None,
) -> Inspection:
    """Inspect a station against its checklist (by default the one `checklist_for` gives): one score
    per item, all saved or none; the station's flags follow; earlier open follow-ups are closed by it."""
    station = Station.objects.select_for_update().select_related("union").get(pk=station.pk)
    checklist = checklist if checklist is not None else checklist_for(station)
    inspected_on = inspected_on or timezone.localdate()
    fields = _check_fields(station, checklist, inspected_on, follow_up_on)
    if "checklist" in fields:
        raise InspectionInvalid({}, fields)
    cleaned, errors = validate_scores(checklist, rows)
    fields.update(errors["fields"])
    if errors["items"] or fields:
        raise InspectionInvalid(errors["items"], fields)
    outcome = score(checklist, {pk: value for pk, (value, _f) in cleaned.items()})
    inspection = Inspection.objects.create(
        station=station,
        checklist=checklist,
        inspector=inspector,
        inspected_on=inspected_on,
        score=outcome.total,
        result=outcome.result,
        findings=findings.strip(),
        follow_up_on=follow_up_on,
    )
    _apply_scores(inspection, cleaned)
    _close_earlier_follow_ups(inspection)
    refresh_station(station)
    return inspection


@transaction.atomic
def correct_inspection(
    inspection: Inspection,
    rows: Iterable[ScoreInput],
    *,
    inspected_on: datetime.date | None = None,
    findings: str | None = None,
    follow_up_on: datetime.date | None = None,
) -> Inspection:
    """Correct an inspection's scores, date, findings or follow-up date; the station's flags follow."""
    inspection = (
        Inspection.objects.select_for_update()
        .select_related("checklist", "station__union")
        .get(pk=inspection.pk)
    )
    inspected_on = inspected_on or inspection.inspected_on
    fields = _check_fields(inspection.station, inspection.checklist, inspected_on, follow_up_on)
    # The checklist it was scored against stays, even if retired since.
    fields.pop("checklist", None)
    cleaned, errors = validate_scores(inspection.checklist, rows)
    fields.update(errors["fields"])
    if errors["items"] or fields:
        raise InspectionInvalid(errors["items"], fields)
    outcome = score(inspection.checklist, {pk: value for pk, (value, _f) in cleaned.items()})
    _apply_scores(inspection, cleaned)
    inspection.inspected_on = inspected_on
    inspection.score, inspection.result = outcome.total, outcome.result
    if findings is not None:
        inspection.findings = findings.strip()
    inspection.follow_up_on = follow_up_on
    inspection.save()
    refresh_station(inspection.station)
    return inspection


@transaction.atomic
def delete_inspection(inspection: Inspection) -> None:
    """Remove an inspection recorded by mistake; the station falls back to its previous one."""
    station = inspection.station
    inspection.delete()
    refresh_station(station)


def latest_inspection(station: Station) -> Inspection | None:
    return station.inspections.order_by("-inspected_on", "-pk").first()


def refresh_station(station: Station) -> None:
    """Copy the latest inspection's score, result and date onto the station (for lists and filters).

    A plain UPDATE: these are a cache of the inspections, which have their own history."""
    latest = latest_inspection(station)
    values = {
        "standard_score": latest.score if latest else None,
        "below_standard": bool(latest and latest.result == InspectionResult.FAILED),
        "inspected_on": latest.inspected_on if latest else None,
    }
    Station.objects.filter(pk=station.pk).update(**values)
    for name, value in values.items():
        setattr(station, name, value)


def _close_earlier_follow_ups(inspection: Inspection) -> None:
    # A later inspection of the same station is the re-inspection the follow-up date asked for.
    earlier = Inspection.objects.filter(
        station_id=inspection.station_id,
        follow_up_on__isnull=False,
        followed_up_at__isnull=True,
        inspected_on__lte=inspection.inspected_on,
    ).exclude(pk=inspection.pk)
    for open_one in earlier:
        mark_followed_up(
            open_one,
            _("复查：%(date)s 再次检查，得分 %(score)s")
            % {"date": inspection.inspected_on.isoformat(), "score": inspection.score},
        )


@transaction.atomic
def mark_followed_up(inspection: Inspection, note: str = "") -> Inspection:
    """Record that the findings were followed up (rectified and checked)."""
    if inspection.follow_up_on is None:
        raise ValidationError(_("该检查没有安排整改复查"), code="none")
    if inspection.followed_up_at is not None:
        raise ValidationError(_("该检查已复查完成"), code="done")
    inspection.followed_up_at = timezone.now()
    inspection.save(update_fields=["followed_up_at", "updated_at"])
    record_action(inspection, "followed_up", note.strip() or _("整改复查完成"))
    return inspection


def open_follow_ups(queryset=None):
    queryset = Inspection.objects.all() if queryset is None else queryset
    return queryset.filter(follow_up_on__isnull=False, followed_up_at__isnull=True)


def overdue_follow_ups(queryset=None, today: datetime.date | None = None):
    """Inspections whose follow-up date has passed without the follow-up being recorded, oldest first."""
    today = today or timezone.localdate()
    return open_follow_ups(queryset).filter(follow_up_on__lt=today).order_by("follow_up_on", "pk")


def is_overdue(inspection: Inspection, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(
        inspection.follow_up_on and inspection.followed_up_at is None and inspection.follow_up_on < today
    )


def failing_scores(inspection: Inspection):
    """The scores below their item's maximum, in checklist order."""
    return (
        inspection.scores.filter(score__lt=F("item__max_score"))
        .select_related("item")
        .order_by("item__order", "item_id")
    )


def standard_label(station: Station) -> str:
    """The station list's cell: 未达标 / 达标 with the latest score, or 未检查."""
    if station.inspected_on is None:
        return _("未检查")
    label = _("未达标") if station.below_standard else _("达标")
    return f"{label} {station.standard_score}"


# ---------------------------------------------------------------- photos


def photo_error(upload) -> str | None:
    """Why an uploaded inspection photo is refused, or None."""
    if upload.size > PHOTO_MAX_BYTES:
        return _("照片“%(name)s”超过 5 MB") % {"name": upload.name}
    content_type = getattr(upload, "content_type", "") or ""
    if content_type and content_type not in PHOTO_TYPES:
        return _("照片“%(name)s”须为 JPG、PNG 或 WebP 图片") % {"name": upload.name}
    return None


@transaction.atomic
def add_photo(inspection: Inspection, upload, caption: str = "") -> InspectionPhoto:
    problem = photo_error(upload)
    if problem:
        raise ValidationError(problem, code="photo")
    photo = InspectionPhoto(inspection=inspection, image=upload, caption=caption.strip()[:100])
    photo.full_clean()
    photo.save()
    return photo


def summary_counts(queryset) -> dict:
    """Counts for a list's head: inspected, failed, open and overdue follow-ups."""
    today = timezone.localdate()
    return queryset.aggregate(
        inspections=Count("pk"),
        failed=Count("pk", filter=Q(result=InspectionResult.FAILED)),
        open_follow_ups=Count("pk", filter=Q(follow_up_on__isnull=False, followed_up_at__isnull=True)),
        overdue=Count(
            "pk", filter=Q(follow_up_on__lt=today, follow_up_on__isnull=False, followed_up_at__isnull=True)
        ),
    )
