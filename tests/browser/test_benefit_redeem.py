"""普惠发放 on a keeper's phone: pick the station, paste the member card's code (the typed fallback of the
camera scan), 核销成功; the same card again says when and where it was redeemed."""

import datetime

import pytest
from django.utils import timezone

from members.models import Membership
from members.services.cards import sign_card
from rights.models import BenefitDistribution, BenefitGrant
from rights.services import benefits
from stations.models import Station
from stations.services.registry import assign_keeper
from tests import factories

pytestmark = [pytest.mark.browser]
playwright = pytest.importorskip("playwright.sync_api", reason="browser: playwright is not installed")
expect = playwright.expect


def test_keeper_redeems_once_by_typed_code(new_page, sign_in, tree, tmp_path):
    today = timezone.localdate()
    rider = factories.member(tree["site_a"], "王骑手", employment_form="delivery_rider")
    station = Station.objects.create(
        union=tree["town_a"], name="柯迎社区小哥驿站", kind="worker", address="柯桥"
    )
    official = factories.official("kq_service", "service", tree["district"])
    keeper = factories.official("kq_keeper", "keeper", tree["town_a"])
    assign_keeper(station, keeper)
    heat = BenefitDistribution.objects.create(
        union=tree["district"],
        kind="heat",
        title="2026 夏季高温慰问",
        items="清凉包",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=10),
    )
    heat.stations.set([station])
    benefits.build_list(heat, official, ["delivery_rider"])
    code = sign_card(Membership.objects.select_related("union", "person").get(person=rider))

    phone = new_page("phone")
    sign_in(phone, "kq_keeper")
    phone.goto("/console/benefits/redeem/")
    expect(phone.get_by_label("发放项目")).to_have_value(str(heat.pk))
    phone.get_by_label("会员卡二维码内容（扫码或粘贴）").fill(code)
    phone.get_by_role("button", name="核销", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("核销成功")
    expect(phone.get_by_role("status")).to_contain_text("王**")
    phone.screenshot(path=str(tmp_path / "redeem.png"), full_page=True)
    phone.get_by_label("会员卡二维码内容（扫码或粘贴）").fill(code)
    phone.get_by_role("button", name="核销", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("已领取过")
    expect(phone.get_by_role("status")).to_contain_text("柯迎社区小哥驿站")
    grant = BenefitGrant.objects.get()
    assert grant.redeemed_by == keeper and grant.station == station
