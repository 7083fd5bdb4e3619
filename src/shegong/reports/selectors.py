"""Structure analysis (队伍结构分析): every figure computed by the database, scoped to the viewer.

"The roster as of D" is the workers with a placement covering D (`start <= D` and `end` null or
after D) in a community below the unit: someone who left before D or came after is not counted.
Ages and tenures are full years on D; their bands are `CASE WHEN birth_date > cutoff` chains
on dates computed once from D, so the grouping stays in SQL and uses plain date comparisons.

Queries for one day, whatever the number of workers:
  1. one GROUP BY over the workers (gender × age band × education × political × source × tenure
     band) with COUNT and SUM(age): at most a few thousand cells, folded into the breakdowns;
  2. one aggregate over certificates held on D (distinct workers per highest level);
  3. one GROUP BY over post holdings on D; one aggregate over secretaries and directors;
  4. one GROUP BY over representative roles on D;
  5. for the standards: one GROUP BY over placements per community, one over certificates per
     community, one over community profiles.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.http import Http404
from django.utils.translation import gettext as _

from shegong.core.access import in_scope, path_q
from shegong.core.db import report_session
from shegong.orgs.models import CommunityProfile, Unit, UnitKind
from shegong.orgs.selectors import unit_roots
from shegong.people.models import (
    Certificate,
    CertificateKind,
    Education,
    Gender,
    Placement,
    Political,
    PostHolding,
    PostType,
    RepresentativeKind,
    RepresentativeLevel,
    RepresentativeRole,
    Source,
    Worker,
)
from shegong.reports import rules
from shegong.reports.rules import Figures
from shegong.training.selectors import training_figures

if TYPE_CHECKING:
    from shegong.core.models import User

COLLEGE_OR_ABOVE = (Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE)
# Highest first; "other" certificates are not social-work qualifications.
QUALIFICATIONS = (CertificateKind.SENIOR, CertificateKind.SOCIAL_WORKER, CertificateKind.ASSISTANT)
UNKNOWN = -1


def _covering(day: datetime.date, prefix: str = "") -> Q:
    """Dated rows in force on `day`."""
    return Q(**{f"{prefix}start__lte": day}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": day})
    )


def check_unit(*, viewer: User, unit: Unit) -> None:
    """404 for a unit the viewer does not see (the same answer as a missing one)."""
    if not viewer.is_active or not in_scope(viewer, unit):
        raise Http404


def placements_on(*, viewer: User, unit: Unit, as_of: datetime.date) -> QuerySet[Placement]:
    """Placements in force on `as_of` in communities below `unit` that the viewer sees."""
    return Placement.objects.filter(
        _covering(as_of), path_q(viewer, "unit_path"), unit_path__startswith=unit.path
    )


def roster_on(*, viewer: User, unit: Unit, as_of: datetime.date) -> QuerySet[Worker]:
    """The workers placed below `unit` on `as_of` (a semi-join: each worker once)."""
    check_unit(viewer=viewer, unit=unit)
    placed = placements_on(viewer=viewer, unit=unit, as_of=as_of)
    return Worker.objects.filter(pk__in=placed.values("worker_id")).order_by()


def _band_case(field_name: str, cutoffs: Sequence[datetime.date], *, nullable: bool) -> Case:
    whens = [When(**{f"{field_name}__isnull": True}, then=Value(UNKNOWN))] if nullable else []
    whens += [When(**{f"{field_name}__gt": c}, then=Value(i)) for i, c in enumerate(cutoffs)]
    return Case(*whens, default=Value(len(cutoffs)), output_field=IntegerField())


def _age_years(as_of: datetime.date) -> Case:
    """Full years on `as_of`: the year difference, less one before the birthday."""
    before_birthday = Q(birth_month__gt=as_of.month) | Q(
        birth_month=as_of.month, birth_day__gt=as_of.day
    )
    return Case(
        When(before_birthday, then=Value(as_of.year - 1) - F("birth_year")),
        default=Value(as_of.year) - F("birth_year"),
        output_field=IntegerField(),
    )


def _choices_partition(
    key: str, title: str, choices: Sequence[tuple[str, object]], counts: Counter[str]
) -> rules.Breakdown:
    return rules.partition(key, title, [(str(label), counts[value]) for value, label in choices])


def _bands_partition(
    key: str, title: str, bands: Sequence[rules.Band], counts: Counter[int]
) -> rules.Breakdown:
    rows = [(band.label, counts[i]) for i, band in enumerate(bands)]
    if counts[UNKNOWN]:
        rows.append((_("未登记"), counts[UNKNOWN]))
    return rules.partition(key, title, rows)


def structure(
    *,
    viewer: User,
    unit: Unit,
    as_of: datetime.date,
    age_bands: Sequence[int] = rules.DEFAULT_AGE_BOUNDS,
    tenure_bands: Sequence[int] = rules.DEFAULT_TENURE_BOUNDS,
) -> Figures:
    """Counts and shares of the workforce below `unit` on `as_of`, for the viewer's scope."""
    workers = roster_on(viewer=viewer, unit=unit, as_of=as_of)
    ages = rules.age_bands(age_bands)
    tenures = rules.tenure_bands(tenure_bands)
    tally = _cross_tab(workers, as_of, ages, tenures)
    total = tally.total
    breakdowns = {
        "gender": _choices_partition("gender", _("性别结构"), Gender.choices, tally.gender),
        "age": _bands_partition("age", _("年龄结构"), ages, tally.age),
        "education": _choices_partition(
            "education", _("文化程度"), Education.choices, tally.education
        ),
        "political": _choices_partition(
            "political", _("政治面貌"), Political.choices, tally.political
        ),
        "source": _choices_partition("source", _("来源方式"), Source.choices, tally.source),
        "tenure": _bands_partition("tenure", _("社区工作年限"), tenures, tally.tenure),
    }
    breakdowns["certificate"], certified = _certificates(workers, as_of, total)
    breakdowns["post"] = _posts(workers, as_of, total)
    breakdowns["representative"] = _representatives(workers, as_of, total)
    leaders = _leaders(viewer=viewer, unit=unit, as_of=as_of)
    return Figures(
        unit_code=unit.code,
        unit_name=unit.name,
        unit_kind=unit.kind,
        as_of=as_of,
        total=total,
        average_age=rules.average(tally.age_total, total),
        breakdowns=breakdowns,
        leaders=leaders["n"],
        leaders_college=leaders["college"],
        dual_role=leaders["dual"],
        certified=certified,
        college=sum(tally.education[e] for e in COLLEGE_OR_ABOVE),
        tenure_bounds=tuple(tenure_bands),
    )


