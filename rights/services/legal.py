"""Legal consultations (法律咨询): which union receives a question, which lawyer answers it, the response
time target and its escalation, the thread, the worker's rating, closing, and rights cases.

Which union receives a consultation (`receiving_union`):
1. the person's active membership's union, or its nearest ancestor, that has an active lawyer;
2. otherwise (not a member, or no lawyer up their tree) by the region given: the union whose region is
   that region or its nearest ancestor region and that has an active lawyer (the highest such union
   when several share the region, e.g. the district federation rather than a street union);
3. otherwise the member's own union, so the question still reaches a rights official.

Routing inside that union's pool (`pick_lawyer`): an active lawyer whose categories contain the
consultation's (empty = every category) and whose regions cover its region (the region or one of its
ancestors; empty = everywhere), with fewer open consultations than `max_open`. "Open" means assigned and
not yet answered: that is the lawyer's queue. Of those, the fewest open wins; ties go to the lawyer whose
last assignment is the earliest (never assigned first), then the lowest id. When nobody fits, the
consultation waits unassigned and the union's rights officials get a site message; waiting ones are
routed again whenever a lawyer answers (capacity frees up) or an official reassigns.

The response target is settings.CONSULTATION_RESPONSE_HOURS from submission; `escalate_overdue` marks
unanswered ones past it once (escalated_at) and tells the union's rights officials.

The question's text never goes into an SMS, a notification or a log line: it can name the employer.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import RoleKind
from accounts.models import Role
from core import limits, notify
from core.dates import past_day_problem
from core.history import record_action

from ..choices import CaseOutcome, ConsultationCategory, ConsultationStatus, MessageAuthor
from ..models import Consultation, ConsultationMessage, ConsultationPhoto, Lawyer, RightsCase

S = ConsultationStatus
OPEN_FOR_LAWYER = (S.ASSIGNED,)
UNANSWERED = (S.SUBMITTED, S.ASSIGNED)
MAX_PHOTOS = 5
QUESTION_MAX = limits.NOTE  # the models' bounds (Consultation.question, ConsultationMessage.body)
MESSAGE_MAX = limits.NOTE
KIND = "legal_consultation"


# ------------------------------------------------------------------ who receives, who answers


def region_chain(region) -> list:
    """The region and its ancestors, nearest first."""
    chain, node = [], region
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def serving_lawyers():
    """Lawyers who take questions: active in the pool and still holding a lawyer role (a revoked role
    leaves the pool entry behind; questions routed to it would wait for someone who cannot answer)."""
    holders = Role.objects.filter(kind=RoleKind.LAWYER, active=True).values("user_id")
    return Lawyer.objects.filter(active=True, user_id__in=holders)


def _unions_with_lawyers():
    return serving_lawyers().values("union_id")


def receiving_union(person, region=None):
    """The union that receives a consultation from `person` (see the module's docstring); None if none."""
    from orgs.models import Union

    membership = person.memberships.filter(status="active").select_related("union").first()
    with_lawyers = set(_unions_with_lawyers().values_list("union_id", flat=True))
    if membership is not None:
        own = membership.union
        chain = [own, *own.ancestors().order_by("-depth")]
        for union in chain:
            if union.pk in with_lawyers:
                return union
    if region is not None:
        for node in region_chain(region):
            found = (
                Union.objects.filter(region=node, pk__in=with_lawyers, status="active")
                .order_by("depth", "pk")
                .first()
            )
            if found is not None:
                return found
    return membership.union if membership is not None else None


def _covers(lawyer_region_codes: set[str], region) -> bool:
    if not lawyer_region_codes:
        return True
    if region is None:
        return False
    return any(node.code in lawyer_region_codes for node in region_chain(region))


def candidates(consultation: Consultation) -> list[Lawyer]:
    """Lawyers of the receiving union who could take `consultation` now, best first."""
    lawyers = (
        serving_lawyers()
        .filter(union_id=consultation.union_id)
        .annotate(
            open_count=Count("consultations", filter=Q(consultations__status__in=OPEN_FOR_LAWYER)),
            last_assigned=Max("consultations__assigned_at"),
        )
        .prefetch_related("regions")
    )
    fitting = []
    for lawyer in lawyers:
        if lawyer.categories and consultation.category not in lawyer.categories:
            continue
        if not _covers({r.code for r in lawyer.regions.all()}, consultation.region):
            continue
        if lawyer.open_count >= lawyer.max_open:
            continue
        fitting.append(lawyer)
    fitting.sort(
        key=lambda lw: (
            lw.open_count,
            lw.last_assigned is not None,
            lw.last_assigned.timestamp() if lw.last_assigned else 0,
            lw.pk,
        )
    )
    return fitting


def pick_lawyer(consultation: Consultation) -> Lawyer | None:
    """The best candidate, with every candidate's row locked and open count read again under the
    locks, so two questions routed at once never take a lawyer past max_open (call inside a
    transaction). The candidates are locked together in id order: locked one by one in order of
    preference, two questions whose preferences differed took two lawyers in opposite orders and
    deadlocked (PostgreSQL refused one of them)."""
    preferred = candidates(consultation)
    if not preferred:
        return None
    locked = {
        lawyer.pk: lawyer
        for lawyer in serving_lawyers()
        .select_for_update()
        .filter(pk__in=[c.pk for c in preferred])
        .order_by("pk")
    }
    open_now = dict(
        Consultation.objects.filter(lawyer__in=list(locked), status__in=OPEN_FOR_LAWYER)
        .values("lawyer")
        .annotate(n=Count("id"))
        .values_list("lawyer", "n")
    )
    for candidate in preferred:
        lawyer = locked.get(candidate.pk)
        if lawyer is not None and open_now.get(lawyer.pk, 0) < lawyer.max_open:
            return lawyer
    return None


def _assign(consultation: Consultation, lawyer: Lawyer, now, note: str) -> None:
    consultation.lawyer = lawyer
    consultation.assigned_at = now
    if consultation.status in UNANSWERED:
        consultation.status = S.ASSIGNED
    consultation.save(update_fields=["lawyer", "assigned_at", "status", "updated_at"])
    record_action(consultation, "assigned", note, {"lawyer": lawyer.pk})
    notify.send_site_message(
        lawyer.user,
        _("新的法律咨询"),
        _("您有一条新的法律咨询待答复（%(category)s #%(pk)s），请在 %(due)s 前答复。")
        % {
            "category": consultation.get_category_display(),
            "pk": consultation.pk,
            "due": timezone.localtime(consultation.due_at).strftime("%m-%d %H:%M")
            if consultation.due_at
            else "",
        },
        kind=KIND,
    )


def rights_officials(union) -> list:
    """Users holding the rights role (active) on `union`; if none, on its nearest ancestor that has one."""
    chain = [union, *union.ancestors().order_by("-depth")]
    for node in chain:
        users = [
            role.user
            for role in Role.objects.filter(union=node, kind=RoleKind.RIGHTS, active=True)
            .select_related("user")
            .order_by("user_id")
            if role.user.is_active
        ]
        if users:
            return users
    return []


def _tell_officials(consultation: Consultation, subject: str, body: str) -> int:
    officials = rights_officials(consultation.union)
    for user in officials:
        notify.send_site_message(user, subject, body, kind=KIND)
    return len(officials)


def route(consultation: Consultation, now=None) -> Lawyer | None:
    """Assign an unassigned consultation to the best lawyer, or leave it waiting and tell the officials."""
    now = now or timezone.now()
    lawyer = pick_lawyer(consultation)
    if lawyer is not None:
        _assign(consultation, lawyer, now, _("按类别、地区和在办数量自动分配"))
        return lawyer
    record_action(consultation, "waiting", _("暂无可分配的律师，等待工会分配"))
    _tell_officials(
        consultation,
        _("法律咨询待分配"),
        _("法律咨询 #%(pk)s（%(category)s）暂无可分配的律师（类别、地区不符或已满额），请人工分配。")
        % {"pk": consultation.pk, "category": consultation.get_category_display()},
    )
    return None


def route_waiting(union, now=None) -> int:
    """Route consultations of `union` still waiting for a lawyer, oldest first, while someone fits."""
    assigned = 0
    waiting = Consultation.objects.filter(union=union, status=S.SUBMITTED, lawyer__isnull=True)
    for pk in waiting.order_by("submitted_at", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and read again: a concurrent tick or an official may have assigned it meanwhile.
            consultation = waiting.select_for_update(of=("self",)).filter(pk=pk).first()
            if consultation is None:
                continue
            lawyer = pick_lawyer(consultation)
            if lawyer is None:
                continue
            _assign(consultation, lawyer, now or timezone.now(), _("律师有空，自动分配"))
        assigned += 1
    return assigned


# ------------------------------------------------------------------ submission


def response_hours() -> int:
    return settings.CONSULTATION_RESPONSE_HOURS


def validate_photos(photos) -> list[str]:
    """Each upload checked like station photos (image, ≤ 5 MB); the extensions kept; all or nothing."""
    from stations.services.registry import check_photo

    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("最多上传 %(n)d 张照片") % {"n": MAX_PHOTOS}})
    extensions = []
    for number, upload in enumerate(photos, start=1):
        try:
            extensions.append(check_photo(upload))
        except ValidationError as error:
            raise ValidationError(
                {"photos": _("第 %(n)d 张照片：%(error)s") % {"n": number, "error": " ".join(error.messages)}}
            ) from None
    return extensions


