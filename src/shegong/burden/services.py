"""Every write to the burden register: atomic, checked with core/access.require, audited.

The district (whoever holds the edit right on the district unit) keeps the admission list, the
stamp lists and the rules, and decides applications; a department account (role 职能部门 on
the district and a member of the department) files its own applications and nothing else; a
community's clerk records what that community carries.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.appraisal.services.code_hash import hash_code, new_code
from shegong.burden import rules
from shegong.burden.models import (
    ASKED,
    EVENT_KINDS,
    AdmissionItem,
    Application,
    AskedAnswer,
    BurdenEvent,
    BurdenRecord,
    CalendarDay,
    Category,
    Department,
    FormField,
    Frequency,
    ItemKind,
    Listing,
    Policy,
    PooledAnswer,
    QuestionKind,
    RecordKind,
    ReportForm,
    StampEntry,
    Status,
    SurveyComment,
    SurveyQuestion,
    SurveyTally,
    WorkerCode,
    WorkerSurvey,
    WorkerSurveyStatus,
)
from shegong.burden.sources import SOURCES
from shegong.core.access import Permission, require
from shegong.core.audit import AuditAction, AuditRow, audit_record, audit_record_many, snapshot
from shegong.core.errors import ServiceError
from shegong.core.models import Membership, Role
from shegong.core.params import parse_id
from shegong.core.sheets import SheetError, fold, read_layout
from shegong.core.text import control_character_error
from shegong.orgs.models import Unit, UnitKind
from shegong.people.models import PostHolding, Worker, WorkerStatus

if TYPE_CHECKING:
    from shegong.core.models import User

DISTRICT_REFUSED = gettext_lazy("您没有权限管理%(unit)s的准入清单")
RECORD_REFUSED = gettext_lazy("您没有权限登记%(unit)s的社区负担")
LAPSE_REASON = gettext_lazy("逾期未批复,按本区规定视为不予准入")
_SHUFFLE = secrets.SystemRandom()


def today() -> datetime.date:
    return timezone.localdate()


def calendar_exceptions(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    rows = CalendarDay.objects.filter(day__gte=start, day__lte=end)
    return dict(rows.values_list("day", "workday"))


def policy_of(district: Unit) -> Policy:
    """The district's rules (the defaults of the anchors until it sets its own)."""
    found = Policy.objects.filter(district=district).first()
    return found if found is not None else Policy(district=district)


def district_of(unit: Unit) -> Unit | None:
    parts = unit.path.strip("/").split("/")
    paths = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return Unit.objects.filter(path__in=paths, kind=UnitKind.DISTRICT).first()


# ---------------------------------------------------------------- cleaning


def _text(values: Mapping[str, Any], name: str, label: str, limit: int, *, required: bool) -> str:
    text = fold(values.get(name))
    if required and not text:
        raise ServiceError(_("请填写%(field)s") % {"field": label}, field=name)
    if len(text) > limit:
        raise ServiceError(
            _("%(field)s不能超过%(limit)d个字") % {"field": label, "limit": limit}, field=name
        )
    error = control_character_error(text, label=label)
    if error:
        raise ServiceError(error, field=name)
    return text


def _choice(values: Mapping[str, Any], name: str, label: str, allowed: list[str]) -> str:
    value = str(values.get(name) or "")
    if value not in allowed:
        raise ServiceError(_("请选择%(field)s") % {"field": label}, field=name)
    return value


def _decimal(values: Mapping[str, Any], name: str, label: str, limit: Decimal) -> Decimal:
    raw = values.get(name)
    try:
        number = Decimal(str(raw if raw not in (None, "") else 0))
    except InvalidOperation:
        raise ServiceError(_("%(field)s应为数字") % {"field": label}, field=name) from None
    if not number.is_finite() or number < 0 or number > limit:
        raise ServiceError(
            _("%(field)s应在0到%(limit)s之间") % {"field": label, "limit": limit}, field=name
        )
    return number.quantize(Decimal("0.01"))


def _date(values: Mapping[str, Any], name: str, label: str) -> datetime.date:
    raw = values.get(name)
    if isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.date.fromisoformat(str(raw or ""))
    except ValueError:
        raise ServiceError(
            _("请填写%(field)s(YYYY-MM-DD)") % {"field": label}, field=name
        ) from None


