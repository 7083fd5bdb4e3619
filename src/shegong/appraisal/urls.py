from django.urls import path

from shegong.appraisal import views

app_name = "appraisal"
urlpatterns = [
    path("", views.index, name="index"),
    path("district/", views.district, name="district"),
    path("ten-best/", views.ten_best, name="ten-best"),
    path("ten-best/<int:pk>/", views.ten_best_detail, name="ten-best-detail"),
    path("schemes/new/", views.scheme_create, name="scheme-create"),
    path("<int:pk>/", views.cycle_detail, name="cycle"),
    path("<int:pk>/scheme/", views.scheme_edit, name="scheme-edit"),
    path("<int:pk>/copy/", views.cycle_copy, name="cycle-copy"),
    path("<int:pk>/compute/", views.cycle_compute, name="cycle-compute"),
    path("<int:pk>/reopen/", views.cycle_reopen, name="cycle-reopen"),
    path("<int:pk>/publish/", views.cycle_publish, name="cycle-publish"),
    path("<int:pk>/score/leaders/", views.score_leaders, name="score-leaders"),
    path("<int:pk>/score/peers/", views.score_peers, name="score-peers"),
    path("<int:pk>/self-report/", views.self_report, name="self-report"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results-xlsx"),
    path("workers/<int:pk>/", views.worker_results, name="worker"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey"),
    path("surveys/<int:pk>/codes/", views.survey_codes, name="survey-codes"),
    path("surveys/<int:pk>/open/", views.survey_open, name="survey-open"),
    path(
        "code-requests/<int:pk>/approve/",
        views.code_request_approve,
        name="code-request-approve",
    ),
    path("communities/<int:pk>/households/", views.households, name="households"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey-close"),
    path("results/<int:pk>/objection/", views.objection_file, name="objection-file"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection-decide"),
    # Residents: no login; nothing is shown without a valid household code.
    path("vote/", views.vote, name="vote"),
    path("vote/results/", views.vote_results, name="vote-results"),
]
