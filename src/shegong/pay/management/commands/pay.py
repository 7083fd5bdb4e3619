"""`shegong pay run --unit CODE --period YYYY-MM [--check] [--approve] [--user NAME]`,
`shegong pay place|steps --unit CODE --date YYYY-MM-DD`, `shegong pay config export|load FILE`,
`shegong pay citywide --unit CODE --period YYYY-MM [--wait] [--user NAME]` (one job per street),
`shegong pay review|approve RUN_ID --user NAME` (复核 and 审批 of a run another person computed).

Without --user the command acts as the system actor (every unit, recorded in the audit trail
as 系统); with it, exactly as that user could on the web, four eyes included (whoever computed a run
may not review it, whoever computed or reviewed it may not approve it). A run that
cannot be computed prints every worker and setting at fault and writes nothing. There is no
command that changes an approved run: a correction is `pay run --corrects RUN_ID`.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils.translation import gettext as _

from shegong.core.actors import system_actor
from shegong.core.errors import ServiceError
from shegong.core.models import User
from shegong.orgs.models import Unit
from shegong.pay import citywide, config, selectors, services
from shegong.pay.models import PayRun


def _user(username: str | None) -> User:
    if not username:
        return system_actor()
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("用户 %(name)s 不存在或已停用") % {"name": username})
    return user


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(_("单位 %(code)s 不存在") % {"code": code})
    return unit


class Command(BaseCommand):
    help = "Pay (待遇): pay runs, placement and steps, the configuration file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        run = sub.add_parser("run", help="计算一个单位某月的工资")
        run.add_argument("--unit", help="unit code (this unit and below)")
        run.add_argument("--period", help="YYYY-MM")
        run.add_argument("--corrects", type=int, help="correct this approved run (new run)")
        run.add_argument("--note", default="")
        run.add_argument(
            "--awards",
            action="store_true",
            help="the awards owed only (奖励发放; needs the policy's awards_paid: own_run)",
        )
        run.add_argument("--check", action="store_true", help="mark the run checked")
        run.add_argument("--approve", action="store_true", help="check and approve (locks it)")
        run.add_argument("--user")
        for name, text in (("review", "复核工资批次"), ("approve", "审批工资批次")):
            step = sub.add_parser(name, help=text)
            step.add_argument("run_id", type=int)
            step.add_argument("--user")
        for name, text in (("place", "初次定级"), ("steps", "按年限晋档")):
            p = sub.add_parser(name, help=text)
            p.add_argument("--unit", required=True)
            p.add_argument("--date", required=True, help="YYYY-MM-DD")
            p.add_argument("--user")
        city = sub.add_parser("citywide", help="按街道排队计算区(县)或市某月的工资(后台任务)")
        city.add_argument("--unit", required=True, help="district or city code")
        city.add_argument("--period", required=True, help="YYYY-MM")
        city.add_argument("--note", default="")
        city.add_argument("--wait", action="store_true", help="wait for every street's job")
        city.add_argument("--user")
        years = sub.add_parser("years", help="按已审批的工资重建个人年度待遇(派生数据)")
        years.add_argument("--year", type=int, help="this year only (default: every year paid)")
        conf = sub.add_parser("config", help="导出或载入待遇配置文件(YAML)")
        conf.add_argument("action", choices=["export", "load"])
        conf.add_argument("file", type=Path)
        conf.add_argument("--user")

    def handle(self, *args: Any, what: str, **o: Any) -> None:
        user = _user(o.get("user"))
        try:
            if what == "run":
                self._run(user, o)
            elif what == "citywide":
                self._citywide(user, o)
            elif what == "years":
                self._years(o.get("year"))
            elif what in ("review", "approve"):
                self._step(user, what, o["run_id"])
            elif what in ("place", "steps"):
                try:
                    day = datetime.date.fromisoformat(o["date"])
                except ValueError:
                    raise CommandError(
                        _("日期格式应为 YYYY-MM-DD:%(value)s") % {"value": o["date"]}
                    ) from None
                apply = services.grade_place if what == "place" else services.grade_steps_apply
                n = apply(unit=_unit(o["unit"]), day=day, acting_user=user)
                self.stdout.write(
                    (_("定级 %(n)s 人") if what == "place" else _("晋档 %(n)s 人")) % {"n": n}
                )
            else:
                self._config(user, o["action"], o["file"])
        except services.PayRunRefused as exc:
            for fault in exc.faults:
                self.stderr.write(f"  {fault}")
            raise CommandError(
                _("未写入任何数据:%(n)s 项需先处理") % {"n": len(exc.faults)}
            ) from None
        except config.ConfigErrors as exc:
            for error in exc.errors:
                self.stderr.write(f"  {error}")
            raise CommandError(
                _("未写入任何数据:配置文件有 %(n)s 处错误") % {"n": len(exc.errors)}
            ) from None
        except ServiceError as exc:
            raise CommandError(exc.message) from None

    def _years(self, year: int | None) -> None:
        """The workers' years of pay rebuilt from the approved lines: they are kept by every
        approval; this is for lines written around the services (a restore, a bench fill)."""
        for y in [year] if year else selectors.years_paid():
            n = services.pay_years_refresh(year=y)
            self.stdout.write(_("%(y)s年:个人年度待遇 %(n)s 人") % {"y": y, "n": n})

    def _run(self, user: User, o: dict[str, Any]) -> None:
        corrects = None
        if o.get("corrects"):
            corrects = PayRun.objects.filter(pk=o["corrects"]).first()
            if corrects is None:
                raise CommandError(_("工资批次 %(pk)s 不存在") % {"pk": o["corrects"]})
            unit, period = corrects.unit, corrects.period
        else:
            if not o.get("unit") or not o.get("period"):
                raise CommandError(_("请给出 --unit 和 --period(或 --corrects)"))
            unit = _unit(o["unit"])
            try:
                period = datetime.date.fromisoformat(f"{o['period']}-01")
            except ValueError:
                raise CommandError(
                    _("月份格式应为 YYYY-MM:%(value)s") % {"value": o["period"]}
                ) from None
        if o.get("awards") and corrects is None:
            run = services.awardrun_create(
                unit=unit, period=period, acting_user=user, note=o["note"]
            )
        else:
            run = services.payrun_create(
                unit=unit, period=period, acting_user=user, corrects=corrects, note=o["note"]
            )
        if o["check"] or o["approve"]:
            run = services.payrun_check(run=run, acting_user=user)
        if o["approve"]:
            run = services.payrun_approve(run=run, acting_user=user)
        self.stdout.write(
            _(
                "工资批次 #%(pk)s %(unit)s %(month)s(%(status)s):%(n)s 人,总成本 %(total_cost)s,"
                "应发 %(gross)s,单位缴纳 %(employer)s,个人缴纳 %(personal)s,个税 %(tax)s,"
                "实发 %(net)s"
            )
            % {
                "pk": run.pk,
                "unit": unit.name,
                "month": f"{period:%Y-%m}",
                "status": run.get_status_display(),
                "n": run.headcount,
                "total_cost": run.total_cost,
                "gross": run.gross,
                "employer": run.employer_contributions,
                "personal": run.personal_contributions,
                "tax": run.income_tax,
                "net": run.net,
            }
        )

    def _step(self, user: User, what: str, pk: int) -> None:
        try:
            run = selectors.run_get(viewer=user, pk=pk)
        except Http404:
            raise CommandError(_("工资批次 %(pk)s 不存在") % {"pk": pk}) from None
        change = services.payrun_check if what == "review" else services.payrun_approve
        run = change(run=run, acting_user=user)
        self.stdout.write(
            _("工资批次 #%(pk)s %(run)s:%(status)s")
            % {"pk": run.pk, "run": run, "status": run.get_status_display()}
        )

    def _citywide(self, user: User, o: dict[str, Any]) -> None:
        """Queue the streets' jobs; with --wait, follow them until the last ends."""
        try:
            period = datetime.date.fromisoformat(f"{o['period']}-01")
        except ValueError:
            raise CommandError(f"月份格式应为 YYYY-MM:{o['period']}") from None
        unit = _unit(o["unit"])
        started = citywide.payrun_citywide_start(
            unit=unit, period=period, acting_user=user, note=o["note"]
        )
        self.stdout.write(
            f"已排队 {len(started.jobs)} 个街道的工资计算任务(批次 {started.batch}),"
            f"共 {sum(job.total for job in started.jobs)} 人;由后台进程 shegong worker 执行"
        )
        if not o["wait"]:
            return
        seen = ""
        while True:
            summary = citywide.citywide_get(viewer=user, batch=started.batch, rows=False)
            line = f"{summary.status_label}:{summary.message},{summary.percent}%"
            if line != seen:
                self.stdout.write(line)
                seen = line
            if summary.finished:
                break
            time.sleep(1)
        summary = citywide.citywide_get(viewer=user, batch=started.batch)
        for row in summary.rows:
            self.stdout.write(f"  {row.name}:{row.job.get_status_display()},{row.job.message}")
        t = summary.totals
        self.stdout.write(
            f"合计 {summary.runs} 个批次 {summary.headcount} 人,总成本 {t['total_cost']},"
            f"应发 {t['gross']},单位缴纳 {t['employer_contributions']},"
            f"个人缴纳 {t['personal_contributions']},个税 {t['income_tax']},实发 {t['net']}"
        )
        if summary.failed or summary.cancelled:
            raise CommandError(
                f"{summary.failed + summary.cancelled} 个街道未完成,见上;可在“我的任务”中重试"
            )

    def _config(self, user: User, action: str, file: Path) -> None:
        if action == "export":
            file.write_text(config.export_yaml(viewer=user), encoding="utf-8")
            self.stdout.write(_("已导出到 %(file)s") % {"file": file})
            return
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("无法读取 %(file)s:%(error)s") % {"file": file, "error": exc}
            ) from None
        counts = config.load_yaml(text=text, acting_user=user)
        self.stdout.write(
            _(
                "已载入:方案 %(schemes)s 个,薪酬构成 %(policies)s 条,费率 %(rates)s 条,"
                "平均工资 %(average_wages)s 条"
            )
            % counts
        )
