"""A worker's year of pay: the sums of the year's effective lines per worker, the months paid
and where the worker stood on their last line. services.years keeps them in WorkerPayYear
when a run is approved; findings read them from there."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet, Sum

from shegong.pay import rules
from shegong.pay.models import PayLine
from shegong.pay.selectors.lines import TOTAL_FIELDS, effective_lines
from shegong.pay.selectors.withholding import CALIBERS, _fen_sums

SUMS = tuple(TOTAL_FIELDS)  # a line's six totals, summed over the year


def year_lines(*, year: int, worker_ids: Iterable[int] | QuerySet[Any] | None) -> QuerySet[PayLine]:
    lines = effective_lines().filter(run__period__year=year)
    return lines if worker_ids is None else lines.filter(worker_id__in=worker_ids)


def line_years(
    *, year: int, worker_ids: Iterable[int] | QuerySet[Any] | None
) -> Iterator[dict[str, Any]]:
    """One dict per worker with approved pay in `year` (all of them when `worker_ids` is
    None): the six sums to the fen, months paid, the three calibers annualised (annual_*),
    and unit_path, track_name and level of their last line of the year."""
    lines = year_lines(year=year, worker_ids=worker_ids)
    rows = (
        lines.values("worker_id")
        # Months paid, not lines: an award run's line is in a month already counted.
        .annotate(months=Count("run__period", distinct=True), **{k: Sum(k) for k in SUMS})
        .order_by("worker_id")
    )
    latest = _latest_positions(lines)
    for r in rows:
        _fen_sums(r, SUMS)
        r["unit_path"], r["track_name"], r["level"] = latest[r["worker_id"]]
        for key, _label in CALIBERS:
            r[f"annual_{key}"] = rules.annualised(r[key], r["months"])
        yield r


def _latest_positions(lines: QuerySet[PayLine]) -> dict[int, tuple[str, str, int]]:
    """Each worker's unit, track and level on their last line of the year (latest month, then
    latest run). PostgreSQL picks that line itself (DISTINCT ON), so a city's 200,000 workers
    cost 200,000 rows, not every line of the year; elsewhere the lines are walked in order."""
    ordered = lines.values_list("worker_id", "unit_path", "track_name", "level")
    if connection.features.can_distinct_on_fields:
        picked = ordered.order_by("worker_id", "-run__period", "-run_id").distinct("worker_id")
        return {w: (path, track, level) for w, path, track, level in picked}
    walked = ordered.order_by("worker_id", "run__period", "run_id")
    return {w: (path, track, level) for w, path, track, level in walked}


def years_paid() -> list[int]:
    """The years with an approved run, oldest first."""
    periods = effective_lines().dates("run__period", "year")
    return sorted({d.year for d in periods})
