"""The one place that decides who sees and may change what.

A user sees the units they hold a membership in and everything below them; a record out of
scope is treated exactly like a missing one (404). Units are stored with a materialised path,
so "this unit and below" is one indexed prefix filter.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _lazy

from shegong.core.models import Role

if TYPE_CHECKING:
    from shegong.core.models import User
    from shegong.orgs.models import Unit

M = TypeVar("M", bound=Model)


class Permission(StrEnum):
    EDIT = "edit"  # change records in scope
    PAY_SETTINGS = "pay_settings"  # the pay office (admins): rates, wages, schemes, policies
    PERSONAL_DATA = "personal_data"  # see ID numbers, phones and pay unmasked
    AUDIT = "audit"  # browse the audit trail
    IMPORT = "import"  # bulk import from sheets
    # Pay runs, three steps held apart (and by default by three people, pay/services/runs.py):
    PAY_COMPUTE = "pay_compute"  # compute a month's run, a correction, discard a draft
    PAY_REVIEW = "pay_review"  # 复核: look a computed run over and mark it checked
    PAY_APPROVE = "pay_approve"  # 审批: approve a checked run and lock it
    FILE_APPLICATIONS = "file_applications"  # a department files to the admission list (burden)
    # 以奖代补: adjust the proposed awards and approve them (then recorded as funding).
    AWARD_APPROVE = "award_approve"


# A street's pay office (manager) computes and reviews; only the bureau (admin) approves. A
# clerk sees pay masked and does none of the three.
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MANAGER: frozenset(
        {
            Permission.EDIT,
            Permission.PERSONAL_DATA,
            Permission.IMPORT,
            Permission.PAY_COMPUTE,
            Permission.PAY_REVIEW,
            Permission.AWARD_APPROVE,
        }
    ),
    Role.CLERK: frozenset({Permission.EDIT, Permission.IMPORT}),
    Role.VIEWER: frozenset(),
    Role.DEPARTMENT: frozenset({Permission.FILE_APPLICATIONS}),
}
# Roles that hold a right on their unit without seeing its records: a department account files
# and reads only its own applications (burden/selectors), never the roster or the tree.
SCOPELESS_ROLES = frozenset({Role.DEPARTMENT})

_CACHE_ATTR = "_shegong_scope"


def _memberships(viewer: User) -> list[tuple[str, str]]:
    """(unit path, role) for each membership, cached on the user object per request."""
    if not viewer.is_authenticated:
        return []  # an anonymous caller holds nothing (the schema generator is one)
    cached = getattr(viewer, _CACHE_ATTR, None)
    if cached is None:
        cached = list(viewer.memberships.values_list("unit__path", "role"))
        setattr(viewer, _CACHE_ATTR, cached)
    return cached


def _grants(viewer: User, *, scope: bool = False) -> list[tuple[str, frozenset[Permission]]]:
    """(unit path, permissions) for each membership; with `scope`, only the memberships that
    let the viewer see the unit's records (not a department's)."""
    return [
        (path, ROLE_PERMISSIONS[role])
        for path, role in _memberships(viewer)
        if not (scope and role in SCOPELESS_ROLES)
    ]


def forget_scope(viewer: User) -> None:
    """Drop the cached scope after the user's memberships changed."""
    if hasattr(viewer, _CACHE_ATTR):
        delattr(viewer, _CACHE_ATTR)


def root_paths(viewer: User, permission: Permission | None = None) -> list[str]:
    """The top of each subtree the viewer reaches (holding `permission`, when given),
    without paths nested in another."""
    grants = _grants(viewer, scope=permission is None)
    paths = sorted({path for path, perms in grants if permission is None or permission in perms})
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def files_only(viewer: User) -> bool:
    """Whether every membership of the viewer is a scopeless one (a department account): such
    a user has work (their applications) but no unit whose records they see."""
    memberships = _memberships(viewer)
    return (
        bool(memberships)
        and not sees_everything(viewer)
        and all(role in SCOPELESS_ROLES for _, role in memberships)
    )


def sees_everything(viewer: User) -> bool:
    return bool(viewer.is_active and viewer.is_superuser)


def path_q(viewer: User, path_field: str, permission: Permission | None = None) -> Q:
    """A filter on a field holding a unit path: the viewer's subtrees (where they hold
    `permission`, when given), or nothing."""
    if sees_everything(viewer):
        return Q()
    roots = root_paths(viewer, permission) if viewer.is_active else []
    if not roots:
        return Q(pk__in=[])
    query = Q()
    for root in roots:
        query |= Q(**{f"{path_field}__startswith": root})
    return query


def unit_q(viewer: User, unit_field: str = "") -> Q:
    """A filter for records that hang off a unit (`unit_field` is the lookup to the unit)."""
    prefix = f"{unit_field}__" if unit_field else ""
    return path_q(viewer, f"{prefix}path")


