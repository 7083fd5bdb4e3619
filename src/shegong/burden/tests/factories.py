"""Small builders for burden tests: a department with its own account, list items, records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from shegong.burden import services
from shegong.burden.models import AdmissionItem, Application, BurdenRecord, Department
from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.models import User

# A Monday with no holiday within 45 working days before 2026's 国庆 (filing day of the tests).
FILED = datetime.date(2026, 3, 2)


@dataclass
class Burden:
    civil: Department
    civil_account: User
    health: Department
    health_account: User


def department_account(
    tree: Tree, personas: Personas, name: str, username: str
) -> tuple[Department, User]:
    department = services.department_create(
        district=tree.district, name=name, acting_user=personas.district_admin
    )
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=name)
    services.department_member_add(
        department=department, user=user, acting_user=personas.district_admin
    )
    return department, user


def burden(tree: Tree, personas: Personas) -> Burden:
    civil, civil_account = department_account(tree, personas, "区民政局", "civil_dept")
    health, health_account = department_account(tree, personas, "区卫健局", "health_dept")
    return Burden(civil, civil_account, health, health_account)


def application_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "category": "ledger",
        "kind": "assist",
        "title": "居民健康档案台账",
        "legal_basis": "《基本公共卫生服务规范》",
        "funded": True,
        "funding": "3000",
        "purpose": "协助建立居民健康档案",
        "starts_on": FILED + datetime.timedelta(days=60),
    }
    values.update(overrides)
    return values


def file(b: Burden, **overrides: Any) -> Application:
    return services.application_file(
        department=b.health,
        values=application_values(**overrides),
        acting_user=b.health_account,
        on=FILED,
    )


def item(tree: Tree, personas: Personas, b: Burden, **overrides: Any) -> AdmissionItem:
    values: dict[str, Any] = {
        "category": "ledger",
        "kind": "assist",
        "title": "低保对象台账",
        "legal_basis": "《社会救助暂行办法》",
        "funded": False,
        "published_on": datetime.date(2025, 1, 1),
    }
    values.update(overrides)
    return services.item_create(
        district=tree.district,
        department=b.civil,
        values=values,
        acting_user=personas.district_admin,
    )


def record(tree: Tree, personas: Personas, b: Burden, **overrides: Any) -> BurdenRecord:
    values: dict[str, Any] = {
        "kind": "ledger",
        "title": "创卫迎检台账",
        "department": b.health,
        "frequency": "monthly",
        "year": 2026,
    }
    values.update(overrides)
    return services.record_create(
        community=tree.community_a1, values=values, acting_user=personas.community_a1_clerk
    )


# ---------------------------------------------------------------- the scoping walk


def _walk_burden(o: Any) -> Burden:
    found = getattr(o, "_burden", None)
    if found is None:
        found = burden(o.tree, o.personas)
        o._burden = found
    return found


def street_a_record(o: Any) -> BurdenRecord:
    """A ledger of community A1 (the walk's StreetAObjects)."""
    return record(o.tree, o.personas, _walk_burden(o))


def health_application(o: Any) -> tuple[Application, User, User]:
    """An application of the health department: (it, its account, another department's)."""
    b = _walk_burden(o)
    found = Application.objects.filter(department=b.health).first()
    return (found or file(b)), b.health_account, b.civil_account


def walk_form(o: Any) -> tuple[dict[str, Any], User, User]:
    """A report form of the district: (route kwargs, a street-A manager who reaches it, a
    manager of another district who must not)."""
    import io

    import openpyxl

    from shegong.burden.models import ReportForm
    from shegong.core.models import Membership, Role
    from shegong.orgs.models import Unit, UnitKind

    b = _walk_burden(o)
    form = ReportForm.objects.filter(department=b.health).first()
    if form is None:
        book = openpyxl.Workbook()
        out = io.BytesIO()
        book.save(out)
        form = ReportForm.objects.create(
            department=b.health, title="健康统计表", sheet="Sheet", layout=out.getvalue()
        )
    other = User.objects.filter(username="other_district_manager").first()
    if other is None:
        city = o.tree.city
        district = Unit.objects.create(
            code="110102000000",
            name="测试二区",
            kind=UnitKind.DISTRICT,
            parent=city,
            path=f"{city.path}110102000000/",
        )
        other = User.objects.create_user(username="other_district_manager", password="x")
        Membership.objects.create(user=other, unit=district, role=Role.MANAGER)
    return {"pk": form.pk}, o.personas.street_a_manager, other


def street_a_survey(o: Any) -> Any:
    """A workers' questionnaire of street A."""
    from shegong.burden.models import WorkerSurvey

    found = WorkerSurvey.objects.filter(unit=o.tree.street_a).first()
    return found or services.worker_survey_create(
        unit=o.tree.street_a, title="街道甲问卷", acting_user=o.personas.street_a_manager
    )


def walk_item(o: Any) -> tuple[dict[str, Any], User, User]:
    """An item of the district's list: (route kwargs, a street-A manager who sees it, a
    manager of another district who must not)."""
    _kwargs, insider, outsider = walk_form(o)
    found = AdmissionItem.objects.filter(district=o.tree.district).first()
    return {"pk": (found or item(o.tree, o.personas, _walk_burden(o))).pk}, insider, outsider


def street_a_question(o: Any) -> Any:
    """The first question of street A's questionnaire."""
    return street_a_survey(o).questions.order_by("position").first()
