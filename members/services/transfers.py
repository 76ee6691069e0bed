"""Transfers of membership (接转) and the membership's own statuses: active, retained, left.

A transfer moves the SAME Membership row from one union to another: the card number and the
history stay with the person, so there is never a second membership, nationwide.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import record_action
from core.notify import send_site_message
from core.scoping import CHANGE, owners_for
from orgs.models import Union

from ..choices import JoinStatus, MembershipStatus, TransferStatus
from ..models import JoinRequest, Membership, Transfer


def acts_for(user, union: Union) -> bool:
    """May `user` handle memberships of `union`? None is the system (an automatic rule, a command)."""
    if user is None:
        return True
    return owners_for(user, Membership, CHANGE, Union.objects.filter(pk=union.pk)).exists()


def _require(user, union: Union) -> None:
    if not acts_for(user, union):
        raise PermissionDenied


def tell_worker(person, subject: str, body: str = "") -> None:
    """A site message to the worker only: the employer is never told of joining or moving."""
    if person.user_id:
        send_site_message(person.user, subject, body, kind="membership")


@transaction.atomic
def request_transfer(
    membership: Membership,
    to_union: Union,
    *,
    reason: str = "",
    by=None,
    join_request: JoinRequest | None = None,
) -> Transfer:
    """Open a transfer; `by` is an official of either union (or None when a join request opens it)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("只有在册会员可以办理会员关系接转"), code="not_active")
    if membership.union_id == to_union.pk:
        raise ValidationError(_("转出和转入工会不能相同"), code="same_union")
    if by is not None and not (acts_for(by, membership.union) or acts_for(by, to_union)):
        raise PermissionDenied
    if Transfer.objects.filter(
        membership=membership, status__in=[TransferStatus.REQUESTED, TransferStatus.RELEASED]
    ).exists():
        raise ValidationError(_("该会籍已有一项接转正在办理"), code="open_transfer")
    transfer = Transfer.objects.create(
        membership=membership,
        from_union=membership.union,
        to_union=to_union,
        reason=reason[:200],
        join_request=join_request,
    )
    record_action(transfer, "requested", note=reason[:200])
    return transfer


def _open(transfer: Transfer, status: str) -> Transfer:
    transfer = Transfer.objects.select_for_update().select_related("membership").get(pk=transfer.pk)
    if transfer.status != status:
        raise ValidationError(
            _("该接转当前状态为“%(status)s”，不能办理此操作") % {"status": transfer.get_status_display()},
            code="status",
        )
    return transfer


@transaction.atomic
def release(transfer: Transfer, by, note: str = "") -> Transfer:
    """The old union lets the membership go (转出)."""
    transfer = _open(transfer, TransferStatus.REQUESTED)
    _require(by, transfer.from_union)
    transfer.status = TransferStatus.RELEASED
    transfer.released_at = timezone.now()
    transfer.save(update_fields=["status", "released_at", "updated_at"])
    record_action(transfer, "released", note=note[:200])
    return transfer


@transaction.atomic
def accept(transfer: Transfer, by, note: str = "") -> Transfer:
    """The new union takes the membership in (转入): the same row moves, card number kept."""
    transfer = _open(transfer, TransferStatus.RELEASED)
    _require(by, transfer.to_union)
    membership = Membership.objects.select_for_update().get(pk=transfer.membership_id)
    if membership.status != MembershipStatus.ACTIVE or membership.union_id != transfer.from_union_id:
        raise ValidationError(_("会籍已发生变化，请重新申请接转"), code="moved")
    membership.union = transfer.to_union
    membership.reason = (transfer.reason or _("会员关系接转"))[:200]
    membership.save(update_fields=["union", "reason", "updated_at"])
    record_action(
        membership,
        "transferred",
        note=f"{transfer.from_union} → {transfer.to_union}",
        data={"from": transfer.from_union_id, "to": transfer.to_union_id},
    )
    transfer.status = TransferStatus.ACCEPTED
    transfer.accepted_at = timezone.now()
    transfer.save(update_fields=["status", "accepted_at", "updated_at"])
    record_action(transfer, "accepted", note=note[:200])
    if transfer.join_request_id:
        request = JoinRequest.objects.select_for_update().get(pk=transfer.join_request_id)
        if request.open:
            request.status = JoinStatus.APPROVED
            request.membership = membership
            request.decided_by = by
            request.decided_at = timezone.now()
            request.save(update_fields=["status", "membership", "decided_by", "decided_at", "updated_at"])
            record_action(request, "approved", note=_("会员关系已转入"))
    tell_worker(membership.person, _("您的会员关系已转入%(union)s") % {"union": transfer.to_union})
    return transfer


@transaction.atomic
def refuse(transfer: Transfer, by, reason: str) -> Transfer:
    """Either union declines an open transfer, with a reason; the membership stays where it was."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写不予办理的原因"), code="reason")
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status not in (TransferStatus.REQUESTED, TransferStatus.RELEASED):
        raise ValidationError(_("该接转已办结"), code="status")
    if not (acts_for(by, transfer.from_union) or acts_for(by, transfer.to_union)):
        raise PermissionDenied
    transfer.status = TransferStatus.REFUSED
    transfer.reason = reason[:200]
    transfer.save(update_fields=["status", "reason", "updated_at"])
    record_action(transfer, "refused", note=reason[:200])
    if transfer.join_request_id:
        request = JoinRequest.objects.select_for_update().get(pk=transfer.join_request_id)
        if request.open:
            request.status = JoinStatus.REJECTED
            request.decision_reason = reason
            request.decided_by = by
            request.decided_at = timezone.now()
            request.save(
                update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"]
            )
            record_action(request, "rejected", note=reason[:200])
    return transfer


def _set_status(membership: Membership, by, status: str, reason: str, allowed_from: set[str]) -> Membership:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写原因"), code="reason")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _require(by, membership.union)
    if membership.status not in allowed_from:
        raise ValidationError(
            _("会籍当前状态为“%(status)s”，不能办理此操作") % {"status": membership.get_status_display()},
            code="status",
        )
    if status == MembershipStatus.ACTIVE and (
        Membership.objects.filter(person_id=membership.person_id, status=MembershipStatus.ACTIVE).exists()
    ):
        raise ValidationError(_("此人已是在册会员，应办理会员关系接转"), code="active_elsewhere")
    before = membership.status
    membership.status = status
    membership.reason = reason[:200]
    membership.ended_on = None if status == MembershipStatus.ACTIVE else timezone.localdate()
    membership.save(update_fields=["status", "reason", "ended_on", "updated_at"])
    record_action(membership, status, note=reason[:200], data={"from": before, "to": status})
    return membership


@transaction.atomic
def retain(membership: Membership, by, reason: str) -> Membership:
    """保留会籍: e.g. out of work for a while; the card stops working."""
    return _set_status(membership, by, MembershipStatus.RETAINED, reason, {MembershipStatus.ACTIVE})


@transaction.atomic
def leave(membership: Membership, by, reason: str) -> Membership:
    """退会, with the reason and the date."""
    return _set_status(
        membership, by, MembershipStatus.LEFT, reason, {MembershipStatus.ACTIVE, MembershipStatus.RETAINED}
    )


@transaction.atomic
def reinstate(membership: Membership, by, reason: str) -> Membership:
    """Active again (恢复会籍), only while the person has no other active membership."""
    return _set_status(
        membership, by, MembershipStatus.ACTIVE, reason, {MembershipStatus.RETAINED, MembershipStatus.LEFT}
    )
