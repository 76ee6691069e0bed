from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.me, name="me"),
    path("me/consents/<int:pk>/withdraw/", views.withdraw_consent, name="withdraw-consent"),
    path("me/consents/give/<str:purpose>/", views.give_consent, name="give-consent"),
    path("privacy/", views.privacy, name="privacy"),
]
