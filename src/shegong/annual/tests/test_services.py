"""The written parts: each save a new version, audited with the text before and after; who may
write where; the document takes the latest version."""

from __future__ import annotations

import pytest

from shegong.annual import selectors, services
from shegong.annual.models import AnnualEvent, WrittenPart
from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry, Membership, Role, User
from shegong.orgs.models import Unit


def _save(unit: Unit, user: User, text: str, key: str = "problems") -> WrittenPart:
    return services.written_part_save(unit=unit, year=2025, key=key, text=text, acting_user=user)


def test_each_save_is_a_new_version_and_the_report_takes_the_latest(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    first = _save(tree.street_a, manager, "一、经费不足")
    second = _save(tree.street_a, manager, "一、经费投入不足")
    assert (first.version, second.version) == (1, 2)
    assert WrittenPart.objects.filter(unit=tree.street_a).count() == 2
    parts = selectors.written_parts(viewer=manager, unit=tree.street_a, year=2025)
    assert parts["problems"].text == "一、经费投入不足"
    versions = selectors.part_versions(viewer=manager, unit=tree.street_a, year=2025)
    assert [p.version for p in versions] == [2, 1]


def test_saving_the_same_text_again_makes_no_version(tree: Tree, personas: Personas) -> None:
    _save(tree.street_a, personas.street_a_manager, "同一段")
    _save(tree.street_a, personas.street_a_manager, "同一段 ")
    assert WrittenPart.objects.count() == 1


def test_every_save_is_audited_with_before_and_after(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    _save(tree.street_a, manager, "旧的")
    _save(tree.street_a, manager, "新的")
    entries = AuditEntry.objects.filter(action=AnnualEvent.PART_SAVED).order_by("pk")
    assert entries.count() == 2
    last = entries.last()
    assert last is not None
    assert last.actor == manager and last.unit_path == tree.street_a.path
    assert last.before == {"text": "旧的", "version": 1}
    assert last.after == {"text": "新的", "version": 2}
    assert last.note == "2025年存在问题"


def test_it_refuses_a_writer_without_the_edit_right_on_the_unit(
    tree: Tree, personas: Personas
) -> None:
    with pytest.raises(ServiceError):
        _save(tree.street_a, personas.street_b_manager, "越权")
    viewer = User.objects.create_user(username="viewer", password="x")
    Membership.objects.create(user=viewer, unit=tree.street_a, role=Role.VIEWER)
    with pytest.raises(ServiceError):
        _save(tree.street_a, viewer, "只读")
    assert not WrittenPart.objects.exists()
    assert not AuditEntry.objects.filter(action=AnnualEvent.PART_SAVED).exists()


def test_it_refuses_control_characters_and_unknown_parts(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError) as refused:
        _save(tree.street_a, personas.street_a_manager, "坏\x07字符")
    assert "内容" in refused.value.message
    with pytest.raises(ServiceError):
        _save(tree.street_a, personas.street_a_manager, "x", key="nonsense")
    # Line breaks are text.
    assert _save(tree.street_a, personas.street_a_manager, "第一段\n第二段").version == 1


def test_another_streets_manager_reads_no_version(tree: Tree, personas: Personas) -> None:
    from django.http import Http404

    _save(tree.street_a, personas.street_a_manager, "甲街道的问题")
    with pytest.raises(Http404):
        selectors.part_versions(viewer=personas.street_b_manager, unit=tree.street_a, year=2025)
