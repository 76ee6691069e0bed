from django.urls import path

from .views import coverage as coverage_views
from .views import reference, registry, standard
from .views import visits as visit_views

app_name = "stations"
urlpatterns = [
    path("stations/", registry.StationListView.as_view(), name="station-list"),
    path("stations/add/", registry.StationCreateView.as_view(), name="station-add"),
    path("stations/<int:pk>/", registry.StationDetailView.as_view(), name="station-detail"),
    path("stations/<int:pk>/edit/", registry.StationUpdateView.as_view(), name="station-edit"),
    path("stations/<int:pk>/keepers/", registry.keeper_assign, name="keeper-assign"),
    path("stations/<int:pk>/keepers/<int:user_pk>/remove/", registry.keeper_unassign, name="keeper-unassign"),
    path("stations/<int:pk>/closures/", registry.closure_add, name="closure-add"),
    path(
        "stations/<int:pk>/closures/<int:closure_pk>/remove/", registry.closure_remove, name="closure-remove"
    ),
    path("stations/<int:pk>/photos/", registry.photo_add, name="photo-add"),
    path("stations/<int:pk>/photos/<int:photo_pk>/remove/", registry.photo_remove, name="photo-remove"),
    path("stations/photos/<int:photo_pk>/", registry.photo, name="photo"),
    path("stations/import/", registry.station_import, name="station-import"),
    path("stations/import/template/", registry.station_template, name="station-template"),
    path("stations/lists/<slug:kind>/", reference.reference_list, name="reference-list"),
    path(
        "stations/lists/<slug:kind>/<int:pk>/<slug:step>/",
        reference.reference_change,
        name="reference-change",
    ),
    path("stations/<int:pk>/inspect/", standard.inspect, name="station-inspect"),
    path("checklists/", standard.ChecklistListView.as_view(), name="checklist-list"),
    path("checklists/add/", standard.ChecklistCreateView.as_view(), name="checklist-add"),
    path("checklists/<int:pk>/", standard.ChecklistDetailView.as_view(), name="checklist-detail"),
    path("checklists/<int:pk>/edit/", standard.ChecklistUpdateView.as_view(), name="checklist-edit"),
    path("checklists/<int:pk>/version/", standard.checklist_new_version, name="checklist-version"),
    path("checklists/<int:pk>/activate/", standard.checklist_activate, name="checklist-activate"),
    path("checklists/<int:pk>/deactivate/", standard.checklist_deactivate, name="checklist-deactivate"),
    path("checklists/<int:pk>/items/add/", standard.checklist_item_add, name="checklist-item-add"),
    path(
        "checklists/<int:pk>/items/<int:item_pk>/", standard.checklist_item_edit, name="checklist-item-edit"
    ),
    path(
        "checklists/<int:pk>/items/<int:item_pk>/move/",
        standard.checklist_item_move,
        name="checklist-item-move",
    ),
    path(
        "checklists/<int:pk>/items/<int:item_pk>/remove/",
        standard.checklist_item_remove,
        name="checklist-item-remove",
    ),
    path("inspections/", standard.InspectionListView.as_view(), name="inspection-list"),
    path("inspections/<int:pk>/", standard.InspectionDetailView.as_view(), name="inspection-detail"),
    path("inspections/<int:pk>/correct/", standard.inspection_correct, name="inspection-correct"),
    path("inspections/<int:pk>/follow-up/", standard.inspection_follow_up, name="inspection-follow-up"),
    path("inspections/<int:pk>/delete/", standard.inspection_delete, name="inspection-delete"),
    path("inspection-photos/<int:pk>/", standard.inspection_photo, name="inspection-photo"),
    path("stations/<int:pk>/visits/", visit_views.station_visits, name="station-visits"),
    path("stations/visits/", visit_views.visit_overview, name="visit-overview"),
    path("stations/services/", visit_views.ServiceRecordListView.as_view(), name="service-list"),
    path("coverage/", coverage_views.coverage, name="coverage"),
    path("hot-spots/", coverage_views.HotSpotListView.as_view(), name="hotspot-list"),
    path("hot-spots/add/", coverage_views.HotSpotCreateView.as_view(), name="hotspot-add"),
    path("hot-spots/import/", coverage_views.hotspot_import, name="hotspot-import"),
    path("hot-spots/template/", coverage_views.hotspot_template, name="hotspot-template"),
    path("hot-spots/census/", coverage_views.hotspot_census, name="hotspot-census"),
    path("hot-spots/<int:pk>/", coverage_views.HotSpotDetailView.as_view(), name="hotspot-detail"),
    path("hot-spots/<int:pk>/edit/", coverage_views.HotSpotUpdateView.as_view(), name="hotspot-edit"),
]
