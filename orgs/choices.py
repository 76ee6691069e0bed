from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县/区")
    TOWN = "town", _("乡镇/街道")


class UnionKind(models.TextChoices):
    FEDERATION = "federation", _("总工会")
    TOWN_FEDERATION = "town_federation", _("镇街总工会")
    INDUSTRY = "industry", _("行业工会")
    NEW_ECONOMY = "new_economy", _("新业态工会联合会")
    JOINT = "joint", _("联合工会/区域工会")
    GRASSROOTS = "grassroots", _("基层工会")


class UnionStatus(models.TextChoices):
    PREPARING = "preparing", _("筹备中")
    ACTIVE = "active", _("已建会")
    DISSOLVED = "dissolved", _("已撤销")


class Sector(models.TextChoices):
    """Sectors the seed's unions and employers fall into (after GB/T 4754 sections, coarsened)."""

    EXPRESS = "express", _("快递物流")
    FOOD_DELIVERY = "food_delivery", _("外卖配送")
    RIDE_HAILING = "ride_hailing", _("网约车")
    FREIGHT = "freight", _("道路货运")
    DOMESTIC = "domestic", _("家政服务")
    SANITATION = "sanitation", _("环境卫生")
    TEXTILE = "textile", _("纺织印染")
    MANUFACTURING = "manufacturing", _("制造业")
    COMMERCE = "commerce", _("商贸流通")
    FINANCE = "finance", _("金融")
    TELECOM = "telecom", _("通信")
    PUBLIC = "public", _("机关事业")
    MIXED = "mixed", _("综合")


class EmployerKind(models.TextChoices):
    FIRM = "firm", _("企业")
    PLATFORM = "platform", _("平台企业")
    SITE = "site", _("站点/网点")


class EstablishmentStage(models.TextChoices):
    PREPARATION = "preparation", _("筹备")
    ELECTION = "election", _("选举")
    APPROVAL = "approval", _("报批")
    ESTABLISHED = "established", _("已批复建会")
    ABANDONED = "abandoned", _("已终止")


class EstablishmentDocumentKind(models.TextChoices):
    APPLICATION = "application", _("建会申请")
    PREPARATION_REPLY = "preparation_reply", _("同意筹备批复")
    ELECTION_RECORD = "election_record", _("选举结果报告")
    APPROVAL = "approval", _("建会批复")
    OTHER = "other", _("其他材料")


class VisitOutcome(models.TextChoices):
    CONTACTED = "contacted", _("已对接")
    PREPARING = "preparing", _("启动筹备")
    ESTABLISHED = "established", _("建会完成")
    ENROLLED = "enrolled", _("发展会员")
    OTHER = "other", _("其他")


class EmploymentForm(models.TextChoices):
    COURIER = "courier", _("快递员")
    DELIVERY_RIDER = "delivery_rider", _("外卖配送员")
    RIDE_HAILING_DRIVER = "ride_hailing_driver", _("网约车司机")
    TRUCK_DRIVER = "truck_driver", _("货车司机")
    DOMESTIC_WORKER = "domestic_worker", _("家政服务员")
    CARER = "carer", _("护工护理员")
    SECURITY_GUARD = "security_guard", _("保安员")
    MALL_INFORMATION_WORKER = "mall_information_worker", _("商场信息员")
    ONLINE_STREAMER = "online_streamer", _("网络主播")
    SANITATION_WORKER = "sanitation_worker", _("环卫工人")
    OTHER = "other", _("其他职工")


NEW_EMPLOYMENT_FORMS = frozenset(EmploymentForm.values) - {
    EmploymentForm.SANITATION_WORKER,
    EmploymentForm.OTHER,
}


class PartnerKind(models.TextChoices):
    """Organisations a union works with: stations' hosts and programs' co-organisers."""

    BANK = "bank", _("银行")
    SUPERMARKET = "supermarket", _("超市商场")
    TELECOM = "telecom", _("电信运营商")
    COMMUNITY = "community", _("社区")
    COURIER_SITE = "courier_site", _("快递外卖站点")
    HOSPITAL = "hospital", _("医院")
    FIRE_BRIGADE = "fire_brigade", _("消防救援")
    GOVERNMENT = "government", _("政府部门")
    LAW_FIRM = "law_firm", _("律师事务所")
    OTHER = "other", _("其他")
