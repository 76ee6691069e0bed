"""One maker per scoped model: `MAKERS[Model](union)` returns a new saved instance owned by `union`.

tests/test_permissions.py runs the whole permission matrix (restrict, console, API)
for every model in `core.scoping.registry` and fails for a model without a maker here.
To cover a new scoped model, import it and add one line to MAKERS:

    from programs.models import Program
    Program: lambda union: Program.objects.create(union=union, title=f"课程{_n()}", kind="course"),

The console and API parts find the model's pages from `get_absolute_url`, the URL
resolver (generic console views) and the API router, so nothing else is needed.
Each call must make a distinct row (use `_n()` for unique names). If the model's
policy has `assigned` paths that are not a plain foreign key or many-to-many to the
user, also add `ASSIGNERS[Model] = callable(instance, user)` that assigns the object
to that user the way the app's service does.
"""

import datetime
import itertools

from django.core.files.base import ContentFile

from accounts.models import Role, User
from members.models import Consent, ImportBatch, JoinRequest, Membership, Person, Transfer
from orgs.models import (
    CadreAssignment,
    CadreVisit,
    CensusEntry,
    CensusRound,
    CoveragePlan,
    Employer,
    Establishment,
    EstablishmentDocument,
    Partner,
    PlanTarget,
    Union,
)
from programs.models import Program, ProgramExpense, ProgramSeries, Registration, Session
from rights.models import (
    AidCase,
    AidDecision,
    AidDocument,
    AidPayment,
    AidVisit,
    Article,
    BenefitDistribution,
    BenefitGrant,
    ClaimDocument,
    Consultation,
    ConsultationMessage,
    ConsultationPhoto,
    DutyDay,
    HouseholdMember,
    Lawyer,
    MutualAidClaim,
    MutualAidEnrollment,
    MutualAidPlan,
    RightsCase,
)
from stations.models import (
    Checklist,
    ChecklistItem,
    HotSpot,
    Inspection,
    InspectionPhoto,
    InspectionScore,
    ServiceKind,
    ServiceRecord,
    Station,
    StationClosure,
    StationKeeper,
    StationPhoto,
    Visit,
)

from . import factories

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def _union(parent: Union) -> Union:
    return factories.union(f"测试基层工会{_n()}", "grassroots", parent)


def _role(union: Union) -> Role:
    # The holder already serves the union as a keeper (assigned-only, so it opens nothing): an admin
    # may grant roles only to officials inside their own subtree (accounts.services.official_candidates).
    user = User.objects.create_user(f"role-holder-{_n()}", password="correct-horse-battery")
    Role.objects.create(user=user, union=union, kind="keeper")
    return Role.objects.create(user=user, union=union, kind="viewer")


def _person(union: Union) -> Person:
    return factories.member(union, f"职工{_n()}")


def _membership(union: Union) -> Membership:
    return _person(union).memberships.get()


def _consent(union: Union) -> Consent:
    return Consent.objects.create(
        person=_person(union), purpose="membership", text_version="2026-11", channel="h5"
    )


def _employer(union: Union) -> Employer:
    return Employer.objects.create(
        name=f"单位{_n()}", sector="express", region=union.region, area_union=union
    )


def _census(union: Union) -> CensusRound:
    return CensusRound.objects.create(union=union, name=f"普查{_n()}")


def _plan(union: Union) -> CoveragePlan:
    return CoveragePlan.objects.create(union=union, name=f"计划{_n()}", start_year=2026, end_year=2028)


def _assignment(union: Union) -> CadreAssignment:
    cadre = factories.official(f"cadre-{_n()}", "viewer", union)  # an official of the union's own scope
    day = datetime.date(2026, 3, 1)
    return CadreAssignment.objects.create(
        cadre=cadre, union=union, starts_on=day, ends_on=day.replace(year=2027)
    )


def _establishment(union: Union) -> Establishment:
    founding = factories.union(f"筹建工会{_n()}", "grassroots", union)
    return Establishment.objects.create(union=founding)


def _join_request(union: Union) -> JoinRequest:
    return JoinRequest.objects.create(person=_person(union), union=union, employment_form="courier")


def _transfer(union: Union) -> Transfer:
    # Into `union` from a sibling union made for it (the policy also opens it to the releasing side).
    origin = factories.union(f"转出工会{_n()}", "grassroots", union.parent or union)
    membership = _person(origin).memberships.get()
    return Transfer.objects.create(membership=membership, from_union=origin, to_union=union)


def _checklist(union: Union) -> Checklist:
    return Checklist.objects.create(union=union, name=f"驿站标准{_n()}", version="2026")


def _inspection(union: Union) -> Inspection:
    return Inspection.objects.create(
        station=MAKERS[Station](union),
        checklist=_checklist(union),
        inspector=User.objects.create_user(f"i{_n()}"),
    )


