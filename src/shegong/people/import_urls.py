"""Mounted at workers/import/ (before the people urls) by one line in shegong/urls.py."""

from django.urls import path

from shegong.people import import_views

app_name = "people_import"
urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("template.xlsx", import_views.template, name="template"),
    path("errors.xlsx", import_views.error_sheet, name="errors"),
    path("confirm/", import_views.confirm, name="confirm"),
    path("progress/", import_views.progress, name="progress"),
    path("progress.json", import_views.progress_json, name="progress-json"),
    path("export/", import_views.export, name="export"),
]