def _item_values(values: Mapping[str, Any], kinds: list[str]) -> dict[str, Any]:
    clean = {
        "category": _choice(values, "category", _("类别"), Category.values),
        "kind": _choice(values, "kind", _("性质"), kinds),
        "title": _text(values, "title", _("名称"), 100, required=True),
        "legal_basis": _text(values, "legal_basis", _("依据"), 200, required=False),
        "funded": bool(values.get("funded")),
        "funding": _decimal(values, "funding", _("每社区每年经费"), Decimal("9999999999")),
    }
    if not clean["funded"]:
        clean["funding"] = Decimal("0.00")
    return clean


# ---------------------------------------------------------------- the district


def _require_district(unit: Unit, acting_user: User) -> None:
    if unit.kind != UnitKind.DISTRICT:
        raise ServiceError(_("准入清单由区县一级管理"))
    require(acting_user, Permission.EDIT, unit, message=DISTRICT_REFUSED)


@transaction.atomic
def department_create(*, district: Unit, name: str, acting_user: User) -> Department:
    _require_district(district, acting_user)
    clean = _text({"name": name}, "name", _("部门名称"), 60, required=True)
    if Department.objects.filter(district=district, name=clean).exists():
        raise ServiceError(_("%(name)s已登记") % {"name": clean}, field="name")
    department = Department.objects.create(district=district, name=clean)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=department,
        unit_path=district.path,
        after=snapshot(department),
    )
    return department


@transaction.atomic
def department_member_add(*, department: Department, user: User, acting_user: User) -> None:
    """Make `user` an account of the department: the 职能部门 role on its district (and no
    other role there), listed as a member."""
    district = department.district
    require(acting_user, Permission.AUDIT, district, message=DISTRICT_REFUSED)
    held = Membership.objects.filter(user=user).exclude(role=Role.DEPARTMENT)
    if held.exists():
        raise ServiceError(_("该账号已有其他角色,职能部门请使用单独的账号"))
    Membership.objects.get_or_create(user=user, unit=district, defaults={"role": Role.DEPARTMENT})
    department.members.add(user)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=department,
        unit_path=district.path,
        note=_("增加部门账号 %(user)s") % {"user": user.username},
    )


@transaction.atomic
def policy_set(*, district: Unit, values: Mapping[str, Any], acting_user: User) -> Policy:
    _require_district(district, acting_user)
    policy = policy_of(district)
    before = snapshot(policy) if policy.pk else None
    for name, label, top in (
        ("lead_days", _("提前申请工作日"), 365),
        ("review_days", _("审核期限工作日"), 120),
    ):
        number = _decimal(values, name, label, Decimal(top))
        if number != number.to_integral_value() or (name == "review_days" and number < 1):
            raise ServiceError(_("%(field)s应为1到%(top)d的整数") % {"field": label, "top": top})
        setattr(policy, name, int(number))
    policy.lapse_overdue = bool(values.get("lapse_overdue"))
    policy.hours_per_field = _decimal(values, "hours_per_field", _("每个指标节省小时"), Decimal(99))
    policy.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        target=policy,
        unit_path=district.path,
        before=before,
        after=snapshot(policy),
    )
    return policy


@transaction.atomic
def calendar_day_set(
    *, day: datetime.date, workday: bool, name: str, acting_user: User
) -> CalendarDay:
    """Enter a holiday or a 调休 workday (national data: any admin may keep it)."""
    require(acting_user, Permission.AUDIT, message=_("只有管理员可以维护节假日安排"))
    clean = _text({"name": name}, "name", _("名称"), 40, required=True)
    found = CalendarDay.objects.filter(day=day).first()
    before = snapshot(found) if found else None
    entry, _created = CalendarDay.objects.update_or_create(
        day=day, defaults={"workday": workday, "name": clean}
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        target=entry,
        before=before,
        after=snapshot(entry),
    )
    return entry


@transaction.atomic
def item_create(
    *, district: Unit, department: Department, values: Mapping[str, Any], acting_user: User
) -> AdmissionItem:
    """Enter an item of the list as it stands (a list adopted before the register)."""
    _require_district(district, acting_user)
    if department.district_id != district.pk:
        raise ServiceError(_("该部门不属于%(unit)s") % {"unit": district.name}, field="department")
    clean = _item_values(values, ItemKind.values)
    if AdmissionItem.objects.filter(
        district=district, category=clean["category"], title=clean["title"]
    ).exists():
        raise ServiceError(_("清单中已有同名事项"), field="title")
    published = values.get("published_on") or today()
    item = AdmissionItem.objects.create(
        district=district, department=department, published_on=published, **clean
    )
    audit_record(
        acting_user=acting_user, action=AuditAction.CREATE, target=item, after=snapshot(item)
    )
    return item