@transaction.atomic
def submit(
    person,
    category: str,
    question: str,
    region=None,
    no_employer_contact: bool = False,
    photos=(),
    now=None,
) -> Consultation:
    """A worker's question: received by a union, routed to a lawyer (or waiting), due in the target hours."""
    from stations.services.registry import _clean_copy  # re-encoded upright, without EXIF

    now = now or timezone.now()
    question = (question or "").strip()
    errors = {}
    if category not in ConsultationCategory.values:
        errors["category"] = _("请选择咨询类别")
    if len(question) < 5:
        errors["question"] = _("请把问题写清楚一些（至少 5 个字）")
    elif len(question) > QUESTION_MAX:
        errors["question"] = _("问题不能超过 %(n)d 字") % {"n": QUESTION_MAX}
    if errors:
        raise ValidationError(errors)
    photos = [p for p in (photos or []) if p]
    extensions = validate_photos(photos)
    union = receiving_union(person, region)
    if union is None:
        raise ValidationError({"region": _("请选择所在地区，以便转给当地工会的公益律师")})
    consultation = Consultation.objects.create(
        union=union,
        person=person,
        category=category,
        question=question,
        region=region,
        no_employer_contact=bool(no_employer_contact),
        submitted_at=now,
        due_at=now + timedelta(hours=response_hours()),
    )
    for upload, extension in zip(photos, extensions, strict=True):
        photo = ConsultationPhoto(consultation=consultation)
        photo.image.save(
            f"consultation-{consultation.pk}.{extension}", _clean_copy(upload, extension), save=False
        )
        photo.save()
    record_action(consultation, "submitted", _("职工提交咨询"))
    route(consultation, now)
    return consultation


