"""Contribution rates and average wages become versions in force from a date within their
year (a change from July leaves January to June as they were); existing rows start on
1 January of their year."""

import datetime

from django.db import migrations, models


def _from_first_of_january(apps, schema_editor):  # type: ignore[no-untyped-def]
    for name in ("ContributionRates", "AverageWage"):
        model = apps.get_model("pay", name)
        for row in model.objects.all():
            row.effective_from = datetime.date(row.year, 1, 1)
            row.save(update_fields=["effective_from"])


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("pay", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contributionrates",
            name="effective_from",
            field=models.DateField(null=True, verbose_name="生效日期"),
        ),
        migrations.AddField(
            model_name="averagewage",
            name="effective_from",
            field=models.DateField(null=True, verbose_name="生效日期"),
        ),
        migrations.RunPython(_from_first_of_january, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contributionrates",
            name="effective_from",
            field=models.DateField(verbose_name="生效日期"),
        ),
        migrations.AlterField(
            model_name="averagewage",
            name="effective_from",
            field=models.DateField(verbose_name="生效日期"),
        ),
        migrations.RemoveConstraint(model_name="contributionrates", name="rates_one_per_year"),
        migrations.RemoveConstraint(model_name="averagewage", name="wage_one_per_year"),
        migrations.AlterModelOptions(
            name="contributionrates",
            options={
                "ordering": ["unit_path", "-effective_from"],
                "verbose_name": "社保公积金费率",
                "verbose_name_plural": "社保公积金费率",
            },
        ),
        migrations.AlterModelOptions(
            name="averagewage",
            options={
                "ordering": ["unit_path", "-effective_from"],
                "verbose_name": "职工平均工资",
                "verbose_name_plural": "职工平均工资",
            },
        ),
        migrations.AddConstraint(
            model_name="contributionrates",
            constraint=models.UniqueConstraint(
                fields=("unit", "effective_from"), name="rates_one_per_day"
            ),
        ),
        migrations.AddConstraint(
            model_name="averagewage",
            constraint=models.UniqueConstraint(
                fields=("unit", "effective_from"), name="wage_one_per_day"
            ),
        ),
    ]
