from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from shegong.conftest import Personas, Tree
from shegong.people import selectors, services
from shegong.people.models import PostType
from shegong.people.selectors import WorkerFilters
from shegong.people.tests.factories import make_id, register

pytestmark = pytest.mark.django_db


def _names(viewer: object, **filters: object) -> list[str]:
    found = selectors.worker_list(viewer=viewer, filters=WorkerFilters(**filters))  # type: ignore[arg-type]
    return sorted(w.name for w in found)


def test_a_moved_worker_leaves_street_as_list_even_as_of_earlier_dates(
    tree: Tree, personas: Personas
) -> None:
    """Their row would show their current data, no longer street A's to see (issue 11)."""
    worker = register(tree.community_a1, personas.district_admin, name="张三")
    services.worker_move(
        worker=worker,
        community=tree.community_b1,
        date=datetime.date(2024, 6, 1),
        acting_user=personas.district_admin,
    )
    a, b = personas.street_a_manager, personas.street_b_manager
    assert _names(a) == [] and _names(b) == ["张三"]
    assert _names(a, as_of=datetime.date(2024, 5, 31)) == []
    assert _names(b, as_of=datetime.date(2024, 5, 31)) == []
    assert _names(b, as_of=datetime.date(2024, 6, 1)) == ["张三"]
    assert _names(a, as_of=datetime.date(2024, 6, 1)) == []
    with pytest.raises(Http404):
        selectors.worker_get(viewer=a, pk=worker.pk)
    assert selectors.worker_get(viewer=b, pk=worker.pk) == worker


def test_the_search_matches_name_initials_or_id_tail(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    register(tree.community_a1, user, name="张三", id_number="11010519491231002X")
    register(tree.community_a1, user, name="李四")
    assert _names(user, q="张") == ["张三"]
    assert _names(user, q="ZS") == ["张三"]
    assert _names(user, q="002x") == ["张三"]
    assert _names(user, q="1231002X") == ["张三"]
    assert _names(user, q="ls") == ["李四"]
    assert _names(user, q="s") == []


def test_the_age_range_counts_full_years_on_the_day(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    day = datetime.date(2026, 6, 1)
    register(tree.community_a1, user, name="三十", id_number=make_id(datetime.date(1996, 6, 1)))
    register(tree.community_a1, user, name="廿九", id_number=make_id(datetime.date(1996, 6, 2)))
    filters = {"as_of": day}
    assert _names(user, age_min=30, **filters) == ["三十"]
    assert _names(user, age_max=29, **filters) == ["廿九"]
    assert _names(user, age_min=29, age_max=30, **filters) == ["三十", "廿九"]


def test_the_list_filters_by_post_certificate_and_status(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    first = register(tree.community_a1, user, name="甲")
    second = register(tree.community_a2, user, name="乙")
    services.post_assign(
        worker=first,
        post=PostType.objects.get(code="director"),
        start=datetime.date(2021, 1, 1),
        acting_user=user,
    )
    services.certificate_add(
        worker=second,
        kind="social_worker",
        number="",
        issued_on=datetime.date(2023, 1, 1),
        acting_user=user,
    )
    services.worker_exit(
        worker=second, date=datetime.date(2025, 1, 1), reason="resign", acting_user=user
    )
    assert _names(user, post="director") == ["甲"]
    assert _names(user, certificate="any") == ["乙"]
    assert _names(user, certificate="none") == ["甲"]
    assert _names(user, certificate="social_worker") == ["乙"]
    assert _names(user, status="active") == ["甲"]
    assert _names(user, unit=tree.community_a2.code) == ["乙"]
    assert _names(user, unit=tree.community_b1.code) == []


def test_personal_data_is_masked_unless_the_viewer_may_see_it(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.street_a_manager, phone="13812345678")
    clerk = selectors.personal_data_for(viewer=personas.community_a1_clerk, worker=worker)
    manager = selectors.personal_data_for(viewer=personas.street_a_manager, worker=worker)
    assert not clerk.unmasked and clerk.phone == "138****5678"
    assert manager.unmasked and manager.phone == "13812345678"
    asked_masked = selectors.personal_data_for(
        viewer=personas.street_a_manager, worker=worker, unmask=False
    )
    assert not asked_masked.unmasked


def test_filters_from_query_parameters_ignore_malformed_values() -> None:
    filters = WorkerFilters.from_mapping(
        {"age_min": "abc", "as_of": "2026-13-01", "sort": "drop table", "q": " 张 "}
    )
    assert (filters.age_min, filters.as_of, filters.sort, filters.q) == (
        None,
        None,
        "community",
        "张",
    )
