"""Every read of training and certification, scoped to the viewer; figures computed by the
database.

Who sees a course: its organiser is in the viewer's subtree, or is above it (a district
course is open to every street below). Within a course, a viewer sees only the enrolled workers
in their own scope. Figures for a unit count attendance by the community the worker served in
on that day.

Definitions (a unit U and a period from A to B):
- sessions (培训场次): courses attended in the period by U's workers;
- person_times (人次): (course, worker) pairs with attendance in the period under U;
- people_trained (受训人数): distinct workers among them;
- roster: workers placed under U on the reference day (B, or today if B is later);
- coverage (受训面): share of the roster who attended any course in the period.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from shegong.core.access import (
    Permission,
    may_see_personal_data,
    path_q,
    root_paths,
    sees_everything,
)
from shegong.core.charts import Bar
from shegong.core.db import report_session
from shegong.core.lists import ordering
from shegong.core.money import money_text
from shegong.orgs.models import Unit, UnitKind
from shegong.people.models import AwardDue, AwardKind, Placement, PostHolding, PostType, Worker
from shegong.people.record import MASKED, RecordRow, RecordSection
from shegong.training import rules
from shegong.training.models import (
    Attendance,
    Award,
    AwardRule,
    Course,
    CourseKind,
    Enrolment,
    ExamRegistration,
    Requirement,
    Secondment,
)

if TYPE_CHECKING:
    from shegong.core.models import User


def _covering(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start__lte": day}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": day})
    )


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


# ---------------------------------------------------------------- courses


def course_scope_q(viewer: User) -> Q:
    if sees_everything(viewer):
        return Q()
    above = sorted({p for root in root_paths(viewer) for p in _ancestor_paths(root)})
    return path_q(viewer, "organiser__path") | Q(organiser__path__in=above)


# The orders the course list offers (core/lists.py: "-key" reverses one).
COURSE_SORTS: dict[str, list[str]] = {
    "start": ["start", "id"],
    "title": ["title", "id"],
    "kind": ["kind", "start", "id"],
    "organiser": ["organiser__path", "start", "id"],
    "enrolled": ["enrolled", "start", "id"],
}
COURSE_DEFAULT_SORT = "-start"


def course_list(
    *,
    viewer: User,
    year: int | None = None,
    kind: str = "",
    q: str = "",
    sort: str = COURSE_DEFAULT_SORT,
) -> QuerySet[Course]:
    courses = Course.objects.filter(course_scope_q(viewer)).select_related("organiser")
    if year:
        courses = courses.filter(start__year__lte=year, end__year__gte=year)
    if kind:
        courses = courses.filter(kind=kind)
    if q:
        courses = courses.filter(title__contains=q)
    return courses.order_by(*ordering(COURSE_SORTS, sort, COURSE_DEFAULT_SORT))


def course_get(*, viewer: User, pk: int | str) -> Course:
    if not str(pk).isdigit():
        raise Http404
    found = (
        Course.objects.filter(course_scope_q(viewer), pk=pk)
        .select_related("organiser")
        .prefetch_related("target_posts")
        .first()
    )
    if found is None:
        raise Http404
    return found


def organisers_for_edit(*, viewer: User) -> QuerySet[Unit]:
    """Units the viewer may organise a course for (where they may edit)."""
    return Unit.objects.filter(
        path_q(viewer, "path", Permission.EDIT), kind__gte=UnitKind.DISTRICT
    ).order_by("path")


def enrolment_list(*, viewer: User, course: Course) -> QuerySet[Enrolment]:
    """The course's enrolments of workers in the viewer's scope, with days attended."""
    return (
        Enrolment.objects.filter(path_q(viewer, "worker__unit_path"), course=course)
        .select_related("worker", "worker__community")
        .annotate(days=Count("attendance"))
        .annotate(
            hours=ExpressionWrapper(
                F("days") * F("course__hours_per_day"),
                output_field=DecimalField(max_digits=8, decimal_places=1),
            )
        )
        .order_by("worker__unit_path", "worker__name_initials", "id")
    )


def enrolment_get(*, viewer: User, course: Course, pk: int | str) -> Enrolment:
    found = enrolment_list(viewer=viewer, course=course).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def enrollable_workers(
    *, viewer: User, course: Course, workers: QuerySet[Worker] | None = None
) -> QuerySet[Worker]:
    """Of `workers` (default: everyone), those the viewer may enrol in `course`: active,
    below the organiser, in the viewer's editing scope, not enrolled yet."""
    if workers is None:
        workers = Worker.objects.all()
    return (
        workers.filter(
            path_q(viewer, "unit_path", Permission.EDIT),
            unit_path__startswith=course.organiser.path,
            status="active",
        )
        .exclude(training_enrolments__course=course)
        .select_related("community")
    )


