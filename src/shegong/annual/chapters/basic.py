"""基本情况: the units and communities, premises, funding, the workforce and its structure,
两委 members, leaders and 一肩挑, representatives, insurance — as essay 5 writes them.

The workforce figures are the structure report's own (reports.selectors.structure_report on
the same day, compared with the same day a year before), so the two documents agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from shegong.annual import rules
from shegong.annual.chapters import Chapter, Context, Section, Table
from shegong.core.access import path_q
from shegong.core.money import money_text
from shegong.orgs.models import (
    AreaType,
    CommunityFunding,
    CommunityProfile,
    FundingSource,
    Premises,
    UnitKind,
)
from shegong.orgs.selectors import subtree_summary
from shegong.people.models import InsuranceEnrolment, InsuranceKind, PostHolding
from shegong.reports import rules as report_rules
from shegong.reports.exports import figures_json
from shegong.reports.selectors import StructureReport, placements_on, structure_report

LARGE_COMMUNITY_HOUSEHOLDS = 1500
LARGE_PREMISES_M2 = Decimal(300)
# Above this many communities the standards table and the proposals list streets only.
MAX_COMMUNITY_ROWS = 200
MAX_FINDINGS = 20
# 两委: the party committee and the residents' committee — the leaders' posts and 委员.
COMMITTEE_POST_CODES = ("member",)


def _covering(day: datetime.date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gt=day))


@dataclass
class Communities:
    streets: int
    communities: int
    urban: int
    rural: int
    large: int  # urban communities of LARGE_COMMUNITY_HOUSEHOLDS households or more
    owned: int
    rented: int
    large_premises: int
    households: int
    residents: int


def communities_of(ctx: Context) -> Communities:
    summary = subtree_summary(viewer=ctx.viewer, unit=ctx.unit)
    profiles = CommunityProfile.objects.filter(
        path_q(ctx.viewer, "unit__path"),
        unit__path__startswith=ctx.unit.path,
        unit__kind=UnitKind.COMMUNITY,
    )
    urban = Q(area_type=AreaType.URBAN)
    found = profiles.aggregate(
        urban=Count("pk", filter=urban),
        rural=Count("pk", filter=Q(area_type=AreaType.RURAL)),
        large=Count("pk", filter=urban & Q(households__gte=LARGE_COMMUNITY_HOUSEHOLDS)),
        owned=Count("pk", filter=Q(premises=Premises.OWNED)),
        rented=Count("pk", filter=Q(premises=Premises.RENTED)),
    )
    large_premises = sum(
        1
        for office, activity in profiles.values_list("office_area", "activity_area")
        if office + activity >= LARGE_PREMISES_M2
    )
    return Communities(
        streets=summary["streets"],
        communities=summary["communities"],
        large_premises=large_premises,
        households=int(summary["households"]),
        residents=int(summary["residents"]),
        **found,
    )


@dataclass
class Funding:
    year: int
    total: Decimal
    communities: int
    least: Decimal
    most: Decimal
    by_source: report_rules.Breakdown
    amounts: dict[str, Decimal]

    @property
    def average(self) -> Decimal:
        return rules.fen_of(self.total / self.communities) if self.communities else Decimal(0)


def funding_of(ctx: Context, year: int) -> Funding | None:
    """The communities' funding of `year` (None when no community recorded any)."""
    rows = CommunityFunding.objects.filter(
        path_q(ctx.viewer, "unit__path"), unit__path__startswith=ctx.unit.path, year=year
    )
    per_community = [
        rules.fen_of(n)
        for n in rows.values("unit_id")
        .annotate(n=Sum("amount"))
        .order_by()
        .values_list("n", flat=True)
    ]
    if not per_community:
        return None
    amounts = {
        source: rules.fen_of(n)
        for source, n in rows.values("source")
        .annotate(n=Sum("amount"))
        .order_by()
        .values_list("source", "n")
    }
    # Shares of money: by fen, so they add to 100.0 like every breakdown.
    by_source = report_rules.partition(
        "funding",
        _("经费来源"),
        [(str(label), int(amounts.get(v, 0) * 100)) for v, label in FundingSource.choices],
    )
    total = sum(per_community, Decimal(0))
    return Funding(
        year=year,
        total=total,
        communities=len(per_community),
        least=min(per_community),
        most=max(per_community),
        by_source=by_source,
        amounts={str(label): amounts.get(v, Decimal(0)) for v, label in FundingSource.choices},
    )


