"""Every read of the burden register, scoped to the viewer.

Who sees what: an application, its own department's accounts and whoever reaches the district
(a district or city account); the admission list and the stamp lists, everyone at or below the
district (a community must know what it may refuse); what a community carries, whoever reaches
the community. Applications left unanswered past their deadline read as lapsed at once, where
the district has set it so, even before `shegong burden lapse` has written it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from shegong.burden.models import (
    ASKED,
    COUNTED_KINDS,
    EVENT_KINDS,
    AdmissionItem,
    Application,
    AskedAnswer,
    BurdenRecord,
    CalendarDay,
    Department,
    FormField,
    ItemKind,
    Policy,
    QuestionKind,
    RecordKind,
    ReportForm,
    StampEntry,
    Status,
    SurveyQuestion,
    SurveyTally,
    WorkerSurvey,
)
from shegong.burden.sources import Cell, Reading, read
from shegong.core.access import (
    Permission,
    get_in_scope_or_404,
    in_scope,
    path_q,
    root_paths,
    sees_everything,
)
from shegong.core.params import parse_id
from shegong.orgs.models import Unit, UnitKind

if TYPE_CHECKING:
    from shegong.core.models import User

INSPECTION_KINDS = (RecordKind.INSPECTION, RecordKind.APPRAISAL, RecordKind.RANKING)
REFUSABLE_Q = (
    Q(kind=RecordKind.STAMP) & (Q(stamp__isnull=True) | ~Q(stamp__listing="positive"))
) | (
    ~Q(kind=RecordKind.STAMP)
    & (
        Q(item__isnull=True)
        | Q(item__kind=ItemKind.REFUSED)
        | Q(item__retired_on__year__lt=F("year"))  # a year after the item was retired
    )
)
IN_FORCE = [ItemKind.DUTY, ItemKind.ASSIST]
ONE_DECIMAL = Decimal("0.1")


def _ancestors(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _district_q(viewer: User, field: str) -> Q:
    """Records of a district the viewer reaches, is inside, or is above."""
    if sees_everything(viewer):
        return Q()
    above = sorted({p for root in root_paths(viewer) for p in _ancestors(root)})
    return path_q(viewer, field) | Q(**{f"{field}__in": above})


def departments_of(*, viewer: User) -> QuerySet[Department]:
    """The departments the viewer files for."""
    return Department.objects.filter(members=viewer).select_related("district")


def department_list(*, viewer: User) -> QuerySet[Department]:
    return Department.objects.filter(_district_q(viewer, "district__path")).select_related(
        "district"
    )


def districts_for_edit(*, viewer: User) -> QuerySet[Unit]:
    """The districts whose list the viewer keeps (the edit right on the district)."""
    units = Unit.objects.filter(kind=UnitKind.DISTRICT)
    return units.filter(path_q(viewer, "path", Permission.EDIT)).order_by("path")


def districts_visible(*, viewer: User) -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.DISTRICT).filter(_district_q(viewer, "path"))


def policy_get(*, district: Unit) -> Policy:
    found = Policy.objects.filter(district=district).first()
    return found if found is not None else Policy(district=district)


def calendar_list(*, year: int) -> QuerySet[CalendarDay]:
    return CalendarDay.objects.filter(day__year=year)


# ---------------------------------------------------------------- applications


def _application_q(viewer: User) -> Q:
    own = Q(department__members=viewer) if viewer.is_authenticated else Q(pk__in=[])
    return own | path_q(viewer, "department__district__path")


def _effective_status() -> Case:
    """An unanswered application past its deadline reads as lapsed where the district lapses
    them (the command writes it; the pages and API never wait for it)."""
    from django.utils import timezone

    keep = Policy.objects.filter(lapse_overdue=False).values("district")
    return Case(
        When(
            Q(status=Status.FILED, due_on__lt=timezone.localdate())
            & ~Q(department__district__in=keep),
            then=Value(Status.LAPSED),
        ),
        default="status",
        output_field=CharField(),
    )


def application_list(*, viewer: User, status: str = "") -> QuerySet[Application]:
    found = (
        Application.objects.filter(_application_q(viewer))
        .distinct()
        .select_related("department__district", "filed_by", "decided_by")
        .annotate(current=_effective_status())
    )
    if status:
        found = found.filter(current=status)
    return found.order_by("-filed_on", "-id")


def application_get(*, viewer: User, pk: int | str) -> Application:
    key = parse_id(pk)
    found = application_list(viewer=viewer).filter(pk=key).first() if key else None
    if found is None:
        raise Http404
    return found


# ---------------------------------------------------------------- the lists


def item_list(
    *, viewer: User, district: Unit | None = None, kind: str = "", retired: bool = False
) -> QuerySet[AdmissionItem]:
    """The list in force (or, with `retired`, the items taken off it, kept for the record)."""
    items = AdmissionItem.objects.filter(
        _district_q(viewer, "district__path"), retired_on__isnull=not retired
    )
    if district is not None:
        items = items.filter(district=district)
    if kind:
        items = items.filter(kind=kind)
    return items.select_related("department", "district")


def item_get(*, viewer: User, pk: int | str) -> AdmissionItem:
    """An item of a list the viewer sees, retired or not."""
    key = parse_id(pk)
    found = (
        AdmissionItem.objects.filter(_district_q(viewer, "district__path"), pk=key)
        .select_related("department", "district")
        .first()
        if key
        else None
    )
    if found is None:
        raise Http404
    return found


def stamp_list(*, viewer: User, district: Unit | None = None) -> QuerySet[StampEntry]:
    entries = StampEntry.objects.filter(_district_q(viewer, "district__path"))
    if district is not None:
        entries = entries.filter(district=district)
    return entries.select_related("district")


# ---------------------------------------------------------------- records


def record_list(
    *, viewer: User, unit: Unit, year: int | None = None, kind: str = "", refusable: bool = False
) -> QuerySet[BurdenRecord]:
    records = BurdenRecord.objects.filter(
        path_q(viewer, "community__path"), community__path__startswith=unit.path
    )
    if year:
        records = records.filter(year=year)
    if kind:
        records = records.filter(kind=kind)
    if refusable:
        records = records.filter(REFUSABLE_Q)
    records = records.annotate(
        refusable=Case(When(REFUSABLE_Q, then=Value(True)), default=Value(False))
    )
    return records.select_related("community", "department", "item", "stamp").order_by(
        "community__path", "kind", "-day", "id"
    )


def record_get(*, viewer: User, pk: int | str) -> BurdenRecord:
    key = parse_id(pk)
    if key is None:
        raise Http404
    return get_in_scope_or_404(
        BurdenRecord.objects.select_related("community"), viewer, "community", pk=key
    )


def communities_for_edit(*, viewer: User) -> QuerySet[Unit]:
    units = Unit.objects.filter(kind=UnitKind.COMMUNITY)
    return units.filter(path_q(viewer, "path", Permission.EDIT)).order_by("path")


# ---------------------------------------------------------------- the summary


def _items_for(unit: Unit, year: int) -> QuerySet[AdmissionItem]:
    """The admission items in force over `unit` in `year`: its district's, or every district
    below; published by the year's end and not retired before it began."""
    return AdmissionItem.objects.filter(
        Q(district__path__in=_ancestors(unit.path)) | Q(district__path__startswith=unit.path),
        kind__in=IN_FORCE,
        published_on__lte=datetime.date(year, 12, 31),
    ).exclude(retired_on__lt=datetime.date(year, 1, 1))


