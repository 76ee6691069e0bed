"""Joining (入会): a request from any channel, routed to one union, reviewed or approved by rule.

One person nationwide: the ID number's keyed hash finds them wherever they joined before. Someone
already active elsewhere is not given a second membership: the request becomes a transfer (接转).
Auto-approval is a settings-level rule (settings.JOIN_AUTO_APPROVE_KINDS): a request routed to a
union of a listed kind is approved at once when the ID number is valid and the phone was verified.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import limits, pii
from core.history import record_action
from orgs.choices import UnionKind, UnionStatus
from orgs.models import Union

from ..choices import (
    NEW_EMPLOYMENT_FORMS,
    ConsentChannel,
    ConsentPurpose,
    JoinChannel,
    JoinStatus,
    MembershipStatus,
    TransferStatus,
)
from ..models import JoinRequest, Membership, Person, Transfer
from .cards import create_membership
from .people import give_consent
from .transfers import acts_for, request_transfer, tell_worker


def route(employment_form: str, *, union=None, employer=None, area_union=None) -> tuple[Union, str]:
    """(the union a request goes to, why): the poster's union; the union covering the site; else the
    new-economy federation (new employment forms) or the joint union of the area, walking up the tree
    from the employer's (or station's) area union; else that area union itself."""
    if union is not None:
        return union, _("扫描工会“%(union)s”的入会二维码") % {"union": union}
    if employer is not None and employer.union_id and employer.union.status == UnionStatus.ACTIVE:
        return employer.union, _("“%(employer)s”的覆盖工会") % {"employer": employer}
    area = employer.area_union if employer is not None else area_union
    if area is None:
        raise ValidationError(_("无法确定受理工会，请选择用人单位或站点"), code="no_union")
    wanted = (
        [UnionKind.NEW_ECONOMY, UnionKind.JOINT]
        if employment_form in NEW_EMPLOYMENT_FORMS
        else [UnionKind.JOINT, UnionKind.NEW_ECONOMY]
    )
    # Nearest first: the area union, then its parent, and so on up.
    chain = [area, *sorted(area.ancestors(), key=lambda node: -node.depth)]
    for node in chain:
        nearby = list(
            Union.objects.filter(status=UnionStatus.ACTIVE, kind__in=wanted, parent=node).order_by("path")
        )
        if node.kind in wanted:
            nearby.append(node)
        for kind in wanted:
            found = next((candidate for candidate in nearby if candidate.kind == kind), None)
            if found is not None:
                return found, _("按属地“%(area)s”和就业形态分配到%(kind)s") % {
                    "area": area,
                    "kind": found.get_kind_display(),
                }
    return area, _("属地工会“%(area)s”受理") % {"area": area}


def _person_for(name: str, id_number: str, phone: str, person: Person | None, phone_verified: bool) -> Person:
    """The one Person for this ID number nationwide, created or completed as needed."""
    parsed = pii.parse_id_number(id_number)
    phone = pii.normalise_phone(phone)
    by_id = (
        Person.objects.select_for_update().filter(id_number_hash=pii.lookup_hash("id", parsed.value)).first()
    )
    by_phone = Person.objects.select_for_update().filter(phone_hash=pii.lookup_hash("phone", phone)).first()
    if person is not None and by_id is not None and by_id.pk != person.pk:
        raise ValidationError(_("该身份证号已登记在另一账号下，请携带身份证到工会现场办理"), code="id_taken")
    if by_id is not None and by_phone is not None and by_id.pk != by_phone.pk:
        raise ValidationError(_("该手机号已登记在另一位职工名下，请到工会现场办理"), code="phone_taken")
    if person is None and by_id is None and by_phone is not None and by_phone.id_number_hash:
        # A known phone goes on only with its own ID number, whoever types it: else the request would
        # attach to the phone's owner and rename them (an official enrolling a new ID number included).
        raise ValidationError(_("该手机号已登记在另一位职工名下，请到工会现场办理"), code="phone_taken")
    if phone_verified and person is None and by_id is not None and by_phone is None:
        # A code proves the phone, not who the ID number belongs to: a known ID number goes on only with
        # the phone on its record (else anyone knowing it would take the record and its account over).
        raise ValidationError(
            _("该身份证号已登记，请用登记时的手机号验证，或携带身份证到工会现场办理"), code="id_taken"
        )
    if (
        not phone_verified
        and person is None
        and by_id is not None
        and by_id.name not in ("", name.strip()[:50])
    ):
        # Nobody proved anything but holding the ID number (an official enrolling on the console, maybe
        # of another union): a known person keeps the name on record, and a different one is said (a
        # record without a name yet takes the one typed).
        raise ValidationError(
            _("该身份证号已登记，但姓名与登记的不一致，请核对身份证后重新填写"), code="name_differs"
        )
    person = person or by_id or by_phone or Person()
    if not person.id_number_hash:
        person.set_id_number(parsed.value)
    if not person.phone_hash or (phone_verified and by_phone is None):
        # A phone just proved by a code replaces the one on record (the worker changed numbers).
        person.set_phone(phone)
    person.name = name.strip()[:50]
    return person


@transaction.atomic
def submit(
    *,
    name: str,
    id_number: str,
    phone: str,
    employment_form: str,
    channel: str = JoinChannel.QR,
    union=None,
    employer=None,
    area_union=None,
    brand=None,
    source: str = "",
    phone_verified: bool = False,
    person: Person | None = None,
    consent_channel: str = ConsentChannel.H5,
) -> JoinRequest:
    """A join request (with the separate membership consent), routed; a transfer if active elsewhere.

    `person` is the signed-in worker's own record, if any. Raises ValidationError with a message for
    the worker (never repeating the ID number or phone).
    """
    if not (name or "").strip():
        raise ValidationError(_("请填写真实姓名"), code="name")
    if problem := pii.name_problem(name):
        raise ValidationError(problem, code="name")
    person = _person_for(name, id_number, phone, person, phone_verified)
    person.employment_form = employment_form
    person.save()
    if JoinRequest.objects.filter(
        person=person, status__in=[JoinStatus.SUBMITTED, JoinStatus.INFO_REQUESTED]
    ).exists():
        raise ValidationError(_("您已有一份入会申请正在办理"), code="open_request")
    target, routing = route(employment_form, union=union, employer=employer, area_union=area_union)
    active = (
        Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE)
        .select_related("union")
        .first()
    )
    if active is not None and active.union_id == target.pk:
        raise ValidationError(_("您已是%(union)s的会员") % {"union": target}, code="member_here")
    if active is not None:
        routing = _("%(routing)s；已是“%(union)s”会员，转为会员关系接转") % {
            "routing": routing,
            "union": active.union,
        }
    consent = give_consent(person, ConsentPurpose.MEMBERSHIP, consent_channel)
    request = JoinRequest.objects.create(
        person=person,
        union=target,
        channel=channel,
        employer=employer,
        brand=brand or (employer.brand if employer is not None else None),
        employment_form=employment_form,
        source=source[:100],
        routing=routing[:200],
        consent=consent,
    )
    record_action(request, "submitted", note=request.get_channel_display())
    if active is not None:
        request_transfer(active, target, reason=_("入会申请转入"), join_request=request)
    elif phone_verified and target.kind in settings.JOIN_AUTO_APPROVE_KINDS:
        approve(request, None, auto=True)
        request.refresh_from_db()
    return request


def _lock_open(request: JoinRequest, by) -> JoinRequest:
    request = JoinRequest.objects.select_for_update().select_related("person", "union").get(pk=request.pk)
    if not acts_for(by, request.union):
        raise PermissionDenied
    if not request.open:
        raise ValidationError(
            _("该申请当前状态为“%(status)s”，不能办理此操作") % {"status": request.get_status_display()},
            code="status",
        )
    return request


def open_transfer(request: JoinRequest) -> Transfer | None:
    return Transfer.objects.filter(
        join_request=request, status__in=[TransferStatus.REQUESTED, TransferStatus.RELEASED]
    ).first()


@transaction.atomic
def approve(request: JoinRequest, by, note: str = "", *, auto: bool = False) -> JoinRequest:
    """Approve: a new membership with a card number (or, for a transfer, take it in once released)."""
    request = _lock_open(request, by)
    transfer = open_transfer(request)
    if transfer is not None:
        from .transfers import accept

        if transfer.status != TransferStatus.RELEASED:
            raise ValidationError(_("此人已是其他工会会员，待原工会办理转出后才能接收"), code="not_released")
        accept(transfer, by, note)
        return JoinRequest.objects.get(pk=request.pk)
    membership = create_membership(request.person, request.union, request.channel)
    request.status = JoinStatus.APPROVED
    request.membership = membership
    request.auto_approved = auto
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_reason = note[:500]
    request.save()
    record_action(request, "approved", note=_("自动通过") if auto else note[:200])
    record_action(membership, "joined", note=request.get_channel_display())
    tell_worker(
        request.person,
        _("您已加入%(union)s") % {"union": request.union},
        _("会员卡号 %(number)s，可在“我的”查看电子会员卡。") % {"number": membership.card_number},
    )
    return request


@transaction.atomic
def reject(request: JoinRequest, by, reason: str) -> JoinRequest:
    """Reject with a reason the worker sees; an open transfer of the request is closed with it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写不予通过的原因"), code="reason")
    request = _lock_open(request, by)
    transfer = open_transfer(request)
    request.status = JoinStatus.REJECTED
    request.decision_reason = reason[:500]
    request.decided_by = by
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
    record_action(request, "rejected", note=reason[:200])
    if transfer is not None:
        transfer.status = TransferStatus.REFUSED
        transfer.reason = reason[:200]
        transfer.save(update_fields=["status", "reason", "updated_at"])
        record_action(transfer, "refused", note=reason[:200])
    tell_worker(request.person, _("您的入会申请未通过"), reason)
    return request


