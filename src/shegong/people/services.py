"""Every write to the roster: atomic, scoped to the acting user, audited.

Audit rows for a worker and everything hanging off them (placements, posts, certificates,
insurance, representative roles) all target the worker, so one query gives a worker's trail.
ID numbers and phones appear in the trail masked: it records that they changed, not the values.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import access
from shegong.core.access import Permission, in_scope
from shegong.core.audit import AuditAction, AuditRow, audit_record, audit_record_many, snapshot
from shegong.core.disclosures import disclosure_record
from shegong.core.errors import ServiceError
from shegong.core.sheets import fold
from shegong.core.text import control_character_error
from shegong.orgs.models import Unit, UnitKind
from shegong.people import rules
from shegong.people.models import (
    ETHNICITIES,
    AwardDue,
    AwardKind,
    Certificate,
    CertificateKind,
    Education,
    EndReason,
    Gender,
    InsuranceEnrolment,
    InsuranceKind,
    PeopleEvent,
    Placement,
    Political,
    PostHolding,
    PostType,
    ProposalStatus,
    RepresentativeKind,
    RepresentativeLevel,
    RepresentativeRole,
    Source,
    StandingKind,
    StandingProposal,
    Worker,
    WorkerStatus,
    YearGrade,
    YearlyGrade,
)

if TYPE_CHECKING:
    from shegong.core.models import User

WORKER_FIELDS = [
    "name",
    "id_number",
    "gender",
    "birth_date",
    "ethnicity",
    "phone",
    "political",
    "education",
    "major",
    "source",
    "work_start_date",
]
AUDITED_FIELDS = [*WORKER_FIELDS, "community_id", "unit_path", "status", "is_dual_role"]
# What stays as it is when the acting user lacks the personal-data right on the worker's
# community (the birth date is read from the ID number, so it goes with it).
# Why a change is refused to whoever lacks the edit right on the worker's community.
EDIT_REFUSED = gettext_lazy("您没有权限修改%(unit)s的人员信息")
PERSONAL_FIELDS = ("id_number", "phone", "birth_date")
EXIT_REASONS = [r for r in EndReason.values if r != EndReason.TRANSFER]


# ---------------------------------------------------------------- helpers


def _today() -> datetime.date:
    return timezone.localdate()


def _worker_snapshot(worker: Worker) -> dict[str, Any]:
    data = snapshot(worker, AUDITED_FIELDS)
    data["id_number"] = rules.mask_id_number(worker.id_number)
    data["phone"] = rules.mask_phone(worker.phone)
    return data


def _require_community(unit: Unit | None, acting_user: User, field: str = "community") -> Unit:
    if unit is None:
        raise ServiceError(_("请选择社区"), field=field)
    if unit.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("%(unit)s不是社区,人员只能登记在社区") % {"unit": unit.name}, field)
    access.require(acting_user, Permission.EDIT, unit, message=EDIT_REFUSED, field=field)
    return unit


def keeps_personal_data(acting_user: User, unit_path: str) -> bool:
    """The rule of who may change a worker's ID number, phone and birth date: only whoever
    holds the personal-data right on the worker's community. Without it they stay as they
    are, whatever a form, the API, an import or the command line sends, and no check may
    compare a sent value with a hidden one (an error or "unchanged" would confirm a guess)."""
    return not access.may_see_personal_data(acting_user, unit_path)


def personal_data_keeper(acting_user: User) -> Callable[[str], bool]:
    """keeps_personal_data for one acting user, their grants read once (the import asks for
    every matched row of a 100,000-row sheet)."""
    may_see = access.personal_data_checker(acting_user)
    return lambda path: not may_see(path)


def _require_date(value: datetime.date | None, field: str, label: str) -> datetime.date:
    if value is None:
        raise ServiceError(_("请填写%(label)s") % {"label": label}, field=field)
    if value > _today():
        raise ServiceError(_("%(label)s不能晚于今天") % {"label": label}, field=field)
    return value


# Built once: Django's `Choices.values` makes a new list on every call, and the import checks
# every row of a 100,000-row sheet; messages are translated only when an error is shown.
_VOCABULARIES = (
    ("political", frozenset(Political.values), gettext_lazy("请选择政治面貌")),
    ("education", frozenset(Education.values), gettext_lazy("请选择学历")),
    ("source", frozenset(Source.values), gettext_lazy("请选择来源方式")),
)
_GENDERS = frozenset(Gender.values)


def clean_worker_values(
    values: Mapping[str, Any],
    *,
    today: datetime.date | None = None,
    birth_year_only: bool = False,
    phone_kept: bool = False,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Check and normalise a worker's own fields (everything in WORKER_FIELDS).

    Returns (clean values, [(field, reason), ...]); nothing is written. A missing gender or
    birth date is taken from the ID number; a given one must agree with it. The import
    reports every problem of a row from this; the services refuse with the first.
    `birth_year_only`: the caller may not see the birth date, so checks against it refuse
    only what its year alone rules out (a check to the day would test a guess of it).
    `phone_kept`: the phone is the stored one the caller may not see; it is not checked again
    (a number stored before the rule was stricter must not block the edit, nor be shown).
    """
    today = today or _today()
    clean: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []

    name = fold(values.get("name"))
    if not name:
        errors.append(("name", _("请填写姓名")))
    elif len(name) > 50:
        errors.append(("name", _("姓名过长")))
    elif refused := control_character_error(name, label=_("姓名")):
        errors.append(("name", refused))
    clean["name"] = name

    birth_date = _clean_identity(values, clean, errors, today)
    clean["ethnicity"] = _clean_ethnicity(values, errors)
    clean["phone"] = (values.get("phone") or "") if phone_kept else _clean_phone(values, errors)

    for field, allowed, message in _VOCABULARIES:
        value = values.get(field) or ""
        if value not in allowed:
            errors.append((field, str(message)))
        clean[field] = value

    clean["major"] = fold(values.get("major"))[:100]
    if refused := control_character_error(clean["major"], label=_("所学专业")):
        errors.append(("major", refused))

    started = values.get("work_start_date") or None
    if started is not None:
        if started > today:
            errors.append(("work_start_date", _("参加社区工作时间不能晚于今天")))
        elif birth_date is not None and _younger_than(16, birth_date, started, birth_year_only):
            errors.append(("work_start_date", _("参加社区工作时未满16周岁,请核对")))
    clean["work_start_date"] = started
    return clean, errors


