"""Every read of 以奖代补 (incentive awards): schemes, their proposed awards and the records
they are counted from, taking the viewer and scoped to their units.

A scheme belongs to a district: the viewers who reach the district, are inside it (its
streets and communities) or above it see it; anyone else gets 404, like a missing one. Its
awards belong to communities: a street sees the rows of its own communities only. The inputs
of a proposal are counted by the database (one query with a subquery per figure), never by
looping over rows in Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from shegong.core.access import Permission, path_q, root_paths, scoped, sees_everything
from shegong.orgs.models import Unit, UnitKind
from shegong.resources import award_rules
from shegong.resources.models import (
    AWARD_FACTORS,
    Activity,
    ActivityRating,
    AwardScheme,
    AwardSubject,
    IncentiveAward,
    Participation,
    PayMode,
    SchemeStatus,
    Team,
    TeamMember,
    TeamRecord,
    TeamRecordKind,
)

if TYPE_CHECKING:
    from shegong.core.models import User


def districts_for_awards(*, viewer: User) -> QuerySet[Unit]:
    """The districts whose 以奖代补 schemes the viewer may set."""
    return Unit.objects.filter(
        path_q(viewer, "path", Permission.EDIT), kind=UnitKind.DISTRICT
    ).order_by("path")


def _ancestors(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _district_q(viewer: User, field: str = "district__path") -> Q:
    """Schemes of a district the viewer reaches, is inside, or is above."""
    if sees_everything(viewer):
        return Q()
    above = sorted({p for root in root_paths(viewer) for p in _ancestors(root)})
    return path_q(viewer, field) | Q(**{f"{field}__in": above})


def scheme_list(
    *, viewer: User, unit: Unit | None = None, year: int | None = None
) -> QuerySet[AwardScheme]:
    """The schemes of the districts in scope (of `unit`'s district, of `year`, when given)."""
    schemes = AwardScheme.objects.select_related("district").filter(_district_q(viewer))
    if unit is not None:
        schemes = schemes.filter(_district_of_or_below(unit))
    if year is not None:
        schemes = schemes.filter(year=year)
    mine = Q(awards__community__in=scoped(Unit.objects.all(), viewer))
    return schemes.annotate(
        award_count=Count("awards", filter=mine & Q(awards__amount__gt=0)),
        total=Sum("awards__amount", filter=mine),
    ).order_by("-year", "district__path", "subject", "-version")


def _district_of_or_below(unit: Unit) -> Q:
    """The districts under `unit`, or the one above it (a street's or community's)."""
    parts = unit.path.split("/")[:-1]
    above = ["/".join(parts[:n]) + "/" for n in range(1, len(parts))]
    return Q(district__path__startswith=unit.path) | Q(district__path__in=above)


def scheme_get(*, viewer: User, pk: int | str) -> AwardScheme:
    found = (
        AwardScheme.objects.select_related("district", "created_by", "proposed_by", "approved_by")
        .filter(_district_q(viewer), pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def award_get(*, viewer: User, pk: int | str) -> IncentiveAward:
    """An award of a scheme the viewer sees, to a community in their scope (else 404)."""
    found = (
        scoped(IncentiveAward.objects.all(), viewer, "community")
        .filter(_district_q(viewer, "scheme__district__path"), pk=pk)
        .select_related("scheme__district", "community", "team")
        .first()
    )
    if found is None:
        raise Http404
    return found


def scoring_of(scheme: AwardScheme) -> award_rules.Scoring:
    return award_rules.Scoring(
        factors={
            name: award_rules.Factor(
                weight=getattr(scheme, f"{name}_weight"), cap=getattr(scheme, f"{name}_cap")
            )
            for name in AWARD_FACTORS
        },
        min_members=scheme.min_members,
        min_activities=scheme.min_activities,
        min_quality=scheme.min_quality,
        per_point=scheme.pay_mode == PayMode.PER_POINT,
        yuan_per_point=scheme.yuan_per_point,
        tiers=[(Decimal(t["points"]), Decimal(t["amount"])) for t in scheme.tiers],
    )


# ---------------------------------------------------------------- counted from the records


def _counted(queryset: QuerySet[Any], group: str, value: Any) -> Coalesce:
    """A correlated subquery: `value` aggregated over `queryset` per `group`, 0 for none."""
    inner = queryset.order_by().values(group).annotate(n=value).values("n")[:1]
    return Coalesce(Subquery(inner, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class Counted:
    """One subject's inputs as the database counted them."""

    team: Team | None
    community: Unit
    inputs: award_rules.Inputs
    awards_won: int


def _as_of(year: int) -> datetime.date:
    return min(datetime.date(year, 12, 31), timezone.localdate())


def _team_inputs(district: Unit, year: int) -> list[Counted]:
    """Each team of a community of the district: its members on the year's last day (or
    today), its held activities and performances of the year, who attended and how many the
    performances drew, the street's ratings of its activities, and its awards won."""
    as_of = _as_of(year)
    held = Activity.objects.filter(team=OuterRef("pk"), held=True, day__year=year)
    performed = TeamRecord.objects.filter(
        team=OuterRef("pk"), kind=TeamRecordKind.PERFORMANCE, day__year=year
    )
    members = TeamMember.objects.filter(team=OuterRef("pk"), joined_on__lte=as_of).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=as_of)
    )
    attended = Participation.objects.filter(
        activity__team=OuterRef("pk"), activity__held=True, activity__day__year=year, attended=True
    )
    rated = ActivityRating.objects.filter(
        activity__team=OuterRef("pk"), activity__held=True, activity__day__year=year
    )
    won = TeamRecord.objects.filter(team=OuterRef("pk"), kind=TeamRecordKind.AWARD, day__year=year)
    teams = (
        Team.objects.filter(unit__path__startswith=district.path, unit__kind=UnitKind.COMMUNITY)
        .select_related("unit")
        .annotate(
            n_members=_counted(members, "team", Count("resident", distinct=True)),
            n_held=_counted(held, "team", Count("pk")),
            n_performed=_counted(performed, "team", Count("pk")),
            n_attended=_counted(attended, "activity__team", Count("pk")),
            n_audience=_counted(performed, "team", Sum("participants")),
            n_ratings=_counted(rated, "activity__team", Count("pk")),
            rating_total=_counted(rated, "activity__team", Sum("score")),
            n_won=_counted(won, "team", Count("pk")),
        )
        .order_by("unit__path", "name", "id")
    )
    return [
        Counted(
            team=t,
            community=t.unit,
            inputs=award_rules.Inputs(
                members=t.n_members,
                activities=t.n_held + t.n_performed,
                participants=t.n_attended + t.n_audience,
                ratings=t.n_ratings,
                quality=award_rules.average(t.n_ratings, t.rating_total),
            ),
            awards_won=t.n_won,
        )
        for t in teams
    ]


def _community_inputs(district: Unit, year: int) -> list[Counted]:
    """Each community of the district: the residents on its teams on the year's last day (or
    today), its held activities of the year, who attended, the street's ratings of those
    activities, and the awards its teams won."""
    as_of = _as_of(year)
    held = Activity.objects.filter(unit=OuterRef("pk"), held=True, day__year=year)
    members = TeamMember.objects.filter(team__unit=OuterRef("pk"), joined_on__lte=as_of).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=as_of)
    )
    attended = Participation.objects.filter(
        activity__unit=OuterRef("pk"), activity__held=True, activity__day__year=year, attended=True
    )
    rated = ActivityRating.objects.filter(
        activity__unit=OuterRef("pk"), activity__held=True, activity__day__year=year
    )
    won = TeamRecord.objects.filter(
        team__unit=OuterRef("pk"), kind=TeamRecordKind.AWARD, day__year=year
    )
    communities = (
        Unit.objects.filter(path__startswith=district.path, kind=UnitKind.COMMUNITY)
        .annotate(
            n_members=_counted(members, "team__unit", Count("resident", distinct=True)),
            n_held=_counted(held, "unit", Count("pk")),
            n_attended=_counted(attended, "activity__unit", Count("pk")),
            n_ratings=_counted(rated, "activity__unit", Count("pk")),
            rating_total=_counted(rated, "activity__unit", Sum("score")),
            n_won=_counted(won, "team__unit", Count("pk")),
        )
        .order_by("path")
    )
    return [
        Counted(
            team=None,
            community=c,
            inputs=award_rules.Inputs(
                members=c.n_members,
                activities=c.n_held,
                participants=c.n_attended,
                ratings=c.n_ratings,
                quality=award_rules.average(c.n_ratings, c.rating_total),
            ),
            awards_won=c.n_won,
        )
        for c in communities
    ]


def award_inputs(scheme: AwardScheme) -> list[Counted]:
    """What the proposal of `scheme` is computed from (the services call this under the
    scheme's lock; no viewer: the district's whole record counts)."""
    if scheme.subject == AwardSubject.TEAM:
        return _team_inputs(scheme.district, scheme.year)
    return _community_inputs(scheme.district, scheme.year)


# ---------------------------------------------------------------- the proposal as shown


@dataclass(frozen=True)
class AwardRow:
    award: IncentiveAward
    name: str
    score: award_rules.Score
    formula: str

    @property
    def adjusted(self) -> bool:
        return self.award.adjusted_by_id is not None


def award_rows(*, viewer: User, scheme: AwardScheme) -> list[AwardRow]:
    """The scheme's awards in the viewer's scope, with the formula rebuilt from the inputs
    kept on each award (what the proposal saw, not what the records say now)."""
    scoring = scoring_of(scheme)
    awards = scoped(
        IncentiveAward.objects.filter(scheme=scheme).select_related("community", "team"),
        viewer,
        "community",
    ).order_by("-eligible", "-amount", "-points", "community__path", "id")
    rows = []
    for award in awards:
        score = award_rules.score(inputs_of(award), award.awards_won, scoring)
        name = f"{award.team.name}({award.community.name})" if award.team else award.community.name
        rows.append(AwardRow(award, name, score, award_rules.formula(score.parts)))
    return rows


def inputs_of(award: IncentiveAward) -> award_rules.Inputs:
    """The inputs kept on an award, as the rules take them."""
    return award_rules.Inputs(
        members=award.members,
        activities=award.activities,
        participants=award.participants,
        ratings=award.ratings,
        quality=award.quality,
    )


def scheme_totals(scheme: AwardScheme, rows: list[AwardRow]) -> dict[str, Any]:
    proposed = sum((r.award.proposed_amount for r in rows), Decimal(0))
    total = sum((r.award.amount for r in rows), Decimal(0))
    return {
        "subjects": len(rows),
        "eligible": sum(r.award.eligible for r in rows),
        "awarded": sum(r.award.amount > 0 for r in rows),
        "proposed": proposed,
        "total": total,
        "left": scheme.budget - total,
        "over": total > scheme.budget,
    }


def ratings_of(*, viewer: User, activity: Activity) -> QuerySet[ActivityRating]:
    return scoped(
        ActivityRating.objects.filter(activity=activity).select_related("rated_by"),
        viewer,
        "activity__unit",
    ).order_by("rated_at", "id")


def may_rate(viewer: User, activity: Activity) -> bool:
    """The street (or above) of the activity rates it, once held; a community does not rate
    its own activities."""
    from shegong.core.access import has_permission

    street = activity.unit if activity.unit.kind <= UnitKind.STREET else activity.unit.parent
    return activity.held and street is not None and has_permission(viewer, Permission.EDIT, street)


def awards_summary(*, viewer: User, unit: Unit, year: int) -> dict[str, Any] | None:
    """The year's 以奖代补 under `unit` for the resources report: for each district and
    subject the approved scheme (else the newest proposed one), its awards to communities in
    the viewer's scope, and the totals. None when no scheme of the year was proposed yet."""
    schemes = (
        AwardScheme.objects.filter(
            year=year, status__in=[SchemeStatus.PROPOSED, SchemeStatus.APPROVED]
        )
        .filter(_district_of_or_below(unit))
        .select_related("district")
        .order_by("district__path", "subject", "-version")
    )
    chosen: dict[tuple[int, str], AwardScheme] = {}
    for s in schemes:
        key = (s.district_id, s.subject)
        if key not in chosen or (
            s.status == SchemeStatus.APPROVED and chosen[key].status != SchemeStatus.APPROVED
        ):
            chosen[key] = s
    if not chosen:
        return None
    picked = list(chosen.values())
    return _sums(viewer, unit, picked) | {
        "schemes": [_subject_summary(viewer, unit, s) for s in picked]
    }


def _money(awards: QuerySet[IncentiveAward]) -> str:
    total = awards.aggregate(n=Sum("amount"))["n"] or Decimal(0)
    return str(Decimal(total).quantize(award_rules.FEN))


def _in_unit(viewer: User, unit: Unit, schemes: list[AwardScheme]) -> QuerySet[IncentiveAward]:
    return scoped(
        IncentiveAward.objects.filter(scheme__in=schemes, community__path__startswith=unit.path),
        viewer,
        "community",
    )


def _sums(viewer: User, unit: Unit, schemes: list[AwardScheme]) -> dict[str, Any]:
    awards = _in_unit(viewer, unit, schemes).filter(amount__gt=0)
    approved = awards.filter(scheme__status=SchemeStatus.APPROVED)
    return {
        "awarded": awards.count(),
        "amount": _money(awards),
        "approved": approved.count(),
        "approved_amount": _money(approved),
    }


def _subject_summary(viewer: User, unit: Unit, scheme: AwardScheme) -> dict[str, Any]:
    awards = _in_unit(viewer, unit, [scheme])
    return {
        "district": scheme.district.code,
        "subject": scheme.subject,
        "scheme": scheme.pk,
        "version": scheme.version,
        "status": scheme.status,
        "budget": str(scheme.budget),
        "subjects": awards.count(),
        "eligible": awards.filter(eligible=True).count(),
        "awarded": awards.filter(amount__gt=0).count(),
        "amount": _money(awards),
        "top": [
            {
                "name": a.team.name if a.team else a.community.name,
                "community": a.community.name,
                "points": str(a.points),
                "amount": str(a.amount),
            }
            for a in awards.filter(amount__gt=0)
            .select_related("team", "community")
            .order_by("-amount", "community__path", "id")[:10]
        ],
    }
