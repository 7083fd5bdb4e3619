from django.urls import path

from shegong.reports import views

app_name = "reports"
urlpatterns = [
    path("structure/", views.structure, name="structure"),
    path("structure/download/", views.structure_download, name="structure-download"),
    path("structure/generate/", views.structure_generate, name="structure-generate"),
]
