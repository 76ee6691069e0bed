"""Knowledge search: Chinese bigrams and synonyms, BM25 ranking, the index kept in step with articles and
answered consultations, personal details never in a suggestion, and the scrub that removes them."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from rights.choices import ArticleStatus, ConsultationStatus, MessageAuthor
from rights.demo_knowledge import ARTICLES, seed_articles
from rights.models import Article, Consultation, ConsultationMessage, SearchTerm
from rights.services import knowledge, search
from tests import factories

SEED_QUERY = "送餐摔了一跤 餐坏了 公司要我赔"
SEED_QUESTION = "我下班的时候……摔了一跤，人没事，餐食坏了，公司要我出钱赔，请问我可以拒绝吗？"
SPOILED = ARTICLES[0][1]  # 送餐途中摔倒、餐品损坏，损失该由骑手赔吗？


def article(union, title, question="", answer="解答", status=ArticleStatus.PUBLISHED, category="other"):
    return knowledge.save_article(
        Article(union=union, title=title, question=question, answer=answer, category=category, status=status)
    )


def titles(hits):
    return [h.title for h in hits]


@pytest.fixture
def demo(tree):
    assert seed_articles(tree["district"]) == len(ARTICLES)
    return tree


# --- the seed's question ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", [SEED_QUERY, SEED_QUESTION, "外卖洒了 站长让我赔钱", "跌倒 餐品损坏 赔偿"])
def test_the_seed_question_finds_the_spoiled_order_article_first(demo, query):
    hits = search.suggest(query)
    assert hits[0].title == SPOILED
    assert hits[0].kind == "article"
    assert hits[0].url == f"/knowledge/{hits[0].id}/"
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("快递丢了要我赔", "快递丢件、损坏，快递员要全额赔偿吗？"),
        ("没签合同 送外卖受伤 算工伤吗", "没签劳动合同，送外卖时受伤能认定工伤吗？"),
        ("超时扣钱", "平台因超时、差评扣钱，这样合理吗？"),
        ("站长拖欠工资两个月", "站点拖欠工资不发，怎么讨回来？"),
        ("40度高温还要跑单", "高温天还要跑单，有高温津贴吗？多热可以停工？"),
        ("仲裁时效", "和公司有纠纷，劳动仲裁怎么申请？有时间限制吗？"),
        ("押金不退", "辞职后公司扣着最后一个月工资和押金不给，怎么办？"),
        ("人社部发〔2021〕56号 众包 劳动关系", "我是众包骑手，和平台算不算劳动关系？"),
    ],
)
def test_other_questions_find_their_article_first(demo, query, expected):
    assert search.suggest(query, limit=3)[0].title == expected


def test_demo_articles_are_deterministic_and_idempotent(demo):
    assert Article.objects.filter(status=ArticleStatus.PUBLISHED).count() == len(ARTICLES) >= 20
    rows = SearchTerm.objects.count()
    assert seed_articles(demo["district"]) == 0
    assert SearchTerm.objects.count() == rows
    first = Article.objects.get(title=SPOILED)
    assert first.published_at == timezone.make_aware(timezone.datetime(2026, 4, 1, 9, 0))
    assert "《工资支付暂行规定》第十六条" in first.law_references
    assert "《民法典》第一千一百九十一条" in first.law_references
    assert all(a.answer.endswith(knowledge_note()) for a in Article.objects.all())


def knowledge_note():
    from rights.demo_knowledge import NOTE

    return NOTE


# --- cutting text -----------------------------------------------------------------------------------


def test_tokens_are_bigrams_of_chinese_runs_and_ascii_words():
    assert search.tokens("送餐摔了") == ["送餐", "餐摔", "摔了"]
    # Full-width letters and digits are folded; one-character runs stay single; punctuation splits.
    assert search.tokens("ＡＰＰ扣款２０％，赔") == ["app", "扣款", "20", "赔"]
    assert search.tokens("第1191条") == ["第", "1191", "条"]
    assert search.tokens("！？…  ") == []


def test_synonyms_widen_a_query_with_lower_weight():
    weights = search.query_terms("摔了一跤 餐坏了 要我赔")
    assert weights["摔了"] == 1.0
    assert weights["跌倒"] == search.SYNONYM_WEIGHT
    assert weights["餐品"] == search.SYNONYM_WEIGHT
    assert weights["赔偿"] == search.SYNONYM_WEIGHT
    assert "工伤" not in weights


def test_a_synonym_alone_finds_an_article(tree):
    fall = article(tree["district"], "骑行途中跌倒怎么办", "骑手跌倒后怎么处理")
    article(tree["district"], "高温津贴", "夏天的规定")
    # No bigram of the query is in the article: only the synonyms 摔 → 跌倒 connect them.
    assert set(search.tokens("摔了一跤")).isdisjoint(search.tokens(fall.title + fall.question))
    assert titles(search.suggest("摔了一跤")) == ["骑行途中跌倒怎么办"]


# --- ranking ----------------------------------------------------------------------------------------


def test_title_outranks_a_mention_in_the_answer_and_rare_terms_outrank_common_ones(tree):
    union = tree["district"]
    in_title = article(union, "高温津贴怎么发", "问题", "解答")
    in_answer = article(union, "夏天的工作", "问题", "按规定发放高温津贴。")
    hits = search.suggest("高温津贴")
    assert [h.id for h in hits] == [in_title.pk, in_answer.pk]
    for n in range(6):
        article(union, f"平台规则{n}", "平台平台平台")
    rare = article(union, "封号申诉", "平台")
    # 平台 is in most documents; 封号 in one: the article with the rare word wins over those
    # that repeat the common one.
    assert search.suggest("平台 封号")[0].id == rare.pk


def test_limit_and_empty_queries(demo):
    assert len(search.suggest(SEED_QUERY, limit=2)) == 2
    assert search.suggest(SEED_QUERY, limit=0) == []
    assert search.suggest("") == []
    assert search.suggest("   ，。！") == []
    assert search.suggest("zzzz qqqq") == []


# --- the index kept in step -------------------------------------------------------------------------


def test_drafts_are_not_found_publishing_edits_and_withdrawing_are_at_once(tree):
    union = tree["district"]
    draft = article(union, "电动车被扣怎么办", "交警扣车", status=ArticleStatus.DRAFT)
    assert search.suggest("电动车被扣") == []
    assert not SearchTerm.objects.filter(object_id=draft.pk).exists()

    knowledge.publish(draft)
    assert [h.id for h in search.suggest("电动车被扣")] == [draft.pk]

    draft.title = "头盔的规定"
    draft.question = "不戴头盔会被罚吗"
    knowledge.save_article(draft)
    assert search.suggest("电动车被扣") == []
    assert [h.id for h in search.suggest("头盔")] == [draft.pk]

    knowledge.withdraw(draft, "内容过时")
    assert search.suggest("头盔") == []
    assert not SearchTerm.objects.filter(kind="article", object_id=draft.pk).exists()
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.WITHDRAWN


def test_rebuild_command_gives_the_same_index(demo):
    before = set(SearchTerm.objects.values_list("term", "kind", "object_id", "weight"))
    SearchTerm.objects.filter(term="餐品").delete()
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue().strip() == f"indexed {len(ARTICLES)} articles, 0 consultations"
    assert set(SearchTerm.objects.values_list("term", "kind", "object_id", "weight")) == before
    assert search.suggest(SEED_QUERY)[0].title == SPOILED


# --- answered consultations: officials only, no personal data ---------------------------------------

PHONE = "13912345678"


@pytest.fixture
def answered(tree):
    person = factories.member(tree["site_a"], "王小明")
    consultation = Consultation.objects.create(
        union=tree["district"],
        person=person,
        category="penalty",
        question=f"我是王小明，电话{PHONE}，车牌浙D12345。送餐摔了一跤，餐洒了，站长要我赔全款。",
        status=ConsultationStatus.ANSWERED,
        answered_at=timezone.now(),
    )
    ConsultationMessage.objects.create(
        consultation=consultation, author_kind=MessageAuthor.LAWYER, body="不应由你全额承担。"
    )
    search.index_consultation(consultation)
    return consultation


def test_an_unanswered_consultation_is_not_indexed(tree):
    consultation = Consultation.objects.create(
        union=tree["district"], person=factories.member(tree["site_a"]), category="wages", question="欠薪"
    )
    search.index_consultation(consultation)
    assert not SearchTerm.objects.filter(kind="consultation").exists()


def test_workers_and_the_public_never_get_consultations(tree, answered):
    article(tree["district"], "餐品损坏谁来赔", "送餐摔倒")
    worker = factories.official("worker-only", None, None)
    for user in (None, worker):
        hits = search.suggest("送餐摔了一跤 要我赔", user=user)
        assert [h.kind for h in hits] == ["article"]


def test_officials_get_answered_consultations_of_their_scope_without_personal_details(tree, answered):
    official = factories.official("kq-rights", "rights", tree["district"])
    hits = search.suggest("送餐摔了一跤 要我赔", user=official)
    assert [(h.kind, h.id) for h in hits] == [("consultation", answered.pk)]
    hit = hits[0]
    shown = f"{hit.title} {hit.snippet}"
    for secret in ("王小明", "小明", PHONE, "浙D12345"):
        assert secret not in shown
    assert "[手机号]" in shown or "[车牌号]" in shown or "某某" in shown
    assert hit.url == f"/console/consultations/{answered.pk}/"

    outsider = factories.official("hs-rights", "rights", tree["town_b"])
    assert search.suggest("送餐摔了一跤 要我赔", user=outsider) == []


def test_no_suggestion_carries_a_phone_or_id_number(demo, answered):
    official = factories.official("kq-rights2", "rights", demo["district"])
    long_number = re.compile(r"\d{11,}")
    for query in (SEED_QUERY, "电话 车牌", "王小明"):
        for hit in search.suggest(query, limit=20, user=official):
            assert not long_number.search(hit.title + hit.snippet + hit.url)
            assert "王小明" not in hit.snippet


# --- scrub ------------------------------------------------------------------------------------------


def test_scrub_removes_personal_details_and_keeps_law_references():
    text = (
        "我叫王小明，王师傅们都认识我，小王电话138-1234-5678，座机0575-88001234，"
        "身份证33062119900101123X，银行卡6222021234567890123，车牌浙D·A1234，"
        "住华宇路88号3幢2单元501室，邮箱wang@example.com。"
        "依据人社部发〔2021〕56号、《工资支付暂行规定》第16条和《民法典》第1191条，扣款不超过20%。"
    )
    out = knowledge.scrub(text, names=["王小明"])
    for secret in (
        "王小明",
        "小王",
        "王师傅",
        "138-1234-5678",
        "88001234",
        "33062119900101123X",
        "6222021234567890123",
        "浙D·A1234",
        "88号",
        "3幢",
        "501室",
        "wang@example.com",
    ):
        assert secret not in out, secret
    for kept in ("〔2021〕56号", "第16条", "第1191条", "20%", "华宇路"):
        assert kept in out, kept
    assert "[手机号]" in out and "[身份证号]" in out and "[车牌号]" in out


def test_scrub_finds_a_name_given_in_the_text_without_the_list():
    assert knowledge.scrub("您好，我叫李建国，在站点干了两年。") == "您好，我叫某某，在站点干了两年。"
    assert knowledge.scrub("姓名：张三 电话：13912345678") == "姓名：某某 电话：[手机号]"


def test_draft_from_consultation_removes_the_askers_and_lawyers_names(tree, answered):
    from rights.models import Lawyer

    lawyer_user = factories.official("lw-zhao", "lawyer", tree["district"])
    answered.lawyer = Lawyer.objects.create(user=lawyer_user, union=tree["district"], name="赵律师名")
    answered.save()
    ConsultationMessage.objects.create(
        consultation=answered,
        author_kind=MessageAuthor.LAWYER,
        body="王小明你好，我是赵律师名。餐品损坏属于经营风险，依据《工资支付暂行规定》第16条，扣款不超过20%。",
    )
    ConsultationMessage.objects.create(consultation=answered, author_kind=MessageAuthor.WORKER, body="谢谢")
    draft = knowledge.draft_from_consultation(answered)
    assert draft["category"] == "penalty"
    assert draft["source"] == answered.pk
    everything = " ".join(str(v) for v in draft.values())
    for secret in ("王小明", PHONE, "浙D12345", "赵律师名"):
        assert secret not in everything
    assert "不应由你全额承担。" in draft["answer"]
    assert "第16条" in draft["answer"]
    assert "谢谢" not in draft["answer"]  # the worker's own messages are not part of the answer
