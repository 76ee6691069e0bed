"""Joining in a real browser: a worker scans a site's poster on a phone, an official approves on a laptop,
the worker opens the electronic card and its QR code verifies on the check page."""

import re

import pytest

from core.notify import MemorySmsBackend
from members.models import JoinRequest, Membership
from members.services import posters
from orgs.models import Employer
from tests import factories

from .helpers import scan

pytestmark = [pytest.mark.browser]
playwright = pytest.importorskip("playwright.sync_api", reason="browser: playwright is not installed")
expect = playwright.expect


@pytest.fixture
def site(tree):
    factories.union("柯桥街道新业态工会联合会", "new_economy", tree["town_a"])
    factories.official("kq_org", "organisation", tree["town_a"])
    return Employer.objects.create(
        name="美团柯桥站", sector="food_delivery", region=tree["town_a"].region, area_union=tree["town_a"]
    )


def test_scan_join_approve_card_and_check(new_page, sign_in, site):
    MemorySmsBackend.outbox.clear()
    raw_id = factories.id_number()
    phone = new_page("phone")
    link = f"/join/e/{posters.join_token('e', site.pk)}/"
    phone.goto(link)
    expect(phone.get_by_role("heading", name="申请加入工会")).to_be_visible()
    expect(phone.get_by_text("美团柯桥站")).to_be_visible()
    phone.get_by_label("真实姓名").fill("张骑手")
    phone.get_by_label("身份证号").fill(raw_id)
    phone.get_by_label("手机号", exact=True).fill("13800138000")
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.get_by_role("status")).to_contain_text("验证码已发送")
    # What was typed is still there after the code was sent.
    expect(phone.get_by_label("真实姓名")).to_have_value("张骑手")
    code = re.search(r"验证码 (\d{6})", MemorySmsBackend.outbox[-1][1]).group(1)
    phone.get_by_label("验证码").fill(code)
    phone.get_by_label("就业形态").select_option(label="外卖配送员")
    phone.get_by_label("我已阅读并同意").check()
    phone.get_by_label("同时用本手机号开通").check()
    phone.get_by_role("button", name="提交入会申请").click()
    expect(phone.get_by_role("heading", name="申请已提交")).to_be_visible()
    expect(phone.get_by_text("柯桥街道新业态工会联合会")).to_be_visible()
    # Nothing personal in any address the worker's browser visited.
    assert raw_id not in phone.url and "13800138000" not in phone.url
    phone.get_by_role("link", name="查看办理进度").click()
    expect(phone.get_by_text("待审核")).to_be_visible()

    laptop = new_page("laptop")
    sign_in(laptop, "kq_org")
    laptop.goto("/console/joins/?status=submitted")
    laptop.get_by_role("table").get_by_role("link", name="张骑手").click()
    routing = laptop.get_by_role("definition").filter(
        has_text="按属地“柯桥街道总工会”和就业形态分配到新业态工会联合会"
    )
    expect(routing).to_be_visible()
    laptop.get_by_label("意见").fill("材料齐全")
    laptop.get_by_role("button", name="通过", exact=True).click()
    expect(laptop.get_by_role("heading", name=re.compile("已通过"))).to_be_visible()
    membership = Membership.objects.get()
    assert JoinRequest.objects.get().membership == membership

    phone.goto("/me/")
    phone.get_by_role("link", name="出示电子会员卡").click()
    card = phone.get_by_role("region", name="电子会员卡")
    expect(card).to_contain_text(membership.card_number)
    expect(card).to_contain_text("张**")
    qr = phone.get_by_role("img", name="会员卡二维码")
    expect(qr.locator("svg")).to_be_visible()
    # The keeper's camera reads what the screen shows: large enough, and the code the page carries.
    token = scan(qr)
    assert token == qr.get_attribute("data-code") and qr.bounding_box()["width"] >= 200
    assert phone.viewport_size["width"] == 375

    laptop.goto("/check/")
    laptop.get_by_label("卡码").fill(token)
    laptop.get_by_role("button", name="核验").click()
    result = laptop.get_by_role("status", name="核验结果")
    expect(result).to_contain_text("有效会员")
    expect(result).to_contain_text("张**")
    expect(result).to_contain_text("柯桥街道新业态工会联合会")
    laptop.get_by_label("卡码").fill(token[:-3] + "abc")
    laptop.get_by_role("button", name="核验").click()
    expect(laptop.get_by_role("status", name="核验结果")).to_contain_text("签名无效")
