"""The appraisal's renewal, warning and exit lists reach the roster as proposals a manager
decides one by one or together; accepting 解聘 records the exit with its reason and date."""

from __future__ import annotations

import datetime

from django.urls import reverse
from rest_framework.test import APIClient

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import AuditEntry, User
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


API = "/api/standing-proposals/"


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_lists_the_viewer_s_proposals_and_decides_one(
    tree: Tree, personas: Personas
) -> None:
    a = appraised(tree, personas)
    manager = _api(personas.street_a_manager)
    listed = manager.get(API).json()["results"]
    assert {(p["worker_name"], p["kind"]) for p in listed} == {
        ("王芳", "renew"),
        ("李强", "renew"),
        ("钱进", "warn"),
    }
    assert {p["source_label"] for p in listed} == {a.setup.cycle.scheme.name}
    assert [p["worker_name"] for p in manager.get(API, {"kind": "warn"}).json()["results"]] == [
        "钱进"
    ]
    warning = StandingProposal.objects.get(worker=a.qian)
    done = manager.post(f"{API}{warning.pk}/decide/", {"decision": "accept", "note": "已谈话"})
    assert done.status_code == 200 and done.json()[0]["status"] == "accepted"
    warning.refresh_from_db()
    assert (warning.status, warning.decision_note) == ("accepted", "已谈话")
    entry = AuditEntry.objects.get(action="people.standing_decided", target_id=str(a.qian.pk))
    assert entry.after is not None and entry.after["source_key"] == warning.source_key
    again = manager.post(f"{API}{warning.pk}/decide/", {"decision": "reject"})
    assert again.status_code == 400
    assert "钱进" not in {p["worker_name"] for p in manager.get(API).json()["results"]}
    everything = manager.get(API, {"status": "all"}).json()["results"]
    assert "钱进" in {p["worker_name"] for p in everything}


def test_the_api_decides_several_together_all_or_nothing(tree: Tree, personas: Personas) -> None:
    appraised(tree, personas)
    manager = _api(personas.street_a_manager)
    renewals = list(StandingProposal.objects.filter(kind="renew").values_list("pk", flat=True))
    warning = StandingProposal.objects.get(kind="warn")
    manager.post(f"{API}{warning.pk}/decide/", {"decision": "reject"})
    mixed = manager.post(
        f"{API}decide/", {"proposals": [*renewals, warning.pk], "decision": "accept"}, format="json"
    )
    assert mixed.status_code == 400 and "已决定" in mixed.content.decode()
    assert StandingProposal.objects.filter(kind="renew", status="pending").count() == 2
    done = manager.post(
        f"{API}decide/", {"proposals": renewals, "decision": "accept"}, format="json"
    )
    assert done.status_code == 200 and {p["status"] for p in done.json()} == {"accepted"}
    assert AuditEntry.objects.filter(action="people.standing_decided").count() == 3


def test_the_api_keeps_street_a_proposals_from_street_b(tree: Tree, personas: Personas) -> None:
    appraised(tree, personas)
    b = _api(personas.street_b_manager)
    assert b.get(API).json()["results"] == []
    proposal = StandingProposal.objects.first()
    assert proposal is not None
    assert b.get(f"{API}{proposal.pk}/").status_code == 404
    assert b.post(f"{API}{proposal.pk}/decide/", {"decision": "reject"}).status_code == 404
    many = b.post(
        f"{API}decide/", {"proposals": [proposal.pk], "decision": "reject"}, format="json"
    )
    assert many.status_code == 400
    assert not StandingProposal.objects.exclude(status="pending").exists()


def test_the_api_records_a_dismissal_s_exit_like_the_page(tree: Tree, personas: Personas) -> None:
    a = appraised(tree, personas)
    services.standing_proposals_record(
        unit=tree.street_a,
        entries=[
            services.ProposalEntry(
                worker_id=a.qian.pk, year=2026, kind="dismiss", source_key="appraisal.cycle:99/x"
            )
        ],
        source_label="街道甲2026年度社区工作者考核",
        replaces_prefix="appraisal.cycle:99/",
        acting_user=personas.street_a_manager,
    )
    dismissal = StandingProposal.objects.get(kind="dismiss")
    manager = _api(personas.street_a_manager)
    refused = manager.post(f"{API}{dismissal.pk}/decide/", {"decision": "accept"})
    assert refused.status_code == 400 and "离岗日期" in refused.content.decode()
    done = manager.post(
        f"{API}{dismissal.pk}/decide/", {"decision": "accept", "exit_date": "2026-11-30"}
    )
    assert done.status_code == 200
    assert Worker.objects.get(pk=a.qian.pk).status == WorkerStatus.LEFT