def _clean_identity(
    values: Mapping[str, Any],
    clean: dict[str, Any],
    errors: list[tuple[str, str]],
    today: datetime.date,
) -> datetime.date | None:
    """The ID number, and the gender and birth date it gives or must agree with, into
    `clean`; returns the birth date."""
    number = rules.normalize_id_number(values.get("id_number"))
    clean["id_number"] = number
    id_error, born = rules.check_id_number(number, today=today)
    if id_error:
        errors.append(("id_number", id_error))

    gender = values.get("gender") or None
    if gender is not None and gender not in _GENDERS:
        errors.append(("gender", _("性别应为男或女")))
        gender = None
    birth_date: datetime.date | None = values.get("birth_date") or None
    if not id_error:
        errors.extend(
            rules.id_contradictions(number, birth_date=birth_date, gender=gender, born=born)
        )
        gender = gender or rules.gender_from_id(number)
        birth_date = birth_date or born
    clean["gender"], clean["birth_date"] = gender, birth_date
    return birth_date


def _clean_ethnicity(values: Mapping[str, Any], errors: list[tuple[str, str]]) -> str:
    ethnicity = fold(values.get("ethnicity"))
    if ethnicity and not ethnicity.endswith("族") and f"{ethnicity}族" in ETHNICITIES:
        ethnicity = f"{ethnicity}族"
    if ethnicity and ethnicity not in ETHNICITIES:
        errors.append(
            (
                "ethnicity",
                control_character_error(ethnicity, label=_("民族"))
                or _("民族“%(value)s”不在56个民族之列") % {"value": ethnicity},
            )
        )
    return ethnicity


def _clean_phone(values: Mapping[str, Any], errors: list[tuple[str, str]]) -> str:
    phone = rules.normalize_phone(fold(values.get("phone")))
    if refused := rules.check_phone(phone):
        errors.append(("phone", refused))
    return phone


def _younger_than(
    age: int, birth_date: datetime.date, day: datetime.date, birth_year_only: bool
) -> bool:
    if birth_year_only:
        return rules.age_in_year(birth_date, day) < age  # surely younger, whatever the day
    return rules.age_on(birth_date, day) < age


def _clean_or_refuse(values: Mapping[str, Any], *, kept: bool = False) -> dict[str, Any]:
    clean, errors = clean_worker_values(values, birth_year_only=kept, phone_kept=kept)
    if errors:
        field, message = errors[0]
        raise ServiceError(message, field=field)
    return clean


class _HeldOutsideScope(Exception):
    """The number is registered for a worker the acting user does not see."""

    def __init__(self, worker: Worker) -> None:
        super().__init__(worker.pk)
        self.worker = worker


def _refuse_duplicate_id(number: str, acting_user: User, exclude_pk: int | None = None) -> None:
    others = Worker.objects.filter(id_number=number).select_related("community")
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    found = others.first()
    if found is None:
        return
    if not in_scope(acting_user, found.community):
        raise _HeldOutsideScope(found)
    raise ServiceError(
        _("公民身份号码%(id)s已登记(%(status)s)")
        % {"id": rules.mask_id_number(number), "status": found.get_status_display()},
        field="id_number",
    )


def _refused_outside_scope(held: _HeldOutsideScope, acting_user: User) -> ServiceError:
    """Record the attempt in the trail of the worker who holds the number (in its own
    transaction: the refused change rolls back), and answer without saying the number is
    registered, which someone outside that worker's scope must not learn."""
    with transaction.atomic():
        audit_record(
            acting_user=acting_user,
            action=PeopleEvent.ID_NUMBER_REFUSED,
            target=held.worker,
            note=_("未登记:%(user)s试图以该公民身份号码登记或修改其他人员")
            % {"user": acting_user.get_username()},
        )
    return ServiceError(_("该公民身份号码无法由您登记,请联系区级管理员核实处理"), field="id_number")


