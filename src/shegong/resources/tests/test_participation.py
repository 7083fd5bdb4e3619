"""Sign-up and attendance, and participation by age at the event from the records."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.resources import rules, selectors, services
from shegong.resources.models import Participation
from shegong.resources.tests.factories import DAY, make_activity, make_resident


def test_participation_by_age_counts_who_came_with_their_age_on_the_day(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    activity = make_activity(tree.community_a1, manager, kind="culture", title="重阳节联欢")
    births = [1950, 1958, 1962, 1970, 1990, 2000]  # ages 76, 68, 64, 56, 36, 26 in 2026
    for n, year in enumerate(births):
        resident = make_resident(
            tree.community_a1, manager, name=f"居民{n}", birth_date=datetime.date(year, 1, 1)
        )
        services.participant_sign_up(activity=activity, resident=resident, acting_user=manager)
    signed = list(Participation.objects.filter(activity=activity).order_by("id"))
    # The 1962 resident signed up and stayed home.
    services.attendance_mark(
        activity=activity, present={p.pk for p in signed if p != signed[2]}, acting_user=manager
    )
    result = selectors.participation_by_age(viewer=manager, unit=tree.street_a, year=DAY.year)
    assert result is not None
    assert result["total"] == 5 and result["young_middle"] == 3
    assert result["young_middle_share"] == "60.0"
    bands = {b["band"]: b["count"] for b in result["bands"]}
    assert bands == {"18岁以下": 0, "18-44岁": 2, "45-59岁": 1, "60-69岁": 1, "70岁及以上": 1}
    assert sum(float(b["share"]) for b in result["bands"]) == pytest.approx(100.0)
    summary = selectors.resources_summary(viewer=manager, unit=tree.street_a, year=DAY.year)
    assert summary["participants"] == 5 and summary["activities"] == 1


def test_a_small_group_is_withheld_from_roles_without_the_right(
    tree: Tree, personas: Personas
) -> None:
    clerk = personas.community_a1_clerk
    activity = make_activity(tree.community_a1, clerk)
    resident = make_resident(tree.community_a1, clerk)
    signed = services.participant_sign_up(activity=activity, resident=resident, acting_user=clerk)
    services.attendance_mark(activity=activity, present={signed.pk}, acting_user=clerk)
    unit = tree.community_a1
    assert selectors.participation_by_age(viewer=clerk, unit=unit, year=DAY.year) is None
    manager = personas.street_a_manager
    assert selectors.participation_by_age(viewer=manager, unit=unit, year=DAY.year) is not None
    with pytest.raises(ServiceError, match="已报名"):
        services.participant_sign_up(activity=activity, resident=resident, acting_user=clerk)


def test_sign_up_and_attendance_on_the_page(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    activity = make_activity(tree.community_a1, manager)
    resident = make_resident(tree.community_a1, manager)
    client = client_for(manager)
    client.post(
        reverse("resources:activity-sign-up", kwargs={"pk": activity.pk}),
        {"resident": resident.pk},
    )
    (signed,) = Participation.objects.all()
    client.post(
        reverse("resources:activity-attendance", kwargs={"pk": activity.pk}),
        {"present": [signed.pk]},
    )
    signed.refresh_from_db()
    activity.refresh_from_db()
    assert signed.attended and activity.held
    page = client.get(reverse("resources:activity", kwargs={"pk": activity.pk})).content.decode()
    assert "王秀英" in page and ">67<" in page  # born 1958-06-01, on 2026-03-05


def test_age_bands_cover_every_age() -> None:
    assert [rules.age_band(a) for a in (0, 17, 18, 44, 45, 59, 60, 69, 70, 120)] == [
        "18岁以下",
        "18岁以下",
        "18-44岁",
        "18-44岁",
        "45-59岁",
        "45-59岁",
        "60-69岁",
        "60-69岁",
        "70岁及以上",
        "70岁及以上",
    ]
