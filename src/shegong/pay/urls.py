from django.urls import path

from shegong.pay import views, views_settings

app_name = "pay"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("runs/new/", views.run_create, name="run-create"),
    path("runs/export.xlsx", views.runs_export, name="runs-export"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/check/", views.run_check, name="run-check"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run-approve"),
    path("runs/<int:pk>/discard/", views.run_discard, name="run-discard"),
    path("runs/<int:pk>/correct/", views.run_correct, name="run-correct"),
    path("runs/<int:pk>/register.xlsx", views.run_register, name="run-register"),
    path("payslips/<int:pk>/", views.payslip, name="payslip"),
    path("workers/<int:pk>/", views.worker_pay, name="worker"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_create, name="scheme-create"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("grades/", views.grades_apply, name="grades-apply"),
    path("schemes/<int:pk>/revise/", views_settings.scheme_revise, name="scheme-revise"),
    path("settings/", views_settings.settings_view, name="settings"),
    path("settings/export.xlsx", views_settings.settings_export, name="settings-export"),
    path("settings/rates/new/", views_settings.rates_new, name="rates-new"),
    path("settings/wages/new/", views_settings.wage_new, name="wage-new"),
    path("settings/policies/new/", views_settings.policy_new, name="policy-new"),
    path("settings/pay-config.yaml", views.config_export, name="config-export"),
    path("benchmark/", views.benchmark, name="benchmark"),
    path("benchmark/export.xlsx", views.benchmark_export, name="benchmark-export"),
    path("equal-pay/", views.equal_pay, name="equal-pay"),
    path("equal-pay/export.xlsx", views.equal_pay_export, name="equal-pay-export"),
    path("budget/", views.budget, name="budget"),
    path("citywide/", views.citywide_list, name="citywide-list"),
    path("citywide/start/", views.citywide_start, name="citywide-start"),
    path("citywide/<uuid:batch>/", views.citywide_detail, name="citywide"),
    path("citywide/<uuid:batch>/state/", views.citywide_state, name="citywide-state"),
]