def sign_in_rows(*, viewer: User, course: Course, day: datetime.date) -> QuerySet[Enrolment]:
    """The enrolments the viewer may mark, each annotated `present` for `day`."""
    may_mark = path_q(viewer, "worker__unit_path", Permission.EDIT)
    return (
        enrolment_list(viewer=viewer, course=course)
        .filter(may_mark)
        .annotate(present=Exists(Attendance.objects.filter(enrolment=OuterRef("pk"), day=day)))
    )


def attendance_grid(
    *, viewer: User, course: Course
) -> tuple[list[datetime.date], list[tuple[Enrolment, list[bool]]]]:
    """For the printed sign-in sheet: the days and, per visible enrolment, attended or not."""
    days = rules.course_days(course.start, course.end)
    enrolments = list(enrolment_list(viewer=viewer, course=course))
    marked = set(
        Attendance.objects.filter(enrolment__in=enrolments).values_list("enrolment_id", "day")
    )
    return days, [(e, [(e.pk, d) in marked for d in days]) for e in enrolments]


# ---------------------------------------------------------------- figures


@dataclass
class TrainingFigures:
    unit: Unit
    start: datetime.date
    end: datetime.date
    reference_day: datetime.date
    sessions: int
    sessions_organised: int
    person_times: int
    people_trained: int
    days: int
    hours: Decimal
    roster: int
    trained_on_roster: int
    coverage: Decimal
    by_kind: list[Bar] = field(default_factory=list)
    by_month: list[Bar] = field(default_factory=list)
    by_post: list[dict[str, Any]] = field(default_factory=list)
    by_child: list[dict[str, Any]] = field(default_factory=list)
    # Secretaries and directors on the roster, and how many met their yearly minimum in the
    # calendar year of `end` (the essay's "不少于7天").
    leaders: int = 0
    leaders_met: int = 0
    leader_minimum: int | None = None

    @property
    def narrative(self) -> str:
        return rules.narrative(
            unit_name=self.unit.name,
            sessions=self.sessions,
            person_times=self.person_times,
            people_trained=self.people_trained,
            coverage=self.coverage,
            leaders=self.leaders,
            leaders_met=self.leaders_met,
            minimum_days=self.leader_minimum,
        )


def _attendance_in(unit: Unit, start: datetime.date, end: datetime.date) -> QuerySet[Attendance]:
    return Attendance.objects.filter(
        community__path__startswith=unit.path, day__gte=start, day__lte=end
    )


def _roster_ids(unit: Unit, day: datetime.date) -> QuerySet[Placement, Any]:
    return Placement.objects.filter(_covering(day), unit_path__startswith=unit.path).values(
        "worker_id"
    )


