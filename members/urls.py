from django.urls import path

from .views import people as views

app_name = "members"
urlpatterns = [
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("people/<int:pk>/reveal/<str:field>/", views.reveal, name="person-reveal"),
    path("memberships/", views.MembershipListView.as_view(), name="membership-list"),
    path("memberships/<int:pk>/", views.MembershipDetailView.as_view(), name="membership-detail"),
]
