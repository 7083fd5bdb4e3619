"""A form's field names the sheet its cell is on: a department's workbook often has several.
The fields marked so far were on the form's first sheet (the only one read until now)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def first_sheet(apps, schema_editor):  # type: ignore[no-untyped-def]
    FormField = apps.get_model("burden", "FormField")
    ReportForm = apps.get_model("burden", "ReportForm")
    FormField.objects.update(
        sheet=Subquery(ReportForm.objects.filter(pk=OuterRef("form_id")).values("sheet")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("burden", "0005_record_community_year_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="formfield",
            name="sheet",
            field=models.CharField(default="", max_length=31, verbose_name="工作表"),
            preserve_default=False,
        ),
        migrations.RunPython(first_sheet, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="formfield", name="form_field_cell_unique"),
        migrations.AddConstraint(
            model_name="formfield",
            constraint=models.UniqueConstraint(
                fields=("form", "sheet", "cell"), name="form_field_sheet_cell_unique"
            ),
        ),
    ]