@dataclass
class _Tally:
    """The cross-tab folded into one counter per breakdown."""

    total: int = 0
    age_total: int = 0
    gender: Counter[str] = field(default_factory=Counter)
    education: Counter[str] = field(default_factory=Counter)
    political: Counter[str] = field(default_factory=Counter)
    source: Counter[str] = field(default_factory=Counter)
    age: Counter[int] = field(default_factory=Counter)
    tenure: Counter[int] = field(default_factory=Counter)


def _cross_tab(
    workers: QuerySet[Worker],
    as_of: datetime.date,
    ages: Sequence[rules.Band],
    tenures: Sequence[rules.Band],
) -> _Tally:
    """1. The cross-tab: one scan, a few thousand cells at most."""
    cells = (
        workers.annotate(
            birth_year=ExtractYear("birth_date"),
            birth_month=ExtractMonth("birth_date"),
            birth_day=ExtractDay("birth_date"),
        )
        .annotate(
            age_band=_band_case("birth_date", rules.band_cutoffs(ages, as_of), nullable=False),
            tenure_band=_band_case(
                "work_start_date", rules.band_cutoffs(tenures, as_of), nullable=True
            ),
        )
        .values("gender", "education", "political", "source", "age_band", "tenure_band")
        .annotate(n=Count("pk"), age_sum=Sum(_age_years(as_of)))
        .order_by()
    )
    tally = _Tally()
    for cell in cells:
        n = cell["n"]
        tally.total += n
        tally.age_total += cell["age_sum"] or 0
        tally.gender[cell["gender"]] += n
        tally.education[cell["education"]] += n
        tally.political[cell["political"]] += n
        tally.source[cell["source"]] += n
        tally.age[cell["age_band"]] += n
        tally.tenure[cell["tenure_band"]] += n
    return tally


