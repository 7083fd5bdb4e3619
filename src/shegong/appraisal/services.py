"""Every write of the appraisal: atomic, scoped to the acting user, audited.

The one exception to auditing is the residents' vote itself: an audit row per vote would carry
a time and an order that could be matched to the household that spent its code, so a vote is
recorded only as the spent flag on the code and the unlinked ballot. Issuing codes, opening
and closing surveys are audited (with counts, never codes).

How a vote stays unlinked from its household code
-------------------------------------------------
The code row names its household (that is how one code per household is kept), so nothing
stored may tie a ballot to the code that cast it. What could, and what is done about it:

* A key or a column: ballots have random UUID keys and hold neither code, household nor time;
  the code holds a spent flag, not a spending time.
* The transaction: on PostgreSQL every row carries the id of the transaction that wrote it
  (xmin), and transaction ids are sequential. Spending the code and writing the ballot in one
  transaction gave both rows the same xmin. Now the transaction that spends the code writes
  the ballot into the survey's *pool* (`PooledBallot`), and the ballot box (`Ballot`,
  `BallotRating`) is written only by *filing* transactions that spend no code: once a pool
  holds 2 × BALLOT_BATCH ballots, all but BALLOT_BATCH of them, chosen at random, are filed
  in shuffled order by one transaction, and closing a survey files the rest. So every filed
  ballot shares its xmin (and its neighbourhood of xids) with at least BALLOT_BATCH others
  (with every ballot of the survey when fewer than 2 × BALLOT_BATCH were cast), and a batch
  mixes ballots spent over a longer stretch than the batch itself.
* The order: insertion order (heap position, SQLite rowid) follows the shuffle within a batch;
  between batches it says only which batch.

One code, one vote, under concurrency: the conditional UPDATE spends a code once, and the
pooled ballot is written in that same transaction (both or neither). A pooled row is locked,
copied into the ballot box and deleted in one transaction, so it is filed exactly once;
concurrent filers skip each other's rows. On PostgreSQL the spend share-locks the survey row,
so closing a survey (FOR UPDATE, then filing the whole pool) waits for ballots on their way in,
and computing results files anything still pooled.

What remains (limits):
* While a ballot waits in the pool (at most 2 × BALLOT_BATCH − 1 per survey) its row shares
  the spent code's xmin; someone reading the live tables during the vote can match those.
* A deleted pool row stays on disk as a dead tuple until (auto)vacuum reclaims it (the pool
  table is set to be vacuumed eagerly on PostgreSQL), and WAL archives, replicas and backups
  taken during the vote hold the history; they are to be guarded like the database itself.
* Someone watching the database while votes arrive sees codes being spent as they happen;
  nothing stored afterwards adds to that, but the design cannot prevent it.
* `vote_cast` must run outside any transaction, as the vote page and the API call it: inside
  an outer atomic block the spend and the filing would be one transaction again.
* The web server's access log (time, address) is outside the database; do not log request
  bodies or the ?c= code of /appraisal/vote/.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.appraisal import rules
from shegong.appraisal.models import (
    Ballot,
    BallotRating,
    CodeRequest,
    CodeRequestStatus,
    Cycle,
    CycleStatus,
    Household,
    HouseholdCode,
    Indicator,
    IndicatorKind,
    Objection,
    ObjectionStatus,
    PartKind,
    PooledBallot,
    RaterCategory,
    Rating,
    Result,
    Scheme,
    SchemePart,
    Score,
    ScoreItem,
    SelfReport,
    Survey,
    SurveyStatus,
    SurveyWorker,
    VoteFailure,
)
from shegong.core.access import Permission, has_permission
from shegong.core.audit import AuditAction, audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.text import refuse_control_characters
from shegong.orgs.models import CommunityProfile, Unit, UnitKind
from shegong.people.models import Worker, WorkerStatus

if TYPE_CHECKING:
    from shegong.core.models import User

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off paper
CODE_LENGTH = 12  # 31**12 ≈ 2**59
FAILURE_LIMIT = getattr(settings, "APPRAISAL_VOTE_FAILURE_LIMIT", 20)
FAILURE_WINDOW_SECONDS = getattr(settings, "APPRAISAL_VOTE_FAILURE_WINDOW", 15 * 60)
BALLOT_BATCH = getattr(settings, "APPRAISAL_BALLOT_BATCH", 10)
SKIP = "skip"  # 不了解: the resident leaves that worker unrated

DEFAULT_PARTS: list[tuple[str, Decimal, list[tuple[str, str, Decimal, Decimal | None]]]] = [
    (
        PartKind.RESIDENTS,
        Decimal(60),
        [("居民满意度", IndicatorKind.SCALE, Decimal(100), None)],
    ),
    (
        PartKind.LEADERS,
        Decimal(30),
        [
            ("社区治安与矛盾调解", IndicatorKind.SCORE, Decimal(30), None),
            ("为民服务", IndicatorKind.SCORE, Decimal(40), None),
            ("居民参与活动率(%)", IndicatorKind.FIGURE, Decimal(30), Decimal(60)),
        ],
    ),
    (
        PartKind.PEERS,
        Decimal(10),
        [
            ("工作态度", IndicatorKind.SCORE, Decimal(50), None),
            ("团结协作", IndicatorKind.SCORE, Decimal(50), None),
        ],
    ),
]


class VoteRefused(ServiceError):
    """A code or ballot refused; `counts` when it is a wrong or replayed code (throttled)."""

    def __init__(self, message: str, *, counts: bool = False) -> None:
        super().__init__(message, field="code")
        self.counts = counts


class VoteThrottled(ServiceError):
    pass


# ---------------------------------------------------------------- helpers


def _require(acting_user: User, unit: Unit, message: str) -> None:
    if not has_permission(acting_user, Permission.EDIT, unit):
        raise ServiceError(message % {"unit": unit.name})


def _audit(
    acting_user: User | None,
    action: str,
    target: Any,
    unit_path: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    audit_record(
        acting_user=acting_user,
        action=action,
        target=target,
        unit_path=unit_path,
        before=before,
        after=after,
        note=note,
    )


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def hash_code(raw: str) -> str:
    """A keyed hash: the table of hashes is of no use without the server's secret."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalise_code(raw).encode(), hashlib.sha256).hexdigest()


