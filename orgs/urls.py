from django.urls import path

from .views import census, employers
from .views import tree as views

app_name = "orgs"
urlpatterns = [
    path("unions/", views.union_tree, name="union-tree"),
    path("unions/list/", views.UnionListView.as_view(), name="union-list"),
    path("unions/add/", views.UnionCreateView.as_view(), name="union-add"),
    path("unions/<int:pk>/", views.UnionDetailView.as_view(), name="union-detail"),
    path("unions/<int:pk>/edit/", views.UnionUpdateView.as_view(), name="union-edit"),
    path("unions/<int:pk>/children/", views.union_children, name="union-children"),
    path("regions/", views.RegionListView.as_view(), name="region-list"),
    # Employers and census rounds
    path("employers/", employers.EmployerListView.as_view(), name="employer-list"),
    path("employers/add/", employers.EmployerCreateView.as_view(), name="employer-add"),
    path("employers/<int:pk>/", employers.EmployerDetailView.as_view(), name="employer-detail"),
    path("employers/<int:pk>/edit/", employers.EmployerUpdateView.as_view(), name="employer-edit"),
    path("census/", census.CensusRoundListView.as_view(), name="census-list"),
    path("census/add/", census.CensusRoundCreateView.as_view(), name="census-add"),
    path("census/entries/", census.CensusEntryListView.as_view(), name="census-entry-list"),
    path("census/<int:pk>/", census.CensusRoundDetailView.as_view(), name="census-detail"),
    path("census/<int:pk>/edit/", census.CensusRoundUpdateView.as_view(), name="census-edit"),
    path("census/<int:pk>/snapshot/", census.census_snapshot, name="census-snapshot"),
    path("census/<int:pk>/template/", census.census_template, name="census-template"),
    path("census/<int:pk>/import/", census.census_import, name="census-import"),
    path("census/<int:pk>/import/<int:job_pk>/", census.census_import_job, name="census-import-job"),
    path("census/<int:pk>/coverage/export/", census.census_coverage_export, name="census-coverage-export"),
]
