"""以奖代补: the street's ratings, the district's scheme, the proposal counted from the records,
adjustments with a reason, four-eyes approval, and the funding recorded once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shegong.conftest import Personas, Tree, _person
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry, Role, User
from shegong.orgs.models import CommunityFunding, FundingSource
from shegong.resources import award_selectors, services
from shegong.resources.models import AwardScheme, IncentiveAward, ResourceEvent, SchemeStatus
from shegong.resources.tests.factories import (
    AWARD_YEAR,
    active_team,
    make_activity,
    make_scheme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(tree: Tree) -> User:
    return _person("district_manager", tree.district, Role.MANAGER)


def _proposed(tree: Tree, personas: Personas, **overrides: Any) -> AwardScheme:
    active_team(tree.community_a1, personas.street_a_manager)
    scheme = make_scheme(tree.district, personas.district_admin, **overrides)
    return services.awards_propose(scheme=scheme, acting_user=personas.district_admin)


def _award_funding(tree: Tree) -> Decimal | None:
    row = CommunityFunding.objects.filter(
        unit=tree.community_a1, year=AWARD_YEAR, source=FundingSource.AWARD
    ).first()
    return row.amount if row else None


def test_the_street_rates_a_held_activity_and_the_community_may_not(
    tree: Tree, personas: Personas
) -> None:
    activity = make_activity(tree.community_a1, personas.street_a_manager)
    with pytest.raises(ServiceError, match="举办后"):
        services.activity_rate(activity=activity, score=4, acting_user=personas.street_a_manager)
    services.activity_mark_held(activity=activity, acting_user=personas.street_a_manager)
    with pytest.raises(ServiceError, match="只有街道"):
        services.activity_rate(activity=activity, score=5, acting_user=personas.community_a1_clerk)
    with pytest.raises(ServiceError, match="1至5"):
        services.activity_rate(activity=activity, score=6, acting_user=personas.street_a_manager)
    services.activity_rate(activity=activity, score=3, acting_user=personas.street_a_manager)
    rating = services.activity_rate(
        activity=activity, score=5, note="群众满意", acting_user=personas.street_a_manager
    )
    assert activity.ratings.count() == 1  # rating again replaces the rater's score
    assert (rating.score, rating.note, rating.rated_by) == (
        5,
        "群众满意",
        personas.street_a_manager,
    )
    assert AuditEntry.objects.filter(action=ResourceEvent.ACTIVITY_RATED).count() == 2


def test_only_the_district_sets_a_scheme(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="区县"):
        make_scheme(tree.street_a, personas.street_a_manager)
    with pytest.raises(ServiceError, match="权限"):
        make_scheme(tree.district, personas.street_a_manager)
    scheme = make_scheme(tree.district, personas.district_admin)
    assert (scheme.version, scheme.status) == (1, SchemeStatus.DRAFT)
    assert AuditEntry.objects.filter(target_id=str(scheme.pk), action="create").exists()


def test_it_refuses_a_tier_scheme_without_tiers_and_a_bad_tier_line(
    tree: Tree, personas: Personas
) -> None:
    with pytest.raises(ServiceError, match="档次"):
        make_scheme(tree.district, personas.district_admin, pay_mode="tiers")
    with pytest.raises(ServiceError, match="分数=金额"):
        make_scheme(tree.district, personas.district_admin, pay_mode="tiers", tiers="八十分")


def test_the_proposal_counts_every_input_from_the_records_and_shows_the_formula(
    tree: Tree, personas: Personas
) -> None:
    scheme = _proposed(tree, personas)
    award = scheme.awards.get()
    # 4 members; 1 held activity + 1 performance; 2 attended + 50 at the performance;
    # rated 4 by the street; 1 award won.
    assert (award.members, award.activities, award.participants) == (4, 2, 52)
    assert (award.ratings, award.quality, award.awards_won) == (1, Decimal("4.00"), 1)
    # 4×1 + 2×5 + 52×0.5 (=26, under the cap of 30) + 4×4 + 1×10 = 66 points, 100 yuan each.
    assert award.points == Decimal("66.00") and award.eligible
    assert award.proposed_amount == award.amount == Decimal("6600.00")
    (row,) = award_selectors.award_rows(viewer=personas.district_admin, scheme=scheme)
    assert row.formula == (
        "成员 4×1.00=4.00 + 活动 2×5.00=10.00 + 参与人次 52×0.50=26.00"
        " + 质量评分 4×4.00=16.00 + 获奖 1×10.00=10.00"
    )
    assert scheme.status == SchemeStatus.PROPOSED and scheme.proposed_by == personas.district_admin


def test_a_team_below_a_threshold_is_proposed_nothing_with_the_reason(
    tree: Tree, personas: Personas
) -> None:
    scheme = _proposed(tree, personas, min_members=5, min_quality="4.5")
    award = scheme.awards.get()
    assert not award.eligible and award.amount == 0
    assert "成员4人,少于5人" in award.shortfall and "平均评分4.00,低于4.5" in award.shortfall


def test_a_cap_limits_a_factor_and_the_budget_cuts_every_amount_alike(
    tree: Tree, personas: Personas
) -> None:
    active_team(tree.community_a2, personas.street_a_manager, members=8, name="甲二合唱团")
    scheme = _proposed(tree, personas, members_cap="5", budget="10000")
    amounts = dict(scheme.awards.values_list("team__name", "amount"))
    points = dict(scheme.awards.values_list("team__name", "points"))
    # 甲二: 8 members but at most 5 points, + 10 + 52×0.5 + 16 + 10 = 67; 甲一 66: 13,300 yuan
    # asked of a budget of 10,000, so each amount is cut by 10,000 / 13,300 (down to the fen).
    assert points == {"甲一腰鼓队": Decimal("66.00"), "甲二合唱团": Decimal("67.00")}
    assert amounts == {"甲一腰鼓队": Decimal("4962.40"), "甲二合唱团": Decimal("5037.59")}
    assert sum(amounts.values()) <= Decimal("10000")


def test_a_proposed_scheme_is_frozen_and_a_change_is_a_new_version(
    tree: Tree, personas: Personas
) -> None:
    scheme = _proposed(tree, personas)
    with pytest.raises(ServiceError, match="新版本"):
        services.scheme_update(
            scheme=scheme, values={"budget": "1"}, acting_user=personas.district_admin
        )
    second = services.scheme_new_version(scheme=scheme, acting_user=personas.district_admin)
    scheme.refresh_from_db()
    assert (second.version, second.status, scheme.status) == (2, "draft", "superseded")
    assert second.members_weight == scheme.members_weight


def test_a_manager_adjusts_an_amount_with_a_reason_within_the_budget(
    tree: Tree, personas: Personas, approver: User
) -> None:
    award = _proposed(tree, personas, budget="8000").awards.get()
    with pytest.raises(ServiceError, match="调整理由"):
        services.award_adjust(award=award, amount="5000", reason="", acting_user=approver)
    with pytest.raises(ServiceError, match="预算"):
        services.award_adjust(award=award, amount="9000", reason="演出多", acting_user=approver)
    with pytest.raises(ServiceError, match="权限"):
        services.award_adjust(
            award=award, amount="5000", reason="核减", acting_user=personas.community_a1_clerk
        )
    services.award_adjust(award=award, amount="5000", reason="有一场未报备", acting_user=approver)
    award.refresh_from_db()
    assert (award.amount, award.proposed_amount) == (Decimal("5000.00"), Decimal("6600.00"))
    entry = AuditEntry.objects.get(action=ResourceEvent.AWARD_ADJUSTED)
    assert entry.before is not None and entry.after is not None
    assert entry.before["amount"] == "6600.00" and entry.after["adjust_reason"] == "有一场未报备"


def test_whoever_proposed_may_not_approve(tree: Tree, personas: Personas) -> None:
    scheme = _proposed(tree, personas)
    with pytest.raises(ServiceError, match="另一人"):
        services.awards_approve(scheme=scheme, acting_user=personas.district_admin)
    assert _award_funding(tree) is None


def test_one_person_may_do_both_when_the_setting_says_so(
    tree: Tree, personas: Personas, settings: object
) -> None:
    settings.SHEGONG_AWARDS_ONE_PERSON = True  # type: ignore[attr-defined]
    scheme = _proposed(tree, personas)
    services.awards_approve(scheme=scheme, acting_user=personas.district_admin)
    assert _award_funding(tree) == Decimal("6600.00")


def test_approval_records_the_awards_as_community_funding_once(
    tree: Tree, personas: Personas, approver: User
) -> None:
    CommunityFunding.objects.create(
        unit=tree.community_a1, year=AWARD_YEAR, source=FundingSource.AWARD, amount=1000
    )
    scheme = _proposed(tree, personas)
    services.awards_approve(scheme=scheme, acting_user=approver)
    assert _award_funding(tree) == Decimal("7600.00")  # added to what was recorded
    with pytest.raises(ServiceError, match="已审批"):
        services.awards_approve(scheme=scheme, acting_user=approver)
    with pytest.raises(ServiceError, match="已审批"):
        services.awards_propose(scheme=scheme, acting_user=personas.district_admin)
    award = IncentiveAward.objects.get()
    with pytest.raises(ServiceError, match="未审批"):
        services.award_adjust(award=award, amount="1", reason="晚了", acting_user=approver)
    with pytest.raises(ServiceError, match="已审批"):
        make_scheme(tree.district, personas.district_admin)
    assert _award_funding(tree) == Decimal("7600.00")
    scheme.refresh_from_db()
    assert scheme.approved_by == approver and scheme.status == SchemeStatus.APPROVED
    assert AuditEntry.objects.filter(action=ResourceEvent.AWARDS_APPROVED).count() == 1
    assert AuditEntry.objects.filter(target_type="orgs.CommunityFunding").count() == 1


def test_the_summary_counts_the_approved_awards_in_the_viewers_scope(
    tree: Tree, personas: Personas, approver: User
) -> None:
    scheme = _proposed(tree, personas)
    proposed = award_selectors.awards_summary(
        viewer=personas.street_a_manager, unit=tree.street_a, year=AWARD_YEAR
    )
    assert proposed is not None
    assert (proposed["awarded"], proposed["approved"]) == (1, 0)
    services.awards_approve(scheme=scheme, acting_user=approver)
    s = award_selectors.awards_summary(
        viewer=personas.street_a_manager, unit=tree.street_a, year=AWARD_YEAR
    )
    assert s is not None and s["approved_amount"] == "6600.00"
    assert s["schemes"][0]["top"][0]["name"] == "甲一腰鼓队"
    other = award_selectors.awards_summary(
        viewer=personas.street_b_manager, unit=tree.street_b, year=AWARD_YEAR
    )
    assert other is not None and other["approved"] == 0
    assert (
        award_selectors.awards_summary(
            viewer=personas.district_admin, unit=tree.district, year=AWARD_YEAR - 1
        )
        is None
    )


def test_the_database_refuses_a_second_approved_version_of_a_year(
    tree: Tree, personas: Personas, approver: User
) -> None:
    from django.db import IntegrityError, transaction

    first = _proposed(tree, personas)
    second = services.scheme_new_version(scheme=first, acting_user=personas.district_admin)
    services.awards_propose(scheme=second, acting_user=personas.district_admin)
    services.awards_approve(scheme=second, acting_user=approver)
    with pytest.raises(IntegrityError), transaction.atomic():
        AwardScheme.objects.filter(pk=first.pk).update(
            status=SchemeStatus.APPROVED, approved_by=approver, approved_at=second.approved_at
        )
    with pytest.raises(ServiceError, match="替代"):
        services.awards_propose(scheme=first, acting_user=personas.district_admin)


def test_the_inputs_are_counted_by_the_database_in_one_query_for_any_number_of_teams(
    tree: Tree, personas: Personas, django_assert_num_queries: Any
) -> None:
    active_team(tree.community_a1, personas.street_a_manager)
    active_team(tree.community_a2, personas.street_a_manager, members=6, name="甲二合唱团")
    scheme = AwardScheme.objects.select_related("district").get(
        pk=make_scheme(tree.district, personas.district_admin).pk
    )
    with django_assert_num_queries(1):
        counted = award_selectors.award_inputs(scheme)
    assert [(c.team.name if c.team else "", c.inputs.members) for c in counted] == [
        ("甲一腰鼓队", 4),
        ("甲二合唱团", 6),
    ]
    scheme.subject = "community"
    with django_assert_num_queries(1):
        communities = award_selectors.award_inputs(scheme)
    assert [(c.community.name, c.inputs.activities, c.awards_won) for c in communities] == [
        ("甲一社区", 1, 1),
        ("甲二社区", 1, 1),
        ("乙一社区", 0, 0),
    ]


def test_it_refuses_a_control_character_in_an_adjustment_reason(
    tree: Tree, personas: Personas, approver: User
) -> None:
    award = _proposed(tree, personas).awards.get()
    with pytest.raises(ServiceError, match="调整理由"):
        services.award_adjust(award=award, amount="1", reason="核减\x07", acting_user=approver)
    award.refresh_from_db()
    assert award.amount == Decimal("6600.00")
