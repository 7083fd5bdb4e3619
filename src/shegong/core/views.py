from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.appraisal import selectors as appraisal_selectors
from shegong.burden import selectors as burden_selectors
from shegong.burden.models import Status as BurdenStatus
from shegong.core import accounts, audit_display, selectors, services
from shegong.core.access import Permission, ScopeDenied, files_only, has_permission
from shegong.core.audit import audit_kind_choices
from shegong.core.errors import ServiceError
from shegong.core.forms import (
    AuditFilterForm,
    MembershipForm,
    PasswordResetForm,
    ThrottledAuthenticationForm,
    UserCreateForm,
    service_error_on,
)
from shegong.core.models import User
from shegong.core.throttle import lockout_message
from shegong.core.types import AuthedRequest
from shegong.orgs import selectors as org_selectors
from shegong.orgs.models import Unit
from shegong.pay import selectors as pay_selectors
from shegong.pay.models import RunStatus
from shegong.people import selectors as people_selectors
from shegong.tasks import selectors as task_selectors
from shegong.training import selectors as training_selectors


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if isinstance(form, ThrottledAuthenticationForm) and form.locked:
            response.status_code = 429
        return response


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE). The login page and the token
    endpoint have already answered in Chinese with 429; any other caller gets this page."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    return render(request, "core/locked.html", {"message": lockout_message()}, status=429)


@login_required
def account(request: AuthedRequest) -> HttpResponse:
    """The user's own page: who they are, where they work, their password, and for those
    who use the API their tokens and the API's docs."""
    return render(
        request,
        "core/account.html",
        {
            "memberships": selectors.membership_list(viewer=request.user),
            "uses_api": selectors.uses_api(viewer=request.user),
        },
    )


@login_required
def account_tokens(request: AuthedRequest) -> HttpResponse:
    return _tokens_page(request, owner=request.user)


@login_required
def user_tokens(request: AuthedRequest, pk: int) -> HttpResponse:
    owner = selectors.account_get(viewer=request.user, pk=pk)
    return _tokens_page(request, owner=owner)


def _tokens_page(request: AuthedRequest, *, owner: User) -> HttpResponse:
    tokens = selectors.api_token_list(viewer=request.user, owner=owner)
    return render(
        request,
        "core/tokens.html",
        {
            "owner": owner,
            "own": owner.pk == request.user.pk,
            "page": Paginator(tokens, 50).get_page(request.GET.get("page")),
            "now": timezone.now(),
            "days": settings.API_TOKEN_DAYS,
        },
    )


@require_POST
@login_required
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get(viewer=request.user, pk=pk)
    try:
        services.api_token_revoke(token=token, acting_user=request.user)
    except ScopeDenied as exc:
        raise Http404 from exc
    messages.success(request, _("令牌%(prefix)s已撤销") % {"prefix": str(token)})
    if token.user_id == request.user.pk:
        return redirect("account-tokens")
    return redirect("user-tokens", pk=token.user_id)


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    """The start page: the viewer's units with their headcount, then the work waiting for
    them in every area, each with a link to where it is done. Every read is scoped."""
    viewer = request.user
    roots = list(org_selectors.unit_roots(viewer=viewer).order_by("path"))
    cards = [
        {
            "unit": unit,
            "summary": org_selectors.subtree_summary(viewer=viewer, unit=unit),
            "headcount": people_selectors.headcount(viewer=viewer, unit=unit),
        }
        for unit in roots
    ]
    context: dict[str, Any] = {
        "cards": cards,
        "memberships": selectors.membership_list(viewer=viewer),
        "jobs": list(task_selectors.job_list(viewer=viewer, limit=5)),
    }
    if roots:
        context.update(_work_to_do(viewer, roots[0]))
    elif files_only(viewer):
        # A department account: its work is its own applications, the newest first.
        applications = burden_selectors.application_list(viewer=viewer)
        context["department_applications"] = list(applications[:10])
        context["department_waiting"] = burden_selectors.application_list(
            viewer=viewer, status=BurdenStatus.FILED
        ).count()
        context["burden_statuses"] = BurdenStatus.choices
    return render(request, "core/dashboard.html", context)


def _work_to_do(viewer: User, unit: Unit) -> dict[str, Any]:
    """What waits for the viewer in each area (pay only for those who may see it)."""
    today = timezone.localdate()
    work: dict[str, Any] = {
        "first_unit": unit,
        "year": today.year,
        "surveys": appraisal_selectors.surveys_open(viewer=viewer),
        "objection_windows": appraisal_selectors.objection_windows(viewer=viewer, day=today),
        "leaders_short": training_selectors.leaders_short(
            viewer=viewer, unit=unit, year=today.year
        ),
        "pay_visible": pay_selectors.pay_visible(viewer=viewer),
    }
    if work["pay_visible"]:
        runs = pay_selectors.runs_awaiting(viewer=viewer)
        work["runs_to_check"] = [r for r in runs if r.status == RunStatus.DRAFT]
        work["runs_to_approve"] = [r for r in runs if r.status == RunStatus.CHECKED]
        count, first = pay_selectors.workers_without_grade(viewer=viewer)
        work["ungraded_count"], work["ungraded"] = count, first
    return work


