"""Pay run: 100,000 workers paid for a month through `shegong.pay.services.payrun_create`, on
SQLite and on PostgreSQL, beside the time of writing the same 100,000 pay lines with a bare
bulk insert in the same process: the run's own bulk write alone (the ratio is taken against
it), one plain cursor.executemany, and Django's bulk_create.

Set-up (untimed, printed): the demo tree (86 communities), 100,000 workers with placements,
posts (one in ten a secretary or director) and the six insurance enrolments, last year's
appraisal grades, the district's 三岗十八级 scheme, policy, rates and average wage, and 初次定级
of everyone (timed on its own). Then January is run and approved, and February is run: its
cumulative income tax reads January's approved lines (the realistic month).

    make bench          # or: python -m bench pay
    BENCH_WORKERS=20000 python -m bench pay
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import tempfile
import time
from typing import Any

from bench._support import postgres_database, run_leg, setup_django

WORKERS = int(os.environ.get("BENCH_WORKERS", "100000"))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "shegong_bench_pay"
TARGET_SECONDS = 15.0
TARGET_RATIO = 5.0
YEAR = 2025


def _setup_django(database_url: str, data_dir: str) -> None:
    setup_django(database_url, data_dir)


def _roster(count: int) -> None:
    """`count` workers over the demo communities, written in bulk (not timed)."""
    import random
    from decimal import Decimal as D

    from shegong.core.actors import system_actor
    from shegong.orgs import demo
    from shegong.pay import services
    from shegong.pay.models import Grade, PerformanceGrade
    from shegong.pay.tests.factories import ESSAY1_RATES
    from shegong.people import rules
    from shegong.people.models import (
        InsuranceEnrolment,
        InsuranceKind,
        Placement,
        PostHolding,
        PostType,
        Worker,
    )

    tree = demo.build_tree(random.Random(2026))
    communities = tree.communities
    posts = {p.code: p for p in PostType.objects.all()}
    start = datetime.date(1964, 1, 1)
    education = ["bachelor", "college", "bachelor", "postgraduate", "secondary", "high_school"]
    source = ["hired", "hired", "elected", "seconded", "hired", "other"]
    batch = 10000
    for offset in range(0, count, batch):
        workers = []
        for i in range(offset, min(offset + batch, count)):
            birth = start + datetime.timedelta(days=(i * 7) % 13000)
            order = f"{((i // 1857) % 500) * 2 + (1 if i % 2 else 0):03d}"
            first17 = f"430105{birth:%Y%m%d}{order}"
            community = communities[i % len(communities)]
            workers.append(
                Worker(
                    name=f"工作者{i}",
                    name_initials="gzz",
                    id_number=first17 + rules.id_check_digit(first17),
                    gender="male" if i % 2 else "female",
                    birth_date=birth,
                    education=education[i % len(education)],
                    source=source[i % len(source)],
                    work_start_date=datetime.date(2005 + i % 19, 1 + i % 12, 1),
                    community=community,
                    unit_path=community.path,
                )
            )
        Worker.objects.bulk_create(workers)
        Placement.objects.bulk_create(
            Placement(
                worker=w, unit=w.community, unit_path=w.unit_path, start=datetime.date(2020, 1, 1)
            )
            for w in workers
        )
        PostHolding.objects.bulk_create(
            PostHolding(
                worker=w,
                post=posts[("secretary", "director", "staff", "grid", "member")[n % 5]]
                if n % 10 < 1
                else posts["staff" if n % 2 else "grid"],
                start=datetime.date(2020, 1, 1),
            )
            for n, w in enumerate(workers)
        )
        InsuranceEnrolment.objects.bulk_create(
            InsuranceEnrolment(worker=w, kind=kind, start=datetime.date(2020, 1, 1))
            for w in workers
            for kind in InsuranceKind.values
        )
        grades = [Grade.EXCELLENT, Grade.GOOD, Grade.GOOD, Grade.PASS, Grade.PASS, Grade.FAIL]
        PerformanceGrade.objects.bulk_create(
            PerformanceGrade(worker=w, year=YEAR - 1, grade=grades[n % len(grades)])
            for n, w in enumerate(workers)
        )
    district = tree.district
    jan = datetime.date(YEAR, 1, 1)
    actor = system_actor()
    services.scheme_from_preset(preset="3x18", unit=district, effective_from=jan, acting_user=actor)
    services.policy_set(
        unit=district,
        effective_from=jan,
        values={"seniority_per_year": D("30"), "dual_role_allowance": D("500")},
        acting_user=actor,
    )
    services.rates_set(unit=district, year=YEAR, values=ESSAY1_RATES, acting_user=actor)
    services.average_wage_set(
        unit=district, year=YEAR, amount=D("103000"), benchmark_share=D("1"), acting_user=actor
    )


def _bare_writes(lines: list[Any]) -> dict[str, float]:
    """The same rows written without the pay run around them: (1) the service's own bulk
    write (`lines_insert`: COPY on PostgreSQL, executemany on SQLite), (2) one
    plain executemany, (3) Django's bulk_create of PayLine objects built beforehand (untimed).
    Each timed alone in its own transaction, then removed."""
    from django.db import connection, transaction

    from shegong.pay.models import PayLine, PayRun
    from shegong.pay.services import LINE_FIELDS, lines_insert

    base = PayRun.objects.get(period=datetime.date(YEAR, 2, 1))
    holder = PayRun.objects.create(
        unit=base.unit, unit_path=base.unit_path, period=datetime.date(YEAR, 3, 1)
    )
    columns = [
        "run_id",
        *[str(getattr(PayLine._meta.get_field(n), "column", n)) for n in LINE_FIELDS],
    ]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {PayLine._meta.db_table} ({quoted}) VALUES ({marks})"
    times: dict[str, float] = {}

    began = time.perf_counter()
    with transaction.atomic():
        lines_insert(run_id=holder.pk, rows=lines)
    times["bare_service_write"] = time.perf_counter() - began
    PayLine.objects.filter(run=holder).delete()

    rows = [(holder.pk, *line) for line in lines]
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    times["bare_executemany"] = time.perf_counter() - began
    PayLine.objects.filter(run=holder).delete()

    objects = [
        PayLine(run_id=holder.pk, **dict(zip(LINE_FIELDS, line, strict=True))) for line in lines
    ]
    began = time.perf_counter()
    with transaction.atomic():
        PayLine.objects.bulk_create(objects, batch_size=2000)
    times["bare_bulk_create"] = time.perf_counter() - began
    PayLine.objects.filter(run=holder).delete()
    holder.delete()
    return times


def leg(database_url: str) -> dict[str, Any]:
    """Runs in a child process: migrate, build the roster, time placement and the pay runs."""
    with tempfile.TemporaryDirectory(prefix="shegong-bench-") as data_dir:
        _setup_django(database_url, data_dir)
        from django.db import connection

        from shegong.core.actors import system_actor
        from shegong.orgs.models import Unit, UnitKind
        from shegong.pay import services
        from shegong.pay.models import PayLine

        result: dict[str, Any] = {"vendor": connection.vendor, "workers": WORKERS}
        began = time.perf_counter()
        _roster(WORKERS)
        result["setup"] = time.perf_counter() - began
        district = Unit.objects.get(kind=UnitKind.DISTRICT)
        actor = system_actor()  # the console's actor, as `shegong pay run` acts
        jan, feb = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 2, 1)

        began = time.perf_counter()
        placed = services.grade_place(unit=district, day=jan, acting_user=actor)
        result["place"] = time.perf_counter() - began
        assert placed == WORKERS, placed

        began = time.perf_counter()
        run = services.payrun_create(unit=district, period=jan, acting_user=actor)
        result["run_jan"] = time.perf_counter() - began
        services.payrun_approve(
            run=services.payrun_check(run=run, acting_user=actor), acting_user=actor
        )

        began = time.perf_counter()
        lines = services.compute_lines(unit=district, period=feb)
        result["compute_feb"] = time.perf_counter() - began
        began = time.perf_counter()
        run = services.payrun_create(unit=district, period=feb, acting_user=actor)
        result["run_feb"] = time.perf_counter() - began
        assert run.headcount == WORKERS
        assert PayLine.objects.filter(run=run).count() == WORKERS
        result["gross"] = str(run.gross)
        result["tax"] = str(run.income_tax)
        result.update(_bare_writes(lines))
        connection.close()
    return result


def _run_leg(database_url: str) -> dict[str, Any]:
    return run_leg("bench_pay", database_url)


def _postgres(action: str) -> bool:
    return postgres_database(action, PG_SERVER, PG_DB)


def _report(label: str, r: dict[str, Any]) -> None:
    run, bare = r["run_feb"], r["bare_service_write"]
    ratio = run / bare if bare else float("inf")
    verdict = "OK" if run < TARGET_SECONDS and ratio <= TARGET_RATIO else "MISSED"
    print(f"  {label}: set-up {r['setup']:.1f} s (untimed); 初次定级 {r['place']:.2f} s")
    print(
        f"  {label}: pay run January {r['run_jan']:.2f} s; February (with January's "
        f"cumulative tax) {run:.2f} s, of which computing the lines {r['compute_feb']:.2f} s"
    )
    print(
        f"  {label}: bare writes of the same {r['workers']:,} lines: the run's own bulk "
        f"write {bare:.2f} s; one executemany {r['bare_executemany']:.2f} s; Django "
        f"bulk_create {r['bare_bulk_create']:.2f} s"
    )
    print(
        f"  {label}: run / bare bulk write = {ratio:.1f}×; target < {TARGET_SECONDS:.0f} s and "
        f"≤ {TARGET_RATIO:.0f}×: {verdict}  (February gross {r['gross']}, tax {r['tax']})"
    )


def main() -> None:
    print(f"pay run, {WORKERS:,} workers in 86 demo communities, one district-wide run")
    with tempfile.TemporaryDirectory(prefix="shegong-bench-db-") as folder:
        _report("SQLite", _run_leg(f"sqlite:///{folder}/bench.sqlite3"))
    if _postgres("create"):
        try:
            _report("PostgreSQL", _run_leg(PG_SERVER + PG_DB))
        finally:
            _postgres("drop")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--leg":
        print(json.dumps(leg(sys.argv[2])))
    else:
        main()
