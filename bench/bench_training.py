"""Training figures and the compliance list for a whole city (PostgreSQL).

A bench database is created, migrated and filled in SQL with INSERT … SELECT generate_series:
10 districts × 10 streets × 20 communities (2,000 communities), BENCH_WORKERS workers (default
200,000; 5% left mid-year, some joined mid-year), a secretary and a director per 100 workers,
four two-day courses a year per street (400 courses), each worker enrolled in two of their
street's courses and attending the days they were on the roster (about 4 days each). Then it
times, each the median of three runs after a warm-up:

  * the city's figures as `shegong report training --format json` computes them
    (`training_figures` with the by-kind, by-month, by-post and per-district breakdowns, the
    compliance list, `figures_json`, `json.dumps`), and
  * the bare SQL for the headline figures (sessions, person-times, people trained, days,
    roster, coverage, shortfall), written by hand,

and prints both and the ratio (target: the full report under 5 s). The database is dropped.

    python -m bench training
    BENCH_WORKERS=50000 python -m bench training
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench._support import median_seconds, postgres_database, run_leg, setup_django

WORKERS = int(os.environ.get("BENCH_WORKERS", "200000"))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "shegong_bench_training"
YEAR = 2024
TARGET_SECONDS = 5.0
RUNS = 3

FILL = """
INSERT INTO orgs_unit (code, name, kind, parent_id, path) VALUES ('C0', '基准市', 1, NULL, 'C0/');
INSERT INTO orgs_unit (code, name, kind, parent_id, path)
  SELECT 'D' || lpad(d::text, 2, '0'), '基准区' || d, 2, c.id,
         c.path || 'D' || lpad(d::text, 2, '0') || '/'
  FROM generate_series(1, 10) d, orgs_unit c WHERE c.code = 'C0';
INSERT INTO orgs_unit (code, name, kind, parent_id, path)
  SELECT 'S' || substr(p.code, 2) || lpad(s::text, 2, '0'), p.name || '街道' || s, 3, p.id,
         p.path || 'S' || substr(p.code, 2) || lpad(s::text, 2, '0') || '/'
  FROM generate_series(1, 10) s, orgs_unit p WHERE p.kind = 2;
INSERT INTO orgs_unit (code, name, kind, parent_id, path)
  SELECT 'Q' || substr(p.code, 2) || lpad(q::text, 2, '0'), p.name || '社区' || q, 4, p.id,
         p.path || 'Q' || substr(p.code, 2) || lpad(q::text, 2, '0') || '/'
  FROM generate_series(1, 20) q, orgs_unit p WHERE p.kind = 3;
CREATE TEMP TABLE bench_comm AS
  SELECT id, parent_id, path, (row_number() OVER (ORDER BY id)) - 1 AS rn
  FROM orgs_unit WHERE kind = 4;
INSERT INTO people_worker (name, name_initials, id_number, gender, birth_date, ethnicity, phone,
    political, education, major, source, work_start_date, community_id, unit_path, status,
    is_dual_role, created_at, updated_at)
  SELECT '工作者' || g, 'gzz', lpad(g::text, 18, '0'), 'female',
         date '1970-01-01' + (g * 7919 % 9000)::int, '汉族', '', 'masses', 'college', '',
         'hired', date '2015-01-01' + (g % 3460)::int, c.id, c.path,
         CASE WHEN g % 20 = 0 THEN 'left' ELSE 'active' END, false, now(), now()
  FROM generate_series(1::bigint, %(workers)s::bigint) g JOIN bench_comm c ON c.rn = g %% 2000;
INSERT INTO people_placement (worker_id, unit_id, unit_path, start, "end", end_reason)
  SELECT w.id, w.community_id, w.unit_path, w.work_start_date,
         CASE WHEN w.id % 20 = 0 THEN date '2024-06-30' END,
         CASE WHEN w.id % 20 = 0 THEN 'resign' ELSE '' END
  FROM people_worker w;
INSERT INTO people_postholding (worker_id, post_id, start, "end")
  SELECT w.id, p.id, date '2020-01-01', NULL FROM people_worker w
  JOIN people_posttype p ON p.code = CASE WHEN w.id % 100 = 1 THEN 'secretary'
                                          WHEN w.id % 100 = 2 THEN 'director'
                                          ELSE 'staff' END;
INSERT INTO training_course (title, kind, organiser_id, place, start, "end", hours_per_day,
    capacity, enrolled, note, created_at)
  SELECT s.name || '第' || q || '期', 'centralised', s.id, '',
         date '2024-03-04' + (q * 91 + s.id % 20)::int,
         date '2024-03-05' + (q * 91 + s.id % 20)::int, 6, 100000, 0, '', now()
  FROM orgs_unit s, generate_series(0, 3) q WHERE s.kind = 3;
INSERT INTO training_enrolment (course_id, worker_id, created_at)
  SELECT c.id, w.id, now()
  FROM people_worker w JOIN bench_comm bc ON bc.id = w.community_id
  JOIN training_course c ON c.organiser_id = bc.parent_id
  WHERE (w.id + c.id) % 2 = 0;
UPDATE training_course c SET enrolled = e.n
  FROM (SELECT course_id, count(*) n FROM training_enrolment GROUP BY course_id) e
  WHERE e.course_id = c.id;
