"""十佳 on its own cycle (essay 5: elected every two years): an election of a unit over a
period of years, its list drawn from the published results of those years
(rules.ten_best_of_period), and its publication, which owes each one the election's award
through people.AwardDue (paid once by pay's next run)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.appraisal import rules
from shegong.appraisal.models import (
    AppraisalEvent,
    CycleStatus,
    ElectionStatus,
    Result,
    TenBestElection,
    TenBestMember,
)
from shegong.core.access import Permission, require
from shegong.core.audit import audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit, UnitKind
from shegong.people import services as people_services
from shegong.people.models import AwardKind, Worker

if TYPE_CHECKING:
    from shegong.core.models import User

ELECTION_FIELDS = ["name", "first_year", "years", "size", "award", "status"]


def _require(acting_user: User, unit: Unit) -> None:
    require(acting_user, Permission.EDIT, unit, message=_("只有%(unit)s的负责人可以组织十佳评选"))


@transaction.atomic
def ten_best_create(
    *,
    unit: Unit,
    first_year: int,
    years: int = 2,
    size: int = 10,
    award: Decimal = Decimal(0),
    acting_user: User,
) -> TenBestElection:
    """An election of `unit` (a street or district) over `years` years from `first_year`;
    periods of one unit do not overlap."""
    _require(acting_user, unit)
    if unit.kind not in (UnitKind.STREET, UnitKind.DISTRICT):
        raise ServiceError(_("十佳由街道或区组织评选"), field="unit")
    if not 2000 <= first_year <= 2100 or not 1 <= years <= 5:
        raise ServiceError(_("请填写起始年度和周期(1至5年)"), field="first_year")
    if not 1 <= size <= 100 or award < 0:
        raise ServiceError(_("名额应在1至100之间,奖励金额不能为负"), field="size")
    last = first_year + years - 1
    for other in TenBestElection.objects.filter(unit=unit):
        if other.first_year <= last and first_year <= other.last_year:
            raise ServiceError(
                _("与%(name)s(%(a)s—%(b)s年)的周期重叠")
                % {"name": other.name, "a": other.first_year, "b": other.last_year},
                field="first_year",
            )
    name = _("%(unit)s%(a)s—%(b)s年度十佳社区工作者") % {
        "unit": unit.name,
        "a": first_year,
        "b": last,
    }
    try:
        with transaction.atomic():
            election = TenBestElection.objects.create(
                unit=unit,
                unit_path=unit.path,
                name=name,
                first_year=first_year,
                years=years,
                size=size,
                award=award,
            )
    except IntegrityError:
        raise ServiceError(_("该年度已设立十佳评选"), field="first_year") from None
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.TEN_BEST_CREATED,
        target=election,
        after=snapshot(election, ELECTION_FIELDS),
    )
    return election


def _period_results(election: TenBestElection) -> dict[int, dict[int, tuple[Decimal, str]]]:
    """worker → year → (score, grade) from the published cycles of the unit's subtree."""
    rows = Result.objects.filter(
        cycle__status=CycleStatus.PUBLISHED,
        cycle__scheme__year__gte=election.first_year,
        cycle__scheme__year__lte=election.last_year,
        unit_path__startswith=election.unit_path,
    ).values_list("worker_id", "cycle__scheme__year", "score", "grade")
    found: dict[int, dict[int, tuple[Decimal, str]]] = defaultdict(dict)
    for worker_id, year, score, grade in rows:
        found[worker_id][year] = (score, grade)
    return found


@transaction.atomic
def ten_best_draw(*, election: TenBestElection, acting_user: User) -> int:
    """The list from the period's published results (rules.ten_best_of_period); drawn again
    until published. Refused before every year of the period has a published result."""
    election = (
        TenBestElection.objects.select_for_update().select_related("unit").get(pk=election.pk)
    )
    _require(acting_user, election.unit)
    if election.status != ElectionStatus.DRAFT:
        raise ServiceError(_("十佳已公布,不能重新评选"))
    results = _period_results(election)
    years = list(range(election.first_year, election.last_year + 1))
    have = {y for by_year in results.values() for y in by_year}
    if missing := [y for y in years if y not in have]:
        raise ServiceError(
            _("%(years)s年度还没有公示的考核结果") % {"years": "、".join(map(str, missing))}
        )
    chosen = rules.ten_best_of_period(results, years, election.size)
    paths = dict(
        Worker.objects.filter(pk__in=[w for w, _s in chosen]).values_list("pk", "unit_path")
    )
    election.members.all().delete()
    TenBestMember.objects.bulk_create(
        TenBestMember(election=election, worker_id=w, unit_path=paths[w], rank=i, score=score)
        for i, (w, score) in enumerate(chosen, 1)
    )
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.TEN_BEST_DRAWN,
        target=election,
        after={"members": len(chosen), "years": years},
    )
    return len(chosen)


@transaction.atomic
def ten_best_publish(*, election: TenBestElection, acting_user: User) -> TenBestElection:
    """The list made public; each member is owed the election's award (people.AwardDue, with
    this election as its source), paid once by the next run of their unit."""
    election = (
        TenBestElection.objects.select_for_update().select_related("unit").get(pk=election.pk)
    )
    _require(acting_user, election.unit)
    if election.status != ElectionStatus.DRAFT:
        raise ServiceError(_("十佳已公布"))
    members = list(election.members.select_related("worker__community"))
    if not members:
        raise ServiceError(_("请先产生十佳名单"))
    election.status = ElectionStatus.PUBLISHED
    election.published_at = timezone.now()
    election.save(update_fields=["status", "published_at"])
    if election.award > 0:
        for m in members:
            people_services.award_due_record(
                worker=m.worker,
                kind=AwardKind.TEN_BEST,
                title=_("十佳社区工作者奖励"),
                amount=election.award,
                due_on=timezone.localdate(),
                source_key=f"appraisal.ten_best:{election.pk}/worker:{m.worker_id}",
                source_label=election.name,
                acting_user=acting_user,
            )
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.TEN_BEST_PUBLISHED,
        target=election,
        before={"status": ElectionStatus.DRAFT},
        after={"status": election.status, "members": len(members), "award": str(election.award)},
    )
    return election
