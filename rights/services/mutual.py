"""Mutual medical aid (职工医疗互助保障): yearly plans, enrolment by union batches or one by one,
coverage periods, claims with documents, review and payment, and telling members about plan changes.

Rules decided here (the console, the H5 pages and the API all call these functions):

- Eligibility: enrolment only inside the plan's enrolment window (opens..closes, both included). A
  members-only plan takes people with an active membership in the plan union's subtree; an open plan
  (members_only=False) takes anyone, enrolled under the plan's union when not a member below it.
- Enrolment union: the enrolment belongs to the person's own union (their active membership's union,
  which lies in the picked subtree), so every level of the tree sees and counts its own members; the
  batch label says which batch enrolled them. Non-members are enrolled under the plan's union.
- Coverage: enrolled before the plan's coverage starts → the plan's whole coverage period. Enrolled
  on or after that day (a late enrolment while the window is still open) → cover starts the next day
  and ends with the plan: no back-dated cover, so nobody enrols after falling ill. The premium is the
  plan's full premium per head either way (paid by the year, as the plan says).
- A plan's premium, window, coverage period or benefits text may change while people are enrolled:
  the change is written to the plan's history and every enrolled member is told (a site message when
  they have an account, else an SMS), each message logged per person by core.notify. The text names
  the plan and the new terms only, no personal data. Enrolments follow a changed coverage period
  (the rule above, re-applied); premiums already paid are kept.
- Claims: only for an event (incurred_on) inside the enrolment's coverage and not in the future,
  with 1..10 documents (JPG/PNG/WebP/GIF images or PDF, each ≤ 10 MB; the content decides, not the
  name). Review: approve with 0 < amount ≤ claimed, or reject with a reason; then the payment record.
  The worker is told of the decision and the payment; SMS texts carry no amounts or diagnoses.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from core import money, notify, pii, spreadsheets
from core.dates import past_day_problem
from core.history import record_action, record_bulk_created
from core.scoping import ADD, CHANGE, VIEW, can
from members.models import Membership, Person
from members.services.people import find_in_scope, id_number_key

from ..choices import ClaimStatus
from ..models import ClaimDocument, MutualAidClaim, MutualAidEnrollment, MutualAidPlan

KIND = "mutual_aid"
# Up to this many enrolled members are told in the request; more, by a background job.
INLINE_TELL = 200
DOC_MAX_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 10
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# What a change to these fields means for the members told about it.
TOLD_FIELDS = (
    "premium",
    "enrol_opens_on",
    "enrol_closes_on",
    "coverage_starts_on",
    "coverage_ends_on",
    "benefits",
)
CLAIM_KINDS = [
    ("住院医疗", gettext_lazy("住院医疗")),
    ("特殊病种门诊", gettext_lazy("特殊病种门诊")),
    ("意外伤害", gettext_lazy("意外伤害")),
    ("重大疾病", gettext_lazy("重大疾病")),
    ("其他", gettext_lazy("其他")),
]
C = ClaimStatus
CENT = Decimal("0.01")


def _active_membership(person) -> Membership | None:
    return person.memberships.filter(status="active").select_related("union").first()


def _require(by, action, obj) -> None:
    if by is not None and not can(by, action, obj):
        raise PermissionDenied


# ------------------------------------------------------------------ plans


def _changes(old: MutualAidPlan, new: MutualAidPlan) -> list[str]:
    return [name for name in TOLD_FIELDS if getattr(old, name) != getattr(new, name)]


def _describe(plan: MutualAidPlan, changed: list[str]) -> str:
    parts = []
    if "premium" in changed:
        parts.append(_("每人缴费 %(p)s 元") % {"p": plan.premium})
    if {"enrol_opens_on", "enrol_closes_on"} & set(changed):
        parts.append(_("参保时间 %(a)s 至 %(b)s") % {"a": plan.enrol_opens_on, "b": plan.enrol_closes_on})
    if {"coverage_starts_on", "coverage_ends_on"} & set(changed):
        parts.append(
            _("保障期间 %(a)s 至 %(b)s") % {"a": plan.coverage_starts_on, "b": plan.coverage_ends_on}
        )
    if "benefits" in changed:
        parts.append(_("保障内容已更新"))
    return "；".join(parts)


def coverage_for(plan: MutualAidPlan, enrolled_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(start, end) of the cover of someone enrolling on `enrolled_on` (see the module's docstring)."""
    if enrolled_on < plan.coverage_starts_on:
        return plan.coverage_starts_on, plan.coverage_ends_on
    return enrolled_on + datetime.timedelta(days=1), plan.coverage_ends_on


