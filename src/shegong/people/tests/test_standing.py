"""The appraisal's renewal, warning and exit lists reach the roster as proposals a manager
decides one by one or together; accepting 解聘 records the exit with its reason and date."""

from __future__ import annotations

import datetime

from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import AuditEntry
from shegong.pay.tests.test_appraisal_handoff import appraised
from shegong.people import services
from shegong.people.models import EndReason, StandingProposal, Worker, WorkerStatus

URL = reverse("people:standing")


def test_publishing_proposes_renewal_and_warning_with_the_source(
    tree: Tree, personas: Personas
) -> None:
    a = appraised(tree, personas)
    name = a.setup.cycle.scheme.name
    kinds = {p.worker.name: p.kind for p in StandingProposal.objects.select_related("worker")}
    assert kinds == {"王芳": "renew", "李强": "renew", "钱进": "warn"}
    assert {p.source_label for p in StandingProposal.objects.all()} == {name}
    trail = AuditEntry.objects.get(action="people.standing_proposed", target_id=str(a.qian.pk))
    assert trail.after is not None and trail.after["kind"] == "warn"
    page = client_for(personas.street_a_manager).get(URL).content.decode()
    assert "钱进" in page and "诫勉" in page and name in page


def test_a_manager_decides_several_at_once(tree: Tree, personas: Personas) -> None:
    a = appraised(tree, personas)
    renewals = StandingProposal.objects.filter(kind="renew")
    response = client_for(personas.street_a_manager).post(
        URL,
        {"proposal": [str(p.pk) for p in renewals], "decision": "accept", "note": "同意续聘"},
    )
    assert response.status_code == 302
    assert set(
        StandingProposal.objects.filter(status="accepted").values_list("kind", flat=True)
    ) == {"renew"}
    assert StandingProposal.objects.get(worker=a.qian).status == "pending"
    decided = AuditEntry.objects.filter(action="people.standing_decided")
    assert decided.count() == 2 and all(e.after and e.after["source_key"] for e in decided)


def test_accepting_a_dismissal_records_the_exit_with_reason_and_date(
    tree: Tree, personas: Personas
) -> None:
    a = appraised(tree, personas)
    manager = personas.street_a_manager
    services.standing_proposals_record(
        unit=tree.street_a,
        entries=[
            services.ProposalEntry(
                worker_id=a.qian.pk,
                year=2026,
                kind="dismiss",
                source_key="appraisal.cycle:99/result:1",
            )
        ],
        source_label="街道甲2026年度社区工作者考核",
        replaces_prefix="appraisal.cycle:99/",
        acting_user=manager,
    )
    dismissal = StandingProposal.objects.get(kind="dismiss")
    client = client_for(manager)
    refused = client.post(URL, {"proposal": [str(dismissal.pk)], "decision": "accept"})
    assert refused.status_code == 200 and "离岗日期" in refused.content.decode()
    assert Worker.objects.get(pk=a.qian.pk).status == WorkerStatus.ACTIVE
    body = {"proposal": [str(dismissal.pk)], "decision": "accept", "exit_date": "2026-11-30"}
    done = client.post(URL, body)
    assert done.status_code == 302, done.content.decode()[-3000:]
    qian = Worker.objects.get(pk=a.qian.pk)
    assert qian.status == WorkerStatus.LEFT
    last = qian.placements.order_by("-start").first()
    assert last is not None
    assert (last.end, last.end_reason) == (datetime.date(2026, 11, 30), EndReason.DISMISSED)
    assert AuditEntry.objects.filter(action="people.worker_exited", target_id=str(qian.pk)).exists()
    page = client.get(reverse("people:detail", kwargs={"pk": qian.pk})).content.decode()
    assert "解聘" in page and "同意" in page


def test_street_b_can_neither_see_nor_decide_street_a_proposals(
    tree: Tree, personas: Personas
) -> None:
    appraised(tree, personas)
    b = client_for(personas.street_b_manager)
    assert "钱进" not in b.get(URL).content.decode()
    ids = [str(p.pk) for p in StandingProposal.objects.all()]
    response = b.post(URL, {"proposal": ids, "decision": "reject"})
    assert "不在您的范围内" in response.content.decode()
    assert not StandingProposal.objects.exclude(status="pending").exists()
