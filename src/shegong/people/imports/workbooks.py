"""The sheets the roster import hands out: the blank template (drop-downs, 填写说明) and the
marked error sheet (core's, under the template's headers)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from shegong.core.access import Permission, path_q, sees_everything
from shegong.core.errors import RowError
from shegong.core.imports import workbook
from shegong.core.sheets import SheetRow
from shegong.core.text import xlsx_put
from shegong.orgs.models import Unit, UnitKind
from shegong.people.imports.cells import COLUMNS, LABELS, REQUIRED
from shegong.people.models import ETHNICITIES, Education, Gender, Political, PostType, Source

if TYPE_CHECKING:
    from shegong.core.models import User

# ---------------------------------------------------------------- the sheets handed out


def _vocabulary_lists() -> dict[str, list[str]]:
    return {
        "gender": [str(label) for label in Gender.labels],
        "ethnicity": list(ETHNICITIES),
        "education": [str(label) for label in Education.labels],
        "political": [str(label) for label in Political.labels],
        "source": [str(label) for label in Source.labels],
        "post": list(PostType.objects.values_list("name", flat=True)),
    }


INSTRUCTIONS = [
    "社区工作者花名册导入说明",
    "",
    "1. 第一行为表头,请勿修改列名;可删去不需要的非必填列,列的顺序不限。",
    "2. 必填列:姓名、公民身份号码、所属社区、学历、政治面貌、来源方式。",
    "3. 公民身份号码为18位,最后一位可为X;请把该列设为“文本”格式,以免被Excel改成科学计数法。",
    "4. 性别和出生日期可不填,将按公民身份号码自动取得;填写的须与号码一致。",
    "5. 日期可写作 1985-03-02、1985/3/2、1985.3.2、1985年3月2日;只写年月(如198503)按当月1日。",
    "6. 所属社区填写社区名称或12位社区代码,只能是您管辖范围内的社区。",
    "7. 性别、民族、学历、政治面貌、来源方式、职务请从下拉列表中选择;兼任多个职务用顿号分隔,"
    "如“党组织书记、居委会主任”。",
    "8. 已登记的人员按公民身份号码匹配,只更新有变化的内容;空白单元格表示保持原值。"
    "所属社区变化视为调动,原任职务同时结束。",
    "9. 整个文件先全部校验,有任何错误都不会导入;可下载标注了错误的表格,改正后重新上传。",
    "10. 新登记人员的入职日期取“参加社区工作时间”,未填则为导入当天。",
]


def template_workbook(*, viewer: User) -> bytes:
    """The blank import template: headers, drop-down lists for every fixed vocabulary and a
    填写说明 sheet. The community drop-down lists the communities the viewer may import into."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "社区工作者"
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for col, (name, header) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font = bold
        if name in REQUIRED:
            cell.fill = required_fill
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = 22 if name in {"id_number", "community"} else 14
        if name in {"id_number", "phone"}:
            for row in range(2, 1002):
                sheet.cell(row=row, column=col).number_format = "@"
    sheet.freeze_panes = "A2"

    options = book.create_sheet("选项")
    lists = _vocabulary_lists()
    communities = Unit.objects.filter(kind=UnitKind.COMMUNITY).order_by("path")
    if not sees_everything(viewer):
        communities = communities.filter(path_q(viewer, "path", Permission.IMPORT))
    lists["community"] = list(communities.values_list("name", flat=True)[:5000])
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=LABELS[name])
        for row, value in enumerate(values, start=2):
            xlsx_put(options, row, index, value)  # a community name is never a formula
        if not values:
            continue
        target = get_column_letter([n for n, _h in COLUMNS].index(name) + 1)
        validation = DataValidation(
            type="list",
            formula1=f"'选项'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=name != "post",  # several posts may be typed, 、-separated
            errorTitle=_("请从列表中选择"),
            error=_("请从下拉列表中选择"),
        )
        validation.add(f"{target}2:{target}5000")
        sheet.add_data_validation(validation)
    options.sheet_state = "hidden"

    notes = book.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 110
    for row, line in enumerate(INSTRUCTIONS, start=1):
        cell = notes.cell(row=row, column=1, value=line)
        if row == 1:
            cell.font = Font(bold=True, size=14)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def errors_workbook(*, rows: list[SheetRow], columns: list[str], errors: list[RowError]) -> bytes:
    """core's marked error sheet, the columns under the template's headers."""
    return workbook.errors_workbook(rows=rows, columns=columns, errors=errors, labels=LABELS)
