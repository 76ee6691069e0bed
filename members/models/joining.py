"""Join requests (扫码入会 and the other channels) and transfers of membership between unions (接转)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import PERSONAL_VIEW, RoleKind, admin_and
from core import limits
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import EmploymentForm, JoinChannel, JoinStatus, TransferStatus
from .people import Consent, Membership, Person


@scoped(policy("union", view=PERSONAL_VIEW, change=admin_and(RoleKind.ORGANISATION)))
class JoinRequest(TrackedModel):
    """A worker's request to join, routed to one union; the employer is never told."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="join_requests", verbose_name=_("职工")
    )
    union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="join_requests", verbose_name=_("受理工会")
    )
    channel = models.CharField(
        _("入会渠道"), max_length=20, choices=JoinChannel.choices, default=JoinChannel.QR
    )
    employer = models.ForeignKey(
        "orgs.Employer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("用人单位/站点"),
    )
    brand = models.ForeignKey(
        "orgs.Brand",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("平台/品牌"),
    )
    employment_form = models.CharField(_("就业形态"), max_length=30, choices=EmploymentForm.choices)
    # Where the worker came from (the poster scanned), and how the union was chosen: for the reviewer.
    source = models.CharField(_("来源"), max_length=100, blank=True)
    routing = models.CharField(_("分配依据"), max_length=200, blank=True)
    consent = models.ForeignKey(
        Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("授权记录")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=JoinStatus.choices, default=JoinStatus.SUBMITTED
    )
    auto_approved = models.BooleanField(_("自动通过"), default=False)
    info_request = models.TextField(_("需补充的材料"), blank=True, max_length=limits.REASON)
    worker_reply = models.TextField(_("职工补充说明"), blank=True, max_length=limits.REASON)
    decision_reason = models.TextField(_("审核意见"), blank=True, max_length=limits.REASON)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("会籍")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("入会申请")
        verbose_name_plural = pgettext_lazy("plural", "入会申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A person has at most one request under way at a time.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["submitted", "info_requested"]),
                name="%(app_label)s_%(class)s_one_open",
                violation_error_message=_("您已有一份入会申请正在办理"),
            )
        ]
        indexes = [models.Index(fields=["union", "status"], name="members_joinrequest_queue")]

    def __str__(self) -> str:
        return f"{self.person} → {self.union}"

    def get_absolute_url(self) -> str:
        return reverse("members:join-detail", args=[self.pk])

    @property
    def open(self) -> bool:
        return self.status in (JoinStatus.SUBMITTED, JoinStatus.INFO_REQUESTED)


@scoped(
    policy(
        "to_union",
        view=PERSONAL_VIEW,
        change=admin_and(RoleKind.ORGANISATION),
        # The releasing union sees and acts on the transfer as well as the receiving one.
        also=("from_union",),
    )
)
class Transfer(TrackedModel):
    """A membership moving with the job (会籍随劳动关系转移): released by one union, accepted by another.

    The same Membership row moves, so its card number and history stay with the person.
    """

    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("会籍")
    )
    from_union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("转出工会")
    )
    to_union = models.ForeignKey(
        "orgs.Union", on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("转入工会")
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    join_request = models.ForeignKey(
        JoinRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("入会申请"),
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    released_at = models.DateTimeField(_("转出时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("会员关系接转")
        verbose_name_plural = pgettext_lazy("plural", "会员关系接转")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(status__in=["requested", "released"]),
                name="%(app_label)s_%(class)s_one_open",
                violation_error_message=_("该会籍已有一项接转正在办理"),
            ),
            models.CheckConstraint(
                condition=~Q(from_union=models.F("to_union")),
                name="%(app_label)s_%(class)s_between_two_unions",
                violation_error_message=_("转出和转入工会不能相同"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership.person} {self.from_union} → {self.to_union}"

    def get_absolute_url(self) -> str:
        return reverse("members:transfer-detail", args=[self.pk])
