"""以奖代补 (incentive awards): the street's quality ratings of held activities, the district's
scoring schemes, the proposal counted from the records, a manager's adjustments, and the
approval that records the awards as community funding of source 以奖代补.

A scheme is set by its district and frozen once awards are proposed from it: a change is a
new version (the proposed one superseded). Approval takes the scheme's row lock, so two
approvals at the same moment wait for each other and the second finds it approved; the
database also refuses a second approved version of a district's year and subject. The
funding is added once, in the approval's transaction. Whoever proposed may not approve
(four eyes, like pay), unless settings.SHEGONG_AWARDS_ONE_PERSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.actors import is_system_actor
from shegong.core.audit import AuditAction, AuditRow, audit_record, audit_record_many, snapshot
from shegong.core.errors import ServiceError
from shegong.orgs.models import CommunityFunding, FundingSource, Unit, UnitKind
from shegong.resources import award_rules, award_selectors
from shegong.resources.models import (
    AWARD_FACTORS,
    Activity,
    ActivityRating,
    AwardScheme,
    AwardSubject,
    IncentiveAward,
    PayMode,
    ResourceEvent,
    SchemeStatus,
)
from shegong.resources.services.common import _decimal, _text

if TYPE_CHECKING:
    from shegong.core.models import User

SCHEME_REFUSED = gettext_lazy("您没有权限设置%(unit)s的以奖代补方案")
APPROVE_REFUSED = gettext_lazy("您没有权限调整或审批%(unit)s的以奖代补")
SCHEME_FIELDS = [
    *(f"{name}_{part}" for name in AWARD_FACTORS for part in ("weight", "cap")),
    "min_members",
    "min_activities",
    "min_quality",
    "pay_mode",
    "yuan_per_point",
    "tiers",
    "budget",
]


# ---------------------------------------------------------------- quality ratings


@transaction.atomic
def activity_rate(
    *, activity: Activity, score: Any, note: str = "", acting_user: User
) -> ActivityRating:
    """The street rates a held activity 1–5 (rating again replaces the rater's score)."""
    street = activity.unit if activity.unit.kind <= UnitKind.STREET else activity.unit.parent
    if street is None or not access.has_permission(acting_user, Permission.EDIT, street):
        raise ServiceError(_("只有街道可以评价社区活动的质量"))
    if not activity.held:
        raise ServiceError(_("活动举办后才能评分"))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ServiceError(_("评分应为1至5分"), field="score")
    text = _text({"note": note}, "note", _("评语"), 200, required=False)
    now = timezone.now()
    rating, created = ActivityRating.objects.update_or_create(
        activity=activity,
        rated_by=acting_user,
        defaults={"score": score, "note": text, "rated_at": now},
    )
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.ACTIVITY_RATED,
        target=rating,
        unit_path=activity.unit.path,
        after={"activity_id": activity.pk, "score": score, "note": text, "new": created},
    )
    return rating


# ---------------------------------------------------------------- schemes


def _number(values: Mapping[str, Any], name: str, label: str, *, cap: bool = False) -> Any:
    raw = values.get(name)
    if cap and raw in (None, ""):
        return None
    return _decimal(values, name, label)


def _clean_scheme(values: Mapping[str, Any]) -> dict[str, Any]:
    labels = award_rules.factor_labels()
    clean: dict[str, Any] = {}
    for name in AWARD_FACTORS:
        label = labels[name]
        clean[f"{name}_weight"] = _number(values, f"{name}_weight", _("%s得分") % label)
        clean[f"{name}_cap"] = _number(values, f"{name}_cap", _("%s上限") % label, cap=True)
    for name, label in (("min_members", _("成员门槛")), ("min_activities", _("活动门槛"))):
        value = values.get(name) or 0
        if not isinstance(value, int) or not 0 <= value <= 100000:
            raise ServiceError(_("%(label)s应为不小于0的整数") % {"label": label}, field=name)
        clean[name] = value
    quality = _number(values, "min_quality", _("评分门槛"), cap=True)
    if quality is not None and not 1 <= quality <= 5:
        raise ServiceError(_("评分门槛应在1至5分之间"), field="min_quality")
    clean["min_quality"] = quality
    mode = values.get("pay_mode") or PayMode.PER_POINT
    if mode not in PayMode.values:
        raise ServiceError(_("请选择计奖方式"), field="pay_mode")
    clean["pay_mode"] = mode
    clean["yuan_per_point"] = _decimal(values, "yuan_per_point", _("每分奖励"))
    clean["tiers"] = _clean_tiers(values.get("tiers"))
    if mode == PayMode.TIERS and not clean["tiers"]:
        raise ServiceError(_("按档次计奖请填写档次"), field="tiers")
    clean["budget"] = _decimal(values, "budget", _("年度预算"))
    return clean


