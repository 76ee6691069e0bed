"""The two faces in a real browser: an official's console on a laptop, a worker's H5 on a phone.

Elements are found by role, label and text, never by CSS class, so restyling
the templates does not break these tests.
"""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import load_workbook

from core.models import PiiAccess
from core.notify import MemorySmsBackend
from members.choices import ConsentChannel, ConsentPurpose
from members.models import Consent, Membership, Person
from members.services import CONSENT_TEXT_VERSION
from tests import factories

pytestmark = [pytest.mark.browser]
playwright = pytest.importorskip("playwright.sync_api", reason="browser: playwright is not installed")
expect = playwright.expect

PHONE_WIDTH = 375


def person(union, name: str, phone: str | None = None) -> tuple[Person, str]:
    """A member of `union`; returns the person and their raw ID number."""
    raw_id = factories.id_number()
    someone = Person(name=name)
    someone.set_id_number(raw_id)
    someone.set_phone(phone or factories.phone())
    someone.save()
    Membership.objects.create(person=someone, union=union, card_number=f"K{someone.pk:09d}")
    return someone, raw_id


@pytest.fixture
def town(tree):
    """The tree, one level deeper under 柯桥街道, with members on both sides and two officials of 柯桥街道."""
    joint = factories.union("柯桥街道联合工会", "joint", tree["town_a"])
    meituan = factories.union("美团柯桥站工会", "grassroots", joint)
    inside = [person(tree["site_a"], "王柯桥"), person(meituan, "赵联合"), person(joint, "孙街道")]
    outside = person(tree["site_b"], "钱华舍")
    return {
        **tree,
        "joint": joint,
        "meituan": meituan,
        "inside": inside,
        "outside": outside,
        "organiser": factories.official("keqiao_org", "organisation", tree["town_a"]),
        "viewer": factories.official("keqiao_view", "viewer", tree["town_a"]),
    }


OUTSIDE_UNIONS = ["柯桥区总工会", "华舍街道总工会", "顺丰华舍网点工会"]


def test_town_official_sees_their_subtree_and_nothing_outside(new_page, sign_in, town):
    page = new_page("laptop")
    sign_in(page, "keqiao_org")

    page.get_by_role("navigation").get_by_role("link", name="工会组织").click()
    tree = page.get_by_role("main")
    expect(tree.get_by_role("link", name="柯桥街道总工会", exact=True)).to_be_visible()
    open_branch(page, "柯桥街道总工会")
    expect(tree.get_by_role("link", name="饿了么柯桥站工会", exact=True)).to_be_visible()
    expect(tree.get_by_role("link", name="柯桥街道联合工会", exact=True)).to_be_visible()
    open_branch(page, "柯桥街道联合工会")
    expect(tree.get_by_role("link", name="美团柯桥站工会", exact=True)).to_be_visible()
    for name in OUTSIDE_UNIONS:
        expect(tree).not_to_contain_text(name)

    page.goto("/console/unions/list/")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(1 + 4)
    for name in ["柯桥街道总工会", "柯桥街道联合工会", "美团柯桥站工会", "饿了么柯桥站工会"]:
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in OUTSIDE_UNIONS:
        expect(page.get_by_role("main")).not_to_contain_text(name)

    page.get_by_role("navigation").get_by_role("link", name="职工", exact=True).click()
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(1 + 3)
    for name in ["王柯桥", "赵联合", "孙街道"]:
        expect(table.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("钱华舍")

    for url in [town["site_b"].get_absolute_url(), town["outside"][0].get_absolute_url()]:
        response = page.goto(url)
        assert response.status == 404, url
        expect(page.locator("body")).not_to_contain_text("顺丰华舍网点工会")
        expect(page.locator("body")).not_to_contain_text("钱华舍")


def open_branch(page, union_name: str) -> None:
    """Open a union's branch of the tree; its children load through htmx.

    Enter on the disclosure (<summary>) is what a click on its marker does, without landing on
    the union's link inside it. Waiting for htmx to settle matters: until then the branches it
    just inserted are not wired up yet, and opening one would load nothing.
    """
    page.evaluate(
        "window.njSettled = 0;"
        "document.addEventListener('htmx:afterSettle', () => { window.njSettled += 1; }, {once: true});"
    )
    page.locator("summary").filter(has=page.get_by_role("link", name=union_name, exact=True)).press("Enter")
    page.wait_for_function("window.njSettled > 0")


def assert_fits_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways: {width}px wide at {PHONE_WIDTH}px"


def test_worker_signs_in_by_phone_code_and_sees_me(new_page, tree):
    worker, _raw_id = person(tree["site_a"], "周骑手", phone="13900000001")
    MemorySmsBackend.outbox.clear()
    page = new_page("phone")

    page.goto("/login/")
    assert_fits_phone(page)
    page.get_by_label("手机号").fill("139 0000 0001")
    page.get_by_role("button", name="获取验证码").click()
    code_field = page.get_by_label("验证码")
    expect(code_field).to_be_visible()
    # The live server is a thread of this process: the SMS it sent is in the same outbox.
    assert [phone for phone, _text in MemorySmsBackend.outbox] == ["13900000001"]
    code = re.search(r"验证码 (\d{6})", MemorySmsBackend.outbox[0][1]).group(1)
    code_field.fill(code)
    page.get_by_role("checkbox", name=re.compile("我已阅读并同意")).check()
    assert_fits_phone(page)
    page.get_by_role("button", name="登录", exact=True).click()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("heading", name="我的", level=1)).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text("周骑手")
    expect(main).to_contain_text("139****0001")
    expect(main).to_contain_text(worker.id_number_mask)
    expect(main).not_to_contain_text("13900000001")
    expect(main).to_contain_text("饿了么柯桥站工会")
    consent = main.get_by_role("listitem").filter(has_text="账号登录与身份核验")
    expect(consent).to_contain_text(f"版本 {CONSENT_TEXT_VERSION}")
    expect(consent.get_by_role("button", name="撤回")).to_be_visible()
    assert_fits_phone(page)

    given = Consent.objects.get(person=worker)
    assert (given.purpose, given.channel, given.text_version, given.withdrawn_at) == (
        ConsentPurpose.ACCOUNT,
        ConsentChannel.H5,
        CONSENT_TEXT_VERSION,
        None,
    )


