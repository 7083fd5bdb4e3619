"""Every read of the appraisal, scoped to the viewer.

A cycle belongs to the unit that set the scheme (usually a street). A viewer sees a cycle when
it is in their subtree or covers it (a community clerk sees their street's cycle), but within a
cycle they see only the surveys, scores and results of their own subtree. Nobody reads who
scored whom from here: scores come out only as aggregates, except a scorer's own sheets.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext

from shegong.appraisal import rules
from shegong.appraisal.models import (
    COMMON_GRADE,
    Ballot,
    BallotRating,
    CodeRequest,
    CodeRequestStatus,
    Cycle,
    CycleStatus,
    Household,
    HouseholdCode,
    Indicator,
    Objection,
    ObjectionStatus,
    PartKind,
    PooledBallot,
    RaterCategory,
    Rating,
    Result,
    Scheme,
    Score,
    SelfReport,
    Survey,
    SurveyStatus,
    SurveyWorker,
    TenBestElection,
    TenBestMember,
)
from shegong.core.access import Permission, path_q, root_paths, sees_everything
from shegong.core.lists import ordering
from shegong.orgs.models import CommunityProfile, Unit, UnitKind
from shegong.people.models import Worker, WorkerStatus
from shegong.people.record import RecordRow, RecordSection

if TYPE_CHECKING:
    from shegong.core.models import User


def _ancestors(path: str) -> list[str]:
    """ "a/b/c/" → ["a/", "a/b/", "a/b/c/"]."""
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def _cycle_q(viewer: User) -> Q:
    if sees_everything(viewer):
        return Q()
    query = path_q(viewer, "unit_path")
    if not viewer.is_active:
        return query
    for root in root_paths(viewer):
        query |= Q(unit_path__in=_ancestors(root))
    return query


def cycle_list(*, viewer: User) -> QuerySet[Cycle]:
    return Cycle.objects.filter(_cycle_q(viewer)).select_related("scheme__unit")


def cycle_get(*, viewer: User, pk: int) -> Cycle:
    cycle = cycle_list(viewer=viewer).filter(pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


def scheme_units(*, viewer: User) -> QuerySet[Unit]:
    """Units where the viewer may set a scheme: streets and districts they may edit."""
    return Unit.objects.filter(
        path_q(viewer, "path", Permission.EDIT), kind__in=[UnitKind.STREET, UnitKind.DISTRICT]
    ).order_by("path")


def parts_of(scheme: Scheme) -> list[tuple[str, str, Decimal, list[Indicator]]]:
    """(kind, label, weight, indicators) per part."""
    return [
        (p.kind, p.get_kind_display(), p.weight, list(p.indicators.all()))
        for p in scheme.parts.prefetch_related("indicators").order_by("-weight")
    ]


@dataclass
class Turnout:
    survey: Survey
    issued: int
    spent: int
    residents: int

    @property
    def percent(self) -> Decimal:
        return rules.turnout_percent(self.spent, self.issued)


def survey_turnout(*, viewer: User, cycle: Cycle) -> list[Turnout]:
    """Each survey of the viewer's subtree with codes issued, votes cast and residents' votes,
    counted in the database."""
    surveys = (
        cycle.surveys.filter(path_q(viewer, "unit_path"))
        .select_related("community")
        .annotate(
            issued=Count("codes", filter=Q(codes__voided=False), distinct=True),
            spent=Count("codes", filter=Q(codes__spent=True, codes__voided=False), distinct=True),
        )
        .order_by("unit_path")
    )
    resident_votes = _resident_votes(cycle.surveys.all())
    return [
        Turnout(
            survey=s,
            issued=s.issued,
            spent=s.spent,
            residents=resident_votes.get(s.pk, 0),
        )
        for s in surveys
    ]


def _resident_votes(surveys: QuerySet[Survey]) -> dict[int, int]:
    """Ordinary residents' votes per survey: filed ballots and those still in the pool."""
    counts: dict[int, int] = defaultdict(int)
    for model in (Ballot, PooledBallot):
        for survey_id, n in (
            model.objects.filter(survey__in=surveys, category=RaterCategory.RESIDENT)
            .values_list("survey_id")
            .annotate(n=Count("pk"))
            .values_list("survey_id", "n")
        ):
            counts[survey_id] += n
    return dict(counts)


