"""Importing the org tree from the sheets districts keep: whole-file validation, all or nothing."""

import io
import subprocess
import sys

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shegong.conftest import Personas, Tree
from shegong.core.sheets import read_sheet
from shegong.orgs import imports as services
from shegong.orgs.models import CommunityProfile, Unit

HEADER = [
    "代码",
    "名称",
    "层级",
    "上级代码",
    "户数",
    "常住人口",
    "城乡类型",
    "办公用房面积",
    "活动用房面积",
    "用房产权",
]


def _plan(content: bytes, name: str, user):
    columns, rows = read_sheet(content, name, services.UNIT_SHEET_ALIASES)
    return services.units_import_plan(rows=rows, columns=columns, acting_user=user)


def _csv(lines: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\n".join(",".join(line) for line in [HEADER, *lines]).encode(encoding)


def test_a_street_and_its_communities_are_created_from_a_gbk_csv(
    tree: Tree, personas: Personas
) -> None:
    content = _csv(
        [
            ["110101003000", "街道丙", "街道", "110101000000", "", "", "", "", "", ""],
            [
                "110101003001",
                "丙一社区",
                "社区",
                "110101003000",
                "2100",
                "5600",
                "城市",
                "220",
                "480.5",
                "租用",
            ],
        ],
        "gbk",
    )
    plan = _plan(content, "tree.csv", personas.district_admin)
    assert plan.ok, plan.errors
    assert (plan.creates, plan.updates) == (2, 0)
    services.units_import_apply(plan=plan, acting_user=personas.district_admin)
    community = Unit.objects.get(code="110101003001")
    assert community.path == "110100000000/110101000000/110101003000/110101003001/"
    profile = CommunityProfile.objects.get(unit=community)
    assert (profile.households, profile.premises, str(profile.activity_area)) == (
        2100,
        "rented",
        "480.50",
    )


def test_every_error_is_listed_and_nothing_is_written(tree: Tree, personas: Personas) -> None:
    content = _csv(
        [
            ["11010100300", "短代码", "街道", "110101000000", "", "", "", "", "", ""],
            ["110101003001", "错层社区", "社区", "110101000000", "10", "", "", "", "", ""],
            ["110101003002", "负数社区", "社区", "110101001000", "-3", "", "", "", "", ""],
            ["110101003003", "", "社区", "110101001000", "", "", "", "", "", ""],
        ]
    )
    plan = _plan(content, "bad.csv", personas.district_admin)
    reasons = {(e.row, e.column): e.reason for e in plan.errors}
    assert "12位数字" in reasons[(2, "代码")]
    assert "社区的上级应为街道/乡镇" in reasons[(3, "上级代码")]
    assert reasons[(4, "户数")] == "不能为负数"
    assert reasons[(5, "名称")] == "名称不能为空"
    with pytest.raises(Exception, match="文件有错误"):
        services.units_import_apply(plan=plan, acting_user=personas.district_admin)
    assert not Unit.objects.filter(code__startswith="110101003").exists()


def test_a_cycle_in_the_file_is_refused(tree: Tree, personas: Personas) -> None:
    content = _csv(
        [
            ["110101001000", "街道甲", "街道", "110101001001", "", "", "", "", "", ""],
        ]
    )
    plan = _plan(content, "cycle.csv", personas.district_admin)
    assert not plan.ok


def test_a_street_manager_cannot_import_into_another_street(tree: Tree, personas: Personas) -> None:
    content = _csv([["110101002009", "乙九社区", "社区", "110101002000", "", "", "", "", "", ""]])
    plan = _plan(content, "b.csv", personas.street_a_manager)
    assert [e.reason for e in plan.errors] == ["该单位不在您的管辖范围内"]


def test_an_xlsx_with_a_title_row_and_full_width_digits_is_read(
    tree: Tree, personas: Personas
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["测试区社区名单"])
    sheet.append(HEADER)
    sheet.append(["110101001003", " 甲三社区 ", "社区", "110101001000", "１５００", 4000])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = _plan(buffer.getvalue(), "tree.xlsx", personas.street_a_manager)
    assert plan.ok, plan.errors
    services.units_import_apply(plan=plan, acting_user=personas.street_a_manager)
    unit = Unit.objects.get(code="110101001003")
    assert unit.name == "甲三社区"
    assert unit.profile.households == 1500


def test_importing_the_same_file_twice_changes_nothing(tree: Tree, personas: Personas) -> None:
    content = _csv(
        [
            [
                "110101001001",
                "甲一社区",
                "社区",
                "110101001000",
                "1200",
                "3100",
                "城市",
                "0",
                "0",
                "自有",
            ]
        ]
    )
    plan = _plan(content, "same.csv", personas.street_a_manager)
    assert (plan.creates, plan.updates, plan.unchanged) == (0, 0, 1)


def test_the_command_line_dry_run_writes_nothing(tree: Tree, personas: Personas, tmp_path) -> None:
    path = tmp_path / "tree.csv"
    path.write_bytes(
        _csv([["110101001009", "甲九社区", "社区", "110101001000", "", "", "", "", "", ""]])
    )
    out = io.StringIO()
    call_command("import", "units", str(path), "--dry-run", "--user", "district_admin", stdout=out)
    assert "新增 1 条" in out.getvalue()
    assert not Unit.objects.filter(code="110101001009").exists()
    call_command("import", "units", str(path), "--user", "district_admin", stdout=out)
    assert Unit.objects.filter(code="110101001009").exists()


def test_the_command_line_fails_on_errors(tree: Tree, personas: Personas, tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv([["123", "坏", "社区", "110101001000", "", "", "", "", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "units", str(path), "--user", "district_admin", stderr=err)
    assert "第2行 [代码]" in err.getvalue()


def test_the_console_entry_point_exits_non_zero_on_errors(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv([["123", "坏", "社区", "1", "", "", "", "", "", ""]]))
    env = {"SHEGONG_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "DEBUG": "1"}

    def shegong(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "shegong.manage", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )

    assert shegong("migrate", "-v0").returncode == 0
    # A login to act as is all the command needs: no demo district to build.
    env["DJANGO_SUPERUSER_PASSWORD"] = "Exit-Code-2026"
    made = shegong("createsuperuser", "--noinput", "--username", "exit_admin", "--email", "")
    assert made.returncode == 0, made.stderr
    result = shegong("import", "units", str(path), "--dry-run", "--user", "exit_admin")
    assert result.returncode != 0
    assert "第2行 [代码] “123”" in result.stderr
