from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from shegong.appraisal import demo as appraisal_demo
from shegong.burden import demo as burden_demo
from shegong.core.actors import system_actor
from shegong.core.models import Role, User
from shegong.core.services import user_create
from shegong.orgs import demo as org_demo
from shegong.orgs.models import Unit
from shegong.pay import demo as pay_demo
from shegong.people import demo as people_demo
from shegong.resources import demo as resources_demo
from shegong.training import demo as training_demo


class Command(BaseCommand):
    help = "Build the demo district (长沙市开福区) reproducibly from a seed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Build the demo even though the database already holds other data.",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database holds data."
        )
        parser.add_argument(
            "--scenario",
            choices=["kaifu-2008"],
            help="kaifu-2008: essay 5's district as of September 2008 (annual report 2008).",
        )

    def handle(self, *args: Any, seed: int, force: bool, if_empty: bool, **options: Any) -> None:
        holds_data = Unit.objects.exists() or User.objects.exists()
        if holds_data and if_empty:
            self.stdout.write("数据库中已有数据,跳过演示数据。")
            return
        if options.get("scenario") == "kaifu-2008":
            self._kaifu_2008(holds_data=holds_data)
            return
        if Unit.objects.filter(code=org_demo.CITY[0]).exists():
            raise CommandError("演示数据已存在(长沙市 430100000000)。")
        if holds_data and not force:
            raise CommandError("数据库中已有真实数据,拒绝写入演示数据。确需写入请加 --force。")
        with transaction.atomic():
            rng = random.Random(seed)
            tree = org_demo.build_tree(rng)
            workers = people_demo.build_workers(rng, tree)
            training_demo.build_training(random.Random(seed), tree, workers, people_demo.AS_OF)
            street = tree.streets[0]
            community = next(c for c in tree.communities if c.parent_id == street.pk)
            logins = [
                ("kaifu_admin", "开福区民政局管理员", tree.district, Role.ADMIN),
                ("dongfeng_manager", f"{street.name}主管", street, Role.MANAGER),
                # Pay takes three people: the manager computes, the reviewer checks (复核),
                # the district admin approves.
                ("dongfeng_reviewer", f"{street.name}工资复核员", street, Role.MANAGER),
                ("community_clerk", f"{community.name}专干", community, Role.CLERK),
            ]
            for username, name, unit, role in logins:
                user_create(
                    username=username,
                    password=org_demo.DEMO_PASSWORD,
                    full_name=name,
                    unit=unit,
                    role=role,
                    acting_user=system_actor(),
                )
            pay_demo.build_pay(random.Random(seed), tree, people_demo.AS_OF)
            resources_demo.build_resources(random.Random(seed), tree, people_demo.AS_OF)
            appraisal_demo.build_cycle(
                random.Random(seed),
                street,
                manager=User.objects.get(username="dongfeng_manager"),
                clerk=User.objects.get(username="community_clerk"),
            )
            pay_demo.build_draft(tree, people_demo.AS_OF)
            burden_demo.build_burden(random.Random(seed), tree, people_demo.AS_OF)
            logins.append(("health_dept", "区卫健局", tree.district, Role.DEPARTMENT))
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已生成:{tree.district.name},{len(tree.streets)}个街道,"
                f"{len(tree.communities)}个社区,{len(workers)}名社区工作者。"
            )
        )
        self.stdout.write(f"演示账号(密码均为 {org_demo.DEMO_PASSWORD}):")
        for username, name, unit, role in logins:
            self.stdout.write(f"  {username:<18} {name}({unit.name},{role.label})")

    def _kaifu_2008(self, *, holds_data: bool) -> None:
        """Essay 5's district as of September 2008 (annual/demo.py says what and why), on an
        empty database only: its codes are the demo district's."""
        from shegong.annual.demo import AS_OF, build_kaifu_2008

        if holds_data:
            raise CommandError("情景数据只能写入空数据库(其单位代码与演示数据相同)。")
        with transaction.atomic():
            built = build_kaifu_2008()
            user_create(
                username="kaifu_admin",
                password=org_demo.DEMO_PASSWORD,
                full_name="开福区民政局管理员",
                unit=built.district,
                role=Role.ADMIN,
                acting_user=system_actor(),
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"情景数据已生成:{built.district.name}({AS_OF:%Y年%m月}),"
                f"{len(built.communities)}个社区,{len(built.workers)}名社区干部。"
            )
        )
        self.stdout.write(
            f"登录 kaifu_admin(密码 {org_demo.DEMO_PASSWORD}),或:shegong report annual "
            f"--unit {built.district.code} --year 2008 --as-of {AS_OF.isoformat()} --format docx"
        )
