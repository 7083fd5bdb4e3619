"""Seed the posts named in the reports; offices may add or rename posts later."""

from django.db import migrations

POSTS = [
    # code, name, sort order, secretary, director, leader
    ("secretary", "党组织书记", 10, True, False, True),
    ("deputy_secretary", "党组织副书记", 20, False, False, True),
    ("director", "居委会主任", 30, False, True, True),
    ("deputy_director", "居委会副主任", 40, False, False, True),
    ("member", "委员", 50, False, False, False),
    ("staff", "专职工作者", 60, False, False, False),
    ("grid", "网格员", 70, False, False, False),
]


def seed(apps, schema_editor):
    PostType = apps.get_model("people", "PostType")
    for code, name, order, secretary, director, leader in POSTS:
        PostType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "sort_order": order,
                "is_secretary": secretary,
                "is_director": director,
                "is_leader": leader,
            },
        )


def unseed(apps, schema_editor):
    PostType = apps.get_model("people", "PostType")
    PostType.objects.filter(code__in=[p[0] for p in POSTS], holdings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
