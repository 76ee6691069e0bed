"""Hardship aid (困难帮扶): application, one file per household, home visit, approval up the union tree,
public notice, payments, the yearly re-check and exit.

Life of a file (AidStatus): applied → (home visit) visited → (first approval) reviewing … → (last
approval) notice → (after the notice period) active → exited. A rejection at any level, or an objection
upheld during the notice, ends it as rejected; "send back" returns it one level down (from the first
level back to applied, when the household must be visited again).

Approval chain (`approval_chain`): the file's union, then its parent, and so on up to
settings.AID_APPROVAL_LEVELS — a number of levels (default 2: the file's union and the one above it),
or a union kind (e.g. "federation": climb until a union of that kind, included). The chain stops at the
root whatever the setting. Only the rights officials (rights or admin role) holding the role on the
awaiting union itself decide at that level: the union above cannot skip the one below.

One file per household: the household is the people in it (the applicant included). A person may be in
at most one open file (not rejected, not exited): HouseholdMember.open mirrors that, and a partial unique
index refuses a second one even when two applications race. A refusal names the existing file (number and
union) and never another person's details.

Public notice (公示): settings.AID_NOTICE_DAYS days from the last approval, showing the applicant's masked
name, the tier and the yearly standard amount for that tier (settings.AID_TIER_AMOUNTS); never an ID
number or a phone.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from core import money, notify, pii
from core.dates import past_day_problem
from core.history import record_action
from core.logging import redact
from core.scoping import CHANGE, VIEW, can
from members.models import Person

from ..choices import AidStatus, AidTier
from ..models import AidCase, AidDecision, AidDocument, AidPayment, AidVisit, HouseholdMember
from ..models.legal import RIGHTS_OFFICIALS

S = AidStatus
OPEN_STATUSES = (S.APPLIED, S.VISITED, S.REVIEWING, S.NOTICE, S.ACTIVE)
DECIDING = (S.VISITED, S.REVIEWING)
SENT_BACK = "【退回】"
MAX_HOUSEHOLD = 12
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 10
REVIEW_SOON_DAYS = 30
KIND = "hardship_aid"


# ------------------------------------------------------------------ settings


def notice_days() -> int:
    return int(getattr(settings, "AID_NOTICE_DAYS", 5))


def tier_amounts() -> dict[str, Decimal]:
    """Yearly standard amount by tier, from settings.AID_TIER_AMOUNTS ("deep=5000,relative=3000,…")."""
    amounts = {AidTier.DEEP: Decimal(5000), AidTier.RELATIVE: Decimal(3000), AidTier.ACCIDENT: Decimal(2000)}
    raw = getattr(settings, "AID_TIER_AMOUNTS", "") or ""
    for part in raw.split(","):
        key, _sep, value = part.partition("=")
        try:
            if key.strip() in AidTier.values:
                amounts[key.strip()] = Decimal(value.strip())
        except InvalidOperation:
            continue
    return amounts


def approval_chain(union) -> list:
    """The unions that approve a file of `union`, in order (see the module's docstring)."""
    ancestors = list(union.ancestors().order_by("-depth"))
    chain = [union, *ancestors]
    levels = str(getattr(settings, "AID_APPROVAL_LEVELS", "2")).strip() or "2"
    if levels.isdigit():
        return chain[: max(1, int(levels))]
    for i, node in enumerate(chain):
        if node.kind == levels:
            return chain[: i + 1]
    return chain


# ------------------------------------------------------------------ household


@dataclass
class MemberEntry:
    """One household member as typed: ID number (raw), name, relation, income, note."""

    id_number: str
    name: str
    relation: str
    annual_income: Decimal = Decimal(0)
    note: str = ""


def parse_id(raw: str, field: str = "id_number") -> str:
    try:
        return pii.parse_id_number((raw or "").strip().upper()).value
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def person_for_id(raw: str, name: str) -> Person:
    """The one Person for this ID number (found by its keyed hash), created for a non-member."""
    value = parse_id(raw)
    pii.validate_name(name)
    found = Person.objects.filter(id_number_hash=pii.lookup_hash("id", value)).first()
    if found is not None:
        if not found.name and name:
            found.name = name.strip()[:50]
            found.save(update_fields=["name", "updated_at"])
        return found
    person = Person(name=(name or "").strip()[:50])
    person.set_id_number(value)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Someone created the same person a moment ago: take theirs.
        return Person.objects.get(id_number_hash=pii.lookup_hash("id", value))
    return person


def open_file_of(person_ids) -> AidCase | None:
    """The open file any of these people is already in."""
    row = (
        HouseholdMember.objects.filter(person_id__in=list(person_ids), open=True)
        .select_related("aid_case__union")
        .order_by("aid_case_id")
        .first()
    )
    return row.aid_case if row else None


def household_refusal(case: AidCase, by=None) -> ValidationError:
    """One file a household. The open file's number and union only to an official who may see it: to
    anyone else they would tell whose household holds a hardship file (typing any ID number as a
    household member's)."""
    if by is not None and can(by, VIEW, case):
        message = _(
            "该家庭已有在档的帮扶档案（档案编号 #%(pk)s，%(union)s），一户只建一档。"
            "如需变更，请联系该工会在原档案中办理。"
        ) % {"pk": case.pk, "union": case.union.name}
    else:
        message = _("所填家庭成员中有人已在其他帮扶档案中，一户只建一档。如有疑问，请联系工会。")
    return ValidationError(message, code="household_open")


# ------------------------------------------------------------------ who may do what


def is_deciding_official(user, union) -> bool:
    """Whether `user` holds a rights or admin role on `union` itself (or is a superuser)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Role.objects.filter(user=user, union=union, kind__in=RIGHTS_OFFICIALS, active=True).exists()


def _check_change(user, case: AidCase) -> None:
    if not can(user, CHANGE, case):
        raise PermissionDenied


def _locked(case: AidCase) -> AidCase:
    return AidCase.objects.select_for_update(of=("self",)).select_related("union", "awaiting").get(pk=case.pk)


def _refresh(case: AidCase, fresh: AidCase) -> AidCase:
    for field in fresh._meta.concrete_fields:
        setattr(case, field.attname, getattr(fresh, field.attname))
    case._state.fields_cache = {}
    return case


# ------------------------------------------------------------------ messages


def _tell_applicant(case: AidCase, subject: str) -> None:
    """A site message to the applicant's account, if any: the file's number and state, nothing more."""
    user = case.applicant.user if case.applicant.user_id else None
    if user is None:
        return
    body = _("您的困难帮扶档案 #%(pk)s：%(status)s。详情请登录“娘家”查看：我的 → 我的帮扶。") % {
        "pk": case.pk,
        "status": case.get_status_display(),
    }
    notify.send_site_message(user, subject, body, kind=KIND)


def _tell_deciders(case: AidCase) -> None:
    """The awaiting union's rights officials learn that a file waits for them (number and union only)."""
    if case.awaiting_id is None:
        return
    users = {
        role.user
        for role in Role.objects.filter(union_id=case.awaiting_id, kind__in=RIGHTS_OFFICIALS, active=True)
        .select_related("user")
        .order_by("user_id")
        if role.user.is_active
    }
    for user in users:
        notify.send_site_message(
            user,
            _("困难帮扶待审批"),
            _("困难帮扶档案 #%(pk)s（%(union)s）待您所在工会审批。")
            % {"pk": case.pk, "union": case.union.name},
            kind=KIND,
        )


# ------------------------------------------------------------------ application


def check_document(upload) -> str:
    """The extension a PDF or a photo (JPG/PNG/WebP/GIF) of at most 10 MB is kept with; the content
    decides, not the name."""
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(_("材料不能超过 %(mb)d MB") % {"mb": DOCUMENT_MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "pdf"
    from stations.services.registry import check_photo

    try:
        return check_photo(upload)
    except ValidationError:
        raise ValidationError(_("只支持 PDF 文件或 JPG、PNG、WebP 照片"), code="document_type") from None


def _add_documents(case: AidCase, documents) -> list[AidDocument]:
    documents = [d for d in (documents or []) if d and d[1]]
    if case.documents.count() + len(documents) > MAX_DOCUMENTS:
        raise ValidationError({"documents": _("每份档案最多 %(n)d 份材料") % {"n": MAX_DOCUMENTS}})
    extensions = []
    for number, (_title, upload) in enumerate(documents, start=1):
        try:
            extensions.append(check_document(upload))
        except ValidationError as error:
            raise ValidationError(
                {"documents": _("第 %(n)d 份材料：%(e)s") % {"n": number, "e": " ".join(error.messages)}}
            ) from None
    made = []
    for (title, upload), extension in zip(documents, extensions, strict=True):
        # The title is shown in lists and pages: an ID number or a phone in it (a file named after its
        # owner's ID card) is masked, as in the logs.
        name = redact((title or getattr(upload, "name", "") or _("材料")).strip())[:100]
        # Stored under a random name: an uploaded file's name can carry a person's name or ID number.
        upload.name = f"{uuid.uuid4().hex}.{extension}"
        made.append(AidDocument.objects.create(aid_case=case, title=name, file=upload))
    return made


def add_documents(case: AidCase, documents, by) -> list[AidDocument]:
    """Upload documents [(title, file)] to an open file; all or nothing."""
    _check_change(by, case)
    if case.status not in OPEN_STATUSES:
        raise ValidationError(_("档案已结束，不能再上传材料"))
    with transaction.atomic():
        made = _add_documents(case, documents)
        record_action(case, "documents", _("上传材料 %(n)d 份") % {"n": len(made)})
    return made


def apply_on_behalf(*, applicant_id_number: str, applicant_name: str, **details) -> AidCase:
    """An official's application for someone found (or created, a non-member) by ID number; the rest as
    `apply`. One transaction: a refused application leaves no person behind."""
    with transaction.atomic():
        return apply(applicant=person_for_id(applicant_id_number, applicant_name), **details)


def apply(
    *,
    union,
    applicant: Person,
    tier: str,
    cause: str,
    annual_income,
    members: list[MemberEntry] = (),
    applicant_relation: str = "",
    applicant_income=None,
    documents=(),
    by=None,
    today: datetime.date | None = None,
) -> AidCase:
    """A new file for the applicant's household. `members` are the others in the household (not the
    applicant). `by` is the official applying on the applicant's behalf (None: the worker themselves).
    Raises ValidationError (field errors, or the household's open file)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if tier not in AidTier.values:
        errors["tier"] = _("请选择困难类别")
    cause = (cause or "").strip()
    if len(cause) < 5:
        errors["cause"] = _("请写明致困原因（至少 5 个字）")
    if len(members) > MAX_HOUSEHOLD:
        errors["members"] = _("家庭成员最多 %(n)d 人") % {"n": MAX_HOUSEHOLD}
    if errors:
        raise ValidationError(errors)
    income = money.amount(annual_income, "annual_income")
    if by is not None and not _may_change_union(by, union):
        raise PermissionDenied
    people: list[tuple[Person, MemberEntry | None]] = [(applicant, None)]
    seen = {applicant.pk}
    with transaction.atomic():
        for number, entry in enumerate(members, start=1):
            try:
                person = person_for_id(entry.id_number, entry.name)
            except ValidationError as error:
                raise ValidationError(
                    {
                        "members": _("第 %(n)d 位家庭成员：%(e)s")
                        % {"n": number, "e": " ".join(error.messages)}
                    }
                ) from None
            if not (entry.relation or "").strip():
                raise ValidationError(
                    {"members": _("第 %(n)d 位家庭成员：请填写与申请人关系") % {"n": number}}
                )
            if person.pk in seen:
                raise ValidationError({"members": _("第 %(n)d 位家庭成员重复填写") % {"n": number}})
            seen.add(person.pk)
            people.append((person, entry))
        existing = open_file_of(seen)
        if existing is not None:
            raise household_refusal(existing, by)
        case = AidCase.objects.create(
            union=union,
            applicant=applicant,
            tier=tier,
            cause=cause,
            annual_income=income,
            status=S.APPLIED,
            awaiting=union,
            applied_on=today,
            created_by=by,
        )
        try:
            with transaction.atomic():
                for person, entry in people:
                    HouseholdMember.objects.create(
                        aid_case=case,
                        person=person,
                        relation=(entry.relation.strip()[:20] if entry else applicant_relation or _("本人")),
                        annual_income=money.amount(entry.annual_income, "members")
                        if entry
                        else money.amount(applicant_income, "applicant_income"),
                        note=(entry.note or "").strip()[:200] if entry else "",
                        open=True,
                    )
        except IntegrityError:
            # A concurrent application took one of these people between our check and our insert.
            existing = open_file_of(seen)
            if existing is not None:
                raise household_refusal(existing, by) from None
            raise
        _add_documents(case, documents)
        record_action(
            case,
            "applied",
            _("工会代为申请") if by is not None else _("职工本人申请"),
            {"household": len(people)},
        )
    return case


def _may_change_union(user, union) -> bool:
    """An official whose rights/admin role covers `union` (its own or an ancestor's)."""
    if user.is_superuser:
        return True
    return any(union.path.startswith(path) for path in user.scope_paths(RIGHTS_OFFICIALS))


# ------------------------------------------------------------------ visit and approval


def record_visit(case: AidCase, by, visited_on: datetime.date, visitors: str, findings: str) -> AidVisit:
    _check_change(by, case)
    if not (visitors or "").strip() or len((findings or "").strip()) < 5:
        raise ValidationError(_("请填写走访人员和走访情况（至少 5 个字）"))
    problem = past_day_problem(visited_on, case.applied_on)
    if problem:
        raise ValidationError({"visited_on": _("走访日期：%(problem)s") % {"problem": problem}})
    with transaction.atomic():
        fresh = _locked(case)
        if fresh.status not in OPEN_STATUSES:
            raise ValidationError(_("档案已结束，不能再记录走访"))
        AidVisit.objects.create(
            aid_case=fresh,
            visited_on=visited_on,
            visitors=visitors.strip()[:100],
            findings=findings.strip(),
            recorded_by=by,
        )
        if fresh.status == S.APPLIED:
            fresh.status = S.VISITED
            fresh.save(update_fields=["status", "updated_at"])
        record_action(fresh, "visited", _("入户走访 %(day)s") % {"day": visited_on.isoformat()})
    return _refresh(case, fresh)


def _decide_checks(fresh: AidCase, by) -> None:
    if fresh.status == S.APPLIED:
        raise ValidationError(_("须先入户走访，才能审批"))
    if fresh.status not in DECIDING or fresh.awaiting_id is None:
        raise ValidationError(_("该档案当前不在审批中"))
    if not is_deciding_official(by, fresh.awaiting):
        raise PermissionDenied(_("只有%(union)s的权益保障干部可以审批") % {"union": fresh.awaiting.name})


@transaction.atomic
def approve(case: AidCase, by, note: str = "", today: datetime.date | None = None) -> AidCase:
    """The awaiting union approves: the file climbs to the next union, or, at the last, goes on notice."""
    today = today or timezone.localdate()
    fresh = _locked(case)
    _decide_checks(fresh, by)
    level = fresh.awaiting
    AidDecision.objects.create(
        aid_case=fresh, union=level, approved=True, note=(note or _("同意")).strip()[:200], decided_by=by
    )
    chain = approval_chain(fresh.union)
    ids = [u.pk for u in chain]
    position = ids.index(level.pk) if level.pk in ids else len(ids) - 1
    if position + 1 < len(chain):
        fresh.awaiting = chain[position + 1]
        fresh.status = S.REVIEWING
        verb, message = (
            "approved",
            _("%(union)s审批同意，报%(next)s审批")
            % {
                "union": level.name,
                "next": fresh.awaiting.name,
            },
        )
    else:
        fresh.awaiting = None
        fresh.status = S.NOTICE
        fresh.notice_starts_on = today
        fresh.notice_ends_on = today + datetime.timedelta(days=notice_days())
        verb, message = (
            "approved",
            _("%(union)s审批同意，公示至 %(end)s")
            % {
                "union": level.name,
                "end": fresh.notice_ends_on.isoformat(),
            },
        )
    fresh.save(update_fields=["awaiting", "status", "notice_starts_on", "notice_ends_on", "updated_at"])
    record_action(fresh, verb, message, {"union": level.pk})
    if fresh.status == S.NOTICE:
        _tell_applicant(fresh, _("困难帮扶审批通过，进入公示"))
    else:
        _tell_deciders(fresh)
    return _refresh(case, fresh)


def _close_household(case: AidCase) -> None:
    HouseholdMember.objects.filter(aid_case=case, open=True).update(open=False, updated_at=timezone.now())


@transaction.atomic
def reject(case: AidCase, by, reason: str) -> AidCase:
    """The awaiting union rejects (or, during the notice, the last approving union upholds an objection):
    the file ends and the household may apply again."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写不予通过的理由")})
    fresh = _locked(case)
    if fresh.status == S.NOTICE:
        level = approval_chain(fresh.union)[-1]
        if not is_deciding_official(by, level):
            raise PermissionDenied(_("只有%(union)s的权益保障干部可以处理公示异议") % {"union": level.name})
    else:
        _decide_checks(fresh, by)
        level = fresh.awaiting
    AidDecision.objects.create(aid_case=fresh, union=level, approved=False, note=reason[:200], decided_by=by)
    fresh.status = S.REJECTED
    fresh.awaiting = None
    fresh.save(update_fields=["status", "awaiting", "updated_at"])
    _close_household(fresh)
    record_action(fresh, "rejected", reason[:200], {"union": level.pk})
    _tell_applicant(fresh, _("困难帮扶申请未通过"))
    return _refresh(case, fresh)


@transaction.atomic
def send_back(case: AidCase, by, reason: str) -> AidCase:
    """Return the file one level down (from the first level: back to applied, to be visited again)."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写退回原因")})
    fresh = _locked(case)
    _decide_checks(fresh, by)
    level = fresh.awaiting
    AidDecision.objects.create(
        aid_case=fresh, union=level, approved=False, note=(SENT_BACK + reason)[:200], decided_by=by
    )
    chain = approval_chain(fresh.union)
    ids = [u.pk for u in chain]
    position = ids.index(level.pk) if level.pk in ids else 0
    if position == 0:
        fresh.status = S.APPLIED
        fresh.awaiting = fresh.union
    else:
        fresh.awaiting = chain[position - 1]
        fresh.status = S.VISITED if position - 1 == 0 else S.REVIEWING
    fresh.save(update_fields=["status", "awaiting", "updated_at"])
    record_action(fresh, "sent_back", reason[:200], {"union": level.pk, "to": fresh.awaiting_id})
    _tell_deciders(fresh)
    return _refresh(case, fresh)


def finish_notices(today: datetime.date | None = None) -> int:
    """Files whose notice period has ended become active with their first re-check a year on."""
    today = today or timezone.localdate()
    done = 0
    for pk in AidCase.objects.filter(status=S.NOTICE, notice_ends_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            fresh = AidCase.objects.select_for_update().get(pk=pk)
            if fresh.status != S.NOTICE:
                continue
            fresh.status = S.ACTIVE
            fresh.next_review_on = _a_year_on(today)
            fresh.save(update_fields=["status", "next_review_on", "updated_at"])
            record_action(fresh, "active", _("公示期满无异议，纳入在档帮扶"))
            _tell_applicant(fresh, _("已纳入困难帮扶"))
            done += 1
    return done


def _a_year_on(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# ------------------------------------------------------------------ payments, re-check, exit


def record_payment(case: AidCase, by, paid_on: datetime.date, amount, purpose: str) -> AidPayment:
    _check_change(by, case)
    amount = money.amount(amount, "amount")
    if amount <= 0:
        raise ValidationError({"amount": _("金额须大于 0")})
    if not (purpose or "").strip():
        raise ValidationError({"purpose": _("请填写用途")})
    problem = past_day_problem(paid_on, case.applied_on)
    if problem:
        raise ValidationError({"paid_on": problem})
    with transaction.atomic():
        fresh = _locked(case)
        if fresh.status != S.ACTIVE:
            raise ValidationError(_("只有在档帮扶的档案可以登记发放"))
        payment = AidPayment.objects.create(
            aid_case=fresh, paid_on=paid_on, amount=amount, purpose=purpose.strip()[:100], recorded_by=by
        )
        record_action(
            fresh, "paid", _("发放 %(amount)s 元：%(purpose)s") % {"amount": amount, "purpose": purpose}
        )
    return payment


@transaction.atomic
def recheck(case: AidCase, by, tier: str, note: str = "", today: datetime.date | None = None) -> AidCase:
    """The yearly re-check keeps or changes the tier; the next one is a year on."""
    _check_change(by, case)
    today = today or timezone.localdate()
    if tier not in AidTier.values:
        raise ValidationError({"tier": _("请选择困难类别")})
    fresh = _locked(case)
    if fresh.status != S.ACTIVE:
        raise ValidationError(_("只有在档帮扶的档案可以复核"))
    before = fresh.get_tier_display()
    fresh.tier = tier
    fresh.next_review_on = _a_year_on(today)
    fresh.save(update_fields=["tier", "next_review_on", "updated_at"])
    record_action(
        fresh,
        "rechecked",
        _("年度复核：%(before)s → %(after)s。%(note)s")
        % {"before": before, "after": fresh.get_tier_display(), "note": (note or "").strip()[:150]},
    )
    return _refresh(case, fresh)


@transaction.atomic
def exit_case(case: AidCase, by, reason: str, today: datetime.date | None = None) -> AidCase:
    """The household leaves aid (脱困, moved away…); its people may be in a new file later."""
    _check_change(by, case)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写退出原因")})
    fresh = _locked(case)
    if fresh.status in (S.EXITED, S.REJECTED):
        raise ValidationError(_("档案已结束"))
    fresh.status = S.EXITED
    fresh.awaiting = None
    fresh.exited_on = today or timezone.localdate()
    fresh.exit_reason = reason[:200]
    fresh.save(update_fields=["status", "awaiting", "exited_on", "exit_reason", "updated_at"])
    _close_household(fresh)
    record_action(fresh, "exited", reason[:200])
    _tell_applicant(fresh, _("困难帮扶档案已退出"))
    return _refresh(case, fresh)


# ------------------------------------------------------------------ lists


def due_for_review(queryset, today: datetime.date | None = None, within_days: int = REVIEW_SOON_DAYS):
    """Active files whose re-check date is past or within `within_days`."""
    today = today or timezone.localdate()
    return queryset.filter(status=S.ACTIVE, next_review_on__lte=today + datetime.timedelta(days=within_days))


def awaiting_user(queryset, user):
    """Files waiting for a decision of a union where `user` holds a rights or admin role."""
    if user.is_superuser:
        return queryset.filter(status__in=DECIDING)
    unions = Role.objects.filter(user=user, kind__in=RIGHTS_OFFICIALS, active=True).values("union_id")
    return queryset.filter(status__in=DECIDING, awaiting_id__in=unions)


def in_notice(queryset):
    return (
        queryset.filter(status=S.NOTICE).select_related("union", "applicant").order_by("notice_ends_on", "pk")
    )


def paid_total(case: AidCase) -> Decimal:
    return case.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def my_cases(person: Person):
    """The files where the person is the applicant or in the household (newest first)."""
    return (
        AidCase.objects.filter(Q(applicant=person) | Q(household__person=person))
        .distinct()
        .select_related("union", "awaiting")
        .order_by("-applied_on", "-pk")
    )
