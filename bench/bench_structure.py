"""Structure analysis on a 1,000,000-worker roster (PostgreSQL).

A bench database is created, migrated, and filled in SQL with INSERT … SELECT generate_series:
a city of 10 districts × 10 streets × 20 communities (2,000 communities, 500 workers each), one
placement per worker (5% of them ended before the report date), posts, certificates and
representative roles. Then, in the same run, it times

  * the full JSON report for the city (`selectors.structure_report` + `report_json` +
    `json.dumps`, as `shegong report structure --format json` does), and
  * the bare SQL GROUP BY queries the report needs, written by hand,

each the median of three runs after a warm-up, and prints both, the ratio and the verdict
(target: under 5 s and within 3× of the bare queries). The database is dropped at the end.

    make bench          # or: python -m bench structure
    BENCH_WORKERS=200000 python -m bench structure
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

WORKERS = int(os.environ.get("BENCH_WORKERS", "1000000"))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "shegong_bench_structure"
AS_OF = "2024-12-31"
TARGET_SECONDS = 5.0
TARGET_RATIO = 3.0
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
INSERT INTO orgs_communityprofile
    (unit_id, households, residents, area_type, office_area, activity_area, premises)
  SELECT id, 8000 + (id % 40) * 100, 200000 + (id % 50) * 10000, 'urban', 300, 500, 'owned'
  FROM orgs_unit WHERE kind = 4;
CREATE TEMP TABLE bench_comm AS
  SELECT id, path, (row_number() OVER (ORDER BY id)) - 1 AS rn FROM orgs_unit WHERE kind = 4;
INSERT INTO people_worker (name, name_initials, id_number, gender, birth_date, ethnicity, phone,
    political, education, major, source, work_start_date, community_id, unit_path, status,
    is_dual_role, created_at, updated_at)
  SELECT '工作者' || g, 'gzz', lpad(g::text, 18, '0'),
         CASE WHEN g % 10 < 3 THEN 'male' ELSE 'female' END,
         date '1960-01-01' + (g * 7919 % 15000)::int,
         '汉族', '',
         (ARRAY['party_member','probationary','league','democratic','masses'])[1 + (g / 7) % 5],
         (ARRAY['high_school','secondary','college','bachelor','postgraduate'])[1 + (g / 3) % 5],
         '',
         (ARRAY['elected','hired','seconded','other'])[1 + (g / 11) % 4],
         CASE WHEN g % 17 = 0 THEN NULL
              ELSE date '1960-01-01' + (g * 7919 % 15000 + 8000 + g % 4000)::int END,
         c.id, c.path, CASE WHEN g % 20 = 0 THEN 'left' ELSE 'active' END, false, now(), now()
  FROM generate_series(1::bigint, %(workers)s::bigint) g JOIN bench_comm c ON c.rn = g %% 2000;
INSERT INTO people_placement (worker_id, unit_id, unit_path, start, "end", end_reason)
  SELECT w.id, w.community_id, w.unit_path, date '2012-01-01' + (w.id % 4000)::int,
         CASE WHEN w.id % 20 = 0 THEN date '2024-06-30' END,
         CASE WHEN w.id % 20 = 0 THEN 'resign' ELSE '' END
  FROM people_worker w;
INSERT INTO people_postholding (worker_id, post_id, start, "end")
  SELECT w.id, p.id, date '2020-01-01', NULL FROM people_worker w
  JOIN people_posttype p ON p.code = CASE WHEN w.id % 250 IN (1, 2) THEN 'secretary'
                                          WHEN w.id % 250 = 3 THEN 'director'
                                          WHEN w.id % 10 = 4 THEN 'grid' ELSE 'staff' END;
INSERT INTO people_postholding (worker_id, post_id, start, "end")
  SELECT w.id, p.id, date '2020-01-01', NULL FROM people_worker w
  JOIN people_posttype p ON p.code = 'director' WHERE w.id % 250 = 1;
INSERT INTO people_certificate (worker_id, kind, number, issued_on)
  SELECT id, CASE WHEN id % 100 = 0 THEN 'senior' WHEN id % 10 = 1 THEN 'social_worker'
                  ELSE 'assistant' END, '', date '2016-01-01' + (id % 3650)::int
  FROM people_worker WHERE id % 10 IN (0, 1, 2, 3);
INSERT INTO people_representativerole (worker_id, kind, level, start, "end")
  SELECT id, (ARRAY['party_congress','npc','cppcc'])[1 + id % 3], 'district',
         date '2021-01-01', NULL
  FROM people_worker WHERE id % 997 = 0;
ANALYZE;
"""

