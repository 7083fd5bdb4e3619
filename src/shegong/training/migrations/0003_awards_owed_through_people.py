"""Every one-time award already granted becomes an amount owed in people.AwardDue (the table
pay's runs take from, once): those marked paid by hand are recorded as settled, so no run
pays them again; the others are paid by the next run of the worker's unit."""

from typing import Any

from django.db import migrations
from django.utils import timezone

LEVELS = {
    "assistant": "助理社会工作师",
    "social_worker": "社会工作师",
    "senior": "高级社会工作师",
}
BY_HAND = "另行发放(登记于培训)"


def owe(apps: Any, schema_editor: Any) -> None:
    award = apps.get_model("training", "Award")
    due = apps.get_model("people", "AwardDue")
    now = timezone.now()
    due.objects.bulk_create(
        (
            due(
                worker_id=a.worker_id,
                kind="certificate",
                title=f"{LEVELS.get(a.level, a.level)}一次性奖励",
                source_label=f"{a.registration.year}年{LEVELS.get(a.level, a.level)}考试",
                source_key=f"training.award:{a.pk}",
                amount=a.amount,
                due_on=a.granted_on,
                taken_at=now if a.paid_on else None,
                taken_by=BY_HAND if a.paid_on else "",
            )
            for a in award.objects.select_related("registration").order_by("pk").iterator()
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )


def forget(apps: Any, schema_editor: Any) -> None:
    apps.get_model("people", "AwardDue").objects.filter(
        source_key__startswith="training.award:"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_seed_requirements_and_awards"),
        ("people", "0007_awards_due_paid_once"),
    ]

    operations = [migrations.RunPython(owe, forget)]