def _clean_tiers(raw: Any) -> list[dict[str, str]]:
    if isinstance(raw, list):
        pairs = [(Decimal(str(t["points"])), Decimal(str(t["amount"]))) for t in raw]
    else:
        try:
            pairs = award_rules.parse_tiers(str(raw or ""))
        except (ValueError, InvalidOperation) as exc:
            message = _("档次“%(line)s”应写成“分数=金额”") % {"line": exc}
            raise ServiceError(message, field="tiers") from None
    return [{"points": str(p), "amount": str(a.quantize(award_rules.FEN))} for p, a in pairs]


def _require_district(district: Unit | None, acting_user: User) -> Unit:
    if district is None or district.kind != UnitKind.DISTRICT:
        raise ServiceError(_("以奖代补方案由区县设置,请选择区县"), field="district")
    access.require(acting_user, Permission.EDIT, district, message=SCHEME_REFUSED)
    return district


def _scheme_snapshot(scheme: AwardScheme) -> dict[str, Any]:
    return snapshot(scheme, ["year", "subject", "version", "status", *SCHEME_FIELDS])


@transaction.atomic
def scheme_create(
    *,
    district: Unit | None,
    year: int,
    subject: str,
    values: Mapping[str, Any],
    acting_user: User,
) -> AwardScheme:
    """A district's scoring of its teams or communities for a year (a new version when the
    year and subject already have one)."""
    unit = _require_district(district, acting_user)
    if subject not in AwardSubject.values:
        raise ServiceError(_("请选择评选对象"), field="subject")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError(_("年度应在2000至2100之间"), field="year")
    clean = _clean_scheme(values)
    earlier = AwardScheme.objects.select_for_update().filter(
        district=unit, year=year, subject=subject
    )
    if earlier.filter(status=SchemeStatus.APPROVED).exists():
        raise ServiceError(_("该年度的以奖代补已审批,不能再设新方案"))
    version = (earlier.aggregate(n=Max("version"))["n"] or 0) + 1
    superseded = list(earlier.filter(status__in=[SchemeStatus.DRAFT, SchemeStatus.PROPOSED]))
    earlier.filter(pk__in=[s.pk for s in superseded]).update(status=SchemeStatus.SUPERSEDED)
    scheme = AwardScheme.objects.create(
        district=unit, year=year, subject=subject, version=version, created_by=acting_user, **clean
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE if version == 1 else ResourceEvent.SCHEME_VERSIONED,
        target=scheme,
        unit_path=unit.path,
        after=_scheme_snapshot(scheme) | {"superseded": [s.pk for s in superseded]},
    )
    return scheme


@transaction.atomic
def scheme_update(
    *, scheme: AwardScheme, values: Mapping[str, Any], acting_user: User
) -> AwardScheme:
    """A draft's weights, thresholds and money; a proposed scheme is frozen (make a new
    version instead)."""
    _require_district(scheme.district, acting_user)
    locked = AwardScheme.objects.select_for_update().get(pk=scheme.pk)
    if locked.status != SchemeStatus.DRAFT:
        raise ServiceError(_("方案已测算,不能修改;请另设新版本"))
    before = _scheme_snapshot(locked)
    for name, value in _clean_scheme(values).items():
        setattr(locked, name, value)
    locked.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=locked,
        unit_path=locked.district.path,
        before=before,
        after=_scheme_snapshot(locked),
    )
    return locked