COUNT_KEYS = ("ledgers", "signboards", "stamp_kinds", "inspections", "meetings", "hours",
              "staff_times", "without_admission")  # fmt: skip


def _aggregates() -> dict[str, Any]:
    """The counts of one pass over the records but the kinds of stamp: a distinct count sorts
    every row it is given (three times the pass on a district's five years), so the stamps'
    titles are counted apart, over the stamp rows only (_grouped)."""
    return {
        "ledgers": Count("pk", filter=Q(kind=RecordKind.LEDGER)),
        "signboards": Count("pk", filter=Q(kind=RecordKind.SIGNBOARD)),
        "inspections": Count("pk", filter=Q(kind__in=INSPECTION_KINDS)),
        "meetings": Count("pk", filter=Q(kind=RecordKind.MEETING)),
        "hours": Sum("hours", filter=Q(kind__in=EVENT_KINDS)),
        "staff_times": Sum("staff", filter=Q(kind__in=EVENT_KINDS)),
        "without_admission": Count("pk", filter=REFUSABLE_Q),
    }


def _tidy(agg: dict[str, Any]) -> dict[str, Any]:
    # SQLite sums decimals as floats: one decimal, as the records hold them.
    out = {key: agg.get(key) or 0 for key in COUNT_KEYS}
    out["hours"] = str(Decimal(str(agg.get("hours") or 0)).quantize(ONE_DECIMAL))
    return out


