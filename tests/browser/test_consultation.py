"""法律咨询 in a real browser: a rider asks the seed's question on a phone, sees the matching article
while typing, sends it anyway; the lawyer answers in the console on a laptop; the rider reads the answer
and rates it."""

import re

import pytest

from core.notify import MemorySmsBackend
from rights.models import Article, Consultation, Lawyer
from rights.services import knowledge
from tests import factories

from .helpers import worker_sign_in

pytestmark = [pytest.mark.browser]
playwright = pytest.importorskip("playwright.sync_api", reason="browser: playwright is not installed")
expect = playwright.expect

PHONE = "13900000042"
QUESTION = "我下班的时候……摔了一跤，人没事，餐食坏了，公司要我出钱赔，请问我可以拒绝吗？"
ARTICLE = "送餐途中摔倒、餐品损坏，公司要骑手全额赔偿，可以拒绝吗？"
ANSWER = "您在配送途中意外摔倒造成的餐损属于经营风险，公司不能要求您全额赔偿；可以拒绝，并保留截图。"


@pytest.fixture
def desk(tree):
    rider = factories.member(tree["site_a"], "王骑手")
    rider.set_phone(PHONE)
    rider.save()
    lawyer_user = factories.official("lw_zhang", "lawyer", tree["district"])
    Lawyer.objects.create(user=lawyer_user, union=tree["district"], name="张律师", firm="浙江某律师事务所")
    knowledge.publish(
        Article.objects.create(
            union=tree["district"],
            title=ARTICLE,
            question="骑手送餐或下班途中摔了一跤，餐品损坏，站点要求骑手出钱赔偿餐费。",
            answer="劳动者因工作中的意外造成的损失属于用人单位的经营风险，不应由劳动者全部承担。",
            category="penalty",
            law_references="《劳动合同法》第三十条",
        )
    )
    return rider


def test_rider_asks_lawyer_answers_rider_rates(new_page, sign_in, desk):
    MemorySmsBackend.outbox.clear()
    phone = new_page("phone")
    worker_sign_in(phone, PHONE)
    phone.goto("/")
    phone.get_by_role("link", name=re.compile("法律咨询")).click()
    expect(phone.get_by_role("heading", name="法律咨询")).to_be_visible()
    phone.get_by_label("咨询类别").select_option(label="平台处罚与扣款")
    suggestions = phone.get_by_role("region", name="相关解答")
    expect(suggestions).to_be_hidden()
    # Typed key by key, as on a phone: the article appears while typing, before anything is sent.
    phone.get_by_label("您的问题").press_sequentially(QUESTION, delay=15)
    expect(suggestions.get_by_role("link", name=ARTICLE)).to_be_visible()
    assert Consultation.objects.count() == 0
    phone.get_by_label("不要联系我的用人单位").check()
    phone.get_by_role("button", name="提交咨询").click()
    expect(phone.get_by_text("已提交")).to_be_visible()
    consultation = Consultation.objects.get()
    assert consultation.category == "penalty" and consultation.no_employer_contact
    assert consultation.lawyer.name == "张律师"
    assert "摔" not in phone.url

    laptop = new_page("laptop")
    sign_in(laptop, "lw_zhang")
    laptop.goto("/console/consultations/mine/")
    laptop.get_by_role("link", name=f"平台处罚与扣款 #{consultation.pk}").click()
    expect(laptop.get_by_text("职工要求：不要联系其用人单位。")).to_be_visible()
    expect(laptop.get_by_text("王**")).to_be_visible()
    laptop.get_by_label("答复内容").fill(ANSWER)
    laptop.get_by_role("button", name="发送答复").click()
    expect(laptop.get_by_text("已答复，职工会收到通知")).to_be_visible()
    # The rider's SMS says an answer is there, and nothing of the question.
    sms = [text for to, text in MemorySmsBackend.outbox if "律师答复" in text]
    assert len(sms) == 1 and "摔" not in sms[0]

    phone.reload()
    thread = phone.get_by_role("region", name="咨询记录")
    expect(thread).to_contain_text(ANSWER)
    expect(thread).to_contain_text("律师 张律师")
    phone.get_by_label("5 星").check()
    phone.get_by_label("评价意见（可选）").fill("答复很快，讲得清楚")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_text("您的评价：5 星")).to_be_visible()
    consultation.refresh_from_db()
    assert (consultation.status, consultation.rating, consultation.rating_comment) == (
        "answered",
        5,
        "答复很快，讲得清楚",
    )
    assert phone.viewport_size["width"] == 375
