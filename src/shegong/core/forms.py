from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from shegong.core.models import Role
from shegong.core.text import ControlCharacterValidator
from shegong.core.throttle import lockout_message


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
    """Django's login form; django-axes at authenticate() refuses a locked client, and the form
    says so in Chinese instead of "wrong password"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。"),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(lockout_message(), code="locked") from None
            raise

    @property
    def locked(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, "locked")


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