def _service_kind() -> ServiceKind:
    return ServiceKind.objects.get_or_create(code="screen_film", defaults={"name": "手机贴膜"})[0]


def _program(union: Union) -> Program:
    return Program.objects.create(union=union, title=f"课程{_n()}", kind="course")


def _session(union: Union) -> Session:
    start = datetime.datetime(2026, 7, 1, 19, tzinfo=datetime.UTC)
    return Session.objects.create(
        program=_program(union),
        place="柯桥",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=30,
    )


def _lawyer(union: Union) -> Lawyer:
    # A profile is for an account holding the lawyer role on the union (rights.forms.legal.LawyerForm).
    user = User.objects.create_user(f"lawyer-{_n()}")
    Role.objects.create(user=user, union=union, kind="lawyer")
    return Lawyer.objects.create(user=user, union=union, name="律师")


def _consultation(union: Union) -> Consultation:
    return Consultation.objects.create(
        union=union, person=_person(union), category="penalty", question="扣款"
    )


def _aid_case(union: Union) -> AidCase:
    return AidCase.objects.create(
        union=union, applicant=_person(union), tier="relative", cause="因病", annual_income=20000
    )


def _distribution(union: Union) -> BenefitDistribution:
    day = datetime.date(2026, 7, 1)
    return BenefitDistribution.objects.create(
        union=union, kind="heat", title=f"高温慰问{_n()}", items="清凉包", starts_on=day, ends_on=day
    )


def _plan_year(union: Union) -> MutualAidPlan:
    return MutualAidPlan.objects.create(
        union=union,
        name=f"医疗互助{_n()}",
        year=2026,
        premium=60,
        enrol_opens_on=datetime.date(2026, 1, 1),
        enrol_closes_on=datetime.date(2026, 3, 31),
        coverage_starts_on=datetime.date(2026, 4, 1),
        coverage_ends_on=datetime.date(2027, 3, 31),
    )


def _enrollment(union: Union) -> MutualAidEnrollment:
    return MutualAidEnrollment.objects.create(
        plan=_plan_year(union),
        person=_person(union),
        union=union,
        coverage_starts_on=datetime.date(2026, 4, 1),
        coverage_ends_on=datetime.date(2027, 3, 31),
    )


def _claim(union: Union) -> MutualAidClaim:
    return MutualAidClaim.objects.create(
        enrollment=_enrollment(union), kind="住院", incurred_on=datetime.date(2026, 5, 1), amount_claimed=1000
    )


