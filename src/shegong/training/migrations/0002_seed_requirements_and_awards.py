"""Seed the yearly minimums the reports name and example one-time award amounts.

Essay 5: secretaries and directors at least 7 days of training a year; everyone else, as the
issue sets out, at least one course (1 day) every 2 years. The award amounts are examples
for offices to set to their own policy (essay 1 names the award, not the amount).
"""

from decimal import Decimal

from django.db import migrations

REQUIREMENTS = [("secretary", 7, 1), ("director", 7, 1)]
DEFAULT = (1, 2)
AWARDS = [("assistant", "1000"), ("social_worker", "2000"), ("senior", "3000")]


def seed(apps, schema_editor):
    PostType = apps.get_model("people", "PostType")
    Requirement = apps.get_model("training", "Requirement")
    AwardRule = apps.get_model("training", "AwardRule")
    for code, days, years in REQUIREMENTS:
        post = PostType.objects.filter(code=code).first()
        if post is not None:
            Requirement.objects.update_or_create(
                post=post, defaults={"min_days": days, "every_years": years}
            )
    Requirement.objects.update_or_create(
        is_default=True, defaults={"min_days": DEFAULT[0], "every_years": DEFAULT[1]}
    )
    for level, amount in AWARDS:
        AwardRule.objects.update_or_create(level=level, defaults={"amount": Decimal(amount)})


def unseed(apps, schema_editor):
    apps.get_model("training", "Requirement").objects.all().delete()
    apps.get_model("training", "AwardRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial"), ("people", "0002_seed_post_types")]

    operations = [migrations.RunPython(seed, unseed)]