@transaction.atomic
def save_plan(plan: MutualAidPlan, by=None) -> int:
    """Create or edit a plan; when an edit changes its terms and people are enrolled, record the
    change and tell each of them. Returns how many members were told."""
    plan.full_clean()
    old = MutualAidPlan.objects.select_for_update().filter(pk=plan.pk).first() if plan.pk else None
    plan.save()
    _require(by, CHANGE if old else ADD, plan)
    if old is None:
        return 0
    changed = _changes(old, plan)
    if not changed:
        return 0
    summary = _describe(plan, changed)
    record_action(
        plan,
        "terms_changed",
        summary,
        data={name: [str(getattr(old, name))[:200], str(getattr(plan, name))[:200]] for name in changed},
    )
    if {"coverage_starts_on", "coverage_ends_on"} & set(changed):
        _follow_coverage(plan)
    count = MutualAidEnrollment.objects.filter(plan=plan).count()
    if count <= INLINE_TELL:
        return tell_members(plan, summary)
    # Many members: a background job (progress in 后台任务), started once the change is committed.
    transaction.on_commit(partial(_start_telling, plan.pk, str(plan), summary, by))
    return count


def _start_telling(plan_id: int, label: str, summary: str, by) -> None:
    from core import jobs

    title = _("医疗互助计划调整通知：%(plan)s") % {"plan": label}
    jobs.start("mutual_notice", title, by, tell_members_task, plan_id, summary)


@task()
def tell_members_task(job_id: int, plan_id: int, summary: str) -> None:
    from core import jobs

    def work(job, progress):
        plan = MutualAidPlan.objects.get(pk=plan_id)
        progress.total(MutualAidEnrollment.objects.filter(plan=plan).count())
        return {"told": tell_members(plan, summary, progress)}

    jobs.run(job_id, work)


def _follow_coverage(plan: MutualAidPlan) -> None:
    enrolments = MutualAidEnrollment.objects.filter(plan=plan)
    enrolments.filter(enrolled_on__lt=plan.coverage_starts_on).update(
        coverage_starts_on=plan.coverage_starts_on, coverage_ends_on=plan.coverage_ends_on
    )
    # Late enrolments are few (the window closes early in the year): re-applied one by one.
    late = list(enrolments.filter(enrolled_on__gte=plan.coverage_starts_on))
    for enrolment in late:
        enrolment.coverage_starts_on, enrolment.coverage_ends_on = coverage_for(plan, enrolment.enrolled_on)
    MutualAidEnrollment.objects.bulk_update(late, ["coverage_starts_on", "coverage_ends_on"], batch_size=500)


def tell_members(plan: MutualAidPlan, summary: str, progress=None) -> int:
    """Tell every enrolled member of a plan change: a site message (account) or an SMS (phone only).
    One logged notification per person; the text has no personal data."""
    text = _("您参加的“%(plan)s”有调整：%(summary)s。详情请登录“娘家”查看：我的 → 医疗互助。") % {
        "plan": str(plan),
        "summary": summary,
    }
    subject = _("医疗互助计划调整通知")
    told = 0
    people = (
        Person.objects.filter(mutual_aid_enrollments__plan=plan)
        .only("id", "user_id", "phone_cipher")
        .select_related("user")
        .order_by("pk")
    )
    for person in people.iterator(chunk_size=500):
        if person.user_id:
            notify.send_site_message(person.user, subject, text, kind=KIND)
        elif person.phone_cipher:
            notify.send_sms(person.decrypted("phone"), text, kind=KIND)
        else:
            continue
        told += 1
        if progress is not None and told % 500 == 0:
            progress.advance(told)
    if progress is not None:
        progress.advance(told)
    return told


