"""Writes of the core: login throttling and memberships."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.access import Permission, forget_scope, has_permission
from shegong.core.audit import AuditAction, audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.models import FailedLogin, Membership, Role, User

if TYPE_CHECKING:
    from shegong.orgs.models import Unit


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_is_locked(*, username: str) -> bool:
    """Too many recent failures for this account name, from any address."""
    recent = FailedLogin.objects.filter(username=username.lower(), at__gte=_window_start())
    return recent.count() >= settings.LOGIN_FAILURE_LIMIT


def login_failure_record(*, username: str, address: str | None) -> None:
    FailedLogin.objects.create(username=username.lower()[:150], address=address)
    # Old rows are of no use to the throttle.
    FailedLogin.objects.filter(at__lt=_window_start()).delete()


def login_success_record(*, user: User) -> None:
    FailedLogin.objects.filter(username=user.username.lower()).delete()


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    full_name: str,
    unit: Unit,
    role: str,
    acting_user: User | None,
) -> User:
    """A login with one membership. `acting_user` None is for the command line and the demo."""
    if acting_user is not None and not has_permission(acting_user, Permission.AUDIT, unit):
        raise ServiceError(_("只有管理员可以为本单位及下级单位开设账号"))
    if role not in Role.values:
        raise ServiceError(_("未知角色"), field="role")
    username = username.strip()
    if not username:
        raise ServiceError(_("请填写用户名"), field="username")
    if User.objects.filter(username=username).exists():
        raise ServiceError(_("用户名%(name)s已被使用") % {"name": username}, field="username")
    user = User(username=username, first_name=full_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    membership = Membership.objects.create(user=user, unit=unit, role=role)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=membership,
        unit_path=unit.path,
        after={"username": username, **snapshot(membership, ["unit_id", "role"])},
    )
    forget_scope(user)
    return user