MAKERS = {
    Union: _union,
    Role: _role,
    Person: _person,
    Membership: _membership,
    Consent: _consent,
    Station: lambda union: Station.objects.create(
        union=union, name=f"驿站{_n()}", kind="worker", address="柯桥"
    ),
    StationKeeper: lambda union: StationKeeper.objects.create(
        station=MAKERS[Station](union), user=User.objects.create_user(f"keeper-{_n()}")
    ),
    StationPhoto: lambda union: StationPhoto.objects.create(
        station=MAKERS[Station](union), image=ContentFile(b"x", "a.jpg")
    ),
    StationClosure: lambda union: StationClosure.objects.create(
        station=MAKERS[Station](union), starts_on=datetime.date(2026, 2, 1), ends_on=datetime.date(2026, 2, 7)
    ),
    Checklist: _checklist,
    ChecklistItem: lambda union: ChecklistItem.objects.create(
        checklist=_checklist(union), category="标识", text="统一标识"
    ),
    Inspection: _inspection,
    InspectionScore: lambda union: InspectionScore.objects.create(
        inspection=(inspection := _inspection(union)),
        item=ChecklistItem.objects.create(checklist=inspection.checklist, category="标识", text="统一标识"),
        score=5,
    ),
    InspectionPhoto: lambda union: InspectionPhoto.objects.create(
        inspection=_inspection(union), image=ContentFile(b"x", "a.jpg")
    ),
    Visit: lambda union: Visit.objects.create(station=MAKERS[Station](union), employment_form="courier"),
    ServiceRecord: lambda union: ServiceRecord.objects.create(
        station=MAKERS[Station](union),
        kind=_service_kind(),
        count=3,
        recorded_by=User.objects.create_user(f"r{_n()}"),
    ),
    HotSpot: lambda union: HotSpot.objects.create(
        union=union, name=f"热点{_n()}", latitude="30.08", longitude="120.49", day_workers=40
    ),
    Partner: lambda union: Partner.objects.create(union=union, name=f"合作单位{_n()}", kind="bank"),
    ProgramSeries: lambda union: ProgramSeries.objects.create(union=union, name=f"系列{_n()}"),
    Program: _program,
    Session: _session,
    Registration: lambda union: Registration.objects.create(
        program=(session := _session(union)).program,
        session=session,
        person=_person(union),
        holder=f"p{session.program_id}",
        status="confirmed",
    ),
    ProgramExpense: lambda union: ProgramExpense.objects.create(
        program=_program(union),
        spent_on=datetime.date(2026, 7, 1),
        amount=100,
        note="物料",
        recorded_by=User.objects.create_user(f"e{_n()}"),
    ),
    Lawyer: _lawyer,
    Consultation: _consultation,
    ConsultationMessage: lambda union: ConsultationMessage.objects.create(
        consultation=_consultation(union), author_kind="worker", body="补充"
    ),
    ConsultationPhoto: lambda union: ConsultationPhoto.objects.create(
        consultation=_consultation(union), image=ContentFile(b"x", "a.jpg")
    ),
    RightsCase: lambda union: RightsCase.objects.create(consultation=_consultation(union)),
    DutyDay: lambda union: DutyDay.objects.create(
        lawyer=_lawyer(union),
        station=MAKERS[Station](union),
        day=datetime.date(2026, 7, 1),
        starts_at=datetime.time(9),
        ends_at=datetime.time(12),
    ),
    Article: lambda union: Article.objects.create(
        union=union, title=f"文章{_n()}", question="问", answer="答", category="penalty"
    ),
    AidCase: _aid_case,
    HouseholdMember: lambda union: HouseholdMember.objects.create(
        aid_case=_aid_case(union), person=_person(union), relation="配偶"
    ),
    AidVisit: lambda union: AidVisit.objects.create(
        aid_case=_aid_case(union),
        visited_on=datetime.date(2026, 5, 1),
        visitors="王",
        findings="属实",
        recorded_by=User.objects.create_user(f"v{_n()}"),
    ),
    AidDocument: lambda union: AidDocument.objects.create(
        aid_case=_aid_case(union), title="收入证明", file=ContentFile(b"x", "a.pdf")
    ),
    AidDecision: lambda union: AidDecision.objects.create(
        aid_case=_aid_case(union),
        union=union,
        approved=True,
        note="同意",
        decided_by=User.objects.create_user(f"d{_n()}"),
    ),
    AidPayment: lambda union: AidPayment.objects.create(
        aid_case=_aid_case(union),
        paid_on=datetime.date(2026, 6, 1),
        amount=1000,
        purpose="生活补助",
        recorded_by=User.objects.create_user(f"p{_n()}"),
    ),
    BenefitDistribution: _distribution,
    BenefitGrant: lambda union: BenefitGrant.objects.create(
        distribution=_distribution(union), person=_person(union)
    ),
    MutualAidPlan: _plan_year,
    MutualAidEnrollment: _enrollment,
    MutualAidClaim: _claim,
    ClaimDocument: lambda union: ClaimDocument.objects.create(
        claim=_claim(union), title="发票", file=ContentFile(b"x", "a.pdf")
    ),
    Employer: _employer,
    CensusRound: _census,
    CensusEntry: lambda union: CensusEntry.objects.create(
        census=_census(union), employer=_employer(union), headcount=30
    ),
    CoveragePlan: _plan,
    PlanTarget: lambda union: PlanTarget.objects.create(plan=_plan(union), year=2026),
    CadreAssignment: _assignment,
    CadreVisit: lambda union: CadreVisit.objects.create(
        assignment=_assignment(union), visited_on=datetime.date(2026, 4, 1), summary="走访"
    ),
    Establishment: _establishment,
    JoinRequest: _join_request,
    Transfer: _transfer,
    ImportBatch: lambda union: ImportBatch.objects.create(
        union=union, file_name=f"名单{_n()}.xlsx", file_sha256=f"{_n():064d}", file_format="xlsx"
    ),
    EstablishmentDocument: lambda union: EstablishmentDocument.objects.create(
        establishment=_establishment(union), kind="application", title="申请", file=ContentFile(b"x", "a.pdf")
    ),
}


def _lawyer_of(user, union: Union) -> Lawyer:
    return Lawyer.objects.get_or_create(user=user, defaults={"union": union, "name": "律师"})[0]


def _assign_consultation(consultation: Consultation, user) -> None:
    consultation.lawyer = _lawyer_of(user, consultation.union)
    consultation.save()


# Model -> callable(instance, user): assign the object to an assigned-only user (lawyer, keeper…).
ASSIGNERS = {
    Consultation: _assign_consultation,
    ConsultationMessage: lambda message, user: _assign_consultation(message.consultation, user),
    ConsultationPhoto: lambda photo, user: _assign_consultation(photo.consultation, user),
    RightsCase: lambda case, user: _assign_consultation(case.consultation, user),
    DutyDay: lambda duty, user: DutyDay.objects.filter(pk=duty.pk).update(
        lawyer=_lawyer_of(user, duty.station.union)
    ),
}