@transaction.atomic
def scheme_new_version(*, scheme: AwardScheme, acting_user: User) -> AwardScheme:
    """A copy of the scheme as the next version (a draft to change); the old one is
    superseded."""
    values: dict[str, Any] = {name: getattr(scheme, name) for name in SCHEME_FIELDS}
    return scheme_create(
        district=scheme.district,
        year=scheme.year,
        subject=scheme.subject,
        values=values,
        acting_user=acting_user,
    )


def _locked_scheme(scheme: AwardScheme) -> AwardScheme:
    return AwardScheme.objects.select_for_update().select_related("district").get(pk=scheme.pk)


# ---------------------------------------------------------------- propose, adjust, approve


@transaction.atomic
def awards_propose(*, scheme: AwardScheme, acting_user: User) -> AwardScheme:
    """Count the year's records of every team (or community) of the district, score them
    and propose the amounts, cut to the budget by one ratio if they exceed it. Freezes the
    scheme. Proposing again recounts (and drops any adjustment made meanwhile)."""
    _require_district(scheme.district, acting_user)
    locked = _locked_scheme(scheme)
    if locked.status == SchemeStatus.APPROVED:
        raise ServiceError(_("该方案已审批,不能重新测算"))
    if locked.status != SchemeStatus.DRAFT and locked.status != SchemeStatus.PROPOSED:
        raise ServiceError(_("该方案已被新版本替代,不能测算"))
    scoring = award_selectors.scoring_of(locked)
    counted = award_selectors.award_inputs(locked)
    scores = [award_rules.score(c.inputs, c.awards_won, scoring) for c in counted]
    amounts, ratio = award_rules.fit_budget([s.amount for s in scores], locked.budget)
    locked.awards.all().delete()
    awards = [
        IncentiveAward(
            scheme=locked,
            community=c.community,
            team=c.team,
            members=c.inputs.members,
            activities=c.inputs.activities,
            participants=c.inputs.participants,
            ratings=c.inputs.ratings,
            quality=c.inputs.quality,
            awards_won=c.awards_won,
            points=s.points,
            eligible=s.eligible,
            shortfall=";".join(s.shortfalls)[:200],
            proposed_amount=amount,
            amount=amount,
        )
        for c, s, amount in zip(counted, scores, amounts, strict=True)
    ]
    IncentiveAward.objects.bulk_create(awards, batch_size=2000)
    locked.status = SchemeStatus.PROPOSED
    locked.proposed_by, locked.proposed_at = acting_user, timezone.now()
    locked.save(update_fields=["status", "proposed_by", "proposed_at"])
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.AWARDS_PROPOSED,
        target=locked,
        unit_path=locked.district.path,
        after={
            "subjects": len(awards),
            "eligible": sum(a.eligible for a in awards),
            "total": str(sum(amounts, Decimal(0))),
            "budget": str(locked.budget),
            "budget_ratio": str(ratio),
        },
    )
    return locked


@transaction.atomic
def award_adjust(
    *, award: IncentiveAward, amount: Any, reason: str, acting_user: User
) -> IncentiveAward:
    """A manager changes one proposed amount, with a reason; the year's total stays within
    the budget."""
    scheme = _locked_scheme(award.scheme)
    access.require(acting_user, Permission.AWARD_APPROVE, scheme.district, message=APPROVE_REFUSED)
    if scheme.status != SchemeStatus.PROPOSED:
        raise ServiceError(_("只有已测算、未审批的奖励可以调整"))
    new = _decimal({"amount": amount}, "amount", _("奖励金额"))
    why = _text({"reason": reason}, "reason", _("调整理由"), 200, required=True)
    locked = IncentiveAward.objects.select_for_update().get(pk=award.pk)
    others = scheme.awards.exclude(pk=locked.pk).values_list("amount", flat=True)
    if sum(others, Decimal(0)) + new > scheme.budget:
        raise ServiceError(
            _("调整后合计超出年度预算%(budget)s元") % {"budget": scheme.budget}, field="amount"
        )
    before = {"amount": str(locked.amount), "adjust_reason": locked.adjust_reason}
    locked.amount, locked.adjust_reason = new, why
    locked.adjusted_by, locked.adjusted_at = acting_user, timezone.now()
    locked.save(update_fields=["amount", "adjust_reason", "adjusted_by", "adjusted_at"])
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.AWARD_ADJUSTED,
        target=locked,
        unit_path=locked.community.path,
        before=before,
        after={
            "amount": str(new),
            "adjust_reason": why,
            "proposed_amount": str(locked.proposed_amount),
        },
    )
    return locked


