"""/api/v1/: every app's viewsets on one router, the OpenAPI schema and its docs page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from accounts.api.views import MeView, RoleViewSet
from core import access
from members.api import imports as member_imports
from members.api import joining as member_joining
from members.api.views import MembershipViewSet, PersonLookupView, PersonViewSet
from orgs.api import organising
from orgs.api.census import BrandViewSet, CensusEntryViewSet, CensusRoundViewSet, EmployerViewSet
from orgs.api.partners import PartnerViewSet
from orgs.api.views import RegionViewSet, UnionViewSet
from programs.api import views as programs_api
from reports.statistics_views import StatisticsView
from rights.api import aid as rights_aid
from rights.api import benefits as rights_benefits
from rights.api import knowledge as rights_knowledge
from rights.api import legal as rights_legal
from rights.api import mutual as rights_mutual
from rights.api import statistics as rights_statistics
from stations.api import coverage as station_coverage
from stations.api import nearest as station_nearest
from stations.api import standard as station_standard
from stations.api import visits as station_visits
from stations.api.views import AmenityViewSet, ServiceKindViewSet, StationViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("unions", UnionViewSet, basename="union")
router.register("brands", BrandViewSet, basename="brand")
router.register("employers", EmployerViewSet, basename="employer")
router.register("census-rounds", CensusRoundViewSet, basename="census-round")
router.register("census-entries", CensusEntryViewSet, basename="census-entry")
router.register("people", PersonViewSet, basename="person")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("imports", member_imports.ImportBatchViewSet, basename="import-batch")
router.register("join-requests", member_joining.JoinRequestViewSet, basename="join-request")
router.register("transfers", member_joining.TransferViewSet, basename="transfer")
router.register("stations", StationViewSet, basename="station")
router.register("partners", PartnerViewSet, basename="partner")
router.register("amenities", AmenityViewSet, basename="amenity")
router.register("service-kinds", ServiceKindViewSet, basename="service-kind")
router.register("hot-spots", station_coverage.HotSpotViewSet, basename="hot-spot")
router.register("station-checklists", station_standard.ChecklistViewSet, basename="station-checklist")
router.register("station-inspections", station_standard.InspectionViewSet, basename="station-inspection")
router.register("station-visits", station_visits.VisitViewSet, basename="station-visit")
router.register("service-records", station_visits.ServiceRecordViewSet, basename="service-record")
router.register("roles", RoleViewSet, basename="role")
router.register("plans", organising.CoveragePlanViewSet, basename="plan")
router.register("plan-targets", organising.PlanTargetViewSet, basename="plan-target")
router.register("cadre-assignments", organising.CadreAssignmentViewSet, basename="cadre-assignment")
router.register("cadre-visits", organising.CadreVisitViewSet, basename="cadre-visit")
router.register("establishments", organising.EstablishmentViewSet, basename="establishment")
programs_api.register(router)
rights_legal.register(router)
rights_knowledge.register(router)
rights_aid.register(router)
rights_benefits.register(router)
rights_mutual.register(router)
router.APIRootView.access = access.SIGNED_IN


class SchemaView(SpectacularAPIView):
    access = access.PUBLIC


class DocsView(SpectacularRedocView):
    access = access.PUBLIC


urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    # Before the router, whose people/<pk>/ would otherwise take "lookup" for a pk.
    path("people/lookup/", PersonLookupView.as_view(), name="person-lookup"),
    path("imports/upload/", member_imports.ImportUploadView.as_view(), name="import-upload"),
    path("imports/<id:pk>/mapping/", member_imports.ImportMappingView.as_view(), name="import-mapping"),
    path("imports/<id:pk>/decide/", member_imports.ImportDecideView.as_view(), name="import-decide"),
    path("imports/<id:pk>/report/", member_imports.ImportReportView.as_view(), name="import-report"),
    path("cards/check/", member_joining.CardCheckView.as_view(), name="card-check"),
    *member_joining.decision_urls(),
    path("establishments/start/", organising.EstablishmentStartView.as_view(), name="establishment-start"),
    *[
        path(
            f"establishments/<id:pk>/{step}/",
            organising.EstablishmentStepView.as_view(step=step),
            name=f"establishment-{step}",
        )
        for step in ("advance", "approve", "abandon")
    ],
    path("statistics/", StatisticsView.as_view(), name="statistics"),
    # Before the router, whose stations/<pk>/ would otherwise take "nearest" for a pk.
    path("stations/nearest/", station_nearest.NearestStationsView.as_view(), name="station-nearest"),
    *programs_api.urls(),
    *rights_legal.urls(),
    *rights_knowledge.urls(),
    *rights_aid.urls(),
    *rights_benefits.urls(),
    *rights_mutual.urls(),
    *rights_statistics.urls(),
    # Before the router, whose stations/<pk>/ would otherwise take "coverage" for a pk.
    path("stations/coverage/", station_coverage.CoverageView.as_view(), name="station-coverage"),
    path(
        "stations/<id:pk>/statistics/",
        station_visits.StationStatisticsView.as_view(),
        name="station-statistics",
    ),
    path(
        "station-statistics/", station_visits.ScopeStatisticsView.as_view(), name="station-scope-statistics"
    ),
    *router.urls,
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
]


def _own_first(patterns: list) -> list:
    """A worker's own endpoints (me/…) ahead of the rest, each group in its order. Django tries the
    patterns one by one: behind the 230 others, resolving the sign-up POST (me/registrations/) cost
    0.5 ms of CPU, an eighth of the whole sign-up (bench/program_signups.py). No me/ path clashes
    with another group's, so only the time changes."""
    own = [p for p in patterns if str(p.pattern).lstrip("^").startswith("me/")]
    return own + [p for p in patterns if p not in own]


urlpatterns = _own_first(urlpatterns)
