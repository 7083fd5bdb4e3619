from django.urls import path

from shegong.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("import/", views.unit_import, name="import"),
    path("import/confirm/", views.unit_import_confirm, name="import-confirm"),
    path("import/errors.xlsx", views.unit_import_errors, name="import-errors"),
    path("import/progress/", views.unit_import_progress, name="import-progress"),
    path("import/progress.json", views.unit_import_progress_json, name="import-progress-json"),
    path("<str:code>/", views.unit_detail, name="unit"),
    path("<str:code>/profile/", views.profile_edit, name="profile-edit"),
    path("<str:code>/funding/", views.funding_add, name="funding-add"),
]
