"""Communities against configured standards: 五有 (seeded) from profile, roster, funding and
venue data; a demonstration standard with measured items and an inspector's checks."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.orgs.models import CommunityFunding, CommunityProfile
from shegong.people.tests.factories import register
from shegong.resources import selectors, services
from shegong.resources.models import Standard, StandardCheck
from shegong.resources.tests.factories import make_standard, make_team, make_venue

AS_OF = datetime.date(2026, 6, 30)


def _five_haves() -> Standard:
    return Standard.objects.get(key="five-haves")


def test_who_falls_short_of_the_five_haves_and_by_how_much(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    CommunityProfile.objects.filter(unit=tree.community_a1).update(
        office_area=Decimal(120), activity_area=Decimal(200), premises="owned"
    )
    CommunityProfile.objects.filter(unit=tree.community_a2).update(
        office_area=Decimal(80), activity_area=Decimal(100), premises="rented"
    )
    register(tree.community_a1, manager, name="甲一工作者")
    CommunityFunding.objects.create(
        unit=tree.community_a1, year=2026, source="fiscal", amount=50000
    )
    make_venue(tree.community_a1, manager)
    rows = selectors.standard_score(
        viewer=manager, unit=tree.street_a, standard=_five_haves(), as_of=AS_OF
    )
    by_name = {r.community.name: r for r in rows}
    assert by_name["甲一社区"].met
    short = {i.key: i.shortfall for i in by_name["甲二社区"].items if not i.met}
    assert short == {
        "office": "租用或无",
        "space": "差120.0平方米",
        "staff": "无在岗人员",
        "funding": "本年度无经费记录",
        "station": "未登记自有场地",
    }
    assert rows[0].community.name == "甲二社区"  # who falls short first
    summary = selectors.resources_summary(viewer=manager, unit=tree.street_a, year=2026)
    [five] = summary["standards"]
    assert (five["key"], five["communities"], five["meeting_all"]) == ("five-haves", 2, 1)
    assert five["by_item"]["space"] == 1
    page = (
        client_for(manager)
        .get(reverse("resources:standards"), {"unit": tree.street_a.code, "date": "2026-06-30"})
        .content.decode()
    )
    assert "差120.0平方米" in page and "五有" in page
    other = selectors.standard_score(
        viewer=personas.street_b_manager,
        unit=tree.street_a,
        standard=_five_haves(),
        as_of=AS_OF,
    )
    assert other == []


def test_a_demonstration_standard_scores_data_and_the_inspectors_checks(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    standard = make_standard(tree.street_a, manager)
    make_team(tree.community_a1, manager, name="甲一腰鼓队")
    rules_item = standard.items.get(key="rules")
    services.standard_check_record(
        item=rules_item,
        community=tree.community_a1,
        values={"checked_on": datetime.date(2026, 5, 10), "met": True, "note": ""},
        acting_user=manager,
    )
    services.standard_check_record(
        item=rules_item,
        community=tree.community_a2,
        values={"checked_on": datetime.date(2026, 5, 11), "met": False, "note": "制度未上墙"},
        acting_user=manager,
    )

    def shortfalls(as_of: datetime.date) -> dict[str, dict[str, str]]:
        rows = selectors.standard_score(
            viewer=manager, unit=tree.street_a, standard=standard, as_of=as_of
        )
        return {r.community.name: {i.key: i.shortfall for i in r.items} for r in rows}

    assert shortfalls(AS_OF) == {
        "甲一社区": {"teams": "差1支", "rules": ""},
        "甲二社区": {"teams": "差2支", "rules": "检查未通过:制度未上墙"},
    }
    # Before the checks were made, or in another year, the checks are missing.
    assert shortfalls(datetime.date(2026, 5, 1))["甲一社区"]["rules"] == "未检查"
    assert shortfalls(datetime.date(2027, 3, 1))["甲二社区"]["rules"] == "未检查"
    # A later check supersedes the failed one.
    services.standard_check_record(
        item=rules_item,
        community=tree.community_a2,
        values={"checked_on": datetime.date(2026, 6, 1), "met": True, "note": "已整改"},
        acting_user=manager,
    )
    assert shortfalls(AS_OF)["甲二社区"]["rules"] == ""
    assert StandardCheck.objects.count() == 3  # nothing overwritten
    audited = AuditEntry.objects.filter(action="resources.standard_checked")
    assert audited.count() == 3 and {e.actor_id for e in audited} == {manager.pk}


def test_it_refuses_a_check_it_cannot_stand_behind(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    standard = make_standard(tree.street_a, manager)
    measured, checked = standard.items.get(key="teams"), standard.items.get(key="rules")
    today = datetime.date.today()
    cases = [
        (measured, tree.community_a1, {"checked_on": today, "met": True}, manager, "按数据核对"),
        (checked, tree.community_a1, {"checked_on": today, "met": False}, manager, "检查意见"),
        (
            checked,
            tree.community_a1,
            {"checked_on": today + datetime.timedelta(days=2), "met": True},
            manager,
            "晚于今天",
        ),
        (checked, tree.community_b1, {"checked_on": today, "met": True}, manager, "权限"),
        (
            checked,
            tree.community_a1,
            {"checked_on": today, "met": False, "note": "差\x07"},
            manager,
            "",
        ),
    ]
    for item, community, values, user, message in cases:
        with pytest.raises(ServiceError) as refused:
            services.standard_check_record(
                item=item, community=community, values=values, acting_user=user
            )
        assert message in refused.value.message
    assert StandardCheck.objects.count() == 0


def test_it_refuses_an_item_the_code_cannot_measure(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    standard = make_standard(tree.street_a, manager, checked=False)
    refused_items: list[tuple[dict[str, Any], str]] = [
        ({"key": "x", "label": "X", "kind": "measured", "measure": "happiness", "threshold": 1},
         "请从列表中选择指标"),
        ({"key": "y", "label": "Y", "kind": "measured", "measure": "teams"}, "请填写达标值"),
        ({"key": "teams", "label": "重复", "kind": "checked"}, "代码相同"),
        ({"key": "Bad Key", "label": "Z", "kind": "checked"}, "代码只能"),
    ]  # fmt: skip
    for values, message in refused_items:
        with pytest.raises(ServiceError) as refused:
            services.standard_item_add(standard=standard, values=values, acting_user=manager)
        assert message in refused.value.message
    with pytest.raises(ServiceError, match="系统管理员"):
        services.standard_item_add(
            standard=_five_haves(),
            values={"key": "equipment", "label": "设备齐全", "kind": "checked"},
            acting_user=personas.district_admin,
        )


def test_a_street_standard_applies_to_its_communities_only(tree: Tree, personas: Personas) -> None:
    make_standard(tree.street_a, personas.street_a_manager)
    keys_a = [
        s.key
        for s in selectors.standards_for(viewer=personas.street_a_manager, unit=tree.community_a1)
    ]
    keys_b = [
        s.key for s in selectors.standards_for(viewer=personas.street_b_manager, unit=tree.street_b)
    ]
    keys_district = [
        s.key for s in selectors.standards_for(viewer=personas.district_admin, unit=tree.district)
    ]
    assert keys_a == ["five-haves", "demo-a"] and keys_b == ["five-haves"]
    assert keys_district == ["five-haves", "demo-a"]
    url = reverse("resources:standards")
    page = client_for(personas.street_b_manager).get(url, {"standard": "demo-a"})
    assert page.status_code == 404


def test_an_inspector_records_a_check_on_the_page(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    standard = make_standard(tree.street_a, manager)
    item = standard.items.get(key="rules")
    client = client_for(manager)
    query = {"unit": tree.street_a.code, "standard": standard.key}
    page = client.get(reverse("resources:standards"), query).content.decode()
    assert "未检查" in page and 'id="check-form"' in page
    posted = client.post(
        reverse("resources:standard-check", kwargs={"key": standard.key})
        + f"?unit={tree.street_a.code}",
        {
            "community": tree.community_a1.pk,
            "item": item.pk,
            "checked_on": datetime.date.today().isoformat(),
            "met": "0",
            "note": "设备缺少音响",
        },
    )
    assert posted.status_code == 302
    page = client.get(reverse("resources:standards"), query).content.decode()
    assert "检查未通过:设备缺少音响" in page
    check = StandardCheck.objects.get()
    assert check.inspector == manager and not check.met


def test_a_manager_sets_a_standard_and_its_items_on_the_page(
    tree: Tree, personas: Personas
) -> None:
    client = client_for(personas.street_a_manager)
    created = client.post(
        reverse("resources:standard-create"),
        {"unit": tree.street_a.pk, "name": "示范社区", "key": "model", "note": ""},
    )
    assert created.status_code == 302
    added = client.post(
        reverse("resources:standard-item-add", kwargs={"key": "model"})
        + f"?unit={tree.street_a.code}",
        {"key": "space", "label": "用房不少于500平方米", "kind": "measured",
         "measure": "space_area", "threshold": "500"},
    )  # fmt: skip
    assert added.status_code == 302
    page = client.get(created["Location"]).content.decode()
    assert "用房不少于500平方米" in page and "差500.0平方米" in page
    # Street B's manager may not add items to street A's standard.
    outsider = client_for(personas.street_b_manager).post(
        reverse("resources:standard-item-add", kwargs={"key": "model"}),
        {"key": "x", "label": "X", "kind": "checked"},
    )
    assert outsider.status_code == 404


def test_a_funding_threshold_counts_each_grant_once_however_many_workers(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    standard = make_standard(tree.street_a, manager, key="funded", checked=False)
    services.standard_item_add(
        standard=standard,
        values={"key": "money", "label": "经费不少于10万元", "kind": "measured",
                "measure": "year_funding", "threshold": "100000"},
        acting_user=manager,
    )  # fmt: skip
    for name in ("甲一工作者", "甲一副主任", "甲一专干"):
        register(tree.community_a1, manager, name=name)
    CommunityFunding.objects.create(
        unit=tree.community_a1, year=2026, source="fiscal", amount=60000
    )
    rows = selectors.standard_score(
        viewer=manager, unit=tree.community_a1, standard=standard, as_of=AS_OF
    )
    money = next(i for i in rows[0].items if i.key == "money")
    assert not money.met and money.shortfall == "差40000.00元"