def _locked(worker: Worker) -> Worker:
    return Worker.objects.select_for_update().select_related("community").get(pk=worker.pk)


def _open_placement(worker: Worker) -> Placement | None:
    return worker.placements.filter(end__isnull=True).first()


def _recompute_dual_role(worker: Worker) -> None:
    flags = PostHolding.objects.filter(worker=worker, end__isnull=True).values_list(
        "post__is_secretary", "post__is_director"
    )
    dual = rules.is_dual_role(flags)
    if dual != worker.is_dual_role:
        worker.is_dual_role = dual
        worker.save(update_fields=["is_dual_role", "updated_at"])


def _end_current_posts(worker: Worker, day: datetime.date) -> None:
    for holding in PostHolding.objects.filter(worker=worker, end__isnull=True):
        holding.end = max(day, holding.start)
        holding.save(update_fields=["end"])
    _recompute_dual_role(worker)


# ---------------------------------------------------------------- workers


def worker_create(
    *,
    community: Unit | None,
    entry_date: datetime.date | None,
    values: Mapping[str, Any],
    acting_user: User,
) -> Worker:
    """Register a worker in a community from `entry_date` (opens the first placement).

    A number registered outside the acting user's scope is refused with a neutral message
    and the attempt is recorded for whoever sees that worker."""
    try:
        return _worker_create(
            community=community, entry_date=entry_date, values=values, acting_user=acting_user
        )
    except _HeldOutsideScope as held:
        raise _refused_outside_scope(held, acting_user) from None


@transaction.atomic
def _worker_create(
    *,
    community: Unit | None,
    entry_date: datetime.date | None,
    values: Mapping[str, Any],
    acting_user: User,
) -> Worker:
    community = _require_community(community, acting_user)
    clean = _clean_or_refuse(values)
    entry_date = _require_date(entry_date, "entry_date", _("入职日期"))
    if entry_date < clean["birth_date"]:
        raise ServiceError(_("入职日期早于出生日期"), field="entry_date")
    _refuse_duplicate_id(clean["id_number"], acting_user)
    worker = Worker(
        **clean,
        name_initials=rules.pinyin_initials(clean["name"]),
        community=community,
        unit_path=community.path,
        status=WorkerStatus.ACTIVE,
    )
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError as exc:  # a concurrent registration of the same number
        raise ServiceError(_("该公民身份号码已登记"), field="id_number") from exc
    Placement.objects.create(
        worker=worker, unit=community, unit_path=community.path, start=entry_date
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=worker,
        after=_worker_snapshot(worker),
        note=_("入职%(unit)s,%(date)s") % {"unit": community.name, "date": entry_date},
    )
    return worker


def worker_update(*, worker: Worker, values: Mapping[str, Any], acting_user: User) -> Worker:
    """Correct a worker's own fields (the community changes only through a move).

    Without the personal-data right on the worker's community the ID number, phone and
    birth date in `values` are ignored (keeps_personal_data): they stay as they are."""
    try:
        return _worker_update(worker=worker, values=values, acting_user=acting_user)
    except _HeldOutsideScope as held:
        raise _refused_outside_scope(held, acting_user) from None


@transaction.atomic
def _worker_update(*, worker: Worker, values: Mapping[str, Any], acting_user: User) -> Worker:
    worker = _locked(worker)
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    kept = keeps_personal_data(acting_user, worker.unit_path)
    if kept:
        values = {**values, **{name: getattr(worker, name) for name in PERSONAL_FIELDS}}
    clean = _clean_or_refuse(values, kept=kept)
    if clean["id_number"] != worker.id_number:
        _refuse_duplicate_id(clean["id_number"], acting_user, exclude_pk=worker.pk)
    first = worker.placements.order_by("start").first()
    if first is not None and first.start < clean["birth_date"]:
        raise ServiceError(_("出生日期晚于入职日期"), field="birth_date")
    before = _worker_snapshot(worker)
    for name, value in clean.items():
        setattr(worker, name, value)
    worker.name_initials = rules.pinyin_initials(worker.name)
    worker.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=worker,
        before=before,
        after=_worker_snapshot(worker),
    )
    return worker


@transaction.atomic
def worker_move(
    *, worker: Worker, community: Unit | None, date: datetime.date | None, acting_user: User
) -> Worker:
    """Transfer an active worker to another community from `date`; the old placement is
    closed (reason: transfer), a new one opened, current posts end. Needs EDIT on both."""
    worker = _locked(worker)
    before = _worker_snapshot(worker)
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    community = _require_community(community, acting_user)
    date = _require_date(date, "date", _("调动日期"))
    if worker.status != WorkerStatus.ACTIVE:
        raise ServiceError(_("该人员已离岗,请办理重新入职"), field="community")
    if community.pk == worker.community_id:
        raise ServiceError(_("该人员已在%(unit)s") % {"unit": community.name}, field="community")
    current = _open_placement(worker)
    if current is not None:
        if date < current.start:
            raise ServiceError(
                _("调动日期不能早于在现社区的起始日期%(date)s") % {"date": current.start},
                field="date",
            )
        current.end, current.end_reason = date, EndReason.TRANSFER
        current.save(update_fields=["end", "end_reason"])
    Placement.objects.create(worker=worker, unit=community, unit_path=community.path, start=date)
    _end_current_posts(worker, date)
    old_name = worker.community.name
    worker.community, worker.unit_path = community, community.path
    worker.save(update_fields=["community", "unit_path", "updated_at"])
    audit_record(
        acting_user=acting_user,
        action=PeopleEvent.WORKER_MOVED,
        target=worker,
        before=before,
        after=_worker_snapshot(worker),
        note=_("由%(old)s调至%(new)s,%(date)s")
        % {"old": old_name, "new": community.name, "date": date},
    )
    return worker


