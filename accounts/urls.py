from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("roles/", views.RoleListView.as_view(), name="role-list"),
    path("roles/add/", views.RoleCreateView.as_view(), name="role-add"),
    path("officials/add/", views.OfficialCreateView.as_view(), name="official-add"),
    path("roles/<id:pk>/", views.RoleDetailView.as_view(), name="role-detail"),
    path("roles/<id:pk>/edit/", views.RoleUpdateView.as_view(), name="role-edit"),
]
