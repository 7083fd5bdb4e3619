"""Volunteers and their hours: clerk entry and self-report are one record, confirmed singly
or in bulk, declined never deleted, totals with star levels, the national export's columns."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.resources import rules, selectors, services
from shegong.resources.models import RecordStatus, ServiceRecord, StarLevel
from shegong.resources.tests.factories import DAY, make_activity, make_volunteer


def test_a_self_report_and_the_clerks_entry_count_the_hours_once(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    volunteer = make_volunteer(tree.community_a1, manager)
    activity = make_activity(tree.community_a1, manager)
    key = services.volunteer_link_issue(volunteer=volunteer, acting_user=manager)
    reported = services.hours_self_report(key=key, activity=activity, hours="3", content="陪护")
    assert reported.status == RecordStatus.PENDING
    with pytest.raises(ServiceError, match="无需重复申报"):
        services.hours_self_report(key=key, activity=activity, hours="3")
    entered = services.hours_enter(
        volunteer=volunteer, activity=activity, hours="2.5", acting_user=manager
    )
    assert entered.pk == reported.pk and entered.status == RecordStatus.CONFIRMED
    assert ServiceRecord.objects.count() == 1
    (total,) = selectors.volunteer_totals(viewer=manager, unit=tree.street_a, first=DAY, last=DAY)
    assert total.hours == Decimal("2.5")
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecord.objects.create(
            volunteer=volunteer, activity=activity, hours=1, source="self", status="pending"
        )


def test_reported_hours_are_confirmed_in_bulk_or_declined_and_kept(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    volunteer = make_volunteer(tree.community_a1, manager)
    key = services.volunteer_link_issue(volunteer=volunteer, acting_user=manager)
    records = [
        services.hours_self_report(
            key=key,
            activity=make_activity(
                tree.community_a1, manager, day=DAY + datetime.timedelta(days=n)
            ),
            hours="4",
        )
        for n in range(3)
    ]
    assert list(selectors.pending_hours(viewer=manager)) == records
    assert services.hours_confirm(records=records[:2], acting_user=manager) == 2
    services.hours_decline(records=records[2:], acting_user=manager)
    assert ServiceRecord.objects.filter(status=RecordStatus.DECLINED).count() == 1
    with pytest.raises(ServiceError, match="已处理"):
        services.hours_confirm(records=records[2:], acting_user=manager)
    (total,) = selectors.volunteer_totals(
        viewer=manager, unit=tree.street_a, first=DAY, last=DAY + datetime.timedelta(days=5)
    )
    assert total.hours == Decimal(8)


def test_an_old_or_unknown_link_reports_nothing(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    volunteer = make_volunteer(tree.community_a1, manager)
    activity = make_activity(tree.community_a1, manager)
    old = services.volunteer_link_issue(volunteer=volunteer, acting_user=manager)
    services.volunteer_link_issue(volunteer=volunteer, acting_user=manager)
    for key in (old, "guess"):
        with pytest.raises(ServiceError, match="链接无效"):
            services.hours_self_report(key=key, activity=activity, hours="1")
    other = make_activity(tree.community_b1, personas.street_b_manager)
    key = services.volunteer_link_issue(volunteer=volunteer, acting_user=manager)
    with pytest.raises(ServiceError, match="不能申报"):
        services.hours_self_report(key=key, activity=other, hours="1")


def test_star_levels_are_data_and_reached_by_confirmed_hours(db: None) -> None:
    levels = [(s.stars, s.name, s.min_hours) for s in StarLevel.objects.all()]
    assert [lvl[2] for lvl in levels] == [100, 300, 600, 1000, 1500]
    assert rules.star_level(Decimal("99.9"), levels) is None
    assert rules.star_level(Decimal(300), levels) == (2, "二星级")
    assert rules.star_level(Decimal(2000), levels) == (5, "五星级")


def test_the_national_export_has_full_id_numbers_in_its_columns(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    volunteer = make_volunteer(tree.community_a1, manager)
    activity = make_activity(tree.community_a1, manager)
    services.hours_enter(volunteer=volunteer, activity=activity, hours="2", acting_user=manager)
    (row,) = selectors.national_rows(viewer=manager, unit=tree.street_a, first=DAY, last=DAY)
    assert row[:3] == ["王秀英", "居民身份证", "11010519491231002X"]
    assert row[5:7] == [DAY.isoformat(), "2.0"]
    summary = selectors.resources_summary(viewer=manager, unit=tree.street_a, year=DAY.year)
    assert summary["volunteers"] == 1 and summary["volunteer_hours"] == "2.0"
