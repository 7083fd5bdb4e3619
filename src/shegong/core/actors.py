"""Who acts when no person does: the console, a scheduled sweep, a data migration.

Services always take an `acting_user`; the console passes `system_actor()` instead of None, so
every permission check runs (the system holds every right, as a superuser) and the audit trail
names the actor 系统 instead of leaving it blank. The account cannot log in: it has no usable
password, belongs to no unit and is never listed among a unit's accounts.
"""

from __future__ import annotations

from shegong.core.models import User

SYSTEM_USERNAME = "shegong-system"


def system_actor() -> User:
    """The one system account, made on first use."""
    actor = User.objects.filter(username=SYSTEM_USERNAME).first()
    if actor is not None:
        return actor
    actor = User(username=SYSTEM_USERNAME, first_name="系统", is_superuser=True, is_active=True)
    actor.set_unusable_password()
    actor.save()
    return actor


def is_system_actor(user: User | None) -> bool:
    return user is not None and user.username == SYSTEM_USERNAME and not user.has_usable_password()