def insurance_of(ctx: Context, day: datetime.date, total: int) -> dict[str, tuple[int, Decimal]]:
    """Workers on the roster of `day` insured on `day`, by kind: (count, share of all)."""
    placed = placements_on(viewer=ctx.viewer, unit=ctx.unit, as_of=day)
    counts = dict(
        InsuranceEnrolment.objects.filter(_covering(day), worker_id__in=placed.values("worker_id"))
        .values("kind")
        .annotate(n=Count("worker", distinct=True))
        .order_by()
        .values_list("kind", "n")
    )
    return {
        str(label): (counts.get(v, 0), report_rules.share(counts.get(v, 0), total))
        for v, label in InsuranceKind.choices
    }


def committee_members(ctx: Context, day: datetime.date) -> int:
    """两委 members on `day`: workers holding a leader's post or 委员."""
    placed = placements_on(viewer=ctx.viewer, unit=ctx.unit, as_of=day)
    holds = PostHolding.objects.filter(
        _covering(day),
        Q(post__is_leader=True) | Q(post__code__in=COMMITTEE_POST_CODES),
        worker_id=OuterRef("worker_id"),
    )
    return placed.filter(Exists(holds)).values("worker_id").distinct().count()


def build(ctx: Context) -> Chapter:
    report = structure_report(
        viewer=ctx.viewer, unit=ctx.unit, as_of=ctx.as_of, compare=ctx.last_year_day
    )
    before = report.comparison.before if report.comparison else None
    communities = communities_of(ctx)
    funding = funding_of(ctx, ctx.year) or funding_of(ctx, ctx.year - 1)
    funding_before = funding_of(ctx, funding.year - 1) if funding else None
    total = report.figures.total
    insurance = insurance_of(ctx, ctx.as_of, total)
    insurance_before = insurance_of(ctx, ctx.last_year_day, before.total) if before else None
    committee = committee_members(ctx, ctx.as_of)
    committee_before = committee_members(ctx, ctx.last_year_day) if before else None
    basis = report_rules.compare_basis(ctx.as_of, ctx.last_year_day)
    sections = [
        _units_section(ctx, communities),
        _funding_section(funding, funding_before),
        _workforce_section(ctx, report, communities, (committee, committee_before), basis),
        _insurance_section(insurance, insurance_before, basis),
        _standards_section(report),
    ]
    return Chapter(
        key="basic",
        title=_("基本情况"),
        sections=[s for s in sections if s is not None],
        figures=_figures(report, communities, funding, committee, insurance),
        findings=_findings(report),
    )


def _units_section(ctx: Context, c: Communities) -> Section:
    scope = report_rules.scope_word(ctx.unit.kind)
    head = _("目前%(scope)s共有") % {"scope": scope}
    if c.streets:
        head += _("街道%(n)d个、") % {"n": c.streets}
    text = head + _("社区%(n)d个,其中城市社区%(u)d个,农村社区%(r)d个。") % {
        "n": c.communities,
        "u": c.urban,
        "r": c.rural,
    }
    if c.urban:
        text += _("%(s)s%%的城市社区居民规模在%(h)d户以上。") % {
            "s": report_rules.plain(report_rules.share(c.large, c.urban)),
            "h": LARGE_COMMUNITY_HOUSEHOLDS,
        }
    premises = report_rules.partition(
        "premises", _("办公用房产权"), [(_("自有"), c.owned), (_("租用"), c.rented)]
    )
    if c.communities:
        text += _(
            "%(owned)s%%的社区建成了自有办公场地,%(n)d个社区办公和活动用房面积达到了"
            "%(m)s平方米以上,占%(s)s%%。"
        ) % {
            "owned": report_rules.plain(premises.share_of(_("自有"))),
            "n": c.large_premises,
            "m": LARGE_PREMISES_M2,
            "s": report_rules.plain(report_rules.share(c.large_premises, c.communities)),
        }
    rows = [[r.label, str(r.count), str(r.share)] for r in premises.rows]
    return Section(
        title=_("社区规模与办公用房"),
        paragraphs=[text],
        tables=[Table(_("办公用房产权"), [_("类别"), _("社区数"), _("占比(%)")], rows)],
    )


