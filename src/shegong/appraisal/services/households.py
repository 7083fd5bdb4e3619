"""Households on record: who may be issued a code. The record never holds more households than
the community has registered (户数 in its profile), so nobody can invent voters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from shegong.appraisal.models import AppraisalEvent, Household, RaterCategory, Survey
from shegong.core.access import Permission, require
from shegong.core.audit import audit_record
from shegong.core.errors import ServiceError
from shegong.orgs.models import CommunityProfile, Unit, UnitKind

if TYPE_CHECKING:
    from shegong.core.models import User


def parse_households(text: str) -> list[tuple[str, str]]:
    """One household a line: "3栋2单元201" or "3栋2单元201,居民代表" (tab or comma)."""
    labels = {str(label): value for value, label in RaterCategory.choices}
    rows: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p.strip() for p in line.replace("\t", ",").replace(",", ",").split(",")]
        if not parts or not parts[0]:
            continue
        category = RaterCategory.RESIDENT.value
        if len(parts) > 1 and parts[1]:
            if parts[1] not in labels:
                raise ServiceError(
                    _("第%(n)d行:评议人类别应为普通居民、居民代表或驻区单位") % {"n": number},
                    field="households",
                )
            category = labels[parts[1]]
        if len(parts[0]) > 100:
            raise ServiceError(_("第%(n)d行:住户名称过长") % {"n": number}, field="households")
        rows.append((parts[0], category))
    return rows


def unique_names(rows: Iterable[str]) -> list[str]:
    """The household names, stripped; a name given twice is refused."""
    names = [label.strip() for label in rows if label and label.strip()]
    if len(set(names)) != len(names):
        duplicates = sorted({h for h in names if names.count(h) > 1})[:5]
        raise ServiceError(
            _("住户名单有重复:%(names)s") % {"names": "、".join(duplicates)}, field="households"
        )
    return names


def _check_rows(rows: list[tuple[str, str]]) -> None:
    for label, category in rows:
        if len(label) > 100:
            raise ServiceError(_("住户名称过长:%(name)s") % {"name": label[:20]}, "households")
        if category not in RaterCategory.values:
            raise ServiceError(_("评议人类别应为普通居民、居民代表或驻区单位"), field="households")


def _registered(community: Unit) -> int:
    """The households the community has registered, its profile locked for this transaction."""
    profile = CommunityProfile.objects.select_for_update().filter(unit=community).first()
    return profile.households if profile else 0


def _refuse_over_registered(community: Unit, registered: int, on_record: int, new: int) -> None:
    if on_record + new > registered:
        raise ServiceError(
            _(
                "%(unit)s登记户数为%(registered)d户,住户名册已有%(on_record)d户,"
                "不能再增加%(new)d户;请先核实社区概况中的户数"
            )
            % {
                "unit": community.name,
                "registered": registered,
                "on_record": on_record,
                "new": new,
            },
            field="households",
        )


@transaction.atomic
def households_import(
    *, community: Unit, rows: Iterable[tuple[str, str]], acting_user: User
) -> int:
    """Add households to the community's record, all or none; returns how many were added.

    A household already on record keeps its entry. The record never holds more households
    than the community has registered (户数 in its profile), so nobody can invent voters."""
    if community.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("住户名册按社区登记"))
    require(acting_user, Permission.EDIT, community, message=_("您没有权限登记%(unit)s的住户"))
    rows = [(label.strip(), category) for label, category in rows if label and label.strip()]
    names = unique_names(label for label, _c in rows)
    if not names:
        raise ServiceError(_("请填写住户名单,每行一户"), field="households")
    _check_rows(rows)
    registered = _registered(community)
    existing = set(
        Household.objects.filter(community=community, label__in=names).values_list(
            "label", flat=True
        )
    )
    new = [(label, category) for label, category in rows if label not in existing]
    on_record = Household.objects.filter(community=community).count()
    _refuse_over_registered(community, registered, on_record, len(new))
    Household.objects.bulk_create(
        Household(community=community, unit_path=community.path, label=label, category=category)
        for label, category in new
    )
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.HOUSEHOLDS_RECORDED,
        target=community,
        after={"households_added": len(new), "households_on_record": on_record + len(new)},
    )
    return len(new)


def household_add(
    *, community: Unit, label: str, category: str = RaterCategory.RESIDENT, acting_user: User
) -> int:
    """One household onto the record (see `households_import`)."""
    return households_import(community=community, rows=[(label, category)], acting_user=acting_user)


def on_record(survey: Survey, names: list[str] | None) -> list[Household]:
    """The named households of the survey's community (all of them when `names` is None);
    a name not on record is refused."""
    households = Household.objects.filter(community=survey.community)
    if names is None:
        return list(households.order_by("label"))
    found = {h.label: h for h in households.filter(label__in=names)}
    missing = [n for n in names if n not in found]
    if missing:
        raise ServiceError(
            _("以下住户不在%(unit)s的住户名册上:%(names)s")
            % {"unit": survey.community.name, "names": "、".join(missing[:5])},
            field="households",
        )
    return [found[n] for n in names]
