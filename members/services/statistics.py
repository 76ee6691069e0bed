"""Membership figures for plans and statistics: who joined in a period, and how many are new-form workers."""

import datetime

from django.db.models import Count, Q

from orgs.services.employers import region_prefix

from ..choices import NEW_EMPLOYMENT_FORMS, JoinChannel, MembershipStatus
from ..models import Membership


def new_memberships(
    path: str, start: datetime.date, end: datetime.date, region: str | None = None, sector: str = ""
):
    """Active memberships of the subtree that began in [start, end].

    A transfer (接转) moves an existing member, so it is not a new one; a membership that has since
    ended no longer counts, as the plan's "members enrolled" means members still on the roll.
    """
    memberships = Membership.objects.filter(
        union__path__subtree=path, joined_on__range=(start, end), status=MembershipStatus.ACTIVE
    ).exclude(channel=JoinChannel.TRANSFER)
    if region:
        memberships = memberships.filter(union__region__code__startswith=region_prefix(region))
    if sector:
        memberships = memberships.filter(union__sector=sector)
    return memberships


def count_new_members(
    path: str, start: datetime.date, end: datetime.date, region: str | None = None, sector: str = ""
) -> tuple[int, int]:
    """(new members, of them new-employment-form workers) in one aggregate query."""
    figures = new_memberships(path, start, end, region, sector).aggregate(
        total=Count("id"), new_form=Count("id", filter=Q(person__employment_form__in=NEW_EMPLOYMENT_FORMS))
    )
    return figures["total"], figures["new_form"]
