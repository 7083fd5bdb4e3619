"""Roster import: 100,000 valid workers through `shegong.people.imports`, on SQLite and on
PostgreSQL, against django-import-export's default ModelResource for Worker.

The sheet is a UTF-8 CSV (the template's 13 Chinese columns) over the 86 demo communities,
with valid ID numbers; the read of an .xlsx of the same rows is timed separately. Our import
and django-import-export each run in a process of their own on a fresh database (Django is
configured there from DATABASE_URL, then migrated), so neither runs on the heap and the freed
pages the other left behind. django-import-export is timed on a 10,000-row slice and scaled
×10: it does one query or more per row, and 100,000 rows would take minutes. Its dataset gets
model field names and stored values (codes, community ids) prepared beforehand, untimed; it
writes the Worker rows only (no placements, posts or audit rows), so the comparison flatters
it.

    make bench          # or: python -m bench roster
    BENCH_ROWS=20000 python -m bench roster
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import sys
import tempfile
import time
from typing import Any

from bench._support import postgres_database, run_leg, setup_django

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
IE_ROWS = min(ROWS, int(os.environ.get("BENCH_IE_ROWS", "10000")))
# Rounds of (ours, django-import-export), alternating; the best of each is reported. This
# machine's speed drifts by a third from one minute to the next: one round of each would
# compare two different machines.
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "2")))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "shegong_bench_roster"
TARGET_SECONDS = 20.0
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"  # noqa: E501
EDUCATION = ["本科", "大专", "本科", "研究生", "中专", "高中及以下", "本科", "大专"]
POLITICAL = ["中共党员", "群众", "中共党员", "共青团员", "中共预备党员", "群众", "民主党派"]
SOURCE = ["聘用", "聘用", "选举产生", "街道下派", "聘用", "其他"]
POSTS = ["", "", "", "专职工作者", "网格员", "委员", "", "专职工作者"]
ETHNIC = ["汉族"] * 12 + ["回族", "土家族", "苗族", "满族"]
HEADER = [
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "民族",
    "联系电话",
    "学历",
    "所学专业",
    "政治面貌",
    "来源方式",
    "所属社区",
    "职务",
    "参加社区工作时间",
]


# ---------------------------------------------------------------- the sheet


def make_rows(communities: list[tuple[str, str]], count: int) -> list[list[str]]:
    """`count` valid rows; every ID number distinct (birth date × sequence)."""
    from shegong.people import rules

    start = datetime.date(1964, 1, 1)
    out: list[list[str]] = []
    for i in range(count):
        birth = start + datetime.timedelta(days=(i * 7) % 13000)
        sequence = i // 1857  # 13000/7 dates, then the next sequence number
        male = i % 2 == 0
        order = f"{(sequence % 500) * 2 + (1 if male else 0):03d}"
        first17 = f"430105{birth:%Y%m%d}{order}"
        id_number = first17 + rules.id_check_digit(first17)
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 31) % len(GIVEN)]
        if i % 3:
            name += GIVEN[(i * 17) % len(GIVEN)]
        code, community = communities[i % len(communities)]
        started = birth + datetime.timedelta(days=365 * 22 + (i % 3000))
        started = min(started, datetime.date(2025, 12, 31))
        out.append(
            [
                name,
                id_number,
                "男" if male else "女",
                f"{birth:%Y-%m-%d}" if i % 4 else f"{birth.year}年{birth.month}月{birth.day}日",
                ETHNIC[i % len(ETHNIC)],
                f"13{(i * 7919) % 10**9:09d}",
                EDUCATION[i % len(EDUCATION)],
                "社会工作" if i % 5 == 0 else "",
                POLITICAL[i % len(POLITICAL)],
                SOURCE[i % len(SOURCE)],
                community if i % 10 else code,
                POSTS[i % len(POSTS)],
                f"{started:%Y/%m/%d}",
            ]
        )
    return out


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- one database, one process


def _setup_django(database_url: str, data_dir: str) -> None:
    setup_django(database_url, data_dir)


def _import_export_dataset(rows: list[list[str]]) -> Any:
    """The same rows under model field names with stored values (prepared, not timed)."""
    import tablib

    from shegong.orgs.models import Unit, UnitKind
    from shegong.people import imports, rules

    ids = {}
    for pk, code, name, path in Unit.objects.filter(kind=UnitKind.COMMUNITY).values_list(
        "id", "code", "name", "path"
    ):
        ids[code] = ids[name] = (pk, path)
    words = {name: words for name, (words, _m) in imports.VOCABULARIES.items()}
    headers = [
        "name",
        "name_initials",
        "id_number",
        "gender",
        "birth_date",
        "ethnicity",
        "phone",
        "political",
        "education",
        "major",
        "source",
        "work_start_date",
        "community",
        "unit_path",
        "status",
        "is_dual_role",
    ]
    data = tablib.Dataset(headers=headers)
    for r in rows:
        pk, path = ids[r[10]]
        data.append(
            [
                r[0],
                rules.pinyin_initials(r[0]),
                r[1],
                words["gender"][r[2]],
                imports.parse_date(r[3]).isoformat(),  # type: ignore[union-attr]
                r[4],
                r[5],
                words["political"][r[8]],
                words["education"][r[6]],
                r[7],
                words["source"][r[9]],
                imports.parse_date(r[12]).isoformat(),  # type: ignore[union-attr]
                pk,
                path,
                "active",
                False,
            ]
        )
    return data


def leg(database_url: str, part: str) -> dict[str, Any]:
    """Runs in a child process on a fresh database: migrate, build the demo tree, then time
    our import ("ours") or django-import-export's ("import-export"). Each gets a process and
    a database of its own, so neither inherits the other's heap or freed pages."""
    import random

    with tempfile.TemporaryDirectory(prefix="shegong-bench-") as data_dir:
        _setup_django(database_url, data_dir)
        from django.db import connection

        from shegong.core.models import User
        from shegong.core.sheets import read_sheet
        from shegong.orgs import demo
        from shegong.people import imports
        from shegong.people.models import Worker

        tree = demo.build_tree(random.Random(2026))
        user = User.objects.create_superuser("bench", password="Bench-Pass-2026")
        communities = [(c.code, c.name) for c in tree.communities]
        rows = make_rows(communities, ROWS)
        result: dict[str, Any] = {"vendor": connection.vendor, "rows": ROWS}

        if part == "import-export":
            from import_export.resources import modelresource_factory

            dataset = _import_export_dataset(rows[:IE_ROWS])
            resource = modelresource_factory(model=Worker)()
            began = time.perf_counter()
            outcome = resource.import_data(
                dataset, dry_run=False, raise_errors=True, use_transactions=True
            )
            result["ie_seconds"] = time.perf_counter() - began
            result["ie_rows"] = IE_ROWS
            assert not outcome.has_errors() and Worker.objects.count() == IE_ROWS
            connection.close()
            return result

        content = csv_bytes(rows)
        began = time.perf_counter()
        columns, sheet_rows = read_sheet(content, "bench.csv", imports.WORKER_SHEET_ALIASES)
        result["read"] = time.perf_counter() - began
        began = time.perf_counter()
        plan = imports.workers_import_plan(rows=sheet_rows, columns=columns, acting_user=user)
        result["validate"] = time.perf_counter() - began
        assert plan.ok, plan.errors[:5]
        assert plan.creates == ROWS
        began = time.perf_counter()
        imports.workers_import_apply(plan=plan, acting_user=user)
        result["write"] = time.perf_counter() - began
        assert Worker.objects.count() == ROWS

        if part != "ours-full":
            connection.close()
            return result
        # The same file again: everything matched, nothing changed.
        began = time.perf_counter()
        columns, sheet_rows = read_sheet(content, "bench.csv", imports.WORKER_SHEET_ALIASES)
        again = imports.workers_import_plan(rows=sheet_rows, columns=columns, acting_user=user)
        result["reimport"] = time.perf_counter() - began
        assert (again.creates, again.updates, again.unchanged) == (0, 0, ROWS)

        if connection.vendor == "sqlite":
            began = time.perf_counter()
            read_sheet(xlsx_bytes(rows), "bench.xlsx", imports.WORKER_SHEET_ALIASES)
            result["xlsx_write_and_read"] = time.perf_counter() - began
        connection.close()
    return result