def _funding_section(funding: Funding | None, before: Funding | None) -> Section | None:
    if funding is None:
        return None
    basis = _("同比")
    text = _(
        "经统计,%(y)d年各社区经费共计%(total)s%(change)s,平均每个社区%(avg)s,"
        "最少的%(least)s,最多的%(most)s。"
    ) % {
        "y": funding.year,
        "total": rules.wan_text(funding.total),
        "change": rules.money_change(funding.total, before.total if before else None, basis=basis),
        "avg": rules.wan_text(funding.average),
        "least": rules.wan_text(funding.least),
        "most": rules.wan_text(funding.most),
    }
    parts = [
        _("%(label)s%(amount)s,占%(s)s%%")
        % {"label": r.label, "amount": rules.wan_text(funding.amounts[r.label]), "s": r.share}
        for r in funding.by_source.rows
        if r.count
    ]
    if parts:
        text += _("其中") + ";".join(parts) + "。"
    rows = [
        [r.label, money_text(funding.amounts[r.label]), str(r.share)]
        for r in funding.by_source.rows
    ]
    rows.append([_("合计"), money_text(funding.total), "100.0"])
    return Section(
        title=_("经费保障"),
        paragraphs=[text],
        tables=[Table(_("经费来源"), [_("来源"), _("金额(元)"), _("占比(%)")], rows)],
    )


def _workforce_section(
    ctx: Context,
    report: StructureReport,
    c: Communities,
    committee: tuple[int, int | None],
    basis: str,
) -> Section:
    f = report.figures
    b = report.comparison.before if report.comparison else None
    text = report.narrative
    paragraphs = [text]
    if f.total:
        extra = _(
            "“两委”成员%(c)d名%(cc)s,主职(党组织书记、居委会主任)%(l)d人%(lc)s,"
            "其中交叉任职的%(d)d人%(dc)s"
        ) % {
            "c": committee[0],
            "cc": rules.count_change(committee[0], committee[1], unit=_("名"), basis=basis),
            "l": f.leaders,
            "lc": rules.count_change(
                f.leaders, b.leaders if b else None, unit=_("人"), basis=basis
            ),
            "d": f.dual_role,
            "dc": rules.count_change(
                f.dual_role, b.dual_role if b else None, unit=_("人"), basis=basis
            ),
        }
        staffed = sum(1 for s in report.standards.communities if s.workers)
        if staffed:
            # Over the communities that have workers (a new or rural one may have none).
            extra += _(",平均每个社区%(n)s人") % {
                "n": format((Decimal(f.total) / staffed).quantize(Decimal("0.01")), "f")
            }
        paragraphs.append(extra + "。")
        reps = [r for r in f.breakdowns["representative"].rows if r.count]
        if reps:
            before_reps = b.breakdowns["representative"] if b else None
            paragraphs.append(
                _("目前%(scope)s社区工作者中有") % {"scope": report_rules.scope_word(ctx.unit.kind)}
                + "、".join(f"{r.label}{r.count}名" for r in reps)
                + (
                    _(",合计%(n)d名%(change)s")
                    % {
                        "n": sum(r.count for r in reps),
                        "change": rules.count_change(
                            sum(r.count for r in reps),
                            sum(r.count for r in before_reps.rows),
                            unit=_("名"),
                            basis=basis,
                        ),
                    }
                    if before_reps
                    else ""
                )
                + "。"
            )
    tables = [Table(b.title, *_breakdown_rows(report, key)) for key, b in f.breakdowns.items()]
    return Section(
        title=_("队伍规模与结构"),
        paragraphs=paragraphs,
        tables=tables,
        charts=[b for b in f.breakdowns.values() if b.partition],
    )


