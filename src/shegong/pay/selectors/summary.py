"""The year's pay of a unit in figures, counted in the database over the workers' years
(WorkerPayYear): what the annual report's 待遇 chapter and the 一表通 pay sources print. The
same figures as benchmark() and worker_years give a row at a time (tested against them), for
a city's 200,000 workers in one query instead of 200,000 rows in Python."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast

from shegong.core import money
from shegong.pay import rules
from shegong.pay.models import AverageWage
from shegong.pay.selectors.findings import leaders_at_year_end, year_rows
from shegong.pay.selectors.in_force import settings_in_force
from shegong.pay.selectors.runs import may_see_pay
from shegong.pay.selectors.withholding import CALIBERS, min_group_size
from shegong.people.models import PostHolding

if TYPE_CHECKING:
    from shegong.core.models import User
    from shegong.orgs.models import Unit


def wage_lines(unit: Unit, year: int) -> list[tuple[str, Decimal, Decimal]]:
    """The average wages in force on 1 January of `year` over the communities below `unit`:
    (the path of the unit it is set on, the wage, the benchmark line), the deepest unit first,
    so the first whose path starts a community's path is the one in force there (as
    in_force._nearest picks it)."""
    day = datetime.date(year, 1, 1)
    latest: dict[str, AverageWage] = {}
    for row in AverageWage.objects.filter(
        Q(unit_path__in=rules.ancestors(unit.path)) | Q(unit_path__startswith=unit.path),
        year=year,
        effective_from__lte=day,
    ).order_by("effective_from", "pk"):
        latest[row.unit_path] = row  # the latest version from the day or before wins
    return sorted(
        (
            (path, w.amount, rules.benchmark_amount(w.amount, w.benchmark_share))
            for path, w in latest.items()
        ),
        key=lambda t: -len(t[0]),
    )


def _by_path(lines: list[tuple[str, Decimal, Decimal]], index: int) -> Case | Cast:
    """The wage (index 1) or the line (2) in force at each row's community; NULL without."""
    amount: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
    none = Cast(Value(None), output_field=amount)  # typed: PostgreSQL compares it to numeric
    if not lines:
        return none
    return Case(
        *(When(unit_path__startswith=t[0], then=Value(t[index])) for t in lines),
        default=none,
        output_field=amount,
    )


def _aggregates(year: int) -> dict[str, Any]:
    # An uncorrelated IN: PostgreSQL hashes the year's leaders once, where an EXISTS per row
    # would be run again for every aggregate that names it.
    leader = Q(
        worker_id__in=PostHolding.objects.filter(leaders_at_year_end(year)).values("worker_id")
    )
    has_wage = Q(line__isnull=False)
    out: dict[str, Any] = {
        "workers": Count("pk"),
        "leaders": Count("pk", filter=leader),
        "leaders_with_wage": Count("pk", filter=leader & has_wage),
    }
    for key, _label in CALIBERS:
        annual = f"annual_{key}"
        out[f"{key}_total"] = Sum(key)
        out[f"{key}_annual"] = Sum(annual)
        out[f"{key}_leaders_annual"] = Sum(annual, filter=leader)
        out[f"{key}_below"] = Count("pk", filter=Q(**{f"{annual}__lt": F("line")}))
        out[f"{key}_at_average"] = Count("pk", filter=leader & Q(**{f"{annual}__gte": F("wage")}))
    return out


def year_summary(*, viewer: User, unit: Unit, year: int) -> dict[str, Any]:
    """Workers paid in `year` below `unit` and, per caliber: the total, the average and the
    leaders' average (annualised; None when withheld: fewer people than the minimum group,
    to a viewer without the personal-data right), how many are below the benchmark line of
    their community, and the secretaries and directors at the average wage and their share.
    Also the unit's own average wage and benchmark line."""
    lines = wage_lines(unit, year)
    rows = year_rows(viewer=viewer, unit=unit, year=year).annotate(
        line=_by_path(lines, 2),
        wage=_by_path(lines, 1),
    )
    got = rows.aggregate(**_aggregates(year))
    n, n_leaders = got["workers"], got["leaders"]
    shown = may_see_pay(viewer=viewer, unit_path=unit.path)
    visible = shown or n >= min_group_size()
    leaders_visible = shown or n_leaders >= min_group_size()
    calibers = {}
    for key, label in CALIBERS:
        total = money.fen(got[f"{key}_total"] or 0)
        annual = money.fen(got[f"{key}_annual"] or 0)
        leaders_annual = money.fen(got[f"{key}_leaders_annual"] or 0)
        calibers[key] = {
            "label": label,
            "total": total if visible else None,
            "average": money.fen(annual / n) if visible and n else None,
            "leaders_average": money.fen(leaders_annual / n_leaders)
            if leaders_visible and n_leaders
            else None,
            "below": got[f"{key}_below"],
            "leaders": got["leaders_with_wage"],
            "leaders_at_average": got[f"{key}_at_average"],
            "leaders_share": rules.share_text(got[f"{key}_at_average"], got["leaders_with_wage"]),
        }
    own = settings_in_force([unit.path], datetime.date(year, 1, 1))[unit.path].wage
    return {
        "year": year,
        "workers": n,
        "wage": own.amount if own else None,
        "benchmark_share": own.benchmark_share if own else None,
        "benchmark": rules.benchmark_amount(own.amount, own.benchmark_share) if own else None,
        "calibers": calibers,
    }