def _grouped(records: QuerySet[BurdenRecord], by: str) -> dict[Any, dict[str, Any]]:
    """The counts of `records` per value of `by`, tidied, in two queries."""
    found = {row.pop(by): row for row in records.values(by).annotate(**_aggregates()).order_by()}
    kinds = (
        records.filter(kind=RecordKind.STAMP)
        .values(by)
        .annotate(n=Count("title", distinct=True))
        .order_by()
        .values_list(by, "n")
    )
    for key, n in kinds:
        found.setdefault(key, {})["stamp_kinds"] = n
    return {key: _tidy(row) for key, row in found.items()}


def _community_rows(viewer: User, unit: Unit, year: int) -> list[dict[str, Any]]:
    communities = Unit.objects.filter(
        path_q(viewer, "path"), path__startswith=unit.path, kind=UnitKind.COMMUNITY
    ).order_by("path")
    in_force: dict[int | None, tuple[int, int]] = {}
    rows: list[dict[str, Any]] = []
    grouped = _grouped(
        BurdenRecord.objects.filter(
            path_q(viewer, "community__path"), community__path__startswith=unit.path, year=year
        ),
        "community_id",
    )
    for community in communities:
        key = community.parent_id  # every community of a street has the same district
        if key not in in_force:
            counted = _items_for(community, year).aggregate(
                n=Count("pk"), unfunded=Count("pk", filter=Q(funded=False))
            )
            in_force[key] = (counted["n"], counted["unfunded"])
        row: dict[str, Any] = {"code": community.code, "name": community.name}
        row |= {"items": in_force[key][0], "unfunded_items": in_force[key][1]}
        row |= grouped.get(community.pk) or _tidy({})
        rows.append(row)
    return rows


def _by_department(records: QuerySet[BurdenRecord]) -> list[dict[str, Any]]:
    """The ten that impose the most, counted in the database (a district's year is tens of
    thousands of records: they are not fetched)."""
    tally: Counter[str] = Counter()
    refusable: Counter[str] = Counter()
    grouped = (
        records.values("department__name", "imposed_by")
        .annotate(n=Count("pk"), flagged=Count("pk", filter=REFUSABLE_Q))
        .order_by()
    )
    for row in grouped:
        who = row["department__name"] or row["imposed_by"]
        tally[who] += row["n"]
        refusable[who] += row["flagged"]
    ranked = sorted(tally.items(), key=lambda pair: (-pair[1], pair[0]))[:10]
    return [
        {"department": who, "records": n, "without_admission": refusable[who]} for who, n in ranked
    ]


def _by_year(viewer: User, unit: Unit, year: int) -> dict[int, dict[str, Any]]:
    """The counts of each of the five years to `year`, in one pass over the records."""
    found = _grouped(
        BurdenRecord.objects.filter(
            path_q(viewer, "community__path"),
            community__path__startswith=unit.path,
            year__gte=year - 4,
            year__lte=year,
        ),
        "year",
    )
    return {y: found.get(y) or _tidy({}) for y in range(year - 4, year + 1)}


