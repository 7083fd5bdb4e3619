"""社区资源: teams and their members, volunteers and their confirmed hours, venues (those shared
by units, companies and schools) and how much they were booked, the year's activities and
who came by age with the 中青年 share, and the communities short of each standard (五有 …) — all
from resources.selectors.resources_summary (the 社区资源 report's read) for the same unit and
year (read once), compared with last year's figures of the year (resources_year_figures)
where last year has a value."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shegong.annual import rules
from shegong.annual.chapters import Chapter, Context, Section, Table
from shegong.reports import rules as report_rules
from shegong.resources.models import OwnerKind
from shegong.resources.selectors import resources_summary, resources_year_figures

# Figures of the year itself (not the standing number of teams, venues or volunteers, which
# the summary counts as they are now): compared with last year where last year has a value.
COMPARED = ("team_members", "bookings", "activities", "participants")


def _last(before: dict[str, Any] | None, key: str) -> Any:
    """Last year's value of `key`, None when last year has none (nothing recorded)."""
    value = before.get(key) if before else None
    return value if value else None


def _change(now: dict[str, Any], before: dict[str, Any] | None, key: str, unit: str) -> str:
    previous = _last(before, key) if key in COMPARED else None
    return rules.count_change(now[key] or 0, previous, unit=unit, basis=_("同比"))


def _teams_section(s: dict[str, Any], before: dict[str, Any] | None) -> Section:
    records = s["team_records"]
    text = _(
        "%(unit)s%(year)d年有社区群众团队%(t)d支%(tc)s,成员%(m)d人%(mc)s;"
        "全年训练%(p)d次、演出%(f)d场、获奖%(a)d项。人才库登记%(talents)d人。"
    ) % {
        "unit": s["unit_name"],
        "year": s["year"],
        "t": s["teams"],
        "tc": _change(s, before, "teams", _("支")),
        "m": s["team_members"],
        "mc": _change(s, before, "team_members", _("人")),
        "p": records.get("practice", 0),
        "f": records.get("performance", 0),
        "a": records.get("award", 0),
        "talents": s["talents"],
    }
    hours = Decimal(s["volunteer_hours"])
    last_hours = _last(before, "volunteer_hours")
    text_v = _("登记志愿者%(v)d人%(vc)s,经确认的服务时长%(h)s小时%(hc)s。") % {
        "v": s["volunteers"],
        "vc": _change(s, before, "volunteers", _("人")),
        "h": s["volunteer_hours"],
        "hc": rules.money_change(hours, Decimal(last_hours), basis=_("同比"))
        if last_hours and Decimal(last_hours)
        else "",
    }
    return Section(title=_("群众团队和志愿服务"), paragraphs=[text, text_v])


def _owner_breakdown(s: dict[str, Any]) -> report_rules.Breakdown:
    kinds = Counter(v["owner_kind"] for v in s["venue_use"]["by_venue"])
    return report_rules.partition(
        "venue_owner",
        _("在用场地的来源"),
        [(str(label), kinds[v]) for v, label in OwnerKind.choices],
    )


def _venues_section(s: dict[str, Any], before: dict[str, Any] | None) -> Section:
    use = s["venue_use"]
    owners = _owner_breakdown(s)
    text = _(
        "登记活动场地%(n)d处%(nc)s,其中机关事业单位、企业和学校共享的%(sh)d处,占%(share)s%%;"
        "全年开放%(open)s小时,预订使用%(booked)s小时,使用率%(use)s,确认预订%(b)d次%(bc)s,"
        "到场%(present)d人次。"
    ) % {
        "n": s["venues"],
        "nc": _change(s, before, "venues", _("处")),
        "sh": s["shared_venues"],
        "share": report_rules.share(s["shared_venues"], s["venues"]),
        "open": use["open_hours"],
        "booked": use["booked_hours"],
        "use": f"{use['share']}%" if use["share"] else "—",
        "b": s["bookings"],
        "bc": _change(s, before, "bookings", _("次")),
        "present": use["present"],
    }
    listed, caption = _venues_listed(use["by_venue"])
    if len(listed) < len(use["by_venue"]):
        text += _("表中列出使用率最低的%(n)d处,全部场地的使用情况见社区资源统计。") % {
            "n": len(listed)
        }
    rows = [
        [v["venue"], v["community"], str(OwnerKind(v["owner_kind"]).label), v["open_hours"],
         v["booked_hours"], v["share"] or "—"]
        for v in listed
    ]  # fmt: skip
    header = [_("场地"), _("社区"), _("来源"), _("开放小时"), _("使用小时"), _("使用率(%)")]
    return Section(
        title=_("活动场地"),
        paragraphs=[text],
        tables=[Table(caption, header, rows)] if rows else [],
        charts=[owners] if use["by_venue"] else [],
    )


# A district's or a city's thousands of venues are a list for the resources pages, not for a
# report: it names the ones least used, where the bureau has something to do.
VENUES_LISTED = 20


