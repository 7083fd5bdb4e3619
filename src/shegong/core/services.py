"""Writes of the core: the account trail (logins, failures, lockouts, logouts), API tokens
and memberships. The throttle itself is django-axes (core/throttle.py)."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.access import (
    Permission,
    ScopeDenied,
    forget_scope,
    may_manage_account,
    require,
    user_unit_path,
)
from shegong.core.audit import AuditAction, audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.models import ApiToken, Membership, Role, User
from shegong.core.text import refuse_control_characters
from shegong.core.throttle import LockKind

if TYPE_CHECKING:
    from shegong.orgs.models import Unit


def _account_event(
    *, action: str, user: User, address: str, acting: bool = True, note: str = ""
) -> None:
    """One row of the account trail, filed under the account's unit. `acting` False when the
    account is only the target (a failed attempt may be anybody's)."""
    audit_record(
        acting_user=user if acting else None,
        action=action,
        target=user,
        unit_path=user_unit_path(user) if user.pk else "",
        after={"address": address},
        note=note,
    )


@transaction.atomic
def login_success_record(*, user: User, address: str) -> None:
    _account_event(action=AuditAction.LOGIN, user=user, address=address)


@transaction.atomic
def logout_record(*, user: User, address: str) -> None:
    _account_event(action=AuditAction.LOGOUT, user=user, address=address)


@transaction.atomic
def login_failure_record(*, username: str, address: str, lock: LockKind | None) -> None:
    """A failed attempt as the throttle counted it and, when it locked the client, the lock.

    The account is found by its name as typed (case folded); for a name nobody holds, the row
    has no unit and only those who see everything read it.
    """
    user = User.objects.filter(username__iexact=username).order_by("id").first()
    target = user or User(username=username)
    _account_event(action=AuditAction.LOGIN_FAILED, user=target, address=address, acting=False)
    if lock is not None:
        note = (
            _("该地址登录失败次数过多,锁定该地址")
            if lock == LockKind.ADDRESS
            else _("该账号在该地址登录失败次数过多,锁定该账号在该地址的登录")
        )
        _account_event(
            action=AuditAction.LOCKOUT, user=target, address=address, acting=False, note=note
        )


@transaction.atomic
def api_token_issue(*, user: User, address: str) -> tuple[ApiToken, str]:
    """A new API key for `user`, who has just authenticated; returns the row and the key,
    which is shown this once and never stored."""
    if not user.is_active:
        raise ServiceError(_("账号已停用"))
    if user.must_change_password:
        raise ServiceError(_("密码已被管理员重置,请先登录网页修改密码"))
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        prefix=key[:8],
        digest=ApiToken.digest_of(key),
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.API_TOKEN_DAYS),
    )
    audit_record(
        acting_user=user,
        action=AuditAction.TOKEN_ISSUE,
        target=token,
        unit_path=user_unit_path(user),
        after={
            "address": address,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    """Stop a token working. Its owner may, and an admin of all the owner's units."""
    if not may_manage_account(acting_user, token.user):
        raise ScopeDenied
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = acting_user
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.TOKEN_REVOKE,
        target=token,
        unit_path=user_unit_path(token.user),
        after={"owner": token.user.username, "prefix": token.prefix},
    )
    return token


# Writing "last used" on every call would turn each API read into a write.
_TOUCH_EVERY = datetime.timedelta(minutes=1)


def api_token_touch(*, token: ApiToken) -> None:
    """Note that the token was just used (to the minute; not audited: nothing changed)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    full_name: str,
    unit: Unit,
    role: str,
    acting_user: User,
) -> User:
    """A login with one membership, opened by an admin of the unit (the console and the demo
    act as the system actor)."""
    require(
        acting_user, Permission.AUDIT, unit, message=_("只有管理员可以为本单位及下级单位开设账号")
    )
    if role not in Role.values:
        raise ServiceError(_("未知角色"), field="role")
    username = username.strip()
    if not username:
        raise ServiceError(_("请填写用户名"), field="username")
    refuse_control_characters(
        {"username": username, "full_name": full_name},
        {"username": _("用户名"), "full_name": _("姓名")},
    )
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
