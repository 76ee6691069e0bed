"""Who signed up: registrations with their place in the waitlist, offers, tickets and check-in."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import PERSONAL_VIEW
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import ACTIVE_STATUSES, RegistrationChannel, RegistrationStatus
from .catalogue import RUNNERS, Program, Session


@scoped(policy("program__union", view=PERSONAL_VIEW, change=RUNNERS))
class Registration(TrackedModel):
    """One person's sign-up (报名) for a program's session, from entry to attendance.

    `holder` is what "one active registration per person" is counted over: the program, or the
    session when the program allows one per session. A partial unique index on (person, holder)
    over the active statuses makes the database refuse a second one, whoever races.
    """

    # No foreign-key constraint on the program in the database (the ORM still cascades): its check
    # locked the program's row at every sign-up's commit, a row all of a flash's sign-ups share. The
    # session's constraint (kept) ties a registration to a session, and the session to its program.
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="registrations",
        verbose_name=_("活动"),
    )
    # The session's and the person's own indexes would repeat the first column of programs_reg_queue
    # and programs_reg_person: every index is written at every sign-up (Meta.indexes says which).
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="registrations",
        verbose_name=_("场次"),
    )
    person = models.ForeignKey(
        "members.Person",
        on_delete=models.PROTECT,
        db_index=False,
        related_name="registrations",
        verbose_name=_("职工"),
    )
    holder = models.CharField(_("报名限制键"), max_length=30, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=RegistrationStatus.choices)
    channel = models.CharField(
        _("报名渠道"), max_length=10, choices=RegistrationChannel.choices, default=RegistrationChannel.H5
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # partial: programs_reg_made_by
        related_name="registrations_made",
        verbose_name=_("代报名人"),
    )
    # Waitlist order within the session (lower first); an official's reorder is logged with a reason.
    position = models.PositiveIntegerField(_("候补顺序"), null=True, blank=True)
    draw_rank = models.PositiveIntegerField(_("抽签序号"), null=True, blank=True, editable=False)
    offer_expires_at = models.DateTimeField(_("递补确认截止"), null=True, blank=True)
    # Short code staff may type at check-in; the QR carries a signed token of the id instead.
    # Unique among the rows that have one (Meta.constraints): a waitlisted sign-up writes no entry.
    ticket_code = models.CharField(_("票号"), max_length=12, null=True, blank=True, editable=False)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True, editable=False)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # partial: programs_reg_checked_in_by
        related_name="check_ins",
        verbose_name=_("签到人"),
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True, editable=False)
    signed_up_at = models.DateTimeField(_("报名时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = pgettext_lazy("plural", "报名")
        ordering = ["session_id", "status", "position", "signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "holder"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="%(app_label)s_%(class)s_one_active",
                violation_error_message=_("已报名，不能重复报名"),
            ),
            models.UniqueConstraint(
                fields=["ticket_code"],
                condition=Q(ticket_code__isnull=False),
                name="programs_reg_ticket_code",
            ),
        ]
        # Each index here is written by every insert its condition admits: the partial ones are for
        # the few rows they find (offers to expire; who signed someone up or checked them in, looked
        # up when that user is deleted), so a sign-up writes none of them.
        indexes = [
            models.Index(fields=["session", "status", "position"], name="programs_reg_queue"),
            models.Index(fields=["person", "-signed_up_at"], name="programs_reg_person"),
            models.Index(
                fields=["offer_expires_at"],
                condition=Q(status=RegistrationStatus.OFFERED),
                name="programs_reg_offers",
            ),
            models.Index(
                fields=["created_by"], condition=Q(created_by__isnull=False), name="programs_reg_made_by"
            ),
            models.Index(
                fields=["checked_in_by"],
                condition=Q(checked_in_by__isnull=False),
                name="programs_reg_checked_in_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("programs:registration-detail", args=[self.pk])


class PendingNotice(models.Model):
    """A sign-up's notice still to send: the outbox the notice sender drains in batches.

    A sign-up writes this small row in its own statement (no task row per sign-up); the sender
    (notices.send_due, run by a queued task and by the minute tick) deletes a batch and sends each,
    with the text as of sending. Not scoped (nor tracked: a history row per notice would double what
    the outbox saves): only the engine writes and reads it, and no page or API lists it.
    """

    # No constraint in the database (the ORM still cascades): a notice waits seconds, the sender skips
    # one whose registration is gone, and the check cost every sign-up's commit a lookup and a lock.
    # Nor an index: the outbox is near empty, and only deleting a registration looks it up this way.
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    kind = models.CharField(max_length=16)

    def __str__(self) -> str:
        return f"{self.registration_id} · {self.kind}"
