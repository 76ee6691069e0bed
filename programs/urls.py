from django.urls import path

from .views import catalogue
from .views import registrations as reg

app_name = "programs"
urlpatterns = [
    path("program-series/", catalogue.SeriesListView.as_view(), name="series-list"),
    path("program-series/add/", catalogue.SeriesCreateView.as_view(), name="series-add"),
    path("program-series/<int:pk>/", catalogue.SeriesDetailView.as_view(), name="series-detail"),
    path("program-series/<int:pk>/edit/", catalogue.SeriesUpdateView.as_view(), name="series-edit"),
    path("programs/", catalogue.ProgramListView.as_view(), name="program-list"),
    path("programs/add/", catalogue.ProgramCreateView.as_view(), name="program-add"),
    path("programs/<int:pk>/", catalogue.ProgramDetailView.as_view(), name="program-detail"),
    path("programs/<int:pk>/edit/", catalogue.ProgramUpdateView.as_view(), name="program-edit"),
    path("programs/<int:pk>/status/<str:step>/", catalogue.program_status, name="program-status"),
    path("programs/<int:pk>/sessions/add/", catalogue.session_add, name="session-add"),
    path("programs/<int:pk>/expenses/add/", catalogue.expense_add, name="expense-add"),
    path("programs/<int:pk>/lottery/", catalogue.lottery_draw, name="lottery-draw"),
    path("program-sessions/<int:pk>/", catalogue.SessionDetailView.as_view(), name="session-detail"),
    path("program-sessions/<int:pk>/edit/", catalogue.SessionUpdateView.as_view(), name="session-edit"),
    path("program-sessions/<int:pk>/capacity/", catalogue.session_capacity, name="session-capacity"),
    path("program-sessions/<int:pk>/no-shows/", catalogue.session_no_shows, name="session-no-shows"),
    path("program-sessions/<int:pk>/sign-up/", reg.sign_up_on_behalf, name="sign-up-on-behalf"),
    path("program-sessions/<int:pk>/check-in/", reg.check_in_page, name="check-in"),
    path("registrations/<int:pk>/", reg.RegistrationDetailView.as_view(), name="registration-detail"),
    path("registrations/<int:pk>/cancel/", reg.registration_cancel, name="registration-cancel"),
    path("registrations/<int:pk>/reorder/", reg.registration_reorder, name="registration-reorder"),
    path("registrations/<int:pk>/move/", reg.registration_move, name="registration-move"),
]