def survey_get(*, viewer: User, pk: int) -> Survey:
    survey = (
        Survey.objects.filter(path_q(viewer, "unit_path"), pk=pk)
        .select_related("community", "cycle__scheme__unit")
        .first()
    )
    if survey is None:
        raise Http404
    return survey


def survey_turnout_of(survey: Survey) -> Turnout:
    codes = survey.codes.filter(voided=False)
    return Turnout(
        survey=survey,
        issued=codes.count(),
        spent=codes.filter(spent=True).count(),
        residents=_resident_votes(Survey.objects.filter(pk=survey.pk)).get(survey.pk, 0),
    )


@dataclass
class WorkerRatings:
    worker_id: int
    name: str
    counts: dict[str, int]

    @property
    def score(self) -> Decimal | None:
        return rules.resident_score(self.counts)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def survey_ratings(*, survey: Survey) -> list[WorkerRatings]:
    """Per worker on the ballot: how many residents chose each rating (aggregated in the DB)."""
    ballot = list(
        SurveyWorker.objects.filter(survey=survey)
        .select_related("worker")
        .order_by("sort_order", "id")
    )
    counts: dict[int, dict[str, int]] = {
        b.worker_id: dict.fromkeys(Rating.values, 0) for b in ballot
    }
    for row in (
        BallotRating.objects.filter(survey=survey)
        .values("worker_id", "rating")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["worker_id"], dict.fromkeys(Rating.values, 0))[row["rating"]] = row[
            "n"
        ]
    return [WorkerRatings(b.worker_id, b.worker.name, counts[b.worker_id]) for b in ballot]


def community_get(*, viewer: User, pk: int) -> Unit:
    """A community in the viewer's scope, for its household record; else 404."""
    community = Unit.objects.filter(path_q(viewer, "path"), pk=pk, kind=UnitKind.COMMUNITY).first()
    if community is None:
        raise Http404
    return community


def household_list(*, community: Unit) -> QuerySet[Household]:
    return Household.objects.filter(community=community).order_by("label")


def registered_households(*, community: Unit) -> int:
    """The 户数 of the community's profile: the most households its record may hold."""
    profile = CommunityProfile.objects.filter(unit=community).first()
    return profile.households if profile else 0


def code_requests_pending(*, survey: Survey) -> QuerySet[CodeRequest]:
    return (
        survey.code_requests.filter(status=CodeRequestStatus.PENDING)
        .select_related("requested_by")
        .prefetch_related("households")
    )


def code_request_get(*, viewer: User, pk: int) -> CodeRequest:
    found = (
        CodeRequest.objects.filter(path_q(viewer, "unit_path"), pk=pk)
        .select_related("survey__community")
        .first()
    )
    if found is None:
        raise Http404
    return found


def survey_of_vote(*, pk: int) -> Survey:
    """The survey a resident has just voted in (for the thanks page)."""
    return Survey.objects.select_related("community").get(pk=pk)


def ballot(*, survey: Survey) -> list[Worker]:
    return [
        b.worker
        for b in SurveyWorker.objects.filter(survey=survey)
        .select_related("worker")
        .order_by("sort_order", "id")
    ]


# The orders the results list offers (core/lists.py: "-key" reverses one).
RESULT_SORTS: dict[str, list[str]] = {
    "rank": ["rank", "-resident_score", "worker__name_initials", "worker_id"],
    "name": ["worker__name_initials", "worker__name", "worker_id"],
    "community": ["unit_path", "rank", "worker_id"],
    "resident": ["resident_score", "rank", "worker_id"],
    "leader": ["leader_score", "rank", "worker_id"],
    "peer": ["peer_score", "rank", "worker_id"],
    "score": ["score", "-rank", "worker_id"],
}
RESULT_DEFAULT_SORT = "rank"