# The bare queries the report needs, written by hand: same figures, no ORM, no Python folding.
COVERING = 'p.start <= %(d)s AND (p."end" IS NULL OR p."end" > %(d)s)'
BARE = {
    "cross-tab (gender × age × education × political × source × tenure)": f"""
        SELECT w.gender, w.education, w.political, w.source,
          CASE WHEN w.birth_date > %(a30)s THEN 0 WHEN w.birth_date > %(a35)s THEN 1
               WHEN w.birth_date > %(a45)s THEN 2 WHEN w.birth_date > %(a54)s THEN 3 ELSE 4 END,
          CASE WHEN w.work_start_date IS NULL THEN -1 WHEN w.work_start_date > %(t4)s THEN 0
               WHEN w.work_start_date > %(t10)s THEN 1 ELSE 2 END,
          count(*), sum(date_part('year', age(%(d)s, w.birth_date)))
        FROM people_worker w JOIN people_placement p ON p.worker_id = w.id
        WHERE p.unit_path LIKE 'C0/%%' AND {COVERING}
        GROUP BY 1, 2, 3, 4, 5, 6""",
    "certificates (highest held)": f"""
        SELECT count(DISTINCT c.worker_id),
          count(DISTINCT c.worker_id) FILTER (WHERE c.kind = 'senior'),
          count(DISTINCT c.worker_id) FILTER (WHERE c.kind IN ('senior', 'social_worker')),
          count(DISTINCT c.worker_id) FILTER (WHERE c.kind IN ('senior', 'social_worker',
                                                               'assistant'))
        FROM people_certificate c JOIN people_placement p ON p.worker_id = c.worker_id
        WHERE p.unit_path LIKE 'C0/%%' AND {COVERING} AND c.issued_on <= %(d)s""",
    "posts": f"""
        SELECT h.post_id, count(DISTINCT h.worker_id)
        FROM people_postholding h JOIN people_placement p ON p.worker_id = h.worker_id
        WHERE p.unit_path LIKE 'C0/%%' AND {COVERING}
          AND h.start <= %(d)s AND (h."end" IS NULL OR h."end" > %(d)s)
        GROUP BY h.post_id""",
    "secretaries and directors": f"""
        SELECT count(*), count(*) FILTER (WHERE s AND r),
               count(*) FILTER (WHERE education IN ('college', 'bachelor', 'postgraduate'))
        FROM (SELECT w.id, w.education, bool_or(t.is_secretary) s, bool_or(t.is_director) r
              FROM people_postholding h JOIN people_posttype t ON t.id = h.post_id
              JOIN people_worker w ON w.id = h.worker_id
              JOIN people_placement p ON p.worker_id = w.id
              WHERE (t.is_secretary OR t.is_director) AND p.unit_path LIKE 'C0/%%' AND {COVERING}
                AND h.start <= %(d)s AND (h."end" IS NULL OR h."end" > %(d)s)
              GROUP BY w.id, w.education) x""",
    "representative roles": f"""
        SELECT r.kind, r.level, count(DISTINCT r.worker_id)
        FROM people_representativerole r JOIN people_placement p ON p.worker_id = r.worker_id
        WHERE p.unit_path LIKE 'C0/%%' AND {COVERING}
          AND r.start <= %(d)s AND (r."end" IS NULL OR r."end" > %(d)s)
        GROUP BY r.kind, r.level""",
    "workers per community": f"""
        SELECT p.unit_id, count(*),
               count(*) FILTER (WHERE w.education IN ('college', 'bachelor', 'postgraduate'))
        FROM people_placement p JOIN people_worker w ON w.id = p.worker_id
        WHERE p.unit_path LIKE 'C0/%%' AND {COVERING}
        GROUP BY p.unit_id""",
    "certified per community": f"""
        SELECT p.unit_id, count(DISTINCT c.worker_id)
        FROM people_certificate c JOIN people_placement p ON p.worker_id = c.worker_id
        WHERE p.unit_path LIKE 'C0/%%' AND {COVERING} AND c.issued_on <= %(d)s
          AND c.kind IN ('senior', 'social_worker', 'assistant')
        GROUP BY p.unit_id""",
    "units and residents": """
        SELECT u.id, u.code, u.name, u.kind, u.parent_id, coalesce(pr.residents, 0)
        FROM orgs_unit u LEFT JOIN orgs_communityprofile pr ON pr.unit_id = u.id
        WHERE u.path LIKE 'C0/%%' AND u.kind IN (3, 4)""",
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
    from shegong.reports import rules, selectors
    from shegong.reports.exports import report_json

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FILL.replace("%(workers)s", str(WORKERS)).replace("%%", "%"))
    fill_seconds = time.perf_counter() - began

    as_of = datetime.date.fromisoformat(AS_OF)
    viewer = User(username="bench", is_active=True, is_superuser=True)
    unit = Unit.objects.get(code="C0")
    holder: dict[str, Any] = {}

    def full_report() -> None:
        report = selectors.structure_report(viewer=viewer, unit=unit, as_of=as_of)
        holder["json"] = json.dumps(report_json(report), ensure_ascii=False)
        holder["total"] = report.figures.total

    params = {
        "d": as_of,
        **{
            f"a{b}": c
            for b, c in zip(
                rules.DEFAULT_AGE_BOUNDS,
                rules.band_cutoffs(rules.age_bands(), as_of),
                strict=True,
            )
        },
        **{
            f"t{b}": rules.years_before(as_of, b)
            for b in rules.DEFAULT_TENURE_BOUNDS  # 4+ years: started on or before this date
        },
    }

    def bare() -> None:
        # The same session settings as the report (selectors.report_session: work_mem).
        with selectors.report_session(), connection.cursor() as cursor:
            for sql in BARE.values():
                cursor.execute(sql, params)
                cursor.fetchall()

    report_seconds = _median(full_report)
    bare_seconds = _median(bare)
    per_query = {}
    with selectors.report_session(), connection.cursor() as cursor:
        for name, sql in BARE.items():
            began = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            per_query[name] = time.perf_counter() - began
    connection.close()
    return {
        "workers": WORKERS,
        "fill": fill_seconds,
        "report": report_seconds,
        "bare": bare_seconds,
        "per_query": per_query,
        "counted": holder["total"],
        "json_bytes": len(holder["json"].encode()),
    }


