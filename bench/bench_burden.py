"""The burden dashboard for a district of realistic size (PostgreSQL).

A bench database is created, migrated and filled in SQL with INSERT … SELECT generate_series:
one district of BENCH_STREETS streets × 15 communities (default 12 streets, 180 communities),
20 departments, an admission list of 58 items in force and 4 refused, 30 stamp entries, a
closed workers' questionnaire of 8 questions tallied by community, post, age band and source, and
for each community and each of five years about 175 records (essay 1: up to 200 ledgers):
120 ledgers, 10 signboards, 15 stamps, 20 inspections, appraisals and rankings, 10 meetings,
a fifth of them imposed by no listed item; three report forms of 20 fields. Then it times,
each the median of RUNS runs after a warm-up, for the district's administrator (a membership,
not a superuser, so the scope filters run as they do for a real account):

  * the anchor: the headline counts of the district's year written by hand in one SQL query,
  * `burden_summary` for the district and year (what the page, the report and the API read),
  * the dashboard page `/burden/` through the test client (summary, charts, template),

and prints the three and the ratios summary ÷ anchor and page ÷ summary. The database is
dropped.

    python -m bench burden
    BENCH_STREETS=30 python -m bench burden
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from typing import Any

from bench._support import median_seconds, postgres_database, run_leg, setup_django

STREETS = int(os.environ.get("BENCH_STREETS", "12"))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "shegong_bench_burden"
YEAR = 2026
RUNS = 5
TARGET_SECONDS = 1.0  # the page, on an idle machine

FILL = """
INSERT INTO orgs_unit (code, name, kind, parent_id, path) VALUES ('C0', '基准市', 1, NULL, 'C0/');
INSERT INTO orgs_unit (code, name, kind, parent_id, path)
  SELECT 'D01', '基准区', 2, id, path || 'D01/' FROM orgs_unit WHERE code = 'C0';
INSERT INTO orgs_unit (code, name, kind, parent_id, path)
  SELECT 'S' || lpad(s::text, 2, '0'), '街道' || s, 3, d.id,
         d.path || 'S' || lpad(s::text, 2, '0') || '/'
  FROM generate_series(1, %(streets)s) s, orgs_unit d WHERE d.code = 'D01';
INSERT INTO orgs_unit (code, name, kind, parent_id, path)
  SELECT p.code || lpad(q::text, 2, '0'), p.name || '社区' || q, 4, p.id,
         p.path || p.code || lpad(q::text, 2, '0') || '/'
  FROM generate_series(1, 15) q, orgs_unit p WHERE p.kind = 3;
INSERT INTO burden_department (name, district_id)
  SELECT '部门' || g, d.id FROM generate_series(1, 20) g, orgs_unit d WHERE d.code = 'D01';
INSERT INTO burden_admissionitem (category, kind, title, legal_basis, funded, funding,
    published_on, retired_reason, district_id, application_id, department_id)
  SELECT CASE WHEN g % 5 = 0 THEN 'ledger' ELSE 'task' END,
         CASE WHEN g <= 12 THEN 'duty' WHEN g <= 58 THEN 'assist' ELSE 'refused' END,
         '事项' || g, '依据', g % 3 <> 0, CASE WHEN g % 3 <> 0 THEN 5000 ELSE 0 END,
         date '2020-01-01', '', d.id, NULL,
         (SELECT min(id) FROM burden_department) + g % 20
  FROM generate_series(1, 62) g, orgs_unit d WHERE d.code = 'D01';
INSERT INTO burden_stampentry (name, listing, basis, district_id)
  SELECT '证明' || g, CASE WHEN g <= 4 THEN 'positive' ELSE 'negative' END, '', d.id
  FROM generate_series(1, 30) g, orgs_unit d WHERE d.code = 'D01';
CREATE TEMP TABLE bench_kind (kind text, n int, events bool);
INSERT INTO bench_kind VALUES ('ledger', 120, false), ('signboard', 10, false),
  ('stamp', 15, false), ('inspection', 8, true), ('appraisal', 6, true), ('ranking', 6, true),
  ('meeting', 10, true);
INSERT INTO burden_burdenrecord (kind, title, year, imposed_by, frequency, day, hours, staff,
    note, created_at, community_id, item_id, department_id, stamp_id)
  SELECT k.kind, k.kind || g, y, CASE WHEN g % 7 = 0 THEN '市级部门' ELSE '' END,
         CASE WHEN k.kind = 'ledger' THEN 'monthly' ELSE '' END,
         CASE WHEN k.events THEN make_date(y, 1 + g % 12, 1 + g % 28) END,
         CASE WHEN k.events THEN 1.5 + g % 4 ELSE 0 END, CASE WHEN k.events THEN 2 ELSE 0 END,
         '', now(), c.id,
         CASE WHEN k.kind <> 'stamp' AND g % 5 <> 0
              THEN (SELECT min(id) FROM burden_admissionitem) + (c.id + g) % 62 END,
         CASE WHEN g % 7 <> 0 THEN (SELECT min(id) FROM burden_department) + (c.id + g) % 20 END,
         CASE WHEN k.kind = 'stamp' THEN (SELECT min(id) FROM burden_stampentry) + g % 30 END
  FROM orgs_unit c, bench_kind k, generate_series(1, 120) g,
       generate_series(%(year)s - 4, %(year)s) y
  WHERE c.kind = 4 AND g <= k.n;
INSERT INTO burden_reportform (title, sheet, layout, fingerprint, created_at, department_id)
  SELECT '报表' || g, '统计表', '\\x00', '', now(), (SELECT min(id) FROM burden_department) + g
  FROM generate_series(1, 3) g;
