"""减负增效: the admission list (准入清单) and the items without funding, the ledgers, signboards
and inspections per community, the records imposed without admission and the departments
imposing most, the forms filled from data (一表通) and the workers' questionnaire's pressure
share — all from burden.selectors.burden_summary, the 减负统计 page's read, for the same unit
and year; last year's counts from the summary's own five-year trend."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shegong.annual import rules
from shegong.annual.chapters import Chapter, Context, Section, Table
from shegong.burden.selectors import burden_summary
from shegong.reports import rules as report_rules

COUNTED = ("ledgers", "signboards", "inspections", "meetings", "without_admission")
PRESSURE_HEAVY = 2  # the first two choices of "您感到的工作压力": 很大, 较大
PAY_UNHAPPY = 2  # the last two of "您对目前待遇的满意程度": 不满意, 很不满意


def _last_year(summary: dict[str, Any]) -> dict[str, Any] | None:
    """Last year's counts from the trend, None when nothing was recorded then."""
    row: dict[str, Any] | None = next(
        (r for r in summary["trend"] if r["year"] == summary["year"] - 1), None
    )
    if row is None or not any(row[k] for k in COUNTED):
        return None
    return row


def _per_community(total: int, communities: int) -> Decimal | None:
    return report_rules.average(total, communities)


def _pressure(survey: dict[str, Any] | None) -> dict[str, Any] | None:
    """The questionnaire's pressure question: respondents, heavy (很大+较大), its share and the
    shares of every choice (adding to 100.0). None without a survey or when withheld."""
    if not survey:
        return None
    question = next(
        (q for q in survey["questions"] if "压力" in q["text"]),
        survey["questions"][0] if survey["questions"] else None,
    )
    if question is None or not question["counts"]:
        return None
    counts = list(question["counts"])
    answered = sum(counts)
    heavy = sum(counts[:PRESSURE_HEAVY])
    breakdown = report_rules.partition(
        "pressure", question["text"], list(zip(question["choices"], counts, strict=True))
    )
    pay = next((q for q in survey["questions"] if "待遇" in q["text"] and q["counts"]), None)
    unhappy = sum(pay["counts"][-PAY_UNHAPPY:]) if pay else None
    return {
        "question": question["text"],
        "respondents": survey["respondents"],
        "answered": answered,
        "heavy": heavy,
        "heavy_share": report_rules.share(heavy, answered),
        "breakdown": breakdown,
        "pay_unhappy": unhappy,
        "pay_unhappy_share": None
        if pay is None or unhappy is None
        else report_rules.share(unhappy, sum(pay["counts"])),
    }


def _list_section(s: dict[str, Any]) -> Section:
    kinds = report_rules.partition("items", _("准入事项"), list(s["items_by_kind"].items()))
    text = _(
        "%(unit)s%(year)d年实行社区工作准入事项%(n)d项,其中%(kinds)s;未落实经费的%(u)d项,占%(share)s%%。"
    ) % {
        "unit": s["unit"]["name"],
        "year": s["year"],
        "n": s["items"],
        "kinds": "、".join(f"{r.label}{r.count}项" for r in kinds.rows),
        "u": s["unfunded_items"],
        "share": report_rules.share(s["unfunded_items"], s["items"]),
    }
    rows = [[r.label, str(r.count), str(r.share)] for r in kinds.rows]
    rows.append([_("合计"), str(s["items"]), "100.0" if s["items"] else "0.0"])
    return Section(
        title=_("社区工作准入"),
        paragraphs=[text],
        tables=[Table(_("准入事项"), [_("类别"), _("事项数"), _("占比(%)")], rows)],
        charts=[kinds] if s["items"] else [],
    )


def _change(s: dict[str, Any], before: dict[str, Any] | None, key: str, unit: str) -> str:
    return rules.count_change(s[key], before[key] if before else None, unit=unit, basis=_("同比"))


def _records_section(s: dict[str, Any], before: dict[str, Any] | None) -> Section:
    n = len(s["communities"])
    lines = []
    for key, label, unit in (
        ("ledgers", _("台账"), _("本")),
        ("signboards", _("挂牌"), _("块")),
        ("inspections", _("检查考评"), _("次")),
        ("meetings", _("会议"), _("次")),
    ):
        avg = _per_community(s[key], n)
        lines.append(
            _("%(label)s%(n)d%(unit)s,社区平均%(avg)s%(unit)s%(c)s")
            % {
                "label": label,
                "n": s[key],
                "unit": unit,
                "avg": report_rules.plain(avg) if avg is not None else "—",
                "c": _change(s, before, key, unit),
            }
        )
    text = _("全年%(n)d个社区记录") % {"n": n} + ";".join(lines) + "。"
    text += _("检查、考评、会议共占用社区工作时间%(h)s小时,%(t)d人次。") % {
        "h": s["hours"],
        "t": s["staff_times"],
    }
    header = [_("年度"), _("台账"), _("挂牌"), _("检查考评"), _("会议"), _("未经准入")]
    rows = [
        [str(r["year"])] + [str(r[k]) for k in COUNTED[:4]] + [str(r["without_admission"])]
        for r in s["trend"]
    ]
    return Section(
        title=_("台账、挂牌和检查考评"),
        paragraphs=[text],
        tables=[Table(_("近五年情况"), header, rows)],
    )


