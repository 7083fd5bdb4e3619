"""Every read of the roster, scoped to the viewer.

Scoping is one indexed filter on the worker's copied `unit_path`. The roster "as of" a date
comes from placements: `start <= D and (end is null or end > D)`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from shegong.core import access
from shegong.core.access import Permission, path_q, root_paths, sees_everything
from shegong.core.models import AuditEntry
from shegong.orgs.models import Unit, UnitKind
from shegong.people import rules
from shegong.people.models import (
    Certificate,
    Placement,
    PostHolding,
    PostType,
    ProposalStatus,
    StandingProposal,
    Worker,
    WorkerStatus,
)
from shegong.people.record import RecordRow, RecordSection

if TYPE_CHECKING:
    from shegong.core.models import User

SORTS: dict[str, list[str]] = {
    "name": ["name_initials", "name", "id"],
    "-name": ["-name_initials", "-name", "-id"],
    "age": ["-birth_date", "id"],
    "-age": ["birth_date", "id"],
    "community": ["unit_path", "name_initials", "id"],
    "-community": ["-unit_path", "name_initials", "id"],
    "work_start": ["work_start_date", "id"],
    "-work_start": ["-work_start_date", "id"],
    "updated": ["-updated_at", "-id"],
}
DEFAULT_SORT = "community"
# A viewer without the personal-data right sorts by birth year only: an exact order of
# birthdays would let them place a worker of their own making beside another and read the day.
YEAR_SORTS: dict[str, list[str]] = {
    "age": ["-birth_year", "id"],
    "-age": ["birth_year", "id"],
}


@dataclass
class WorkerFilters:
    """What a roster list is narrowed to; every field optional."""

    unit: str = ""  # a unit code: that unit and everything below it
    post: str = ""  # a PostType code held (currently, or on `as_of`)
    education: str = ""
    age_min: int | None = None
    age_max: int | None = None
    source: str = ""
    certificate: str = ""  # a CertificateKind, "any" or "none"
    political: str = ""
    gender: str = ""
    status: str = ""
    dual_role: bool | None = None
    q: str = ""
    sort: str = DEFAULT_SORT
    as_of: datetime.date | None = None

    @classmethod
    def from_mapping(cls, data: Any) -> WorkerFilters:
        """From query parameters; malformed values are ignored rather than refused."""

        def text(name: str) -> str:
            return str(data.get(name) or "").strip()

        def number(name: str) -> int | None:
            value = text(name)
            return int(value) if value.isdigit() and len(value) <= 3 else None

        as_of = None
        if text("as_of"):
            try:
                as_of = datetime.date.fromisoformat(text("as_of"))
            except ValueError:
                as_of = None
        if as_of is not None and not 1900 <= as_of.year <= 2100:
            as_of = None  # no roster then; and ages counted back from it would not fit a date
        dual = text("dual_role")
        return cls(
            unit=text("unit"),
            post=text("post"),
            education=text("education"),
            age_min=number("age_min"),
            age_max=number("age_max"),
            source=text("source"),
            certificate=text("certificate"),
            political=text("political"),
            gender=text("gender"),
            status=text("status"),
            dual_role={"1": True, "true": True, "0": False, "false": False}.get(dual),
            q=text("q"),
            sort=text("sort") if text("sort") in SORTS else DEFAULT_SORT,
            as_of=as_of,
        )


def _covering(day: datetime.date, prefix: str = "") -> Q:
    """Dated rows in force on `day`."""
    return Q(**{f"{prefix}start__lte": day}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": day})
    )


def worker_scope_q(viewer: User) -> Q:
    return path_q(viewer, "unit_path")


def personal_data_q(viewer: User) -> Q:
    """The workers whose personal data the viewer may see."""
    return path_q(viewer, "unit_path", Permission.PERSONAL_DATA)


def sees_personal_data_everywhere(viewer: User) -> bool:
    """Whether the viewer holds the personal-data right on every unit they see; otherwise
    ages, age filters and the age sort go by birth year only (rules.age_in_year)."""
    if sees_everything(viewer):
        return True
    if not viewer.is_active:
        return False
    covered = root_paths(viewer, Permission.PERSONAL_DATA)
    return all(any(root.startswith(c) for c in covered) for root in root_paths(viewer))


def age_for(*, viewer: User, worker: Worker, day: datetime.date) -> int:
    """A worker's age on `day` as the viewer may see it: full years with the personal-data
    right, else the age reached within that year."""
    if may_see_personal_data(viewer=viewer, worker=worker):
        return rules.age_on(worker.birth_date, day)
    return rules.age_in_year(worker.birth_date, day)


def worker_list(*, viewer: User, filters: WorkerFilters | None = None) -> QuerySet[Worker]:
    """The workers the viewer sees, narrowed by `filters`.

    Without `as_of`: by the worker's current (or last) community. With `as_of`: the workers
    placed, on that day, in a community the viewer sees; each row is annotated with
    `placed_unit_name`, the community they were in then. A worker who has since moved out of
    the viewer's scope is withheld: what the row would show of them (phone, education, status
    …) is their current data, which is no longer the viewer's to see. The structure figures as
    of that day still count them.
    """
    f = filters or WorkerFilters()
    workers = Worker.objects.select_related("community")
    if f.as_of is None:
        workers = workers.filter(worker_scope_q(viewer))
        if f.unit:
            unit = Unit.objects.filter(code=f.unit).only("path").first()
            workers = workers.filter(unit_path__startswith=unit.path) if unit else workers.none()
    else:
        placed = Placement.objects.filter(
            _covering(f.as_of), path_q(viewer, "unit_path"), worker=OuterRef("pk")
        )
        if f.unit:
            unit = Unit.objects.filter(code=f.unit).only("path").first()
            placed = placed.filter(unit_path__startswith=unit.path) if unit else placed.none()
        workers = workers.filter(Exists(placed), worker_scope_q(viewer)).annotate(
            placed_unit_name=Subquery(placed.order_by("-start").values("unit__name")[:1]),
            placed_unit_code=Subquery(placed.order_by("-start").values("unit__code")[:1]),
        )
    day = f.as_of or timezone.localdate()
    if f.post:
        held = PostHolding.objects.filter(worker=OuterRef("pk"), post__code=f.post)
        held = held.filter(_covering(day)) if f.as_of else held.filter(end__isnull=True)
        workers = workers.filter(Exists(held))
    for name in ("education", "source", "political", "gender", "status"):
        value = getattr(f, name)
        if value:
            workers = workers.filter(**{name: value})
    if f.dual_role is not None:
        workers = workers.filter(is_dual_role=f.dual_role)
    exact = sees_personal_data_everywhere(viewer)
    if f.age_min is not None:
        if exact:
            latest = rules.born_on_or_before_for_age(f.age_min, day)
            workers = workers.filter(birth_date__lte=latest)
        else:
            workers = workers.filter(birth_date__year__lte=day.year - f.age_min)
    if f.age_max is not None:
        if exact:
            latest = rules.born_on_or_before_for_age(f.age_max + 1, day)
            workers = workers.filter(birth_date__gt=latest)
        else:
            workers = workers.filter(birth_date__year__gte=day.year - f.age_max)
    if f.certificate:
        certificates = Certificate.objects.filter(worker=OuterRef("pk"))
        if f.as_of:
            certificates = certificates.filter(issued_on__lte=f.as_of)
        if f.certificate == "none":
            workers = workers.exclude(Exists(certificates))
        elif f.certificate == "any":
            workers = workers.filter(Exists(certificates))
        else:
            workers = workers.filter(Exists(certificates.filter(kind=f.certificate)))
    if f.q:
        workers = workers.filter(_search_q(f.q, viewer))
    if f.sort in YEAR_SORTS and not exact:
        return workers.annotate(birth_year=ExtractYear("birth_date")).order_by(*YEAR_SORTS[f.sort])
    return workers.order_by(*SORTS.get(f.sort, SORTS[DEFAULT_SORT]))


def _search_q(query: str, viewer: User) -> Q:
    """Name contains it, pinyin initials start with it, or the ID number ends with it.

    An ID tail matches any worker only when it is exactly the tail a masked number shows;
    a longer one matches only workers whose personal data the viewer may see, so no search
    tests a guess of the hidden digits."""
    found = Q(name__contains=query)
    if query.isascii() and query.isalpha():
        found |= Q(name_initials__startswith=query.lower())
    if rules.looks_like_shown_tail(query):
        found |= Q(id_number__endswith=query.upper())
    elif rules.looks_like_id_tail(query):
        found |= Q(id_number__endswith=query.upper()) & personal_data_q(viewer)
    return found


def id_search_hits(*, viewer: User, query: str, workers: Iterable[Worker]) -> list[Worker]:
    """Among `workers` (a page of a search), those found by their ID number whose number the
    viewer may see: what services.personal_data_search_disclose records."""
    if not rules.looks_like_id_tail(query):
        return []
    tail = query.upper()
    return [
        w
        for w in workers
        if w.id_number.endswith(tail) and may_see_personal_data(viewer=viewer, worker=w)
    ]


def worker_get(*, viewer: User, pk: int | str) -> Worker:
    """The worker, or 404 for both "missing" and "not yours"."""
    if not str(pk).isdigit():
        raise Http404
    found = (
        Worker.objects.select_related("community", "community__parent")
        .filter(worker_scope_q(viewer), pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class PersonalData:
    """A worker's ID number and phone as this viewer may see them."""

    id_number: str
    phone: str
    unmasked: bool
    birth_date: str = ""  # ISO date unmasked, else the year only


