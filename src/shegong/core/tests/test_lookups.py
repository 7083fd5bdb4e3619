"""The `__one_of` lookup: a vocabulary CHECK that holds on both databases, and a filter."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from shegong.people.models import Worker
from shegong.people.tests.factories import register


@pytest.fixture
def worker(tree: Any, personas: Any) -> Worker:
    return register(tree.community_a1, personas.district_admin, ethnicity="回族")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ethnicity", "火星族"),
        ("gender", "unknown"),
        ("status", "retired"),
        ("source", "o|t"),
        ("source", "hired|seconded"),
    ],
)
def test_the_database_refuses_a_word_outside_the_vocabulary(
    worker: Worker, field: str, value: str
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Worker.objects.filter(pk=worker.pk).update(**{field: value})


def test_the_database_takes_every_word_of_the_vocabulary_and_a_blank_ethnicity(
    worker: Worker,
) -> None:
    for ethnicity in ("汉族", "基诺族", ""):
        Worker.objects.filter(pk=worker.pk).update(ethnicity=ethnicity)
        assert Worker.objects.get(pk=worker.pk).ethnicity == ethnicity


def test_it_filters_like_in(worker: Worker, tree: Any, personas: Any) -> None:
    register(tree.community_a2, personas.district_admin, ethnicity="汉族")
    matched = Worker.objects.filter(ethnicity__one_of=["回族", "苗族"])
    assert list(matched.values_list("ethnicity", flat=True)) == ["回族"]
    assert Worker.objects.filter(ethnicity__one_of=["回族", "汉族"]).count() == 2
