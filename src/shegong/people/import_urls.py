"""Mounted at workers/import/ (before the people urls) by one line in shegong/urls.py."""

from django.urls import path

from shegong.core.imports import flow
from shegong.people import import_views

app_name = "people_import"
urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("template.xlsx", import_views.template, name="template"),
    *flow.routes(import_views.WORKERS, at=""),
    path("export/", import_views.export, name="export"),
]