@transaction.atomic
def stamp_entry_create(
    *, district: Unit, values: Mapping[str, Any], acting_user: User
) -> StampEntry:
    _require_district(district, acting_user)
    name = _text(values, "name", _("证明名称"), 100, required=True)
    listing = _choice(values, "listing", _("清单"), Listing.values)
    basis = _text(values, "basis", _("依据"), 200, required=False)
    if StampEntry.objects.filter(district=district, name=name).exists():
        raise ServiceError(_("清单中已有该证明"), field="name")
    entry = StampEntry.objects.create(district=district, name=name, listing=listing, basis=basis)
    audit_record(
        acting_user=acting_user, action=AuditAction.CREATE, target=entry, after=snapshot(entry)
    )
    return entry


# ---------------------------------------------------------------- applications


def _member_of(user: User, department: Department) -> bool:
    return department.members.filter(pk=user.pk).exists()


@transaction.atomic
def application_file(
    *,
    department: Department,
    values: Mapping[str, Any],
    acting_user: User,
    on: datetime.date | None = None,
) -> Application:
    """File an application; refused inside the district's lead time (working days)."""
    district = department.district
    refused = _("只有%(name)s的账号可以提交本部门的准入申请") % {"name": department.name}
    require(acting_user, Permission.FILE_APPLICATIONS, district, message=refused)
    if not _member_of(acting_user, department):
        raise ServiceError(refused)
    filed_on = on or today()
    clean = _item_values(values, [ItemKind.DUTY, ItemKind.ASSIST])
    clean["legal_basis"] = _text(values, "legal_basis", _("依据"), 200, required=True)
    purpose = _text(values, "purpose", _("事由"), 500, required=False)
    starts_on = _date(values, "starts_on", _("拟实施日期"))
    policy = policy_of(district)
    horizon = max(starts_on, filed_on) + datetime.timedelta(days=4 * 366 // 3)
    exceptions = calendar_exceptions(filed_on, horizon)
    lead = rules.working_days_between(filed_on, starts_on, exceptions)
    if lead < policy.lead_days:
        earliest = rules.add_working_days(filed_on, policy.lead_days, exceptions)
        raise ServiceError(
            _(
                "须在实施前至少%(days)d个工作日提出申请:拟实施日期距今仅%(lead)d个工作日,"
                "最早可定于%(earliest)s"
            )
            % {"days": policy.lead_days, "lead": lead, "earliest": f"{earliest:%Y-%m-%d}"},
            field="starts_on",
        )
    application = Application.objects.create(
        department=department,
        purpose=purpose,
        starts_on=starts_on,
        filed_on=filed_on,
        due_on=rules.add_working_days(filed_on, policy.review_days, exceptions),
        filed_by=acting_user,
        status=Status.FILED,
        **clean,
    )
    audit_record(
        acting_user=acting_user,
        action=BurdenEvent.APPLICATION_FILED,
        target=application,
        after=snapshot(application),
    )
    return application


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("department__district")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_decide(
    *,
    application: Application,
    approve: bool,
    reason: str = "",
    acting_user: User,
    on: datetime.date | None = None,
) -> Application:
    """The district approves, or refuses with a reason, within its deadline."""
    application = _locked(application)
    district = application.department.district
    _require_district(district, acting_user)
    day = on or today()
    if application.status != Status.FILED:
        raise ServiceError(
            _("该申请已处理(%(status)s)") % {"status": application.get_status_display()}
        )
    if day > application.due_on and policy_of(district).lapse_overdue:
        raise ServiceError(
            _("该申请已超过批复期限(%(due)s),按本区规定已视为不予准入")
            % {"due": f"{application.due_on:%Y-%m-%d}"}
        )
    clean = _text({"reason": reason}, "reason", _("不予准入理由"), 300, required=not approve)
    before = snapshot(application)
    application.status = Status.APPROVED if approve else Status.REFUSED
    application.reason = "" if approve else clean
    application.decided_on = day
    application.decided_by = acting_user
    application.save()
    audit_record(
        acting_user=acting_user,
        action=BurdenEvent.APPLICATION_APPROVED if approve else BurdenEvent.APPLICATION_REFUSED,
        target=application,
        before=before,
        after=snapshot(application),
    )
    return application


@transaction.atomic
def application_publish(
    *, application: Application, acting_user: User, on: datetime.date | None = None
) -> AdmissionItem:
    """An approved application becomes an item of the published list."""
    application = _locked(application)
    district = application.department.district
    _require_district(district, acting_user)
    if application.status != Status.APPROVED:
        raise ServiceError(_("只有已批准的申请可以公布"))
    if AdmissionItem.objects.filter(
        district=district, category=application.category, title=application.title
    ).exists():
        raise ServiceError(_("清单中已有同名事项"))
    item = AdmissionItem.objects.create(
        district=district,
        department=application.department,
        category=application.category,
        kind=application.kind,
        title=application.title,
        legal_basis=application.legal_basis,
        funded=application.funded,
        funding=application.funding,
        published_on=on or today(),
        application=application,
    )
    application.status = Status.PUBLISHED
    application.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        action=BurdenEvent.APPLICATION_PUBLISHED,
        target=application,
        after=snapshot(item),
    )
    return item


