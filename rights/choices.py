from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsultationCategory(models.TextChoices):
    WAGES = "wages", _("工资报酬与欠薪")
    INJURY = "injury", _("工伤")
    TRAFFIC = "traffic", _("交通事故")
    PENALTY = "penalty", _("平台处罚与扣款")
    RELATIONSHIP = "relationship", _("劳动关系")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    OTHER = "other", _("其他")


class ConsultationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待分配")
    ASSIGNED = "assigned", _("待答复")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已结束")


class MessageAuthor(models.TextChoices):
    WORKER = "worker", _("职工")
    LAWYER = "lawyer", _("律师")
    OFFICIAL = "official", _("工会干部")


class CaseOutcome(models.TextChoices):
    OPEN = "open", _("办理中")
    ADVISED = "advised", _("法律咨询解决")
    MEDIATED = "mediated", _("调解")
    ARBITRATION = "arbitration", _("仲裁")
    LITIGATION = "litigation", _("诉讼")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤下")


class AidTier(models.TextChoices):
    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    ACCIDENT = "accident", _("意外致困")


class AidStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    VISITED = "visited", _("已入户走访")
    REVIEWING = "reviewing", _("逐级审批中")
    NOTICE = "notice", _("公示中")
    ACTIVE = "active", _("在档帮扶")
    REJECTED = "rejected", _("未通过")
    EXITED = "exited", _("已退出")


class BenefitKind(models.TextChoices):
    HEAT = "heat", _("夏季高温慰问")
    WINTER = "winter", _("冬季送温暖")
    WELCOME = "welcome", _("入会礼包")
    OTHER = "other", _("其他普惠")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已核准")
    REJECTED = "rejected", _("未核准")
    PAID = "paid", _("已赔付")
