"""Every read of the org tree, scoped to the viewer."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from shegong.core.access import (
    Permission,
    get_in_scope_or_404,
    path_q,
    root_paths,
    scoped,
    sees_everything,
)
from shegong.orgs.models import CommunityFunding, CommunityProfile, Unit, UnitKind

if TYPE_CHECKING:
    from shegong.core.models import User


def unit_list(*, viewer: User, kind: int | None = None, search: str = "") -> QuerySet[Unit]:
    units = scoped(Unit.objects.select_related("parent"), viewer)
    if kind:
        units = units.filter(kind=kind)
    if search:
        units = units.filter(Q(name__contains=search) | Q(code__startswith=search))
    return units


def unit_roots(*, viewer: User) -> QuerySet[Unit]:
    """The top units the viewer reaches (their own memberships, nested ones dropped)."""
    if sees_everything(viewer):
        return Unit.objects.filter(parent__isnull=True)
    return Unit.objects.filter(path__in=root_paths(viewer))


def unit_get(*, viewer: User, code: str) -> Unit:
    return get_in_scope_or_404(Unit.objects.select_related("parent"), viewer, code=code)


def unit_breadcrumbs(*, viewer: User, unit: Unit) -> list[Unit]:
    """The ancestors the viewer may see, top first."""
    codes = unit.path.rstrip("/").split("/")[:-1]
    ancestors = {u.code: u for u in scoped(Unit.objects.filter(code__in=codes), viewer)}
    return [ancestors[c] for c in codes if c in ancestors]


def subtree_summary(*, viewer: User, unit: Unit) -> dict[str, Any]:
    """Counts of units by level and the community totals below `unit`."""
    below = scoped(Unit.objects.filter(path__startswith=unit.path), viewer)
    by_kind = dict(below.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    profiles = CommunityProfile.objects.filter(unit__in=below).aggregate(
        households=Sum("households"),
        residents=Sum("residents"),
        office_area=Sum("office_area"),
        activity_area=Sum("activity_area"),
        rented=Count("pk", filter=Q(premises="rented")),
    )
    return {
        "streets": by_kind.get(UnitKind.STREET, 0),
        "communities": by_kind.get(UnitKind.COMMUNITY, 0),
        "households": profiles["households"] or 0,
        "residents": profiles["residents"] or 0,
        "office_area": profiles["office_area"] or 0,
        "activity_area": profiles["activity_area"] or 0,
        "rented": profiles["rented"] or 0,
    }


def _below(field: str, aggregate: type[Sum] | type[Count]) -> Subquery:
    """One aggregate over the community profiles below the outer unit, as a subquery."""
    rows = (
        CommunityProfile.objects.filter(unit__path__startswith=OuterRef("path"))
        .order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(total=aggregate(field))
        .values("total")
    )
    return Subquery(rows)


def child_summaries(*, viewer: User, unit: Unit) -> QuerySet[Unit]:
    """The children the viewer sees, each with communities, households and residents below."""
    return (
        scoped(unit.children.all(), viewer)
        .annotate(
            communities=Coalesce(_below("pk", Count), 0),
            households=Coalesce(_below("households", Sum), 0),
            residents=Coalesce(_below("residents", Sum), 0),
        )
        .order_by("code")
    )


def community_profile_get(*, viewer: User, unit: Unit) -> CommunityProfile | None:
    return scoped(CommunityProfile.objects.filter(unit=unit), viewer, "unit").first()


def community_funding_list(*, viewer: User, unit: Unit) -> QuerySet[CommunityFunding]:
    return scoped(CommunityFunding.objects.filter(unit=unit), viewer, "unit")


def funding_by_source(*, viewer: User, unit: Unit, year: int) -> dict[str, Decimal]:
    """The funding of `year` of the communities below `unit` the viewer sees, per source."""
    rows = scoped(CommunityFunding.objects.all(), viewer, "unit").filter(
        unit__path__startswith=unit.path, year=year
    )
    return {
        # SQLite sums decimals as floats: back to the fen the rows hold.
        source: Decimal(str(n or 0)).quantize(Decimal("0.01"))
        for source, n in rows.values("source")
        .annotate(n=Sum("amount"))
        .order_by()
        .values_list("source", "n")
    }


def administered_units(*, viewer: User) -> QuerySet[Unit]:
    """The units where the viewer may open logins: those they administer, and below."""
    return Unit.objects.filter(path_q(viewer, "path", Permission.AUDIT)).order_by("path")
