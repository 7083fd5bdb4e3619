"""Pure rules of the org tree: codes, levels, paths. No ORM, no request."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from shegong.orgs.models import UnitKind

STATISTICAL_CODE = re.compile(r"^\d{12}$")
# Units without a statistical code (a grid, a new community) get a local code: a letter first.
LOCAL_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{2,19}$")

KIND_LABELS: dict[str, int] = {
    "市": UnitKind.CITY,
    "城市": UnitKind.CITY,
    "地级市": UnitKind.CITY,
    "区": UnitKind.DISTRICT,
    "县": UnitKind.DISTRICT,
    "区/县": UnitKind.DISTRICT,
    "区县": UnitKind.DISTRICT,
    "县级市": UnitKind.DISTRICT,
    "街道": UnitKind.STREET,
    "乡镇": UnitKind.STREET,
    "镇": UnitKind.STREET,
    "乡": UnitKind.STREET,
    "街道/乡镇": UnitKind.STREET,
    "社区": UnitKind.COMMUNITY,
    "村": UnitKind.COMMUNITY,
    "居委会": UnitKind.COMMUNITY,
    "社区居委会": UnitKind.COMMUNITY,
}


def code_error(code: str) -> str | None:
    """Why a unit code is malformed, or None when it is fine."""
    if not code:
        return _("代码不能为空")
    if code.isdigit():
        if not STATISTICAL_CODE.match(code):
            return _("统计用区划代码应为12位数字,这里是%(n)d位") % {"n": len(code)}
        return None
    if not LOCAL_CODE.match(code):
        return _("代码应为12位统计用区划代码,或以字母开头的3至20位字母、数字、连字符")
    return None


def parse_kind(label: str) -> int | None:
    return KIND_LABELS.get(label.strip())


def parent_kind_error(kind: int, parent_kind: int | None) -> str | None:
    """A unit's parent must be exactly one level up; only a city stands at the top."""
    if kind == UnitKind.CITY:
        return None if parent_kind is None else _("市级单位不能有上级单位")
    if parent_kind is None:
        return _("%(kind)s必须有上级单位") % {"kind": UnitKind(kind).label}
    if parent_kind != kind - 1:
        return _("%(kind)s的上级应为%(expected)s,不能是%(actual)s") % {
            "kind": UnitKind(kind).label,
            "expected": UnitKind(kind - 1).label,
            "actual": UnitKind(parent_kind).label,
        }
    return None


def child_path(parent_path: str | None, code: str) -> str:
    return f"{parent_path or ''}{code}/"


def is_within(path: str, ancestor_path: str) -> bool:
    return path.startswith(ancestor_path)