def result_list(*, viewer: User, cycle: Cycle, sort: str = RESULT_DEFAULT_SORT) -> QuerySet[Result]:
    return (
        cycle.results.filter(path_q(viewer, "unit_path"))
        .select_related("worker__community")
        .order_by(*ordering(RESULT_SORTS, sort, RESULT_DEFAULT_SORT))
    )


def result_get(*, viewer: User, pk: int) -> Result:
    result = (
        Result.objects.filter(path_q(viewer, "unit_path"), pk=pk)
        .select_related("worker__community", "cycle__scheme__unit")
        .first()
    )
    if result is None:
        raise Http404
    return result


def grade_counts(results: QuerySet[Result]) -> dict[str, int]:
    counts = dict.fromkeys(rules.GRADES, 0)
    for row in results.order_by().values("grade").annotate(n=Count("id")):
        counts[row["grade"]] = row["n"]
    return counts


def workers_in_cycle(*, viewer: User, cycle: Cycle) -> QuerySet[Worker]:
    return Worker.objects.filter(
        path_q(viewer, "unit_path"),
        unit_path__startswith=cycle.unit_path,
        status=WorkerStatus.ACTIVE,
    ).select_related("community")


def worker_in_cycle_get(*, viewer: User, cycle: Cycle, pk: int) -> Worker:
    worker = workers_in_cycle(viewer=viewer, cycle=cycle).filter(pk=pk).first()
    if worker is None:
        raise Http404
    return worker


def indicators(*, cycle: Cycle, part: str) -> list[Indicator]:
    return list(
        Indicator.objects.filter(part__scheme_id=cycle.scheme_id, part__kind=part).order_by(
            "sort_order", "id"
        )
    )


def own_sheets(
    *, cycle: Cycle, part: str, scorer_user: User | None = None, scorer_worker: Worker | None = None
) -> dict[int, dict[int, Decimal]]:
    """The sheets one scorer has entered: {worker id: {indicator id: points}}. Only a scorer's
    own sheets are ever read back; nobody lists who scored a given worker."""
    scores = Score.objects.filter(cycle=cycle, part=part)
    if part == PartKind.LEADERS:
        scores = scores.filter(scorer_user=scorer_user)
    else:
        scores = scores.filter(scorer_worker=scorer_worker)
    sheets: dict[int, dict[int, Decimal]] = {}
    for score in scores.prefetch_related("items"):
        sheets[score.worker_id] = {i.indicator_id: i.points for i in score.items.all()}
    return sheets


def sheet_counts(*, viewer: User, cycle: Cycle) -> dict[tuple[int, str], int]:
    """How many sheets each worker has per part (counts only, never the scorers)."""
    return {
        (row["worker_id"], row["part"]): row["n"]
        for row in Score.objects.filter(path_q(viewer, "unit_path"), cycle=cycle)
        .values("worker_id", "part")
        .annotate(n=Count("id"))
    }


def self_report_get(*, cycle: Cycle, worker: Worker) -> SelfReport | None:
    return SelfReport.objects.filter(cycle=cycle, worker=worker).first()


def self_reported_ids(*, cycle: Cycle) -> set[int]:
    return set(SelfReport.objects.filter(cycle=cycle).values_list("worker_id", flat=True))


def objection_list(*, viewer: User, cycle: Cycle) -> QuerySet[Objection]:
    return Objection.objects.filter(
        path_q(viewer, "unit_path"), result__cycle=cycle
    ).select_related("result__worker", "filed_by", "decided_by")


def objection_get(*, viewer: User, pk: int) -> Objection:
    objection = (
        Objection.objects.filter(path_q(viewer, "unit_path"), pk=pk)
        .select_related("result__worker", "result__cycle__scheme__unit")
        .first()
    )
    if objection is None:
        raise Http404
    return objection