@transaction.atomic
def worker_exit(
    *, worker: Worker, date: datetime.date | None, reason: str, acting_user: User
) -> Worker:
    """Record that an active worker left (resigned, dismissed, retired …) on `date`; the
    placement, current posts and insurance enrolments end."""
    worker = _locked(worker)
    before = _worker_snapshot(worker)
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    if worker.status != WorkerStatus.ACTIVE:
        raise ServiceError(_("该人员已离岗"))
    if reason not in EXIT_REASONS:
        raise ServiceError(_("请选择离岗原因"), field="reason")
    date = _require_date(date, "date", _("离岗日期"))
    current = _open_placement(worker)
    if current is not None:
        if date < current.start:
            raise ServiceError(
                _("离岗日期不能早于入职日期%(date)s") % {"date": current.start}, field="date"
            )
        current.end, current.end_reason = date, reason
        current.save(update_fields=["end", "end_reason"])
    _end_current_posts(worker, date)
    for enrolment in worker.insurances.filter(end__isnull=True):
        enrolment.end = max(date, enrolment.start)
        enrolment.save(update_fields=["end"])
    worker.status = WorkerStatus.LEFT
    worker.save(update_fields=["status", "updated_at"])
    audit_record(
        acting_user=acting_user,
        action=PeopleEvent.WORKER_EXITED,
        target=worker,
        before=before,
        after=_worker_snapshot(worker),
        note=_("离岗:%(reason)s,%(date)s") % {"reason": EndReason(reason).label, "date": date},
    )
    return worker


@transaction.atomic
def worker_reenter(
    *, worker: Worker, community: Unit | None, date: datetime.date | None, acting_user: User
) -> Worker:
    """Take a worker who left back on, in `community` from `date` (a new placement)."""
    worker = _locked(worker)
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    community = _require_community(community, acting_user)
    date = _require_date(date, "date", _("重新入职日期"))
    if worker.status != WorkerStatus.LEFT:
        raise ServiceError(_("该人员仍在岗"))
    last = worker.placements.order_by("-start", "-id").first()
    if last is not None and last.end is not None and date < last.end:
        raise ServiceError(
            _("重新入职日期不能早于上次离岗日期%(date)s") % {"date": last.end}, field="date"
        )
    Placement.objects.create(worker=worker, unit=community, unit_path=community.path, start=date)
    before = _worker_snapshot(worker)
    worker.community, worker.unit_path = community, community.path
    worker.status = WorkerStatus.ACTIVE
    worker.save(update_fields=["community", "unit_path", "status", "updated_at"])
    audit_record(
        acting_user=acting_user,
        action=PeopleEvent.WORKER_REENTERED,
        target=worker,
        before=before,
        after=_worker_snapshot(worker),
        note=_("重新入职%(unit)s,%(date)s") % {"unit": community.name, "date": date},
    )
    return worker


# ---------------------------------------------------------------- posts


@transaction.atomic
def post_assign(
    *, worker: Worker, post: PostType, start: datetime.date | None, acting_user: User
) -> PostHolding:
    worker = _locked(worker)
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    start = _require_date(start, "start", _("任职日期"))
    if worker.status != WorkerStatus.ACTIVE:
        raise ServiceError(_("该人员已离岗,不能任职"), field="post")
    current = _open_placement(worker)
    if current is not None and start < current.start:
        raise ServiceError(
            _("任职日期不能早于在现社区的起始日期%(date)s") % {"date": current.start},
            field="start",
        )
    if worker.posts.filter(post=post, end__isnull=True).exists():
        raise ServiceError(_("该人员已担任%(post)s") % {"post": post.name}, field="post")
    holding = PostHolding.objects.create(worker=worker, post=post, start=start)
    _recompute_dual_role(worker)
    audit_record(
        acting_user=acting_user,
        action=PeopleEvent.POST_ASSIGNED,
        target=worker,
        after={"post": post.name, "start": start.isoformat(), "is_dual_role": worker.is_dual_role},
        note=_("任%(post)s") % {"post": post.name},
    )
    return holding


@transaction.atomic
def post_end(*, holding: PostHolding, end: datetime.date | None, acting_user: User) -> PostHolding:
    holding = PostHolding.objects.select_for_update().select_related("post").get(pk=holding.pk)
    worker = _locked(holding.worker)
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    end = _require_date(end, "end", _("卸任日期"))
    if holding.end is not None:
        raise ServiceError(_("该任职已结束"))
    if end < holding.start:
        raise ServiceError(
            _("卸任日期不能早于任职日期%(date)s") % {"date": holding.start}, field="end"
        )
    holding.end = end
    holding.save(update_fields=["end"])
    _recompute_dual_role(worker)
    audit_record(
        acting_user=acting_user,
        action=PeopleEvent.POST_ENDED,
        target=worker,
        before={"post": holding.post.name, "end": None},
        after={"post": holding.post.name, "end": end.isoformat()},
        note=_("卸任%(post)s") % {"post": holding.post.name},
    )
    return holding


