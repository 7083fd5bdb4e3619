"""Largest-remainder shares: one breakdown adds up to exactly 100.0, as reports print it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shegong.core.shares import largest_remainder_shares

D = Decimal


@pytest.mark.parametrize(
    ("counts", "shares"),
    [
        ([170, 481], ["26.1", "73.9"]),
        ([116, 134, 293, 102, 6], ["17.8", "20.6", "45.0", "15.7", "0.9"]),
        ([210, 350, 91], ["32.2", "53.8", "14.0"]),
        ([273, 217, 78, 83], ["41.9", "33.3", "12.0", "12.8"]),
        ([1, 1, 1], ["33.4", "33.3", "33.3"]),  # ties go to the earlier row
        ([1, 2], ["33.3", "66.7"]),
        ([0, 0], ["0.0", "0.0"]),
        ([5], ["100.0"]),
        ([0, 7, 0], ["0.0", "100.0", "0.0"]),
        ([], []),
    ],
)
def test_largest_remainder(counts: list[int], shares: list[str]) -> None:
    result = largest_remainder_shares(counts)
    assert [str(s) for s in result] == shares
    if sum(counts):
        assert sum(result) == D("100.0")


def test_largest_remainder_always_adds_up() -> None:
    for total in range(1, 60):
        for first in range(total + 1):
            counts = [first, (total - first) // 2, total - first - (total - first) // 2]
            assert sum(largest_remainder_shares(counts)) == D("100.0")


def test_largest_remainder_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        largest_remainder_shares([1, -1])