def plans_for(user):
    """Plans an official may see: those in their scope, and those of the unions above it — a plan of
    the express-industry union is enrolled into by the grassroots unions below it."""
    from core.fields import SEGMENT_WIDTH

    visible = MutualAidPlan.objects.restrict(user, VIEW)
    if not user.is_authenticated or user.is_superuser:
        return visible
    prefixes = set()
    for path in user.scope_paths(MutualAidEnrollment.scope.roles.get(ADD, frozenset())):
        prefixes |= {path[: i + SEGMENT_WIDTH + 1] for i in range(0, len(path), SEGMENT_WIDTH + 1)}
    if not prefixes:
        return visible
    return MutualAidPlan.objects.filter(Q(pk__in=visible.values("pk")) | Q(union__path__in=prefixes))


def window_open(plan: MutualAidPlan, on: datetime.date | None = None) -> bool:
    on = on or timezone.localdate()
    return plan.enrol_opens_on <= on <= plan.enrol_closes_on


def open_plans_for(person, on: datetime.date | None = None):
    """Plans a person may enrol in today (window open, eligible, not yet enrolled)."""
    on = on or timezone.localdate()
    membership = _active_membership(person)
    condition = Q(members_only=False)
    if membership is not None:
        own = membership.union
        condition |= Q(union__in=[own.pk, *own.ancestors().values_list("pk", flat=True)])
    return (
        MutualAidPlan.objects.filter(condition, enrol_opens_on__lte=on, enrol_closes_on__gte=on)
        .exclude(enrollments__person=person)
        .select_related("union")
        .order_by("-year", "pk")
    )


# ------------------------------------------------------------------ enrolment

# What an official enrolling by ID number is told of a number they may not see, known or not.
NOT_IN_SCOPE = gettext_lazy("您管辖范围内没有此身份证号的职工")


def enrolment_union(plan: MutualAidPlan, person):
    """The union an enrolment of `person` belongs to; ValidationError when they are not eligible."""
    membership = _active_membership(person)
    in_subtree = membership is not None and membership.union.is_within(plan.union)
    if in_subtree:
        return membership.union
    if plan.members_only:
        raise ValidationError(_("该计划仅限本工会（含下级工会）的在册会员参加"), code="not_member")
    return plan.union


def check_window(plan: MutualAidPlan, on: datetime.date) -> None:
    if not window_open(plan, on):
        raise ValidationError(
            _("不在参保时间内（%(a)s 至 %(b)s）") % {"a": plan.enrol_opens_on, "b": plan.enrol_closes_on},
            code="window",
        )


@transaction.atomic
def enrol(plan: MutualAidPlan, person, by=None, on=None, batch: str = "") -> MutualAidEnrollment:
    """Enrol one person (the worker themself when by is None, or an official on their behalf)."""
    on = on or timezone.localdate()
    check_window(plan, on)
    union = enrolment_union(plan, person)
    if MutualAidEnrollment.objects.filter(plan=plan, person=person).exists():
        raise ValidationError(_("该职工已参加本年度计划"), code="enrolled")
    start, end = coverage_for(plan, on)
    enrolment = MutualAidEnrollment(
        plan=plan,
        person=person,
        union=union,
        batch=batch[:50],
        enrolled_on=on,
        premium_paid=plan.premium,
        coverage_starts_on=start,
        coverage_ends_on=end,
    )
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        raise ValidationError(_("该职工已参加本年度计划"), code="enrolled") from None
    _require(by, ADD, enrolment)
    record_action(enrolment, "enrolled", _("个人参保") if by is None else _("工会代为参保"))
    return enrolment


