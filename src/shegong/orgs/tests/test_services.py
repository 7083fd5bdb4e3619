import decimal

import pytest

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.orgs import services
from shegong.orgs.models import CommunityProfile, Unit, UnitKind

PROFILE = {
    "households": 900,
    "residents": 2500,
    "area_type": "urban",
    "office_area": "200",
    "activity_area": "350",
    "premises": "owned",
}


def test_it_refuses_a_negative_household_count_and_changes_nothing(
    tree: Tree, personas: Personas
) -> None:
    with pytest.raises(ServiceError, match="不能为负数"):
        services.community_profile_update(
            unit=tree.community_a1,
            values={**PROFILE, "households": -5},
            acting_user=personas.community_a1_clerk,
        )
    assert CommunityProfile.objects.get(unit=tree.community_a1).households == 1200
    assert not AuditEntry.objects.exists()


def test_a_clerk_cannot_edit_a_neighbouring_community(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError):
        services.community_profile_update(
            unit=tree.community_a2, values=PROFILE, acting_user=personas.community_a1_clerk
        )


def test_it_refuses_a_community_under_a_district(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="社区的上级应为街道/乡镇"):
        services.unit_create(
            code="110101000099",
            name="错位社区",
            kind=UnitKind.COMMUNITY,
            parent=tree.district,
            acting_user=personas.district_admin,
        )
    assert not Unit.objects.filter(code="110101000099").exists()


def test_it_refuses_a_malformed_code(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="12位数字"):
        services.unit_create(
            code="1101010010",
            name="新社区",
            kind=UnitKind.COMMUNITY,
            parent=tree.street_a,
            acting_user=personas.district_admin,
        )


def test_moving_a_street_moves_its_communities_paths(tree: Tree, personas: Personas) -> None:
    other = services.unit_create(
        code="110102000000",
        name="另一区",
        kind=UnitKind.DISTRICT,
        parent=tree.city,
        acting_user=_superuser(),
    )
    services.unit_update(unit=tree.street_a, name="街道甲", parent=other, acting_user=_superuser())
    a1 = Unit.objects.get(code=tree.community_a1.code)
    assert a1.path == "110100000000/110102000000/110101001000/110101001001/"


def test_it_refuses_a_cycle_in_the_tree(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError):
        services.unit_update(
            unit=tree.district, name="测试区", parent=tree.street_a, acting_user=_superuser()
        )


def test_funding_is_kept_as_decimal(tree: Tree, personas: Personas) -> None:
    funding = services.community_funding_set(
        unit=tree.community_a1,
        year=2026,
        source="fiscal",
        amount=decimal.Decimal("300000.10"),
        acting_user=personas.street_a_manager,
    )
    funding.refresh_from_db()
    assert funding.amount == decimal.Decimal("300000.10")


def _superuser():
    from shegong.core.models import User

    return User.objects.filter(username="root").first() or User.objects.create_superuser(
        username="root", password="x-Long-Pass-1"
    )


def test_moving_a_street_carries_its_workers_into_the_new_scope(
    tree: Tree, personas: Personas
) -> None:
    from shegong.core.access import forget_scope, path_q
    from shegong.people.models import Worker
    from shegong.people.tests.factories import register

    worker = register(tree.community_a1, personas.street_a_manager, name="随迁者")
    other = services.unit_create(
        code="110102000000",
        name="另一区",
        kind=UnitKind.DISTRICT,
        parent=tree.city,
        acting_user=_superuser(),
    )
    services.unit_update(unit=tree.street_a, name="街道甲", parent=other, acting_user=_superuser())
    worker.refresh_from_db()
    assert worker.unit_path == "110100000000/110102000000/110101001000/110101001001/"

    # The street's own manager moves along with it; the old district no longer sees the worker.
    def sees(user) -> bool:
        forget_scope(user)  # a new request reads the memberships afresh
        return Worker.objects.filter(path_q(user, "unit_path"), pk=worker.pk).exists()

    assert sees(personas.street_a_manager)
    assert not sees(personas.district_admin)