INSERT INTO burden_formfield (sheet, cell, label, source, key, form_id)
  SELECT '统计表', 'B' || g, '指标' || g, CASE WHEN g % 4 = 0 THEN 'asked' ELSE 'roster.total' END,
         CASE WHEN g % 4 = 0 THEN 'asked.k' || g ELSE 'roster.total' END, f.id
  FROM burden_reportform f, generate_series(1, 20) g;
INSERT INTO burden_workersurvey (title, year, status, respondents, unit_id)
  SELECT '社区工作者问卷', %(year)s, 'closed', 2700, id FROM orgs_unit WHERE code = 'D01';
INSERT INTO burden_surveyquestion (position, kind, required, text, choices, survey_id)
  SELECT q, 'choice', true, '问题' || q, '["很重", "较重", "一般", "较轻", "很轻"]', s.id
  FROM generate_series(1, 8) q, burden_workersurvey s;
INSERT INTO burden_surveytally (dimension, "group", question, choice, count, survey_id)
  SELECT d.dim, d.grp, q, c, CASE WHEN q = 0 THEN 15 ELSE 3 END, s.id
  FROM (SELECT 'unit' AS dim, code AS grp FROM orgs_unit WHERE kind = 4
        UNION ALL SELECT 'post', '岗位' || g FROM generate_series(1, 7) g
        UNION ALL SELECT 'age', '年龄段' || g FROM generate_series(1, 4) g
        UNION ALL SELECT 'source', '来源' || g FROM generate_series(1, 4) g
        UNION ALL SELECT 'all', '') d,
       burden_workersurvey s, generate_series(0, 8) q, generate_series(0, 4) c
  WHERE (q = 0 AND c = 0) OR q > 0;
ANALYZE;
"""

# The headline counts of the district's year, written by hand: the anchor.
ANCHOR = """
SELECT count(*) FILTER (WHERE r.kind = 'ledger'), count(*) FILTER (WHERE r.kind = 'signboard'),
       count(DISTINCT r.title) FILTER (WHERE r.kind = 'stamp'),
       count(*) FILTER (WHERE r.kind IN ('inspection', 'appraisal', 'ranking')),
       sum(r.hours), count(*) FILTER (WHERE r.item_id IS NULL)
FROM burden_burdenrecord r JOIN orgs_unit u ON u.id = r.community_id
WHERE u.path LIKE 'C0/D01/%%' AND r.year = %(year)s
"""


def leg(database_url: str, data_dir: str) -> dict[str, Any]:
    """Runs in a child process: migrate, fill, time."""
    setup_django(database_url, data_dir)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from shegong.burden import selectors
    from shegong.core.models import Membership, Role, User
    from shegong.orgs.models import Unit

    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            FILL.replace("%(streets)s", str(STREETS))
            .replace("%(year)s", str(YEAR))
            .replace("%%", "%")
        )
        cursor.execute("SELECT count(*) FROM burden_burdenrecord")
        records = cursor.fetchone()[0]
    fill_seconds = time.perf_counter() - began

    district = Unit.objects.get(code="D01")
    admin = User.objects.create_user(username="bench_admin", password="x-Bench-2026")
    Membership.objects.create(user=admin, unit=district, role=Role.ADMIN)
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(admin)
    holder: dict[str, Any] = {}

    def anchor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(ANCHOR, {"year": YEAR})
            holder["anchor"] = cursor.fetchone()

    def summary() -> None:
        holder["summary"] = selectors.burden_summary(viewer=admin, unit=district, year=YEAR)

    def page() -> None:
        response = client.get("/burden/", {"unit": "D01", "year": str(YEAR)}, secure=True)
        assert response.status_code == 200, response.status_code
        holder["page_bytes"] = len(response.content)

    timings = {
        "anchor": median_seconds(anchor, RUNS),
        "summary": median_seconds(summary, RUNS),
        "page": median_seconds(page, RUNS),
    }
    connection.close()
    s = holder["summary"]
    return {
        "communities": len(s["communities"]),
        "records": records,
        "fill": fill_seconds,
        **timings,
        "page_bytes": holder["page_bytes"],
        "figures": {
            key: s[key]
            for key in ("items", "ledgers", "signboards", "stamp_kinds", "inspections", "hours")
        }
        | {"without_admission": s["without_admission"], "forms": s["forms"]},
    }


def _postgres(action: str) -> bool:
    return postgres_database(action, PG_SERVER, PG_DB)


def main() -> None:
    print(
        f"burden dashboard for a district of {STREETS} streets × 15 communities, about 175 "
        f"records per community and year over five years, on PostgreSQL, year {YEAR}; "
        f"median of {RUNS} runs after a warm-up"
    )
    if not _postgres("create"):
        return
    try:
        with tempfile.TemporaryDirectory(prefix="shegong-bench-burden-") as folder:
            r = run_leg("bench_burden", PG_SERVER + PG_DB, folder)
    finally:
        _postgres("drop")
    verdict = "OK" if r["page"] < TARGET_SECONDS else "MISSED"
    print(
        f"  filled in SQL: {r['fill']:.1f} s; {r['communities']} communities, "
        f"{r['records']:,} records"
    )
    print(f"  figures: {json.dumps(r['figures'], ensure_ascii=False)}")
    print(f"  anchor (headline counts in one hand-written query): {r['anchor']:.3f} s")
    print(f"  burden_summary: {r['summary']:.3f} s ({r['summary'] / r['anchor']:.1f}× the anchor)")
    print(
        f"  dashboard page: {r['page']:.3f} s ({r['page'] / r['summary']:.2f}× the summary, "
        f"{r['page'] / r['anchor']:.1f}× the anchor; {r['page_bytes']:,} bytes); "
        f"target < {TARGET_SECONDS:.0f} s: {verdict}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--leg":
        print(json.dumps(leg(sys.argv[2], sys.argv[3])))
    else:
        main()
