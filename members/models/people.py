"""People (real-name, with protected personal data), memberships and consents."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.choices import PERSONAL_VIEW, RoleKind, admin_and
from core import pii
from core.dates import validate_historic_day
from core.models import TrackedModel
from core.scoping import ScopedQuerySet, policy, scoped

from ..choices import ConsentChannel, ConsentPurpose, EmploymentForm, Gender, JoinChannel, MembershipStatus

PII_FIELDS = ("id_number", "phone")


@scoped(
    policy(
        "memberships__union",
        view=PERSONAL_VIEW,
        change=admin_and(RoleKind.ORGANISATION),
        reveal=admin_and(RoleKind.ORGANISATION, RoleKind.RIGHTS),
        export=admin_and(RoleKind.ORGANISATION),
        through_many=True,
    )
)
@pii.encrypted(id_number="id", phone="phone")
class Person(TrackedModel):
    """A real-name worker; ID number and phone are kept encrypted, hashed and masked."""

    name = models.CharField(_("姓名"), max_length=50, blank=True, validators=[pii.validate_name])
    id_number_cipher = models.TextField(_("身份证号（密文）"), blank=True, editable=False)
    # Unique through Meta.constraints, not unique=True: on PostgreSQL that would add a second,
    # LIKE-pattern index to each digest, which nobody searches by prefix and which doubled the cost
    # of writing people in bulk (bench/bulk_enrolment.py).
    id_number_hash = models.CharField(_("身份证号摘要"), max_length=64, null=True, blank=True, editable=False)
    id_number_mask = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    phone_cipher = models.TextField(_("手机号（密文）"), blank=True, editable=False)
    phone_hash = models.CharField(_("手机号摘要"), max_length=64, null=True, blank=True, editable=False)
    phone_mask = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, editable=False)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices, blank=True, editable=False)
    id_region_code = models.CharField(_("发证地区代码"), max_length=6, blank=True, editable=False)
    employment_form = models.CharField(
        _("就业形态"), max_length=30, choices=EmploymentForm.choices, default=EmploymentForm.OTHER
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name=_("登录账号"),
    )

    history_masked_fields = ("id_number_cipher", "id_number_hash", "phone_cipher", "phone_hash")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("职工")
        verbose_name_plural = pgettext_lazy("plural", "职工")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                name="%(app_label)s_%(class)s_one_id_number",
                violation_error_message=_("此身份证号已登记在另一位职工名下"),
            ),
            models.UniqueConstraint(
                fields=["phone_hash"],
                name="%(app_label)s_%(class)s_one_phone",
                violation_error_message=_("此手机号已登记在另一位职工名下"),
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="members_person_name"),
            # Name search is a prefix LIKE; PostgreSQL answers it from this index whatever the collation.
            models.Index(fields=["name"], name="members_person_name_like", opclasses=["varchar_pattern_ops"]),
            # The lists' filters: counts read the index alone instead of the wide rows (ciphertexts), and
            # the id lets a membership list filtered by employment form join people from it too.
            models.Index(fields=["employment_form", "gender", "id"], name="members_person_form"),
        ]

    def __str__(self) -> str:
        return self.name or self.phone_mask or str(_("未实名职工"))

    def get_absolute_url(self) -> str:
        return reverse("members:person-detail", args=[self.pk])

    def set_id_number(self, raw: str) -> None:
        """Validate (GB 11643), then store ciphertext, hash and mask, and what the number tells."""
        parsed = pii.parse_id_number(raw)
        self.id_number_cipher = pii.encrypt(parsed.value)
        self.id_number_hash = pii.lookup_hash("id", parsed.value)
        self.id_number_mask = pii.mask_id_number(parsed.value)
        self.birth_date = parsed.birth_date
        self.gender = parsed.gender
        self.id_region_code = parsed.region_code

    def set_phone(self, raw: str) -> None:
        value = pii.normalise_phone(raw)
        self.phone_cipher = pii.encrypt(value)
        self.phone_hash = pii.lookup_hash("phone", value)
        self.phone_mask = pii.mask_phone(value)

    def decrypted(self, field: str) -> str:
        """The raw value; callers other than members.services.reveal must not show it to officials."""
        assert field in PII_FIELDS
        return pii.decrypt(getattr(self, f"{field}_cipher"))

    @property
    def masked_name(self) -> str:
        return pii.mask_name(self.name)

    def age_on(self, day) -> int | None:
        if not self.birth_date:
            return None
        return (
            day.year
            - self.birth_date.year
            - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))
        )


@scoped(
    policy(
        "union",
        view=PERSONAL_VIEW,
        change=admin_and(RoleKind.ORGANISATION),
    )
)
class Membership(TrackedModel):
    """A person's membership of one union; at most one is active, nationwide."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("职工")
    )
    # No index of its own: the two indexes below start with it.
    union = models.ForeignKey(
        "orgs.Union",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("工会"),
        db_index=False,
    )
    status = models.CharField(
        _("会籍状态"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    # Unique through Meta.constraints, not unique=True: on PostgreSQL that would add a LIKE-pattern
    # index too; card numbers are looked up whole or by range (members.services.cards).
    card_number = models.CharField(_("会员卡号"), max_length=20)
    channel = models.CharField(
        _("入会渠道"), max_length=20, choices=JoinChannel.choices, default=JoinChannel.ON_SITE
    )
    joined_on = models.DateField(
        _("入会日期"), default=timezone.localdate, validators=[validate_historic_day]
    )
    ended_on = models.DateField(_("终止日期"), null=True, blank=True, validators=[validate_historic_day])
    reason = models.CharField(_("变更原因"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("会籍")
        verbose_name_plural = pgettext_lazy("plural", "会籍")
        ordering = ["-joined_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="active"),
                name="%(app_label)s_%(class)s_one_active",
                violation_error_message=_("此人已是在册会员，应办理会员关系接转"),
            ),
            models.UniqueConstraint(
                fields=["card_number"],
                name="%(app_label)s_%(class)s_one_card_number",
                violation_error_message=_("此会员卡号已被使用"),
            ),
        ]
        indexes = [
            models.Index(fields=["union", "status"], name="members_membership_union"),
            # Scoping asks "people with a membership in these unions": answered from the index alone.
            models.Index(fields=["union", "person"], name="members_membership_people"),
            # The lists' default order: a page is read off this index instead of sorting every membership.
            models.Index(fields=["-joined_on", "-id"], name="members_membership_joined"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.union}"

    def get_absolute_url(self) -> str:
        return reverse("members:membership-detail", args=[self.pk])


@scoped(
    policy(
        "person__memberships__union",
        view=PERSONAL_VIEW,
        change=admin_and(RoleKind.ORGANISATION),
        through_many=True,
    )
)
class Consent(TrackedModel):
    """A person's consent to one purpose of processing, with the text version they saw."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="consents", verbose_name=_("职工")
    )
    purpose = models.CharField(_("用途"), max_length=20, choices=ConsentPurpose.choices)
    text_version = models.CharField(_("告知书版本"), max_length=20)
    channel = models.CharField(_("渠道"), max_length=10, choices=ConsentChannel.choices)
    given_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息授权")
        verbose_name_plural = pgettext_lazy("plural", "个人信息授权")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="%(app_label)s_%(class)s_one_current",
                violation_error_message=_("该用途已有有效授权"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_purpose_display()} · {self.text_version}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
