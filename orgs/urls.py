from django.urls import path

from .views import tree as views

app_name = "orgs"
urlpatterns = [
    path("unions/", views.union_tree, name="union-tree"),
    path("unions/list/", views.UnionListView.as_view(), name="union-list"),
    path("unions/add/", views.UnionCreateView.as_view(), name="union-add"),
    path("unions/<int:pk>/", views.UnionDetailView.as_view(), name="union-detail"),
    path("unions/<int:pk>/edit/", views.UnionUpdateView.as_view(), name="union-edit"),
    path("unions/<int:pk>/children/", views.union_children, name="union-children"),
    path("regions/", views.RegionListView.as_view(), name="region-list"),
]