def _venues_listed(by_venue: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """Every venue when there are few; else the least used (never open first), and the
    table's caption saying which."""
    if len(by_venue) <= VENUES_LISTED:
        return by_venue, _("场地使用情况")
    least = sorted(
        by_venue,
        key=lambda v: (
            v["share"] is not None,
            Decimal(v["share"] or 0),
            v["community"],
            v["venue"],
        ),
    )[:VENUES_LISTED]
    return least, _("使用率最低的%(n)d处场地") % {"n": VENUES_LISTED}


def _ages_breakdown(by_age: dict[str, Any]) -> report_rules.Breakdown:
    """The selector's bands, with its own largest-remainder shares (adding to 100.0)."""
    rows = [report_rules.Row(b["band"], b["count"], Decimal(b["share"])) for b in by_age["bands"]]
    return report_rules.Breakdown("participants_age", _("参加活动人次的年龄构成"), rows)


def _activities_section(s: dict[str, Any], before: dict[str, Any] | None) -> Section:
    by_age = s["participants_by_age"]
    text = _("全年开展活动%(n)d场%(c)s") % {
        "n": s["activities"],
        "c": _change(s, before, "activities", _("场")),
    }
    if by_age is None:
        text += _(",参加人数无记录或人数过少不予显示。")
        return Section(title=_("社区活动"), paragraphs=[text])
    text += _(",参加%(t)d人次%(tc)s,其中18至59岁的中青年%(y)d人次,占%(ys)s%%%(yc)s。") % {
        "t": by_age["total"],
        "tc": _change(s, before, "participants", _("人次")),
        "y": by_age["young_middle"],
        "ys": by_age["young_middle_share"],
        "yc": rules.points_change(
            Decimal(by_age["young_middle_share"]),
            Decimal(before["participants_by_age"]["young_middle_share"])
            if before is not None and _last(before, "participants_by_age")
            else None,
            basis=_("同比"),
        ),
    }
    ages = _ages_breakdown(by_age)
    rows = [[r.label, str(r.count), str(r.share)] for r in ages.rows]
    rows.append([_("合计"), str(by_age["total"]), "100.0"])
    return Section(
        title=_("社区活动"),
        paragraphs=[text],
        tables=[Table(ages.title, [_("年龄段"), _("人次"), _("占比(%)")], rows)],
        charts=[ages],
    )


def _standard_tables(st: dict[str, Any]) -> list[Table]:
    rows = [
        [str(st["items"].get(k, k)), str(met), str(st["communities"] - met),
         str(report_rules.share(met, st["communities"]))]
        for k, met in st["by_item"].items()
    ]  # fmt: skip
    header = [_("项目"), _("达标社区"), _("未达标社区"), _("达标率(%)")]
    name = st["name"]
    tables = [Table(_("“%(name)s”达标情况") % {"name": name}, header, rows)] if rows else []
    short = [
        [r["community"], "；".join(f"{i['item']}({i['shortfall']})" for i in r["items"])]
        for r in st["short"]
    ]
    if short:
        title = _("未达到“%(name)s”的社区") % {"name": name}
        tables.append(Table(title, [_("社区"), _("差距")], short))
    return tables


def _standards_section(s: dict[str, Any]) -> Section:
    """Each standard that applies (五有 first, as seeded; 示范社区 and others as configured)."""
    paragraphs, tables = [], []
    for st in s["standards"]:
        paragraphs.append(
            _("%(n)d个社区中,“%(name)s”全部达标的%(m)d个,占%(share)s%%。")
            % {
                "n": st["communities"],
                "name": st["name"],
                "m": st["meeting_all"],
                "share": report_rules.share(st["meeting_all"], st["communities"]),
            }
        )
        tables += _standard_tables(st)
    if not paragraphs:
        paragraphs.append(_("没有适用的达标标准。"))
    return Section(title=_("达标情况"), paragraphs=paragraphs, tables=tables)


def _findings(s: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    found = []
    for st in s["standards"]:
        if st["short"]:
            found.append(
                _("“%(name)s”未全部达标的社区%(n)d个") % {"name": st["name"], "n": len(st["short"])}
            )
    by_age = s["participants_by_age"]
    if by_age and Decimal(by_age["young_middle_share"]) < 50:
        found.append(_("参加活动的中青年仅占%(s)s%%") % {"s": by_age["young_middle_share"]})
    share = s["venue_use"]["share"]
    if share and Decimal(share) < 50:
        found.append(_("活动场地使用率%(s)s%%") % {"s": share})
    labels = {"team_members": _("团队成员"), "bookings": _("场地预订"), "activities": _("活动场次"),
              "participants": _("参加人次")}  # fmt: skip
    fell = [str(labels[k]) for k in COMPARED if (p := _last(before, k)) and (s[k] or 0) < p]
    if fell:
        found.append(_("低于上年:%(k)s") % {"k": "、".join(fell)})
    return found


def _figures(s: dict[str, Any], ages: Any) -> dict[str, Any]:
    keys = ("teams", "team_members", "talents", "volunteers", "volunteer_hours", "venues",
            "shared_venues", "bookings", "activities", "participants", "awards")  # fmt: skip
    use = s["venue_use"]
    return {
        **{k: s[k] for k in keys},
        "team_records": dict(s["team_records"]),
        "venue_use": {k: use[k] for k in ("open_hours", "booked_hours", "share", "present")},
        "young_middle": ages["young_middle"] if ages else None,
        "young_middle_share": ages["young_middle_share"] if ages else None,
        "participants_by_age": {b["band"]: b["count"] for b in ages["bands"]} if ages else None,
        "standards": {
            st["key"]: {k: st[k] for k in ("name", "communities", "meeting_all", "by_item")}
            | {"short": len(st["short"])}
            for st in s["standards"]
        },
    }


def build(ctx: Context) -> Chapter:
    s = resources_summary(viewer=ctx.viewer, unit=ctx.unit, year=ctx.year)
    # Last year only for the comparisons: its figures of the year, not its venues' use and
    # standards (the summary's dearest parts, computed once, for this year).
    before = resources_year_figures(viewer=ctx.viewer, unit=ctx.unit, year=ctx.year - 1)
    return Chapter(
        key="resources",
        title=_("社区资源"),
        sections=[
            _teams_section(s, before),
            _venues_section(s, before),
            _activities_section(s, before),
            _standards_section(s),
        ],
        figures=_figures(s, s["participants_by_age"]),
        findings=_findings(s, before),
    )
