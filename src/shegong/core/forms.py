from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from shegong.core.errors import ServiceError
from shegong.core.models import Role
from shegong.core.text import ControlCharacterValidator
from shegong.core.throttle import lockout_message


def service_error_on(form: forms.Form, exc: ServiceError) -> None:
    """A service's refusal shown on the form: on its field when the form has that field,
    otherwise above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


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


# Roles from the least privilege to the most, as the account forms offer them.
ROLES_LEAST_FIRST = [
    (value, label)
    for value in (Role.VIEWER, Role.CLERK, Role.MANAGER, Role.ADMIN)
    for choice, label in Role.choices
    if choice == value
]


class UserCreateForm(PlainTextForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput)
    unit = forms.ChoiceField(label=_("所属单位"))
    role = forms.ChoiceField(label=_("角色"), choices=ROLES_LEAST_FIRST, initial=Role.VIEWER)

    def __init__(
        self, *args: Any, units: list[tuple[str, str]], lowest: str = "", **kwargs: Any
    ) -> None:
        """`lowest`: the code of the unit offered first (the least privilege: a community
        rather than the whole district)."""
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = units
        if lowest:
            unit_field.initial = lowest


class MembershipForm(PlainTextForm):
    unit = forms.ChoiceField(label=_("所属单位"))
    role = forms.ChoiceField(label=_("角色"), choices=ROLES_LEAST_FIRST)

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = units


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("新密码"),
        widget=forms.PasswordInput,
        help_text=_("账号本人下次登录时须改为自己的密码"),
    )
    password_again = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致"))
        return data


class AuditFilterForm(forms.Form):
    """The audit trail's filters: person, unit, kind of record, kind of event, date range."""

    actor = forms.TypedChoiceField(label=_("操作人"), required=False, coerce=int, empty_value=None)
    unit = forms.ChoiceField(label=_("单位"), required=False)
    target_type = forms.ChoiceField(label=_("记录类型"), required=False)
    action = forms.ChoiceField(label=_("操作"), required=False)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        actors: list[tuple[int, str]],
        units: list[tuple[str, str]],
        target_types: list[tuple[str, str]],
        actions: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", _("全部"))]
        for name, choices in (
            ("actor", actors),
            ("unit", units),
            ("target_type", target_types),
            ("action", actions),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [*everyone, *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("截止日期不能早于起始日期"))
        return data