def _breakdown_rows(report: StructureReport, key: str) -> tuple[list[str], list[list[str]]]:
    from shegong.reports.documents import breakdown_table

    return breakdown_table(report, key)


def _insurance_section(
    now: dict[str, tuple[int, Decimal]],
    before: dict[str, tuple[int, Decimal]] | None,
    basis: str,
) -> Section | None:
    if not any(n for n, _s in now.values()):
        return None
    parts = []
    for label, (n, share) in now.items():
        if not n:
            continue
        change = rules.points_change(share, before[label][1] if before else None, basis=basis)
        parts.append(
            _("%(s)s%%的社区工作者参加了%(label)s%(change)s")
            % {"s": report_rules.plain(share), "label": label, "change": change}
        )
    rows = [[label, str(n), str(share)] for label, (n, share) in now.items()]
    return Section(
        title=_("社会保险"),
        paragraphs=[_("同时,") + ",".join(parts) + "。"],
        tables=[Table(_("参保情况"), [_("险种"), _("参保人数"), _("参保率(%)")], rows)],
    )


def _standards_section(report: StructureReport) -> Section | None:
    """Each street and community against the headcount standard; a city's thousands of
    communities are left to their streets' reports (the table lists the streets)."""
    from shegong.reports.documents import standards_note, standards_table

    st = report.standards
    if not st.communities:
        return None
    header, rows = standards_table(report)
    paragraph = standards_note(report)
    if len(st.communities) > MAX_COMMUNITY_ROWS:
        rows = rows[: len(st.streets)] + rows[-1:]
        below = sum(1 for c in st.communities if c.below_standard)
        paragraph += _("下辖%(n)d个社区中%(b)d个低于配备标准,分社区情况见各街道报告。") % {
            "n": len(st.communities),
            "b": below,
        }
    return Section(
        title=_("配备标准"),
        paragraphs=[paragraph],
        tables=[Table(_("各单位配备情况"), header, rows)],
    )


def _figures(
    report: StructureReport,
    c: Communities,
    funding: Funding | None,
    committee: int,
    insurance: dict[str, tuple[int, Decimal]],
) -> dict[str, Any]:
    return {
        "communities": c.__dict__,
        "funding": None
        if funding is None
        else {
            "year": funding.year,
            "total": format(funding.total, "f"),
            "average": format(funding.average, "f"),
            "least": format(funding.least, "f"),
            "most": format(funding.most, "f"),
            "communities": funding.communities,
            "by_source": {k: format(v, "f") for k, v in funding.amounts.items()},
        },
        "workforce": figures_json(report.figures),
        "committee_members": committee,
        "insurance": {k: {"count": n, "share": format(s, "f")} for k, (n, s) in insurance.items()},
        "comparison": report.comparison.phrases if report.comparison else [],
    }


def _findings(report: StructureReport) -> list[str]:
    below = [s for s in report.standards.communities if s.below_standard]
    found = [
        _("%(name)s每万名居民%(per)s名社区工作者,低于配备标准%(std)s名,尚缺%(n)d人")
        % {"name": s.name, "per": s.per_10k, "std": report.standards.standard, "n": s.needed}
        for s in below[:MAX_FINDINGS]
    ]
    if len(below) > MAX_FINDINGS:
        found.append(
            _("另有%(n)d个社区低于配备标准,共尚缺%(k)d人")
            % {"n": len(below) - MAX_FINDINGS, "k": sum(s.needed for s in below[MAX_FINDINGS:])}
        )
    if report.comparison:
        found += [p for p in report.comparison.phrases if _("下降") in p or _("减少") in p]
    return found