@transaction.atomic
def applications_lapse(*, acting_user: User, on: datetime.date | None = None) -> int:
    """Turn every application left unanswered past its deadline into a refusal, where the
    district has set it so (`shegong burden lapse`, run daily)."""
    day = on or today()
    overdue = list(
        Application.objects.select_for_update()
        .select_related("department__district")
        .filter(status=Status.FILED, due_on__lt=day)
    )
    keep = {p.district_id for p in Policy.objects.filter(lapse_overdue=False)}
    lapsed = [a for a in overdue if a.department.district_id not in keep]
    for application in lapsed:
        application.status = Status.LAPSED
        application.decided_on = day
        application.reason = str(LAPSE_REASON)
    Application.objects.bulk_update(lapsed, ["status", "decided_on", "reason"])
    audit_record_many(
        acting_user=acting_user,
        action=BurdenEvent.APPLICATION_LAPSED,
        rows=[_lapse_row(a) for a in lapsed],
    )
    return len(lapsed)


def _lapse_row(application: Application) -> AuditRow:
    return AuditRow(
        target=application,
        after={"status": application.status, "due_on": f"{application.due_on:%Y-%m-%d}"},
        unit_path=application.department.district.path,
    )


# ---------------------------------------------------------------- what communities carry


def _record_links(community: Unit, kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The department, admission item and stamp entry a record names, all of the community's
    district."""
    district = district_of(community)
    links: dict[str, Any] = {"department": None, "item": None, "stamp": None}
    for name, model, label in (
        ("department", Department, _("要求部门")),
        ("item", AdmissionItem, _("准入事项")),
        ("stamp", StampEntry, _("证明事项")),
    ):
        raw: Any = values.get(name)
        if raw in (None, ""):
            continue
        pk = parse_id(raw.pk if hasattr(raw, "pk") else raw)
        found = model.objects.filter(pk=pk, district=district).first() if district and pk else None
        if found is None:
            raise ServiceError(_("%(field)s不在本区清单中") % {"field": label}, field=name)
        links[name] = found
    item = links["item"]
    if item is not None and rules.CATEGORY_OF_KIND.get(kind) != item.category:
        raise ServiceError(_("所选准入事项的类别与该记录不符"), field="item")
    if links["stamp"] is not None and kind != RecordKind.STAMP:
        raise ServiceError(_("只有盖章证明可以对应证明事项"), field="stamp")
    return links


def clean_record_values(community: Unit, values: Mapping[str, Any]) -> dict[str, Any]:
    kind = _choice(values, "kind", _("类别"), RecordKind.values)
    clean: dict[str, Any] = {
        "kind": kind,
        "title": _text(values, "title", _("名称"), 100, required=True),
        "imposed_by": _text(values, "imposed_by", _("其他要求单位"), 60, required=False),
        "note": _text(values, "note", _("说明"), 200, required=False),
        "frequency": "",
        "day": None,
        "hours": _decimal(values, "hours", _("耗时(小时)"), Decimal(10000)).quantize(
            Decimal("0.1")
        ),
        "staff": int(_decimal(values, "staff", _("参与人数"), Decimal(1000))),
    }
    clean.update(_record_links(community, kind, values))
    if clean["department"] is None and not clean["imposed_by"]:
        raise ServiceError(_("请选择要求部门或填写其他要求单位"), field="department")
    if kind == RecordKind.LEDGER:
        clean["frequency"] = _choice(values, "frequency", _("更新频次"), Frequency.values)
    if kind in EVENT_KINDS:
        clean["day"] = _date(values, "day", _("日期"))
        clean["year"] = clean["day"].year
    else:
        year = _decimal(values, "year", _("年度"), Decimal(2100))
        if year < 2000 or year != year.to_integral_value():
            raise ServiceError(_("请填写年度"), field="year")
        clean["year"] = int(year)
    return clean


@transaction.atomic
def record_create(*, community: Unit, values: Mapping[str, Any], acting_user: User) -> BurdenRecord:
    """Record what a community carries; only whoever may edit that community."""
    require(acting_user, Permission.EDIT, community, message=RECORD_REFUSED)
    if community.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("请选择一个社区"), field="community")
    record = BurdenRecord.objects.create(
        community=community, **clean_record_values(community, values)
    )
    audit_record(
        acting_user=acting_user, action=AuditAction.CREATE, target=record, after=snapshot(record)
    )
    return record


@transaction.atomic
def record_delete(*, record: BurdenRecord, acting_user: User) -> None:
    require(acting_user, Permission.EDIT, record.community, message=RECORD_REFUSED)
    before = snapshot(record)
    audit_record(acting_user=acting_user, action=AuditAction.DELETE, target=record, before=before)
    record.delete()


# ---------------------------------------------------------------- 一表通: report forms

CELL = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,5})$")
KEY = re.compile(r"^[a-z][a-z0-9_.]{0,59}$")


def cell_position(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, or None."""
    found = CELL.match(ref)
    if found is None:
        return None
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - 64
    return int(found.group(2)), column


def _grid_text(rows: list[list[Any]], skip: set[tuple[int, int]]) -> str:
    """A digest of every filled cell of the layout that is not a field."""
    texts = [
        f"{r}:{c}:{fold(value)}"
        for r, row in enumerate(rows, start=1)
        for c, value in enumerate(row, start=1)
        if fold(value) and (r, c) not in skip
    ]
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()


def _read_layout(path: Path, filename: str, sheet: str = "") -> tuple[bytes, str, list[list[Any]]]:
    try:
        raw, grids = read_layout(path, filename)
    except SheetError as exc:
        raise ServiceError(str(exc), field="layout") from None
    chosen = next((g for g in grids if g[0] == sheet), None) if sheet else grids[0]
    if chosen is None:
        raise ServiceError(_("工作簿中没有工作表“%(sheet)s”") % {"sheet": sheet}, field="layout")
    return raw, chosen[0], chosen[1]


def _require_form_keeper(department: Department, acting_user: User) -> None:
    if _member_of(acting_user, department):
        return
    _require_district(department.district, acting_user)


@transaction.atomic
def form_create(
    *, department: Department, title: str, path: Path, filename: str, acting_user: User
) -> ReportForm:
    """Define a department's form once from its own .xlsx layout (the first sheet)."""
    _require_form_keeper(department, acting_user)
    clean = _text({"title": title}, "title", _("报表名称"), 100, required=True)
    if ReportForm.objects.filter(department=department, title=clean).exists():
        raise ServiceError(_("本部门已有同名报表"), field="title")
    raw, sheet, rows = _read_layout(path, filename)
    form = ReportForm.objects.create(
        department=department,
        title=clean,
        sheet=sheet,
        layout=raw,
        fingerprint=_grid_text(rows, set()),
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=form,
        after={"title": form.title, "sheet": sheet, "bytes": len(raw)},
    )
    return form


def _layout_rows(form: ReportForm) -> list[list[Any]]:
    _raw, grids = read_layout(bytes(form.layout), "layout.xlsx")
    return next(rows for name, rows in grids if name == form.sheet)


@transaction.atomic
def form_field_add(*, form: ReportForm, values: Mapping[str, Any], acting_user: User) -> FormField:
    """Mark a cell of the layout and map it to a data source, or to a question asked of the
    community (its key shared by every form that asks the same)."""
    _require_form_keeper(form.department, acting_user)
    ref = fold(values.get("cell")).upper()
    position = cell_position(ref)
    if position is None:
        raise ServiceError(_("单元格应写作 C5 这样的列字母加行号"), field="cell")
    rows = _layout_rows(form)
    if position[0] > len(rows) + 200 or position[1] > 100:
        raise ServiceError(_("单元格%(cell)s超出报表范围") % {"cell": ref}, field="cell")
    if form.fields.filter(cell=ref).exists():
        raise ServiceError(_("单元格%(cell)s已经标记过") % {"cell": ref}, field="cell")
    label = _text(values, "label", _("指标"), 100, required=True)
    source = str(values.get("source") or "")
    if source not in SOURCES and source != ASKED:
        raise ServiceError(_("请为该指标选择数据来源,或标为向社区询问"), field="source")
    key = fold(values.get("key")) if source == ASKED else source
    if not KEY.match(key):
        raise ServiceError(
            _("询问指标代码应为小写字母开头的字母、数字、点或下划线,如 grid.count"), field="key"
        )
    field = FormField.objects.create(form=form, cell=ref, label=label, source=source, key=key)
    marked = {p for c in form.fields.values_list("cell", flat=True) if (p := cell_position(c))}
    form.fingerprint = _grid_text(rows, marked)
    form.save(update_fields=["fingerprint"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=field,
        unit_path=form.unit_path,
        after=snapshot(field),
    )
    return field


@transaction.atomic
def answer_set(
    *, community: Unit, period: datetime.date, key: str, value: str, acting_user: User
) -> AskedAnswer:
    """A community's answer to an asked field: once per (community, period, key)."""
    require(acting_user, Permission.EDIT, community, message=RECORD_REFUSED)
    if community.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("请选择一个社区"))
    clean = _text({"value": value}, "value", _("填报值"), 200, required=True)
    found = AskedAnswer.objects.filter(community=community, period=period, key=key).first()
    before = snapshot(found) if found else None
    answer, _made = AskedAnswer.objects.update_or_create(
        community=community,
        period=period,
        key=key,
        defaults={"value": clean, "answered_by": acting_user},
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        target=answer,
        before=before,
        after=snapshot(answer),
    )
    return answer


@transaction.atomic
def answers_from_sheet(
    *,
    form: ReportForm,
    community: Unit,
    period: datetime.date,
    path: Path,
    filename: str,
    acting_user: User,
) -> int:
    """Take the asked fields' answers from the form filled in by hand in its own layout; a
    sheet that is not this form's layout is refused whole."""
    _raw, _sheet, rows = _read_layout(path, filename, form.sheet)
    fields = list(form.fields.all())
    marked = {p for f in fields if (p := cell_position(f.cell))}
    if _grid_text(rows, marked) != form.fingerprint:
        raise ServiceError(
            _("这个表格不是《%(title)s》的报表样式(表头或栏目不一致);请用本系统导出的报表填写")
            % {"title": form.title},
            field="layout",
        )
    count = 0
    for f in fields:
        position = cell_position(f.cell)
        if f.source != ASKED or position is None:
            continue
        row, column = position
        value = (
            rows[row - 1][column - 1] if row <= len(rows) and column <= len(rows[row - 1]) else ""
        )
        if fold(value):
            answer_set(
                community=community,
                period=period,
                key=f.key,
                value=fold(value),
                acting_user=acting_user,
            )
            count += 1
    return count


# ---------------------------------------------------------------- the workers' questionnaire
#
# How an answer stays unlinked from its worker (the residents' vote's design, appraisal/
# services/votes.py): a code row names its worker (one code per worker) and keeps only a keyed
# hash of the code and a spent flag, never a time. Spending the code and pooling the answer
# (PooledAnswer, random key, no code, no worker) is one transaction; tallying is another that
# spends no code: once the pool holds 2 × ANSWER_BATCH answers, all but a random ANSWER_BATCH
# are tallied in shuffled order, and closing the survey tallies the rest. What is kept after
# that holds no answer row at all: counts per group of one dimension at a time (SurveyTally),
# so no stored row carries one person's combination of unit, post, age band and source, and
# free text (SurveyComment) carries no group. Limits as the vote's: while an answer waits in the
# pool it shares the spent code's transaction; dead tuples, WAL and backups hold history.

ANSWER_BATCH = 10
DIMENSIONS = ("all", "unit", "post", "age", "source")
DEFAULT_QUESTIONS = [
    ("choice", "您感到的工作压力", ["很大", "较大", "一般", "较小", "很小"]),
    ("choice", "您对目前待遇的满意程度", ["很满意", "满意", "一般", "不满意", "很不满意"]),
    ("choice", "您觉得负担最重的是",
     ["台账报表", "检查考评", "会议", "盖章证明", "牌子挂牌", "其他"]),
    ("text", "您对减轻社区负担的意见建议", []),
]  # fmt: skip


def _age_band(birth: datetime.date, day: datetime.date) -> str:
    age = day.year - birth.year
    bands = ((35, _("35岁以下")), (45, _("35—44岁")), (55, _("45—54岁")))
    return next((str(label) for top, label in bands if age < top), str(_("55岁及以上")))


@transaction.atomic
def worker_survey_create(*, unit: Unit, title: str, acting_user: User) -> WorkerSurvey:
    require(acting_user, Permission.EDIT, unit, message=DISTRICT_REFUSED)
    clean = _text({"title": title}, "title", _("问卷名称"), 100, required=True)
    survey = WorkerSurvey.objects.create(unit=unit, title=clean)
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, position=i, kind=kind, text=text, choices=choices)
        for i, (kind, text, choices) in enumerate(DEFAULT_QUESTIONS, start=1)
    )
    audit_record(
        acting_user=acting_user, action=AuditAction.CREATE, target=survey, unit_path=unit.path
    )
    return survey