def _counts_by(
    unit: Unit,
    start: datetime.date,
    end: datetime.date,
    day: datetime.date,
    groups: list[tuple[int, str]],
) -> dict[int, dict[str, Any]]:
    """The headline counts for each (key, path) group below `unit`, in two grouped queries:
    one over the period's attendance, one over the roster of `day`."""

    def key_of(path_field: str) -> Case:
        return Case(
            *[When(**{f"{path_field}__startswith": path}, then=Value(key)) for key, path in groups],
            default=Value(None),
            output_field=IntegerField(),
        )

    found: dict[int, dict[str, Any]] = {
        key: {
            "sessions": 0,
            "person_times": 0,
            "people_trained": 0,
            "days": 0,
            "hours": Decimal(0),
            "roster": 0,
            "trained_on_roster": 0,
        }
        for key, _path in groups
    }
    attended = (
        _attendance_in(unit, start, end)
        .annotate(group=key_of("community__path"))
        .order_by()
        .values("group")
        .annotate(
            sessions=Count("course", distinct=True),
            person_times=Count("enrolment", distinct=True),
            people_trained=Count("worker", distinct=True),
            days=Count("id"),
            hours=Sum("course__hours_per_day"),
        )
    )
    for row in attended:
        if row["group"] in found:
            found[row["group"]].update(
                {k: v for k, v in row.items() if k != "group" and v is not None}
            )
    trained = Attendance.objects.filter(worker=OuterRef("worker_id"), day__gte=start, day__lte=end)
    roster = (
        Placement.objects.filter(_covering(day), unit_path__startswith=unit.path)
        .annotate(group=key_of("unit_path"), trained=Exists(trained))
        .order_by()
        .values("group")
        .annotate(
            roster=Count("worker", distinct=True),
            trained_on_roster=Count("worker", distinct=True, filter=Q(trained=True)),
        )
    )
    for row in roster:
        if row["group"] in found:
            found[row["group"]].update(
                roster=row["roster"], trained_on_roster=row["trained_on_roster"]
            )
    return found


def training_figures(
    *, viewer: User, unit: Unit, start: datetime.date, end: datetime.date
) -> TrainingFigures:
    """The training figures of `unit` (which must come from a scoped read) for a period,
    read in one transaction with room to aggregate in memory (as the structure report)."""
    if not (sees_everything(viewer) or any(unit.path.startswith(r) for r in root_paths(viewer))):
        raise Http404
    with report_session():
        return _training_figures(unit=unit, start=start, end=end)


def _training_figures(*, unit: Unit, start: datetime.date, end: datetime.date) -> TrainingFigures:
    day = min(end, timezone.localdate())
    attended = _attendance_in(unit, start, end)
    counts = _counts_by(unit, start, end, day, [(0, unit.path)])[0]
    organised = Course.objects.filter(
        organiser__path__startswith=unit.path, start__gte=start, start__lte=end
    ).count()
    # Person-times by the course's kind and by the month it started.
    kinds: dict[str, int] = {}
    months: dict[str, int] = {}
    for row in (
        attended.values("course__kind", month=TruncMonth("course__start"))
        .annotate(n=Count("enrolment", distinct=True))
        .order_by("month")
    ):
        kinds[row["course__kind"]] = kinds.get(row["course__kind"], 0) + row["n"]
        label = f"{row['month']:%Y-%m}"
        months[label] = months.get(label, 0) + row["n"]
    figures = TrainingFigures(
        unit=unit,
        start=start,
        end=end,
        reference_day=day,
        sessions=counts["sessions"],
        sessions_organised=organised,
        days=counts["days"],
        hours=Decimal(counts["hours"]).quantize(Decimal("0.1")),
        coverage=rules.share(counts["trained_on_roster"], counts["roster"]),
        by_kind=[Bar(str(label), kinds.get(value, 0)) for value, label in CourseKind.choices],
        by_month=[Bar(label, n) for label, n in sorted(months.items())],
        person_times=counts["person_times"],
        people_trained=counts["people_trained"],
        roster=counts["roster"],
        trained_on_roster=counts["trained_on_roster"],
    )
    figures.by_post = _days_by_post(unit, start, end, day)
    figures.leaders, figures.leaders_met, figures.leader_minimum = _leaders(unit, end.year, day)
    children = list(Unit.objects.filter(parent=unit).order_by("path"))
    by_child = _counts_by(unit, start, end, day, [(c.pk, c.path) for c in children])
    figures.by_child = [
        {
            "unit": child,
            **by_child[child.pk],
            "coverage": rules.share(
                by_child[child.pk]["trained_on_roster"], by_child[child.pk]["roster"]
            ),
        }
        for child in children
    ]
    return figures


