"""Pay's own table of appraisal grades (PerformanceGrade) gives way to the one yearly grade
record in people (YearlyGrade): every row moves over, marked as entered by a pay office, and
the table goes. Pay lines record where their grade came from."""

from typing import Any

from django.db import migrations, models

PAY_OFFICE = "待遇录入"


def move_grades(apps: Any, schema_editor: Any) -> None:
    performance = apps.get_model("pay", "PerformanceGrade")
    yearly = apps.get_model("people", "YearlyGrade")
    yearly.objects.bulk_create(
        (
            yearly(
                worker_id=row.worker_id,
                year=row.year,
                grade=row.grade,
                source_label=PAY_OFFICE,
                source_key=f"pay.performance:{row.pk}",
            )
            for row in performance.objects.order_by("pk").iterator()
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )


def move_back(apps: Any, schema_editor: Any) -> None:
    performance = apps.get_model("pay", "PerformanceGrade")
    yearly = apps.get_model("people", "YearlyGrade")
    performance.objects.bulk_create(
        (
            performance(worker_id=row.worker_id, year=row.year, grade=row.grade)
            for row in yearly.objects.order_by("pk").iterator()
        ),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pay", "0002_rates_and_wages_from_a_date"),
        ("people", "0005_yearly_grade_one_vocabulary"),
    ]

    operations = [
        migrations.AddField(
            model_name="payline",
            name="performance_source",
            field=models.CharField(blank=True, max_length=200, verbose_name="等次来源"),
        ),
        migrations.RunPython(move_grades, move_back),
        migrations.DeleteModel(name="PerformanceGrade"),
    ]
