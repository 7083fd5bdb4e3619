"""Where initial placement (初次定级) would put workers, and the years that do not count
toward a step: reads that the grade services and the scheme-change finding share."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shegong.pay import rules
from shegong.pay.models import GradeCell, GradeScheme, GradeTrack
from shegong.people.models import PostHolding, Worker, YearGrade, YearlyGrade


def failed_years(worker_ids: Any, since_year: int | None = None) -> dict[int, list[int]]:
    """The years each worker was rated 不合格 (they do not count toward a step)."""
    rows = YearlyGrade.objects.filter(worker_id__in=worker_ids, grade=YearGrade.FAIL)
    if since_year is not None:
        rows = rows.filter(year__gte=since_year)
    failed: dict[int, list[int]] = defaultdict(list)
    for worker_id, year in rows.values_list("worker_id", "year"):
        failed[worker_id].append(year)
    return failed


def cells_of(track_ids: Any) -> dict[int, list[rules.Position]]:
    """The (level, step) cells of each track."""
    cells: dict[int, list[rules.Position]] = defaultdict(list)
    for track_id, level, step in GradeCell.objects.filter(track_id__in=track_ids).values_list(
        "track_id", "level", "step"
    ):
        cells[track_id].append((level, step))
    return cells


def _track_for(tracks: list[GradeTrack], post_codes: set[str]) -> GradeTrack | None:
    for track in tracks:
        if post_codes & set(track.posts):
            return track
    return next((t for t in tracks if not t.posts), None)


@dataclass
class Placed:
    """Where placement puts one worker."""

    worker_id: int
    name: str
    unit_path: str
    scheme: GradeScheme
    track: GradeTrack
    level: int
    step: int
    years: int


def _posts_on(ids: Any, day: datetime.date) -> dict[int, set[str]]:
    posts: dict[int, set[str]] = defaultdict(set)
    for worker_id, code in (
        PostHolding.objects.filter(worker_id__in=ids, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .values_list("worker_id", "post__code")
    ):
        posts[worker_id].add(code)
    return posts


def _tracks_of(scheme_ids: set[int]) -> dict[int, list[GradeTrack]]:
    tracks: dict[int, list[GradeTrack]] = defaultdict(list)
    for track in GradeTrack.objects.filter(scheme_id__in=scheme_ids).order_by("sort_order"):
        tracks[track.scheme_id].append(track)
    return tracks


def place_plan(
    *,
    workers: QuerySet[Worker],
    day: datetime.date,
    scheme_for: Callable[[str], GradeScheme | None],
    starts: Mapping[int, datetime.date] | None = None,
) -> tuple[list[Placed], list[str]]:
    """Where initial placement (初次定级) would put each of `workers` on `day` in the scheme
    `scheme_for(their community's path)`: the track of their post, the entry cell, one step
    for every `step_years` years credited on the day their grade starts (`starts`, by worker
    id; `day` for the others). Returns (placements, faults); writes nothing."""
    starts = starts or {}
    rows = list(workers.values("id", "name", "unit_path", "education", "work_start_date"))
    ids = workers.values("id")
    posts = _posts_on(ids, day)
    failed = failed_years(ids)
    schemes = {path: scheme_for(path) for path in {w["unit_path"] for w in rows}}
    scheme_ids = {s.pk for s in schemes.values() if s}
    tracks = _tracks_of(scheme_ids)
    cells = cells_of(GradeTrack.objects.filter(scheme_id__in=scheme_ids).values("id"))
    faults: list[str] = []
    placed: list[Placed] = []
    for w in rows:
        scheme = schemes[w["unit_path"]]
        if scheme is None:
            faults.append(_("%(name)s:所在社区没有生效的等级方案") % {"name": w["name"]})
            continue
        chosen = _track_for(tracks[scheme.pk], posts[w["id"]])
        if chosen is None:
            faults.append(_("%(name)s:岗位不对应方案中的任何岗位序列") % {"name": w["name"]})
            continue
        years = rules.credited_years(
            w["work_start_date"],
            starts.get(w["id"], day),
            w["education"],
            scheme.degree_credits or {},
            len([y for y in failed[w["id"]] if y < day.year]),
        )
        try:
            level, step = rules.initial_position(
                cells[chosen.pk],
                (chosen.entry_level, chosen.entry_step),
                years,
                scheme.step_years,
                cross_levels=scheme.steps_cross_levels,
            )
        except ValueError:
            faults.append(
                _("%(scheme)s%(track)s:起始等级档次不在方案中")
                % {"scheme": scheme.name, "track": chosen.name}
            )
            continue
        placed.append(
            Placed(w["id"], w["name"], w["unit_path"], scheme, chosen, level, step, years)
        )
    return placed, sorted(set(faults))
