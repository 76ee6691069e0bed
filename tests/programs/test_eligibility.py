"""Eligibility: every condition, combinable, each failure told in plain words before trying."""

import datetime

from django.utils import timezone

from members.models import Membership, Person
from programs.models import Registration
from programs.services import eligibility
from programs.services import registrations as engine

from .. import factories
from . import engine as make


def person(union=None, *, female=False, birth="19900101", form="delivery_rider") -> Person:
    """A person with the given ID-number facts; a member of `union` when given."""
    someone = Person(name="测试", employment_form=form)
    someone.set_id_number(factories.id_number(female=female, birth=birth))
    someone.set_phone(factories.phone())
    someone.save()
    if union is not None:
        Membership.objects.create(person=someone, union=union, card_number=f"E{someone.pk:09d}")
    return someone


def test_an_eligible_member_has_no_reasons(site):
    assert eligibility.reasons(make.program(site), person(site)) == []


def test_members_only(site):
    prog = make.program(site)
    assert any("仅限工会会员" in r for r in eligibility.reasons(prog, person()))
    open_to_all = make.program(site, title="公益电影", members_only=False)
    assert eligibility.reasons(open_to_all, person()) == []


def test_employment_form(site):
    prog = make.program(site, employment_forms=["courier", "delivery_rider"])
    assert eligibility.reasons(prog, person(site, form="courier")) == []
    found = eligibility.reasons(prog, person(site, form="security_guard"))
    assert found == ["本活动仅限以下就业形态的职工报名：快递员、外卖配送员"]


def test_gender_from_the_id_number(site):
    prog = make.program(site, gender="female")
    assert eligibility.reasons(prog, person(site, female=True)) == []
    assert eligibility.reasons(prog, person(site)) == ["本活动仅限女性职工报名"]


def test_age_range_from_the_id_number(site):
    at = timezone.make_aware(datetime.datetime(2026, 6, 1, 12))
    prog = make.program(
        site,
        min_age=35,
        max_age=64,
        signup_opens_at=at - datetime.timedelta(days=1),
        signup_closes_at=at + datetime.timedelta(days=1),
    )
    assert eligibility.reasons(prog, person(site, birth="19910601"), at) == []  # 35 that very day
    assert eligibility.reasons(prog, person(site, birth="19910602"), at) == [
        "本活动要求年满 35 周岁（您现在 34 周岁）"
    ]
    assert eligibility.reasons(prog, person(site, birth="19610601"), at) == [
        "本活动要求不超过 64 周岁（您现在 65 周岁）"
    ]
    unknown = Person.objects.create(name="未实名")
    Membership.objects.create(person=unknown, union=site, card_number="E999999999")
    assert any("无法确认年龄" in r for r in eligibility.reasons(prog, unknown, at))


def test_region_by_the_membership_union_and_the_code_tree(tree):
    prog = make.program(tree["district"])
    keqiao_street = tree["town_a"].region  # 330603001
    huashe = tree["town_b"].region  # 330603003
    prog.regions.set([keqiao_street])
    assert eligibility.reasons(prog, person(tree["site_a"])) == []  # site_a is in 柯桥街道
    assert eligibility.reasons(prog, person(tree["site_b"])) == ["本活动仅限柯桥街道的工会会员报名"]
    county = keqiao_street.parent  # 330603 柯桥区 covers both streets
    prog.regions.set([county])
    assert eligibility.reasons(prog, person(tree["site_b"])) == []
    assert huashe.code.startswith("330603")


def test_once_per_year_within_the_series(site, tree):
    from programs.models import ProgramSeries

    series = ProgramSeries.objects.create(union=site, name="两癌筛查")
    spring = make.program(site, title="春季筛查", series=series, once_per_year=True)
    autumn = make.program(site, title="秋季筛查", series=series, once_per_year=True)
    someone = person(site, female=True)
    registration = engine.sign_up(make.session(spring), someone)
    found = eligibility.reasons(autumn, someone)
    assert found == ["本系列活动每年限享一次，您今年已报名或参加过"]
    engine.cancel(registration)  # a cancelled sign-up was not served
    assert eligibility.reasons(autumn, someone) == []
    assert Registration.objects.filter(person=someone).count() == 1


def test_the_window_and_publication(site):
    now = timezone.now()
    soon = make.program(site, signup_opens_at=now + datetime.timedelta(hours=1))
    assert eligibility.reasons(soon, person(site))[0].startswith("报名尚未开始")
    over = make.program(
        site,
        signup_opens_at=now - datetime.timedelta(days=2),
        signup_closes_at=now - datetime.timedelta(days=1),
    )
    assert eligibility.reasons(over, person(site))[0].startswith("报名已截止")
    assert eligibility.reasons(make.program(site, status="draft"), person(site)) == ["活动尚未发布"]


def test_conditions_combine_and_all_reasons_are_told(site):
    prog = make.program(site, gender="female", min_age=50, employment_forms=["courier"])
    found = eligibility.reasons(prog, person(form="other"))
    assert len(found) == 4  # not a member, form, gender, age
