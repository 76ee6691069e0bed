"""Rules of what is offered, for the console's forms and the API alike: a program's status steps, and
what a program or a series may be changed to (its union, series, co-organisers, sign-up mode).

The checks return {field: message} for the caller to show on its form or serializer; the status step
raises ValidationError, as the engine's steps do.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.history import record_action

from ..choices import ProgramStatus
from ..models import Program, ProgramSeries

# step: (statuses it starts from, status it leads to, verb for the log and the message)
STEPS = {
    "publish": ({ProgramStatus.DRAFT, ProgramStatus.CLOSED}, ProgramStatus.PUBLISHED, gettext_lazy("发布")),
    "close": ({ProgramStatus.PUBLISHED}, ProgramStatus.CLOSED, gettext_lazy("结束报名")),
}


def change_status(program: Program, step: str) -> Program:
    """Publish or close sign-up; the step is logged on the program. A program is created as a draft
    and moves only by these steps (never by editing its status)."""
    if step not in STEPS:
        raise ValidationError(
            _("未知的操作“%(step)s”（可用：%(steps)s）") % {"step": step[:30], "steps": ", ".join(STEPS)},
            code="step",
        )
    sources, target, verb = STEPS[step]
    if program.status not in sources:
        raise ValidationError(
            _("当前状态为“%s”，不能执行此操作") % program.get_status_display(), code="status"
        )
    if target == ProgramStatus.PUBLISHED and not program.sessions.exists():
        raise ValidationError(_("请先添加至少一个场次再发布"), code="sessions")
    with transaction.atomic():
        program.status = target
        program.save(update_fields=["status", "updated_at"])
        record_action(program, str(verb), "")
    return program


def program_problems(program: Program | None, *, union, series, partners, mode) -> dict[str, str]:
    """What is wrong with a program (new when `program` is None) given these values, by field."""
    problems = {}
    if union is not None and series is not None and series.union_id != union.pk:
        problems["series"] = _("请选择本工会的系列")
    if union is not None and any(not union.is_within(partner.union) for partner in partners):
        problems["partners"] = _("请选择本工会或上级工会的合作单位")
    if program is not None and program.pk and mode is not None and mode != program.mode:
        if program.lottery_drawn_at or program.registrations.exists():
            problems["mode"] = _("已有报名（或已抽签），报名方式不能再更改")
    return problems


def series_problems(series: ProgramSeries | None, *, union) -> dict[str, str]:
    """What is wrong with a series given its union: it cannot leave the union of its programs."""
    if series is not None and series.pk and union is not None and union.pk != series.union_id:
        if series.programs.exclude(union=union).exists():
            return {"union": _("系列中已有其他工会的活动，不能改到该工会")}
    return {}