def _leaders(unit: Unit, year: int, day: datetime.date) -> tuple[int, int, int | None]:
    """(secretaries and directors on the roster on `day`, how many attended at least their
    post's yearly minimum in `year`, that minimum)."""
    minimum = (
        Requirement.objects.filter(Q(post__is_secretary=True) | Q(post__is_director=True))
        .order_by("-min_days")
        .values_list("min_days", flat=True)
        .first()
    )
    leads = PostHolding.objects.filter(
        _covering(day),
        Q(post__is_secretary=True) | Q(post__is_director=True),
        worker=OuterRef("pk"),
    )
    first, last = rules.window(year, 1)
    found = (
        Worker.objects.filter(Exists(leads), pk__in=_roster_ids(unit, day))
        .annotate(
            days=Count(
                "training_attendance",
                filter=Q(training_attendance__day__gte=first, training_attendance__day__lte=last),
            )
        )
        .aggregate(total=Count("id"), met=Count("id", filter=Q(days__gte=minimum or 0)))
    )
    return found["total"], found["met"], minimum


def _days_by_post(
    unit: Unit, start: datetime.date, end: datetime.date, day: datetime.date
) -> list[dict[str, Any]]:
    """Per post: holders on the roster on `day`, their days attended in the period, days per
    person. Two grouped queries."""
    roster = _roster_ids(unit, day)
    people = dict(
        PostHolding.objects.filter(_covering(day), worker_id__in=roster)
        .order_by()
        .values("post")
        .annotate(n=Count("worker", distinct=True))
        .values_list("post", "n")
    )
    held_that_day = Q(worker__posts__start__lte=day) & (
        Q(worker__posts__end__isnull=True) | Q(worker__posts__end__gt=day)
    )
    days = dict(
        Attendance.objects.filter(day__gte=start, day__lte=end, worker_id__in=roster)
        .filter(held_that_day)
        .order_by()
        .values("worker__posts__post")
        .annotate(n=Count("id"))
        .values_list("worker__posts__post", "n")
    )
    return [
        {
            "post": post,
            "people": people[post.pk],
            "days": days.get(post.pk, 0),
            "per_person": rules.per_person(days.get(post.pk, 0), people[post.pk]),
        }
        for post in PostType.objects.filter(pk__in=people)
    ]


# ---------------------------------------------------------------- compliance


@dataclass(frozen=True)
class Shortfall:
    worker: Worker
    community: str
    required: int
    every_years: int
    attended: int
    missing: int


def compliance_list(*, viewer: User, unit: Unit, year: int) -> list[Shortfall]:
    """Workers on the roster under `unit` (on 31 December of `year`, or today) who have not
    met their yearly minimum, most missing first. Computed by the database."""
    if not (sees_everything(viewer) or any(unit.path.startswith(r) for r in root_paths(viewer))):
        raise Http404
    with report_session():
        return _compliance_list(viewer=viewer, unit=unit, year=year)


def _compliance_list(*, viewer: User, unit: Unit, year: int) -> list[Shortfall]:
    day = min(datetime.date(year, 12, 31), timezone.localdate())
    requirements = list(Requirement.objects.all())
    default = next((r for r in requirements if r.is_default), None)
    by_post = [r for r in requirements if not r.is_default]
    # Rank the post requirements once, strictest first, with the pure rule.
    ranked = sorted(by_post, key=lambda r: rules.strictness(rules.Rule(r.min_days, r.every_years)))
    # One grouped query: each roster worker's strictest held requirement (the lowest rank
    # among their posts that day) and their days attended in each window used.
    held_that_day = Q(posts__start__lte=day) & (Q(posts__end__isnull=True) | Q(posts__end__gt=day))
    rank = Min(
        Case(
            *[When(posts__post_id=r.post_id, then=Value(i)) for i, r in enumerate(ranked)],
            default=Value(None),
            output_field=IntegerField(),
        ),
        filter=held_that_day,
    )
    windows = sorted({r.every_years for r in requirements} | {1})
    counted = {}
    for years in windows:
        first, last = rules.window(year, years)
        counted[f"days_{years}"] = Count(
            "training_attendance",
            distinct=True,
            filter=Q(training_attendance__day__gte=first, training_attendance__day__lte=last),
        )
    workers = Worker.objects.filter(
        path_q(viewer, "unit_path"), pk__in=_roster_ids(unit, day)
    ).annotate(rank=rank, **counted)

    def by_rank(attr: str, fallback: int) -> Case:
        return Case(
            *[When(rank=i, then=Value(getattr(r, attr))) for i, r in enumerate(ranked)],
            default=Value(fallback),
            output_field=IntegerField(),
        )

    workers = workers.annotate(
        req_days=by_rank("min_days", default.min_days if default else 0),
        req_years=by_rank("every_years", default.every_years if default else 1),
    )
    whens = [When(req_years=years, then=F(f"days_{years}")) for years in windows]
    workers = (
        workers.annotate(attended=Case(*whens, default=Value(0), output_field=IntegerField()))
        .annotate(missing=F("req_days") - F("attended"))
        .filter(missing__gt=0)
        .select_related("community")
        .order_by("-missing", "unit_path", "name_initials", "id")
    )
    return [
        Shortfall(
            worker=w,
            community=w.community.name,
            required=w.req_days,
            every_years=w.req_years,
            attended=w.attended,
            missing=w.missing,
        )
        for w in workers
    ]


