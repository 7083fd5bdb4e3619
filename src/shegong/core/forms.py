from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from shegong.core.errors import ServiceError
from shegong.core.models import Role
from shegong.core.text import ControlCharacterValidator
from shegong.core.throttle import lockout_message

DJANGO_BLANK = "---------"
# The empty choice of every select, in place of Django's "---------".
PLACEHOLDER = _("请选择")


def service_error_on(form: forms.Form, exc: ServiceError) -> None:
    """A service's refusal shown on the form: on its field when the form has that field,
    otherwise above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _blank_label(label: object) -> bool:
    return label is None or str(label) in {"", DJANGO_BLANK}


def settle_choices(form: forms.BaseForm) -> None:
    """The selects of a form as users expect them, said once for every form of the site.

    - A choice the user must make starts empty ("请选择"), so saving the form untouched cannot
      store the first option (中共党员, 高中及以下 …) as if it had been chosen;
    - a required choice with exactly one option is pre-filled with it (a clerk's only community);
    - no select shows Django's "---------": its empty choice reads "请选择".

    A field given an `initial` (in the form or by the caller), or whose form is bound, keeps
    what it has; an optional field keeps its own empty label (e.g. 全部)."""
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField):
            _settle_model_choice(form, name, field)
        elif isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            _settle_choice(form, name, field)


def _has_initial(form: forms.BaseForm, name: str, field: forms.Field) -> bool:
    return form.initial.get(name) not in (None, "") or field.initial not in (None, "")


def _settle_model_choice(
    form: forms.BaseForm, name: str, field: forms.ModelChoiceField[Any]
) -> None:
    if field.empty_label is not None and _blank_label(field.empty_label):
        field.empty_label = PLACEHOLDER
    if not field.required or form.is_bound or _has_initial(form, name, field):
        return
    if field.queryset is None:
        return
    only = list(field.queryset[:2])
    if len(only) == 1:
        field.initial = only[0].pk
        field.empty_label = None


def _settle_choice(form: forms.BaseForm, name: str, field: forms.ChoiceField) -> None:
    choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
    blank = [i for i, (value, _label) in enumerate(choices) if value in ("", None)]
    for i in blank:
        if _blank_label(choices[i][1]):
            choices[i] = ("", PLACEHOLDER)
    real = [c for c in choices if c[0] not in ("", None)]
    if field.required and not blank and len(real) > 1 and not _has_initial(form, name, field):
        choices = [("", PLACEHOLDER), *choices]
    elif field.required and len(real) == 1 and not _has_initial(form, name, field):
        field.initial = real[0][0]
    field.choices = choices


class Form(forms.Form):
    """The site's form: its selects settled (settle_choices) the first time a field is looked
    at (to render or clean it), so after a subclass's own __init__ has set its choices."""

    _choices_settled = False

    def __getitem__(self, name: str) -> BoundField:
        if not self._choices_settled:
            self._choices_settled = True
            settle_choices(self)
        return super().__getitem__(name)


class PlainTextForm(Form):
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


class PasswordResetForm(Form):
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


class AuditFilterForm(Form):
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