def may_see_personal_data(*, viewer: User, worker: Worker) -> bool:
    return access.may_see_personal_data(viewer, worker.community)


def personal_data_for(*, viewer: User, worker: Worker, unmask: bool = True) -> PersonalData:
    """Unmasked only when asked for and the viewer holds the personal-data permission on the
    worker's community. Whoever shows an unmasked value records it with
    services.personal_data_disclose."""
    if unmask and may_see_personal_data(viewer=viewer, worker=worker):
        return PersonalData(worker.id_number, worker.phone, True, worker.birth_date.isoformat())
    return PersonalData(
        rules.mask_id_number(worker.id_number),
        rules.mask_phone(worker.phone),
        False,
        rules.mask_birth_date(worker.birth_date),
    )


def worker_history(*, viewer: User, worker: Worker) -> dict[str, Any]:
    """Everything dated about a worker, oldest first, and their audit trail, newest first.

    `worker` must come from worker_get (already scoped)."""
    audit = AuditEntry.objects.filter(
        target_type=Worker._meta.label, target_id=str(worker.pk)
    ).select_related("actor")
    return {
        "placements": worker.placements.select_related("unit", "unit__parent").order_by(
            "start", "id"
        ),
        "posts": worker.posts.select_related("post").order_by("start", "id"),
        "certificates": worker.certificates.order_by("issued_on", "id"),
        "insurances": worker.insurances.order_by("kind", "start"),
        "representative_roles": worker.representative_roles.order_by("start", "id"),
        "audit": audit[:100],
    }