def failure_key(raw: str) -> str:
    """What the throttle remembers of a refused code: a keyed hash under another key than the
    code's own hash, so a refusal (address, time) cannot be joined to a household's code."""
    key = hashlib.sha256(b"shegong-vote-throttle:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, normalise_code(raw).encode(), hashlib.sha256).hexdigest()[:32]


def new_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(body[i : i + 4] for i in range(0, CODE_LENGTH, 4))


SCHEME_SETTINGS = [
    "grade_set",
    "threshold_a",
    "threshold_b",
    "threshold_c",
    "top_quota",
    "min_raters",
    "min_resident_share",
    "trim",
    "pay_factor_a",
    "pay_factor_b",
    "pay_factor_c",
    "pay_factor_d",
    "ten_best",
    "objection_days",
]


# ---------------------------------------------------------------- schemes


def _check_weights(weights: Mapping[str, Decimal]) -> None:
    if not weights:
        raise ServiceError(_("请至少设置一项评分来源"), field="weights")
    if any(w <= 0 for w in weights.values()):
        raise ServiceError(_("各项权重须大于0"), field="weights")
    if sum(weights.values(), Decimal(0)) != 100:
        raise ServiceError(
            _("各项权重之和须为100%%,现为%(sum)s%%") % {"sum": sum(weights.values())},
            field="weights",
        )


def _open_cycle(scheme: Scheme) -> Cycle:
    cycle = Cycle.objects.create(scheme=scheme, unit_path=scheme.unit_path)
    communities = Unit.objects.filter(
        path__startswith=scheme.unit_path, kind=UnitKind.COMMUNITY
    ).order_by("path")
    Survey.objects.bulk_create(
        Survey(cycle=cycle, community=c, unit_path=c.path) for c in communities
    )
    return cycle


@transaction.atomic
def scheme_create(
    *,
    unit: Unit,
    year: int,
    name: str = "",
    weights: Mapping[str, Decimal] | None = None,
    values: Mapping[str, Any] | None = None,
    acting_user: User,
) -> Scheme:
    """A scheme with the default indicators, its cycle and a survey per community."""
    if unit.kind not in (UnitKind.STREET, UnitKind.DISTRICT):
        raise ServiceError(_("考核方案须由街道或区设立"), field="unit")
    _require(acting_user, unit, _("您没有权限为%(unit)s设立考核方案"))
    weights = dict(weights or {k: w for k, w, _items in DEFAULT_PARTS})
    _check_weights(weights)
    if Scheme.objects.filter(unit=unit, year=year).exists():
        raise ServiceError(
            _("%(unit)s%(year)s年度已有考核方案") % {"unit": unit.name, "year": year}, "year"
        )
    scheme = Scheme(
        unit=unit,
        unit_path=unit.path,
        year=year,
        name=name or _("%(unit)s%(year)s年度社区工作者考核") % {"unit": unit.name, "year": year},
    )
    for key, value in (values or {}).items():
        if key in SCHEME_SETTINGS and value is not None:
            setattr(scheme, key, value)
    try:
        with transaction.atomic():
            scheme.save()
    except IntegrityError:
        raise ServiceError(
            _("分数线须依次降低(优秀>良好>合格),比例在0至100之间,系数不能为负")
        ) from None
    for kind, _w, items in DEFAULT_PARTS:
        if kind not in weights:
            continue
        part = SchemePart.objects.create(scheme=scheme, kind=kind, weight=weights[kind])
        Indicator.objects.bulk_create(
            Indicator(part=part, name=n, kind=k, max_points=m, figure_full=f, sort_order=i)
            for i, (n, k, m, f) in enumerate(items)
        )
    _open_cycle(scheme)
    _audit(
        acting_user,
        AuditAction.CREATE,
        scheme,
        unit.path,
        after={**snapshot(scheme, ["year", "name", *SCHEME_SETTINGS]), "weights": _plain(weights)},
    )
    return scheme


def _plain(weights: Mapping[str, Decimal]) -> dict[str, str]:
    return {k: str(v) for k, v in weights.items()}


def _editable_scheme(scheme: Scheme, acting_user: User) -> Scheme:
    scheme = (
        Scheme.objects.select_for_update(of=("self",))
        .select_related("unit", "cycle")
        .get(pk=scheme.pk)
    )
    _require(acting_user, scheme.unit, _("您没有权限修改%(unit)s的考核方案"))
    if scheme.cycle.status != CycleStatus.OPEN:
        raise ServiceError(_("考核结果已计算或已公示,方案不能再修改"))
    return scheme


@transaction.atomic
def scheme_update(
    *,
    scheme: Scheme,
    weights: Mapping[str, Decimal],
    values: Mapping[str, Any],
    acting_user: User,
) -> Scheme:
    """Change the settings and the weights of the existing parts while scoring is open."""
    scheme = _editable_scheme(scheme, acting_user)
    parts = {p.kind: p for p in scheme.parts.all()}
    if set(weights) != set(parts):
        raise ServiceError(_("请为每一项评分来源填写大于0的权重"), field="weights")
    _check_weights(weights)
    before = {
        **snapshot(scheme, SCHEME_SETTINGS),
        "weights": _plain({k: p.weight for k, p in parts.items()}),
    }
    for key, value in values.items():
        if key in SCHEME_SETTINGS and value is not None:
            setattr(scheme, key, value)
    try:
        with transaction.atomic():
            scheme.save()
    except IntegrityError:
        raise ServiceError(
            _("分数线须依次降低(优秀>良好>合格),比例在0至100之间,系数不能为负")
        ) from None
    for kind, part in parts.items():
        if part.weight != weights[kind]:
            part.weight = weights[kind]
            part.save(update_fields=["weight"])
    _audit(
        acting_user,
        AuditAction.UPDATE,
        scheme,
        scheme.unit_path,
        before=before,
        after={**snapshot(scheme, SCHEME_SETTINGS), "weights": _plain(weights)},
    )
    return scheme


def parse_indicators(text: str) -> list[tuple[str, str, Decimal, Decimal | None]]:
    """One indicator a line: "名称,分值" (points), or "名称,分值,满分数值" (a figure such as a
    participation rate, full marks at that figure)."""
    rows: list[tuple[str, str, Decimal, Decimal | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p.strip() for p in line.replace(",", ",").replace("\t", ",").split(",")]
        if not parts[0]:
            continue
        try:
            points = Decimal(parts[1]) if len(parts) > 1 else None
            full = Decimal(parts[2]) if len(parts) > 2 and parts[2] else None
        except InvalidOperation:
            points = None
            full = Decimal(-1)
        if points is None or not points.is_finite() or points <= 0 or points > 1000:
            raise ServiceError(
                _("第%(n)d行:请写成“指标名称,分值”,分值为正数") % {"n": number}, "indicators"
            )
        if full is not None and (not full.is_finite() or full <= 0):
            raise ServiceError(_("第%(n)d行:满分对应的数值须为正数") % {"n": number}, "indicators")
        if len(parts[0]) > 100:
            raise ServiceError(_("第%(n)d行:指标名称过长") % {"n": number}, "indicators")
        kind = IndicatorKind.FIGURE if full is not None else IndicatorKind.SCORE
        rows.append((parts[0], kind, points, full))
    return rows


@transaction.atomic
def indicators_replace(
    *,
    scheme: Scheme,
    part: str,
    items: list[tuple[str, str, Decimal, Decimal | None]],
    acting_user: User,
) -> list[Indicator]:
    """Set the indicators of the leaders' or peers' part, before anyone has scored it."""
    scheme = _editable_scheme(scheme, acting_user)
    if part not in (PartKind.LEADERS, PartKind.PEERS):
        raise ServiceError(_("居民评议按满意度计分,不设分项指标"))
    found = scheme.parts.filter(kind=part).first()
    if found is None:
        raise ServiceError(_("本方案没有该项评分"))
    if not items:
        raise ServiceError(_("请至少填写一项指标"), field="indicators")
    if Score.objects.filter(cycle=scheme.cycle, part=part).exists():
        raise ServiceError(_("已有人按现有指标评分,不能再修改指标"), field="indicators")
    before = [f"{i.name},{i.max_points}" for i in found.indicators.all()]
    found.indicators.all().delete()
    created = Indicator.objects.bulk_create(
        Indicator(part=found, name=n, kind=k, max_points=m, figure_full=f, sort_order=i)
        for i, (n, k, m, f) in enumerate(items)
    )
    _audit(
        acting_user,
        AuditAction.UPDATE,
        scheme,
        scheme.unit_path,
        before={"indicators": before},
        after={"indicators": [f"{n},{m}" for n, _k, m, _f in items]},
        note=str(PartKind(part).label),
    )
    return created


@transaction.atomic
def scheme_copy_forward(*, scheme: Scheme, year: int, acting_user: User) -> Scheme:
    """Next year's scheme with the same settings, parts and indicators, and a fresh cycle."""
    _require(acting_user, scheme.unit, _("您没有权限为%(unit)s设立考核方案"))
    if Scheme.objects.filter(unit=scheme.unit, year=year).exists():
        raise ServiceError(
            _("%(unit)s%(year)s年度已有考核方案") % {"unit": scheme.unit.name, "year": year}, "year"
        )
    copy = Scheme(
        unit=scheme.unit,
        unit_path=scheme.unit.path,
        year=year,
        name=scheme.name.replace(str(scheme.year), str(year)),
        **{k: getattr(scheme, k) for k in SCHEME_SETTINGS},
    )
    copy.save()
    for part in scheme.parts.prefetch_related("indicators"):
        new_part = SchemePart.objects.create(scheme=copy, kind=part.kind, weight=part.weight)
        Indicator.objects.bulk_create(
            Indicator(
                part=new_part,
                name=i.name,
                kind=i.kind,
                max_points=i.max_points,
                figure_full=i.figure_full,
                sort_order=i.sort_order,
            )
            for i in part.indicators.all()
        )
    _open_cycle(copy)
    _audit(acting_user, AuditAction.CREATE, copy, copy.unit_path, note=f"copied from {scheme.pk}")
    return copy


# ---------------------------------------------------------------- surveys and codes


def _lock_survey(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().select_related("cycle", "community").get(pk=survey.pk)


@transaction.atomic
def survey_open(*, survey: Survey, acting_user: User) -> Survey:
    """Open for votes; the ballot is the community's active workers at this moment."""
    survey = _lock_survey(survey)
    _require(acting_user, survey.community, _("您没有权限管理%(unit)s的居民评议"))
    if survey.cycle.status != CycleStatus.OPEN:
        raise ServiceError(_("考核结果已计算,不能再开启评议"))
    if survey.status != SurveyStatus.DRAFT:
        raise ServiceError(_("该评议已开启或已结束"))
    workers = list(
        Worker.objects.filter(community=survey.community, status=WorkerStatus.ACTIVE).order_by(
            "name_initials", "id"
        )
    )
    if not workers:
        raise ServiceError(_("%(unit)s没有在岗社区工作者") % {"unit": survey.community.name})
    if not survey.codes.filter(voided=False).exists():
        raise ServiceError(_("请先按住户名单生成评议码"))
    SurveyWorker.objects.bulk_create(
        SurveyWorker(survey=survey, worker=w, sort_order=i) for i, w in enumerate(workers)
    )
    before = snapshot(survey, ["status"])
    survey.status = SurveyStatus.OPEN
    survey.opened_at = timezone.now()
    survey.save(update_fields=["status", "opened_at"])
    _audit(
        acting_user,
        AuditAction.UPDATE,
        survey,
        survey.unit_path,
        before=before,
        after=snapshot(survey, ["status"]),
        note=_("开启居民评议"),
    )
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, acting_user: User) -> Survey:
    survey = _lock_survey(survey)
    _require(acting_user, survey.community, _("您没有权限管理%(unit)s的居民评议"))
    if survey.status != SurveyStatus.OPEN:
        raise ServiceError(_("只有评议中的评议可以结束"))
    before = snapshot(survey, ["status"])
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    _file_pool(survey.pk, leave=0)
    _audit(
        acting_user,
        AuditAction.UPDATE,
        survey,
        survey.unit_path,
        before=before,
        after=snapshot(survey, ["status"]),
        note=_("结束居民评议"),
    )
    return survey


@dataclass(frozen=True)
class IssuedCode:
    household: str
    category: str
    code: str


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


# ---------------------------------------------------------------- households on record


def _names(rows: Iterable[str]) -> list[str]:
    names = [label.strip() for label in rows if label and label.strip()]
    if len(set(names)) != len(names):
        duplicates = sorted({h for h in names if names.count(h) > 1})[:5]
        raise ServiceError(
            _("住户名单有重复:%(names)s") % {"names": "、".join(duplicates)}, field="households"
        )
    return names


@transaction.atomic
def households_import(
    *, community: Unit, rows: Iterable[tuple[str, str]], acting_user: User
) -> int:
    """Add households to the community's record, all or none; returns how many were added.

    A household already on record keeps its entry. The record never holds more households
    than the community has registered (户数 in its profile), so nobody can invent voters."""
    if community.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("住户名册按社区登记"))
    _require(acting_user, community, _("您没有权限登记%(unit)s的住户"))
    rows = [(label.strip(), category) for label, category in rows if label and label.strip()]
    names = _names(label for label, _c in rows)
    if not names:
        raise ServiceError(_("请填写住户名单,每行一户"), field="households")
    for label, category in rows:
        if len(label) > 100:
            raise ServiceError(_("住户名称过长:%(name)s") % {"name": label[:20]}, "households")
        if category not in RaterCategory.values:
            raise ServiceError(_("评议人类别应为普通居民、居民代表或驻区单位"), field="households")
    profile = CommunityProfile.objects.select_for_update().filter(unit=community).first()
    registered = profile.households if profile else 0
    existing = set(
        Household.objects.filter(community=community, label__in=names).values_list(
            "label", flat=True
        )
    )
    new = [(label, category) for label, category in rows if label not in existing]
    on_record = Household.objects.filter(community=community).count()
    if on_record + len(new) > registered:
        raise ServiceError(
            _(
                "%(unit)s登记户数为%(registered)d户,住户名册已有%(on_record)d户,"
                "不能再增加%(new)d户;请先核实社区概况中的户数"
            )
            % {
                "unit": community.name,
                "registered": registered,
                "on_record": on_record,
                "new": len(new),
            },
            field="households",
        )
    Household.objects.bulk_create(
        Household(community=community, unit_path=community.path, label=label, category=category)
        for label, category in new
    )
    _audit(
        acting_user,
        AuditAction.CREATE,
        community,
        community.path,
        after={"households_added": len(new), "households_on_record": on_record + len(new)},
        note=_("登记住户名册"),
    )
    return len(new)


def household_add(
    *, community: Unit, label: str, category: str = RaterCategory.RESIDENT, acting_user: User
) -> int:
    """One household onto the record (see `households_import`)."""
    return households_import(community=community, rows=[(label, category)], acting_user=acting_user)


def _on_record(survey: Survey, names: list[str] | None) -> list[Household]:
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


def _issue(survey: Survey, households: list[Household]) -> list[IssuedCode]:
    issued = [
        IssuedCode(household=h.label, category=h.category, code=new_code()) for h in households
    ]
    HouseholdCode.objects.bulk_create(
        HouseholdCode(
            survey=survey,
            code_hash=hash_code(i.code),
            household_record=h,
            household=h.label,
            category=h.category,
        )
        for i, h in zip(issued, households, strict=True)
    )
    return issued


def _refuse_voted(survey: Survey, households: list[Household]) -> None:
    voted = sorted(
        survey.codes.filter(household_record__in=households, spent=True).values_list(
            "household", flat=True
        )
    )
    if voted:
        raise ServiceError(
            _("以下住户已投票,不能补发:%(names)s") % {"names": "、".join(voted[:5])},
            field="households",
        )


@transaction.atomic
def codes_issue(
    *, survey: Survey, households: Iterable[str] | None = None, acting_user: User
) -> list[IssuedCode]:
    """A first code for households on record, before the survey opens: the named ones, or
    (None) every household on record that holds no code yet. The codes are returned once, to
    be printed; only their hashes are kept. Anything else — codes after the survey opened, a
    new code for a household that holds one — is a request another person approves."""
    survey = _lock_survey(survey)
    _require(acting_user, survey.community, _("您没有权限管理%(unit)s的居民评议"))
    if survey.status != SurveyStatus.DRAFT:
        raise ServiceError(_("评议已开启,补发评议码须提交申请,由另一位有权限的人员审批"))
    names = None if households is None else _names(households)
    chosen = _on_record(survey, names)
    holding = set(
        survey.codes.filter(household_record__in=chosen, voided=False).values_list(
            "household", flat=True
        )
    )
    if names is None:
        chosen = [h for h in chosen if h.label not in holding]
    elif holding:
        raise ServiceError(
            _("以下住户已有评议码,重新发放须提交申请,由另一位有权限的人员审批:%(names)s")
            % {"names": "、".join(sorted(holding)[:5])},
            field="households",
        )
    if not chosen:
        raise ServiceError(_("住户名册上没有尚未领码的住户"), field="households")
    issued = _issue(survey, chosen)
    _audit(
        acting_user,
        AuditAction.CREATE,
        survey,
        survey.unit_path,
        after={"codes_issued": len(issued), "codes_voided": 0},
        note=_("发放评议码"),
    )
    return issued


@transaction.atomic
def code_request_create(
    *, survey: Survey, households: Iterable[str], acting_user: User
) -> CodeRequest:
    """Ask for codes for the named households on record: after the survey opened, or again
    for households whose code was lost. Nothing is issued or voided until another person
    approves (`code_request_approve`)."""
    survey = _lock_survey(survey)
    _require(acting_user, survey.community, _("您没有权限管理%(unit)s的居民评议"))
    if survey.status == SurveyStatus.CLOSED:
        raise ServiceError(_("评议已结束,不能再发放评议码"))
    names = _names(households)
    if not names:
        raise ServiceError(_("请填写需要补发评议码的住户,每行一户"), field="households")
    chosen = _on_record(survey, names)
    _refuse_voted(survey, chosen)
    holding = survey.codes.filter(household_record__in=chosen, voided=False).count()
    request = CodeRequest.objects.create(
        survey=survey, unit_path=survey.unit_path, count=len(chosen), requested_by=acting_user
    )
    request.households.set(chosen)
    _audit(
        acting_user,
        AuditAction.CREATE,
        request,
        survey.unit_path,
        after={"households": len(chosen), "holding_codes": holding, "status": request.status},
        note=_("申请补发评议码"),
    )
    return request


@dataclass(frozen=True)
class CodeIssue:
    issued: list[IssuedCode]
    voided: int


@transaction.atomic
def code_request_approve(*, code_request: CodeRequest, acting_user: User) -> CodeIssue:
    """The second person's approval: the unspent codes of the named households (and only
    theirs) are voided and new ones issued. Returns the codes, once, and how many were voided."""
    code_request = CodeRequest.objects.select_for_update().get(pk=code_request.pk)
    survey = _lock_survey(code_request.survey)
    _require(acting_user, survey.community, _("您没有权限审批%(unit)s的评议码申请"))
    if code_request.status != CodeRequestStatus.PENDING:
        raise ServiceError(_("该申请已审批"))
    if code_request.requested_by_id == acting_user.pk:
        raise ServiceError(_("申请人不能审批自己的申请,请由另一位有权限的人员审批"))
    if survey.status == SurveyStatus.CLOSED:
        raise ServiceError(_("评议已结束,不能再发放评议码"))
    chosen = list(code_request.households.order_by("label"))
    _refuse_voted(survey, chosen)
    voided = survey.codes.filter(household_record__in=chosen, voided=False, spent=False).update(
        voided=True
    )
    issued = _issue(survey, chosen)
    code_request.status = CodeRequestStatus.APPROVED
    code_request.approved_by = acting_user
    code_request.approved_at = timezone.now()
    code_request.save(update_fields=["status", "approved_by", "approved_at"])
    _audit(
        acting_user,
        AuditAction.UPDATE,
        code_request,
        survey.unit_path,
        before={"status": CodeRequestStatus.PENDING},
        after={
            "status": code_request.status,
            "requested_by": code_request.requested_by_id,
            "codes_issued": len(issued),
            "codes_voided": voided,
        },
        note=_("审批补发评议码"),
    )
    return CodeIssue(issued=issued, voided=voided)


def vote_is_throttled(*, address: str) -> bool:
    """Whether `address` (the client as `core.net.client_address` vouches for it) has had
    FAILURE_LIMIT distinct codes refused in the window. Keyed on the address and the code, so
    one client's junk locks out that client only, not the voters behind the same proxy."""
    since = timezone.now() - datetime.timedelta(seconds=FAILURE_WINDOW_SECONDS)
    distinct = (
        VoteFailure.objects.filter(address=address, at__gte=since)
        .values("code_key")
        .distinct()
        .count()
    )
    return distinct >= FAILURE_LIMIT


def _refusal(code_hash: str) -> VoteRefused:
    """Why an unspendable code was refused: unknown or used codes count toward the throttle."""
    row = (
        HouseholdCode.objects.filter(code_hash=code_hash)
        .values("spent", "voided", "survey__status")
        .first()
    )
    if row is None or row["voided"]:
        return VoteRefused(_("评议码无效,请核对通知单上的评议码"), counts=True)
    if row["spent"]:
        return VoteRefused(_("该评议码已经使用过,每户只能投一次票"), counts=True)
    if row["survey__status"] == SurveyStatus.DRAFT:
        return VoteRefused(_("评议尚未开始,请在通知的时间内投票"))
    return VoteRefused(_("评议已经结束,不再接受投票"))


def _guarded(address: str, code: str, work: Any) -> Any:
    if vote_is_throttled(address=address):
        raise VoteThrottled(
            _("尝试次数过多,请%(m)d分钟后再试") % {"m": FAILURE_WINDOW_SECONDS // 60}
        )
    try:
        return work()
    except VoteRefused as exc:
        if exc.counts:
            VoteFailure.objects.create(address=address, code_key=failure_key(code))
        raise


def vote_check(*, code: str, address: str) -> Survey:
    """The open survey a code may vote in (nothing is spent); refused codes are throttled."""

    def work() -> Survey:
        code_hash = hash_code(code)
        found = (
            HouseholdCode.objects.filter(
                code_hash=code_hash, spent=False, voided=False, survey__status=SurveyStatus.OPEN
            )
            .select_related("survey__community", "survey__cycle__scheme")
            .first()
        )
        if found is None:
            raise _refusal(code_hash)
        return found.survey

    return _guarded(address, code, work)


def survey_for_code(*, code: str, address: str) -> Survey:
    """The survey a household code belongs to, spent or not (for its results page)."""

    def work() -> Survey:
        found = (
            HouseholdCode.objects.filter(code_hash=hash_code(code), voided=False)
            .select_related("survey__community", "survey__cycle__scheme")
            .first()
        )
        if found is None:
            raise VoteRefused(_("评议码无效,请核对通知单上的评议码"), counts=True)
        return found.survey

    result: Survey = _guarded(address, code, work)
    return result


# The guard and the throttle in one statement: the code is spent only if it is unspent, not
# voided, its survey is open and the address is not locked out. Returning the survey's opening
# time lets the (immutable once open) ballot be cached per process.
_SPEND_SQL = (
    "UPDATE appraisal_householdcode SET spent = %s "
    "WHERE code_hash = %s AND spent = %s AND voided = %s "
    "AND survey_id IN (SELECT id FROM appraisal_survey WHERE status = %s) "
    "RETURNING survey_id, category"
)
# On PostgreSQL the code's survey row is share-locked while the code is spent, so closing the
# survey (which locks it FOR UPDATE and files the whole pool) waits for ballots on their way
# into the pool, and a code spent after that finds the survey closed.
_SURVEY_OPEN_LOCKED = (
    "AND EXISTS (SELECT 1 FROM appraisal_survey s WHERE s.id = appraisal_householdcode.survey_id "
    "AND s.status = %s FOR KEY SHARE) "
)
_SURVEY_OPEN = "AND survey_id IN (SELECT id FROM appraisal_survey WHERE status = %s) "


def _spend_sql() -> str:
    survey_open = _SURVEY_OPEN_LOCKED if connection.vendor == "postgresql" else _SURVEY_OPEN
    return (
        "UPDATE appraisal_householdcode SET spent = %s "
        "WHERE code_hash = %s AND spent = %s AND voided = %s "
        f"{survey_open}"
        "AND (SELECT COUNT(DISTINCT code_key) FROM appraisal_votefailure "
        "WHERE address = %s AND at >= %s) < %s "
        "RETURNING survey_id, category, "
        "(SELECT opened_at FROM appraisal_survey WHERE appraisal_survey.id = survey_id)"
    )


_BALLOTS: dict[tuple[int, Any], frozenset[int]] = {}
_SHUFFLE = secrets.SystemRandom()


def _ballot_of(survey_id: int, opened_at: Any) -> frozenset[int]:
    """The workers on an open survey's ballot. It is written when the survey opens and never
    changes after, so it is kept per process, keyed by the survey and its opening time."""
    key = (survey_id, opened_at)
    found = _BALLOTS.get(key)
    if found is None:
        found = frozenset(
            SurveyWorker.objects.filter(survey_id=survey_id).values_list("worker_id", flat=True)
        )
        if len(_BALLOTS) > 10_000:
            _BALLOTS.clear()
        _BALLOTS[key] = found
    return found


def _file_pool(survey_id: int, *, leave: int) -> int:
    """File the survey's pooled ballots into the ballot box in one transaction and in random
    order, leaving `leave` of them, chosen at random, in the pool. Returns how many were filed.

    Each pooled row is locked, copied and deleted in one transaction, so a ballot is filed
    exactly once; concurrent filers skip each other's rows (a closing survey waits for them).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The survey first, as closing takes it: the survey, then the pool (no deadlock).
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM appraisal_survey WHERE id = %s FOR KEY SHARE", [survey_id]
                )
        pooled = list(
            PooledBallot.objects.select_for_update(skip_locked=leave > 0)
            .filter(survey_id=survey_id)
            .values_list("id", "category", "ratings")
        )
        count = len(pooled) - leave
        if count <= 0:
            return 0
        _SHUFFLE.shuffle(pooled)
        chosen = pooled[:count]
        ballots = [Ballot(survey_id=survey_id, category=category) for _pk, category, _r in chosen]
        Ballot.objects.bulk_create(ballots)
        BallotRating.objects.bulk_create(
            BallotRating(ballot=ballot, survey_id=survey_id, worker_id=int(worker), rating=rating)
            for ballot, (_pk, _c, ratings) in zip(ballots, chosen, strict=True)
            for worker, rating in ratings.items()
        )
        PooledBallot.objects.filter(id__in=[pk for pk, _c, _r in chosen]).delete()
    return count


def vote_cast(*, code: str, ratings: Mapping[int, str], address: str) -> int:
    """Spend the code and pool the ballot, both or neither; returns the survey's id.

    The conditional UPDATE … WHERE spent = false is the guard: of two requests with the same
    code, the database lets exactly one update the row; the other sees no row and is refused.
    The pooled ballot is written by the same transaction, so a spent code always has its
    ballot. Filing from the pool into the ballot box is another transaction (see the module
    docstring): once the pool holds 2 × BALLOT_BATCH ballots, all but a random BALLOT_BATCH
    of them are filed in shuffled order.
    """
    code_hash = hash_code(code)
    since = timezone.now() - datetime.timedelta(seconds=FAILURE_WINDOW_SECONDS)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    _spend_sql(),
                    [
                        True,
                        code_hash,
                        False,
                        False,
                        SurveyStatus.OPEN,
                        address,
                        since,
                        FAILURE_LIMIT,
                    ],
                )
                row = cursor.fetchone()
            if row is None:
                raise _NotSpent
            survey_id, category, opened_at = row
            chosen = _clean_ballot(ratings, set(_ballot_of(survey_id, opened_at)))
            PooledBallot.objects.create(
                survey_id=survey_id,
                category=category,
                ratings={str(w): r for w, r in chosen.items()},
            )
    except _NotSpent:
        pass
    else:
        # The vote is recorded; filing is housekeeping that the next vote or the closing of
        # the survey redoes, so a failure here must not tell the resident their vote failed.
        try:
            if PooledBallot.objects.filter(survey_id=survey_id).count() >= 2 * BALLOT_BATCH:
                _file_pool(survey_id, leave=BALLOT_BATCH)
        except DatabaseError:
            logger.exception("filing pooled ballots of survey %s failed", survey_id)
        return int(survey_id)

    # Refused: say why, and count a wrong or used code against the address.
    def refuse() -> int:
        raise _refusal(code_hash)

    result: int = _guarded(address, code, refuse)
    return result


class _NotSpent(Exception):
    pass


def _clean_ballot(ratings: Mapping[int, str], ballot: set[int]) -> dict[int, str]:
    if set(ratings) != ballot:
        raise VoteRefused(_("请对名单上的每一位社区工作者作出评价"))
    allowed = {*Rating.values, SKIP}
    if any(r not in allowed for r in ratings.values()):
        raise VoteRefused(_("评价只能选择满意、基本满意、不满意或不了解"))
    chosen = {w: r for w, r in ratings.items() if r != SKIP}
    if not chosen:
        raise VoteRefused(_("请至少评价一位社区工作者"))
    return chosen


# ---------------------------------------------------------------- scores and self-reports


def _part_indicators(cycle: Cycle, part: str) -> list[Indicator]:
    return list(
        Indicator.objects.filter(part__scheme_id=cycle.scheme_id, part__kind=part).order_by(
            "sort_order", "id"
        )
    )


def _number(value: Decimal) -> str:
    """30.00 → "30", 12.50 → "12.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _parse_points(raw: Any, indicator: Indicator) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(_("%(name)s须填写数字") % {"name": indicator.name}) from None
    if not value.is_finite() or value < 0:
        raise ServiceError(_("%(name)s不能为负数") % {"name": indicator.name})
    if indicator.kind == IndicatorKind.FIGURE:
        assert indicator.figure_full is not None
        return rules.figure_points(value, indicator.figure_full, indicator.max_points)
    if value > indicator.max_points:
        raise ServiceError(
            _("%(name)s最高%(max)s分")
            % {"name": indicator.name, "max": _number(indicator.max_points)}
        )
    return value


@transaction.atomic
def score_record(
    *,
    cycle: Cycle,
    worker: Worker,
    part: str,
    points: Mapping[int, Any],
    acting_user: User,
    scorer_worker: Worker | None = None,
) -> Score:
    """One scorer's sheet for one worker (replacing their earlier sheet). A leader scores as
    themself; a peer sheet is entered by a clerk for the peer named in `scorer_worker`."""
    cycle = Cycle.objects.select_for_update().select_related("scheme__unit").get(pk=cycle.pk)
    if cycle.status != CycleStatus.OPEN:
        raise ServiceError(_("考核结果已计算或已公示,评分已锁定"))
    if not worker.unit_path.startswith(cycle.unit_path) or worker.status != WorkerStatus.ACTIVE:
        raise ServiceError(_("%(name)s不在本次考核范围内") % {"name": worker.name})
    if part == PartKind.LEADERS:
        _require(acting_user, cycle.scheme.unit, _("只有%(unit)s的负责人可以进行街道考核评分"))
        scorer: dict[str, Any] = {"scorer_user": acting_user}
    elif part == PartKind.PEERS:
        _require(acting_user, worker.community, _("您没有权限录入%(unit)s的互评"))
        if scorer_worker is None:
            raise ServiceError(_("请选择评分人"), field="scorer")
        if scorer_worker.pk == worker.pk:
            raise ServiceError(_("不能给自己评分"), field="scorer")
        if scorer_worker.community_id != worker.community_id:
            raise ServiceError(_("互评只能在同一社区的同事之间进行"), field="scorer")
        scorer = {"scorer_worker": scorer_worker}
    else:
        raise ServiceError(_("居民评议由居民投票产生,不能录入"))
    indicators = _part_indicators(cycle, part)
    if not indicators:
        raise ServiceError(_("本方案没有该项评分"))
    missing = [i.name for i in indicators if points.get(i.pk) in (None, "")]
    if missing:
        raise ServiceError(_("请填写:%(names)s") % {"names": "、".join(missing)})
    values = {i.pk: _parse_points(points[i.pk], i) for i in indicators}
    total = rules.sheet_total((values[i.pk], i.max_points) for i in indicators)
    existing = Score.objects.filter(cycle=cycle, worker=worker, part=part, **scorer).first()
    before = snapshot(existing, ["total"]) if existing else None
    if existing:
        existing.total = total
        existing.entered_by = acting_user
        existing.save(update_fields=["total", "entered_by"])
        existing.items.all().delete()
        score = existing
    else:
        score = Score.objects.create(
            cycle=cycle,
            worker=worker,
            part=part,
            entered_by=acting_user,
            total=total,
            unit_path=worker.unit_path,
            **scorer,
        )
    ScoreItem.objects.bulk_create(
        ScoreItem(score=score, indicator_id=pk, points=v) for pk, v in values.items()
    )
    _audit(
        acting_user,
        AuditAction.UPDATE if existing else AuditAction.CREATE,
        score,
        worker.unit_path,
        before=before,
        after={
            **snapshot(score, ["worker_id", "part", "scorer_user_id", "scorer_worker_id", "total"]),
            "items": {str(k): str(v) for k, v in values.items()},
        },
    )
    return score


@transaction.atomic
def self_report_save(*, cycle: Cycle, worker: Worker, text: str, acting_user: User) -> SelfReport:
    _require(acting_user, worker.community, _("您没有权限录入%(unit)s的述职报告"))
    if not worker.unit_path.startswith(cycle.unit_path):
        raise ServiceError(_("%(name)s不在本次考核范围内") % {"name": worker.name})
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("请填写述职报告"), field="text")
    refuse_control_characters({"text": text}, {"text": _("述职报告")}, multiline=["text"])
    report = SelfReport.objects.filter(cycle=cycle, worker=worker).first()
    before = {"length": len(report.text)} if report else None
    if report:
        report.text = text
        report.save(update_fields=["text", "updated_at"])
    else:
        report = SelfReport.objects.create(
            cycle=cycle, worker=worker, text=text, unit_path=worker.unit_path
        )
    _audit(
        acting_user,
        AuditAction.UPDATE if before else AuditAction.CREATE,
        report,
        worker.unit_path,
        before=before,
        after={"length": len(text)},
    )
    return report


# ---------------------------------------------------------------- results

RESULT_FIELDS = [
    "unit_path",
    "resident_score",
    "leader_score",
    "peer_score",
    "score",
    "rank",
    "grade",
    "pay_factor",
    "counts_toward_step",
    "standing",
    "ten_best",
    "reasons",
]


@transaction.atomic
def results_compute(*, cycle: Cycle, acting_user: User) -> int:
    """Weighted scores, ranks, grades with the quota, consequences; replaces earlier results.
    Aggregates are computed in the database; the rules decide."""
    cycle = Cycle.objects.select_for_update().select_related("scheme__unit").get(pk=cycle.pk)
    scheme = cycle.scheme
    _require(acting_user, scheme.unit, _("只有%(unit)s的负责人可以计算考核结果"))
    if cycle.status == CycleStatus.PUBLISHED:
        raise ServiceError(_("结果已公示,不能重新计算"))
    if cycle.surveys.filter(status=SurveyStatus.OPEN).exists():
        raise ServiceError(_("还有社区的居民评议未结束,请先结束评议"))

    workers = list(
        Worker.objects.filter(
            unit_path__startswith=scheme.unit_path, status=WorkerStatus.ACTIVE
        ).values_list("id", "unit_path")
    )
    if not workers:
        raise ServiceError(_("%(unit)s没有在岗社区工作者") % {"unit": scheme.unit.name})
    path_of = dict(workers)
    weights = dict(scheme.parts.values_list("kind", "weight"))

    # Residents: valid surveys only. A ballot still pooled (spent as its survey closed) is filed.
    for survey_id in set(
        PooledBallot.objects.filter(survey__cycle=cycle).values_list("survey_id", flat=True)
    ):
        _file_pool(survey_id, leave=0)
    survey_counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Ballot.objects.filter(survey__cycle=cycle)
        .values("survey_id", "category")
        .annotate(n=Count("id"))
    ):
        survey_counts[row["survey_id"]][row["category"]] = row["n"]
    invalid_paths: set[str] = set()
    for survey_id, path in cycle.surveys.values_list("id", "unit_path"):
        counts = survey_counts.get(survey_id, {})
        if not rules.survey_valid(
            votes=sum(counts.values()),
            residents=counts.get(RaterCategory.RESIDENT, 0),
            min_raters=scheme.min_raters,
            min_resident_share=scheme.min_resident_share,
        ):
            invalid_paths.add(path)
    rating_counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        BallotRating.objects.filter(survey__cycle=cycle)
        .exclude(survey__unit_path__in=invalid_paths)
        .values("worker_id", "rating")
        .annotate(n=Count("id"))
    ):
        rating_counts[row["worker_id"]][row["rating"]] = row["n"]

    sheets: dict[tuple[int, str], Decimal | None] = {}
    trimmed: set[int] = set()
    for row in (
        Score.objects.filter(cycle=cycle)
        .values("worker_id", "part")
        .annotate(total_sum=Sum("total"), high=Max("total"), low=Min("total"), n=Count("id"))
    ):
        sheets[(row["worker_id"], row["part"])] = rules.trimmed_mean(
            total=row["total_sum"],
            highest=row["high"],
            lowest=row["low"],
            count=row["n"],
            trim=scheme.trim,
        )
        if scheme.trim and row["n"] >= rules.TRIM_MIN_SCORES:
            trimmed.add(row["worker_id"])

    previous = dict(
        Result.objects.filter(
            cycle__scheme__unit=scheme.unit, cycle__scheme__year=scheme.year - 1
        ).values_list("worker_id", "grade")
    )

    part_labels = dict(PartKind.choices)
    entries: list[rules.Entry] = []
    parts_of: dict[int, dict[str, Decimal | None]] = {}
    notes: dict[int, list[str]] = {}
    for worker_id, path in workers:
        parts: dict[str, Decimal | None] = {
            PartKind.RESIDENTS: rules.resident_score(rating_counts.get(worker_id, {})),
            PartKind.LEADERS: sheets.get((worker_id, PartKind.LEADERS)),
            PartKind.PEERS: sheets.get((worker_id, PartKind.PEERS)),
        }
        score, missing = rules.weighted_score(parts, weights)
        reasons: list[str] = []
        if PartKind.RESIDENTS in weights and path in invalid_paths:
            reasons.append(
                _("所在社区居民评议人数不足%(n)d人或普通居民占比不足%(p)s%%,未计入")
                % {"n": scheme.min_raters, "p": scheme.min_resident_share}
            )
        for kind in missing:
            if kind == PartKind.RESIDENTS and path in invalid_paths:
                continue
            reasons.append(_("无%(part)s评分,按其余各项折算") % {"part": part_labels[kind]})
        if worker_id in trimmed:
            reasons.append(_("评分已去掉一个最高分和一个最低分"))
        parts_of[worker_id] = parts
        notes[worker_id] = reasons
        entries.append(
            rules.Entry(
                key=worker_id,
                score=score,
                resident=parts[PartKind.RESIDENTS],
                leader=parts[PartKind.LEADERS],
            )
        )
    thresholds = (scheme.threshold_a, scheme.threshold_b, scheme.threshold_c)
    grading = rules.assign_grades(entries, thresholds=thresholds, quota_percent=scheme.top_quota)
    ranking = rules.ranks(entries)
    best = rules.ten_best(entries, grading.grades, scheme.ten_best)
    factors = {
        "A": scheme.pay_factor_a,
        "B": scheme.pay_factor_b,
        "C": scheme.pay_factor_c,
        "D": scheme.pay_factor_d,
    }
    rows = []
    for e in entries:
        grade = grading.grades[e.key]
        if e.key in grading.capped:
            notes[e.key].append(
                _("达到优秀分数线,但优秀名额已满(上限%(n)d人)") % {"n": grading.quota}
            )
        outcome = rules.consequence(grade, previous.get(e.key), factors)
        if outcome.standing == "exit":
            notes[e.key].append(_("连续两年考核不合格"))
        parts = parts_of[e.key]
        rows.append(
            Result(
                cycle=cycle,
                worker_id=e.key,
                unit_path=path_of[e.key],
                resident_score=parts[PartKind.RESIDENTS],
                leader_score=parts[PartKind.LEADERS],
                peer_score=parts[PartKind.PEERS],
                score=e.score,
                rank=ranking[e.key],
                grade=grade,
                pay_factor=outcome.pay_factor,
                counts_toward_step=outcome.counts_toward_step,
                standing=outcome.standing,
                ten_best=e.key in best,
                reasons=";".join(notes[e.key]),
            )
        )
    # Upsert, so the objections filed against a result keep pointing at it.
    cycle.results.exclude(worker_id__in=[r.worker_id for r in rows]).delete()
    Result.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["cycle", "worker"],
        update_fields=RESULT_FIELDS,
    )
    before = snapshot(cycle, ["status"])
    cycle.status = CycleStatus.COMPUTED
    cycle.computed_at = timezone.now()
    cycle.save(update_fields=["status", "computed_at"])
    _audit(
        acting_user,
        AuditAction.UPDATE,
        cycle,
        cycle.unit_path,
        before=before,
        after={
            "status": cycle.status,
            "results": len(rows),
            "grades": rules.grade_counts(r.grade for r in rows),
        },
        note=_("计算考核结果"),
    )
    return len(rows)