# ---------------------------------------------------------------- certificates, insurance


@transaction.atomic
def certificate_add(
    *,
    worker: Worker,
    kind: str,
    number: str,
    issued_on: datetime.date | None,
    acting_user: User,
) -> Certificate:
    worker = _locked(worker)
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    if kind not in CertificateKind.values:
        raise ServiceError(_("请选择证书类别"), field="kind")
    issued_on = _require_date(issued_on, "issued_on", _("取得日期"))
    if keeps_personal_data(acting_user, worker.unit_path):
        # Without the right only the birth year is compared: a check to the day tests a guess.
        too_early = issued_on.year < worker.birth_date.year
    else:
        too_early = issued_on < worker.birth_date
    if too_early:
        raise ServiceError(_("取得日期早于出生日期"), field="issued_on")
    number = fold(number)
    if number and Certificate.objects.filter(kind=kind, number=number).exists():
        raise ServiceError(_("证书编号%(n)s已登记") % {"n": number}, field="number")
    certificate = Certificate.objects.create(
        worker=worker, kind=kind, number=number, issued_on=issued_on
    )
    audit_record(
        acting_user=acting_user,
        action=PeopleEvent.CERTIFICATE_ADDED,
        target=worker,
        after=snapshot(certificate, ["kind", "number", "issued_on"]),
        note=_("取得%(kind)s") % {"kind": certificate.get_kind_display()},
    )
    return certificate


@transaction.atomic
def insurance_set(
    *,
    worker: Worker,
    kind: str,
    enrolled: bool,
    date: datetime.date | None,
    acting_user: User,
) -> InsuranceEnrolment | None:
    """Enrol the worker in `kind` from `date`, or end the enrolment on `date`.

    Returns the enrolment touched, or None when there was nothing to change."""
    worker = _locked(worker)
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    if kind not in InsuranceKind.values:
        raise ServiceError(_("请选择险种"), field="kind")
    date = _require_date(date, "date", _("日期"))
    current = worker.insurances.filter(kind=kind, end__isnull=True).first()
    label = InsuranceKind(kind).label
    if enrolled:
        if current is not None:
            return None
        if worker.status != WorkerStatus.ACTIVE:
            raise ServiceError(_("该人员已离岗"), field="kind")
        current = InsuranceEnrolment.objects.create(worker=worker, kind=kind, start=date)
        note = _("参加%(kind)s") % {"kind": label}
        event = PeopleEvent.INSURANCE_JOINED
    else:
        if current is None:
            return None
        if date < current.start:
            raise ServiceError(
                _("停保日期不能早于参保日期%(date)s") % {"date": current.start}, field="date"
            )
        current.end = date
        current.save(update_fields=["end"])
        note = _("停缴%(kind)s") % {"kind": label}
        event = PeopleEvent.INSURANCE_STOPPED
    audit_record(
        acting_user=acting_user,
        action=event,
        target=worker,
        after=snapshot(current, ["kind", "start", "end"]),
        note=note,
    )
    return current


@transaction.atomic
def representative_role_add(
    *,
    worker: Worker,
    kind: str,
    level: str,
    start: datetime.date | None,
    end: datetime.date | None = None,
    acting_user: User,
) -> RepresentativeRole:
    worker = _locked(worker)
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    if kind not in RepresentativeKind.values:
        raise ServiceError(_("请选择代表委员类别"), field="kind")
    if level not in RepresentativeLevel.values:
        raise ServiceError(_("请选择级别"), field="level")
    start = _require_date(start, "start", _("起始日期"))
    if end is not None and end < start:
        raise ServiceError(_("结束日期不能早于起始日期"), field="end")
    role = RepresentativeRole.objects.create(
        worker=worker, kind=kind, level=level, start=start, end=end
    )
    audit_record(
        acting_user=acting_user,
        action=PeopleEvent.REPRESENTATIVE_ADDED,
        target=worker,
        after=snapshot(role, ["kind", "level", "start", "end"]),
        note=_("任%(level)s%(kind)s")
        % {"level": role.get_level_display(), "kind": role.get_kind_display()},
    )
    return role


# ---------------------------------------------------------------- personal data


def personal_data_disclose(*, worker: Worker, acting_user: User) -> None:
    """Record that `acting_user` was shown the worker's ID number and phone unmasked; while
    an import holds the database the row is kept and written moments later (core/disclosures),
    so the page neither waits for the import nor fails."""
    if not access.may_see_personal_data(acting_user, worker.community):
        raise ServiceError(_("您没有查看个人信息的权限"))
    disclosure_record(
        acting_user=acting_user,
        target=worker,
        unit_path=worker.unit_path,
        note=_("查看身份证号码和联系电话"),
        once_per_day=True,
    )