def enrol_by_id_number(plan: MutualAidPlan, id_number: str, *, by) -> MutualAidEnrollment:
    """An official enrols a person they found by ID number (console and API alike). Only people in
    their scope are found: an unknown number and one of another union get the same answer, so the
    form is no oracle of who is on record."""
    person = find_in_scope(by, id_number_key(id_number))
    if person is None:
        raise ValidationError(NOT_IN_SCOPE)
    return enrol(plan, person, by=by)


@dataclass
class BatchResult:
    created: int = 0
    already: int = 0
    batch: str = ""
    problems: list = field(default_factory=list)


def default_batch(union, on: datetime.date) -> str:
    return f"{union.name[:36]} {on:%Y%m%d}"


def _check_batch(plan: MutualAidPlan, union, by, on) -> None:
    check_window(plan, on)
    if not union.is_within(plan.union):
        raise ValidationError(_("所选工会不在本计划主办工会的范围内"), code="union")
    if by is not None and not by.is_superuser:
        allowed = by.scope_paths(MutualAidEnrollment.scope.roles.get(ADD, frozenset()))
        if not any(union.path.startswith(path) for path in allowed):
            raise PermissionDenied


def _create_many(plan: MutualAidPlan, rows: list[tuple[int, int]], batch: str, on) -> int:
    """Bulk-create enrolments for (person id, union id) pairs not yet enrolled; returns how many."""
    start, end = coverage_for(plan, on)
    objs = [
        MutualAidEnrollment(
            plan=plan,
            person_id=person_id,
            union_id=union_id,
            batch=batch,
            enrolled_on=on,
            premium_paid=plan.premium,
            coverage_starts_on=start,
            coverage_ends_on=end,
        )
        for person_id, union_id in rows
    ]
    made = MutualAidEnrollment.objects.bulk_create(objs, batch_size=1000)
    record_bulk_created(made)
    return len(made)


@transaction.atomic
def enrol_batch(plan: MutualAidPlan, union, by=None, batch: str = "", on=None) -> BatchResult:
    """Enrol every active member of `union`'s subtree not yet enrolled in `plan`, in one go.

    Running it again enrols only those who joined since: idempotent."""
    on = on or timezone.localdate()
    _check_batch(plan, union, by, on)
    batch = (batch or default_batch(union, on))[:50]
    # Lock the plan: two batches at once queue here instead of colliding on (plan, person).
    MutualAidPlan.objects.select_for_update().filter(pk=plan.pk).first()
    members = Membership.objects.filter(status="active", union__path__subtree=union.path)
    enrolled = MutualAidEnrollment.objects.filter(plan=plan).values("person_id")
    rows = list(members.exclude(person_id__in=enrolled).values_list("person_id", "union_id"))
    already = members.filter(person_id__in=enrolled).count()
    created = _create_many(plan, rows, batch, on)
    if created:
        record_action(plan, "batch_enrolled", _("批次“%(b)s”参保 %(n)d 人") % {"b": batch, "n": created})
    return BatchResult(created=created, already=already, batch=batch)


# --------------------------------------------------------------- enrolment from a file of ID numbers


def columns() -> list[spreadsheets.Column]:
    return [
        spreadsheets.Column("id_number", _("身份证号"), required=True),
        spreadsheets.Column("name", _("姓名")),
    ]


def template() -> bytes:
    return spreadsheets.build_template(
        _("参保名单"),
        columns(),
        {},
        [
            _("每行一位职工：身份证号必填，姓名可填（填写时须与登记信息一致）。"),
            _("职工须为所选工会（含下级）的在册会员；已参保的职工自动跳过。"),
            _("任何一行有错误时，整个文件都不导入，请按错误报告修改后重新上传。"),
        ],
        last_row=10_001,
    )


