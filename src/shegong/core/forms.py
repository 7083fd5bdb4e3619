from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shegong.core import services
from shegong.core.models import Role
from shegong.core.text import ControlCharacterValidator


class PlainTextForm(forms.Form):
    """A form whose text fields refuse control characters, the message naming the field.

    Line breaks and tabs are allowed only in multi-line fields (a Textarea); passwords are
    left alone. The services check the same rule, so the API and imports obey it too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField) or isinstance(
                field.widget, forms.PasswordInput
            ):
                continue
            field.validators = [
                *field.validators,
                ControlCharacterValidator(
                    label=field.label or name, multiline=isinstance(field.widget, forms.Textarea)
                ),
            ]


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


class UserCreateForm(PlainTextForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput)
    unit = forms.ChoiceField(label=_("所属单位"))
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = units