def _certificates(
    workers: QuerySet[Worker], as_of: datetime.date, total: int
) -> tuple[rules.Breakdown, int]:
    """2. Highest certificate held on the day: workers holding at least each level; and the
    number holding a social-work qualification."""
    held = Certificate.objects.filter(worker__in=workers, issued_on__lte=as_of)
    at_least = held.aggregate(
        any=Count("worker", distinct=True),
        **{
            f"ge{i}": Count("worker", distinct=True, filter=Q(kind__in=QUALIFICATIONS[: i + 1]))
            for i in range(len(QUALIFICATIONS))
        },
    )
    certificate_rows: list[tuple[str, int]] = []
    previous = 0
    for i, kind in enumerate(QUALIFICATIONS):
        certificate_rows.append((str(kind.label), at_least[f"ge{i}"] - previous))
        previous = at_least[f"ge{i}"]
    certified = previous
    certificate_rows.append((str(CertificateKind.OTHER.label), at_least["any"] - certified))
    certificate_rows.append((_("未取得证书"), total - at_least["any"]))
    return rules.partition("certificate", _("职业资格"), certificate_rows), certified


def _posts(workers: QuerySet[Worker], as_of: datetime.date, total: int) -> rules.Breakdown:
    """3. Posts held on the day (a worker may hold several)."""
    holdings = PostHolding.objects.filter(_covering(as_of), worker__in=workers)
    by_post = dict(
        holdings.values("post_id")
        .annotate(n=Count("worker", distinct=True))
        .order_by()
        .values_list("post_id", "n")
    )
    return rules.memberships(
        "post",
        _("岗位"),
        [(p.name, by_post.get(p.pk, 0)) for p in PostType.objects.order_by("sort_order", "code")],
        total,
    )


def _leaders(*, viewer: User, unit: Unit, as_of: datetime.date) -> dict[str, int]:
    """The secretaries and directors: how many, how many 一肩挑, how many with college.

    They are few: found from their posts, then each checked to be placed below the unit on
    the day (an index probe each, not a semi-join over every worker)."""
    placed = placements_on(viewer=viewer, unit=unit, as_of=as_of)
    main_posts = PostHolding.objects.filter(
        _covering(as_of),
        Q(post__is_secretary=True) | Q(post__is_director=True),
        Exists(placed.filter(worker_id=OuterRef("worker_id"))),
    )
    in_post = PostHolding.objects.filter(_covering(as_of), worker=OuterRef("pk"))
    return (
        Worker.objects.filter(pk__in=main_posts.values("worker_id"))
        .annotate(
            secretary=Exists(in_post.filter(post__is_secretary=True)),
            director=Exists(in_post.filter(post__is_director=True)),
        )
        .aggregate(
            n=Count("pk"),
            dual=Count("pk", filter=Q(secretary=True, director=True)),
            college=Count("pk", filter=Q(education__in=COLLEGE_OR_ABOVE)),
        )
    )


def _representatives(
    workers: QuerySet[Worker], as_of: datetime.date, total: int
) -> rules.Breakdown:
    """4. Representative roles on the day."""
    roles = dict(
        (
            ((kind, level), n)
            for kind, level, n in RepresentativeRole.objects.filter(
                _covering(as_of), worker__in=workers
            )
            .values("kind", "level")
            .annotate(n=Count("worker", distinct=True))
            .order_by()
            .values_list("kind", "level", "n")
        )
    )
    return rules.memberships(
        "representative",
        _("代表委员"),
        [
            (f"{level_label}{kind_label}", roles.get((kind, level), 0))
            for kind, kind_label in RepresentativeKind.choices
            for level, level_label in RepresentativeLevel.choices
        ],
        total,
    )


# ---------------------------------------------------------------- standards and targets


@dataclass
class Standing:
    """Where one unit stands against the headcount standard and the targets."""

    code: str
    name: str
    kind: int
    parent_code: str
    workers: int = 0
    residents: int = 0
    certified: int = 0
    college: int = 0
    per_10k: Decimal | None = None
    # Workers short of the standard: a community's own; a street's and the total are the sums
    # of their communities' (one community's surplus does not fill another's gap), so the
    # column adds up from communities to streets to the total.
    needed: int = 0
    below_standard: bool = False
    attention: bool = False  # among the communities furthest from the standard
    certified_share: Decimal = Decimal("0.0")
    college_share: Decimal = Decimal("0.0")
    meets_certified: bool = False
    meets_college: bool = False

    def settle(self, standard: Decimal, certified_target: Decimal, college_target: Decimal) -> None:
        self.per_10k = rules.per_10k(self.workers, self.residents)
        self.below_standard = self.per_10k is not None and self.per_10k < standard
        self.certified_share = rules.share(self.certified, self.workers)
        self.college_share = rules.share(self.college, self.workers)
        self.meets_certified = self.workers > 0 and self.certified_share >= certified_target
        self.meets_college = self.workers > 0 and self.college_share >= college_target


