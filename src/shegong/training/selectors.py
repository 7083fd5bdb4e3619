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
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone

from shegong.core.access import Permission, path_q, root_paths, sees_everything
from shegong.orgs.models import Unit, UnitKind
from shegong.people.models import Placement, PostHolding, PostType, Worker
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


def course_list(
    *, viewer: User, year: int | None = None, kind: str = "", q: str = ""
) -> QuerySet[Course]:
    courses = Course.objects.filter(course_scope_q(viewer)).select_related("organiser")
    if year:
        courses = courses.filter(start__year__lte=year, end__year__gte=year)
    if kind:
        courses = courses.filter(kind=kind)
    if q:
        courses = courses.filter(title__contains=q)
    return courses.order_by("-start", "-id")


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
    *, viewer: User, course: Course, workers: QuerySet[Worker]
) -> QuerySet[Worker]:
    """Of `workers`, those the viewer may enrol in `course`: active, below the organiser, in
    the viewer's editing scope, not enrolled yet."""
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
class Bar:
    label: str
    value: Decimal | int
    note: str = ""


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


def _attendance_in(unit: Unit, start: datetime.date, end: datetime.date) -> QuerySet[Attendance]:
    return Attendance.objects.filter(
        community__path__startswith=unit.path, day__gte=start, day__lte=end
    )


def _roster_ids(unit: Unit, day: datetime.date) -> QuerySet[Placement, Any]:
    return Placement.objects.filter(_covering(day), unit_path__startswith=unit.path).values(
        "worker_id"
    )


def _unit_counts(
    unit: Unit, start: datetime.date, end: datetime.date, day: datetime.date
) -> dict[str, int]:
    attended = _attendance_in(unit, start, end)
    roster = Worker.objects.filter(pk__in=_roster_ids(unit, day))
    any_attendance = Attendance.objects.filter(worker=OuterRef("pk"), day__gte=start, day__lte=end)
    return {
        "person_times": Enrolment.objects.filter(
            Exists(attended.filter(enrolment=OuterRef("pk")))
        ).count(),
        "people_trained": Worker.objects.filter(
            Exists(attended.filter(worker=OuterRef("pk")))
        ).count(),
        "roster": roster.count(),
        "trained_on_roster": roster.filter(Exists(any_attendance)).count(),
    }


