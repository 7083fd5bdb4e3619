"""A unit's name carries no control character, however it comes in (service, import)."""

from __future__ import annotations

import pytest

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.sheets import read_sheet
from shegong.orgs import imports, services
from shegong.orgs.models import Unit, UnitKind

HEADER = ["代码", "名称", "层级", "上级代码"]


def test_renaming_a_unit_refuses_a_control_character(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError) as refused:
        services.unit_update(
            unit=tree.community_a1,
            name="甲一\x07社区",
            parent=tree.street_a,
            acting_user=personas.street_a_manager,
        )
    assert refused.value.field == "name"
    assert refused.value.message == ("名称含有不可见的控制字符(第3个字符,U+0007),请删除后重新填写")
    with pytest.raises(ServiceError, match="名称不能包含换行符或制表符"):
        services.unit_create(
            code="110101001009",
            name="甲九\n社区",
            kind=UnitKind.COMMUNITY,
            parent=tree.street_a,
            acting_user=personas.street_a_manager,
        )
    assert Unit.objects.get(pk=tree.community_a1.pk).name == "甲一社区"


def test_the_unit_import_reports_a_control_character_as_a_row_error(
    tree: Tree, personas: Personas
) -> None:
    lines = [HEADER, ["110101001009", "甲九\x1b社区", "社区", "110101001000"]]
    content = "\n".join(",".join(line) for line in lines).encode()
    columns, rows = read_sheet(content, "u.csv", imports.UNIT_SHEET_ALIASES)
    plan = imports.units_import_plan(
        rows=rows, columns=columns, acting_user=personas.street_a_manager
    )
    assert [(e.row, e.column, e.reason) for e in plan.errors] == [
        (2, "名称", "名称含有不可见的控制字符(第3个字符,U+001B),请删除后重新填写")
    ]