@dataclass
class Standards:
    standard: Decimal
    certified_target: Decimal
    college_target: Decimal
    overall: Standing
    streets: list[Standing] = field(default_factory=list)
    communities: list[Standing] = field(default_factory=list)

    attention_count: int = rules.ATTENTION_COUNT

    @property
    def below_standard(self) -> list[Standing]:
        return [s for s in [*self.streets, *self.communities] if s.below_standard]

    @property
    def communities_below_standard(self) -> list[Standing]:
        return [s for s in self.communities if s.below_standard]

    @property
    def needing_attention(self) -> list[Standing]:
        return [s for s in self.communities if s.attention]

    @property
    def missing_certified(self) -> list[Standing]:
        return [s for s in [*self.streets, *self.communities] if not s.meets_certified]

    @property
    def missing_college(self) -> list[Standing]:
        return [s for s in [*self.streets, *self.communities] if not s.meets_college]


def standards(
    *,
    viewer: User,
    unit: Unit,
    as_of: datetime.date,
    standard: Decimal = rules.DEFAULT_STANDARD_PER_10K,
    certified_target: Decimal = rules.DEFAULT_CERTIFIED_TARGET,
    college_target: Decimal = rules.DEFAULT_COLLEGE_TARGET,
) -> Standards:
    """Workers per 10,000 residents for the unit, each street and each community below it,
    against `standard`; the certified and college shares against their targets."""
    check_unit(viewer=viewer, unit=unit)
    placed = placements_on(viewer=viewer, unit=unit, as_of=as_of)
    # A worker has one placement in force on a day (a move ends one the day the next starts).
    per_community = {
        row["unit_id"]: row
        for row in placed.values("unit_id")
        .annotate(
            n=Count("pk"), college=Count("pk", filter=Q(worker__education__in=COLLEGE_OR_ABOVE))
        )
        .order_by()
    }
    certified = dict(
        Certificate.objects.filter(
            kind__in=QUALIFICATIONS,
            issued_on__lte=as_of,
            worker__placements__in=placed,
        )
        .values("worker__placements__unit_id")
        .annotate(n=Count("worker", distinct=True))
        .order_by()
        .values_list("worker__placements__unit_id", "n")
    )
    units = (
        Unit.objects.filter(path_q(viewer, "path"), path__startswith=unit.path)
        .filter(kind__in=[UnitKind.STREET, UnitKind.COMMUNITY])
        .annotate(residents=Coalesce(F("profile__residents"), 0))
        .select_related("parent")
        .order_by("path")
    )
    residents_total = (
        CommunityProfile.objects.filter(
            path_q(viewer, "unit__path"), unit__path__startswith=unit.path
        ).aggregate(n=Sum("residents"))["n"]
        or 0
    )
    overall = Standing(unit.code, unit.name, unit.kind, "", residents=residents_total)
    streets: dict[int, Standing] = {}
    communities: list[Standing] = []
    for u in units:
        standing = Standing(u.code, u.name, u.kind, u.parent.code if u.parent else "")
        if u.kind == UnitKind.STREET:
            streets[u.pk] = standing
            continue
        row = per_community.get(u.pk, {})
        standing.workers = row.get("n", 0)
        standing.college = row.get("college", 0)
        standing.certified = certified.get(u.pk, 0)
        standing.residents = u.residents
        communities.append(standing)
        street = streets.get(u.parent_id or 0)
        if street is not None:
            street.workers += standing.workers
            street.college += standing.college
            street.certified += standing.certified
            street.residents += standing.residents
        overall.workers += standing.workers
        overall.college += standing.college
        overall.certified += standing.certified
    _settle_all(overall, streets, communities, (standard, certified_target, college_target))
    return Standards(
        standard=standard,
        certified_target=certified_target,
        college_target=college_target,
        overall=overall,
        streets=list(streets.values()),
        communities=communities,
    )