@login_required
def audit(request: AuthedRequest) -> HttpResponse:
    if not has_permission(request.user, Permission.AUDIT):
        raise Http404
    units = org_selectors.administered_units(viewer=request.user)
    form = AuditFilterForm(
        request.GET or None,
        actors=[
            (u.pk, u.get_full_name() or u.username)
            for u in selectors.audit_actor_choices(viewer=request.user)
        ],
        units=[(u.code, u.name) for u in units],
        target_types=[
            (t, audit_display.kind_label(t))
            for t in selectors.audit_target_types(viewer=request.user)
        ],
        actions=audit_kind_choices(),
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        unit_path = next((u.path for u in units if u.code == data["unit"]), "")
        filters = {
            "actor_id": data["actor"],
            "unit_path": unit_path,
            "target_type": data["target_type"],
            "action": data["action"],
            "since": data["since"],
            "until": data["until"],
        }
    elif form.is_bound:
        filters = {"actor_id": -1}  # a filter that does not hold shows nothing, not everything
    entries = selectors.audit_list(viewer=request.user, **filters)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit.html",
        {"page": page, "lines": audit_display.audit_lines(page), "form": form},
    )


@login_required
def users(request: AuthedRequest) -> HttpResponse:
    if not has_permission(request.user, Permission.AUDIT):
        raise Http404
    page = Paginator(selectors.user_list(viewer=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "core/users.html", {"page": page})


@login_required
def user_create(request: AuthedRequest) -> HttpResponse:
    if not has_permission(request.user, Permission.AUDIT):
        raise Http404
    choices, lowest = _unit_choices(request.user)
    form = UserCreateForm(request.POST or None, units=choices, lowest=lowest)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = org_selectors.unit_get(viewer=request.user, code=data["unit"])
        try:
            services.user_create(
                username=data["username"],
                password=data["password"],
                full_name=data["full_name"],
                unit=unit,
                role=data["role"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("账号已开设"))
            return redirect("users")
    return render(request, "core/user_form.html", {"form": form})


def _unit_choices(viewer: User) -> tuple[list[tuple[str, str]], str]:
    """The units the viewer administers as choices, and the code of the first of the lowest
    level (what a new login is offered: least privilege)."""
    administered = list(org_selectors.administered_units(viewer=viewer))
    choices = [(u.code, f"{u.name}({u.get_kind_display()})") for u in administered]
    deepest = max((u.path.count("/") for u in administered), default=0)
    lowest = next((u.code for u in administered if u.path.count("/") == deepest), "")
    return choices, lowest


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every user changes their own password (Django's form: old password, new one twice,
    the password rules); a change forced by a reset is then done."""

    template_name = "core/password_change.html"

    def get_success_url(self) -> str:
        return str(reverse_lazy("dashboard"))

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        accounts.password_changed_record(user=form.user)
        messages.success(self.request, _("密码已修改"))
        return response


@login_required
def user_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    account = selectors.managed_account_get(viewer=request.user, pk=pk)
    return render(
        request,
        "core/user_detail.html",
        {
            "account": account,
            "memberships": selectors.account_memberships(account=account),
        },
    )


@require_POST
@login_required
def user_active(request: AuthedRequest, pk: int) -> HttpResponse:
    account = selectors.managed_account_get(viewer=request.user, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        accounts.user_active_set(user=account, active=active, acting_user=request.user)
    except ScopeDenied as exc:
        raise Http404 from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        name = account.first_name or account.username
        messages.success(
            request,
            (_("账号%(name)s已启用") if active else _("账号%(name)s已停用")) % {"name": name},
        )
    return redirect("user-detail", pk=account.pk)


@login_required
def user_password_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    account = selectors.managed_account_get(viewer=request.user, pk=pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.user_password_reset(
                user=account, password=form.cleaned_data["password"], acting_user=request.user
            )
        except ScopeDenied as exc:
            raise Http404 from exc
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s的密码已重置,本人下次登录时须修改密码")
                % {"name": account.first_name or account.username},
            )
            return redirect("user-detail", pk=account.pk)
    return render(request, "core/user_password_reset.html", {"form": form, "account": account})


@login_required
def membership_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = selectors.managed_membership_get(viewer=request.user, pk=pk)
    choices, _lowest = _unit_choices(request.user)
    form = MembershipForm(
        request.POST or None,
        units=choices,
        initial={"unit": membership.unit.code, "role": membership.role},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = org_selectors.unit_get(viewer=request.user, code=data["unit"])
        try:
            accounts.membership_change(
                membership=membership, unit=unit, role=data["role"], acting_user=request.user
            )
        except ScopeDenied as exc:
            raise Http404 from exc
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("任职已调整"))
            return redirect("user-detail", pk=membership.user_id)
    return render(request, "core/membership_form.html", {"form": form, "membership": membership})
