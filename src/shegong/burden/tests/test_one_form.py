"""一表通: a department's form defined once, filled from the data Shegong holds, exported in
the department's own layout; asked answers stored once and reused by every form."""

from __future__ import annotations

import datetime
import io
import random
from pathlib import Path

import openpyxl
import pytest

from shegong.burden import selectors, services
from shegong.burden.models import AskedAnswer, Department, FormField, ReportForm
from shegong.burden.tests import factories as f
from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import User
from shegong.orgs import demo as org_demo
from shegong.orgs.models import CommunityProfile
from shegong.people import demo as people_demo
from shegong.reports import selectors as report_selectors

FIELDS = [
    ("B3", "社区工作者总数", "roster.total"),
    ("B4", "其中女性", "roster.female"),
    ("B5", "大专及以上", "roster.college"),
    ("B6", "中共党员", "roster.party_member"),
    ("B7", "选举产生", "roster.elected"),
    ("B8", "户数", "profile.households"),
    ("B9", "常住人口", "profile.residents"),
]


def layout(tmp_path: Path, name: str = "layout.xlsx", title: str = "社区基本情况统计表") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "统计表"
    sheet["A1"] = title
    sheet["A2"], sheet["B2"] = "指标", "数值"
    for row, (_cell, label, _source) in enumerate(FIELDS, start=3):
        sheet.cell(row=row, column=1, value=label)
    sheet["A10"] = "网格数"
    path = tmp_path / name
    book.save(path)
    return path


def define(tmp_path: Path, department: object, user: User, title: str = "基本情况表") -> ReportForm:
    form = services.form_create(
        department=department,  # type: ignore[arg-type]
        title=title,
        path=layout(tmp_path),
        filename="layout.xlsx",
        acting_user=user,
    )
    for cell, label, source in FIELDS:
        services.form_field_add(
            form=form, values={"cell": cell, "label": label, "source": source}, acting_user=user
        )
    services.form_field_add(
        form=form,
        values={"cell": "B10", "label": "网格数", "source": "asked", "key": "grid.count"},
        acting_user=user,
    )
    return form


@pytest.fixture
def b(tree: Tree, personas: Personas) -> f.Burden:
    return f.burden(tree, personas)


def test_it_refuses_a_field_mapped_to_nothing_and_a_cell_that_is_no_cell(
    b: f.Burden, tmp_path: Path
) -> None:
    form = services.form_create(
        department=b.health,
        title="表",
        path=layout(tmp_path),
        filename="layout.xlsx",
        acting_user=b.health_account,
    )
    with pytest.raises(ServiceError) as refused:
        services.form_field_add(
            form=form,
            values={"cell": "B3", "label": "总数", "source": ""},
            acting_user=b.health_account,
        )
    assert "请为该指标选择数据来源" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        services.form_field_add(
            form=form,
            values={"cell": "第三行", "label": "总数", "source": "roster.total"},
            acting_user=b.health_account,
        )
    assert "C5" in refused.value.message
    assert not FormField.objects.exists()


def test_it_refuses_a_layout_that_is_not_an_xlsx(b: f.Burden, tmp_path: Path) -> None:
    path = tmp_path / "layout.csv"
    path.write_text("指标,数值\n总数,\n", encoding="utf-8")
    with pytest.raises(ServiceError) as refused:
        services.form_create(
            department=b.health,
            title="表",
            path=path,
            filename="layout.csv",
            acting_user=b.health_account,
        )
    assert ".xlsx" in refused.value.message
    assert not ReportForm.objects.exists()


def test_another_department_may_not_define_the_form(b: f.Burden, tmp_path: Path) -> None:
    with pytest.raises(ServiceError):
        define(tmp_path, b.health, b.civil_account)
    assert not ReportForm.objects.exists()