def requirement_list() -> QuerySet[Requirement]:
    return Requirement.objects.select_related("post").order_by("is_default", "post__sort_order")


def award_rule_list() -> QuerySet[AwardRule]:
    return AwardRule.objects.order_by("amount")


def may_configure(*, viewer: User) -> bool:
    """Whether the viewer may change requirements and award amounts (district editors)."""
    return Unit.objects.filter(
        path_q(viewer, "path", Permission.EDIT), kind__lte=UnitKind.DISTRICT
    ).exists()


# ---------------------------------------------------------------- exams, awards, secondments


def exam_registration_list(*, viewer: User, year: int | None = None) -> QuerySet[ExamRegistration]:
    found = (
        ExamRegistration.objects.filter(path_q(viewer, "worker__unit_path"))
        .select_related("worker", "worker__community")
        .prefetch_related("results")
    )
    if year:
        found = found.filter(year=year)
    return found.order_by("-year", "worker__unit_path", "worker__name_initials", "id")


def exam_registration_get(*, viewer: User, pk: int | str) -> ExamRegistration:
    if not str(pk).isdigit():
        raise Http404
    found = exam_registration_list(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def award_list(
    *, viewer: User, year: int | None = None, unpaid_only: bool = False
) -> QuerySet[Award]:
    """One-time awards in scope, with how each was paid (`paid_by`: the pay run that took it
    from the amounts owed, or a payment by hand); pay's next run takes the unpaid ones."""
    owed = AwardDue.objects.filter(
        source_key=Concat(Value("training.award:"), Cast(OuterRef("pk"), CharField()))
    )
    found = (
        Award.objects.filter(path_q(viewer, "worker__unit_path"))
        .select_related("worker", "worker__community", "registration")
        .annotate(paid_by=Subquery(owed.values("taken_by")[:1]))
    )
    if year:
        found = found.filter(granted_on__year=year)
    if unpaid_only:
        found = found.filter(paid_on__isnull=True).filter(Q(paid_by__isnull=True) | Q(paid_by=""))
    return found.order_by("-granted_on", "worker__unit_path", "id")


def course_awarded(*, viewer: User, course: Course) -> set[int]:
    """The workers in the viewer's scope owed (or paid) the course's completion award."""
    if course.award_amount is None:
        return set()
    return set(
        AwardDue.objects.filter(
            path_q(viewer, "worker__unit_path"),
            kind=AwardKind.COURSE,
            source_key__startswith=f"training.course:{course.pk}:worker:",
        ).values_list("worker_id", flat=True)
    )


def course_awards_of(*, viewer: User, worker: Worker) -> QuerySet[AwardDue]:
    """The course completion awards owed to a worker in the viewer's scope, newest first."""
    return AwardDue.objects.filter(
        path_q(viewer, "worker__unit_path"), worker=worker, kind=AwardKind.COURSE
    ).order_by("-due_on", "-id")


def award_get(*, viewer: User, pk: int | str) -> Award:
    if not str(pk).isdigit():
        raise Http404
    found = award_list(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def secondment_list(*, viewer: User, current_only: bool = False) -> QuerySet[Secondment]:
    found = Secondment.objects.filter(path_q(viewer, "worker__unit_path")).select_related(
        "worker", "worker__community"
    )
    if current_only:
        found = found.filter(returned_on__isnull=True)
    return found.order_by("-start", "id")


def secondment_get(*, viewer: User, pk: int | str) -> Secondment:
    if not str(pk).isdigit():
        raise Http404
    found = secondment_list(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def worker_record(*, viewer: User, worker: Worker) -> dict[str, Any]:
    """A worker's training record: courses with days and hours credited, exams, awards and
    secondments. `worker` must come from people.selectors.worker_get (already scoped)."""
    enrolments = (
        Enrolment.objects.filter(worker=worker)
        .select_related("course", "course__organiser")
        .annotate(days=Count("attendance"))
        .annotate(
            hours=ExpressionWrapper(
                F("days") * F("course__hours_per_day"),
                output_field=DecimalField(max_digits=8, decimal_places=1),
            )
        )
        .order_by("-course__start", "-id")
    )
    by_year = (
        Attendance.objects.filter(worker=worker)
        .order_by()
        .values("day__year")
        .annotate(days=Count("id"))
        .order_by("-day__year")
    )
    return {
        "enrolments": enrolments,
        "days_by_year": [(row["day__year"], row["days"]) for row in by_year],
        "exams": ExamRegistration.objects.filter(worker=worker)
        .prefetch_related("results")
        .order_by("-year", "id"),
        "awards": Award.objects.filter(worker=worker).order_by("-granted_on"),
        "secondments": Secondment.objects.filter(worker=worker).order_by("-start"),
    }


def leaders_short(*, viewer: User, unit: Unit, year: int) -> list[Shortfall]:
    """Secretaries and directors under `unit` who have not met their yearly minimum of
    training days: the start page's to-do (compliance_list narrowed to the leading posts)."""
    short = compliance_list(viewer=viewer, unit=unit, year=year)
    day = min(datetime.date(year, 12, 31), timezone.localdate())
    leading = set(
        PostHolding.objects.filter(
            _covering(day),
            Q(post__is_secretary=True) | Q(post__is_director=True),
            worker_id__in=[s.worker.pk for s in short],
        ).values_list("worker_id", flat=True)
    )
    return [s for s in short if s.worker.pk in leading]


# ---------------------------------------------------------------- the worker's whole record


def days_section(viewer: User, worker: Worker) -> RecordSection:
    """Training's part of the worker's whole record (people/record.py): days trained per
    year. `worker` comes from people.selectors.worker_get (already scoped)."""
    by_year = (
        Attendance.objects.filter(worker=worker)
        .order_by()
        .values("day__year")
        .annotate(days=Count("id"))
        .order_by("-day__year")
    )
    return RecordSection(
        key="training.days",
        title=gettext("培训天数"),
        columns=(gettext("年度"), gettext("培训天数")),
        rows=[RecordRow(cells=(str(r["day__year"]), str(r["days"]))) for r in by_year],
        url=reverse("training:worker", kwargs={"pk": worker.pk}),
        link_label=gettext("培训档案"),
        empty=gettext("暂无培训记录"),
    )


def awards_section(viewer: User, worker: Worker) -> RecordSection:
    """The one-time awards for passing, and whether they were paid (amounts masked without
    the personal-data right)."""
    shown = may_see_personal_data(viewer, worker.unit_path)
    courses = [
        RecordRow(
            cells=(
                d.title,
                money_text(d.amount) if shown else MASKED,
                f"{d.due_on:%Y-%m-%d}",
                d.taken_by or gettext("未发放"),
            )
        )
        for d in course_awards_of(viewer=viewer, worker=worker)
    ]
    return RecordSection(
        key="training.awards",
        title=gettext("一次性奖励"),
        columns=(gettext("级别/事由"), gettext("金额(元)"), gettext("核定日期"), gettext("发放")),
        rows=[
            RecordRow(
                cells=(
                    a.get_level_display(),
                    money_text(a.amount) if shown else MASKED,
                    f"{a.granted_on:%Y-%m-%d}",
                    f"{a.paid_on:%Y-%m-%d}"
                    if a.paid_on
                    else (getattr(a, "paid_by", None) or gettext("未发放")),
                )
            )
            for a in award_list(viewer=viewer).filter(worker=worker)
        ]
        + courses,
        url=reverse("training:worker", kwargs={"pk": worker.pk}),
        link_label=gettext("培训档案"),
        empty=gettext("暂无"),
    )
