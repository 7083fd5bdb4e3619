"""Reads of the core: the audit trail of the viewer's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from shegong.core.access import Permission, path_q
from shegong.core.models import AuditEntry, Membership

if TYPE_CHECKING:
    from shegong.core.models import User
    from shegong.orgs.models import Unit


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


def administered_units(*, viewer: User) -> QuerySet[Unit]:
    """The units where the viewer may open logins: those they administer, and below."""
    from shegong.orgs.models import Unit

    return Unit.objects.filter(path_q(viewer, "path", Permission.AUDIT)).order_by("path")