def scored_parts(*, cycle: Cycle) -> set[str]:
    """The parts someone has already scored (their indicators are then fixed)."""
    return set(Score.objects.filter(cycle=cycle).values_list("part", flat=True).distinct())


@dataclass(frozen=True)
class Outcome:
    """What a published appraisal says of a worker (the grade, renewal, warning or exit)."""

    grade: str
    standing: str
    ten_best: bool


def published_outcomes(*, year: int, worker_ids: list[int] | None = None) -> dict[int, Outcome]:
    """Workers' outcomes for `year` from published cycles only; callers scope the workers."""
    results = Result.objects.filter(cycle__scheme__year=year, cycle__status="published").order_by(
        "worker_id"
    )
    if worker_ids is not None:
        results = results.filter(worker_id__in=worker_ids)
    return {
        row["worker_id"]: Outcome(
            grade=row["grade"],
            standing=row["standing"],
            ten_best=row["ten_best"],
        )
        for row in results.values("worker_id", "grade", "standing", "ten_best")
    }


# ---------------------------------------------------------------- inputs of results_compute
# Unscoped reads of a whole cycle, made by the service after its permission check.


def cycle_workers(*, scheme: Scheme) -> list[tuple[int, str]]:
    """(id, unit path) of the active workers the scheme appraises."""
    return list(
        Worker.objects.filter(
            unit_path__startswith=scheme.unit_path, status=WorkerStatus.ACTIVE
        ).values_list("id", "unit_path")
    )


def pooled_survey_ids(*, cycle: Cycle) -> set[int]:
    """The cycle's surveys with ballots still waiting in the pool."""
    return set(PooledBallot.objects.filter(survey__cycle=cycle).values_list("survey_id", flat=True))


def survey_paths(*, cycle: Cycle) -> list[tuple[int, str]]:
    return list(cycle.surveys.values_list("id", "unit_path"))


def ballot_counts(*, cycle: Cycle) -> dict[int, dict[str, int]]:
    """Filed ballots per survey and rater category."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Ballot.objects.filter(survey__cycle=cycle)
        .values("survey_id", "category")
        .annotate(n=Count("id"))
    ):
        counts[row["survey_id"]][row["category"]] = row["n"]
    return counts


def rating_counts(*, cycle: Cycle, excluding_paths: set[str]) -> dict[int, dict[str, int]]:
    """Each worker's count of each rating, leaving out the surveys of `excluding_paths`."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        BallotRating.objects.filter(survey__cycle=cycle)
        .exclude(survey__unit_path__in=excluding_paths)
        .values("worker_id", "rating")
        .annotate(n=Count("id"))
    ):
        counts[row["worker_id"]][row["rating"]] = row["n"]
    return counts


@dataclass(frozen=True)
class SheetAggregate:
    """A worker's sheets of one part, as the database aggregates them."""

    worker_id: int
    part: str
    total: Decimal
    highest: Decimal
    lowest: Decimal
    count: int


def sheet_aggregates(*, cycle: Cycle) -> list[SheetAggregate]:
    return [
        SheetAggregate(
            worker_id=row["worker_id"],
            part=row["part"],
            total=row["total_sum"],
            highest=row["high"],
            lowest=row["low"],
            count=row["n"],
        )
        for row in Score.objects.filter(cycle=cycle)
        .values("worker_id", "part")
        .annotate(total_sum=Sum("total"), high=Max("total"), low=Min("total"), n=Count("id"))
    ]


def previous_grades(*, scheme: Scheme) -> dict[int, str]:
    """Last year's grade of each worker under the same unit's scheme."""
    return dict(
        Result.objects.filter(
            cycle__scheme__unit=scheme.unit, cycle__scheme__year=scheme.year - 1
        ).values_list("worker_id", "grade")
    )


def surveys_open(*, viewer: User, limit: int = 10) -> list[Survey]:
    """The residents' surveys under way in the viewer's communities."""
    surveys = (
        Survey.objects.filter(path_q(viewer, "unit_path"), status=SurveyStatus.OPEN)
        .select_related("community", "cycle__scheme")
        .order_by("opened_at", "unit_path", "id")
    )
    return list(surveys[:limit])


