"""The API fuzzed with schemathesis against its own OpenAPI schema, as a street manager and as
a community clerk: no input gives a 500, and every answer (status, content type and body)
is one the schema documents. The examples per operation are bounded so CI runs it quickly."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shegong.conftest import Personas, Tree
from shegong.core.actors import system_actor
from shegong.core.models import User
from shegong.pay import services as pay_services
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings
from shegong.resources import services as resources_services
from shegong.resources.tests import factories as resources_factories
from shegong.training.tests.factories import enrol, make_course

EXAMPLES = int(
    os.environ.get("SHEGONG_FUZZ_EXAMPLES", "12")
)  # per operation and persona: the whole run stays well under a minute here
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Logging in is another route's business (its throttle would lock the persona out).
SKIPPED = {("POST", "/api/token/")}


def _keep_connection() -> None:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture(autouse=True)
def _one_connection(settings: Any) -> Iterator[None]:
    """Requests go through Django's own WSGI handler, which closes the database connection
    after each one; inside the test's transaction it must stay open (as the test client
    keeps it)."""
    settings.ALLOWED_HOSTS = ["*"]
    _keep_connection()
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(tree: Tree, personas: Personas) -> dict[str, Any]:
    """Something of each kind in street A, so that fixed ids reach real records."""
    pay_settings(tree.district)
    worker = paid_worker(tree.community_a1, personas.street_a_manager, name="甲一领薪人")
    paid_worker(tree.community_a2, personas.street_a_manager, name="甲二领薪人")
    pay_services.grade_place(
        unit=tree.street_a, day=datetime.date(YEAR, 1, 1), acting_user=system_actor()
    )
    run = pay_services.payrun_create(
        unit=tree.street_a, period=datetime.date(YEAR, 1, 1), acting_user=system_actor()
    )
    course = make_course(tree.street_a, personas.street_a_manager)
    enrol(course, [worker], personas.street_a_manager)
    venue = resources_factories.make_venue(tree.community_a1, personas.street_a_manager)
    booking = resources_factories.book(
        venue,
        personas.street_a_manager,
        resources_factories.at(resources_factories.DAY, 9),
        resources_factories.at(resources_factories.DAY, 10),
    )
    # A district's proposed 以奖代补 over a team of street A with a held, rated activity.
    resources_factories.active_team(tree.community_a1, personas.street_a_manager)
    scheme = resources_services.awards_propose(
        scheme=resources_factories.make_scheme(tree.district, personas.district_admin),
        acting_user=personas.district_admin,
    )
    award = scheme.awards.select_related("team").get()
    assert award.team is not None
    return {
        "scheme": scheme.pk,
        "award": award.pk,
        "activity": award.team.activities.get().pk,
        "worker": worker.pk,
        "run": run.pk,
        "course": course.pk,
        "code": tree.community_a1.code,
        "venue": venue.pk,
        "booking": booking.pk,
    }


def _session(user: User) -> tuple[dict[str, str], dict[str, str]]:
    """The cookies and headers of a logged-in browser session (with its CSRF token)."""
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}, {
        "X-CSRFToken": token
    }


def _fixed(path: str, world: dict[str, Any]) -> dict[str, Any]:
    if "{code}" in path:
        return {"code": world["code"]}
    if path.startswith("/api/workers/{id}"):
        return {"id": world["worker"]}
    if path.startswith("/api/pay-runs/{id}"):
        return {"id": world["run"]}
    if path.startswith("/api/training/{id}"):
        return {"id": world["course"]}
    if path.startswith("/api/resources/venues/{id}"):
        return {"id": world["venue"]}
    if path.startswith("/api/resources/bookings/{id}"):
        return {"id": world["booking"]}
    if path.startswith("/api/resources/award-schemes/{id}"):
        return {"id": world["scheme"]}
    if path.startswith("/api/resources/awards/{id}"):
        return {"id": world["award"]}
    if path.startswith("/api/resources/activities/{id}"):
        return {"id": world["activity"]}
    return {}


def _fuzz(user: User, world: dict[str, Any]) -> list[str]:
    """Every operation of the schema with a bounded number of examples; the failures found."""
    failures: list[str] = []
    cookies, headers = _session(user)
    client = Client()
    client.cookies["sessionid"] = cookies["sessionid"]
    schema_json = client.get("/api/schema/?format=json")
    assert schema_json.status_code == 200
    schema = schemathesis.openapi.from_dict(schema_json.json())
    schema.app = WSGIHandler()
    _keep_connection()  # the test client reconnected the signal after its request
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the schema itself must be valid
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        fixed = _fixed(operation.path, world)
        strategy = operation.as_strategy()
        if fixed:
            strategy = st.one_of(strategy, operation.as_strategy(path_parameters=fixed))

        @examples(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
            response = case.call(headers=headers, cookies=cookies)
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except BaseException as exc:  # schemathesis' FailureGroup; reported together below
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    return failures


def test_the_api_holds_against_fuzzing_as_a_street_manager(
    personas: Personas, world: dict[str, Any]
) -> None:
    failures = _fuzz(personas.street_a_manager, world)
    assert not failures, "\n\n".join(failures)


def test_the_api_holds_against_fuzzing_as_a_community_clerk(
    personas: Personas, world: dict[str, Any]
) -> None:
    failures = _fuzz(personas.community_a1_clerk, world)
    assert not failures, "\n\n".join(failures)