# ------------------------------------------------------------------ due and escalation


def overdue(queryset, now=None):
    now = now or timezone.now()
    return queryset.filter(status__in=UNANSWERED, due_at__lt=now)


def escalate_overdue(now=None) -> int:
    """Escalate each unanswered consultation past its due time to its union's rights officials, once."""
    now = now or timezone.now()
    escalated = 0
    for consultation in (
        overdue(Consultation.objects.all(), now).filter(escalated_at__isnull=True).select_related("union")
    ):
        with transaction.atomic():
            # Conditional: two ticks at once escalate (and notify) only once.
            won = Consultation.objects.filter(pk=consultation.pk, escalated_at__isnull=True).update(
                escalated_at=now, updated_at=now
            )
            if not won:
                continue
            consultation.escalated_at = now
            told = _tell_officials(
                consultation,
                _("法律咨询超时未答复"),
                _("法律咨询 #%(pk)s（%(category)s）已超过答复时限（%(due)s），请督办。")
                % {
                    "pk": consultation.pk,
                    "category": consultation.get_category_display(),
                    "due": timezone.localtime(consultation.due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
            record_action(consultation, "escalated", _("超时未答复，已上报权益保障干部"), {"told": told})
        escalated += 1
    return escalated


# ------------------------------------------------------------------ roles on a consultation


def is_rights_official(user, consultation: Consultation) -> bool:
    """A rights official or admin over the consultation's union (not the lawyer's assignment)."""
    if user.is_superuser:
        return True
    from ..models.legal import RIGHTS_OFFICIALS

    path = consultation.union.path
    return any(path.startswith(p) for p in user.scope_paths(RIGHTS_OFFICIALS))


def is_assigned_lawyer(user, consultation: Consultation) -> bool:
    return consultation.lawyer_id is not None and consultation.lawyer.user_id == user.pk


# ------------------------------------------------------------------ the thread


def _worker_notice(consultation: Consultation, first: bool) -> None:
    """Tell the worker a lawyer has answered: a site message, and an SMS on the first answer.
    Neither contains the question (it can name the employer, and SMS text passes through gateways)."""
    person = consultation.person
    url = reverse("portal:consultation", args=[consultation.pk])
    text = _("您的法律咨询（%(category)s）已有律师答复，请登录“娘家”查看：我的 → 我的咨询。") % {
        "category": consultation.get_category_display()
    }
    if person.user_id:
        notify.send_site_message(person.user, _("律师已答复您的咨询"), f"{text} {url}", kind=KIND)
    if first and person.phone_cipher:
        notify.send_sms(person.decrypted("phone"), text, kind=KIND, user=person.user)


@transaction.atomic
def answer(consultation: Consultation, by, body: str, now=None) -> ConsultationMessage:
    """The assigned lawyer's answer or reply, or a rights official's reply; the first lawyer answer
    sets answered_at and the status, and frees the lawyer's queue for waiting consultations."""
    now = now or timezone.now()
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("lawyer", "union")
        .get(pk=consultation.pk)
    )
    if is_assigned_lawyer(by, consultation):
        kind = MessageAuthor.LAWYER
    elif is_rights_official(by, consultation):
        kind = MessageAuthor.OFFICIAL
    else:
        raise PermissionDenied
    if consultation.status == S.CLOSED:
        raise ValidationError(_("咨询已结束，不能再回复"))
    body = _clean_body(body)
    message = ConsultationMessage.objects.create(
        consultation=consultation, author_kind=kind, author=by, body=body, sent_at=now
    )
    first = consultation.answered_at is None
    if first:
        consultation.answered_at = now
        consultation.status = S.ANSWERED
        consultation.save(update_fields=["answered_at", "status", "updated_at"])
        record_action(consultation, "answered", _("首次答复"))
    if first and kind == MessageAuthor.LAWYER:
        _index(consultation)
    _worker_notice(consultation, first)
    if first and kind == MessageAuthor.LAWYER:
        transaction.on_commit(lambda: route_waiting(consultation.union))
    return message


def _index(consultation: Consultation) -> None:
    """An answered consultation becomes findable by officials and lawyers (rights.services.search)."""
    try:
        from .search import index_consultation
    except ImportError:
        return
    index_consultation(consultation)


def _clean_body(body: str) -> str:
    body = (body or "").replace("\x00", "").strip()  # NUL: no text (PostgreSQL cannot even store it)
    if not body:
        raise ValidationError({"body": _("请填写内容")})
    if len(body) > MESSAGE_MAX:
        raise ValidationError({"body": _("内容不能超过 %(n)d 字") % {"n": MESSAGE_MAX}})
    return body


@transaction.atomic
def follow_up(consultation: Consultation, person, body: str, now=None) -> ConsultationMessage:
    """The worker's follow-up question on their own consultation; the lawyer (or officials) are told."""
    if consultation.person_id != person.pk:
        raise PermissionDenied
    if consultation.status == S.CLOSED:
        raise ValidationError(_("咨询已结束，如有新问题请重新提问"))
    body = _clean_body(body)
    message = ConsultationMessage.objects.create(
        consultation=consultation,
        author_kind=MessageAuthor.WORKER,
        author=person.user,
        body=body,
        sent_at=now or timezone.now(),
    )
    subject = _("咨询有新的追问")
    text = _("法律咨询 #%(pk)s 有职工的追问，请查看。") % {"pk": consultation.pk}
    if consultation.lawyer_id:
        notify.send_site_message(consultation.lawyer.user, subject, text, kind=KIND)
    else:
        _tell_officials(consultation, subject, text)
    return message


@transaction.atomic
def rate(consultation: Consultation, person, rating: int, comment: str = "") -> Consultation:
    """The worker rates the answer 1–5, once, after it was answered."""
    consultation = Consultation.objects.select_for_update(of=("self",)).get(pk=consultation.pk)
    if consultation.person_id != person.pk:
        raise PermissionDenied
    if consultation.answered_at is None:
        raise ValidationError(_("律师答复后才能评价"))
    if consultation.rating is not None:
        raise ValidationError(_("您已评价过这次咨询"))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("请选择 1 到 5 星")})
    consultation.rating = rating
    consultation.rating_comment = (comment or "").replace("\x00", "").strip()[:200]
    consultation.save(update_fields=["rating", "rating_comment", "updated_at"])
    record_action(consultation, "rated", "", {"rating": rating})
    return consultation


