"""The one yearly grade record: written by the appraising street with its source, replaced by
a republication, refused to anyone else."""

from __future__ import annotations

import pytest

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.people import services
from shegong.people.models import YearlyGrade
from shegong.people.services import GradeEntry
from shegong.people.tests.factories import register


def _entry(worker_id: int, grade: str, n: int = 1) -> GradeEntry:
    return GradeEntry(
        worker_id=worker_id, year=2025, grade=grade, source_key=f"appraisal.cycle:9/result:{n}"
    )


def test_the_appraising_street_records_grades_with_their_source(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    a, b = register(tree.community_a1, manager), register(tree.community_a2, manager)
    changed = services.yearly_grades_record(
        unit=tree.street_a,
        entries=[_entry(a.pk, "excellent", 1), _entry(b.pk, "fail", 2)],
        source_label="街道甲2025年度社区工作者考核",
        replaces_prefix="appraisal.cycle:9/",
        acting_user=manager,
    )
    assert changed == 2
    row = YearlyGrade.objects.get(worker=b)
    assert (row.get_grade_display(), row.source_label) == ("不合格", "街道甲2025年度社区工作者考核")
    # Republished without b and with a changed: a replaced, b's grade withdrawn, both audited.
    services.yearly_grades_record(
        unit=tree.street_a,
        entries=[_entry(a.pk, "good", 3)],
        source_label="街道甲2025年度社区工作者考核",
        replaces_prefix="appraisal.cycle:9/",
        acting_user=manager,
    )
    assert YearlyGrade.objects.get(worker=a).grade == "good"
    assert not YearlyGrade.objects.filter(worker=b).exists()
    withdrawn = AuditEntry.objects.get(action="people.grade_withdrawn")
    assert withdrawn.target_id == str(b.pk) and withdrawn.before is not None
    assert withdrawn.before["grade"] == "fail"


def test_it_refuses_another_street_and_a_grade_outside_the_vocabulary(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.street_a_manager)
    with pytest.raises(ServiceError, match="没有权限记载"):
        services.yearly_grades_record(
            unit=tree.street_a,
            entries=[_entry(worker.pk, "good")],
            source_label="x",
            acting_user=personas.street_b_manager,
        )
    with pytest.raises(ServiceError, match="不曾在街道乙任职"):
        services.yearly_grades_record(
            unit=tree.street_b,
            entries=[_entry(worker.pk, "good")],
            source_label="x",
            acting_user=personas.street_b_manager,
        )
    with pytest.raises(ServiceError, match="统一的等次"):
        services.yearly_grades_record(
            unit=tree.street_a,
            entries=[_entry(worker.pk, "称职")],
            source_label="x",
            acting_user=personas.street_a_manager,
        )
    assert not YearlyGrade.objects.exists()