@transaction.atomic
def results_reopen(*, cycle: Cycle, acting_user: User) -> Cycle:
    """Back to scoring while nothing is published; the results are recomputed later."""
    cycle = Cycle.objects.select_for_update().select_related("scheme__unit").get(pk=cycle.pk)
    _require(acting_user, cycle.scheme.unit, _("只有%(unit)s的负责人可以重新开放评分"))
    if cycle.status != CycleStatus.COMPUTED:
        raise ServiceError(_("只有已计算、未公示的考核可以重新开放评分"))
    cycle.status = CycleStatus.OPEN
    cycle.save(update_fields=["status"])
    _audit(
        acting_user,
        AuditAction.UPDATE,
        cycle,
        cycle.unit_path,
        before={"status": CycleStatus.COMPUTED},
        after={"status": CycleStatus.OPEN},
    )
    return cycle


@transaction.atomic
def results_publish(*, cycle: Cycle, acting_user: User) -> Cycle:
    cycle = Cycle.objects.select_for_update().select_related("scheme__unit").get(pk=cycle.pk)
    _require(acting_user, cycle.scheme.unit, _("只有%(unit)s的负责人可以公示考核结果"))
    if cycle.status != CycleStatus.COMPUTED:
        raise ServiceError(_("请先计算考核结果再公示"))
    before = snapshot(cycle, ["status", "published_at", "objections_until"])
    cycle.status = CycleStatus.PUBLISHED
    cycle.published_at = timezone.now()
    cycle.objections_until = timezone.localdate() + datetime.timedelta(
        days=cycle.scheme.objection_days
    )
    cycle.save(update_fields=["status", "published_at", "objections_until"])
    _audit(
        acting_user,
        AuditAction.UPDATE,
        cycle,
        cycle.unit_path,
        before=before,
        after=snapshot(cycle, ["status", "published_at", "objections_until"]),
        note=_("公示考核结果"),
    )
    return cycle


