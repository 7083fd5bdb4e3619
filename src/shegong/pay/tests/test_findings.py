"""The year of pay per worker that the benchmark, the pay report and the annual report read."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from shegong.conftest import Personas, Tree
from shegong.core.actors import system_actor
from shegong.pay import selectors, services
from shegong.pay.models import PayLine
from shegong.pay.tests.factories import YEAR, approved_run, paid_worker, pay_settings


def test_a_worker_s_year_stands_where_their_last_line_of_the_year_stands(
    tree: Tree, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = paid_worker(tree.community_a1, personas.street_a_manager)
    pay_settings(tree.district)
    services.grade_place(
        unit=tree.street_a, day=datetime.date(YEAR, 1, 1), acting_user=system_actor()
    )
    for month in (1, 2, 3):
        approved_run(tree.street_a, personas.street_a_manager, datetime.date(YEAR, month, 1))
    # As if the worker had moved to another community for March (the last month paid).
    PayLine.objects.filter(worker=worker, run__period__month=3).update(
        unit_path=tree.community_a2.path, level=3
    )
    PayLine.objects.filter(worker=worker, run__period__month=1).update(level=2)
    services.pay_years_refresh(year=YEAR)  # the lines were changed around the services

    def year_of() -> selectors.WorkerYear:
        found = selectors.worker_years(viewer=system_actor(), unit=tree.district, year=YEAR)
        return next(y for y in found if y.worker_id == worker.pk)

    picked = year_of()  # DISTINCT ON on PostgreSQL, the lines in order elsewhere
    assert (picked.unit_path, picked.level, picked.months) == (tree.community_a2.path, 3, 3)
    monkeypatch.setattr(connection.features, "can_distinct_on_fields", False)
    services.pay_years_refresh(year=YEAR)
    walked = year_of()
    assert (walked.unit_path, walked.level) == (picked.unit_path, picked.level)