def test_an_answer_is_asked_once_and_reused_by_a_second_form(
    b: f.Burden, tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    first = define(tmp_path, b.health, b.health_account)
    second = define(tmp_path, b.civil, b.civil_account, title="民政统计表")
    day = datetime.date(2026, 6, 30)
    clerk = personas.community_a1_clerk
    filled = selectors.form_fill(viewer=clerk, form=first, unit=tree.community_a1, period=day)
    assert [x.value for x in filled if not x.from_data] == [None]
    services.answer_set(
        community=tree.community_a1, period=day, key="grid.count", value="6", acting_user=clerk
    )
    again = selectors.form_fill(viewer=clerk, form=second, unit=tree.community_a1, period=day)
    assert [x.value for x in again if not x.from_data] == ["6"]
    assert AskedAnswer.objects.count() == 1
    with pytest.raises(ServiceError):
        services.answer_set(
            community=tree.community_a2, period=day, key="grid.count", value="3", acting_user=clerk
        )


def test_the_export_is_the_departments_layout_and_a_foreign_sheet_is_refused(
    b: f.Burden, tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    form = define(tmp_path, b.health, b.health_account)
    day = datetime.date(2026, 6, 30)
    clerk = personas.community_a1_clerk
    filled = selectors.form_fill(viewer=clerk, form=form, unit=tree.community_a1, period=day)
    book = openpyxl.load_workbook(io.BytesIO(selectors.form_workbook(form=form, filled=filled)))
    sheet = book["统计表"]
    assert sheet["A1"].value == "社区基本情况统计表" and sheet["A8"].value == "户数"
    assert sheet["B8"].value == 1200 and sheet["B8"].data_type == "n"
    # The community fills the asked cell by hand and sends the sheet back.
    sheet["B10"] = "7"
    returned = tmp_path / "returned.xlsx"
    book.save(returned)
    count = services.answers_from_sheet(
        form=form, community=tree.community_a1, period=day, path=returned,
        filename="returned.xlsx", acting_user=clerk,
    )  # fmt: skip
    assert count == 1 and AskedAnswer.objects.get().value == "7"
    foreign = layout(tmp_path, "foreign.xlsx", title="另一个部门的表")
    with pytest.raises(ServiceError) as refused:
        services.answers_from_sheet(
            form=form, community=tree.community_a1, period=day, path=foreign,
            filename="foreign.xlsx", acting_user=clerk,
        )  # fmt: skip
    assert "不是《基本情况表》的报表样式" in refused.value.message
    assert AskedAnswer.objects.get().value == "7"


@pytest.mark.django_db
def test_a_form_filled_on_the_demo_agrees_with_the_structure_analysis_field_by_field(
    tmp_path: Path,
) -> None:
    tree = org_demo.build_tree(random.Random(2026))
    people_demo.build_workers(random.Random(2026), tree)
    console = User(username="console", is_active=True, is_superuser=True)
    department = Department.objects.create(district=tree.district, name="区民政局")
    user = User.objects.create_user(username="dept", password="x")
    services.department_member_add(department=department, user=user, acting_user=console)
    form = define(tmp_path, department, user)
    day = people_demo.AS_OF
    for unit in (tree.district, tree.streets[0], tree.communities[5]):
        filled = {
            x.source: x.value
            for x in selectors.form_fill(viewer=console, form=form, unit=unit, period=day)
        }
        figures = report_selectors.structure(viewer=console, unit=unit, as_of=day)
        b = figures.breakdowns
        assert filled["roster.total"] == figures.total > 0
        assert filled["roster.female"] == b["gender"].count_of("女")
        assert filled["roster.college"] == figures.college
        assert filled["roster.party_member"] == b["political"].count_of("中共党员")
        assert filled["roster.elected"] == b["source"].count_of("选举产生")
        profiles = CommunityProfile.objects.filter(unit__path__startswith=unit.path)
        assert filled["profile.households"] == sum(p.households for p in profiles)
        assert filled["profile.residents"] == sum(p.residents for p in profiles)


def test_the_form_pages_fill_and_export_for_the_clerk(
    b: f.Burden, tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    from django.urls import reverse

    from shegong.conftest import client_for

    form = define(tmp_path, b.health, b.health_account)
    keeper = client_for(b.health_account)
    page = keeper.post(
        reverse("burden:form", kwargs={"pk": form.pk}),
        {"cell": "C3", "label": "备注", "source": ""},
    )
    assert "请选择一个有效的选项" in page.content.decode() or "数据来源" in page.content.decode()
    assert form.fields.count() == 8
    clerk = client_for(personas.community_a1_clerk)
    query = {"unit": tree.community_a1.code, "period": "2026-06-30"}
    page = clerk.get(reverse("burden:form", kwargs={"pk": form.pk}), query)
    assert "待社区填报" in page.content.decode()
    url = reverse("burden:form-answers", kwargs={"pk": form.pk})
    clerk.post(f"{url}?unit={tree.community_a1.code}&period=2026-06-30", {"answer-grid.count": "5"})
    assert AskedAnswer.objects.get().value == "5"
    sheet = clerk.get(reverse("burden:form-export", kwargs={"pk": form.pk}), query)
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    assert book["统计表"]["B10"].value == "5" and book["统计表"]["B8"].value == 1200
    s = selectors.burden_summary(viewer=personas.district_admin, unit=tree.district, year=2026)
    assert (s["forms"], s["fields_from_data"], s["fields_asked"]) == (1, 7, 1)


def _two_sheets(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "基本情况"
    first["A1"], first["A3"] = "基本情况表", "社区工作者总数"
    second = book.create_sheet("补充表")
    second["A1"], second["A3"], second["A4"] = "补充情况", "户数", "网格数"
    path = tmp_path / "two.xlsx"
    book.save(path)
    return path


def test_fields_are_marked_filled_exported_and_answered_on_every_sheet(
    b: f.Burden, tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    user = b.health_account
    form = services.form_create(
        department=b.health, title="两页表", path=_two_sheets(tmp_path), filename="two.xlsx",
        acting_user=user,
    )  # fmt: skip
    for sheet, cell, source, key in (("", "B3", "roster.total", ""),
                                     ("补充表", "B3", "profile.households", ""),
                                     ("补充表", "B4", "asked", "grid.count")):  # fmt: skip
        services.form_field_add(
            form=form,
            values={"sheet": sheet, "cell": cell, "label": "指标", "source": source, "key": key},
            acting_user=user,
        )
    assert sorted(form.fields.values_list("sheet", "cell")) == [
        ("基本情况", "B3"), ("补充表", "B3"), ("补充表", "B4")
    ]  # fmt: skip
    assert selectors.form_sheets(form=form) == ["基本情况", "补充表"]
    clerk, day = personas.community_a1_clerk, datetime.date(2026, 6, 30)
    filled = selectors.form_fill(viewer=clerk, form=form, unit=tree.community_a1, period=day)
    book = openpyxl.load_workbook(io.BytesIO(selectors.form_workbook(form=form, filled=filled)))
    assert book["补充表"]["B3"].value == 1200 and book["补充表"]["A4"].value == "网格数"
    assert book["基本情况"]["B3"].data_type == "n" and book["基本情况"]["B4"].value is None
    book["补充表"]["B4"] = "9"
    returned = tmp_path / "returned.xlsx"
    book.save(returned)
    assert services.answers_from_sheet(
        form=form, community=tree.community_a1, period=day, path=returned,
        filename="returned.xlsx", acting_user=clerk,
    ) == 1  # fmt: skip
    assert AskedAnswer.objects.get().value == "9"
    # A change on the second sheet is a change of the layout too.
    book["补充表"]["A1"] = "别的表"
    book.save(returned)
    with pytest.raises(ServiceError):
        services.answers_from_sheet(
            form=form, community=tree.community_a1, period=day, path=returned,
            filename="returned.xlsx", acting_user=clerk,
        )  # fmt: skip


def test_it_refuses_a_sheet_the_workbook_lacks_and_a_cell_beyond_the_upload_limits(
    b: f.Burden, tmp_path: Path, settings: object
) -> None:
    user = b.health_account
    form = services.form_create(
        department=b.health, title="两页表", path=_two_sheets(tmp_path), filename="two.xlsx",
        acting_user=user,
    )  # fmt: skip
    values = {"label": "总数", "source": "roster.total"}
    with pytest.raises(ServiceError) as refused:
        services.form_field_add(
            form=form, values={**values, "sheet": "第三页", "cell": "B3"}, acting_user=user
        )
    assert "没有工作表“第三页”" in refused.value.message
    settings.SHEGONG_IMPORT_MAX_COLUMNS = 10  # type: ignore[attr-defined]
    with pytest.raises(ServiceError) as refused:
        services.form_field_add(
            form=form, values={**values, "sheet": "补充表", "cell": "K3"}, acting_user=user
        )
    assert "超出报表范围" in refused.value.message
    services.form_field_add(
        form=form, values={**values, "sheet": "补充表", "cell": "B3"}, acting_user=user
    )
    services.form_field_add(
        form=form, values={**values, "sheet": "基本情况", "cell": "B3"}, acting_user=user
    )
    assert form.fields.count() == 2


def test_the_field_page_offers_every_sheet_and_the_sources_by_area(
    b: f.Burden, tmp_path: Path
) -> None:
    from django.urls import reverse

    from shegong.conftest import client_for

    form = services.form_create(
        department=b.health, title="两页表", path=_two_sheets(tmp_path), filename="two.xlsx",
        acting_user=b.health_account,
    )  # fmt: skip
    keeper = client_for(b.health_account)
    url = reverse("burden:form", kwargs={"pk": form.pk})
    page = keeper.get(url).content.decode()
    assert '<option value="补充表">' in page and '<optgroup label="薪酬待遇(当年)">' in page
    keeper.post(
        url, {"sheet": "补充表", "cell": "C5", "label": "名单", "source": "roster.list.name"}
    )
    assert list(form.fields.values_list("sheet", "cell", "source")) == [
        ("补充表", "C5", "roster.list.name")
    ]
