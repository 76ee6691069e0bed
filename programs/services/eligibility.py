"""Who may sign up for a program: every condition, combinable, each failure told in plain words.

`reasons()` returns the list a worker sees before trying (empty = eligible); sign-up calls it again
inside the service, so a page and the API can never disagree with what the engine accepts.
"""

import datetime

from django.db.models import Aggregate, CharField, F, FilteredRelation, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from members.choices import EmploymentForm, Gender, MembershipStatus
from members.models import Membership
from orgs.models import Region
from orgs.services.employers import region_prefix

from ..choices import ProgramStatus, RegistrationStatus
from ..models import Program, Registration

# What counts as "served" for once-a-year programs: a seat confirmed or attended this calendar year.
SERVED_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED, RegistrationStatus.ATTENDED)


def active_membership(person) -> Membership | None:
    return (
        Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE)
        .select_related("union")
        .first()
    )


# ---------------------------------------------------------------- loading what reasons() needs at once
# A sign-up reads the person and the session anyway; these put the active membership's region and the
# program's allowed regions into those two reads (one statement each instead of three).


# What reasons() reads of a person besides the membership: a read for a sign-up loads only these.
PERSON_FIELDS = ("id", "user_id", "employment_form", "gender", "birth_date")


def with_membership(rows, through: str = ""):
    """Rows with their person's active membership (at most one: a partial unique index) joined in:
    `active_membership_id` (None when not a member) and `active_membership_region`. `through` is the
    path to the person ("" for people, "person__" for their users)."""
    return rows.annotate(
        _active_membership=FilteredRelation(
            f"{through}memberships", condition=Q(**{f"{through}memberships__status": MembershipStatus.ACTIVE})
        ),
        active_membership_id=F("_active_membership__id"),
        active_membership_region=F("_active_membership__union__region_id"),
    )


class _Codes(Aggregate):
    """Region codes joined by commas (codes are digits), on PostgreSQL and SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def with_region_codes(sessions):
    """Sessions with their program's allowed region codes (`program_region_codes`, "" when open to all)."""
    through = Program.regions.through
    codes = (
        through.objects.filter(program_id=OuterRef("program_id"))
        .order_by()
        .values("program_id")
        .annotate(codes=_Codes("region_id"))
        .values("codes")
    )
    return sessions.annotate(program_region_codes=Subquery(codes))


def keep_region_codes(session) -> None:
    """Hand a session's annotated region codes to its program, where reasons() looks for them."""
    codes = getattr(session, "program_region_codes", None)
    session.program.allowed_region_codes = sorted(codes.split(",")) if codes else []


def _membership_facts(person) -> tuple[bool, str]:
    """(is an active member, the member's union's region code), from with_membership() when loaded."""
    if hasattr(person, "active_membership_id"):
        return person.active_membership_id is not None, person.active_membership_region or ""
    membership = active_membership(person)
    if membership is None:
        return False, ""
    return True, membership.union.region_id or ""


def region_matches(region_code: str, allowed_codes) -> bool:
    """True when the region is one of the allowed regions or lies under one (codes nest by prefix)."""
    if not region_code:
        return False
    return any(region_code.startswith(region_prefix(code)) for code in allowed_codes)


def _when(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def window_reasons(program, at: datetime.datetime) -> list[str]:
    """Publication and sign-up window only (no person needed), for lists of programs."""
    if program.status == ProgramStatus.DRAFT:
        return [_("活动尚未发布")]
    if program.status == ProgramStatus.CLOSED:
        return [_("活动已结束")]
    if program.status == ProgramStatus.CANCELLED:
        return [_("活动已取消")]
    if program.lottery_drawn_at:
        return [_("已抽签，报名已结束")]
    if program.signup_opens_at and at < program.signup_opens_at:
        return [_("报名尚未开始，%(when)s 开始报名") % {"when": _when(program.signup_opens_at)}]
    if program.signup_closes_at and at >= program.signup_closes_at:
        return [_("报名已截止（%(when)s）") % {"when": _when(program.signup_closes_at)}]
    return []


def reasons(program, person, at: datetime.datetime | None = None) -> list[str]:
    """Plain-Chinese reasons why `person` may not sign up for `program` now; empty when eligible."""
    at = at or timezone.now()
    found = window_reasons(program, at)
    member, member_region = _membership_facts(person)

    if program.members_only and not member:
        found.append(_("本活动仅限工会会员报名，您还不是在册会员（可先申请入会）"))

    forms = list(program.employment_forms or [])
    if forms and person.employment_form not in forms:
        labels = "、".join(
            str(EmploymentForm(value).label) for value in forms if value in EmploymentForm.values
        )
        found.append(_("本活动仅限以下就业形态的职工报名：%(forms)s") % {"forms": labels})

    if program.gender:
        if not person.gender:
            found.append(
                _("本活动限%(gender)s性职工报名，您尚未登记身份证号，无法确认性别")
                % {"gender": Gender(program.gender).label}
            )
        elif person.gender != program.gender:
            found.append(_("本活动仅限%(gender)s性职工报名") % {"gender": Gender(program.gender).label})

    if program.min_age is not None or program.max_age is not None:
        age = person.age_on(timezone.localdate(at))
        if age is None:
            found.append(_("本活动有年龄要求，您尚未登记身份证号，无法确认年龄"))
        elif program.min_age is not None and age < program.min_age:
            found.append(
                _("本活动要求年满 %(min)s 周岁（您现在 %(age)s 周岁）") % {"min": program.min_age, "age": age}
            )
        elif program.max_age is not None and age > program.max_age:
            found.append(
                _("本活动要求不超过 %(max)s 周岁（您现在 %(age)s 周岁）")
                % {"max": program.max_age, "age": age}
            )

    allowed = getattr(program, "allowed_region_codes", None)  # see keep_region_codes()
    regions = list(program.regions.all()) if allowed is None else None
    if regions is not None:
        allowed = [region.pk for region in regions]
    if allowed and (not member or not region_matches(member_region, allowed)):
        if regions is None:  # only the codes were loaded: the names for the message
            regions = list(Region.objects.filter(code__in=allowed).order_by("code"))
        names = "、".join(region.name for region in regions)
        if not member:
            found.append(_("本活动仅限%(regions)s的工会会员报名，无法确认您所在地区") % {"regions": names})
        else:
            found.append(_("本活动仅限%(regions)s的工会会员报名") % {"regions": names})

    if program.once_per_year:
        year = timezone.localdate(at).year
        served = Registration.objects.filter(
            person=person, status__in=SERVED_STATUSES, session__starts_at__year=year
        )
        served = (
            served.filter(program__series_id=program.series_id)
            if program.series_id
            else served.filter(program=program)
        )
        if served.exists():
            what = _("本系列活动") if program.series_id else _("本活动")
            found.append(_("%(what)s每年限享一次，您今年已报名或参加过") % {"what": what})
    return found


def eligible(program, person, at: datetime.datetime | None = None) -> bool:
    return not reasons(program, person, at)