@transaction.atomic
def objection_file(*, result: Result, text: str, acting_user: User) -> Objection:
    """An objection on the worker's behalf, within the window after publication."""
    result = Result.objects.select_related("cycle", "worker__community").get(pk=result.pk)
    _require(acting_user, result.worker.community, _("您没有权限为%(unit)s的工作者提出异议"))
    cycle = result.cycle
    if cycle.status != CycleStatus.PUBLISHED or cycle.objections_until is None:
        raise ServiceError(_("结果尚未公示,不能提出异议"))
    if timezone.localdate() > cycle.objections_until:
        raise ServiceError(
            _("异议期已于%(date)s截止") % {"date": cycle.objections_until.isoformat()}
        )
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("请写明异议理由"), field="text")
    refuse_control_characters({"text": text}, {"text": _("异议理由")}, multiline=["text"])
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                result=result, unit_path=result.unit_path, text=text, filed_by=acting_user
            )
    except IntegrityError:
        raise ServiceError(_("该结果已有待处理的异议")) from None
    _audit(
        acting_user,
        AuditAction.CREATE,
        objection,
        result.unit_path,
        after={"result_id": result.pk, "text": text[:200]},
    )
    return objection


@transaction.atomic
def objection_decide(
    *, objection: Objection, upheld: bool, decision: str, acting_user: User
) -> Objection:
    """A recorded decision. Upholding an objection takes the cycle back from publication so
    the scores can be corrected and the results computed and published again."""
    objection = (
        Objection.objects.select_for_update()
        .select_related("result__cycle__scheme__unit")
        .get(pk=objection.pk)
    )
    cycle = objection.result.cycle
    _require(acting_user, cycle.scheme.unit, _("只有%(unit)s的负责人可以处理异议"))
    if objection.status != ObjectionStatus.OPEN:
        raise ServiceError(_("该异议已处理"))
    decision = (decision or "").strip()
    if not decision:
        raise ServiceError(_("请填写处理意见"), field="decision")
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
    objection.decision = decision
    objection.decided_by = acting_user
    objection.decided_at = timezone.now()
    objection.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    _audit(
        acting_user,
        AuditAction.UPDATE,
        objection,
        objection.unit_path,
        before={"status": ObjectionStatus.OPEN},
        after={"status": objection.status, "decision": decision[:200]},
    )
    if upheld:
        Cycle.objects.filter(pk=cycle.pk).update(
            status=CycleStatus.OPEN, published_at=None, objections_until=None
        )
        _audit(
            acting_user,
            AuditAction.UPDATE,
            cycle,
            cycle.unit_path,
            before={"status": CycleStatus.PUBLISHED},
            after={"status": CycleStatus.OPEN},
            note=_("异议成立,撤回公示"),
        )
    return objection