def _settle_all(
    overall: Standing,
    streets: dict[int, Standing],
    communities: list[Standing],
    targets: tuple[Decimal, Decimal, Decimal],
) -> None:
    """Each unit's figures against the standard and targets; the shortfalls of the streets
    and the total as sums of their communities'; the communities needing attention marked."""
    for standing in [overall, *streets.values(), *communities]:
        standing.settle(*targets)
    by_code = {s.code: s for s in streets.values()}
    for community in communities:
        community.needed = max(
            0, rules.needed_for_standard(community.residents, targets[0]) - community.workers
        )
        overall.needed += community.needed
        if (street := by_code.get(community.parent_code)) is not None:
            street.needed += community.needed
    marked = rules.needing_attention(
        [(c.needed, c.per_10k) for c in communities], rules.ATTENTION_COUNT
    )
    for i in marked:
        communities[i].attention = True


# ---------------------------------------------------------------- the whole report


@dataclass
class Comparison:
    before: Figures
    phrases: list[str]
    deltas: dict[str, list[rules.Delta]]


@dataclass
class StructureReport:
    figures: Figures
    standards: Standards
    comparison: Comparison | None
    narrative: str
    age_bands: tuple[int, ...]
    tenure_bands: tuple[int, ...]
    # The training figures of the year up to as_of (training.selectors.TrainingFigures),
    # for the 培训 section of the Word/Excel/PDF report; None when not asked or nothing held.
    training: Any = None


def comparison(*, now: Figures, before: Figures) -> Comparison:
    return Comparison(
        before=before,
        phrases=rules.comparison_phrases(now, before),
        deltas={
            key: rules.breakdown_deltas(b, before.breakdowns[key])
            for key, b in now.breakdowns.items()
            if key in before.breakdowns
        },
    )


def structure_report(
    *,
    viewer: User,
    unit: Unit,
    as_of: datetime.date,
    compare: datetime.date | None = None,
    age_bands: Sequence[int] = rules.DEFAULT_AGE_BOUNDS,
    tenure_bands: Sequence[int] = rules.DEFAULT_TENURE_BOUNDS,
    standard: Decimal = rules.DEFAULT_STANDARD_PER_10K,
    certified_target: Decimal = rules.DEFAULT_CERTIFIED_TARGET,
    college_target: Decimal = rules.DEFAULT_COLLEGE_TARGET,
    with_training: bool = False,
) -> StructureReport:
    """Figures on `as_of`, the standards, and (with `compare`) the changes since then;
    `with_training` adds the training figures of the year up to `as_of`."""
    with report_session():
        report = _structure_report(
            viewer=viewer,
            unit=unit,
            as_of=as_of,
            compare=compare,
            age_bands=age_bands,
            tenure_bands=tenure_bands,
            standard=standard,
            certified_target=certified_target,
            college_target=college_target,
        )
        if with_training:
            report.training = _training_of_year(viewer=viewer, unit=unit, as_of=as_of)
        return report


def _training_of_year(*, viewer: User, unit: Unit, as_of: datetime.date) -> Any:
    figures = training_figures(
        viewer=viewer, unit=unit, start=datetime.date(as_of.year, 1, 1), end=as_of
    )
    return figures if figures.sessions or figures.person_times else None


def _structure_report(
    *,
    viewer: User,
    unit: Unit,
    as_of: datetime.date,
    compare: datetime.date | None,
    age_bands: Sequence[int],
    tenure_bands: Sequence[int],
    standard: Decimal,
    certified_target: Decimal,
    college_target: Decimal,
) -> StructureReport:
    figures = structure(
        viewer=viewer, unit=unit, as_of=as_of, age_bands=age_bands, tenure_bands=tenure_bands
    )
    compared = None
    if compare is not None:
        before = structure(
            viewer=viewer, unit=unit, as_of=compare, age_bands=age_bands, tenure_bands=tenure_bands
        )
        compared = comparison(now=figures, before=before)
    return StructureReport(
        figures=figures,
        standards=standards(
            viewer=viewer,
            unit=unit,
            as_of=as_of,
            standard=standard,
            certified_target=certified_target,
            college_target=college_target,
        ),
        comparison=compared,
        narrative=rules.narrative(figures, changes=compared.phrases if compared else ()),
        age_bands=tuple(age_bands),
        tenure_bands=tuple(tenure_bands),
    )


def report_units(*, viewer: User, unit: Unit | None = None) -> QuerySet[Unit]:
    """Units the viewer may pick for a report: the children of `unit` (or the viewer's roots)."""
    if unit is None:
        return unit_roots(viewer=viewer)
    return Unit.objects.filter(path_q(viewer, "path"), parent=unit).order_by("code")