@transaction.atomic
def worker_codes_issue(
    *, survey: WorkerSurvey, acting_user: User, on: datetime.date | None = None
) -> list[tuple[Worker, str]]:
    """One code for every worker on the roster below the survey's unit who holds none yet,
    before the survey opens; the codes are shown once (to be printed and handed out)."""
    require(acting_user, Permission.EDIT, survey.unit, message=DISTRICT_REFUSED)
    if survey.status != WorkerSurveyStatus.DRAFT:
        raise ServiceError(_("问卷开始后不能再发放答卷码"))
    day = on or today()
    holding = WorkerCode.objects.filter(survey=survey).values("worker_id")
    workers = list(
        Worker.objects.filter(unit_path__startswith=survey.unit.path, status=WorkerStatus.ACTIVE)
        .exclude(pk__in=holding)
        .select_related("community")
        .order_by("unit_path", "pk")
    )
    posts = dict(
        PostHolding.objects.filter(worker__in=workers, end__isnull=True)
        .order_by("worker_id", "-start")
        .values_list("worker_id", "post__name")
    )
    issued, rows = [], []
    for worker in workers:
        code = new_code()
        groups = {
            "unit": worker.community.name,
            "post": posts.get(worker.pk, str(_("无岗位"))),
            "age": _age_band(worker.birth_date, day),
            "source": worker.get_source_display(),
        }
        rows.append(
            WorkerCode(survey=survey, worker=worker, code_hash=hash_code(code), groups=groups)
        )
        issued.append((worker, code))
    WorkerCode.objects.bulk_create(rows)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=survey,
        unit_path=survey.unit.path,
        note=_("发放答卷码 %(n)d 个") % {"n": len(rows)},
    )
    return issued