@transaction.atomic
def ask_info(request: JoinRequest, by, question: str) -> JoinRequest:
    """Ask the worker for more; they see the question in H5 and reply there."""
    question = (question or "").strip()
    if not question:
        raise ValidationError(_("请填写需要职工补充的内容"), code="question")
    request = _lock_open(request, by)
    request.status = JoinStatus.INFO_REQUESTED
    request.info_request = question[: limits.REASON]
    request.worker_reply = ""
    request.save(update_fields=["status", "info_request", "worker_reply", "updated_at"])
    record_action(request, "info_requested", note=question[:200])
    tell_worker(request.person, _("您的入会申请需要补充材料"), question)
    return request


@transaction.atomic
def reply(request: JoinRequest, person: Person, text: str) -> JoinRequest:
    """The worker's answer to the question: back in the review queue."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("请填写补充说明"), code="reply")
    request = JoinRequest.objects.select_for_update().get(pk=request.pk)
    if request.person_id != person.pk:
        raise PermissionDenied
    if request.status != JoinStatus.INFO_REQUESTED:
        raise ValidationError(_("该申请目前不需要补充材料"), code="status")
    request.worker_reply = text[: limits.REASON]
    request.status = JoinStatus.SUBMITTED
    request.save(update_fields=["worker_reply", "status", "updated_at"])
    record_action(request, "replied", note=text[:200])
    return request


@transaction.atomic
def withdraw(request: JoinRequest, person: Person) -> JoinRequest:
    request = JoinRequest.objects.select_for_update().get(pk=request.pk)
    if request.person_id != person.pk:
        raise PermissionDenied
    if not request.open:
        raise ValidationError(_("该申请已办结"), code="status")
    transfer = open_transfer(request)
    request.status = JoinStatus.WITHDRAWN
    request.save(update_fields=["status", "updated_at"])
    record_action(request, "withdrawn")
    if transfer is not None:
        transfer.status = TransferStatus.REFUSED
        transfer.reason = _("职工撤回申请")
        transfer.save(update_fields=["status", "reason", "updated_at"])
        record_action(transfer, "refused", note=transfer.reason)
    return request


@transaction.atomic
def enrol(
    by,
    union: Union,
    *,
    name: str,
    id_number: str,
    phone: str,
    employment_form: str,
    channel: str = JoinChannel.ON_SITE,
    employer=None,
    brand=None,
    consent_channel: str = ConsentChannel.PAPER,
) -> JoinRequest:
    """An official enrols a person on their behalf (现场办理, 流动窗口, 集体登记): the same request and
    the same rules, approved at once by that official (a transfer still waits for the old union)."""
    if not acts_for(by, union):
        raise PermissionDenied
    request = submit(
        name=name,
        id_number=id_number,
        phone=phone,
        employment_form=employment_form,
        channel=channel,
        union=union,
        employer=employer,
        brand=brand,
        source=str(_("工作人员代办")),
        consent_channel=consent_channel,
    )
    request.routing = _("%(union)s工作人员代为登记") % {"union": union} + (
        "；" + request.routing.split("；", 1)[1] if "；" in request.routing else ""
    )
    request.save(update_fields=["routing", "updated_at"])
    if open_transfer(request) is None and request.open:
        request = approve(request, by)
    return request


def progress(person: Person):
    """The worker's requests, newest first, for "我的"."""
    return JoinRequest.objects.filter(person=person).select_related("union", "membership")
