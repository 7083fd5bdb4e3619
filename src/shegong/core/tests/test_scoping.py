"""Walks every URL pattern and API route as the street-B manager against street-A objects.

A record out of scope must answer exactly like a missing one (404); a route that is not about
one object must not show street A's data. A route added without an entry here fails the test.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shegong.appraisal.tests import factories as appraisal
from shegong.burden.tests import factories as burden
from shegong.conftest import Personas, Tree, client_for
from shegong.pay.tests.factories import street_a_objects as pay_objects
from shegong.people import services as people_services
from shegong.people.models import PostHolding, PostType, Worker
from shegong.people.tests import factories as people_factories
from shegong.people.tests.factories import register
from shegong.resources.tests import factories as resources
from shegong.training.tests import factories as training

# Routes a logged-out or any user may open; they show nothing of a unit.
PUBLIC_OR_UNSCOPED = {
    "login",
    "logout",
    "set_language",
    "api-schema",
    "api-docs",
    "api-token",
    "api-root",
    "appraisal:vote",  # residents: shows nothing without a valid household code
    "appraisal:vote-results",
    "appraisal-cycle-ballot",  # public API: nothing without a valid household code
    "appraisal-cycle-vote",
    "burden:answer",  # workers: shows nothing without a live questionnaire code
    "burden-survey-questionnaire",  # public API: nothing without a live questionnaire code
    "burden-survey-answer",
    "resources:self-report",  # volunteers: shows nothing without a valid personal link key
}


@dataclass
class StreetAObjects:
    """One object of each kind in street A, for the object routes to point at."""

    tree: Tree
    personas: Personas
    worker: Worker
    holding: PostHolding


@pytest.fixture
def street_a(tree: Tree, personas: Personas) -> StreetAObjects:
    worker = register(tree.community_a1, personas.street_a_manager, name="甲一工作者")
    holding = people_services.post_assign(
        worker=worker,
        post=PostType.objects.get(code="grid"),
        start=datetime.date(2021, 1, 1),
        acting_user=personas.street_a_manager,
    )
    return StreetAObjects(tree=tree, personas=personas, worker=worker, holding=holding)


def _code(o: StreetAObjects) -> dict[str, Any]:
    return {"code": o.tree.community_a1.code}


def _worker(o: StreetAObjects) -> dict[str, Any]:
    return {"pk": o.worker.pk}


def _street_a_job(o: StreetAObjects) -> dict[str, Any]:
    """A finished report job of the street-A manager (jobs are their owner's alone)."""
    from shegong.tasks.models import Job
    from shegong.tasks.services import job_attach_file

    job = Job.objects.create(
        kind="structure_report",
        owner=o.personas.street_a_manager,
        unit_path=o.tree.street_a.path,
        status="done",
        total=3,
        progress=3,
    )
    job_attach_file(job=job, filename=f"{o.tree.street_a.name}.txt", content="街道甲".encode())
    return {"pk": job.pk}


def _street_a_token(o: StreetAObjects) -> int:
    """An API token of the street-A manager (tokens are their owner's and their admins')."""
    from shegong.core.services import api_token_issue

    token, _key = api_token_issue(user=o.personas.street_a_manager, address="10.0.0.1")
    return token.pk


def _street_a_citywide(o: StreetAObjects) -> dict[str, Any]:
    """A city-wide pay batch's street job of the street-A manager (batches are their owner's)."""
    from shegong.pay.citywide import STREET_JOB
    from shegong.tasks.models import Job

    batch = "7f9c2b1e-0d4a-4c3b-9a8e-5b6c7d8e9f00"
    Job.objects.get_or_create(
        kind=STREET_JOB,
        owner=o.personas.street_a_manager,
        unit_path=o.tree.street_a.path,
        defaults={
            "total": 1,
            "params": {
                "batch": batch,
                "top": o.tree.street_a.code,
                "unit": o.tree.street_a.code,
                "period": "2025-01-01",
            },
        },
    )
    return {"batch": batch}


# Object routes opened with GET: how to point each at a street-A object. An area whose
# objects are not here builds them in its own tests/factories.py from a StreetAObjects.
OBJECT_ROUTES: dict[str, Callable[[StreetAObjects], dict[str, Any]]] = {
    "orgs:unit": _code,
    "orgs:profile-edit": _code,
    "orgs:funding-add": _code,
    "unit-detail": lambda o: {"code": o.tree.street_a.code},
    "unit-profile": _code,
    "people:detail": _worker,
    "people:edit": _worker,
    "people:move": _worker,
    "people:exit": _worker,
    "worker-detail": _worker,
    "worker-record": _worker,
    "standing-proposal-detail": lambda o: {"pk": people_factories.street_a_proposal(o).pk},
    "user-tokens": lambda o: {"pk": o.personas.street_a_manager.pk},
    "tasks:job": _street_a_job,
    "tasks:job-state": _street_a_job,
    "tasks:job-file": _street_a_job,
    "training:detail": lambda o: {"pk": training.street_a_course(o).pk},
    "training:edit": lambda o: {"pk": training.street_a_course(o).pk},
    "training:sign-in": lambda o: {"pk": training.street_a_course(o).pk},
    "training:sheet": lambda o: {"pk": training.street_a_course(o).pk},
    "training:import": lambda o: {"pk": training.street_a_course(o).pk},
    "training:worker": _worker,
    "appraisal:worker": _worker,
    "training:export": lambda o: {"pk": training.street_a_course(o).pk},
    "training:exam": lambda o: {"pk": training.street_a_registration(o).pk},
    "training-detail": lambda o: {"pk": training.street_a_course(o).pk},
    "training-enrolments": lambda o: {"pk": training.street_a_course(o).pk},
    "training-attendance": lambda o: {"pk": training.street_a_course(o).pk},
    "pay:run": lambda o: {"pk": pay_objects(o).run.pk},
    "pay:run-register": lambda o: {"pk": pay_objects(o).run.pk},
    "pay:payslip": lambda o: {"pk": pay_objects(o).line.pk},
    "pay:scheme": lambda o: {"pk": pay_objects(o).scheme.pk},
    "pay:scheme-revise": lambda o: {"pk": pay_objects(o).scheme.pk},
    "pay:worker": _worker,
    "pay:citywide": _street_a_citywide,
    "pay:citywide-state": _street_a_citywide,
    "payrun-detail": lambda o: {"pk": pay_objects(o).run.pk},
    "payrun-lines": lambda o: {"pk": pay_objects(o).run.pk},
    "appraisal:cycle": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal:ten-best-detail": lambda o: {"pk": appraisal.street_a_ten_best(o).pk},
    "appraisal:scheme-edit": lambda o: {"pk": appraisal.street_a_survey(o).cycle.pk},
    "appraisal:score-leaders": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal:score-peers": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal:self-report": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal:results": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal:results-xlsx": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal:survey": lambda o: {"pk": appraisal.from_street_a(o).survey.pk},
    "appraisal:survey-codes": lambda o: {"pk": appraisal.street_a_survey(o).pk},
    "appraisal:households": lambda o: {"pk": o.tree.community_a1.pk},
    "appraisal:objection-file": lambda o: {"pk": appraisal.street_a_result(o).pk},
    "appraisal:objection-decide": lambda o: {"pk": appraisal.objection_of(o).pk},
    "appraisal-cycle-detail": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal-cycle-surveys": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal-cycle-scores": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal-cycle-results": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "burden:survey": lambda o: {"pk": burden.street_a_survey(o).pk},
    "burden:survey-questions": lambda o: {"pk": burden.street_a_survey(o).pk},
    "burden:question-edit": lambda o: {"pk": burden.street_a_question(o).pk},
    "burden-record-detail": lambda o: {"pk": burden.street_a_record(o).pk},
    "burden-survey-detail": lambda o: {"pk": burden.street_a_survey(o).pk},
    "burden-survey-results": lambda o: {"pk": burden.street_a_survey(o).pk},
    "resources:venue": lambda o: {"pk": resources.street_a_venue(o).pk},
    "resources:venue-edit": lambda o: {"pk": resources.street_a_venue(o).pk},
    "resources:book": lambda o: {"pk": resources.street_a_venue(o).pk},
    "resources:series-create": lambda o: {"pk": resources.street_a_venue(o).pk},
    "resources:venue-ics": lambda o: {"pk": resources.street_a_venue(o).pk},
    "resources:booking": lambda o: {"pk": resources.street_a_booking(o).pk},
    "resources:team": lambda o: {"pk": resources.street_a_team(o).pk},
    "resources:activity": lambda o: {"pk": resources.street_a_activity(o).pk},
    "resources:volunteer": lambda o: {"pk": resources.street_a_volunteer(o).pk},
    "reports:volunteer-certificate": lambda o: {"pk": resources.street_a_certificate(o).pk},
    "resources-venue-detail": lambda o: {"pk": resources.street_a_venue(o).pk},
    "resources-venue-bookings": lambda o: {"pk": resources.street_a_venue(o).pk},
    "resources-booking-detail": lambda o: {"pk": resources.street_a_booking(o).pk},
    "resources-team-detail": lambda o: {"pk": resources.street_a_team(o).pk},
    "resources-activity-detail": lambda o: {"pk": resources.street_a_activity(o).pk},
    "resources-activity-hours": lambda o: {"pk": resources.street_a_activity(o).pk},
    "annual:report": lambda o: {"code": o.tree.street_a.code, "year": 2024},
}
# Object routes that only take POST.
POST_OBJECT_ROUTES: dict[str, Callable[[StreetAObjects], dict[str, Any]]] = {
    "people:post-assign": _worker,
    "people:reenter": _worker,  # its form only opens for a worker who has left
    "people:certificate-add": _worker,
    "people:post-end": lambda o: {"pk": o.worker.pk, "holding_pk": o.holding.pk},
    "token-revoke": lambda o: {"pk": _street_a_token(o)},
    "worker-move": _worker,
    "worker-exit": _worker,
    "standing-proposal-decide": lambda o: {"pk": people_factories.street_a_proposal(o).pk},
    "training:enrol": lambda o: {"pk": training.street_a_course(o).pk},
    "training:withdraw": lambda o: {
        "pk": training.street_a_course(o).pk,
        "enrolment_pk": training.street_a_enrolment(o).pk,
    },
    "training:award-paid": lambda o: {"pk": training.street_a_award(o).pk},
    "training:secondment-return": lambda o: {"pk": training.street_a_secondment(o).pk},
    "training-exam-results": lambda o: {"registration_pk": training.street_a_registration(o).pk},
    "tasks:job-cancel": _street_a_job,
    "tasks:job-retry": _street_a_job,
    "pay:run-check": lambda o: {"pk": pay_objects(o).run.pk},
    "pay:run-approve": lambda o: {"pk": pay_objects(o).run.pk},
    "pay:run-discard": lambda o: {"pk": pay_objects(o).run.pk},
    "pay:run-correct": lambda o: {"pk": pay_objects(o).run.pk},
    "payrun-check": lambda o: {"pk": pay_objects(o).run.pk},
    "payrun-approve": lambda o: {"pk": pay_objects(o).run.pk},
    "appraisal:cycle-copy": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal:cycle-compute": lambda o: {"pk": appraisal.street_a_survey(o).cycle.pk},
    "appraisal:cycle-reopen": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal:cycle-publish": lambda o: {"pk": appraisal.from_street_a(o).cycle.pk},
    "appraisal:survey-open": lambda o: {"pk": appraisal.street_a_survey(o).pk},
    "appraisal:survey-close": lambda o: {"pk": appraisal.street_a_survey(o).pk},
    "appraisal:code-request-approve": lambda o: {"pk": appraisal.street_a_code_request(o).pk},
    "burden:record-delete": lambda o: {"pk": burden.street_a_record(o).pk},
    "burden:survey-codes": lambda o: {"pk": burden.street_a_survey(o).pk},
    "burden:survey-status": lambda o: {"pk": burden.street_a_survey(o).pk},
    "burden:question-change": lambda o: {"pk": burden.street_a_question(o).pk},
    "resources:booking-approve": lambda o: {"pk": resources.street_a_booking(o).pk},
    "resources:booking-decline": lambda o: {"pk": resources.street_a_booking(o).pk},
    "resources:booking-cancel": lambda o: {"pk": resources.street_a_booking(o).pk},
    "resources:booking-headcount": lambda o: {"pk": resources.street_a_booking(o).pk},
    "resources:series-approve": lambda o: {"pk": resources.street_a_series(o).pk},
    "resources:series-cancel": lambda o: {"pk": resources.street_a_series(o).pk},
    "resources:team-member-add": lambda o: {"pk": resources.street_a_team(o).pk},
    "resources:team-record-add": lambda o: {"pk": resources.street_a_team(o).pk},
    "resources:member-leave": lambda o: {"pk": resources.street_a_member(o).pk},
    "resources:activity-held": lambda o: {"pk": resources.street_a_activity(o).pk},
    "resources:activity-hours": lambda o: {"pk": resources.street_a_activity(o).pk},
    "resources:activity-advisor": lambda o: {"pk": resources.street_a_activity(o).pk},
    "resources:activity-sign-up": lambda o: {"pk": resources.street_a_activity(o).pk},
    "resources:activity-attendance": lambda o: {"pk": resources.street_a_activity(o).pk},
    "resources:activity-rate": lambda o: {"pk": resources.street_a_activity(o).pk},
    "resources-activity-rate": lambda o: {"pk": resources.street_a_activity(o).pk},
    "resources:volunteer-link": lambda o: {"pk": resources.street_a_volunteer(o).pk},
    "resources:certificate-issue": lambda o: {"pk": resources.street_a_volunteer(o).pk},
    "resources:standard-check": lambda o: {"key": resources.street_a_standard(o).key},
    "resources:standard-item-add": lambda o: {"key": resources.street_a_standard(o).key},
    "resources-standard-check": lambda o: {"key": resources.street_a_standard(o).key},
    "resources-venue-series": lambda o: {"pk": resources.street_a_venue(o).pk},
    "resources-booking-approve": lambda o: {"pk": resources.street_a_booking(o).pk},
    "resources-booking-decline": lambda o: {"pk": resources.street_a_booking(o).pk},
    "resources-booking-cancel": lambda o: {"pk": resources.street_a_booking(o).pk},
    "resources-booking-headcount": lambda o: {"pk": resources.street_a_booking(o).pk},
    "annual:generate": lambda o: {"code": o.tree.street_a.code, "year": 2024},
    "annual:part-save": lambda o: {"code": o.tree.street_a.code, "year": 2024, "key": "problems"},
}
MISSING = {
    "code": "999999999999",
    "pk": 99999999,
    "holding_pk": 99999999,
    "batch": "00000000-0000-0000-0000-000000000000",
    "year": 2024,
    "key": "problems",
}

# Routes about no single object: they answer, but must not show street A.
LIST_ROUTES = {
    "users",
    "user-create",
    "account",
    "account-tokens",
    "password-change",
    "people:list",
    "people:create",
    "people:standing",
    "worker-list",
    "standing-proposal-list",
    "people_import:upload",
    "people_import:template",
    "people_import:errors",
    "people_import:progress",
    "people_import:progress-json",
    "people_import:export",
    "tasks:list",
    "dashboard",
    "orgs:tree",
    "orgs:import",
    "orgs:import-errors",
    "orgs:import-progress",
    "orgs:import-progress-json",
    "audit",
    "unit-list",
    "reports:structure",
    "reports:structure-download",
    "training:list",
    "appraisal:district",
    "appraisal:ten-best",
    "appraisal-cycle-overview",
    "training:create",
    "training:compliance",
    "training:figures",
    "training:figures-export",
    "training:exams",
    "training:awards",
    "training:secondments",
    "training:import-errors",
    "training:import-progress",
    "training:import-progress-json",
    "training:exam-import",
    "training:exam-import-errors",
    "training:exam-import-progress",
    "training:exam-import-progress-json",
    "training:config",
    "training:awards-export",
    "training-list",
    "training-exams",
    "training-figures",
    "pay:runs",
    "pay:schemes",
    "pay:scheme-create",
    "pay:settings",
    "pay:settings-export",
    "pay:rates-new",
    "pay:wage-new",
    "pay:policy-new",
    "pay:config-export",
    "pay:runs-export",
    "pay:benchmark",
    "pay:benchmark-export",
    "pay:equal-pay",
    "pay:equal-pay-export",
    "pay:budget",
    "pay:citywide-list",
    "payrun-list",
    "appraisal:index",
    "appraisal:scheme-create",
    "appraisal-cycle-list",
    "burden:index",
    "burden:download",
    "burden:items",
    "burden:item-create",
    "burden:stamps",
    "burden:applications",
    "burden:application-create",
    "burden:records",
    "burden:record-create",
    "burden:config",
    "burden-application-list",
    "burden-item-list",
    "burden-record-list",
    "burden-summary",
    "burden:forms",
    "burden:surveys",
    "burden-form-list",
    "burden-survey-list",
    "burden-stamp-list",
    "burden-calendar-list",
    "resources:venues",
    "resources:venue-create",
    "resources:use",
    "resources:dashboard",
    "resources:activities",
    "resources:activity-create",
    "resources:volunteers",
    "resources:volunteer-create",
    "resources:volunteers-export",
    "resources:talents",
    "resources:standards",
    "resources:standard-create",
    "resources:talent-create",
    "resources:residents",
    "resources:resident-create",
    "resources:teams",
    "resources:team-create",
    "resources-venue-list",
    "resources-summary",
    "resources-standards",
    "resources-team-list",
    "resources-activity-list",
    "resources-volunteer-list",
    "resources-talent-list",
    "resources:awards",
    "resources:award-scheme-create",
    "resources-scheme-list",
    "annual:index",
}
# Routes that only take POST and act on the caller's own session.
POST_ONLY_ROUTES = {
    "reports:structure-generate",
    "people_import:confirm",
    "orgs:import-confirm",
    "pay:run-create",
    "pay:grades-apply",
    "pay:citywide-start",
    "training:import-confirm",
    "training:exam-import-confirm",
    "resources:hours-decide",
    "resources-activity-hours-decide",
    "standing-proposal-decide-many",
}


# Account routes: only admins reach them, so they are walked as a street-B admin against the
# account of street A's clerk, and a street-A admin must get through.
ACCOUNT_ROUTES: dict[str, Callable[[StreetAObjects], dict[str, Any]]] = {
    "user-detail": lambda o: {"pk": o.personas.community_a1_clerk.pk},
    "user-password-reset": lambda o: {"pk": o.personas.community_a1_clerk.pk},
    "membership-edit": lambda o: {"pk": o.personas.community_a1_clerk.memberships.get().pk},
}
ACCOUNT_POST_ROUTES: dict[str, Callable[[StreetAObjects], dict[str, Any]]] = {
    "user-active": lambda o: {"pk": o.personas.community_a1_clerk.pk},
}


# Routes of a department's application: neither a street's account nor another department
# reaches it; its own department and the district do. (application, owner, other department)
DEPARTMENT_ROUTES: dict[str, Callable[[StreetAObjects], tuple[Any, Any, Any]]] = {
    "burden:application": burden.health_application,
    "burden:application-decide": burden.health_application,
    "burden:application-publish": burden.health_application,
    "burden-application-detail": burden.health_application,
    "burden-application-decide": burden.health_application,
    "burden-application-publish": burden.health_application,
    "burden:application-edit": burden.health_application,
    "burden:application-withdraw": burden.health_application,
    "burden-application-withdraw": burden.health_application,
}
DEPARTMENT_POST_ONLY = {
    "burden:application-decide",
    "burden:application-publish",
    "burden:application-withdraw",
    "burden-application-decide",
    "burden-application-publish",
    "burden-application-withdraw",
}
# Routes only the department's own accounts open (the district decides, it does not edit).
DEPARTMENT_OWN_ONLY = {"burden:application-edit"}


@pytest.mark.parametrize("route", sorted(DEPARTMENT_ROUTES))
def test_only_the_department_and_the_district_reach_an_application(
    route: str, street_a: StreetAObjects, personas: Personas
) -> None:
    application, owner, other = DEPARTMENT_ROUTES[route](street_a)
    url = reverse(route, kwargs={"pk": application.pk})
    for outsider in (personas.street_b_manager, personas.street_a_manager, other):
        client = client_for(outsider)
        assert client.get(url).status_code in ({405} if route in DEPARTMENT_POST_ONLY else {404})
        posted = client.post(url, {"decision": "approve"}).status_code
        assert posted == 404 if route in DEPARTMENT_POST_ONLY else posted in {404, 405}
    application.refresh_from_db()
    assert application.status == "filed"
    assert client_for(personas.street_b_manager).get(
        reverse(route, kwargs={"pk": MISSING["pk"]})
    ).status_code in {404, 405}
    if route not in DEPARTMENT_POST_ONLY:
        assert client_for(owner).get(url).status_code == 200
        district = client_for(personas.district_admin).get(url).status_code
        assert district == (404 if route in DEPARTMENT_OWN_ONLY else 200)


# District-level records (a department's report form) that every unit of the district sees:
# walked as a manager of another district; a street of the district gets through.
DISTRICT_ROUTES: dict[str, Callable[[StreetAObjects], tuple[dict[str, Any], Any, Any]]] = {
    "burden:form": burden.walk_form,
    "burden:form-export": burden.walk_form,
    "burden:form-answers": burden.walk_form,
    "burden-form-detail": burden.walk_form,
    "burden-form-fill": burden.walk_form,
    "resources:award-scheme": resources.walk_award_scheme,
    "resources:award-scheme-edit": resources.walk_award_scheme,
    "resources:award-scheme-export": resources.walk_award_scheme,
    "resources:award-scheme-propose": resources.walk_award_scheme,
    "resources:award-scheme-approve": resources.walk_award_scheme,
    "resources:award-scheme-version": resources.walk_award_scheme,
    "resources:award-adjust": resources.walk_award,
    "resources-scheme-detail": resources.walk_award_scheme,
    "resources-scheme-propose": resources.walk_award_scheme,
    "resources-scheme-approve": resources.walk_award_scheme,
    "resources-award-adjust": resources.walk_award,
    "burden:item-edit": burden.walk_item,
    "burden:item-retire": burden.walk_item,
    "burden-item-detail": burden.walk_item,
    "burden-item-retire": burden.walk_item,
}


@pytest.mark.parametrize("route", sorted(DISTRICT_ROUTES))
def test_another_district_gets_404_for_district_records(
    route: str, street_a: StreetAObjects
) -> None:
    kwargs, insider, outsider = DISTRICT_ROUTES[route](street_a)
    url = reverse(route, kwargs=kwargs)
    client = client_for(outsider)
    assert client.get(url).status_code in {404, 405}
    posted = client.post(url, {"cell": "B2", "label": "x", "source": "roster.total"})
    # The API routes of a form only read (405 to POST); the page routes answer 404.
    assert posted.status_code in (
        {404, 405} if route.startswith(("burden-", "resources-")) else {404}
    )
    assert client.get(reverse(route, kwargs={"pk": MISSING["pk"]})).status_code in {404, 405}
    if route in {"burden:form", "burden-form-detail", "burden-item-detail",
                 "resources:award-scheme", "resources-scheme-detail"}:  # fmt: skip
        assert client_for(insider).get(url).status_code == 200


def _admin_of(unit: Any, username: str) -> Any:
    from shegong.core.models import Membership, Role, User

    user = User.objects.create_user(username=username, password="x")
    Membership.objects.create(user=user, unit=unit, role=Role.ADMIN)
    return user


@pytest.mark.parametrize("route", sorted(ACCOUNT_ROUTES))
def test_street_b_admin_gets_404_for_street_a_accounts(
    route: str, street_a: StreetAObjects
) -> None:
    kwargs = ACCOUNT_ROUTES[route](street_a)
    street_b_admin = client_for(_admin_of(street_a.tree.street_b, "street_b_admin"))
    assert street_b_admin.get(reverse(route, kwargs=kwargs)).status_code == 404
    assert street_b_admin.post(reverse(route, kwargs=kwargs), {}).status_code == 404
    missing = reverse(route, kwargs={k: MISSING[k] for k in kwargs})
    assert street_b_admin.get(missing).status_code == 404
    street_a_admin = client_for(_admin_of(street_a.tree.street_a, "street_a_admin"))
    assert street_a_admin.get(reverse(route, kwargs=kwargs)).status_code == 200


@pytest.mark.parametrize("route", sorted(ACCOUNT_POST_ROUTES))
def test_street_b_admin_cannot_post_to_street_a_accounts(
    route: str, street_a: StreetAObjects
) -> None:
    url = reverse(route, kwargs=ACCOUNT_POST_ROUTES[route](street_a))
    street_b_admin = client_for(_admin_of(street_a.tree.street_b, "street_b_admin"))
    assert street_b_admin.post(url, {"active": "0"}).status_code == 404
    clerk = street_a.personas.community_a1_clerk
    clerk.refresh_from_db()
    assert clerk.is_active


def _walk(resolver: URLResolver, namespace: str = "") -> Iterator[URLPattern | tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, ns)
        elif entry.name:
            yield (f"{namespace}{entry.name}", entry)


def all_route_names() -> set[str]:
    return {name for name, _ in _walk(get_resolver())}  # type: ignore[misc]


def test_every_route_is_covered_by_the_scoping_walk() -> None:
    covered = (
        PUBLIC_OR_UNSCOPED
        | set(OBJECT_ROUTES)
        | set(POST_OBJECT_ROUTES)
        | LIST_ROUTES
        | POST_ONLY_ROUTES
        | set(ACCOUNT_ROUTES)
        | set(ACCOUNT_POST_ROUTES)
        | set(DEPARTMENT_ROUTES)
        | set(DISTRICT_ROUTES)
    )
    missing = all_route_names() - covered
    assert not missing, f"routes with no scoping check: {sorted(missing)}"


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_street_b_gets_404_for_street_a_objects(
    route: str, street_a: StreetAObjects, personas: Personas
) -> None:
    kwargs = OBJECT_ROUTES[route](street_a)
    client = client_for(personas.street_b_manager)
    assert client.get(reverse(route, kwargs=kwargs)).status_code == 404
    assert client.post(reverse(route, kwargs=kwargs), {}).status_code in {404, 405}
    # The same route pointing at nothing answers the same way.
    missing = reverse(route, kwargs={k: MISSING[k] for k in kwargs})
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("route", sorted(POST_OBJECT_ROUTES))
def test_street_b_cannot_post_to_street_a_objects(
    route: str, street_a: StreetAObjects, personas: Personas
) -> None:
    url = reverse(route, kwargs=POST_OBJECT_ROUTES[route](street_a))
    client = client_for(personas.street_b_manager)
    body = {"end": "2024-01-01", "post": 1, "date": "2024-01-01", "reason": "resign"}
    assert client.post(url, body).status_code == 404
    street_a.worker.refresh_from_db()
    assert street_a.worker.status == "active"
    assert street_a.worker.community_id == street_a.tree.community_a1.pk


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_street_a_manager_reaches_the_same_objects(
    route: str, street_a: StreetAObjects, personas: Personas
) -> None:
    """The walk above is only meaningful if the owner does get through."""
    url = reverse(route, kwargs=OBJECT_ROUTES[route](street_a))
    assert client_for(personas.street_a_manager).get(url).status_code == 200


@pytest.mark.parametrize("route", sorted(LIST_ROUTES))
def test_list_routes_do_not_show_street_a_to_street_b(
    route: str, street_a: StreetAObjects, personas: Personas
) -> None:
    tree = street_a.tree
    client_for(personas.street_a_manager).post(
        reverse("orgs:profile-edit", kwargs={"code": tree.community_a1.code}),
        {
            "households": 1500,
            "residents": 4000,
            "area_type": "urban",
            "office_area": "300",
            "activity_area": "500",
            "premises": "owned",
        },
    )
    response = client_for(personas.street_b_manager).get(reverse(route), follow=True)
    assert response.status_code in {200, 404}
    body = _visible_text(response)
    for name in (
        tree.street_a.name,
        tree.community_a1.name,
        tree.community_a1.code,
        street_a.worker.name,
        street_a.worker.id_number[-4:],
    ):
        assert name not in body


def _visible_text(response: Any) -> str:
    """What a person would see: the page, or every cell of a downloaded workbook."""
    if response.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return str(response.content.decode("utf-8-sig"))


def test_post_only_routes_refuse_get(personas: Personas) -> None:
    for route in POST_ONLY_ROUTES:
        assert client_for(personas.street_b_manager).get(reverse(route)).status_code == 405
