"""Reads of the core: the audit trail of the viewer's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from shegong.core.access import Permission, may_manage_account, path_q
from shegong.core.models import ApiToken, AuditEntry, Membership, User

if TYPE_CHECKING:
    pass


def audit_list(
    *, viewer: User, target_type: str = "", action: str = "", actor: str = ""
) -> QuerySet[AuditEntry]:
    """Entries of the units the viewer administers (and below); nothing for other roles."""
    entries = AuditEntry.objects.select_related("actor").filter(
        path_q(viewer, "unit_path", Permission.AUDIT)
    )
    if target_type:
        entries = entries.filter(target_type=target_type)
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor__username=actor)
    return entries


def membership_list(*, viewer: User) -> QuerySet[Membership]:
    return viewer.memberships.select_related("unit").order_by("unit__path")


def user_list(*, viewer: User) -> QuerySet[Membership]:
    """Memberships of units the viewer administers (and below), with their users."""
    return (
        Membership.objects.filter(path_q(viewer, "unit__path", Permission.AUDIT))
        .select_related("user", "unit")
        .order_by("unit__path", "user__username")
    )


def account_get(*, viewer: User, pk: int) -> User:
    """A user whose tokens the viewer may manage (themselves, or as their admin), else 404."""
    owner = User.objects.filter(pk=pk).first()
    if owner is None or not may_manage_account(viewer, owner):
        raise Http404
    return owner


def api_token_list(*, viewer: User, owner: User) -> QuerySet[ApiToken]:
    """The owner's tokens, newest first; 404 unless the viewer may manage the owner."""
    if not may_manage_account(viewer, owner):
        raise Http404
    return ApiToken.objects.filter(user=owner).select_related("revoked_by")


def api_token_get(*, viewer: User, pk: int) -> ApiToken:
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None or not may_manage_account(viewer, token.user):
        raise Http404
    return token


def api_token_find(*, key: str) -> ApiToken | None:
    """The token a caller presents, by the hash of its key (authentication, no viewer yet)."""
    return ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(key)).first()
