"""The mainland public holidays and 调休 workdays of 2025 and 2026 as the State Council's
notices set them (国办发明电〔2024〕12号, 〔2025〕7号). For 2027 only the statutory days
(全国年节及纪念日放假办法, as amended in 2024) are entered, without the weekend swaps: the
notice for 2027 is to be entered on the 节假日安排 page when it is published."""

import datetime

from django.db import migrations


def _span(start: str, end: str, name: str) -> list[tuple[str, bool, str]]:
    first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    days = (last - first).days + 1
    return [((first + datetime.timedelta(days=i)).isoformat(), False, name) for i in range(days)]


def _work(day: str, name: str) -> list[tuple[str, bool, str]]:
    return [(day, True, f"{name}调休上班")]


DAYS = [
    # 2025
    *_span("2025-01-01", "2025-01-01", "元旦"),
    *_span("2025-01-28", "2025-02-04", "春节"),
    *_work("2025-01-26", "春节"),
    *_work("2025-02-08", "春节"),
    *_span("2025-04-04", "2025-04-06", "清明节"),
    *_span("2025-05-01", "2025-05-05", "劳动节"),
    *_work("2025-04-27", "劳动节"),
    *_span("2025-05-31", "2025-06-02", "端午节"),
    *_span("2025-10-01", "2025-10-08", "国庆节、中秋节"),
    *_work("2025-09-28", "国庆节"),
    *_work("2025-10-11", "国庆节"),
    # 2026
    *_span("2026-01-01", "2026-01-03", "元旦"),
    *_work("2026-01-04", "元旦"),
    *_span("2026-02-15", "2026-02-23", "春节"),
    *_work("2026-02-14", "春节"),
    *_work("2026-02-28", "春节"),
    *_span("2026-04-04", "2026-04-06", "清明节"),
    *_span("2026-05-01", "2026-05-05", "劳动节"),
    *_work("2026-05-09", "劳动节"),
    *_span("2026-06-19", "2026-06-21", "端午节"),
    *_span("2026-09-25", "2026-09-27", "中秋节"),
    *_span("2026-10-01", "2026-10-07", "国庆节"),
    *_work("2026-09-20", "国庆节"),
    *_work("2026-10-10", "国庆节"),
    # 2027: statutory days only (春节 from 除夕; the swaps follow the State Council's notice)
    *_span("2027-01-01", "2027-01-01", "元旦(法定)"),
    *_span("2027-02-05", "2027-02-08", "春节(法定)"),
    *_span("2027-04-05", "2027-04-05", "清明节(法定)"),
    *_span("2027-05-01", "2027-05-02", "劳动节(法定)"),
    *_span("2027-06-09", "2027-06-09", "端午节(法定)"),
    *_span("2027-09-15", "2027-09-15", "中秋节(法定)"),
    *_span("2027-10-01", "2027-10-03", "国庆节(法定)"),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    CalendarDay = apps.get_model("burden", "CalendarDay")
    for day, workday, name in DAYS:
        CalendarDay.objects.update_or_create(
            day=datetime.date.fromisoformat(day), defaults={"workday": workday, "name": name}
        )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    CalendarDay = apps.get_model("burden", "CalendarDay")
    CalendarDay.objects.filter(day__in=[datetime.date.fromisoformat(d) for d, _w, _n in DAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [("burden", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