def _postgres(action: str) -> bool:
    return postgres_database(action, PG_SERVER, PG_DB)


def main() -> None:
    print(
        f"structure report, {WORKERS:,} workers in 2,000 communities on PostgreSQL, "
        f"as of {AS_OF}; median of {RUNS} runs after a warm-up"
    )
    if not _postgres("create"):
        return
    try:
        with tempfile.TemporaryDirectory(prefix="shegong-bench-structure-") as folder:
            r = run_leg("bench_structure", PG_SERVER + PG_DB, folder)
    finally:
        _postgres("drop")
    ratio = r["report"] / r["bare"]
    verdict = "OK" if r["report"] < TARGET_SECONDS and ratio <= TARGET_RATIO else "MISSED"
    print(f"  roster filled in SQL: {r['fill']:.1f} s; counted on {AS_OF}: {r['counted']:,}")
    for name, seconds in r["per_query"].items():
        print(f"    bare: {name}: {seconds:.3f} s")
    print(f"  full JSON report: {r['report']:.3f} s ({r['json_bytes']:,} bytes of JSON)")
    print(f"  bare SQL GROUP BY queries: {r['bare']:.3f} s")
    print(
        f"  ratio {ratio:.2f}×; target < {TARGET_SECONDS:.0f} s and ≤ {TARGET_RATIO:.0f}× of "
        f"the bare queries: {verdict}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--leg":
        print(json.dumps(leg(sys.argv[2], sys.argv[3])))
    else:
        main()
