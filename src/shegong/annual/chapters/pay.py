"""待遇保障: the three calibers per worker on average and in total, against the average wage
and the year's benchmark share, leaders at the average wage, equal pay by source.

Every figure comes from pay.selectors.year_summary / equal_pay_figures for the same unit and
year: the 待遇 pages' figures (benchmark, equal_pay) counted in the database; totals of fewer
people than the minimum group are withheld from a viewer without the personal-data right, as
on those pages.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shegong.annual import rules
from shegong.annual.chapters import Chapter, Context, Section, Table
from shegong.core.money import money_text
from shegong.pay import selectors as pay

WITHHELD_TEXT = "***"


def year_figures(ctx: Context, year: int) -> dict[str, Any]:
    """The pay figures of one year as Decimals (or None when withheld)."""
    return pay.year_summary(viewer=ctx.viewer, unit=ctx.unit, year=year)


def build(ctx: Context) -> Chapter:
    # A report written during the year speaks of last year's pay when this year has none
    # approved yet (essay 5, of September 2008, gives the incomes of 2007).
    now = year_figures(ctx, ctx.year)
    if not now["workers"]:
        now = year_figures(ctx, ctx.year - 1)
    before = year_figures(ctx, now["year"] - 1)
    before_or_none = before if before["workers"] else None
    equal = pay.equal_pay_figures(viewer=ctx.viewer, unit=ctx.unit, year=now["year"])
    sections: list[Section | None] = []
    if now["workers"]:
        sections.append(_calibers_section(now, before_or_none))
        sections.append(_benchmark_section(now, before_or_none))
    else:
        sections.append(
            Section(
                title=_("待遇水平"),
                paragraphs=[_("%(y)d年尚无已审批的待遇发放记录。") % {"y": ctx.year}],
            )
        )
    sections.append(_equal_pay_section(equal))
    return Chapter(
        key="pay",
        title=_("待遇保障"),
        sections=[s for s in sections if s is not None],
        figures=_json(now, equal),
        findings=[
            _("%(label)s低于待遇标准的社区工作者%(n)d人") % {"label": c["label"], "n": c["below"]}
            for c in now["calibers"].values()
            if c["below"]
        ],
    )


def _money(value: Decimal | None) -> str:
    return WITHHELD_TEXT if value is None else money_text(value)


def _calibers_section(now: dict[str, Any], before: dict[str, Any] | None) -> Section:
    basis = _("同比")
    parts = []
    for key, c in now["calibers"].items():
        if c["average"] is None:
            continue
        previous = before["calibers"][key]["average"] if before else None
        parts.append(
            _("%(label)s口径人均%(avg)s%(change)s,合计%(total)s")
            % {
                "label": c["label"],
                "avg": rules.yuan_text(c["average"]),
                "change": rules.money_change(c["average"], previous, basis=basis),
                "total": rules.wan_text(c["total"]),
            }
        )
    text = _("%(y)d年发放待遇的社区工作者%(n)d人") % {"y": now["year"], "n": now["workers"]}
    text += (";" + ";".join(parts) + "。") if parts else _(";人数过少,金额不予显示。")
    gross = now["calibers"]["gross"]
    if gross["leaders_average"] is not None and gross["leaders"]:
        text += _("社区党组织书记、主任年平均收入(应发)为%(avg)s。") % {
            "avg": rules.yuan_text(gross["leaders_average"])
        }
    rows = [
        [c["label"], _money(c["total"]), _money(c["average"]), _money(c["leaders_average"])]
        for c in now["calibers"].values()
    ]
    header = [_("口径"), _("合计(元)"), _("人均(元/年)"), _("书记、主任人均(元/年)")]
    return Section(
        title=_("待遇水平"), paragraphs=[text], tables=[Table(_("三种口径"), header, rows)]
    )


def _benchmark_section(now: dict[str, Any], before: dict[str, Any] | None) -> Section | None:
    if now["wage"] is None:
        return Section(title=_("对照平均工资"), paragraphs=[_("本年度尚未设定职工平均工资。")])
    basis = _("同比")
    gross = now["calibers"]["gross"]
    text = _("%(y)d年职工平均工资为%(wage)s,待遇标准为平均工资的%(share)s%%,即%(line)s。") % {
        "y": now["year"],
        "wage": rules.yuan_text(now["wage"]),
        "share": rules.plain_share(now["benchmark_share"]),
        "line": rules.yuan_text(now["benchmark"]),
    }
    if gross["leaders"]:
        share = Decimal(gross["leaders_share"])
        previous = before["calibers"]["gross"]["leaders_share"] if before else "—"
        text += _("达到职工平均工资的社区书记、主任%(n)d人,占%(s)s%%%(change)s。") % {
            "n": gross["leaders_at_average"],
            "s": gross["leaders_share"],
            "change": rules.points_change(
                share, None if previous == "—" else Decimal(previous), basis=basis
            ),
        }
    rows = [
        [
            c["label"],
            str(c["below"]),
            f"{c['leaders_at_average']} / {c['leaders']}",
            c["leaders_share"],
        ]
        for c in now["calibers"].values()
    ]
    header = [_("口径"), _("低于标准人数"), _("书记、主任达到平均工资"), _("占比(%)")]
    return Section(
        title=_("对照平均工资"), paragraphs=[text], tables=[Table(_("对照待遇标准"), header, rows)]
    )


def _equal_pay_section(equal: list[dict[str, Any]]) -> Section | None:
    if not equal:
        return None
    gaps = [f for f in equal if not f["withheld"] and f["gap"] > 0]
    text = _("同岗同级按来源方式比较,存在差距的岗级%(n)d个") % {"n": len(gaps)}
    if gaps:
        top = gaps[0]
        text += _(",差距最大的是%(track)s%(level)d级,相差%(gap)s") % {
            "track": top["track"],
            "level": top["level"],
            "gap": rules.yuan_text(top["gap"]),
        }
    rows = [
        [
            f"{f['track']} {f['level']}",
            "、".join(str(s["label"]) for s in f["sources"]),
            WITHHELD_TEXT if f["withheld"] else money_text(f["gap"]),
        ]
        for f in equal
    ]
    return Section(
        title=_("同工同酬"),
        paragraphs=[text + "。"],
        tables=[Table(_("同岗同级来源比较"), [_("岗级"), _("来源"), _("差距(元/年)")], rows)],
    )


def _json(now: dict[str, Any], equal: list[dict[str, Any]]) -> dict[str, Any]:
    def dec(v: Any) -> Any:
        return f"{v:.2f}" if isinstance(v, Decimal) else v  # money: two decimals, as pay prints

    return {
        "year": now["year"],
        "workers": now["workers"],
        "average_wage": dec(now["wage"]),
        "benchmark": dec(now["benchmark"]),
        "calibers": {k: {n: dec(v) for n, v in c.items()} for k, c in now["calibers"].items()},
        "equal_pay_groups": len(equal),
    }