INSERT INTO training_attendance (enrolment_id, course_id, worker_id, community_id, day)
  SELECT e.id, e.course_id, e.worker_id, p.unit_id, d::date
  FROM training_enrolment e JOIN training_course c ON c.id = e.course_id
  JOIN people_placement p ON p.worker_id = e.worker_id,
  generate_series(c.start, c."end", interval '1 day') d
  WHERE p.start <= d::date AND (p."end" IS NULL OR p."end" > d::date)
    AND (e.id + (d::date - c.start)) % 9 <> 0;
ANALYZE;
"""

# The headline figures, written by hand.
BARE = {
    "sessions, person-times, people, days": """
        SELECT count(DISTINCT a.course_id), count(DISTINCT a.enrolment_id),
               count(DISTINCT a.worker_id), count(*)
        FROM training_attendance a JOIN orgs_unit u ON u.id = a.community_id
        WHERE u.path LIKE 'C0/%%' AND a.day BETWEEN %(a)s AND %(b)s""",
    "roster and coverage": """
        SELECT count(*), count(*) FILTER (WHERE EXISTS (
                 SELECT 1 FROM training_attendance a
                 WHERE a.worker_id = p.worker_id AND a.day BETWEEN %(a)s AND %(b)s))
        FROM people_placement p
        WHERE p.unit_path LIKE 'C0/%%' AND p.start <= %(b)s
          AND (p."end" IS NULL OR p."end" > %(b)s)""",
    "secretaries and directors short of 7 days": """
        SELECT h.worker_id, 7 - count(a.id)
        FROM people_postholding h JOIN people_posttype t ON t.id = h.post_id
        JOIN people_placement p ON p.worker_id = h.worker_id
        LEFT JOIN training_attendance a ON a.worker_id = h.worker_id
             AND a.day BETWEEN %(a)s AND %(b)s
        WHERE t.code IN ('secretary', 'director') AND h."end" IS NULL
          AND p.unit_path LIKE 'C0/%%' AND p.start <= %(b)s
          AND (p."end" IS NULL OR p."end" > %(b)s)
        GROUP BY h.worker_id HAVING count(a.id) < 7""",
}


def _median(fn: Callable[[], Any]) -> float:
    return median_seconds(fn, RUNS)


def leg(database_url: str, data_dir: str) -> dict[str, Any]:
    """Runs in a child process: migrate, fill, time."""
    import datetime

    setup_django(database_url, data_dir)
    from django.db import connection

    from shegong.core.models import User
    from shegong.orgs.models import Unit
    from shegong.training import exports, selectors

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FILL.replace("%(workers)s", str(WORKERS)).replace("%%", "%"))
        cursor.execute("SELECT count(*) FROM training_attendance")
        attendance_rows = cursor.fetchone()[0]
    fill_seconds = time.perf_counter() - began

    start, end = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    viewer = User(username="bench", is_active=True, is_superuser=True)
    unit = Unit.objects.get(code="C0")
    holder: dict[str, Any] = {}

    def full_report() -> None:
        figures = selectors.training_figures(viewer=viewer, unit=unit, start=start, end=end)
        short = selectors.compliance_list(viewer=viewer, unit=unit, year=YEAR)
        holder["json"] = json.dumps(exports.figures_json(figures, short), ensure_ascii=False)
        holder["figures"] = figures
        holder["short"] = len(short)

    params = {"a": start, "b": end}

    def bare() -> None:
        with connection.cursor() as cursor:
            for sql in BARE.values():
                cursor.execute(sql, params)
                cursor.fetchall()

    report_seconds = _median(full_report)
    bare_seconds = _median(bare)
    per_query = {}
    with connection.cursor() as cursor:
        for name, sql in BARE.items():
            began = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            per_query[name] = time.perf_counter() - began
    connection.close()
    f = holder["figures"]
    return {
        "workers": WORKERS,
        "attendance": attendance_rows,
        "fill": fill_seconds,
        "report": report_seconds,
        "bare": bare_seconds,
        "per_query": per_query,
        "figures": {
            "sessions": f.sessions,
            "person_times": f.person_times,
            "people_trained": f.people_trained,
            "roster": f.roster,
            "coverage": str(f.coverage),
            "short": holder["short"],
        },
        "json_bytes": len(holder["json"].encode()),
    }


def _postgres(action: str) -> bool:
    return postgres_database(action, PG_SERVER, PG_DB)


def main() -> None:
    print(
        f"training figures and compliance for a city of {WORKERS:,} workers, 400 courses, "
        f"on PostgreSQL, year {YEAR}; median of {RUNS} runs after a warm-up"
    )
    if not _postgres("create"):
        return
    try:
        with tempfile.TemporaryDirectory(prefix="shegong-bench-training-") as folder:
            r = run_leg("bench_training", PG_SERVER + PG_DB, folder)
    finally:
        _postgres("drop")
    verdict = "OK" if r["report"] < TARGET_SECONDS else "MISSED"
    print(f"  filled in SQL: {r['fill']:.1f} s; {r['attendance']:,} attendance rows")
    print(f"  figures: {json.dumps(r['figures'], ensure_ascii=False)}")
    for name, seconds in r["per_query"].items():
        print(f"    bare: {name}: {seconds:.3f} s")
    print(f"  full JSON report: {r['report']:.3f} s ({r['json_bytes']:,} bytes of JSON)")
    print(f"  bare SQL for the headline figures: {r['bare']:.3f} s")
    print(
        f"  ratio {r['report'] / r['bare']:.2f}× (the report also breaks down by kind, month, "
        f"post and district); target < {TARGET_SECONDS:.0f} s: {verdict}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--leg":
        print(json.dumps(leg(sys.argv[2], sys.argv[3])))
    else:
        main()