def personal_data_search_disclose(*, workers: list[Worker], acting_user: User) -> int:
    """Record that a search by ID number found these workers for `acting_user` (who may see
    their numbers: selectors.id_search_hits). The digits searched are not written down."""
    for worker in workers:
        if not access.may_see_personal_data(acting_user, worker.community):
            raise ServiceError(_("您没有查看个人信息的权限"))
    for worker in workers:  # like a page view: never waits for an import's write lock
        disclosure_record(
            acting_user=acting_user,
            target=worker,
            unit_path=worker.unit_path,
            note=_("按公民身份号码检索到该人员"),
        )
    return len(workers)


# ---------------------------------------------------------------- yearly grades

# The prefix of the source key of a grade an appraisal recorded (a pay office may not
# overwrite it: an objection to the appraisal corrects it).
APPRAISAL_SOURCE = "appraisal."


@dataclass(frozen=True)
class GradeEntry:
    """One worker's grade of a year and the record it came from ("appraisal.cycle:3/result:17")."""

    worker_id: int
    year: int
    grade: str
    source_key: str


def _grade_view(row: YearlyGrade | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"year": row.year, "grade": row.grade, "source": row.source_label}


@transaction.atomic
def yearly_grades_record(
    *,
    unit: Unit,
    entries: Sequence[GradeEntry],
    source_label: str,
    replaces_prefix: str = "",
    acting_user: User,
) -> int:
    """The grades of a year as `unit` (the appraising street) published them, each with its
    source; a worker's earlier grade of that year is replaced. Grades whose source key starts
    with `replaces_prefix` and that `entries` no longer hold are withdrawn (a result that a
    recomputation after an objection dropped). Every change is audited on the worker with its
    source. Returns how many grades changed."""
    access.require(
        acting_user, Permission.EDIT, unit, message=_("您没有权限记载%(unit)s的考核等次")
    )
    if any(e.grade not in YearGrade.values for e in entries):
        raise ServiceError(_("考核等次不在统一的等次之内(优秀/良好/合格/不合格)"))
    ids = {e.worker_id for e in entries}
    served = set(
        Placement.objects.filter(worker_id__in=ids, unit_path__startswith=unit.path)
        .values_list("worker_id", flat=True)
        .distinct()
    )
    if ids - served:
        raise ServiceError(_("有人员不曾在%(unit)s任职,不能记载其考核等次") % {"unit": unit.name})
    years = {e.year for e in entries}
    existing = {
        (g.worker_id, g.year): g
        for g in YearlyGrade.objects.select_for_update().filter(worker_id__in=ids, year__in=years)
    }
    now = timezone.now()
    label = source_label[:200]
    rows = [
        YearlyGrade(
            worker_id=e.worker_id,
            year=e.year,
            grade=e.grade,
            source_label=label,
            source_key=e.source_key,
            recorded_at=now,
        )
        for e in entries
    ]
    changed = [
        r
        for r in rows
        if (old := existing.get((r.worker_id, r.year))) is None
        or (old.grade, old.source_key, old.source_label) != (r.grade, r.source_key, label)
    ]
    YearlyGrade.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["worker", "year"],
        update_fields=["grade", "source_label", "source_key", "recorded_at"],
    )
    workers = {
        pk: Worker(pk=pk, unit_path=path, name=name)
        for pk, path, name in Worker.objects.filter(pk__in=ids).values_list(
            "pk", "unit_path", "name"
        )
    }
    audit_record_many(
        acting_user=acting_user,
        action=PeopleEvent.GRADE_RECORDED,
        rows=[
            AuditRow(
                target=workers[r.worker_id],
                before=_grade_view(existing.get((r.worker_id, r.year))),
                after={**(_grade_view(r) or {}), "source_key": r.source_key},
                note=_("%(year)s年度考核等次,来自%(source)s") % {"year": r.year, "source": label},
                unit_path=workers[r.worker_id].unit_path,
            )
            for r in changed
        ],
    )
    withdrawn = _grades_withdraw(
        replaces_prefix, {(e.worker_id, e.year) for e in entries}, years, acting_user
    )
    return len(changed) + withdrawn


def _grades_withdraw(
    prefix: str, kept: set[tuple[int, int]], years: set[int], acting_user: User
) -> int:
    if not prefix:
        return 0
    stale = [
        g
        for g in YearlyGrade.objects.select_for_update()
        .select_related("worker")
        .filter(source_key__startswith=prefix, year__in=years)
        if (g.worker_id, g.year) not in kept
    ]
    YearlyGrade.objects.filter(pk__in=[g.pk for g in stale]).delete()
    audit_record_many(
        acting_user=acting_user,
        action=PeopleEvent.GRADE_WITHDRAWN,
        rows=[
            AuditRow(
                target=g.worker,
                before={**(_grade_view(g) or {}), "source_key": g.source_key},
                note=_("%(year)s年度考核等次已不在%(source)s中")
                % {"year": g.year, "source": g.source_label},
            )
            for g in stale
        ],
    )
    return len(stale)


