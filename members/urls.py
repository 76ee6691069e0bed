from django.urls import path

from .views import imports, joining
from .views import people as views

app_name = "members"
urlpatterns = [
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<id:pk>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("people/<id:pk>/reveal/<str:field>/", views.reveal, name="person-reveal"),
    path("memberships/", views.MembershipListView.as_view(), name="membership-list"),
    path("memberships/<id:pk>/", views.MembershipDetailView.as_view(), name="membership-detail"),
    path("memberships/<id:pk>/<str:action>/", joining.membership_status, name="membership-status"),
    path("joins/", joining.JoinRequestListView.as_view(), name="join-list"),
    path("joins/enrol/", joining.enrol, name="enrol"),
    path("joins/<id:pk>/", joining.JoinRequestDetailView.as_view(), name="join-detail"),
    path("joins/<id:pk>/<str:action>/", joining.join_decide, name="join-decide"),
    path("transfers/", joining.TransferListView.as_view(), name="transfer-list"),
    path("transfers/<id:pk>/", joining.TransferDetailView.as_view(), name="transfer-detail"),
    path("transfers/<id:pk>/<str:action>/", joining.transfer_act, name="transfer-act"),
    path("imports/", imports.ImportBatchListView.as_view(), name="import-list"),
    path("imports/upload/", imports.import_upload, name="import-upload"),
    path("imports/<id:pk>/", imports.ImportBatchDetailView.as_view(), name="import-detail"),
    path("imports/<id:pk>/status/", imports.import_status, name="import-status"),
    path("imports/<id:pk>/mapping/", imports.import_mapping, name="import-mapping"),
    path("imports/<id:pk>/decide/", imports.import_decide, name="import-decide"),
    path("imports/<id:pk>/report/", imports.import_report, name="import-report"),
]