@transaction.atomic
def enrol_from_file(
    plan: MutualAidPlan, union, content: bytes, file_name: str, by=None, batch: str = "", on=None
) -> BatchResult:
    """Enrol the people of an xlsx/csv of ID numbers (members of `union`'s subtree). All or nothing:
    any row's problem (row and column named) enrols nobody. FileError when the file is unreadable."""
    on = on or timezone.localdate()
    _check_batch(plan, union, by, on)
    batch = (batch or default_batch(union, on))[:50]
    cols = columns()
    header, rows = spreadsheets.read_rows(content, file_name, max_rows=10_000)
    index = spreadsheets.header_index(header, cols)
    if "id_number" not in index:
        raise spreadsheets.FileError(_("文件中缺少“身份证号”列"))
    id_header, name_header = cols[0].header, cols[1].header
    problems: list[spreadsheets.Problem] = []
    wanted: dict[str, tuple[int, str]] = {}  # hash -> (row, name typed)
    for number, cells in rows:
        raw = spreadsheets.text(cells[index["id_number"]] if index["id_number"] < len(cells) else "")
        if not raw:
            problems.append(spreadsheets.Problem(number, id_header, _("身份证号不能为空")))
            continue
        try:
            parsed = pii.parse_id_number(raw)
        except ValidationError as error:
            problems.append(spreadsheets.Problem(number, id_header, " ".join(error.messages)))
            continue
        digest = pii.lookup_hash("id", parsed.value)
        if digest in wanted:
            problems.append(
                spreadsheets.Problem(number, id_header, _("与第 %(r)d 行重复") % {"r": wanted[digest][0]})
            )
            continue
        name = ""
        if "name" in index and index["name"] < len(cells):
            name = spreadsheets.text(cells[index["name"]])
        wanted[digest] = (number, name)
    people = {
        p.id_number_hash: p
        for p in Person.objects.filter(id_number_hash__in=list(wanted)).only("id", "name", "id_number_hash")
    }
    memberships = dict(
        Membership.objects.filter(
            status="active", union__path__subtree=union.path, person__in=people.values()
        ).values_list("person_id", "union_id")
    )
    enrolled = set(
        MutualAidEnrollment.objects.filter(plan=plan, person__in=people.values()).values_list(
            "person_id", flat=True
        )
    )
    todo, already = [], 0
    for digest, (number, name) in wanted.items():
        person = people.get(digest)
        if person is not None and person.pk in enrolled:
            already += 1
        elif person is None or person.pk not in memberships:
            # Unknown and a member elsewhere alike: the file says nothing of people outside the union.
            problems.append(spreadsheets.Problem(number, id_header, _("不是所选工会（含下级）的在册会员")))
        elif name and person.name and name != person.name:
            problems.append(spreadsheets.Problem(number, name_header, _("姓名与身份证号登记的不一致")))
        else:
            todo.append((person.pk, memberships[person.pk]))
    if problems:
        problems.sort(key=lambda p: (p.row, p.column))
        return BatchResult(already=already, batch=batch, problems=problems)
    MutualAidPlan.objects.select_for_update().filter(pk=plan.pk).first()
    created = _create_many(plan, todo, batch, on)
    if created:
        record_action(
            plan, "batch_enrolled", _("批次“%(b)s”按名单参保 %(n)d 人") % {"b": batch, "n": created}
        )
    return BatchResult(created=created, already=already, batch=batch)


# ------------------------------------------------------------------ claims