@transaction.atomic
def yearly_grade_set(
    *, worker: Worker, year: int, grade: str, source_label: str, acting_user: User
) -> YearlyGrade:
    """A grade of a year no appraisal recorded (a pay office enters it from a paper record).
    A grade an appraisal published is corrected through that appraisal's objections only."""
    worker = _locked(worker)
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    if grade not in YearGrade.values:
        raise ServiceError(_("请选择考核等次"), field="grade")
    if not 2000 <= year <= 2100:
        raise ServiceError(_("请填写年度"), field="year")
    old = YearlyGrade.objects.select_for_update().filter(worker=worker, year=year).first()
    if old is not None and old.source_key.startswith(APPRAISAL_SOURCE):
        raise ServiceError(
            _("%(year)s年度等次来自%(source)s,只能通过考核异议更正")
            % {"year": year, "source": old.source_label},
            field="grade",
        )
    before = _grade_view(old)
    row, _created = YearlyGrade.objects.update_or_create(
        worker=worker, year=year, defaults={"grade": grade, "source_label": source_label[:200]}
    )
    audit_record(
        acting_user=acting_user,
        action=PeopleEvent.GRADE_RECORDED,
        target=worker,
        before=before,
        after=_grade_view(row),
        note=_("%(year)s年度考核等次,来自%(source)s") % {"year": year, "source": source_label},
    )
    return row


# ---------------------------------------------------------------- standing proposals


@dataclass(frozen=True)
class ProposalEntry:
    """What an appraisal proposes for one worker ("renew", "warn", "dismiss") and its source."""

    worker_id: int
    year: int
    kind: str
    source_key: str


def _proposal_view(p: StandingProposal) -> dict[str, Any]:
    return {"year": p.year, "kind": p.kind, "source": p.source_label, "status": p.status}


@transaction.atomic
def standing_proposals_record(
    *,
    unit: Unit,
    entries: Sequence[ProposalEntry],
    source_label: str,
    replaces_prefix: str,
    acting_user: User,
) -> int:
    """The appraising unit's proposals on the roster, each with its source: a pending one of
    the same source is replaced, a decided one stays as decided; pending ones of the prefix
    that `entries` no longer hold are withdrawn. Audited on each worker. Returns how many
    proposals were made or changed."""
    access.require(
        acting_user, Permission.EDIT, unit, message=_("您没有权限为%(unit)s提出聘用建议")
    )
    if any(e.kind not in StandingKind.values for e in entries):
        raise ServiceError(_("聘用建议只能是续聘、诫勉或解聘"))
    existing = {
        p.source_key: p
        for p in StandingProposal.objects.select_for_update().filter(
            source_key__startswith=replaces_prefix
        )
    }
    workers = Worker.objects.in_bulk([e.worker_id for e in entries])
    new: list[StandingProposal] = []
    changed: list[StandingProposal] = []
    for e in entries:
        old = existing.pop(e.source_key, None)
        if old is None:
            worker = workers[e.worker_id]
            new.append(
                StandingProposal(
                    worker=worker,
                    unit_path=worker.unit_path,
                    year=e.year,
                    kind=e.kind,
                    source_label=source_label[:200],
                    source_key=e.source_key,
                )
            )
        elif old.status == ProposalStatus.PENDING and old.kind != e.kind:
            old.kind = e.kind
            changed.append(old)
    StandingProposal.objects.bulk_create(new, batch_size=2000)
    StandingProposal.objects.bulk_update(changed, ["kind"], batch_size=2000)
    made = [
        AuditRow(
            target=workers[row.worker_id],
            after={**_proposal_view(row), "source_key": row.source_key},
            note=_("%(source)s:建议%(kind)s")
            % {"source": row.source_label, "kind": row.get_kind_display()},
        )
        for row in [*new, *changed]
    ]
    stale = [p for p in existing.values() if p.status == ProposalStatus.PENDING]
    StandingProposal.objects.filter(pk__in=[p.pk for p in stale]).delete()
    audit_record_many(acting_user=acting_user, action=PeopleEvent.STANDING_PROPOSED, rows=made)
    audit_record_many(
        acting_user=acting_user,
        action=PeopleEvent.STANDING_WITHDRAWN,
        rows=[AuditRow(target=p.worker, before=_proposal_view(p)) for p in stale],
    )
    return len(made) + len(stale)


@transaction.atomic
def standing_decide(
    *,
    proposals: Sequence[StandingProposal],
    accept: bool,
    note: str,
    exit_date: datetime.date | None,
    acting_user: User,
) -> int:
    """A manager's decision on one or many pending proposals. Accepting a 解聘 records the
    worker's exit (reason 解聘) on `exit_date`; a refused one changes nothing on the roster.
    Each decision is audited with the proposal's source. All or nothing. Returns how many."""
    note = (note or "").strip()[:200]
    if control_character_error(note):
        raise ServiceError(str(control_character_error(note)), field="note")
    rows = list(
        StandingProposal.objects.select_for_update()
        .select_related("worker__community")
        .filter(pk__in=[p.pk for p in proposals])
        .order_by("pk")
    )
    if not rows:
        raise ServiceError(_("请选择要决定的建议"))
    for p in rows:
        access.require(acting_user, Permission.EDIT, p.worker.community, message=EDIT_REFUSED)
        if p.status != ProposalStatus.PENDING:
            raise ServiceError(_("%(name)s的建议已决定") % {"name": p.worker.name})
    now = timezone.now()
    for p in rows:
        if accept and p.kind == StandingKind.DISMISS and p.worker.status == WorkerStatus.ACTIVE:
            worker_exit(
                worker=p.worker, date=exit_date, reason=EndReason.DISMISSED, acting_user=acting_user
            )
        before = _proposal_view(p)
        p.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED
        p.decided_by, p.decided_at, p.decision_note = acting_user, now, note
        p.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            acting_user=acting_user,
            action=PeopleEvent.STANDING_DECIDED,
            target=p.worker,
            before=before,
            after={**_proposal_view(p), "source_key": p.source_key, "note": note},
            note=_("%(kind)s建议(%(source)s):%(status)s")
            % {
                "kind": p.get_kind_display(),
                "source": p.source_label,
                "status": p.get_status_display(),
            },
        )
    return len(rows)