def _run_leg(database_url: str, part: str) -> dict[str, Any]:
    return run_leg("bench_roster_import", database_url, part)


def _postgres(action: str) -> bool:
    return postgres_database(action, PG_SERVER, PG_DB)


def _total(r: dict[str, Any]) -> float:
    return float(r["read"] + r["validate"] + r["write"])


def _report(label: str, ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
    best = min(ours, key=_total)
    r = {**ours[0], **best, "ie_seconds": min(t["ie_seconds"] for t in theirs)}
    r["ie_rows"] = theirs[0]["ie_rows"]
    total = _total(best)
    ie_scaled = r["ie_seconds"] * r["rows"] / r["ie_rows"]
    verdict = "OK" if total < TARGET_SECONDS and ie_scaled / total >= 10 else "MISSED"
    print(
        f"  {label}: {r['rows']:,} rows: read {r['read']:.2f} s + validate {r['validate']:.2f} s"
        f" + write {r['write']:.2f} s = {total:.2f} s ({r['rows'] / total:,.0f} rows/s)"
    )
    print(f"  {label}: re-import of the same file (all unchanged): {r['reimport']:.2f} s")
    scaled = "" if r["ie_rows"] == r["rows"] else f", scaled ×{r['rows'] / r['ie_rows']:g}"
    print(
        f"  {label}: django-import-export default ModelResource: {r['ie_rows']:,} rows in "
        f"{r['ie_seconds']:.2f} s → {ie_scaled:.1f} s for {r['rows']:,}{scaled}"
    )
    print(
        f"  {label}: every round: ours "
        + " / ".join(f"{_total(o):.2f}" for o in ours)
        + " s; django-import-export "
        + " / ".join(f"{t['ie_seconds']:.2f}" for t in theirs)
        + f" s per {r['ie_rows']:,} rows (best of each above and below)"
    )
    print(
        f"  {label}: ratio {ie_scaled / total:.1f}× faster; target < {TARGET_SECONDS:.0f} s and "
        f"≥ 10×: {verdict}"
    )
    if "xlsx_write_and_read" in r:
        print(f"  {label}: the same rows as .xlsx: write + read {r['xlsx_write_and_read']:.2f} s")


def main() -> None:
    print(
        f"roster import, {ROWS:,} rows from a UTF-8 .csv sheet (13 template columns, 86 demo "
        f"communities); django-import-export on a {IE_ROWS:,}-row slice"
        + (f", scaled ×{ROWS / IE_ROWS:g}" if IE_ROWS != ROWS else "")
    )
    parts = [
        part
        for round_ in range(ROUNDS)
        for part in ("ours-full" if round_ == 0 else "ours", "import-export")
    ]
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "import-export": []}
    with tempfile.TemporaryDirectory(prefix="shegong-bench-db-") as folder:
        for number, part in enumerate(parts):
            result = _run_leg(f"sqlite:///{folder}/run{number}.sqlite3", part)
            runs[part.removesuffix("-full")].append(result)
    _report("SQLite", runs["ours"], runs["import-export"])
    runs = {"ours": [], "import-export": []}
    for part in parts:
        if not _postgres("create"):
            return
        try:
            runs[part.removesuffix("-full")].append(_run_leg(PG_SERVER + PG_DB, part))
        finally:
            _postgres("drop")
    _report("PostgreSQL", runs["ours"], runs["import-export"])


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--leg":
        print(json.dumps(leg(sys.argv[2], sys.argv[3])))
    else:
        main()
