"""Codes go only to households on the community's record, the record is bounded by the
households the community registered, and codes after opening or again need a second person."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from shegong.appraisal import services
from shegong.appraisal.models import CodeRequest, Household, HouseholdCode
from shegong.appraisal.tests.factories import cast, recorded, street_a_cycle
from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.orgs.models import CommunityProfile


def test_a_street_manager_cannot_issue_codes_for_invented_households(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas, open_survey=False)
    with pytest.raises(ServiceError, match="以下住户不在甲一社区的住户名册上:9栋901"):
        services.codes_issue(
            survey=setup.survey, households=["9栋901"], acting_user=personas.street_a_manager
        )
    assert HouseholdCode.objects.count() == 6


def test_the_record_holds_no_more_households_than_the_community_registered(
    tree: Tree, personas: Personas
) -> None:
    CommunityProfile.objects.filter(unit=tree.community_a2).update(households=3)
    rows = [(f"2栋{i}", "resident") for i in range(201, 205)]
    with pytest.raises(ServiceError, match="甲二社区登记户数为3户,住户名册已有0户,不能再增加4户"):
        services.households_import(
            community=tree.community_a2, rows=rows, acting_user=personas.street_a_manager
        )
    assert not Household.objects.exists()  # nothing half-written
    added = services.households_import(
        community=tree.community_a2, rows=rows[:3], acting_user=personas.street_a_manager
    )
    assert added == 3
    # The same households again add nothing; one more is refused.
    assert (
        services.households_import(
            community=tree.community_a2, rows=rows[:3], acting_user=personas.street_a_manager
        )
        == 0
    )
    with pytest.raises(ServiceError, match="登记户数为3户"):
        services.household_add(
            community=tree.community_a2, label="2栋205", acting_user=personas.street_a_manager
        )
    entry = AuditEntry.objects.filter(action="appraisal.households_recorded").order_by("id").first()
    assert entry is not None and entry.after == {"households_added": 3, "households_on_record": 3}


def test_another_streets_manager_cannot_add_households(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="您没有权限登记甲一社区的住户"):
        services.household_add(
            community=tree.community_a1, label="1栋101", acting_user=personas.street_b_manager
        )


def test_a_household_holds_at_most_one_live_code_per_survey(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas, open_survey=False)
    with pytest.raises(ServiceError, match="以下住户已有评议码,重新发放须提交申请"):
        services.codes_issue(survey=setup.survey, households=["1栋101"], acting_user=setup.clerk)
    with pytest.raises(ServiceError, match="住户名册上没有尚未领码的住户"):
        services.codes_issue(survey=setup.survey, acting_user=setup.clerk)
    household = Household.objects.get(label="1栋101")
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdCode.objects.create(
            survey=setup.survey, code_hash="x" * 64, household_record=household, household="1栋101"
        )


def test_codes_after_the_survey_opens_need_a_second_persons_approval(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas, households=6)
    services.household_add(community=tree.community_a1, label="1栋201", acting_user=setup.clerk)
    with pytest.raises(ServiceError, match="评议已开启,补发评议码须提交申请"):
        services.codes_issue(survey=setup.survey, households=["1栋201"], acting_user=setup.clerk)
    request = services.code_request_create(
        survey=setup.survey, households=["1栋201"], acting_user=setup.clerk
    )
    assert HouseholdCode.objects.count() == 6  # nothing issued yet
    with pytest.raises(ServiceError, match="申请人不能审批自己的申请"):
        services.code_request_approve(code_request=request, acting_user=setup.clerk)
    with pytest.raises(ServiceError, match="您没有权限审批甲一社区的评议码申请"):
        services.code_request_approve(code_request=request, acting_user=personas.street_b_manager)
    approval = services.code_request_approve(code_request=request, acting_user=setup.manager)
    assert [i.household for i in approval.issued] == ["1栋201"]
    assert approval.voided == 0
    cast(setup, approval.issued[0].code)
    assert recorded() == 1
    with pytest.raises(ServiceError, match="该申请已审批"):
        services.code_request_approve(code_request=request, acting_user=setup.manager)
    entry = AuditEntry.objects.get(action="appraisal.code_request_approved")
    assert entry.actor == setup.manager
    assert entry.after is not None
    assert (entry.after["codes_issued"], entry.after["codes_voided"]) == (1, 0)
    assert entry.after["requested_by"] == setup.clerk.pk


def test_the_database_refuses_an_approval_by_the_requester(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    request = services.code_request_create(
        survey=setup.survey, households=["1栋101"], acting_user=setup.clerk
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CodeRequest.objects.filter(pk=request.pk).update(status="approved", approved_by=setup.clerk)


def test_reissuing_voids_only_the_named_households_and_says_how_many(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    cast(setup, setup.codes[2])  # 1栋103 has voted
    with pytest.raises(ServiceError, match="以下住户已投票,不能补发:1栋103"):
        services.code_request_create(
            survey=setup.survey, households=["1栋101", "1栋103"], acting_user=setup.clerk
        )
    request = services.code_request_create(
        survey=setup.survey, households=["1栋101", "1栋102"], acting_user=setup.manager
    )
    approval = services.code_request_approve(code_request=request, acting_user=setup.clerk)
    assert approval.voided == 2
    assert sorted(i.household for i in approval.issued) == ["1栋101", "1栋102"]
    for old in setup.codes[:2]:
        with pytest.raises(services.VoteRefused, match="评议码无效"):
            cast(setup, old)
    for untouched in setup.codes[3:]:  # the other residents' codes still vote
        cast(setup, untouched)
    assert HouseholdCode.objects.filter(voided=False).count() == 6


def test_a_bad_household_line_is_refused_in_chinese_and_nothing_is_written(
    tree: Tree, personas: Personas
) -> None:
    for rows, message in (
        ([("1栋101", "resident"), ("1栋" + "9" * 120, "resident")], "住户名称过长"),
        ([("1栋101", "landlord")], "评议人类别应为普通居民、居民代表或驻区单位"),
        ([("  ", "resident")], "请填写住户名单,每行一户"),
    ):
        with pytest.raises(ServiceError, match=message):
            services.households_import(
                community=tree.community_a1, rows=rows, acting_user=personas.community_a1_clerk
            )
    assert not Household.objects.exists()
