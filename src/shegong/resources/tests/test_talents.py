"""The talent bank: searchable by skill across the scope, consent to be contacted respected,
phones masked, a talent named an activity's advisor."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.resources import selectors, services
from shegong.resources.models import Talent
from shegong.resources.tests.factories import make_activity, make_resident


def _talent(tree: Tree, personas: Personas, **values: object) -> Talent:
    manager = personas.street_a_manager
    resident = make_resident(tree.community_a2, manager, name="李建国")
    return services.talent_register(
        resident=resident,
        values={"category": "art", "skill": "二胡", "level": "expert", **values},
        acting_user=manager,
    )


def test_a_talent_is_found_by_skill_across_the_street_and_not_by_another(
    tree: Tree, personas: Personas
) -> None:
    _talent(tree, personas)
    manager = personas.street_a_manager
    assert [t.skill for t in selectors.talent_list(viewer=manager, q="二胡")] == ["二胡"]
    assert not selectors.talent_list(viewer=manager, q="书法").exists()
    assert not selectors.talent_list(viewer=personas.street_b_manager, q="二胡").exists()
    summary = selectors.resources_summary(viewer=manager, unit=tree.street_a, year=2026)
    assert summary["talents"] == 1


def test_a_talent_whose_consent_to_be_contacted_lapsed_is_not_listed(
    tree: Tree, personas: Personas
) -> None:
    talent = _talent(tree, personas)
    Talent.objects.filter(pk=talent.pk).update(
        contact_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    manager = personas.street_a_manager
    assert not selectors.talent_list(viewer=manager).exists()
    page = client_for(manager).get(reverse("resources:talents")).content.decode()
    assert "李建国" not in page
    with pytest.raises(ServiceError, match="期限已过"):
        _talent(tree, personas, skill="唢呐", contact_until=datetime.date(2020, 1, 1))


def test_the_bank_page_masks_phones_for_a_clerk(tree: Tree, personas: Personas) -> None:
    _talent(tree, personas)
    clerk = personas.community_a1_clerk
    # A clerk of 甲一 does not reach a talent of 甲二; a street manager does, in full.
    assert "李建国" not in client_for(clerk).get(reverse("resources:talents")).content.decode()
    full = client_for(personas.street_a_manager).get(reverse("resources:talents"), {"q": "二胡"})
    assert "13812345678" in full.content.decode()
    own = make_resident(tree.community_a1, clerk, name="赵秀英", phone="13900001111")
    services.talent_register(
        resident=own,
        values={"category": "craft", "skill": "剪纸", "level": "skilled"},
        acting_user=clerk,
    )
    masked = client_for(clerk).get(reverse("resources:talents")).content.decode()
    assert "赵秀英" in masked and "139****1111" in masked and "13900001111" not in masked


def test_a_talent_is_named_an_activitys_advisor(tree: Tree, personas: Personas) -> None:
    talent = _talent(tree, personas)
    manager = personas.street_a_manager
    activity = make_activity(tree.street_a, manager, kind="culture", title="民乐培训")
    client_for(manager).post(
        reverse("resources:activity-advisor", kwargs={"pk": activity.pk}), {"talent": talent.pk}
    )
    activity.refresh_from_db()
    assert activity.advisor == talent
    page = client_for(manager).get(reverse("resources:activity", kwargs={"pk": activity.pk}))
    assert "李建国" in page.content.decode()
