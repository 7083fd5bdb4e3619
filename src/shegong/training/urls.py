from django.urls import path

from shegong.core.imports import flow
from shegong.training import import_views, views

app_name = "training"
urlpatterns = [
    path("", views.course_list, name="list"),
    path("new/", views.course_create, name="create"),
    path("<int:pk>/", views.course_detail, name="detail"),
    path("<int:pk>/edit/", views.course_edit, name="edit"),
    path("<int:pk>/enrol/", views.enrol, name="enrol"),
    path("<int:pk>/enrolments/<int:enrolment_pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/sign-in/", views.sign_in, name="sign-in"),
    path("<int:pk>/sheet/", views.sign_in_sheet, name="sheet"),
    path("<int:pk>/export/", views.attendance_export, name="export"),
    path("<int:pk>/import/", import_views.attendance_import, name="import"),
    *flow.routes(import_views.ATTENDANCE, at="import/"),
    path("people/<int:pk>/", views.worker_record, name="worker"),
    path("compliance/", views.compliance, name="compliance"),
    path("figures/", views.figures, name="figures"),
    path("figures/export/", views.figures_export, name="figures-export"),
    path("exams/", views.exam_list, name="exams"),
    path("exams/<int:pk>/", views.exam_detail, name="exam"),
    path("exams/import/", import_views.exam_import, name="exam-import"),
    *flow.routes(import_views.EXAMS, at="exams/import/"),
    path("awards/", views.award_list, name="awards"),
    path("awards/export/", views.awards_export, name="awards-export"),
    path("awards/<int:pk>/paid/", views.award_paid, name="award-paid"),
    path("settings/", views.config, name="config"),
    path("secondments/", views.secondment_list, name="secondments"),
    path("secondments/<int:pk>/return/", views.secondment_return, name="secondment-return"),
]