def test_language_switch_round_trips(new_page, sign_in, town):
    page = new_page("laptop")
    sign_in(page, "keqiao_org")
    page.goto("/console/unions/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")

    page.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/console/unions/$"))
    # The union's own name is data, not interface: it stays as it is.
    expect(page.get_by_role("link", name="柯桥街道总工会", exact=True)).to_be_visible()

    page.get_by_role("button", name="简体中文").click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(re.compile(r"/console/unions/$"))
    expect(page.get_by_role("navigation").get_by_role("link", name="工会组织")).to_be_visible()


HAN = re.compile(r"[\u4e00-\u9fff]")


def test_english_console_navigation_is_translated(new_page, sign_in, town):
    page = new_page("laptop")
    sign_in(page, "keqiao_org")
    page.goto("/console/unions/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Found by its target, since its label is what is under test; the wording is the translator's.
    # The page is rendered on the server: once lang="en" is there, the labels are final.
    link = "a[href='/console/unions/']"
    expect(page.locator(f"nav {link}")).not_to_have_text(HAN, timeout=1_000)
    # `has` is matched inside each nav, so it takes the bare link selector.
    expect(page.locator("nav", has=page.locator(link))).not_to_contain_text(HAN, timeout=1_000)


def test_reveal_needs_the_role_a_confirmation_and_is_logged(new_page, sign_in, town):
    target, raw_id = town["inside"][0]
    # The value beside the term 身份证号, whatever it shows at the moment.
    id_row = lambda page: page.locator("dt:text-is('身份证号') + dd")  # noqa: E731

    viewer = new_page("laptop")
    sign_in(viewer, "keqiao_view")
    viewer.goto(target.get_absolute_url())
    expect(id_row(viewer)).to_be_visible()
    expect(viewer.get_by_role("button", name="查看完整")).to_have_count(0)

    page = new_page("laptop")
    sign_in(page, "keqiao_org")
    page.goto(target.get_absolute_url())
    row = id_row(page)
    dialogs = []

    def answer(accept: bool):
        def handle(dialog):
            dialogs.append((dialog.type, dialog.message))
            dialog.accept() if accept else dialog.dismiss()

        return handle

    # Declining the confirmation sends nothing.
    page.once("dialog", answer(False))
    row.get_by_role("button", name="查看完整").click()
    assert dialogs == [("confirm", "查看完整信息将被记录在案。确认查看？")]
    expect(row).to_contain_text(target.id_number_mask)
    assert PiiAccess.objects.count() == 0

    row.get_by_label("查看事由").fill("核对困难帮扶材料")
    page.once("dialog", answer(True))
    row.get_by_role("button", name="查看完整").click()
    expect(row).to_contain_text(raw_id)
    assert len(dialogs) == 2
    access = PiiAccess.objects.get()
    assert (access.content_type, access.object_id, access.field, access.reason, access.user) == (
        ContentType.objects.get_for_model(Person),
        str(target.pk),
        "id_number",
        "核对困难帮扶材料",
        town["organiser"],
    )
    # The viewer's page never showed the number.
    expect(viewer.get_by_role("main")).not_to_contain_text(raw_id)


def test_export_downloads_what_the_official_may_see_masked(new_page, sign_in, town, tmp_path):
    page = new_page("laptop")
    sign_in(page, "keqiao_org")
    page.goto("/console/people/")
    headings = page.get_by_role("table").get_by_role("columnheader").all_inner_texts()
    expect(page.get_by_role("main")).to_contain_text("共 3 条")

    page.get_by_role("link", name="导出 Excel").click()
    expect(page).to_have_url(re.compile(r"/console/jobs/\d+/$"))
    expect(page.get_by_role("heading", name="导出：职工")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "100")
    expect(page.get_by_role("main")).to_contain_text("已完成 3 / 3")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载结果").click()
    download = download_info.value
    assert re.fullmatch(r"person-\d{8}-\d{6}\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    rows = list(load_workbook(saved, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == [h.strip() for h in headings]
    assert list(rows[0][:3]) == ["姓名", "身份证号", "手机号"]
    assert sorted(row[:3] for row in rows[1:]) == sorted(
        (someone.name, someone.id_number_mask, someone.phone_mask) for someone, _raw in town["inside"]
    )
    cells = {str(cell) for row in rows for cell in row}
    raw_values = {raw for _someone, raw in town["inside"]}
    raw_values |= {someone.decrypted("phone") for someone, _raw in town["inside"]}
    assert cells.isdisjoint(raw_values)
    assert "钱华舍" not in cells
