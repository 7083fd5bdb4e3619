from django.urls import path

from shegong.reports import certificate_views, views

app_name = "reports"
urlpatterns = [
    path("structure/", views.structure, name="structure"),
    path("structure/download/", views.structure_download, name="structure-download"),
    path("structure/generate/", views.structure_generate, name="structure-generate"),
    path(
        "volunteer-certificates/<int:pk>/",
        certificate_views.volunteer_certificate,
        name="volunteer-certificate",
    ),
]