# ---------------------------------------------------------------- one-time amounts due


def _due_view(d: AwardDue) -> dict[str, Any]:
    return {
        "title": d.title,
        "amount": str(d.amount),
        "source": d.source_label,
        "source_key": d.source_key,
        "taken_by": d.taken_by,
    }


@transaction.atomic
def award_due_record(
    *,
    worker: Worker,
    kind: str,
    title: str,
    amount: Any,
    due_on: datetime.date,
    source_key: str,
    source_label: str,
    acting_user: User,
) -> AwardDue:
    """A one-time amount owed to the worker (an award for a certificate or a course), to be
    paid once by pay's next run. Recorded once per source: the same source again answers the
    amount already recorded."""
    access.require(acting_user, Permission.EDIT, worker.community, message=EDIT_REFUSED)
    if kind not in AwardKind.values:
        raise ServiceError(_("请选择奖励类别"), field="kind")
    if amount is None or amount <= 0:
        raise ServiceError(_("金额须大于零"), field="amount")
    found = AwardDue.objects.filter(source_key=source_key).first()
    if found is not None:
        return found
    due = AwardDue.objects.create(
        worker=worker,
        kind=kind,
        title=title[:100],
        amount=amount,
        due_on=due_on,
        source_key=source_key,
        source_label=source_label[:200],
    )
    audit_record(
        acting_user=acting_user,
        action=PeopleEvent.AWARD_DUE,
        target=worker,
        after=_due_view(due),
        note=_("%(title)s %(amount)s元,待计入工资") % {"title": due.title, "amount": due.amount},
    )
    return due


@transaction.atomic
def awards_due_take(
    *,
    unit: Unit,
    up_to: datetime.date,
    period: datetime.date,
    taker: str,
    acting_user: User,
) -> list[AwardDue]:
    """Every amount still owed to a worker of `unit`, due by `up_to`, taken for pay's run of
    `period` (named `taker`), once: the rows are locked and marked in this transaction, so a
    second run computed at the same moment waits and then finds them taken. Audited on each
    worker with the source. The caller pays them in the same transaction."""
    access.require(acting_user, Permission.EDIT, unit, message=EDIT_REFUSED)
    pending = list(
        AwardDue.objects.select_for_update(of=("self",))
        .select_related("worker")
        .filter(worker__unit_path__startswith=unit.path, taken_at__isnull=True, due_on__lte=up_to)
        .order_by("pk")
    )
    if not pending:
        return []
    now = timezone.now()
    marked = AwardDue.objects.filter(pk__in=[d.pk for d in pending], taken_at__isnull=True).update(
        taken_at=now, taken_by=taker[:200], taken_period=period
    )
    if marked != len(pending):  # cannot happen under the row lock; never pay twice
        raise ServiceError(_("待发奖励正被另一批次计入,请稍后重试"))
    for d in pending:
        d.taken_at, d.taken_by, d.taken_period = now, taker[:200], period
    audit_record_many(
        acting_user=acting_user,
        action=PeopleEvent.AWARD_TAKEN,
        rows=[
            AuditRow(
                target=d.worker,
                after=_due_view(d),
                note=_("%(title)s计入%(taker)s") % {"title": d.title, "taker": taker},
            )
            for d in pending
        ],
    )
    return pending


@transaction.atomic
def award_due_settle(*, source_key: str, how: str, acting_user: User) -> AwardDue | None:
    """An amount owed paid outside pay (by hand): marked taken so no run pays it again;
    refused when a run has already taken it. None when nothing is owed for that source."""
    due = (
        AwardDue.objects.select_for_update(of=("self",))
        .select_related("worker__community")
        .filter(source_key=source_key)
        .first()
    )
    if due is None:
        return None
    access.require(acting_user, Permission.EDIT, due.worker.community, message=EDIT_REFUSED)
    if due.taken_at is not None:
        raise ServiceError(_("该奖励已由%(taker)s发放") % {"taker": due.taken_by})
    due.taken_at, due.taken_by = timezone.now(), how[:200]
    due.save(update_fields=["taken_at", "taken_by"])
    audit_record(
        acting_user=acting_user,
        action=PeopleEvent.AWARD_SETTLED,
        target=due.worker,
        after=_due_view(due),
        note=_("%(title)s另行发放") % {"title": due.title},
    )
    return due
