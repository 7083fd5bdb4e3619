"""Pure rules of structure analysis: shares, bands, comparison phrasing, the narrative.

No ORM, no request. Shares are Decimal percentages with one decimal; the shares of one
breakdown add up to exactly 100.0 (largest-remainder rounding), as official reports print them.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

# The shares' rule is core's (one copy for every room), named here for those that use ours.
from shegong.core.shares import largest_remainder_shares as largest_remainder_shares
from shegong.core.shares import share as share

DEFAULT_AGE_BOUNDS: tuple[int, ...] = (30, 35, 45, 54)
DEFAULT_TENURE_BOUNDS: tuple[int, ...] = (4, 10)
# Community workers per 10,000 residents (national policy of 2024; some cities set 25).
DEFAULT_STANDARD_PER_10K = Decimal(18)
DEFAULT_CERTIFIED_TARGET = Decimal(50)  # % of workers holding a social-work qualification
DEFAULT_COLLEGE_TARGET = Decimal(60)  # % of workers with 大专 or above

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")


# ---------------------------------------------------------------- shares


def average(total: int, count: int) -> Decimal | None:
    """`total / count` to one decimal, half up; None for no one."""
    if count <= 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- bands


@dataclass(frozen=True)
class Band:
    """One band of ages or tenures in full years: `low <= years <= high` (None: open)."""

    label: str
    low: int | None
    high: int | None

    def contains(self, years: int) -> bool:
        return (self.low is None or years >= self.low) and (self.high is None or years <= self.high)


def parse_bounds(raw: str | Sequence[int] | None, default: tuple[int, ...]) -> tuple[int, ...]:
    """ "30,35,45,54" → (30, 35, 45, 54): positive whole numbers, strictly increasing."""
    if raw is None or raw == "":
        return default
    if isinstance(raw, str):
        parts = [p.strip() for p in raw.replace(",", ",").split(",") if p.strip()]
        try:
            bounds = tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(_("分段须为以逗号分隔的整数,如 30,35,45,54")) from None
    else:
        bounds = tuple(int(b) for b in raw)
    if not bounds:
        return default
    if any(b <= 0 or b > 150 for b in bounds):
        raise ValueError(_("分段界限须在1到150之间"))
    if any(a >= b for a, b in itertools.pairwise(bounds)):
        raise ValueError(_("分段界限须从小到大排列且不重复"))
    return bounds


def age_bands(bounds: Sequence[int] = DEFAULT_AGE_BOUNDS) -> list[Band]:
    """Upper bounds (30, 35, 45, 54) → 30岁及以下 / 31至35岁 / 36至45岁 / 46至54岁 / 55岁及以上."""
    bands = [Band(_("%(n)d岁及以下") % {"n": bounds[0]}, None, bounds[0])]
    for low, high in itertools.pairwise(bounds):
        bands.append(Band(_("%(a)d至%(b)d岁") % {"a": low + 1, "b": high}, low + 1, high))
    bands.append(Band(_("%(n)d岁及以上") % {"n": bounds[-1] + 1}, bounds[-1] + 1, None))
    return bands


def tenure_bands(bounds: Sequence[int] = DEFAULT_TENURE_BOUNDS) -> list[Band]:
    """Bounds (4, 10) → 4年以下 (under 4 full years) / 4至10年 / 10年以上 (10 and more)."""
    bands = [Band(_("%(n)d年以下") % {"n": bounds[0]}, None, bounds[0] - 1)]
    for low, high in itertools.pairwise(bounds):
        bands.append(Band(_("%(a)d至%(b)d年") % {"a": low, "b": high}, low, high - 1))
    bands.append(Band(_("%(n)d年以上") % {"n": bounds[-1]}, bounds[-1], None))
    return bands


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def full_years(start: datetime.date, day: datetime.date) -> int:
    """Completed years from `start` to `day` (an age or a tenure)."""
    years = day.year - start.year
    if (start.month, start.day) > (day.month, day.day):
        years -= 1
    return years


def band_cutoffs(bands: Sequence[Band], as_of: datetime.date) -> list[datetime.date]:
    """For each band but the last, the earliest start date (birth or entry) still inside it.

    Someone is in band i when their date is on or after cutoff i and before cutoff i-1:
    `full_years(d, as_of) <= high` ⟺ `d > years_before(as_of, high + 1)`. The dates fall, so
    a chain of "date > cutoff" tests taken in order puts each person in one band.
    """
    cutoffs: list[datetime.date] = []
    for band in bands[:-1]:
        assert band.high is not None
        cutoffs.append(years_before(as_of, band.high + 1))
    return cutoffs


def band_index(start: datetime.date, bands: Sequence[Band], as_of: datetime.date) -> int:
    """The band of one date, by the same cutoffs the database query uses (for tests)."""
    for i, cutoff in enumerate(band_cutoffs(bands, as_of)):
        if start > cutoff:
            return i
    return len(bands) - 1


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    share: Decimal


@dataclass(frozen=True)
class Breakdown:
    """A table of one dimension. `partition`: each worker is in exactly one row and the shares
    add up to 100.0; otherwise (posts, representative roles) a worker may be in several rows or
    none, and each share is of all workers."""

    key: str
    title: str
    rows: list[Row]
    partition: bool = True

    def count_of(self, label: str) -> int:
        return next((r.count for r in self.rows if r.label == label), 0)

    def share_of(self, label: str) -> Decimal:
        return next((r.share for r in self.rows if r.label == label), Decimal("0.0"))


def partition(key: str, title: str, labelled_counts: Sequence[tuple[str, int]]) -> Breakdown:
    shares = largest_remainder_shares([c for _label, c in labelled_counts])
    rows = [Row(label, c, s) for (label, c), s in zip(labelled_counts, shares, strict=True)]
    return Breakdown(key, title, rows, partition=True)


def memberships(
    key: str, title: str, labelled_counts: Sequence[tuple[str, int]], total: int
) -> Breakdown:
    rows = [Row(label, c, share(c, total)) for label, c in labelled_counts]
    return Breakdown(key, title, rows, partition=False)


@dataclass
class Figures:
    """Everything the narrative and the files are written from, for one unit and one day."""

    unit_code: str
    unit_name: str
    unit_kind: int
    as_of: datetime.date
    total: int
    average_age: Decimal | None
    breakdowns: dict[str, Breakdown]
    # Secretaries and directors (主职) as of the day, and how many of them hold 大专 or above.
    leaders: int = 0
    leaders_college: int = 0
    dual_role: int = 0
    # Share of workers holding a social-work qualification (助理/社会工作师/高级).
    certified: int = 0
    college: int = 0
    tenure_bounds: tuple[int, ...] = DEFAULT_TENURE_BOUNDS
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def leaders_college_share(self) -> Decimal:
        return share(self.leaders_college, self.leaders)

    @property
    def certified_share(self) -> Decimal:
        return share(self.certified, self.total)

    @property
    def college_share(self) -> Decimal:
        return share(self.college, self.total)


# ---------------------------------------------------------------- phrasing

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (1 to 99)."""
    if not 1 <= n <= 99:
        raise ValueError("only 1 to 99")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def ordinal_points(points: Sequence[str]) -> str:
    """["从性别结构来看,……", …] → "一是从性别结构来看,……。二是……。"."""
    out = []
    for i, point in enumerate(points, start=1):
        text = point
        while text and text[-1] in "。;;":
            text = text[:-1]
        out.append(_("%(n)s是%(text)s。") % {"n": chinese_number(i), "text": text})
    return "".join(out)