@transaction.atomic
def worker_survey_set_status(*, survey: WorkerSurvey, status: str, acting_user: User) -> None:
    require(acting_user, Permission.EDIT, survey.unit, message=DISTRICT_REFUSED)
    allowed = {WorkerSurveyStatus.OPEN: "draft", WorkerSurveyStatus.CLOSED: "open"}
    if allowed.get(WorkerSurveyStatus(status)) != survey.status:
        raise ServiceError(_("问卷当前状态不能这样变更"))
    survey.status = status
    survey.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=survey,
        unit_path=survey.unit.path,
        after={"status": status},
    )
    if status == WorkerSurveyStatus.CLOSED:
        answers_tally(survey.pk, leave=0)  # a transaction that spends no code


def _clean_answers(survey_id: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for q in SurveyQuestion.objects.filter(survey_id=survey_id):
        raw = answers.get(str(q.position))
        if q.kind == QuestionKind.TEXT:
            text = _text({"t": raw}, "t", q.text, 500, required=False)
            if text:
                clean[str(q.position)] = text
            continue
        if raw in (None, ""):
            raise ServiceError(_("请回答:%(q)s") % {"q": q.text})
        if not str(raw).isdigit() or not 0 <= int(str(raw)) < len(q.choices):
            raise ServiceError(_("请从选项中选择:%(q)s") % {"q": q.text})
        clean[str(q.position)] = int(str(raw))
    return clean


def answer_code_check(*, code: str, address: str) -> int:
    """The open questionnaire a code answers (nothing spent), throttled per client address like
    the residents' vote: a wrong or used code counts against the address that tried it."""
    from shegong.appraisal.services.votes import VoteRefused, code_guarded

    def work() -> int:
        found = (
            WorkerCode.objects.filter(
                code_hash=hash_code(code), spent=False, survey__status=WorkerSurveyStatus.OPEN
            )
            .values_list("survey_id", flat=True)
            .first()
        )
        if found is None:
            raise VoteRefused(_("答卷码无效、已使用或问卷未在进行中"), counts=True)
        return int(found)

    return code_guarded(address, code, work)


def answer_submit(*, code: str, answers: Mapping[str, Any]) -> int:
    """Spend the code and pool the answer, both or neither (call outside any transaction);
    returns the survey's id. One code, one answer: the conditional UPDATE spends it once."""
    with transaction.atomic():
        found = (
            WorkerCode.objects.filter(code_hash=hash_code(code), spent=False)
            .filter(survey__status=WorkerSurveyStatus.OPEN)
            .values_list("pk", "survey_id", "groups")
            .first()
        )
        if found is None:
            raise ServiceError(_("答卷码无效、已使用或问卷未在进行中"), field="code")
        pk, survey_id, groups = found
        clean = _clean_answers(survey_id, answers)
        if not WorkerCode.objects.filter(pk=pk, spent=False).update(spent=True):
            raise ServiceError(_("答卷码无效、已使用或问卷未在进行中"), field="code")
        PooledAnswer.objects.create(survey_id=survey_id, groups=groups, answers=clean)
    if PooledAnswer.objects.filter(survey_id=survey_id).count() >= 2 * ANSWER_BATCH:
        answers_tally(survey_id, leave=ANSWER_BATCH)
    return int(survey_id)


def answers_tally(survey_id: int, *, leave: int) -> int:
    """Tally the pooled answers but `leave` of them (chosen at random) in one transaction, in
    shuffled order; each pooled row is tallied once and deleted."""
    with transaction.atomic():
        pooled = list(
            PooledAnswer.objects.select_for_update(skip_locked=leave > 0)
            .filter(survey_id=survey_id)
            .values_list("id", "groups", "answers")
        )
        count = len(pooled) - leave
        if count <= 0:
            return 0
        _SHUFFLE.shuffle(pooled)
        chosen = pooled[:count]
        kinds = dict(
            SurveyQuestion.objects.filter(survey_id=survey_id).values_list("position", "kind")
        )
        tallies: Counter[tuple[str, str, int, int]] = Counter()
        comments = []
        for _pk, groups, answers in chosen:
            cells = [("all", "")] + [(d, str(groups.get(d, ""))) for d in DIMENSIONS[1:]]
            for dimension, group in cells:
                tallies[(dimension, group, 0, 0)] += 1
                for position, value in answers.items():
                    if kinds.get(int(position)) == QuestionKind.CHOICE:
                        tallies[(dimension, group, int(position), int(value))] += 1
            comments += [
                SurveyComment(survey_id=survey_id, question=int(p), text=v)
                for p, v in answers.items()
                if kinds.get(int(p)) == QuestionKind.TEXT
            ]
        _add_tallies(survey_id, tallies)
        SurveyComment.objects.bulk_create(comments)
        WorkerSurvey.objects.filter(pk=survey_id).update(respondents=F("respondents") + count)
        PooledAnswer.objects.filter(id__in=[pk for pk, _g, _a in chosen]).delete()
    return count


def _add_tallies(survey_id: int, tallies: Counter[tuple[str, str, int, int]]) -> None:
    for (dimension, group, question, choice), n in tallies.items():
        row, _made = SurveyTally.objects.get_or_create(
            survey_id=survey_id, dimension=dimension, group=group, question=question, choice=choice
        )
        SurveyTally.objects.filter(pk=row.pk).update(count=F("count") + n)
