from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import AuditEntry
from shegong.orgs import services


def _edit(tree: Tree, personas: Personas, households: int) -> None:
    services.community_profile_update(
        unit=tree.community_a1,
        values={
            "households": households,
            "residents": 5000,
            "area_type": "urban",
            "office_area": "120.5",
            "activity_area": "300",
            "premises": "rented",
        },
        acting_user=personas.community_a1_clerk,
    )


def test_a_write_records_who_what_and_the_values_before_and_after(
    tree: Tree, personas: Personas
) -> None:
    _edit(tree, personas, 1400)
    entry = AuditEntry.objects.get(target_type="orgs.CommunityProfile")
    assert entry.actor == personas.community_a1_clerk
    assert entry.before == {
        "households": 1200,
        "office_area": "0.00",
        "activity_area": "0.00",
        "residents": 3100,
        "premises": "owned",
    }
    assert entry.after == {
        "households": 1400,
        "office_area": "120.50",
        "activity_area": "300.00",
        "residents": 5000,
        "premises": "rented",
    }
    assert entry.unit_path == tree.community_a1.path


def test_an_admin_browses_the_trail_of_their_scope(tree: Tree, personas: Personas) -> None:
    _edit(tree, personas, 1400)
    page = client_for(personas.district_admin).get(reverse("audit")).content.decode()
    assert "甲一社区概况" in page


def test_a_manager_without_the_audit_right_gets_404(tree: Tree, personas: Personas) -> None:
    assert client_for(personas.street_a_manager).get(reverse("audit")).status_code == 404


def test_the_trail_of_another_street_is_not_shown(tree: Tree, personas: Personas) -> None:
    from shegong.core.models import Membership, Role

    Membership.objects.filter(user=personas.street_b_manager).update(role=Role.ADMIN)
    _edit(tree, personas, 1400)
    page = client_for(personas.street_b_manager).get(reverse("audit")).content.decode()
    assert "甲一社区概况" not in page
