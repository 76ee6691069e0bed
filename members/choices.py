from django.db import models
from django.utils.translation import gettext_lazy as _

# Employment forms are organisation-level vocabulary (employers count workers by them): they live in
# orgs and are re-exported here, where people and memberships use them.
from orgs.choices import NEW_EMPLOYMENT_FORMS, EmploymentForm

__all__ = ["NEW_EMPLOYMENT_FORMS", "EmploymentForm"]


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    RETAINED = "retained", _("保留会籍")
    LEFT = "left", _("已退会")


class JoinChannel(models.TextChoices):
    QR = "qr", _("扫码入会")
    ONLINE = "online", _("网上申请")
    COLLECTIVE = "collective", _("集体登记")
    MOBILE_WINDOW = "mobile_window", _("流动窗口")
    ON_SITE = "on_site", _("现场办理")
    TRANSFER = "transfer", _("会员关系接转")


class ConsentPurpose(models.TextChoices):
    ACCOUNT = "account", _("账号登录与身份核验")
    MEMBERSHIP = "membership", _("入会与会籍管理")
    SERVICES = "services", _("活动报名与服务")
    NOTIFICATIONS = "notifications", _("服务消息通知")


class ConsentChannel(models.TextChoices):
    H5 = "h5", _("手机页面")
    CONSOLE = "console", _("工作台代录")
    PAPER = "paper", _("纸质签字")
    API = "api", _("接口")


class JoinStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    INFO_REQUESTED = "info_requested", _("待补充材料")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("待转出")
    RELEASED = "released", _("已转出，待接收")
    ACCEPTED = "accepted", _("已接收")
    REFUSED = "refused", _("未办理")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    CHECKING = "checking", _("校验中")
    CHECKED = "checked", _("已校验，待确认")
    IMPORTING = "importing", _("导入中")
    DONE = "done", _("已导入")
    DISCARDED = "discarded", _("已放弃")
    FAILED = "failed", _("失败")