def training_figures(
    *, viewer: User, unit: Unit, start: datetime.date, end: datetime.date
) -> TrainingFigures:
    """The training figures of `unit` (which must come from a scoped read) for a period."""
    if not (sees_everything(viewer) or any(unit.path.startswith(r) for r in root_paths(viewer))):
        raise Http404
    day = min(end, timezone.localdate())
    attended = _attendance_in(unit, start, end)
    counts = _unit_counts(unit, start, end, day)
    totals = attended.aggregate(
        days=Count("id"),
        hours=Coalesce(
            Sum("course__hours_per_day"), Value(Decimal(0)), output_field=DecimalField()
        ),
        sessions=Count("course", distinct=True),
    )
    organised = Course.objects.filter(
        organiser__path__startswith=unit.path, start__gte=start, start__lte=end
    ).count()
    trained_enrolments = Enrolment.objects.filter(Exists(attended.filter(enrolment=OuterRef("pk"))))
    kinds = dict(
        trained_enrolments.values("course__kind")
        .annotate(n=Count("id"))
        .values_list("course__kind", "n")
    )
    months = (
        trained_enrolments.annotate(month=TruncMonth("course__start"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    figures = TrainingFigures(
        unit=unit,
        start=start,
        end=end,
        reference_day=day,
        sessions=totals["sessions"],
        sessions_organised=organised,
        days=totals["days"],
        hours=Decimal(totals["hours"]).quantize(Decimal("0.1")),
        coverage=rules.share(counts["trained_on_roster"], counts["roster"]),
        by_kind=[Bar(str(label), kinds.get(value, 0)) for value, label in CourseKind.choices],
        by_month=[Bar(f"{row['month']:%Y-%m}", row["n"]) for row in months],
        person_times=counts["person_times"],
        people_trained=counts["people_trained"],
        roster=counts["roster"],
        trained_on_roster=counts["trained_on_roster"],
    )
    figures.by_post = _days_by_post(unit, start, end, day)
    figures.by_child = [
        {
            "unit": child,
            **(c := _unit_counts(child, start, end, day)),
            "coverage": rules.share(c["trained_on_roster"], c["roster"]),
        }
        for child in Unit.objects.filter(parent=unit).order_by("path")
    ]
    return figures


def _days_by_post(
    unit: Unit, start: datetime.date, end: datetime.date, day: datetime.date
) -> list[dict[str, Any]]:
    """Per post: holders on the roster on `day`, their days attended in the period, days per
    person."""
    holdings = PostHolding.objects.filter(_covering(day), worker_id__in=_roster_ids(unit, day))
    days_of_worker = (
        Attendance.objects.filter(worker=OuterRef("worker_id"), day__gte=start, day__lte=end)
        .values("worker")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        holdings.values("post")
        .annotate(
            people=Count("worker", distinct=True),
            days=Coalesce(Sum(Subquery(days_of_worker, output_field=IntegerField())), 0),
        )
        .values_list("post", "people", "days")
    )
    found = {post: (people, days) for post, people, days in rows}
    out = []
    for post in PostType.objects.filter(pk__in=found):
        people, days = found[post.pk]
        out.append(
            {
                "post": post,
                "people": people,
                "days": days,
                "per_person": rules.per_person(days, people),
            }
        )
    return out


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
    day = min(datetime.date(year, 12, 31), timezone.localdate())
    requirements = list(Requirement.objects.all())
    default = next((r for r in requirements if r.is_default), None)
    by_post = [r for r in requirements if not r.is_default]
    # Rank the post requirements once, strictest first, with the pure rule.
    ranked = sorted(
        by_post,
        key=lambda r: (
            -rules.Rule(r.min_days, r.every_years).days_per_year,
            r.every_years,
            -r.min_days,
        ),
    )
    rank = Case(
        *[When(pk=r.pk, then=Value(i)) for i, r in enumerate(ranked)],
        default=Value(len(ranked)),
        output_field=IntegerField(),
    )
    held = (
        Requirement.objects.filter(
            Q(post__holdings__worker=OuterRef("pk"))
            & Q(post__holdings__start__lte=day)
            & (Q(post__holdings__end__isnull=True) | Q(post__holdings__end__gt=day))
        )
        .annotate(rank=rank)
        .order_by("rank")
    )
    workers = Worker.objects.filter(
        path_q(viewer, "unit_path"), pk__in=_roster_ids(unit, day)
    ).annotate(
        req_days=Coalesce(
            Subquery(held.values("min_days")[:1]),
            Value(default.min_days if default else 0),
            output_field=IntegerField(),
        ),
        req_years=Coalesce(
            Subquery(held.values("every_years")[:1]),
            Value(default.every_years if default else 1),
            output_field=IntegerField(),
        ),
    )
    windows = sorted({r.every_years for r in requirements} | {1})
    whens = []
    for years in windows:
        first, last = rules.window(year, years)
        counted = (
            Attendance.objects.filter(worker=OuterRef("pk"), day__gte=first, day__lte=last)
            .values("worker")
            .annotate(n=Count("id"))
            .values("n")
        )
        name = f"days_{years}"
        workers = workers.annotate(
            **{name: Coalesce(Subquery(counted, output_field=IntegerField()), 0)}
        )
        whens.append(When(req_years=years, then=F(name)))
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
    """One-time awards in scope, for payment (pay takes the unpaid ones as one-off items)."""
    found = Award.objects.filter(path_q(viewer, "worker__unit_path")).select_related(
        "worker", "worker__community", "registration"
    )
    if year:
        found = found.filter(granted_on__year=year)
    if unpaid_only:
        found = found.filter(paid_on__isnull=True)
    return found.order_by("-granted_on", "worker__unit_path", "id")


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
