import pytest

from shegong.orgs import rules
from shegong.orgs.models import UnitKind


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("430105000000", True),
        ("43010500000", False),  # 11 digits
        ("4301050000001", False),  # 13 digits
        ("KF-GRID-01", True),
        ("1A", False),
        ("", False),
        ("430105 00000", False),
    ],
)
def test_codes_are_statistical_or_local(code: str, ok: bool) -> None:
    assert (rules.code_error(code) is None) is ok


@pytest.mark.parametrize(
    ("kind", "parent_kind", "ok"),
    [
        (UnitKind.CITY, None, True),
        (UnitKind.DISTRICT, UnitKind.CITY, True),
        (UnitKind.COMMUNITY, UnitKind.STREET, True),
        (UnitKind.COMMUNITY, UnitKind.DISTRICT, False),
        (UnitKind.STREET, None, False),
        (UnitKind.CITY, UnitKind.CITY, False),
    ],
)
def test_a_parent_is_exactly_one_level_up(kind: int, parent_kind: int | None, ok: bool) -> None:
    assert (rules.parent_kind_error(kind, parent_kind) is None) is ok


def test_the_wrong_parent_is_named_in_chinese() -> None:
    assert rules.parent_kind_error(UnitKind.COMMUNITY, UnitKind.DISTRICT) == (
        "社区的上级应为街道/乡镇,不能是区/县"
    )


@pytest.mark.parametrize(("label", "kind"), [("街道", 3), ("乡镇", 3), ("社区", 4), ("县", 2)])
def test_level_labels_offices_use_are_understood(label: str, kind: int) -> None:
    assert rules.parse_kind(label) == kind
