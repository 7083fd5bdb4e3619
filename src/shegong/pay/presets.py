"""Grade scheme presets a bureau copies and edits: 三级九档 and 三岗十八级.

Amounts are examples (元/月) to be edited after copying; the structure is the point.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TrackPreset:
    code: str
    name: str
    post_codes: str
    post_pay: Decimal
    entry: tuple[int, int]
    cells: dict[tuple[int, int], Decimal]  # (level, step) → amount or coefficient


@dataclass(frozen=True)
class SchemePreset:
    key: str
    name: str
    kind: str
    step_years: int
    steps_cross_levels: bool
    base_amount: Decimal
    uses_coefficients: bool
    tracks: tuple[TrackPreset, ...]


DEGREE_CREDITS = {"bachelor": 3, "postgraduate": 5}

# 三级九档: 初级 / 中级 / 高级, three steps each, one track for every post; amounts.
THREE_LEVELS_NINE_STEPS = SchemePreset(
    key="3x3",
    name="三级九档",
    kind="level_step",
    step_years=3,
    steps_cross_levels=False,
    base_amount=Decimal("0"),
    uses_coefficients=False,
    tracks=(
        TrackPreset(
            code="all",
            name="社区工作者",
            post_codes="",
            post_pay=Decimal("1500.00"),
            entry=(1, 1),
            cells={
                (level, step): Decimal(1600 + 400 * (level - 1) + 120 * (step - 1))
                for level in (1, 2, 3)
                for step in (1, 2, 3)
            },
        ),
    ),
)

# 三岗十八级: chief posts levels 7–18, deputy 4–15, staff 1–12; one level every three years;
# coefficients on a base amount (level 1 = 1.00, +0.06 a level).
THREE_POSTS_EIGHTEEN_LEVELS = SchemePreset(
    key="3x18",
    name="三岗十八级",
    kind="post_level",
    step_years=3,
    steps_cross_levels=True,
    base_amount=Decimal("2000.00"),
    uses_coefficients=True,
    tracks=(
        TrackPreset(
            code="chief",
            name="正职",
            post_codes="secretary,director",
            post_pay=Decimal("1200.00"),
            entry=(7, 1),
            cells={
                (level, 1): Decimal("1") + Decimal("0.06") * (level - 1) for level in range(7, 19)
            },
        ),
        TrackPreset(
            code="deputy",
            name="副职",
            post_codes="deputy_secretary,deputy_director,member",
            post_pay=Decimal("900.00"),
            entry=(4, 1),
            cells={
                (level, 1): Decimal("1") + Decimal("0.06") * (level - 1) for level in range(4, 16)
            },
        ),
        TrackPreset(
            code="staff",
            name="专职工作者",
            post_codes="",
            post_pay=Decimal("700.00"),
            entry=(1, 1),
            cells={
                (level, 1): Decimal("1") + Decimal("0.06") * (level - 1) for level in range(1, 13)
            },
        ),
    ),
)

PRESETS = {p.key: p for p in (THREE_LEVELS_NINE_STEPS, THREE_POSTS_EIGHTEEN_LEVELS)}