def plain(number: Decimal) -> str:
    """Decimal(14.0) → "14", Decimal(13.7) → "13.7", as reports write differences."""
    text = format(number.quantize(ONE_PLACE, rounding=ROUND_HALF_UP), "f")
    return text[:-2] if text.endswith(".0") else text


def compare_basis(as_of: datetime.date, before: datetime.date) -> str:
    """同比 when the dates are a year apart, else 较YYYY年M月D日."""
    if years_before(as_of, 1) == before:
        return _("同比")
    return _("较%(y)d年%(m)d月%(d)d日") % {"y": before.year, "m": before.month, "d": before.day}


def age_change_phrase(now: Decimal, before: Decimal, *, basis: str) -> str:
    """ "平均年龄47.6岁,同比下降约2岁"."""
    diff = now - before
    head = _("平均年龄%(age)s岁") % {"age": plain(now)}
    if abs(diff) < Decimal("0.05"):
        return _("%(head)s,%(basis)s持平") % {"head": head, "basis": basis}
    direction = _("上升") if diff > 0 else _("下降")
    size = abs(diff)
    if size >= 1:
        amount = _("约%(n)s岁") % {
            "n": plain(size.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        }
    else:
        amount = _("%(n)s岁") % {"n": plain(size)}
    return f"{head},{basis}{direction}{amount}"


def share_change_phrase(subject: str, now: Decimal, before: Decimal, *, basis: str) -> str:
    """ "大专以上文化程度占40.2%,同比上升14个百分点"."""
    head = _("%(subject)s占%(share)s%%") % {"subject": subject, "share": plain(now)}
    diff = now - before
    if diff == 0:
        return _("%(head)s,%(basis)s持平") % {"head": head, "basis": basis}
    direction = _("上升") if diff > 0 else _("下降")
    return _("%(head)s,%(basis)s%(direction)s%(points)s个百分点") % {
        "head": head,
        "basis": basis,
        "direction": direction,
        "points": plain(abs(diff)),
    }


def count_change_phrase(subject: str, now: int, before: int, *, basis: str) -> str:
    """ "社区工作者651人,同比增加12人"."""
    head = _("%(subject)s%(n)d人") % {"subject": subject, "n": now}
    if now == before:
        return _("%(head)s,%(basis)s持平") % {"head": head, "basis": basis}
    direction = _("增加") if now > before else _("减少")
    return f"{head},{basis}{direction}{abs(now - before)}" + _("人")


def scope_word(unit_kind: int) -> str:
    """How a report names the whole of its unit: 全市 / 全区 / 全街道 / 全社区."""
    return {1: _("全市"), 2: _("全区"), 3: _("全街道"), 4: _("全社区")}.get(unit_kind, _("全区"))


def _listing(
    rows: Sequence[Row], template: str, *, first_template: str | None = None, sep: str = ";"
) -> str:
    """Rows with a count as "A的116名,占17.8%;B的…" (zero rows left out)."""
    parts: list[str] = []
    for row in rows:
        if row.count == 0:
            continue
        text = (first_template if first_template and not parts else template) % {
            "label": row.label,
            "count": row.count,
            "share": plain(row.share),
        }
        parts.append(text)
    return sep.join(parts)


def narrative_points(f: Figures) -> list[str]:
    """The 一是……二是…… points of 基本情况, in essay 5's order and wording."""
    b = f.breakdowns
    points: list[str] = []
    if "gender" in b:
        points.append(
            _("从性别结构来看,%(rows)s")
            % {
                "rows": _listing(
                    b["gender"].rows, _("%(label)s性%(count)d名,占%(share)s%%"), sep=","
                )
            }
        )
    if "age" in b:
        points.append(
            _("从年龄结构来看,%(rows)s")
            % {
                "rows": _listing(
                    b["age"].rows,
                    _("%(label)s的%(count)d名,占%(share)s%%"),
                    first_template=_("%(label)s的%(count)d名,占社区工作者总数的%(share)s%%"),
                )
            }
        )
    if "education" in b:
        points.append(
            _("从文化层次来看,%(rows)s")
            % {"rows": _listing(b["education"].rows, _("%(label)s学历的%(count)d人,占%(share)s%%"))}
        )
    if "source" in b:
        points.append(
            _("从来源方式来看,%(rows)s")
            % {"rows": _listing(b["source"].rows, _("%(label)s的%(count)d名,占%(share)s%%"))}
        )
    if "tenure" in b and f.total:
        rows = b["tenure"].rows
        bounds = f.tenure_bounds
        # Bands after the first are "bounds[0] years and more"; the last is "bounds[-1] and more".
        at_least_first = sum(r.count for r in rows[1 : len(bounds) + 1])
        at_least_last = rows[len(bounds)].count if len(rows) > len(bounds) else 0
        text = _("从工作年限来看,有%(a)d年以上社区工作经历的占%(sa)s%%") % {
            "a": bounds[0],
            "sa": plain(share(at_least_first, f.total)),
        }
        if len(bounds) > 1:
            text += _(",其中%(b)d年以上的占%(sb)s%%") % {
                "b": bounds[-1],
                "sb": plain(share(at_least_last, f.total)),
            }
        points.append(text)
    if "certificate" in b and f.total:
        points.append(
            _("从职业资格来看,持有社会工作职业资格证书的%(n)d人,占%(s)s%%")
            % {"n": f.certified, "s": plain(f.certified_share)}
        )
    if f.leaders:
        points.append(
            _(
                "从主职干部来看,党组织书记、居委会主任%(n)d人,其中“一肩挑”%(d)d人,大专及以上学历的占%(s)s%%"
            )
            % {"n": f.leaders, "d": f.dual_role, "s": plain(f.leaders_college_share)}
        )
    return points


def narrative(f: Figures, *, changes: Sequence[str] = ()) -> str:
    """基本情况 in essay 5's style: the whole, then 一是……二是……, then the changes."""
    if f.total == 0:
        return _("截至%(date)s,%(scope)s暂无在岗社区工作者。") % {
            "date": _date(f.as_of),
            "scope": f.unit_name,
        }
    head = _("截至%(date)s,%(scope)s共有社区工作者%(n)d人") % {
        "date": _date(f.as_of),
        "scope": scope_word(f.unit_kind) if f.unit_kind < 4 else f.unit_name,
        "n": f.total,
    }
    if f.average_age is not None:
        head += _(",平均年龄%(age)s岁") % {"age": plain(f.average_age)}
    text = head + "。" + ordinal_points(narrative_points(f))
    if changes:
        text += _("与上期相比,") + ";".join(c.rstrip("。") for c in changes) + "。"
    return text


def _date(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def comparison_phrases(now: Figures, before: Figures) -> list[str]:
    """The changes between two dates, one phrase each, in report style."""
    basis = compare_basis(now.as_of, before.as_of)
    phrases = [count_change_phrase(_("社区工作者"), now.total, before.total, basis=basis)]
    if now.average_age is not None and before.average_age is not None:
        phrases.append(age_change_phrase(now.average_age, before.average_age, basis=basis))
    phrases.append(
        share_change_phrase(
            _("大专以上文化程度"), now.college_share, before.college_share, basis=basis
        )
    )
    phrases.append(
        share_change_phrase(
            _("持证社会工作者"), now.certified_share, before.certified_share, basis=basis
        )
    )
    return phrases


@dataclass(frozen=True)
class Delta:
    label: str
    count: int
    share: Decimal
    count_before: int
    share_before: Decimal

    @property
    def count_change(self) -> int:
        return self.count - self.count_before

    @property
    def points(self) -> Decimal:
        return self.share - self.share_before


def breakdown_deltas(now: Breakdown, before: Breakdown) -> list[Delta]:
    """Row by row, by label (a label only on one side counts as zero on the other)."""
    labels = [r.label for r in now.rows] + [
        r.label for r in before.rows if r.label not in {x.label for x in now.rows}
    ]
    return [
        Delta(
            label,
            now.count_of(label),
            now.share_of(label),
            before.count_of(label),
            before.share_of(label),
        )
        for label in labels
    ]


# ---------------------------------------------------------------- standards


def per_10k(workers: int, residents: int) -> Decimal | None:
    """Workers per 10,000 residents to one decimal; None without residents."""
    if residents <= 0:
        return None
    return (Decimal(workers) * 10000 / Decimal(residents)).quantize(
        ONE_PLACE, rounding=ROUND_HALF_UP
    )


# How many communities the standards table marks as needing attention: those furthest from
# the standard (most workers short), since marking every community below it says nothing.
ATTENTION_COUNT = 5


def needing_attention(shortfalls: Sequence[tuple[int, Decimal | None]], count: int) -> set[int]:
    """The positions of the `count` units most workers short of the standard (at least one
    short); ties go to the lower workers per 10,000 residents, then to the earlier unit.
    `shortfalls`: (workers short, workers per 10,000 or None) per unit, in table order."""
    short = [
        (-needed, per if per is not None else Decimal(0), i)
        for i, (needed, per) in enumerate(shortfalls)
        if needed > 0
    ]
    return {i for _n, _p, i in sorted(short)[:count]}


def needed_for_standard(residents: int, standard: Decimal) -> int:
    """Workers a unit needs to reach `standard` per 10,000 residents (rounded up)."""
    exact = Decimal(residents) * standard / 10000
    return int(exact.to_integral_value(rounding="ROUND_CEILING"))
