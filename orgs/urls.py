from django.urls import path

from .views import cadres, census, employers, establishment, partners, plans
from .views import tree as views

app_name = "orgs"
urlpatterns = [
    path("unions/", views.union_tree, name="union-tree"),
    path("unions/list/", views.UnionListView.as_view(), name="union-list"),
    path("unions/add/", views.UnionCreateView.as_view(), name="union-add"),
    path("unions/<id:pk>/", views.UnionDetailView.as_view(), name="union-detail"),
    path("unions/<id:pk>/edit/", views.UnionUpdateView.as_view(), name="union-edit"),
    path("unions/<id:pk>/children/", views.union_children, name="union-children"),
    path("regions/", views.RegionListView.as_view(), name="region-list"),
    # Coverage plans and their yearly targets
    path("plans/", plans.CoveragePlanListView.as_view(), name="plan-list"),
    path("plans/add/", plans.CoveragePlanCreateView.as_view(), name="plan-add"),
    path("plans/<id:pk>/", plans.CoveragePlanDetailView.as_view(), name="plan-detail"),
    path("plans/<id:pk>/edit/", plans.CoveragePlanUpdateView.as_view(), name="plan-edit"),
    path("plans/targets/add/", plans.PlanTargetCreateView.as_view(), name="plan-target-add"),
    path("plans/targets/<id:pk>/edit/", plans.PlanTargetUpdateView.as_view(), name="plan-target-edit"),
    # Chair assistants
    path("cadres/", cadres.CadreAssignmentListView.as_view(), name="cadre-list"),
    path("cadres/add/", cadres.CadreAssignmentCreateView.as_view(), name="cadre-add"),
    path("cadres/results/", cadres.cadre_results, name="cadre-results"),
    path("cadres/<id:pk>/", cadres.CadreAssignmentDetailView.as_view(), name="cadre-detail"),
    path("cadres/<id:pk>/edit/", cadres.CadreAssignmentUpdateView.as_view(), name="cadre-edit"),
    path("cadres/visits/add/", cadres.CadreVisitCreateView.as_view(), name="cadre-visit-add"),
    path("cadres/visits/<id:pk>/edit/", cadres.CadreVisitUpdateView.as_view(), name="cadre-visit-edit"),
    # Establishing unions
    path("establishments/", establishment.EstablishmentListView.as_view(), name="establishment-list"),
    path("establishments/start/", establishment.establishment_start, name="establishment-start"),
    path(
        "establishments/<id:pk>/",
        establishment.EstablishmentDetailView.as_view(),
        name="establishment-detail",
    ),
    *[
        path(f"establishments/<id:pk>/{step}/", view, name=f"establishment-{step}")
        for step, view in (
            ("advance", establishment.establishment_advance),
            ("approve", establishment.establishment_approve),
            ("abandon", establishment.establishment_abandon),
        )
    ],
    path(
        "establishments/<id:pk>/documents/",
        establishment.establishment_document_add,
        name="establishment-document-add",
    ),
    path(
        "establishments/documents/<id:pk>/",
        establishment.establishment_document,
        name="establishment-document",
    ),
    # Employers and census rounds
    path("employers/", employers.EmployerListView.as_view(), name="employer-list"),
    path("employers/add/", employers.EmployerCreateView.as_view(), name="employer-add"),
    path("employers/<id:pk>/", employers.EmployerDetailView.as_view(), name="employer-detail"),
    path("employers/<id:pk>/edit/", employers.EmployerUpdateView.as_view(), name="employer-edit"),
    # Partner organisations (hosts of stations)
    path("partners/", partners.PartnerListView.as_view(), name="partner-list"),
    path("partners/add/", partners.PartnerCreateView.as_view(), name="partner-add"),
    path("partners/<id:pk>/", partners.PartnerDetailView.as_view(), name="partner-detail"),
    path("partners/<id:pk>/edit/", partners.PartnerUpdateView.as_view(), name="partner-edit"),
    path("census/", census.CensusRoundListView.as_view(), name="census-list"),
    path("census/add/", census.CensusRoundCreateView.as_view(), name="census-add"),
    path("census/entries/", census.CensusEntryListView.as_view(), name="census-entry-list"),
    path("census/<id:pk>/", census.CensusRoundDetailView.as_view(), name="census-detail"),
    path("census/<id:pk>/edit/", census.CensusRoundUpdateView.as_view(), name="census-edit"),
    path("census/<id:pk>/snapshot/", census.census_snapshot, name="census-snapshot"),
    path("census/<id:pk>/template/", census.census_template, name="census-template"),
    path("census/<id:pk>/import/", census.census_import, name="census-import"),
    path("census/<id:pk>/import/<id:job_pk>/", census.census_import_job, name="census-import-job"),
    path("census/<id:pk>/coverage/export/", census.census_coverage_export, name="census-coverage-export"),
]