def _document_extension(upload) -> str:
    """The extension a document is kept with (image or PDF, ≤ 10 MB); ValidationError otherwise."""
    if upload.size > DOC_MAX_BYTES:
        raise ValidationError(_("文件不能超过 %(mb)d MB") % {"mb": DOC_MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "pdf"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("只支持图片（JPG、PNG、WebP）或 PDF 文件")) from None
    finally:
        upload.seek(0)
    if kind not in IMAGE_FORMATS:
        raise ValidationError(_("只支持图片（JPG、PNG、WebP）或 PDF 文件"))
    return IMAGE_FORMATS[kind]


def validate_documents(documents) -> list[str]:
    documents = [d for d in (documents or []) if d]
    if not documents:
        raise ValidationError({"documents": _("请上传发票、病历或出院小结等材料")})
    if len(documents) > MAX_DOCUMENTS:
        raise ValidationError({"documents": _("最多上传 %(n)d 个文件") % {"n": MAX_DOCUMENTS}})
    extensions = []
    for number, upload in enumerate(documents, start=1):
        try:
            extensions.append(_document_extension(upload))
        except ValidationError as error:
            raise ValidationError(
                {"documents": _("第 %(n)d 个文件：%(e)s") % {"n": number, "e": " ".join(error.messages)}}
            ) from None
    return extensions


@transaction.atomic
def submit_claim(
    enrollment: MutualAidEnrollment,
    kind: str,
    incurred_on: datetime.date,
    amount_claimed,
    documents=(),
    by=None,
    today=None,
) -> MutualAidClaim:
    """A claim by the worker (by=None) or by an official on their behalf, with its documents."""
    today = today or timezone.localdate()
    errors = {}
    if kind not in dict(CLAIM_KINDS):
        errors["kind"] = _("请选择理赔类别")
    if incurred_on is None:
        errors["incurred_on"] = _("请填写就医日期")
    elif incurred_on > today:
        errors["incurred_on"] = _("就医日期不能晚于今天")
    elif not enrollment.coverage_starts_on <= incurred_on <= enrollment.coverage_ends_on:
        errors["incurred_on"] = _("就医日期不在保障期间内（%(a)s 至 %(b)s）") % {
            "a": enrollment.coverage_starts_on,
            "b": enrollment.coverage_ends_on,
        }
    if errors:
        raise ValidationError(errors)
    amount = money.amount(amount_claimed, "amount_claimed", positive=True)
    extensions = validate_documents(documents)
    claim = MutualAidClaim.objects.create(
        enrollment=enrollment, kind=kind, incurred_on=incurred_on, amount_claimed=amount, submitted_on=today
    )
    _require(by, ADD, claim)
    documents = [d for d in documents if d]
    for number, (upload, extension) in enumerate(zip(documents, extensions, strict=True), start=1):
        upload.seek(0)
        document = ClaimDocument(claim=claim, title=_("材料 %(n)d") % {"n": number})
        # A random name: the uploaded one can carry the worker's name or diagnosis.
        document.file.save(f"{secrets.token_hex(8)}.{extension}", ContentFile(upload.read()), save=False)
        document.save()
    record_action(claim, "submitted", _("职工提交") if by is None else _("工会代为提交"))
    return claim


def _tell_worker(claim: MutualAidClaim, subject: str, site_text: str, sms_text: str) -> None:
    person = claim.enrollment.person
    if person.user_id:
        notify.send_site_message(person.user, subject, site_text, kind=KIND)
    if person.phone_cipher:
        notify.send_sms(person.decrypted("phone"), sms_text, kind=KIND, user=person.user)


SMS_DECIDED = gettext_lazy("您的医疗互助理赔申请已有审核结果，请登录“娘家”查看：我的 → 医疗互助。")


def _locked(claim: MutualAidClaim, by) -> MutualAidClaim:
    fresh = MutualAidClaim.objects.select_for_update().select_related("enrollment__person").get(pk=claim.pk)
    _require(by, CHANGE, fresh)
    return fresh


@transaction.atomic
def approve(claim: MutualAidClaim, by, amount, note: str = "") -> MutualAidClaim:
    """Approve a submitted claim with an amount ≤ the amount claimed."""
    claim = _locked(claim, by)
    if claim.status != C.SUBMITTED:
        raise ValidationError(_("该理赔已审核"), code="status")
    approved = money.amount(amount, "amount_approved", positive=True)
    if approved > claim.amount_claimed:
        raise ValidationError({"amount_approved": _("核准金额不能超过申请金额")})
    claim.status, claim.amount_approved = C.APPROVED, approved
    claim.review_note, claim.reviewed_by = (note or "").strip()[:200], by
    claim.save(update_fields=["status", "amount_approved", "review_note", "reviewed_by", "updated_at"])
    record_action(claim, "approved", _("核准 %(a)s 元") % {"a": approved})
    _tell_worker(
        claim,
        _("医疗互助理赔已核准"),
        _("您的医疗互助理赔（%(k)s）已核准 %(a)s 元，赔付后将另行通知。") % {"k": claim.kind, "a": approved},
        str(SMS_DECIDED),
    )
    return claim


@transaction.atomic
def reject(claim: MutualAidClaim, by, reason: str) -> MutualAidClaim:
    """Reject a submitted claim; the reason is required and shown to the worker."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"review_note": _("请填写不予核准的原因")})
    claim = _locked(claim, by)
    if claim.status != C.SUBMITTED:
        raise ValidationError(_("该理赔已审核"), code="status")
    claim.status, claim.review_note, claim.reviewed_by = C.REJECTED, reason[:200], by
    claim.save(update_fields=["status", "review_note", "reviewed_by", "updated_at"])
    record_action(claim, "rejected", reason[:200])
    _tell_worker(
        claim,
        _("医疗互助理赔未核准"),
        _("您的医疗互助理赔（%(k)s）未予核准：%(r)s") % {"k": claim.kind, "r": reason[:200]},
        str(SMS_DECIDED),
    )
    return claim


@transaction.atomic
def pay(claim: MutualAidClaim, by, paid_on=None) -> MutualAidClaim:
    """Record the payment of an approved claim."""
    claim = _locked(claim, by)
    if claim.status != C.APPROVED:
        raise ValidationError(_("只有已核准的理赔可以登记赔付"), code="status")
    paid_on = paid_on or timezone.localdate()
    problem = past_day_problem(paid_on, claim.submitted_on)
    if problem:
        raise ValidationError({"paid_on": problem})
    claim.status, claim.paid_on = C.PAID, paid_on
    claim.save(update_fields=["status", "paid_on", "updated_at"])
    record_action(claim, "paid", _("赔付 %(a)s 元") % {"a": claim.amount_approved})
    _tell_worker(
        claim,
        _("医疗互助理赔已赔付"),
        _("您的医疗互助理赔（%(k)s）%(a)s 元已于 %(d)s 赔付。")
        % {"k": claim.kind, "a": claim.amount_approved, "d": paid_on},
        _("您的医疗互助理赔款已赔付，请留意到账情况。详情请登录“娘家”查看：我的 → 医疗互助。"),
    )
    return claim


# ------------------------------------------------------------------ figures


def plan_figures(plan: MutualAidPlan, enrolments=None, claims=None) -> dict:
    """Enrolled people, premium collected and claims totals of a plan (within the given querysets)."""
    from django.db.models import Count, Sum

    enrolments = enrolments if enrolments is not None else MutualAidEnrollment.objects.all()
    claims = claims if claims is not None else MutualAidClaim.objects.all()
    row = enrolments.filter(plan=plan).aggregate(people=Count("id"), premium=Sum("premium_paid"))
    by_status = dict(
        claims.filter(enrollment__plan=plan)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    sums = claims.filter(enrollment__plan=plan).aggregate(
        claimed=Sum("amount_claimed"),
        approved=Sum("amount_approved", filter=Q(status__in=(C.APPROVED, C.PAID))),
        paid=Sum("amount_approved", filter=Q(status=C.PAID)),
    )

    def yuan(value) -> Decimal:
        return Decimal(value or 0).quantize(CENT)

    return {
        "people": row["people"],
        "premium": yuan(row["premium"]),
        "claims": sum(by_status.values()),
        "by_status": [(label, by_status.get(value, 0)) for value, label in C.choices],
        "claimed": yuan(sums["claimed"]),
        "approved": yuan(sums["approved"]),
        "paid": yuan(sums["paid"]),
    }