def burden_summary(*, viewer: User, unit: Unit, year: int) -> dict[str, Any]:
    """The burden of `unit` (in the viewer's scope) in `year`, as the report's JSON: counts per
    community and in all, the trend over five years, the departments that impose the most and
    the communities worst off. Numbers are ints; hours a string with one decimal."""
    records = BurdenRecord.objects.filter(
        path_q(viewer, "community__path"), community__path__startswith=unit.path, year=year
    )
    items = _items_for(unit, year)
    rows = _community_rows(viewer, unit, year)
    worst = sorted(rows, key=lambda r: (-r["without_admission"], -Decimal(r["hours"]), r["code"]))[
        :10
    ]
    by_year = _by_year(viewer, unit, year)
    in_force = items.aggregate(
        all=Count("pk"),
        unfunded=Count("pk", filter=Q(funded=False)),
        **{str(value): Count("pk", filter=Q(kind=value)) for value in IN_FORCE},
    )
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "year": year,
        "communities": rows,
        "items": in_force["all"],
        "items_by_kind": {
            str(label): in_force[str(value)]
            for value, label in ItemKind.choices
            if value in IN_FORCE
        },
        "unfunded_items": in_force["unfunded"],
        **by_year[year],
        "trend": [{"year": y, **counts} for y, counts in by_year.items()],
        "departments": _by_department(records),
        "worst": [{"code": r["code"], "name": r["name"]} for r in worst],
        # 一表通: forms of the unit's districts; hours saved per filling of every community.
        **_form_counts(unit, len(rows)),
        "survey": _survey_summary(viewer, unit, year),
    }


# ---------------------------------------------------------------- 一表通: report forms


@dataclass(frozen=True)
class Filled:
    """One field of a form filled for a unit and period; a column source's value is the
    list written down from its cell."""

    sheet: str
    cell: str
    label: str
    source: str
    key: str
    value: Cell
    from_data: bool

    @property
    def rows(self) -> list[Any]:
        return self.value if isinstance(self.value, list) else []

    @property
    def is_column(self) -> bool:
        return isinstance(self.value, list)


def form_list(*, viewer: User) -> QuerySet[ReportForm]:
    visible = _district_q(viewer, "department__district__path") | Q(department__members=viewer)
    return (
        ReportForm.objects.filter(visible)
        .distinct()
        .select_related("department__district")
        .annotate(
            n_fields=Count("fields", distinct=True),
            n_asked=Count("fields", filter=Q(fields__source=ASKED), distinct=True),
        )
        .defer("layout")
        .order_by("department__name", "title")
    )


def form_get(*, viewer: User, pk: int | str) -> ReportForm:
    key = parse_id(pk)
    found = form_list(viewer=viewer).filter(pk=key).first() if key else None
    if found is None:
        raise Http404
    return ReportForm.objects.select_related("department__district").get(pk=found.pk)


def form_sheets(*, form: ReportForm) -> list[str]:
    """The sheets of the form's layout, in the workbook's order."""
    from shegong.core.sheets import read_layout

    return [name for name, _rows in read_layout(bytes(form.layout), "layout.xlsx")[1]]


def form_fields(*, form: ReportForm) -> QuerySet[FormField]:
    return form.fields.order_by("sheet", "id")


