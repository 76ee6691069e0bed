from django.urls import path

from .views import catalogue
from .views import registrations as reg

app_name = "programs"
urlpatterns = [
    path("program-series/", catalogue.SeriesListView.as_view(), name="series-list"),
    path("program-series/add/", catalogue.SeriesCreateView.as_view(), name="series-add"),
    path("program-series/<id:pk>/", catalogue.SeriesDetailView.as_view(), name="series-detail"),
    path("program-series/<id:pk>/edit/", catalogue.SeriesUpdateView.as_view(), name="series-edit"),
    path("programs/", catalogue.ProgramListView.as_view(), name="program-list"),
    path("programs/add/", catalogue.ProgramCreateView.as_view(), name="program-add"),
    path("programs/<id:pk>/", catalogue.ProgramDetailView.as_view(), name="program-detail"),
    path("programs/<id:pk>/edit/", catalogue.ProgramUpdateView.as_view(), name="program-edit"),
    path("programs/<id:pk>/status/<str:step>/", catalogue.program_status, name="program-status"),
    path("programs/<id:pk>/sessions/add/", catalogue.session_add, name="session-add"),
    path("programs/<id:pk>/expenses/add/", catalogue.expense_add, name="expense-add"),
    path("programs/<id:pk>/lottery/", catalogue.lottery_draw, name="lottery-draw"),
    path("program-sessions/<id:pk>/", catalogue.SessionDetailView.as_view(), name="session-detail"),
    path("program-sessions/<id:pk>/edit/", catalogue.SessionUpdateView.as_view(), name="session-edit"),
    path("program-sessions/<id:pk>/capacity/", catalogue.session_capacity, name="session-capacity"),
    path("program-sessions/<id:pk>/no-shows/", catalogue.session_no_shows, name="session-no-shows"),
    path("program-sessions/<id:pk>/sign-up/", reg.sign_up_on_behalf, name="sign-up-on-behalf"),
    path("program-sessions/<id:pk>/check-in/", reg.check_in_page, name="check-in"),
    path("registrations/<id:pk>/", reg.RegistrationDetailView.as_view(), name="registration-detail"),
    path("registrations/<id:pk>/cancel/", reg.registration_cancel, name="registration-cancel"),
    path("registrations/<id:pk>/reorder/", reg.registration_reorder, name="registration-reorder"),
    path("registrations/<id:pk>/move/", reg.registration_move, name="registration-move"),
]