def _four_eyes(scheme: AwardScheme, acting_user: User) -> None:
    if settings.SHEGONG_AWARDS_ONE_PERSON or is_system_actor(acting_user):
        return
    if scheme.proposed_by_id == acting_user.pk:
        raise ServiceError(_("测算奖励的人不能审批同一方案,请由另一人审批"))


@transaction.atomic
def awards_approve(*, scheme: AwardScheme, acting_user: User) -> AwardScheme:
    """Approve the proposed awards and record each community's total as its funding of
    source 以奖代补 for the year: added once, in this transaction, under the scheme's lock."""
    access.require(acting_user, Permission.AWARD_APPROVE, scheme.district, message=APPROVE_REFUSED)
    # The district's row first: approvals of its team and community schemes add to the same
    # funding rows, one after the other.
    Unit.objects.select_for_update().filter(pk=scheme.district_id).first()
    locked = _locked_scheme(scheme)
    if locked.status == SchemeStatus.APPROVED:
        raise ServiceError(_("该方案已审批,奖励已计入社区经费"))
    if locked.status != SchemeStatus.PROPOSED:
        raise ServiceError(_("只有已测算的方案可以审批"))
    _four_eyes(locked, acting_user)
    per_community: dict[int, Decimal] = {}
    for community_id, amount in locked.awards.filter(amount__gt=0).values_list(
        "community_id", "amount"
    ):
        per_community[community_id] = per_community.get(community_id, Decimal(0)) + amount
    if sum(per_community.values(), Decimal(0)) > locked.budget:
        raise ServiceError(_("奖励合计超出年度预算,不能审批"))
    locked.status = SchemeStatus.APPROVED
    locked.approved_by, locked.approved_at = acting_user, timezone.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "approved_by", "approved_at"])
    except IntegrityError as exc:
        raise ServiceError(_("该年度已有审批过的以奖代补方案")) from exc
    rows = _fund(locked, per_community)
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.AWARDS_APPROVED,
        target=locked,
        unit_path=locked.district.path,
        after={
            "communities": len(per_community),
            "total": str(sum(per_community.values(), Decimal(0))),
        },
    )
    audit_record_many(acting_user=acting_user, action=AuditAction.UPDATE, rows=rows)
    return locked


def _fund(scheme: AwardScheme, per_community: dict[int, Decimal]) -> list[AuditRow]:
    """Add each community's approved total to its 以奖代补 funding of the year (the row
    locked, or created), and say so in the audit rows returned."""
    found = {
        f.unit_id: f
        for f in CommunityFunding.objects.select_for_update()
        .select_related("unit")
        .filter(unit_id__in=per_community, year=scheme.year, source=FundingSource.AWARD)
    }
    units = {u.pk: u for u in Unit.objects.filter(pk__in=per_community)}
    rows = []
    for community_id, amount in sorted(per_community.items()):
        funding = found.get(community_id)
        before = {"amount": str(funding.amount)} if funding else None
        if funding is None:
            funding = CommunityFunding.objects.create(
                unit_id=community_id, year=scheme.year, source=FundingSource.AWARD, amount=amount
            )
        else:
            funding.amount += amount
            funding.save(update_fields=["amount"])
        rows.append(
            AuditRow(
                target=funding,
                unit_path=units[community_id].path,
                before=before,
                after={
                    "year": scheme.year,
                    "source": FundingSource.AWARD,
                    "amount": str(funding.amount),
                },
                note=_("以奖代补方案 %(pk)s 审批计入") % {"pk": scheme.pk},
            )
        )
    return rows
