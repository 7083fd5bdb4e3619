"""Teams: members with consent, masked for roles without the personal-data right and audited
when shown in full, counts from records."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.core.models import AuditAction, AuditEntry
from shegong.resources import selectors, services
from shegong.resources.tests.factories import make_resident, make_team

JOINED = datetime.date(2025, 3, 1)


def _team_with_member(tree: Tree, personas: Personas) -> tuple[int, int]:
    manager = personas.street_a_manager
    team = make_team(tree.community_a1, manager)
    resident = make_resident(tree.community_a1, manager)
    services.team_member_add(
        team=team, resident=resident, joined_on=JOINED, leader=True, acting_user=manager
    )
    return team.pk, resident.pk


def test_a_clerk_sees_members_masked_and_a_manager_in_full_audited(
    tree: Tree, personas: Personas
) -> None:
    team_pk, _resident = _team_with_member(tree, personas)
    url = reverse("resources:team", kwargs={"pk": team_pk})
    clerk_page = client_for(personas.community_a1_clerk).get(url).content.decode()
    assert "王秀英" in clerk_page and "138****5678" in clerk_page
    assert "13812345678" not in clerk_page and "1958-06-01" not in clerk_page
    assert not AuditEntry.objects.filter(action=AuditAction.DISCLOSE).exists()
    manager_page = client_for(personas.street_a_manager).get(url).content.decode()
    assert "13812345678" in manager_page
    client_for(personas.street_a_manager).get(url)  # once a day per viewer
    assert AuditEntry.objects.filter(action=AuditAction.DISCLOSE, note="队员名单").count() == 1


def test_a_resident_whose_consent_lapsed_is_neither_listed_nor_named(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    team_pk, resident_pk = _team_with_member(tree, personas)
    resident = selectors.resident_get(viewer=manager, pk=resident_pk)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    services.resident_consent_end(resident=resident, day=yesterday, acting_user=manager)
    assert not selectors.resident_list(viewer=manager).exists()
    team = selectors.team_get(viewer=manager, pk=team_pk)
    rows, unmasked = selectors.team_members(viewer=manager, team=team)
    assert [r.named for r in rows] == [False] and not unmasked
    page = client_for(manager).get(reverse("resources:team", kwargs={"pk": team_pk}))
    assert "王秀英" not in page.content.decode().split('id="members"')[1]
    assert "王秀英" not in client_for(manager).get(reverse("resources:residents")).content.decode()


def test_nobody_is_recorded_without_consent(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="须经本人同意"):
        make_resident(tree.community_a1, personas.street_a_manager, consent_on=None)


def test_team_counts_come_from_records(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    team_pk, _resident = _team_with_member(tree, personas)
    team = selectors.team_get(viewer=manager, pk=team_pk)
    for kind, title, level in (
        ("practice", "周四训练", ""),
        ("practice", "周四训练", ""),
        ("performance", "重阳节演出", ""),
        ("award", "区广场舞比赛二等奖", "district"),
    ):
        services.team_record_add(
            team=team,
            values={
                "kind": kind,
                "day": datetime.date(2025, 10, 1),
                "title": title,
                "level": level,
            },
            acting_user=manager,
        )
    with pytest.raises(ServiceError, match="获奖记录请选择级别"):
        services.team_record_add(
            team=team,
            values={"kind": "award", "day": datetime.date(2025, 10, 1), "title": "x"},
            acting_user=manager,
        )
    (row,) = selectors.team_list(viewer=manager, year=2025)
    counts = [getattr(row, n) for n in ("member_count", "practices", "performances", "awards")]
    assert counts == [1, 2, 1, 1]
    summary = selectors.resources_summary(viewer=manager, unit=tree.street_a, year=2025)
    assert summary["teams"] == 1 and summary["team_members"] == 1
    assert summary["team_records"] == {"practice": 2, "performance": 1, "award": 1}
    other = selectors.team_list(viewer=personas.street_b_manager, year=2025)
    assert not other.exists()


def test_a_member_joins_once_at_a_time(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    team_pk, resident_pk = _team_with_member(tree, personas)
    team = selectors.team_get(viewer=manager, pk=team_pk)
    resident = selectors.resident_get(viewer=manager, pk=resident_pk)
    with pytest.raises(ServiceError, match="已是队员"):
        services.team_member_add(
            team=team, resident=resident, joined_on=JOINED, acting_user=manager
        )
    (member,) = team.members.all()
    services.team_member_leave(member=member, left_on=JOINED, acting_user=manager)
    team.refresh_from_db()
    assert team.leader is None
    services.team_member_add(team=team, resident=resident, joined_on=JOINED, acting_user=manager)
