from django.urls import path

from shegong.annual import views

app_name = "annual"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/<int:year>/", views.report, name="report"),
    path("<str:code>/<int:year>/generate/", views.generate, name="generate"),
    path("<str:code>/<int:year>/parts/<str:key>/", views.part_save, name="part-save"),
]
