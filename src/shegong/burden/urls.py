from django.urls import path

from shegong.burden import views

app_name = "burden"
urlpatterns = [
    path("", views.index, name="index"),
    path("download/", views.download, name="download"),
    path("items/", views.items, name="items"),
    path("items/new/", views.item_create, name="item-create"),
    path("items/<int:pk>/", views.item_edit, name="item-edit"),
    path("items/<int:pk>/retire/", views.item_retire, name="item-retire"),
    path("stamps/", views.stamps, name="stamps"),
    path("applications/", views.applications, name="applications"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application-edit"),
    path(
        "applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application-withdraw",
    ),
    path("applications/<int:pk>/decide/", views.application_decide, name="application-decide"),
    path("applications/<int:pk>/publish/", views.application_publish, name="application-publish"),
    path("records/", views.records, name="records"),
    path("records/new/", views.record_create, name="record-create"),
    path("records/<int:pk>/delete/", views.record_delete, name="record-delete"),
    path("settings/", views.config, name="config"),
    path("forms/", views.report_forms, name="forms"),
    path("forms/<int:pk>/", views.report_form, name="form"),
    path("forms/<int:pk>/export/", views.report_form_export, name="form-export"),
    path("forms/<int:pk>/answers/", views.report_form_answers, name="form-answers"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("surveys/<int:pk>/codes/", views.survey_codes, name="survey-codes"),
    path("surveys/<int:pk>/status/", views.survey_status, name="survey-status"),
    path("surveys/<int:pk>/questions/", views.survey_questions, name="survey-questions"),
    path("questions/<int:pk>/", views.survey_question_edit, name="question-edit"),
    path("questions/<int:pk>/change/", views.survey_question_change, name="question-change"),
    path("answer/", views.answer, name="answer"),
]