def form_fill(*, viewer: User, form: ReportForm, unit: Unit, period: datetime.date) -> list[Filled]:
    """Every field of the form for `unit` on `period`: data sources read for the viewer's
    scope (each area once); asked fields from the community's stored answers (None while
    unanswered)."""
    if not in_scope(viewer, unit):
        raise Http404
    fields = list(form.fields.order_by("id"))
    answers = dict(
        AskedAnswer.objects.filter(
            community=unit, period=period, key__in=[f.key for f in fields if f.source == ASKED]
        ).values_list("key", "value")
    )
    reading = Reading(viewer, unit, period)
    filled = []
    for f in fields:
        value: Cell = answers.get(f.key) if f.source == ASKED else read(f.source, reading)
        filled.append(Filled(f.sheet, f.cell, f.label, f.source, f.key, value, f.source != ASKED))
    return filled


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def form_workbook(*, form: ReportForm, filled: list[Filled]) -> bytes:
    """The form in the department's own layout, every sheet of it, with the values written
    in: numbers as number cells, answers and names as text cells, a list down its column."""
    import io

    from openpyxl import load_workbook

    from shegong.burden.services import cell_position
    from shegong.core.text import xlsx_put

    book = load_workbook(io.BytesIO(bytes(form.layout)))
    for f in filled:
        position = cell_position(f.cell)
        if position is None or f.value is None or f.sheet not in book.sheetnames:
            continue
        sheet = book[f.sheet]
        values = f.rows if f.is_column else [f.value]
        for offset, value in enumerate(values):
            if value is not None:
                xlsx_put(sheet, position[0] + offset, position[1], _number(value))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _form_counts(unit: Unit, communities: int) -> dict[str, Any]:
    forms = ReportForm.objects.filter(
        Q(department__district__path__in=_ancestors(unit.path))
        | Q(department__district__path__startswith=unit.path)
    )
    fields = FormField.objects.filter(form__in=forms)
    from_data = fields.exclude(source=ASKED).count()
    rate = (
        Policy.objects.filter(district__path__in=_ancestors(unit.path))
        .values_list("hours_per_field", flat=True)
        .first()
    )
    per_field = Decimal(str(rate)) if rate is not None else Policy().hours_per_field
    hours = (Decimal(from_data * communities) * Decimal(per_field)).quantize(ONE_DECIMAL)
    return {
        "forms": forms.count(),
        "fields_from_data": from_data,
        "fields_asked": fields.filter(source=ASKED).count(),
        "hours_saved": str(hours),
    }


# ---------------------------------------------------------------- the workers' questionnaire

DIMENSION_LABELS = {"all": _("全部"), "unit": _("社区"), "post": _("岗位"), "age": _("年龄段"),
                    "source": _("来源方式")}  # fmt: skip


def worker_survey_list(*, viewer: User) -> QuerySet[WorkerSurvey]:
    return WorkerSurvey.objects.filter(path_q(viewer, "unit__path")).select_related("unit")


def worker_survey_get(*, viewer: User, pk: int | str) -> WorkerSurvey:
    key = parse_id(pk)
    if key is None:
        raise Http404
    return get_in_scope_or_404(WorkerSurvey.objects.select_related("unit"), viewer, "unit", pk=key)


def question_get(*, viewer: User, pk: int | str) -> SurveyQuestion:
    """A question of a questionnaire the viewer reaches (404 like a missing one otherwise)."""
    key = parse_id(pk)
    found = (
        SurveyQuestion.objects.filter(path_q(viewer, "survey__unit__path"), pk=key)
        .select_related("survey__unit")
        .first()
        if key
        else None
    )
    if found is None:
        raise Http404
    return found


def questions_frozen(*, survey: WorkerSurvey) -> bool:
    """Whether the questions can no longer change (codes issued, or no longer a draft)."""
    return survey.status != "draft" or survey.codes.exists()


def _withheld_groups(sizes: dict[str, int], least: int) -> set[str]:
    """Groups too small to show, and, when exactly one is, the next smallest too (else the
    hidden one is the total less the others)."""
    small = {g for g, n in sizes.items() if n < least}
    if len(small) == 1 and len(sizes) > 1:
        rest = sorted((n, g) for g, n in sizes.items() if g not in small)
        small.add(rest[0][1])
    return small


