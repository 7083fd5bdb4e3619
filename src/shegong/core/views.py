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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core import selectors, services
from shegong.core.access import Permission, ScopeDenied, has_permission
from shegong.core.audit import audit_kind_choices
from shegong.core.errors import ServiceError
from shegong.core.forms import ThrottledAuthenticationForm, UserCreateForm
from shegong.core.models import User
from shegong.core.throttle import lockout_message
from shegong.core.types import AuthedRequest
from shegong.orgs import selectors as org_selectors


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
    roots = list(org_selectors.unit_roots(viewer=request.user))
    cards = [
        {"unit": unit, "summary": org_selectors.subtree_summary(viewer=request.user, unit=unit)}
        for unit in roots
    ]
    return render(
        request,
        "core/dashboard.html",
        {"cards": cards, "memberships": selectors.membership_list(viewer=request.user)},
    )


@login_required
def audit(request: AuthedRequest) -> HttpResponse:
    if not has_permission(request.user, Permission.AUDIT):
        raise Http404
    entries = selectors.audit_list(
        viewer=request.user,
        action=request.GET.get("action", ""),
        actor=request.GET.get("actor", ""),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit.html",
        {"page": page, "actions": audit_kind_choices(), "filters": request.GET},
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
    administered = org_selectors.administered_units(viewer=request.user)
    choices = [(u.code, f"{u.name}({u.get_kind_display()})") for u in administered]
    form = UserCreateForm(request.POST or None, units=choices)
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
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("账号已开设"))
            return redirect("users")
    return render(request, "core/user_form.html", {"form": form})