def objection_windows(*, viewer: User, day: datetime.date) -> list[dict[str, Any]]:
    """Published cycles the viewer sees whose objection period has not ended on `day`, each
    with its deadline and the objections still open in the viewer's units, soonest first."""
    cycles = (
        cycle_list(viewer=viewer)
        .filter(status=CycleStatus.PUBLISHED, objections_until__gte=day)
        .annotate(
            open_objections=Count(
                "results__objections",
                filter=Q(results__objections__status=ObjectionStatus.OPEN)
                & path_q(viewer, "results__objections__unit_path"),
            )
        )
        .order_by("objections_until", "unit_path")
    )
    return [
        {
            "cycle": c,
            "until": c.objections_until,
            "days_left": (c.objections_until - day).days if c.objections_until else 0,
            "open": c.open_objections,
        }
        for c in cycles[:10]
    ]


def worker_results(*, viewer: User, worker: Worker) -> QuerySet[Result]:
    """The worker's computed or published results the viewer sees, newest year first."""
    return (
        Result.objects.filter(path_q(viewer, "unit_path"), worker=worker)
        .exclude(cycle__status=CycleStatus.OPEN)
        .select_related("cycle__scheme")
        .prefetch_related("objections")
        .order_by("-cycle__scheme__year", "-id")
    )


# ---------------------------------------------------------------- the worker's whole record


def results_section(viewer: User, worker: Worker) -> RecordSection:
    """The appraisal's part of the worker's whole record (people/record.py): their published
    results by year with the grade in the scheme's own names, the standing and 十佳; a row
    links to the results page when the viewer may open that cycle. `worker` comes from
    people.selectors.worker_get (already scoped)."""
    results = (
        Result.objects.filter(worker=worker, cycle__status=CycleStatus.PUBLISHED)
        .select_related("cycle__scheme")
        .order_by("-cycle__scheme__year", "-id")
    )
    visible = set(cycle_list(viewer=viewer).values_list("pk", flat=True))
    return RecordSection(
        key="appraisal.results",
        title=gettext("年度考核结果"),
        columns=(
            gettext("年度"),
            gettext("考核"),
            gettext("综合得分"),
            gettext("排名"),
            gettext("等次"),
            gettext("聘用建议"),
            gettext("十佳"),
        ),
        rows=[
            RecordRow(
                cells=(
                    str(r.cycle.scheme.year),
                    r.cycle.scheme.name,
                    str(r.score),
                    str(r.rank),
                    r.cycle.scheme.grade_label(r.grade),
                    r.get_standing_display(),
                    gettext("是") if r.ten_best else "",
                ),
                url=reverse("appraisal:results", kwargs={"pk": r.cycle_id})
                if r.cycle_id in visible
                else "",
            )
            for r in results
        ],
        empty=gettext("暂无已公示的考核结果"),
    )


# ------------------------------------------------------- a district's appraisals side by side


@dataclass
class Column:
    """One appraisal (usually a street's) of the year, in the one grade vocabulary."""

    unit_name: str
    unit_code: str
    scheme_name: str
    cycle_id: int | None  # None for the combined column
    status: str
    workers: int
    grades: dict[str, int]  # YearGrade value → count
    average: Decimal | None  # withheld (None) for fewer than the minimum group
    issued: int
    spent: int
    warned: int
    exits: int
    objections: int

    @property
    def turnout(self) -> Decimal:
        return rules.turnout_percent(self.spent, self.issued)

    def share(self, grade: str) -> str:
        return rules.share_text(self.grades.get(grade, 0), self.workers)


@dataclass
class Overview:
    unit: Unit
    year: int
    columns: list[Column]
    total: Column