@transaction.atomic
def close(consultation: Consultation, by, now=None) -> Consultation:
    """Close: by the worker who asked, the assigned lawyer or a rights official."""
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("lawyer", "union", "person")
        .get(pk=consultation.pk)
    )
    own = getattr(by, "is_worker", False) and consultation.person.user_id == by.pk
    if not (own or is_assigned_lawyer(by, consultation) or is_rights_official(by, consultation)):
        raise PermissionDenied
    if consultation.status == S.CLOSED:
        raise ValidationError(_("咨询已结束"))
    consultation.status = S.CLOSED
    consultation.closed_at = now or timezone.now()
    consultation.save(update_fields=["status", "closed_at", "updated_at"])
    record_action(consultation, "closed")
    transaction.on_commit(lambda: route_waiting(consultation.union))
    return consultation


@transaction.atomic
def reassign(consultation: Consultation, lawyer: Lawyer, by, now=None) -> Consultation:
    """A rights official gives the consultation to another lawyer of its union's pool (or an ancestor's);
    the official may go past the lawyer's max_open, knowingly."""
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("union", "lawyer")
        .get(pk=consultation.pk)
    )
    if not is_rights_official(by, consultation):
        raise PermissionDenied
    if consultation.status == S.CLOSED:
        raise ValidationError(_("咨询已结束，不能改派"))
    if not lawyer.active:
        raise ValidationError({"lawyer": _("该律师不在岗")})
    if not consultation.union.path.startswith(lawyer.union.path):
        raise ValidationError({"lawyer": _("该律师不在本工会或上级工会的律师库中")})
    if consultation.lawyer_id == lawyer.pk:
        raise ValidationError({"lawyer": _("已由该律师承办")})
    before = consultation.lawyer
    _assign(
        consultation,
        lawyer,
        now or timezone.now(),
        _("改派：%(before)s → %(after)s") % {"before": before or _("未分配"), "after": lawyer},
    )
    return consultation


