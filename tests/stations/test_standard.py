"""The unified standard's rules: the checklist that applies, scoring, versions, station flags, follow-ups."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.choices import RoleKind
from core.models import HistoryEntry
from core.scoping import VIEW
from stations.models import Checklist, ChecklistItem, Inspection, InspectionScore, Station
from stations.services import registry as registry_services
from stations.services import standard as services

from .. import factories
from .helpers import keeper, station

TODAY = timezone.localdate()

# (category, text, max score, required): 100 points, pass mark 80.
ITEMS = [
    ("统一标识", "统一标识标牌", 20, True),
    ("设施", "饮用水", 20, True),
    ("设施", "休息座椅", 20, False),
    ("卫生", "卫生整洁", 20, False),
    ("管理", "台账记录", 20, False),
]


def checklist(union, name="柯桥区职工驿站统一标准", version="2026版", items=ITEMS, active=True, pass_mark=80):
    made = services.create_checklist(
        Checklist(union=union, name=name, version=version, pass_mark=Decimal(pass_mark)),
        [ChecklistItem(category=c, text=t, max_score=Decimal(m), required=r) for c, t, m, r in items],
    )
    return services.activate(made) if active else made


def rows(checklist, **scores):
    """Full marks for every item but those given by text (score, finding)."""
    result = []
    for item in checklist.items.order_by("order"):
        score, finding = scores.get(item.text, (item.max_score, ""))
        result.append(services.ScoreInput(item.pk, score, finding))
    return result


@pytest.fixture
def inspector(tree):
    return factories.official("service", RoleKind.SERVICE, tree["district"])


def test_nearest_active_checklist_up_the_tree_applies(tree):
    site = station(tree["site_a"])
    assert services.checklist_for(site) is None
    district = checklist(tree["district"])
    assert services.checklist_for(site) == district
    # A draft of the town does not apply; once active it does, being nearer.
    town = checklist(tree["town_a"], name="柯桥街道驿站标准", active=False)
    assert services.checklist_for(site) == district
    services.activate(town)
    assert services.checklist_for(site) == town
    # The other town's stations still follow the district.
    assert services.checklist_for(station(tree["site_b"], "顺丰华舍驿站")) == district
    # Another union's checklist (a sibling) never applies.
    checklist(tree["town_b"], name="华舍街道驿站标准")
    assert services.checklist_for(site) == town


def test_full_marks_pass_and_the_station_flags_follow(tree, inspector):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    inspection = services.record_inspection(site, inspector, rows(standard), inspected_on=TODAY)
    assert (inspection.score, inspection.result, inspection.checklist) == (
        Decimal("100.0"),
        "passed",
        standard,
    )
    assert inspection.scores.count() == 5
    site.refresh_from_db()
    assert (site.standard_score, site.below_standard, site.inspected_on) == (Decimal("100.0"), False, TODAY)


def test_total_below_the_pass_mark_fails(tree, inspector):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    inspection = services.record_inspection(
        site,
        inspector,
        rows(standard, 休息座椅=(Decimal("9.5"), "座椅损坏"), 卫生整洁=(10, "地面积水")),
        follow_up_on=TODAY + datetime.timedelta(days=14),
    )
    assert (inspection.score, inspection.result) == (Decimal("79.5"), "failed")
    site.refresh_from_db()
    assert (site.standard_score, site.below_standard) == (Decimal("79.5"), True)
    # Exactly at the pass mark passes.
    again = services.record_inspection(site, inspector, rows(standard, 休息座椅=(0, "没有座椅")))
    assert (again.score, again.result) == (Decimal("80.0"), "passed")


def test_a_required_item_below_its_maximum_fails_whatever_the_total(tree, inspector):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    inspection = services.record_inspection(site, inspector, rows(standard, 饮用水=(19, "滤芯过期")))
    assert (inspection.score, inspection.result) == (Decimal("99.0"), "failed")
    assert [s.item.text for s in services.failing_scores(inspection)] == ["饮用水"]
    site.refresh_from_db()
    assert site.below_standard is True


@pytest.mark.parametrize(
    "scores, expected",
    [
        ({"饮用水": (None, "")}, {"饮用水": ["请为“饮用水”打分"]}),
        ({"饮用水": (21, "")}, {"饮用水": ["“饮用水”的得分须在 0 到 20.0 之间"]}),
        ({"饮用水": (-1, "没水")}, {"饮用水": ["“饮用水”的得分须在 0 到 20.0 之间"]}),
        ({"饮用水": ("abc", "")}, {"饮用水": ["“饮用水”的得分须为数字"]}),
        ({"饮用水": ("19.25", "少")}, {"饮用水": ["得分最多保留一位小数"]}),
        (
            {"饮用水": (18, ""), "台账记录": (0, " ")},
            {
                "饮用水": ["“饮用水”未得满分，请写明发现的问题"],
                "台账记录": ["“台账记录”未得满分，请写明发现的问题"],
            },
        ),
    ],
)
def test_refused_scores_name_their_item_and_change_nothing(tree, inspector, scores, expected):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    before = (Inspection.objects.count(), InspectionScore.objects.count(), HistoryEntry.objects.count())
    with pytest.raises(services.InspectionInvalid) as caught:
        services.record_inspection(site, inspector, rows(standard, **scores))
    texts = {item.pk: item.text for item in standard.items.all()}
    assert {texts[pk]: messages for pk, messages in caught.value.items.items()} == expected
    assert (
        Inspection.objects.count(),
        InspectionScore.objects.count(),
        HistoryEntry.objects.count(),
    ) == before
    site.refresh_from_db()
    assert (site.standard_score, site.below_standard, site.inspected_on) == (None, False, None)


def test_every_item_must_be_scored_once_and_belong_to_the_checklist(tree, inspector):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    other = checklist(tree["town_b"], name="华舍标准")
    given = rows(standard)
    missing = given[1:]
    with pytest.raises(services.InspectionInvalid) as caught:
        services.record_inspection(site, inspector, missing)
    assert list(caught.value.items) == [given[0].item_id]
    foreign = [*given, services.ScoreInput(other.items.first().pk, 20, "")]
    with pytest.raises(services.InspectionInvalid) as caught:
        services.record_inspection(site, inspector, foreign)
    assert list(caught.value.fields) == ["scores"]
    twice = [*given, given[0]]
    with pytest.raises(services.InspectionInvalid) as caught:
        services.record_inspection(site, inspector, twice)
    assert caught.value.items == {given[0].item_id: ["该条目重复评分"]}
    assert Inspection.objects.count() == 0


def test_dates_and_checklists_that_do_not_apply_are_refused(tree, inspector):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    sibling = checklist(tree["town_b"], name="华舍标准")
    draft = checklist(tree["district"], name="草稿", active=False)
    for given in (sibling, draft):
        with pytest.raises(services.InspectionInvalid) as caught:
            services.record_inspection(site, inspector, rows(given), checklist=given)
        assert list(caught.value.fields) == ["checklist"]
    with pytest.raises(services.InspectionInvalid) as caught:
        services.record_inspection(
            site,
            inspector,
            rows(standard),
            inspected_on=TODAY + datetime.timedelta(days=1),
            follow_up_on=TODAY,
        )
    assert caught.value.fields == {
        "inspected_on": ["检查日期不能晚于今天"],
        "follow_up_on": ["整改复查日期不能早于检查日期"],
    }
    bare = station(tree["site_b"], "顺丰华舍驿站")
    Checklist.objects.update(active=False)
    with pytest.raises(services.InspectionInvalid) as caught:
        services.record_inspection(bare, inspector, [])
    assert caught.value.fields == {"checklist": ["该站点所属工会及上级工会均未启用站点标准"]}
    assert Inspection.objects.count() == 0


def test_flags_follow_the_latest_inspection_by_date_and_deletion_and_correction(tree, inspector):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    day = TODAY - datetime.timedelta(days=30)
    failed = services.record_inspection(
        site, inspector, rows(standard, 饮用水=(10, "无热水")), inspected_on=day + datetime.timedelta(days=10)
    )
    # Entered afterwards but dated earlier: the station keeps the later (failed) result.
    services.record_inspection(site, inspector, rows(standard), inspected_on=day)
    site.refresh_from_db()
    assert (site.below_standard, site.standard_score, site.inspected_on) == (
        True,
        Decimal("90.0"),
        failed.inspected_on,
    )
    # Corrected to full marks: the station passes.
    services.correct_inspection(failed, rows(standard), inspected_on=failed.inspected_on)
    failed.refresh_from_db()
    site.refresh_from_db()
    assert (failed.score, failed.result, site.below_standard, site.standard_score) == (
        Decimal("100.0"),
        "passed",
        False,
        Decimal("100.0"),
    )
    # Corrected to fail again, then deleted: the station falls back to the earlier inspection.
    services.correct_inspection(failed, rows(standard, 台账记录=(0, "没有台账")))
    site.refresh_from_db()
    assert (site.below_standard, site.standard_score) == (False, Decimal("80.0"))
    services.delete_inspection(failed)
    site.refresh_from_db()
    assert (site.below_standard, site.standard_score, site.inspected_on) == (False, Decimal("100.0"), day)
    services.delete_inspection(site.inspections.get())
    site.refresh_from_db()
    assert (site.below_standard, site.standard_score, site.inspected_on) == (False, None, None)


def test_follow_ups_overdue_marked_and_closed_by_a_later_inspection(tree, inspector):
    first = station(tree["site_a"], "驿站一")
    second = station(tree["site_a"], "驿站二")
    standard = checklist(tree["district"])
    long_ago = TODAY - datetime.timedelta(days=40)
    late = services.record_inspection(
        first,
        inspector,
        rows(standard, 饮用水=(0, "无饮水机")),
        inspected_on=long_ago,
        follow_up_on=TODAY - datetime.timedelta(days=10),
    )
    pending = services.record_inspection(
        second,
        inspector,
        rows(standard, 饮用水=(0, "无饮水机")),
        inspected_on=TODAY,
        follow_up_on=TODAY + datetime.timedelta(days=10),
    )
    assert list(services.overdue_follow_ups()) == [late]
    assert set(services.open_follow_ups()) == {late, pending}
    assert services.is_overdue(late) and not services.is_overdue(pending)
    services.mark_followed_up(pending, "已更换饮水机")
    pending.refresh_from_db()
    assert pending.followed_up_at is not None
    entry = HistoryEntry.objects.for_object(pending).first()
    assert (entry.verb, entry.note) == ("followed_up", "已更换饮水机")
    with pytest.raises(ValidationError):
        services.mark_followed_up(pending)
    # The re-inspection the follow-up date asked for closes it.
    services.record_inspection(first, inspector, rows(standard))
    late.refresh_from_db()
    assert late.followed_up_at is not None
    assert list(services.overdue_follow_ups()) == []
    first.refresh_from_db()
    assert first.below_standard is False


def test_a_used_checklist_is_frozen_and_changes_by_a_new_version(tree, inspector):
    site = station(tree["site_a"])
    standard = checklist(tree["district"])
    item = standard.items.get(text="台账记录")
    # While unused: items change, move and go.
    item.max_score = Decimal(25)
    services.save_item(item)
    services.move_item(item, -1)
    assert [i.text for i in standard.items.order_by("order")][3:] == ["台账记录", "卫生整洁"]
    item.max_score = Decimal(20)
    services.save_item(item)
    services.record_inspection(site, inspector, rows(standard))
    assert services.is_locked(standard)
    before = list(ChecklistItem.objects.order_by("pk").values())
    for change in (
        lambda: services.save_item(ChecklistItem(checklist=standard, category="安全", text="灭火器")),
        lambda: services.remove_item(item),
        lambda: services.move_item(item, 1),
    ):
        with pytest.raises(ValidationError, match="请新建版本后修改"):
            change()
    standard.pass_mark = Decimal(60)
    with pytest.raises(ValidationError, match="请新建版本后修改"):
        services.save_checklist(standard)
    standard.refresh_from_db()
    assert standard.pass_mark == Decimal("80.0")
    assert list(ChecklistItem.objects.order_by("pk").values()) == before

    copy = services.new_version(standard, "2027版")
    assert (copy.name, copy.version, copy.active, copy.pass_mark) == (
        standard.name,
        "2027版",
        False,
        Decimal(80),
    )
    assert [(i.text, i.max_score, i.required) for i in copy.items.order_by("order")] == [
        (i.text, i.max_score, i.required) for i in standard.items.order_by("order")
    ]
    services.save_item(ChecklistItem(checklist=copy, category="安全", text="灭火器", max_score=Decimal(5)))
    assert services.checklist_for(site) == standard
    services.activate(copy)
    standard.refresh_from_db()
    assert (standard.active, services.checklist_for(site)) == (False, copy)
    # The old inspection keeps its checklist and score.
    assert site.inspections.get().checklist == standard


def test_activation_needs_items_and_a_reachable_pass_mark(tree):
    empty = checklist(tree["district"], items=[], active=False)
    with pytest.raises(ValidationError, match="请先添加检查条目"):
        services.activate(empty)
    low = checklist(tree["district"], name="低", items=[("设施", "饮用水", 50, True)], active=False)
    with pytest.raises(ValidationError, match="高于各条目分值之和"):
        services.activate(low)
    assert Checklist.objects.filter(active=True).count() == 0


def test_keeper_sees_the_inspections_of_their_station_only(tree, inspector):
    mine = station(tree["site_a"], "柯迎社区小哥驿站")
    other = station(tree["site_a"], "柯桥职工驿站·工商银行")
    standard = checklist(tree["district"])
    seen = services.record_inspection(mine, inspector, rows(standard))
    services.record_inspection(other, inspector, rows(standard))
    user = keeper("keeper", tree["site_a"])
    registry_services.assign_keeper(mine, user)
    assert list(Inspection.objects.restrict(user, VIEW)) == [seen]
    assert list(Inspection.objects.restrict(user, "add")) == []
    assert set(InspectionScore.objects.restrict(user, VIEW)) == set(seen.scores.all())


def test_station_filter_below_standard(tree, inspector):
    from stations.filtersets.registry import StationFilterSet

    good = station(tree["site_a"], "驿站一")
    bad = station(tree["site_a"], "驿站二")
    station(tree["site_a"], "驿站三")
    standard = checklist(tree["district"])
    services.record_inspection(good, inspector, rows(standard))
    services.record_inspection(bad, inspector, rows(standard, 饮用水=(0, "无饮水机")))
    below = StationFilterSet({"below_standard": "true"}, queryset=Station.objects.all()).qs
    assert [s.name for s in below] == ["驿站二"]
    rest = StationFilterSet({"below_standard": "false"}, queryset=Station.objects.all()).qs
    assert sorted(s.name for s in rest) == ["驿站一", "驿站三"]
