"""Pay's sections of a worker's whole record (people/record.py): their grade positions and
their pay by month, amounts masked for a viewer without the personal-data right."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from shegong.core.money import money_text
from shegong.pay.selectors import may_see_pay, worker_grades, worker_lines
from shegong.people.models import YearGrade
from shegong.people.record import MASKED, RecordRow, RecordSection

if TYPE_CHECKING:
    from shegong.core.models import User
    from shegong.people.models import Worker

MONTHS_SHOWN = 12


def _amount(value: Decimal, shown: bool) -> str:
    return money_text(value) if shown else MASKED


def _pay_page(viewer: User, worker: Worker) -> str:
    """The worker's pay page, linked only for a viewer who sees their pay (issue 14.11: no
    links into a pay area of ***)."""
    if not may_see_pay(viewer=viewer, unit_path=worker.unit_path):
        return ""
    return reverse("pay:worker", kwargs={"pk": worker.pk})


def grades_section(viewer: User, worker: Worker) -> RecordSection:
    return RecordSection(
        key="pay.grades",
        title=_("等级档次"),
        columns=(_("方案"), _("岗位序列"), _("等级档次"), _("起止"), _("原因")),
        rows=[
            RecordRow(
                cells=(
                    g.scheme.name,
                    g.track.name,
                    _("%(level)s级%(step)s档") % {"level": g.level, "step": g.step},
                    f"{g.start:%Y-%m-%d} – {g.end:%Y-%m-%d}" if g.end else f"{g.start:%Y-%m-%d} –",
                    g.get_reason_display(),
                )
            )
            for g in worker_grades(worker=worker)[:20]
        ],
        url=_pay_page(viewer, worker),
        link_label=_("待遇详情"),
        empty=_("尚未定级"),
    )


def pay_section(viewer: User, worker: Worker) -> RecordSection:
    shown = may_see_pay(viewer=viewer, unit_path=worker.unit_path)
    lines = list(worker_lines(viewer=viewer, worker=worker)[:MONTHS_SHOWN])
    grades = dict(YearGrade.choices)
    return RecordSection(
        key="pay.lines",
        title=_("工资(近12个月)"),
        columns=(_("月份"), _("批次状态"), _("考核等次"), _("等次来源"), _("应发"), _("实发")),
        rows=[
            RecordRow(
                cells=(
                    f"{line.run.period:%Y-%m}",
                    _("%(kind)s · %(status)s")
                    % {
                        "kind": line.run.get_kind_display(),
                        "status": line.run.get_status_display(),
                    },
                    str(grades.get(line.performance_grade, "—")),
                    line.performance_source or "—",
                    _amount(line.gross, shown),
                    _amount(line.net, shown),
                ),
                url=reverse("pay:payslip", kwargs={"pk": line.pk}) if shown else "",
            )
            for line in lines
        ],
        url=_pay_page(viewer, worker),
        link_label=_("待遇详情"),
        empty=_("暂无工资记录"),
        note="" if shown else _("工资金额属于个人信息,您的角色只能看到汇总。"),
    )
