"""The appraisal API: scoped reads for staff, the public ballot and vote needing a code."""

from __future__ import annotations

from typing import Any

from django.test import Client

from shegong.appraisal.models import HouseholdCode
from shegong.appraisal.tests.factories import published, recorded, street_a_cycle
from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import CodeFailure


def test_public_vote_needs_a_valid_code_and_counts_once(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    anonymous = Client()
    ballot = anonymous.get("/api/appraisal/cycles/ballot/", {"code": setup.codes[0]})
    assert ballot.status_code == 200
    # By pinyin initials, as on the printed ballot: 李强 (lq), 王芳 (wf), 赵敏 (zm).
    assert [w["name"] for w in ballot.json()["workers"]] == ["李强", "王芳", "赵敏"]
    body = {"code": setup.codes[0], "ratings": {str(w.pk): "satisfied" for w in setup.workers}}
    first = anonymous.post("/api/appraisal/cycles/vote/", body, content_type="application/json")
    assert first.status_code == 201
    replay = anonymous.post("/api/appraisal/cycles/vote/", body, content_type="application/json")
    assert replay.status_code == 400
    assert replay.json() == {"code": ["该评议码已经使用过,每户只能投一次票"]}
    guessed = anonymous.get("/api/appraisal/cycles/ballot/", {"code": "ZZZZ-ZZZZ-ZZZZ"})
    assert guessed.status_code == 400
    assert "workers" not in guessed.json()
    assert recorded() == 1


def test_public_vote_is_throttled_per_address(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    anonymous = Client(REMOTE_ADDR="10.7.7.7")
    statuses = [
        anonymous.get("/api/appraisal/cycles/ballot/", {"code": f"BAD{i}"}).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429
    body = {"code": setup.codes[0], "ratings": {str(w.pk): "satisfied" for w in setup.workers}}
    locked = anonymous.post("/api/appraisal/cycles/vote/", body, content_type="application/json")
    assert locked.status_code == 429
    assert recorded() == 0


def test_staff_read_cycles_turnout_and_results_in_their_scope(
    tree: Tree, personas: Personas
) -> None:
    setup = published(street_a_cycle(tree, personas))
    manager = client_for(personas.street_a_manager)
    [cycle] = manager.get("/api/appraisal/cycles/").json()["results"]
    assert cycle["scheme"]["unit"] == tree.street_a.code
    assert [p["kind"] for p in cycle["scheme"]["parts"]] == ["leaders", "peers", "residents"]
    surveys = manager.get(f"/api/appraisal/cycles/{setup.cycle.pk}/surveys/").json()
    a1 = next(s for s in surveys if s["community"] == tree.community_a1.code)
    assert (a1["issued"], a1["spent"], a1["percent"]) == (6, 3, "50.0")
    results = manager.get(f"/api/appraisal/cycles/{setup.cycle.pk}/results/").json()
    assert {w["name"] for w in results["workers"]} == {w.name for w in setup.workers}
    assert sum(g["count"] for g in results["grades"]) == 3
    scores = manager.get(f"/api/appraisal/cycles/{setup.cycle.pk}/scores/").json()
    assert all(row["sheets"] == {"leaders": 1} for row in scores)
    assert "scorer" not in str(scores)

    other = client_for(personas.street_b_manager)
    assert other.get("/api/appraisal/cycles/").json()["results"] == []
    assert other.get(f"/api/appraisal/cycles/{setup.cycle.pk}/results/").status_code == 404


PROXY = "10.0.0.254"


def test_junk_behind_a_trusted_proxy_does_not_block_other_voters(
    tree: Tree, personas: Personas, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    setup = street_a_cycle(tree, personas)
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    resident = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.6")
    statuses = [
        attacker.get("/api/appraisal/cycles/ballot/", {"code": f"BAD{i}"}).status_code
        for i in range(21)
    ]
    assert statuses[-1] == 429  # the attacker is locked out …
    body = {"code": setup.codes[0], "ratings": {str(w.pk): "satisfied" for w in setup.workers}}
    cast = resident.post("/api/appraisal/cycles/vote/", body, content_type="application/json")
    assert cast.status_code == 201  # … the resident behind the same proxy is not
    assert (
        resident.get("/api/appraisal/cycles/ballot/", {"code": setup.codes[1]}).status_code == 200
    )


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(
    tree: Tree, personas: Personas, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    street_a_cycle(tree, personas)
    for i in range(20):  # a new forged address each time does not escape the throttle
        Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").get(
            "/api/appraisal/cycles/ballot/", {"code": f"BAD{i}"}
        )
    again = Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert again.get("/api/appraisal/cycles/ballot/", {"code": "BAD99"}).status_code == 429


def test_retrying_the_same_code_counts_once_toward_the_throttle(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    household = Client(REMOTE_ADDR="10.7.7.8")
    for _ in range(25):  # a resident who keeps retyping one mistyped code
        assert household.get("/api/appraisal/cycles/ballot/", {"code": "WRONG"}).status_code == 400
    assert (
        household.get("/api/appraisal/cycles/ballot/", {"code": setup.codes[0]}).status_code == 200
    )


def test_a_refused_code_leaves_nothing_that_joins_its_household(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    body = {"code": setup.codes[0], "ratings": {str(w.pk): "satisfied" for w in setup.workers}}
    household = Client(REMOTE_ADDR="10.7.7.9")
    household.post("/api/appraisal/cycles/vote/", body, content_type="application/json")
    replay = household.post("/api/appraisal/cycles/vote/", body, content_type="application/json")
    assert replay.status_code == 400
    [failure] = CodeFailure.objects.all()
    assert not HouseholdCode.objects.filter(code_hash__startswith=failure.code_key).exists()
