"""The settings in force for a unit on a day: the grade scheme and pay policy of the nearest
unit above it (the latest version from that day or before), and the contribution rates and
average wage of its year (the latest version of the year from that day or before). A change
is a new version from a date, so a month before it keeps the values it was paid with."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from shegong.orgs.models import Unit
from shegong.pay import rules
from shegong.pay.models import (
    INSURANCE_KINDS,
    PERSONAL_KINDS,
    AverageWage,
    ContributionRates,
    GradeScheme,
    PayPolicy,
)


class _SetOnUnit(Protocol):
    unit_path: str


S = TypeVar("S", bound=_SetOnUnit)


def _nearest(rows: Iterable[S], path: str, key: Callable[[S], Any]) -> S | None:
    """Of settings rows set on ancestors of `path`, the one on the deepest unit, then the
    greatest `key` (latest date or year)."""
    best: S | None = None
    best_key: tuple[int, Any] | None = None
    for row in rows:
        if not path.startswith(row.unit_path):
            continue
        rank = (len(row.unit_path), key(row))
        if best_key is None or rank > best_key:
            best, best_key = row, rank
    return best


@dataclass
class InForce:
    """The settings that apply to one community on one day."""

    scheme: GradeScheme | None
    policy: PayPolicy | None
    rates: ContributionRates | None
    wage: AverageWage | None


def settings_in_force(paths: Iterable[str], day: datetime.date) -> dict[str, InForce]:
    """For each unit path, the scheme, policy, rates and average wage in force on `day`: four
    queries for any number of units."""
    paths = set(paths)
    prefixes = {p for path in paths for p in rules.ancestors(path)}
    schemes = list(GradeScheme.objects.filter(unit_path__in=prefixes, effective_from__lte=day))
    policies = list(PayPolicy.objects.filter(unit_path__in=prefixes, effective_from__lte=day))
    rates = list(
        ContributionRates.objects.filter(
            unit_path__in=prefixes, year=day.year, effective_from__lte=day
        )
    )
    wages = list(
        AverageWage.objects.filter(unit_path__in=prefixes, year=day.year, effective_from__lte=day)
    )
    return {
        path: InForce(
            scheme=_nearest(schemes, path, lambda r: r.effective_from),
            policy=_nearest(policies, path, lambda r: r.effective_from),
            rates=_nearest(rates, path, lambda r: r.effective_from),
            wage=_nearest(wages, path, lambda r: r.effective_from),
        )
        for path in paths
    }


def rates_of(row: ContributionRates) -> rules.Rates:
    return rules.Rates(
        employer={k: getattr(row, f"{k}_employer") for k in INSURANCE_KINDS},
        personal={k: getattr(row, f"{k}_personal") for k in PERSONAL_KINDS},
        floor_share=row.base_floor_share,
        ceiling_share=row.base_ceiling_share,
    )


def unit_names(paths: Iterable[str]) -> dict[str, str]:
    return dict(Unit.objects.filter(path__in=set(paths)).values_list("path", "name"))