def worker_survey_results(*, viewer: User, survey: WorkerSurvey) -> dict[str, Any]:
    """Counts per choice by dimension and group; a group of fewer respondents than
    settings.SHEGONG_MIN_GROUP_SIZE is withheld (and the survey as a whole below it)."""
    from django.conf import settings

    least = settings.SHEGONG_MIN_GROUP_SIZE
    tallies = list(SurveyTally.objects.filter(survey=survey).values_list(
        "dimension", "group", "question", "choice", "count"))  # fmt: skip
    sizes: dict[str, dict[str, int]] = {}
    for dimension, group, question, _c, count in tallies:
        if question == 0:
            sizes.setdefault(dimension, {})[group] = count
    questions = list(survey.questions.order_by("position"))
    counted = [q for q in questions if q.kind in COUNTED_KINDS]
    out: dict[str, Any] = {"respondents": survey.respondents, "dimensions": []}
    for dimension, label in DIMENSION_LABELS.items():
        groups = sizes.get(dimension, {})
        hidden = _withheld_groups(groups, least) if dimension != "all" else (
            {""} if groups.get("", 0) < least else set()
        )  # fmt: skip
        rows = []
        for group in sorted(groups):
            counts = {(q, c): n for d, g, q, c, n in tallies if d == dimension and g == group}
            per_question = [
                [counts.get((q.position, i), 0) for i in range(len(q.choices))] for q in counted
            ]
            rows.append({
                "group": group or str(_("全部")),
                "respondents": None if group in hidden else groups[group],
                "questions": None if group in hidden else per_question,
                "means": None if group in hidden else [
                    _scale_mean(c) if q.kind == QuestionKind.SCALE else None
                    for q, c in zip(counted, per_question, strict=True)
                ],
            })  # fmt: skip
        out["dimensions"].append({"key": dimension, "label": str(label), "rows": rows})
    shown = survey.respondents >= least
    out["questions"] = [
        {"text": q.text, "kind": q.kind, "choices": q.choices, "multi": q.kind == "multi"}
        for q in counted
    ]
    out["comments"] = list(survey.comments.values_list("text", flat=True)) if shown else []
    return out


def _scale_mean(counts: list[int]) -> Decimal | None:
    """The average point of a scale (its points are 1, 2, …), to one decimal."""
    answered = sum(counts)
    if not answered:
        return None
    total = sum((i + 1) * n for i, n in enumerate(counts))
    return (Decimal(total) / answered).quantize(ONE_DECIMAL)


def survey_questions(*, survey_id: int) -> list[Any]:
    """The questions of a survey, for whoever holds one of its live codes."""

    return list(SurveyQuestion.objects.filter(survey_id=survey_id).order_by("position"))


def _survey_summary(viewer: User, unit: Unit, year: int) -> dict[str, Any] | None:
    """The questionnaire of `year` (or the latest before it) of the unit or above it, as a
    whole (None without one)."""
    found = (
        WorkerSurvey.objects.filter(
            path_q(viewer, "unit__path") | Q(unit__path__in=_ancestors(unit.path))
        )
        .filter(Q(unit__path__in=_ancestors(unit.path)) | Q(unit__path__startswith=unit.path))
        .exclude(status="draft")
        .filter(year__lte=year)
        .order_by("-year", "-id")
        .first()
    )
    if found is None:
        return None
    if not in_scope(viewer, found.unit):
        # A survey of a unit above the viewer's (a district's, seen by a community's clerk):
        # its results are that unit's, out of the viewer's scope like any of its figures.
        return {
            "title": found.title,
            "unit": found.unit.name,
            "respondents": None,
            "questions": [
                {"text": q.text, "choices": q.choices, "counts": None}
                for q in found.questions.order_by("position")
                if q.kind == "choice"
            ],
            "above": True,
        }
    # The whole only: its tallies alone are read (worker_survey_results reads and walks
    # every group of every dimension, a district's communities among them).
    from django.conf import settings

    tallies = SurveyTally.objects.filter(survey=found, dimension="all", group="")
    counts = {(q, c): n for q, c, n in tallies.values_list("question", "choice", "count")}
    shown = counts.get((0, 0), 0) >= settings.SHEGONG_MIN_GROUP_SIZE
    questions = [q for q in found.questions.order_by("position") if q.kind == "choice"]
    return {
        "title": found.title,
        "unit": found.unit.name,
        "respondents": found.respondents,
        "questions": [
            {
                "text": q.text,
                "choices": q.choices,
                "counts": [counts.get((q.position, i), 0) for i in range(len(q.choices))]
                if shown
                else None,
            }
            for q in questions
        ],
    }


def account_for_department(*, viewer: User, username: str) -> User | None:
    """An account an admin may make a department's (the service checks the right and that
    it holds no other role)."""
    from shegong.core.models import User as Account

    return Account.objects.filter(username=username, is_active=True).first()
