"""The console's navigation: a place for every module of the design, live or coming."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# (label, url name or None while the module is being built). Modules add themselves here.
# A label that is also a model's name takes the "plural" context, as its list page's heading does.
MODULES = [
    (_("首页"), "reports:home"),
    (_("工会组织"), "orgs:union-tree"),
    (pgettext_lazy("plural", "行政区划"), "orgs:region-list"),
    (pgettext_lazy("plural", "职工"), "members:person-list"),
    (pgettext_lazy("plural", "会籍"), "members:membership-list"),
    (pgettext_lazy("plural", "入会申请"), "members:join-list"),
    (pgettext_lazy("plural", "会员关系接转"), "members:transfer-list"),
    (pgettext_lazy("plural", "批量入会"), "members:import-list"),
    (_("建会入会"), "orgs:census-list"),
    (pgettext_lazy("plural", "用人单位"), "orgs:employer-list"),
    (pgettext_lazy("plural", "覆盖计划"), "orgs:plan-list"),
    (pgettext_lazy("plural", "主席助理派驻"), "orgs:cadre-list"),
    (pgettext_lazy("plural", "建会流程"), "orgs:establishment-list"),
    (pgettext_lazy("plural", "服务站点"), "stations:station-list"),
    (pgettext_lazy("plural", "站点标准"), "stations:checklist-list"),
    (pgettext_lazy("plural", "站点检查"), "stations:inspection-list"),
    (_("驿站服务统计"), "stations:visit-overview"),
    (pgettext_lazy("plural", "合作单位"), "orgs:partner-list"),
    (_("覆盖缺口"), "stations:coverage"),
    (_("服务活动"), "programs:program-list"),
    (pgettext_lazy("plural", "法律咨询"), "rights:consultation-list"),
    (pgettext_lazy("plural", "公益律师"), "rights:lawyer-list"),
    (pgettext_lazy("plural", "律师驻站"), "rights:duty-list"),
    (pgettext_lazy("plural", "知识库文章"), "rights:article-list"),
    (pgettext_lazy("plural", "医疗互助计划"), "rights:mutual-plan-list"),
    (_("权益保障统计"), "rights:statistics"),
    (pgettext_lazy("plural", "困难帮扶档案"), "rights:aid-list"),
    (pgettext_lazy("plural", "普惠发放"), "rights:benefit-list"),
    (_("经费与经审"), None),
    (_("劳模工匠"), None),
    (_("数据报表"), "reports:statistics"),
    (_("账号与角色"), "accounts:role-list"),
    (_("后台任务"), "core:job-list"),
]


# Figures of a union's subtree: nothing to show to a user whose roles are all assigned ones (a lawyer,
# a judge: they see what is assigned to them, no subtree), whom these pages answer 404.
SUBTREE_FIGURES = {"rights:statistics", "reports:statistics"}


def navigation(request):
    if not request.path.startswith(("/console", "/accounts")):
        return {}
    user = request.user
    no_subtree = user.is_authenticated and not user.is_superuser and not user.top_unions()
    items = []
    for label, name in MODULES:
        if no_subtree and name in SUBTREE_FIGURES:
            continue
        try:
            url = reverse(name) if name else None
        except NoReverseMatch:
            url = None
        items.append({"label": label, "url": url, "active": bool(url) and request.path.startswith(url)})
    # The home link is a prefix of everything; only mark it on itself.
    if items and items[0]["url"]:
        items[0]["active"] = request.path == items[0]["url"]
    return {"console_nav": items}
