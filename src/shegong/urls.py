from django.contrib.auth import views as auth_views
from django.urls import include, path

from shegong.core import error_views
from shegong.core import views as core_views

handler400 = error_views.bad_request
handler403 = error_views.permission_denied
handler404 = error_views.page_not_found
handler500 = error_views.server_error

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", core_views.audit, name="audit"),
    path("users/", core_views.users, name="users"),
    path("users/new/", core_views.user_create, name="user-create"),
    path("users/<int:pk>/", core_views.user_detail, name="user-detail"),
    path("users/<int:pk>/active/", core_views.user_active, name="user-active"),
    path("users/<int:pk>/password/", core_views.user_password_reset, name="user-password-reset"),
    path("users/memberships/<int:pk>/", core_views.membership_edit, name="membership-edit"),
    path("account/", core_views.account, name="account"),
    path("account/password/", core_views.PasswordChangeView.as_view(), name="password-change"),
    path("users/<int:pk>/tokens/", core_views.user_tokens, name="user-tokens"),
    path("account/tokens/", core_views.account_tokens, name="account-tokens"),
    path("account/tokens/<int:pk>/revoke/", core_views.token_revoke, name="token-revoke"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("units/", include("shegong.orgs.urls")),
    path("workers/import/", include("shegong.people.import_urls")),
    path("workers/", include("shegong.people.urls")),
    path("pay/", include("shegong.pay.urls")),
    path("training/", include("shegong.training.urls")),
    path("appraisal/", include("shegong.appraisal.urls")),
    path("burden/", include("shegong.burden.urls")),
    path("resources/", include("shegong.resources.urls")),
    path("reports/", include("shegong.reports.urls")),
    path("annual/", include("shegong.annual.urls")),
    path("jobs/", include("shegong.tasks.urls")),
    path("api/", include("shegong.api.urls")),
]
