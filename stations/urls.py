from django.urls import path

from . import views

app_name = "stations"
urlpatterns = [
    path("stations/", views.StationListView.as_view(), name="station-list"),
    path("stations/add/", views.StationCreateView.as_view(), name="station-add"),
    path("stations/<int:pk>/", views.StationDetailView.as_view(), name="station-detail"),
    path("stations/<int:pk>/edit/", views.StationUpdateView.as_view(), name="station-edit"),
    path("stations/<int:pk>/keepers/", views.keeper_assign, name="keeper-assign"),
    path("stations/<int:pk>/keepers/<int:user_pk>/remove/", views.keeper_unassign, name="keeper-unassign"),
]
