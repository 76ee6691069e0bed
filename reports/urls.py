from django.urls import path

from . import statistics_views, views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("statistics/", statistics_views.statistics_page, name="statistics"),
]