def current_posts(*, worker: Worker) -> QuerySet[PostHolding]:
    return worker.posts.filter(end__isnull=True).select_related("post")


def post_types() -> QuerySet[PostType]:
    return PostType.objects.all()


def communities_for_edit(*, viewer: User) -> QuerySet[Unit]:
    """The communities where the viewer may register or move workers."""
    return Unit.objects.filter(
        path_q(viewer, "path", Permission.EDIT), kind=UnitKind.COMMUNITY
    ).order_by("path")


def units_for_filter(*, viewer: User) -> QuerySet[Unit]:
    """The units the viewer may narrow the list to (their subtree, streets and below)."""
    return Unit.objects.filter(path_q(viewer, "path"), kind__gte=UnitKind.DISTRICT).order_by("path")


def headcount(*, viewer: User, unit: Unit | None = None) -> int:
    """Workers in post that the viewer sees (below `unit` when given): the roster's count."""
    workers = Worker.objects.filter(worker_scope_q(viewer), status=WorkerStatus.ACTIVE)
    if unit is not None:
        workers = workers.filter(unit_path__startswith=unit.path)
    return workers.count()


def grades_section(viewer: User, worker: Worker) -> RecordSection:
    """The worker's grade of each year in the one vocabulary, with where it came from (the
    appraisal that published it, or a pay office's entry): what pay and the steps read."""
    return RecordSection(
        key="people.grades",
        title=gettext("年度考核等次"),
        columns=(gettext("年度"), gettext("考核等次"), gettext("来源")),
        rows=[
            RecordRow(cells=(str(g.year), g.get_grade_display(), g.source_label))
            for g in worker.yearly_grades.order_by("-year")
        ],
        empty=gettext("暂无记录(绩效按未考核系数计发)"),
        note=gettext("绩效工资按上一年度等次计发;不合格年度不计入晋档年限。"),
    )


def proposal_list(
    *, viewer: User, kind: str = "", status: str = ProposalStatus.PENDING
) -> QuerySet[StandingProposal]:
    """Proposals on the roster for workers now in the viewer's units (pending by default)."""
    rows = StandingProposal.objects.filter(path_q(viewer, "worker__unit_path")).select_related(
        "worker__community", "decided_by"
    )
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-year", "kind", "worker__unit_path", "worker__name_initials", "pk")


def proposals_for_decision(*, viewer: User, pks: Iterable[int]) -> list[StandingProposal]:
    """The pending proposals of those ids the viewer may decide (edit right on the worker's
    community); any other id is left out, like a missing one."""
    return list(
        StandingProposal.objects.filter(
            path_q(viewer, "worker__unit_path", Permission.EDIT),
            pk__in=list(pks),
            status=ProposalStatus.PENDING,
        )
    )


def standing_section(viewer: User, worker: Worker) -> RecordSection:
    """The worker's standing: what each appraisal proposed (续聘, 诫勉, 解聘) and the decision."""
    return RecordSection(
        key="people.standing",
        title=gettext("聘用建议"),
        columns=(gettext("年度"), gettext("建议"), gettext("来源"), gettext("决定")),
        rows=[
            RecordRow(
                cells=(
                    str(p.year),
                    p.get_kind_display(),
                    p.source_label,
                    p.get_status_display()
                    + (f"({p.decided_at:%Y-%m-%d} {p.decision_note})" if p.decided_at else ""),
                )
            )
            for p in worker.proposals.order_by("-year", "-pk")
        ],
        url=reverse("people:standing"),
        link_label=gettext("聘用建议"),
        empty=gettext("暂无"),
    )