# ------------------------------------------------------------------ rights cases


@transaction.atomic
def make_case(consultation: Consultation, by, summary: str = "") -> RightsCase:
    """Take the consultation further as a rights case (维权案件); one case a consultation."""
    if not (is_rights_official(by, consultation) or is_assigned_lawyer(by, consultation)):
        raise PermissionDenied
    if RightsCase.objects.filter(consultation=consultation).exists():
        raise ValidationError(_("该咨询已立案"))
    case = RightsCase.objects.create(consultation=consultation, summary=(summary or "").strip())
    record_action(consultation, "case_opened")
    return case


@transaction.atomic
def update_case(
    case: RightsCase,
    by,
    outcome: str,
    amount_recovered=Decimal("0"),
    summary: str | None = None,
    closed_on=None,
) -> RightsCase:
    consultation = case.consultation
    if not (is_rights_official(by, consultation) or is_assigned_lawyer(by, consultation)):
        raise PermissionDenied
    if outcome not in CaseOutcome.values:
        raise ValidationError({"outcome": _("请选择办理结果")})
    amount = Decimal(str(amount_recovered or 0))
    if amount < 0:
        raise ValidationError({"amount_recovered": _("挽回金额不能为负数")})
    case.outcome = outcome
    case.amount_recovered = amount
    if summary is not None:
        case.summary = summary
    # Advice and mediation end the case (today unless told); arbitration and litigation may still be
    # running, so their closing date is only what is given.
    if outcome == CaseOutcome.OPEN:
        case.closed_on = None
    elif closed_on:
        # Not before the worker asked (a case entered after the fact may well close before its record).
        problem = past_day_problem(closed_on, timezone.localdate(consultation.submitted_at))
        if problem:
            raise ValidationError({"closed_on": problem})
        case.closed_on = closed_on
    elif outcome in (CaseOutcome.ADVISED, CaseOutcome.MEDIATED) and case.closed_on is None:
        case.closed_on = timezone.localdate()
    case.save()
    record_action(case, "outcome", case.get_outcome_display(), {"amount_recovered": str(amount)})
    return case


