"""Writes on accounts after they are opened: disable and enable a login, reset its password
(forcing a change at the next login), change a membership's unit or role, and a user's own
password change. Admins act only on accounts whose every unit lies within theirs
(access.may_manage_account), never on their own; every change is audited in its transaction.
Opening a login is services.user_create."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shegong.core.access import (
    Permission,
    ScopeDenied,
    forget_scope,
    may_manage_account,
    require,
)
from shegong.core.audit import audit_kinds, audit_record
from shegong.core.errors import ServiceError
from shegong.core.models import Membership, Role, User
from shegong.core.services import api_token_revoke

if TYPE_CHECKING:
    from shegong.orgs.models import Unit


@audit_kinds
class AccountEvent(models.TextChoices):
    DISABLED = "account.disabled", _lazy("停用账号")
    ENABLED = "account.enabled", _lazy("启用账号")
    PASSWORD_RESET = "account.password_reset", _lazy("重置密码")
    PASSWORD_CHANGED = "account.password_changed", _lazy("修改本人密码")
    MEMBERSHIP_CHANGED = "account.membership_changed", _lazy("调整任职")


def _require_admin_of(acting_user: User, account: User, *, own_message: str) -> None:
    """The acting user administers every unit of the account and is not its owner; an
    account out of their units is treated as missing (ScopeDenied, a 404 on the page)."""
    if acting_user.pk == account.pk:
        raise ServiceError(own_message)
    require(acting_user, Permission.AUDIT, message=_("只有管理员可以管理账号"))
    if not may_manage_account(acting_user, account):
        raise ScopeDenied


def _password_checked(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from exc


@transaction.atomic
def user_active_set(*, user: User, active: bool, acting_user: User) -> User:
    """Disable a login (it can no longer sign in, its API tokens stop working) or enable it."""
    _require_admin_of(acting_user, user, own_message=_("不能停用或启用自己的账号"))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        acting_user=acting_user,
        action=AccountEvent.ENABLED if active else AccountEvent.DISABLED,
        target=user,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return user


@transaction.atomic
def user_password_reset(*, user: User, password: str, acting_user: User) -> User:
    """Give the login a new password, which its owner must change at the next login."""
    _require_admin_of(acting_user, user, own_message=_("请在“修改密码”页修改自己的密码,而不是重置"))
    _password_checked(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        acting_user=acting_user,
        action=AccountEvent.PASSWORD_RESET,
        target=user,
        after={"must_change_password": True},
    )
    # A reset is what an admin does when a password may be known to someone else: the keys
    # issued with it go too (each revocation audited), not just until the owner changes it.
    for token in user.api_tokens.filter(revoked_at__isnull=True):
        api_token_revoke(token=token, acting_user=acting_user)
    return user


@transaction.atomic
def password_changed_record(*, user: User) -> User:
    """The user set their own password (Django's form checked the old one and the rules):
    the forced change, if any, is done."""
    was_forced = user.must_change_password
    if was_forced:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit_record(
        acting_user=user,
        action=AccountEvent.PASSWORD_CHANGED,
        target=user,
        before={"must_change_password": was_forced},
        after={"must_change_password": False},
    )
    return user


@transaction.atomic
def membership_change(
    *, membership: Membership, unit: Unit, role: str, acting_user: User
) -> Membership:
    """Move a membership to another unit or give it another role. The admin must administer
    both the old and the new unit, and every unit of the account."""
    account = membership.user
    _require_admin_of(acting_user, account, own_message=_("不能调整自己的任职"))
    if role not in Role.values:
        raise ServiceError(_("未知角色"), field="role")
    require(
        acting_user,
        Permission.AUDIT,
        unit,
        message=_("您不是%(unit)s的管理员,不能把账号调整到该单位"),
        field="unit",
    )
    if (
        unit.pk != membership.unit_id
        and Membership.objects.filter(user=account, unit=unit).exclude(pk=membership.pk).exists()
    ):
        raise ServiceError(_("该账号在%(unit)s已有任职") % {"unit": unit.name}, field="unit")
    before = {"unit": membership.unit.name, "role": membership.get_role_display()}
    membership.unit = unit
    membership.role = role
    membership.save(update_fields=["unit", "role"])
    audit_record(
        acting_user=acting_user,
        action=AccountEvent.MEMBERSHIP_CHANGED,
        target=membership,
        before=before,
        after={"unit": unit.name, "role": membership.get_role_display()},
    )
    forget_scope(account)
    return membership
