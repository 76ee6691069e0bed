from django.urls import path

from . import views, views_checkin, views_join, views_posters, views_programs, views_stations

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.me, name="me"),
    path("me/consents/<int:pk>/withdraw/", views.withdraw_consent, name="withdraw-consent"),
    path("me/consents/give/<str:purpose>/", views.give_consent, name="give-consent"),
    path("privacy/", views.privacy, name="privacy"),
    path("stations/nearby/", views_stations.nearby, name="stations-nearby"),
    path("stations/<int:pk>/", views_stations.station, name="station"),
    path("join/<str:kind>/<str:token>/", views_join.join, name="join"),
    path("join/done/", views_join.join_done, name="join-done"),
    path("me/joins/", views_join.my_joins, name="my-joins"),
    path("me/joins/<int:pk>/reply/", views_join.join_reply, name="join-reply"),
    path("me/card/", views_join.card, name="card"),
    path("check/", views_join.check, name="check"),
    path("console/posters/<str:kind>/<int:pk>.pdf", views_posters.poster, name="poster"),
    path("checkin/<str:token>/", views_checkin.checkin, name="checkin"),
    path("console/checkin-posters/<int:pk>.pdf", views_checkin.checkin_poster, name="checkin-poster"),
    path("keeper/", views_checkin.keeper_home, name="keeper"),
    path("keeper/stations/<int:pk>/", views_checkin.keeper_station, name="keeper-station"),
    path("keeper/records/<int:pk>/", views_checkin.keeper_record, name="keeper-record"),
    path("programs/", views_programs.program_list, name="programs"),
    path("programs/<int:pk>/", views_programs.program_detail, name="program"),
    path("programs/sessions/<int:pk>/sign-up/", views_programs.sign_up, name="program-sign-up"),
    path("me/programs/", views_programs.my_programs, name="my-programs"),
    path("me/programs/<int:pk>/", views_programs.my_program, name="my-program"),
    path("me/programs/<int:pk>/<str:action>/", views_programs.registration_action, name="registration-action"),
]
