from django.urls import path

from .views import registry

app_name = "stations"
urlpatterns = [
    path("stations/", registry.StationListView.as_view(), name="station-list"),
    path("stations/add/", registry.StationCreateView.as_view(), name="station-add"),
    path("stations/<int:pk>/", registry.StationDetailView.as_view(), name="station-detail"),
    path("stations/<int:pk>/edit/", registry.StationUpdateView.as_view(), name="station-edit"),
    path("stations/<int:pk>/keepers/", registry.keeper_assign, name="keeper-assign"),
    path("stations/<int:pk>/keepers/<int:user_pk>/remove/", registry.keeper_unassign, name="keeper-unassign"),
]
