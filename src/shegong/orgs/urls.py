from django.urls import path

from shegong.core.imports import flow
from shegong.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("import/", views.unit_import, name="import"),
    *flow.routes(views.UNITS, at="import/"),
    path("<str:code>/", views.unit_detail, name="unit"),
    path("<str:code>/profile/", views.profile_edit, name="profile-edit"),
    path("<str:code>/funding/", views.funding_add, name="funding-add"),
]
