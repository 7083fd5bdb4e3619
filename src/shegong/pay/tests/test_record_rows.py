"""Which pay rows of a worker a viewer reads: a street computes the run, but a worker's lines
belong to their community, so the community clerk sees their workers' rows (masked, a clerk
has no personal-data right) in the whole record, on the worker's pay page and on the payslip
alike; a role with neither the personal-data nor the record-keeping right sees none."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import Membership, Role, User
from shegong.pay.models import PayLine
from shegong.pay.tests.factories import paid_worker, street_a_pay


def _record_rows(user: User, worker_pk: int) -> list[list[str]]:
    client = APIClient()
    client.force_authenticate(user)
    data = client.get(f"/api/workers/{worker_pk}/record/").json()
    section = next(s for s in data["sections"] if s["key"] == "pay.lines")
    return [r["cells"] for r in section["rows"]]


def test_a_community_clerk_sees_the_rows_of_a_street_s_run_masked(
    tree: Tree, personas: Personas
) -> None:
    worker = paid_worker(tree.community_a1, personas.street_a_manager, name="王芳")
    run = street_a_pay(tree, personas.street_a_manager, worker)
    line = PayLine.objects.get(run=run, worker=worker)
    clerk = personas.community_a1_clerk
    rows = _record_rows(clerk, worker.pk)
    assert [(r[0], r[4], r[5]) for r in rows] == [(f"{run.period:%Y-%m}", "***", "***")]
    pay_page = client_for(clerk).get(reverse("pay:worker", kwargs={"pk": worker.pk}))
    html = pay_page.content.decode()
    assert f"{run.period:%Y-%m}" in html and f"{line.gross:,.2f}" not in html
    assert reverse("pay:payslip", kwargs={"pk": line.pk}) in html
    slip = client_for(clerk).get(reverse("pay:payslip", kwargs={"pk": line.pk}))
    assert slip.status_code == 200 and f"{line.gross:,.2f}" not in slip.content.decode()
    # The manager who computed it sees the same row with its amounts.
    manager_rows = _record_rows(personas.street_a_manager, worker.pk)
    assert manager_rows[0][4] == f"{line.gross:,.2f}"


def test_a_role_without_pay_rights_sees_no_pay_rows(tree: Tree, personas: Personas) -> None:
    worker = paid_worker(tree.community_a1, personas.street_a_manager, name="王芳")
    run = street_a_pay(tree, personas.street_a_manager, worker)
    line = PayLine.objects.get(run=run, worker=worker)
    reader = User.objects.create_user(username="community_a1_reader", password="x")
    Membership.objects.create(user=reader, unit=tree.community_a1, role=Role.VIEWER)
    assert _record_rows(reader, worker.pk) == []
    page = client_for(reader).get(reverse("pay:worker", kwargs={"pk": worker.pk}))
    assert reverse("pay:payslip", kwargs={"pk": line.pk}) not in page.content.decode()
    slip = client_for(reader).get(reverse("pay:payslip", kwargs={"pk": line.pk}))
    assert slip.status_code == 404
