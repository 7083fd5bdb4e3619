from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shegong.core import services


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form that refuses a locked account before checking the password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。"),
        "locked": _("登录失败次数过多,请%(minutes)d分钟后再试。"),
    }

    def clean(self) -> dict[str, Any]:
        from django.conf import settings

        username = self.cleaned_data.get("username") or ""
        if username and services.login_is_locked(username=username):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            address = self.request.META.get("REMOTE_ADDR") if self.request else None
            services.login_failure_record(username=username, address=address)
            raise