def _column(cycle: Cycle, minimum: int, seen: Q) -> Column:
    results = cycle.results.filter(seen)
    letters = dict(results.values_list("grade").annotate(n=Count("pk")).values_list("grade", "n"))
    figures = results.aggregate(
        workers=Count("pk"),
        total=Sum("score"),
        warned=Count("pk", filter=Q(standing="warn")),
        exits=Count("pk", filter=Q(standing="exit")),
    )
    codes = HouseholdCode.objects.filter(survey__cycle=cycle, voided=False).filter(
        survey__in=cycle.surveys.filter(seen)
    )
    workers = figures["workers"] or 0
    return Column(
        unit_name=cycle.scheme.unit.name,
        unit_code=cycle.scheme.unit.code,
        scheme_name=cycle.scheme.name,
        cycle_id=cycle.pk,
        status=cycle.get_status_display(),
        workers=workers,
        grades={COMMON_GRADE[g]: letters.get(g, 0) for g in COMMON_GRADE},
        average=rules.mean_or_none(figures["total"], workers, minimum),
        issued=codes.count(),
        spent=codes.filter(spent=True).count(),
        warned=figures["warned"] or 0,
        exits=figures["exits"] or 0,
        objections=Objection.objects.filter(result__in=results).count(),
    )


def _combined(columns: list[Column], minimum: int, total_score: Decimal) -> Column:
    workers = sum(c.workers for c in columns)
    return Column(
        unit_name=gettext("合计"),
        unit_code="",
        scheme_name="",
        cycle_id=None,
        status="",
        workers=workers,
        grades={g: sum(c.grades[g] for c in columns) for g in COMMON_GRADE.values()},
        average=rules.mean_or_none(total_score, workers, minimum),
        issued=sum(c.issued for c in columns),
        spent=sum(c.spent for c in columns),
        warned=sum(c.warned for c in columns),
        exits=sum(c.exits for c in columns),
        objections=sum(c.objections for c in columns),
    )


def district_overview(*, viewer: User, unit: Unit, year: int) -> Overview:
    """Every appraisal of `year` set by `unit` or a unit below it that the viewer sees (a
    district: its streets'), side by side with their grades in the one vocabulary (so schemes
    naming them differently combine), average score, turnout, warnings, exits and objections;
    and the combined column. Counts of workers, not who; an average of fewer than the minimum
    group is withheld. `unit` must be in the viewer's scope (the caller checks)."""
    from django.conf import settings

    minimum = int(settings.SHEGONG_MIN_GROUP_SIZE)
    cycles = (
        cycle_list(viewer=viewer)
        .filter(unit_path__startswith=unit.path, scheme__year=year)
        .order_by("unit_path")
    )
    seen = path_q(viewer, "unit_path")
    columns = [_column(c, minimum, seen) for c in cycles]
    total_score = Result.objects.filter(seen, cycle__in=cycles).aggregate(s=Sum("score"))["s"]
    return Overview(
        unit=unit, year=year, columns=columns, total=_combined(columns, minimum, total_score)
    )


def overview_units(*, viewer: User) -> QuerySet[Unit]:
    """Districts and cities (and streets) in the viewer's scope, for the side-by-side view."""
    return Unit.objects.filter(
        path_q(viewer, "path"), kind__in=[UnitKind.CITY, UnitKind.DISTRICT, UnitKind.STREET]
    ).order_by("path")


def overview_unit(*, viewer: User, code: str | None) -> Unit:
    """The unit of that code in the viewer's scope (404 otherwise, like a missing one); without
    a code, the highest such unit the viewer holds."""
    units = overview_units(viewer=viewer)
    found = units.filter(code=code).first() if code else units.order_by("kind", "path").first()
    if found is None:
        raise Http404
    return found


def ten_best_list(*, viewer: User) -> QuerySet[TenBestElection]:
    return TenBestElection.objects.filter(path_q(viewer, "unit_path")).select_related("unit")


def ten_best_get(*, viewer: User, pk: int) -> TenBestElection:
    found = ten_best_list(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def ten_best_members(*, election: TenBestElection) -> QuerySet[TenBestMember]:
    return election.members.select_related("worker__community").order_by("rank", "worker_id")