# ------------------------------------------------------------------ suggestions


def suggestions(text: str, limit: int = 5) -> list:
    """Matching knowledge-base articles and answered questions (rights.services.search, by kb6)."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    try:
        from .search import suggest
    except ImportError:  # the knowledge base is not there yet
        return []
    return list(suggest(text, limit=limit))


# ------------------------------------------------------------------ lawyers' profiles


def lawyer_accounts(by, instance=None):
    """Accounts `by` may make a lawyer's profile for: holding the assigned-only 公益律师 role (granted in
    账号与角色, accounts.services.grant_role) on a union in `by`'s scope, without a profile yet."""
    from accounts.models import User

    roles = Role.objects.restrict(by, "view").filter(kind=RoleKind.LAWYER, active=True)
    taken = Lawyer.objects.exclude(pk=getattr(instance, "pk", None)).values("user_id")
    accounts = User.objects.filter(is_active=True, is_worker=False).filter(
        Q(roles__in=roles) | Q(pk=getattr(instance, "user_id", None))
    )
    return accounts.exclude(pk__in=taken).distinct().order_by("username")


def holds_lawyer_role(user, union) -> bool:
    return user.roles.filter(kind=RoleKind.LAWYER, active=True, union=union).exists()


# ------------------------------------------------------------------ duty days


def upcoming_duty_days(station, days: int = 14, today=None) -> list:
    """Lawyers on duty at `station` from today for `days` days (active lawyers only), soonest first."""
    from ..models import DutyDay

    today = today or timezone.localdate()
    return list(
        DutyDay.objects.filter(
            station=station, day__gte=today, day__lt=today + timedelta(days=days), lawyer__active=True
        )
        .select_related("lawyer")
        .order_by("day", "starts_at", "pk")[:20]
    )


def category_labels(values) -> list[str]:
    labels = dict(ConsultationCategory.choices)
    return [str(labels.get(v, v)) for v in values or []]
