"""Reads of the core: the audit trail of the viewer's scope."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from shegong.core.access import Permission, has_permission, may_manage_account, path_q
from shegong.core.models import ApiToken, AuditEntry, Membership, User

if TYPE_CHECKING:
    pass


def audit_list(
    *,
    viewer: User,
    target_type: str = "",
    action: str = "",
    actor: str = "",
    actor_id: int | None = None,
    unit_path: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries of the units the viewer administers (and below); nothing for other roles.
    `unit_path` narrows to one unit and below; `since`/`until` are local days, inclusive."""
    entries = AuditEntry.objects.select_related("actor").filter(
        path_q(viewer, "unit_path", Permission.AUDIT)
    )
    if target_type:
        entries = entries.filter(target_type=target_type)
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor__username=actor)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if unit_path:
        entries = entries.filter(unit_path__startswith=unit_path)
    if since is not None:
        entries = entries.filter(at__gte=_local_midnight(since))
    if until is not None:
        entries = entries.filter(at__lt=_local_midnight(until + datetime.timedelta(days=1)))
    return entries


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def audit_target_types(*, viewer: User) -> list[str]:
    """The kinds of record the viewer's trail holds (for its filter)."""
    return sorted(
        audit_list(viewer=viewer).order_by().values_list("target_type", flat=True).distinct()
    )


def audit_actor_choices(*, viewer: User) -> QuerySet[User]:
    """The people of the units the viewer administers (for the trail's person filter)."""
    return User.objects.filter(
        pk__in=Membership.objects.filter(path_q(viewer, "unit__path", Permission.AUDIT)).values(
            "user_id"
        )
    ).order_by("first_name", "username")


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


def uses_api(*, viewer: User) -> bool:
    """Whether the API is the viewer's business: they hold (or held) a token, or they are an
    admin (who issue and revoke tokens of their units). Their account page links the docs."""
    return has_permission(viewer, Permission.AUDIT) or ApiToken.objects.filter(user=viewer).exists()


def api_token_get(*, viewer: User, pk: int) -> ApiToken:
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None or not may_manage_account(viewer, token.user):
        raise Http404
    return token


def api_token_find(*, key: str) -> ApiToken | None:
    """The token a caller presents, by the hash of its key (authentication, no viewer yet)."""
    return ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(key)).first()


def managed_account_get(*, viewer: User, pk: int) -> User:
    """An account the viewer administers (every unit of it within theirs), else 404. Not the
    viewer's own: they change their own password on their account page."""
    from shegong.core.access import has_permission

    account = User.objects.filter(pk=pk).first()
    if (
        account is None
        or account.pk == viewer.pk
        or not has_permission(viewer, Permission.AUDIT)
        or not may_manage_account(viewer, account)
    ):
        raise Http404
    return account


def managed_membership_get(*, viewer: User, pk: int) -> Membership:
    """A membership of an account the viewer administers, else 404."""
    membership = Membership.objects.select_related("user", "unit").filter(pk=pk).first()
    if membership is None:
        raise Http404
    managed_account_get(viewer=viewer, pk=membership.user_id)
    return membership


def account_memberships(*, account: User) -> QuerySet[Membership]:
    """The account's memberships, highest unit first (the account is already checked)."""
    return account.memberships.select_related("unit").order_by("unit__path")
