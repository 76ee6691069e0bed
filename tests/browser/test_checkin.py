"""扫码打卡 on a phone: the first scan asks the employment form, the next one is one tap."""

import pytest
from django.core.cache import cache

from members.services import posters
from stations.models import Visit
from tests.stations.helpers import station

pytestmark = [pytest.mark.browser]
playwright = pytest.importorskip("playwright.sync_api", reason="browser: playwright is not installed")
expect = playwright.expect


def test_scan_pick_the_form_once_then_one_tap(new_page, tree):
    cache.clear()
    rider = station(tree["town_a"], "柯迎社区小哥驿站", kind="rider")
    telecom = station(tree["town_a"], "爱心翼站·电信柯北营业厅", kind="telecom_care")
    phone = new_page("phone")
    phone.goto(f"/checkin/{posters.checkin_token(rider.pk)}/")
    expect(phone.get_by_text("柯迎社区小哥驿站")).to_be_visible()
    phone.get_by_label("您的就业形态").select_option("delivery_rider")
    phone.get_by_role("button", name="打卡", exact=True).click()
    expect(phone.get_by_role("status").first).to_contain_text("打卡成功")
    # Tapping again on the same page within ten minutes is not a second visit.
    phone.get_by_role("button", name="打卡", exact=True).click()
    expect(phone.get_by_role("status").first).to_contain_text("10 分钟内已打过卡")
    assert list(Visit.objects.values_list("station", "employment_form")) == [(rider.pk, "delivery_rider")]

    # Another station's code: the phone remembers the form, so it is one tap.
    phone.goto(f"/checkin/{posters.checkin_token(telecom.pk)}/")
    expect(phone.get_by_text("就业形态：外卖配送员")).to_be_visible()
    expect(phone.get_by_label("您的就业形态")).to_be_hidden()
    phone.get_by_role("button", name="打卡", exact=True).click()
    expect(phone.get_by_role("status").first).to_contain_text("打卡成功")
    assert Visit.objects.filter(station=telecom, employment_form="delivery_rider", person=None).count() == 1
