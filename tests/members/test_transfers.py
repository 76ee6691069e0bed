"""Transfers move the same membership row; statuses retained / left / reinstated with reasons and dates."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import HistoryEntry
from members.models import JoinRequest, Membership, Transfer
from members.services import joining, transfers

from .. import factories


@pytest.fixture
def people(tree):
    member = factories.member(tree["site_b"], "李快递")
    return {
        **tree,
        "member": member,
        "membership": member.memberships.get(),
        "old": factories.official("hs_org", "organisation", tree["town_b"]),
        "new": factories.official("kq_org", "organisation", tree["town_a"]),
    }


def test_release_then_accept_moves_the_same_row_and_keeps_the_card(people):
    membership = people["membership"]
    card = membership.card_number
    transfer = transfers.request_transfer(membership, people["site_a"], reason="换到饿了么", by=people["new"])
    with pytest.raises(ValidationError):
        transfers.accept(transfer, people["new"])  # not released yet
    with pytest.raises(PermissionDenied):
        transfers.release(transfer, people["new"])  # only the old union releases
    transfer.refresh_from_db()
    assert transfer.status == "requested"
    transfers.release(transfer, people["old"], "同意转出")
    with pytest.raises(PermissionDenied):
        transfers.accept(transfer, people["old"])  # only the new union accepts
    transfers.accept(transfer, people["new"])
    transfer.refresh_from_db()
    membership.refresh_from_db()
    assert (transfer.status, membership.union, membership.card_number, membership.status) == (
        "accepted",
        people["site_a"],
        card,
        "active",
    )
    assert transfer.released_at <= transfer.accepted_at <= timezone.now()
    assert Membership.objects.filter(person=people["member"]).count() == 1
    verbs = set(HistoryEntry.objects.for_object(transfer).exclude(verb="").values_list("verb", flat=True))
    assert verbs == {"requested", "released", "accepted"}
    moved = HistoryEntry.objects.for_object(membership).get(verb="transferred")
    assert moved.changes == {"from": people["site_b"].pk, "to": people["site_a"].pk}


def test_join_request_of_an_active_member_completes_with_the_transfer(people):
    member = people["member"]
    request = joining.submit(
        name="李快递",
        id_number=member.decrypted("id_number"),
        phone=member.decrypted("phone"),
        employment_form="courier",
        union=people["site_a"],
    )
    with pytest.raises(ValidationError) as waiting:
        joining.approve(request, people["new"])
    assert waiting.value.messages == ["此人已是其他工会会员，待原工会办理转出后才能接收"]
    transfers.release(Transfer.objects.get(), people["old"])
    approved = joining.approve(request, people["new"])
    assert (approved.status, approved.membership) == ("approved", people["membership"])
    assert Membership.objects.get().union == people["site_a"]


def test_refusal_keeps_the_membership_where_it_was(people):
    transfer = transfers.request_transfer(people["membership"], people["site_a"], by=people["new"])
    with pytest.raises(ValidationError):
        transfers.refuse(transfer, people["old"], "")
    transfers.refuse(transfer, people["old"], "会费未结清")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.reason) == ("refused", "会费未结清")
    assert Membership.objects.get().union == people["site_b"]
    with pytest.raises(ValidationError):
        transfers.release(transfer, people["old"])


def test_rejecting_the_join_request_closes_its_transfer(people):
    member = people["member"]
    request = joining.submit(
        name="李快递",
        id_number=member.decrypted("id_number"),
        phone=member.decrypted("phone"),
        employment_form="courier",
        union=people["site_a"],
    )
    joining.reject(request, people["new"], "非本站点人员")
    assert Transfer.objects.get().status == "refused"
    assert JoinRequest.objects.get().status == "rejected"
    assert Membership.objects.get().union == people["site_b"]


def test_only_one_open_transfer_and_only_active_members(people):
    transfers.request_transfer(people["membership"], people["site_a"], by=people["new"])
    with pytest.raises(ValidationError):
        transfers.request_transfer(people["membership"], people["town_a"], by=people["new"])
    with pytest.raises(ValidationError):
        transfers.request_transfer(people["membership"], people["site_b"])
    outsider = factories.official("other", "organisation", factories.union("别的区总工会", "federation"))
    with pytest.raises(PermissionDenied):
        transfers.request_transfer(people["membership"], people["site_a"], by=outsider)
    assert Transfer.objects.count() == 1


def test_retain_leave_reinstate_with_reasons_and_dates(people):
    membership, old = people["membership"], people["old"]
    transfers.retain(membership, old, "暂时离岗")
    membership.refresh_from_db()
    assert (membership.status, membership.reason, membership.ended_on) == (
        "retained",
        "暂时离岗",
        timezone.localdate(),
    )
    transfers.leave(membership, old, "本人申请退会")
    membership.refresh_from_db()
    assert (membership.status, membership.reason) == ("left", "本人申请退会")
    with pytest.raises(ValidationError):
        transfers.leave(membership, old, "再退一次")
    with pytest.raises(PermissionDenied):
        transfers.reinstate(membership, people["new"], "恢复")
    transfers.reinstate(membership, old, "重新上岗")
    membership.refresh_from_db()
    assert (membership.status, membership.ended_on) == ("active", None)
    verbs = list(HistoryEntry.objects.for_object(membership).exclude(verb="").values_list("verb", flat=True))
    assert sorted(verbs) == ["active", "left", "retained"]


def test_a_second_active_membership_is_impossible(people):
    transfers.leave(people["membership"], people["old"], "离职")
    joining.approve(
        joining.submit(
            name="李快递",
            id_number=people["member"].decrypted("id_number"),
            phone=people["member"].decrypted("phone"),
            employment_form="courier",
            union=people["site_a"],
        ),
        people["new"],
    )
    with pytest.raises(ValidationError) as refused:
        transfers.reinstate(people["membership"], people["old"], "恢复")
    assert refused.value.messages == ["此人已是在册会员，应办理会员关系接转"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=people["membership"].pk).update(status="active")
    assert Membership.objects.filter(status="active").count() == 1
