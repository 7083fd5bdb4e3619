"""Small builders for roster tests: valid ID numbers and registered workers."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from shegong.core.models import User
from shegong.orgs.models import Unit
from shegong.people import rules, services
from shegong.people.models import StandingProposal, Worker

_serials = itertools.count(11)


def make_id(
    birth: datetime.date = datetime.date(1990, 3, 7),
    *,
    male: bool = True,
    region: str = "110101",
    serial: int | None = None,
) -> str:
    """A valid 18-digit ID number for that birth date and gender."""
    base = serial if serial is not None else next(_serials) % 50
    order = f"{base * 2 + (1 if male else 0):03d}"[-3:]
    first17 = f"{region}{birth:%Y%m%d}{order}"
    return first17 + rules.id_check_digit(first17)


def worker_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "张三",
        "id_number": make_id(),
        "ethnicity": "汉族",
        "phone": "13812345678",
        "political": "party_member",
        "education": "bachelor",
        "major": "社会工作",
        "source": "hired",
        "work_start_date": datetime.date(2015, 7, 1),
    }
    values.update(overrides)
    return values


def register(
    community: Unit,
    acting_user: User,
    *,
    entry_date: datetime.date = datetime.date(2020, 1, 1),
    **overrides: Any,
) -> Worker:
    return services.worker_create(
        community=community,
        entry_date=entry_date,
        values=worker_values(**overrides),
        acting_user=acting_user,
    )


def street_a_proposal(o: Any) -> StandingProposal:
    """A pending 诫勉 proposal for the scoping walk's street-A worker (for route lambdas)."""
    found = StandingProposal.objects.filter(worker=o.worker).first()
    if found is not None:
        return found
    services.standing_proposals_record(
        unit=o.tree.street_a,
        entries=[
            services.ProposalEntry(
                worker_id=o.worker.pk, year=2025, kind="warn", source_key="test.walk:1"
            )
        ],
        source_label="街道甲2025年度考核",
        replaces_prefix="test.walk:",
        acting_user=o.personas.street_a_manager,
    )
    return StandingProposal.objects.get(worker=o.worker)