def _admission_section(s: dict[str, Any], before: dict[str, Any] | None) -> Section:
    text = _("未经准入进入社区的事项%(n)d项%(c)s。") % {
        "n": s["without_admission"],
        "c": _change(s, before, "without_admission", _("项")),
    }
    if s["departments"]:
        top = s["departments"][0]
        text += _("摊派最多的是%(d)s,%(r)d项,其中未经准入%(w)d项。") % {
            "d": top["department"],
            "r": top["records"],
            "w": top["without_admission"],
        }
    rows = [
        [d["department"], str(d["records"]), str(d["without_admission"])] for d in s["departments"]
    ]
    tables = (
        [Table(_("摊派事项较多的部门"), [_("部门"), _("事项"), _("未经准入")], rows)]
        if rows
        else []
    )
    return Section(title=_("未经准入事项"), paragraphs=[text], tables=tables)


def _forms_section(s: dict[str, Any]) -> Section:
    fields = s["fields_from_data"] + s["fields_asked"]
    text = _(
        "推行“一表通”报表%(f)d张,共%(n)d项,其中从已有数据自动填写%(d)d项,占%(share)s%%,"
        "每次填报为各社区节省约%(h)s小时。"
    ) % {
        "f": s["forms"],
        "n": fields,
        "d": s["fields_from_data"],
        "share": report_rules.share(s["fields_from_data"], fields),
        "h": s["hours_saved"],
    }
    return Section(title=_("报表“一表通”"), paragraphs=[text])


def _survey_section(s: dict[str, Any], pressure: dict[str, Any] | None) -> Section:
    if s["survey"] is None:
        return Section(title=_("社区工作者问卷"), paragraphs=[_("本年度未开展社区工作者问卷。")])
    if s["survey"]["respondents"] is None:  # a survey of a unit above the report's reader
        text = _("%(t)s由%(u)s组织,结果由%(u)s汇总。") % {
            "t": s["survey"]["title"],
            "u": s["survey"]["unit"],
        }
        return Section(title=_("社区工作者问卷"), paragraphs=[text])
    if pressure is None:
        text = _("%(t)s共回收问卷%(n)d份,答卷人数过少,结果不予显示。") % {
            "t": s["survey"]["title"],
            "n": s["survey"]["respondents"],
        }
        return Section(title=_("社区工作者问卷"), paragraphs=[text])
    text = _("%(t)s共回收问卷%(n)d份,感到工作压力很大或较大的%(h)d人,占%(share)s%%。") % {
        "t": s["survey"]["title"],
        "n": pressure["respondents"],
        "h": pressure["heavy"],
        "share": pressure["heavy_share"],
    }
    if pressure["pay_unhappy_share"] is not None:
        text += _("对目前待遇不满意或很不满意的%(n)d人,占%(share)s%%。") % {
            "n": pressure["pay_unhappy"],
            "share": pressure["pay_unhappy_share"],
        }
    rows = [[r.label, str(r.count), str(r.share)] for r in pressure["breakdown"].rows]
    return Section(
        title=_("社区工作者问卷"),
        paragraphs=[text],
        tables=[Table(pressure["question"], [_("选项"), _("人数"), _("占比(%)")], rows)],
        charts=[pressure["breakdown"]],
    )


def _findings(
    s: dict[str, Any], before: dict[str, Any] | None, p: dict[str, Any] | None
) -> list[str]:
    found = []
    if s["unfunded_items"]:
        found.append(_("准入事项中%(n)d项未落实经费") % {"n": s["unfunded_items"]})
    if s["without_admission"]:
        found.append(_("未经准入进入社区的事项%(n)d项") % {"n": s["without_admission"]})
    if before:
        rose = [k for k in COUNTED[:3] if s[k] > before[k]]
        labels = {"ledgers": _("台账"), "signboards": _("挂牌"), "inspections": _("检查考评")}
        if rose:
            found.append(_("%(k)s多于上年") % {"k": "、".join(str(labels[k]) for k in rose)})
    if s["worst"] and s["without_admission"]:
        found.append(
            _("未经准入事项最多的社区:%(c)s") % {"c": "、".join(w["name"] for w in s["worst"][:3])}
        )
    if p and p["heavy_share"] >= 50:
        found.append(_("感到工作压力很大或较大的社区工作者占%(s)s%%") % {"s": p["heavy_share"]})
    return found


def _figures(s: dict[str, Any], p: dict[str, Any] | None) -> dict[str, Any]:
    n = len(s["communities"])
    keys = ("items", "unfunded_items", "ledgers", "signboards", "stamp_kinds", "inspections",
            "meetings", "hours", "staff_times", "without_admission", "forms",
            "fields_from_data", "fields_asked", "hours_saved")  # fmt: skip
    per = {k: _per_community(s[k], n) for k in ("ledgers", "signboards", "inspections")}
    return {
        "communities": n,
        **{k: s[k] for k in keys},
        "items_by_kind": dict(s["items_by_kind"]),
        "per_community": {k: None if v is None else format(v, "f") for k, v in per.items()},
        "departments": list(s["departments"]),
        "survey_respondents": s["survey"]["respondents"] if s["survey"] else None,
        "pressure_heavy": p["heavy"] if p else None,
        "pressure_share": format(p["heavy_share"], "f") if p else None,
        "pay_unhappy": p["pay_unhappy"] if p else None,
        "pay_unhappy_share": format(p["pay_unhappy_share"], "f")
        if p and p["pay_unhappy_share"] is not None
        else None,
    }


def build(ctx: Context) -> Chapter:
    s = burden_summary(viewer=ctx.viewer, unit=ctx.unit, year=ctx.year)
    before = _last_year(s)
    pressure = _pressure(s["survey"])
    return Chapter(
        key="burden",
        title=_("减负增效"),
        sections=[
            _list_section(s),
            _records_section(s, before),
            _admission_section(s, before),
            _forms_section(s),
            _survey_section(s, pressure),
        ],
        figures=_figures(s, pressure),
        findings=_findings(s, before, pressure),
    )