def scoped(queryset: QuerySet[M], viewer: User, unit_field: str = "") -> QuerySet[M]:
    return queryset.filter(unit_q(viewer, unit_field))


def get_in_scope_or_404(
    queryset: QuerySet[M], viewer: User, unit_field: str = "", **lookup: Any
) -> M:
    """The object, or 404 for both "missing" and "not yours"."""
    found = scoped(queryset, viewer, unit_field).filter(**lookup).first()
    if found is None:
        raise Http404
    return found


def has_permission(viewer: User, permission: Permission, unit: Unit | None = None) -> bool:
    """Whether the viewer holds `permission` on `unit` (or on any unit, when None)."""
    if not viewer.is_authenticated or not viewer.is_active:
        return False
    if sees_everything(viewer):
        return True
    return any(
        permission in perms and (unit is None or unit.path.startswith(path))
        for path, perms in _grants(viewer)
    )


def may_see_personal_data(viewer: User, unit: Unit | str) -> bool:
    """The rule of who may see or change a worker's full ID number (and phone and birth
    date): whoever holds the personal-data right on the worker's community (`unit`, or its
    path), i.e. a manager or admin of it or of a unit above it, or a superuser. Everyone else
    receives them masked, and a value they send is ignored (people/services.keeps_personal_data)."""
    return personal_data_checker(viewer)(unit if isinstance(unit, str) else unit.path)


def personal_data_checker(viewer: User) -> Callable[[str], bool]:
    """may_see_personal_data for one viewer over many unit paths, their grants read once."""
    if not viewer.is_authenticated or not viewer.is_active:
        return lambda _path: False
    if sees_everything(viewer):
        return lambda _path: True
    roots = tuple(root_paths(viewer, Permission.PERSONAL_DATA))
    return lambda path: path.startswith(roots)


_REFUSALS = {
    Permission.EDIT: _lazy("您没有权限修改%(unit)s的数据"),
    Permission.PAY_SETTINGS: _lazy("您没有权限设置%(unit)s的待遇标准"),
    Permission.PERSONAL_DATA: _lazy("您没有查看%(unit)s个人信息的权限"),
    Permission.AUDIT: _lazy("您没有查看%(unit)s审计记录的权限"),
    Permission.IMPORT: _lazy("您没有向%(unit)s导入数据的权限"),
    Permission.PAY_COMPUTE: _lazy("您没有权限计算%(unit)s的工资"),
    Permission.PAY_REVIEW: _lazy("您没有权限复核%(unit)s的工资"),
    Permission.PAY_APPROVE: _lazy("您没有权限审批%(unit)s的工资"),
    Permission.FILE_APPLICATIONS: _lazy("您没有向%(unit)s提交准入申请的权限"),
    Permission.AWARD_APPROVE: _lazy("您没有权限审批%(unit)s的以奖代补"),
}


def require(
    viewer: User,
    permission: Permission,
    unit: Unit | None = None,
    *,
    message: str | Promise | None = None,
    field: str | None = None,
) -> None:
    """Refuse (ServiceError, nothing written) unless the viewer holds `permission` on `unit`
    (on any unit, when None). The one check every service makes before it writes; `message`
    may name the area ("您没有权限管理%(unit)s的待遇"), `%(unit)s` becoming the unit's name."""
    if has_permission(viewer, permission, unit):
        return
    from shegong.core.errors import ServiceError

    text = str(message if message is not None else _REFUSALS[permission])
    name = unit.name if unit is not None else str(_lazy("该单位"))
    raise ServiceError(text.replace("%(unit)s", name), field=field)


def in_scope(viewer: User, unit: Unit) -> bool:
    if sees_everything(viewer):
        return True
    return any(unit.path.startswith(path) for path, _perms in _grants(viewer, scope=True))


def user_unit_path(user: User) -> str:
    """The highest unit the user holds a membership in, as its path ("" without any): where
    the audit trail files what happens to the account, so the admins of that unit see it."""
    paths = sorted(user.memberships.values_list("unit__path", flat=True), key=len)
    return paths[0] if paths else ""


def may_manage_account(viewer: User, owner: User) -> bool:
    """Whether the viewer may see and revoke the owner's API tokens: the owner themselves, or an
    admin whose units hold every unit of the owner (a street admin cannot act on the district's)."""
    if not viewer.is_authenticated or not viewer.is_active:
        return False
    if viewer.pk == owner.pk or sees_everything(viewer):
        return True
    roots = root_paths(viewer, Permission.AUDIT)
    paths = list(owner.memberships.values_list("unit__path", flat=True))
    return bool(paths) and all(any(p.startswith(root) for root in roots) for p in paths)


class ScopeDenied(Exception):
    """Raised by services when the acting user may not make a change; views answer 404/403."""
