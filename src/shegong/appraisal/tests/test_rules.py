"""The appraisal rules, as tables of cases: scores, trimming, ranking, grades with the quota
(ties and empty units included) and the consequences other areas read."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shegong.appraisal import rules
from shegong.appraisal.rules import Entry

THRESHOLDS = (D(90), D(80), D(60))


@pytest.mark.parametrize(
    ("figure", "full", "points", "expected"),
    [
        (D(30), D(60), D(30), D("15.00")),  # half the target rate, half the points
        (D(60), D(60), D(30), D("30.00")),
        (D(95), D(60), D(30), D("30.00")),  # capped at full marks
        (D(0), D(60), D(30), D("0")),
        (D(20), D(60), D(10), D("3.33")),
    ],
)
def test_figure_points_are_proportional_and_capped(
    figure: D, full: D, points: D, expected: D
) -> None:
    assert rules.figure_points(figure, full, points) == expected


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([(D(30), D(30)), (D(40), D(40)), (D(30), D(30))], D("100.00")),
        ([(D(25), D(50)), (D(50), D(50))], D("75.00")),
        ([(D(10), D(30))], D("33.33")),  # scaled to 100 when the points do not add to 100
    ],
)
def test_sheet_total_is_scaled_to_100(pairs: list[tuple[D, D]], expected: D) -> None:
    assert rules.sheet_total(pairs) == expected


def test_sheet_total_refuses_points_above_the_indicator() -> None:
    with pytest.raises(ValueError):
        rules.sheet_total([(D(31), D(30))])


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"satisfied": 10}, D("100.00")),
        ({"satisfied": 1, "fairly": 1}, D("80.00")),
        ({"satisfied": 2, "unsatisfied": 1}, D("66.67")),
        ({"fairly": 3, "unsatisfied": 1}, D("45.00")),
        ({}, None),
    ],
)
def test_resident_score_is_the_mean_of_scale_points(counts: dict[str, int], expected: D) -> None:
    assert rules.resident_score(counts) == expected


@pytest.mark.parametrize(
    ("total", "high", "low", "count", "trim", "expected"),
    [
        (D(450), D(100), D(70), 5, True, D("93.33")),  # (450 − 100 − 70) / 3
        (D(450), D(100), D(70), 5, False, D("90.00")),
        (D(340), D(90), D(80), 4, True, D("85.00")),  # fewer than 5 sheets: nothing dropped
        (D(88), D(88), D(88), 1, True, D("88.00")),
        (D(0), D(0), D(0), 0, True, None),
    ],
)
def test_trimmed_mean_drops_one_highest_and_one_lowest_from_five_sheets(
    total: D, high: D, low: D, count: int, trim: bool, expected: D | None
) -> None:
    assert (
        rules.trimmed_mean(total=total, highest=high, lowest=low, count=count, trim=trim)
        == expected
    )


WEIGHTS = {"residents": D(60), "leaders": D(30), "peers": D(10)}


@pytest.mark.parametrize(
    ("parts", "expected", "missing"),
    [
        ({"residents": D(90), "leaders": D(80), "peers": D(70)}, D("85.00"), []),
        ({"residents": D(100), "leaders": D(100), "peers": D(100)}, D("100.00"), []),
        # No peer sheets: residents and leaders scaled up to 100% (60:30).
        ({"residents": D(90), "leaders": D(60), "peers": None}, D("80.00"), ["peers"]),
        ({"residents": None, "leaders": None, "peers": None}, D(0), list(WEIGHTS)),
        ({"residents": D("66.67"), "leaders": D("77.77"), "peers": D(80)}, D("71.33"), []),
    ],
)
def test_weighted_score_scales_missing_parts_out(
    parts: dict[str, D | None], expected: D, missing: list[str]
) -> None:
    assert rules.weighted_score(parts, WEIGHTS) == (expected, missing)


@pytest.mark.parametrize(
    ("votes", "residents", "valid"),
    [
        (50, 35, True),  # exactly 50 raters, exactly 70% residents
        (49, 49, False),  # too few raters
        (100, 69, False),  # too few ordinary residents
        (0, 0, False),
    ],
)
def test_survey_needs_fifty_raters_seventy_percent_residents(
    votes: int, residents: int, valid: bool
) -> None:
    assert (
        rules.survey_valid(
            votes=votes, residents=residents, min_raters=50, min_resident_share=D(70)
        )
        is valid
    )


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([D(90), D(80), D(70)], [1, 2, 3]),
        ([D(90), D(90), D(70)], [1, 1, 3]),  # shared rank, the next skips
        ([D(70), D(90), D(90), D(90)], [4, 1, 1, 1]),
        ([], []),
    ],
)
def test_ranks_share_equal_scores(scores: list[D], expected: list[int]) -> None:
    entries = [Entry(key=i, score=s) for i, s in enumerate(scores)]
    got = rules.ranks(entries)
    assert [got[i] for i in range(len(scores))] == expected


@pytest.mark.parametrize(
    ("n", "quota", "expected"),
    [(10, D(20), 2), (9, D(20), 1), (4, D(20), 0), (0, D(20), 0), (5, D(100), 5), (7, D(15), 1)],
)
def test_quota_rounds_down(n: int, quota: D, expected: int) -> None:
    assert rules.quota_count(n, quota) == expected


def _grades(entries: list[Entry], quota: D = D(20)) -> tuple[list[str], set[int]]:
    grading = rules.assign_grades(entries, thresholds=THRESHOLDS, quota_percent=quota)
    return [grading.grades[e.key] for e in entries], grading.capped


@pytest.mark.parametrize(
    ("scores", "quota", "expected", "capped"),
    [
        # Ten workers, three above 90, quota 20% = 2: the third best drops to 良好.
        (
            [D(95), D(93), D(91), D(85), D(82), D(79), D(70), D(65), D(59), D(40)],
            D(20),
            ["A", "A", "B", "B", "B", "C", "C", "C", "D", "D"],
            {2},
        ),
        # Fewer above the line than the quota: the quota does not promote anyone.
        ([D(91), D(89), D(60), D("59.99"), D(80)], D(40), ["A", "B", "C", "D", "B"], set()),
        # Four workers at 20%: no 优秀 at all, however high.
        ([D(99), D(98), D(97), D(96)], D(20), ["B", "B", "B", "B"], {0, 1, 2, 3}),
        # Empty unit.
        ([], D(20), [], set()),
    ],
)
def test_grades_apply_thresholds_and_the_top_quota(
    scores: list[D], quota: D, expected: list[str], capped: set[int]
) -> None:
    entries = [Entry(key=i, score=s) for i, s in enumerate(scores)]
    assert _grades(entries, quota) == (expected, capped)


def test_a_tie_at_the_quota_is_broken_by_the_residents_score() -> None:
    entries = [
        Entry(key=1, score=D(95), resident=D(90)),
        Entry(key=2, score=D(92), resident=D(80)),
        Entry(key=3, score=D(92), resident=D(85)),  # same score, residents liked them more
        *[Entry(key=10 + i, score=D(70)) for i in range(7)],
    ]
    grades, capped = _grades(entries)
    assert grades[:3] == ["A", "B", "A"]
    assert capped == {2}


def test_a_tie_on_everything_at_the_quota_drops_the_whole_group() -> None:
    entries = [
        Entry(key=1, score=D(95), resident=D(90), leader=D(90)),
        Entry(key=2, score=D(92), resident=D(80), leader=D(85)),
        Entry(key=3, score=D(92), resident=D(80), leader=D(85)),
        *[Entry(key=10 + i, score=D(70)) for i in range(7)],
    ]
    grades, capped = _grades(entries)
    # Quota 2, but the second place is shared by two: neither gets 优秀, the quota holds.
    assert grades[:3] == ["A", "B", "B"]
    assert capped == {2, 3}


@pytest.mark.parametrize(
    ("grade", "previous", "standing"),
    [
        ("A", None, "renew"),
        ("B", "D", "renew"),
        ("C", "C", "renew"),
        ("D", None, "warn"),  # first 不合格: warned
        ("D", "C", "warn"),
        ("D", "D", "exit"),  # twice running: exit list
    ],
)
def test_standing_of_each_grade(grade: str, previous: str | None, standing: str) -> None:
    assert rules.standing_of(grade, previous) == standing


@pytest.mark.parametrize(
    ("scores", "n", "expected"),
    [
        ([D(99), D(98), D(97), D(80)], 2, {0, 1}),
        ([D(99), D(98), D(98), D(80)], 2, {0}),  # tie at the boundary not split
        ([D(99), D(80)], 10, {0}),  # fewer 优秀 than places: only the 优秀
        ([], 10, set()),
    ],
)
def test_ten_best_come_from_the_top_grade_only(scores: list[D], n: int, expected: set[int]) -> None:
    entries = [Entry(key=i, score=s) for i, s in enumerate(scores)]
    grades = {e.key: rules.grade_of(e.score, THRESHOLDS) for e in entries}
    assert rules.ten_best(entries, grades, n) == expected


@pytest.mark.parametrize(
    ("spent", "issued", "expected"),
    [(0, 0, D("0.0")), (1, 3, D("33.3")), (2, 3, D("66.7")), (50, 50, D("100.0"))],
)
def test_turnout_percent(spent: int, issued: int, expected: D) -> None:
    assert rules.turnout_percent(spent, issued) == expected


def test_the_residents_vote_is_weighted_as_the_mean_satisfaction_at_its_weight() -> None:
    # 2 满意 (100), 1 基本满意 (60), 1 不满意 (0): 65 points, weighed 60% beside 30% and 10%.
    weighed = rules.weigh_residents_vote(
        ratings={"satisfied": 2, "fairly": 1, "unsatisfied": 1},
        other_parts={"leaders": D(80), "peers": D(90)},
        weights=WEIGHTS,
    )
    assert weighed.parts["residents"] == D("65.00")
    assert weighed.score == D("72.00")  # 65 × 0.6 + 80 × 0.3 + 90 × 0.1
    assert weighed.missing == []


def test_a_vote_nobody_cast_leaves_the_residents_part_out_and_scales_the_rest() -> None:
    weighed = rules.weigh_residents_vote(
        ratings={}, other_parts={"leaders": D(80), "peers": D(90)}, weights=WEIGHTS
    )
    assert weighed.parts["residents"] is None
    assert weighed.score == D("82.50")  # (80 × 30 + 90 × 10) / 40
    assert weighed.missing == ["residents"]


def test_grades_from_scores_cap_the_top_grade_and_carry_the_consequences() -> None:
    entries = [Entry(key=1, score=D(95)), Entry(key=2, score=D(92)), Entry(key=3, score=D(50))]
    outcomes = rules.grades_from_scores(
        entries,
        thresholds=THRESHOLDS,
        quota_percent=D(40),  # floor(3 × 40%) = 1 优秀
        ten_best_count=10,
        previous_grades={3: "D"},
    )
    assert [(o.rank, o.grade, o.capped, o.ten_best) for o in outcomes.values()] == [
        (1, "A", False, True),
        (2, "B", True, False),
        (3, "D", False, False),
    ]
    assert outcomes[3].standing == "exit"  # 不合格 twice running
