"""Pay (待遇): grade schemes, pay settings, pay runs and their lines.

Everything a pay office sets is data: grade schemes (三级九档, 三岗十八级 …) with their cells,
pay policies (the components), contribution rates and bases per locality and year, the local
average wage with its benchmark share. A pay run computes one line per worker for a unit and a
month; once approved it is locked, and a correction is a new run that references it.

Money is Decimal (元, two places) everywhere; rates are Decimal fractions (0.08 = 8%).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def money(label: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=0)


def rate(label: Any, default: str = "0") -> models.DecimalField[Any, Any]:
    return models.DecimalField(label, max_digits=7, decimal_places=4, default=default)


class SchemeKind(models.TextChoices):
    LEVEL_STEP = "level_step", _("等级档次制(如三级九档)")
    POST_LEVEL = "post_level", _("岗位等级制(如三岗十八级)")


class GradeScheme(models.Model):
    """A grade scheme in force for a unit (and everything below it) from a date."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=SchemeKind.choices)
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("适用单位")
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    effective_from = models.DateField(_("生效日期"))
    # A cell given as a coefficient pays coefficient × base_amount.
    base_amount = money(_("基数(元/月)"))
    step_years = models.PositiveSmallIntegerField(_("晋档年限"), default=3)
    # Years of community work credited for a degree, by roster education code.
    degree_credits = models.JSONField(_("学历折算年限"), default=dict, blank=True)
    # True: a step up may cross into the next level (三岗十八级); False: steps stay in a level
    # and levels change by promotion (三级九档).
    steps_cross_levels = models.BooleanField(_("晋档可跨等级"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("等级薪酬方案")
        verbose_name_plural = _("等级薪酬方案")
        ordering = ["unit_path", "-effective_from", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="scheme_one_per_day"),
            models.CheckConstraint(
                condition=Q(kind__in=SchemeKind.values), name="scheme_kind_known"
            ),
            models.CheckConstraint(condition=Q(step_years__gte=1), name="scheme_step_years_pos"),
            models.CheckConstraint(condition=Q(base_amount__gte=0), name="scheme_base_not_neg"),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.effective_from:%Y-%m-%d}起)"


class GradeTrack(models.Model):
    """A post track of a scheme (正职 / 副职 / 专职 …) with its post pay and entry cell."""

    scheme = models.ForeignKey(GradeScheme, on_delete=models.CASCADE, related_name="tracks")
    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=32)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Roster post codes (people.PostType.code) placed on this track, comma-separated; a track
    # with none takes every worker no other track takes.
    post_codes = models.CharField(_("对应岗位"), max_length=255, blank=True)
    post_pay = money(_("岗位工资(元/月)"))
    entry_level = models.PositiveSmallIntegerField(_("起始等级"), default=1)
    entry_step = models.PositiveSmallIntegerField(_("起始档次"), default=1)

    class Meta:
        verbose_name = _("岗位序列")
        ordering = ["scheme", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="track_code_unique"),
            models.CheckConstraint(condition=Q(post_pay__gte=0), name="track_post_pay_not_neg"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def posts(self) -> list[str]:
        return [c.strip() for c in self.post_codes.split(",") if c.strip()]


class GradeCell(models.Model):
    """One level and step of a track: an amount, or a coefficient on the scheme's base."""

    track = models.ForeignKey(GradeTrack, on_delete=models.CASCADE, related_name="cells")
    level = models.PositiveSmallIntegerField(_("等级"))
    step = models.PositiveSmallIntegerField(_("档次"), default=1)
    amount = models.DecimalField(
        _("金额(元/月)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    coefficient = models.DecimalField(
        _("系数"), max_digits=7, decimal_places=4, null=True, blank=True
    )

    class Meta:
        verbose_name = _("等级档次")
        ordering = ["track", "level", "step"]
        constraints = [
            models.UniqueConstraint(fields=["track", "level", "step"], name="cell_unique"),
            models.CheckConstraint(
                condition=(Q(amount__isnull=False, coefficient__isnull=True, amount__gte=0))
                | (Q(amount__isnull=True, coefficient__isnull=False, coefficient__gte=0)),
                name="cell_amount_xor_coefficient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track} {self.level}级{self.step}档"


class AssignmentReason(models.TextChoices):
    INITIAL = "initial", _("初次定级")
    STEP = "step", _("晋档")
    PROMOTION = "promotion", _("晋级")
    MANUAL = "manual", _("手工调整")


class GradeAssignment(models.Model):
    """A worker's place in a scheme for a time; `end` null means current."""

    worker = models.ForeignKey(
        "people.Worker", on_delete=models.CASCADE, related_name="grade_assignments"
    )
    scheme = models.ForeignKey(GradeScheme, on_delete=models.PROTECT, related_name="+")
    track = models.ForeignKey(GradeTrack, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("等级"))
    step = models.PositiveSmallIntegerField(_("档次"), default=1)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=16, choices=AssignmentReason.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("定级记录")
        ordering = ["worker", "start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(end__isnull=True), name="assignment_one_open"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="assignment_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(reason__in=AssignmentReason.values), name="assignment_reason_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.track} {self.level}级{self.step}档"


class AwardsPaid(models.TextChoices):
    """How the one-time awards owed to workers (people.AwardDue) are paid."""

    MONTHLY = "monthly", _("随下一次月度工资发放")
    OWN_RUN = "own_run", _("单独发放(奖励发放批次)")


CERTIFICATE_START_MAX = 24


class PayPolicy(models.Model):
    """The pay components in force for a unit (and below) from a date."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, db_index=True)
    effective_from = models.DateField(_("生效日期"))
    # Performance pay is this share of total pay (fixed + performance) at factor 1.
    performance_share = rate(_("绩效工资占比"), "0.20")
    factor_excellent = rate(_("优秀系数"), "1.20")
    factor_good = rate(_("良好系数"), "1.00")
    factor_pass = rate(_("合格系数"), "0.80")
    factor_fail = rate(_("不合格系数"), "0")
    factor_missing = rate(_("未考核系数"), "1.00")
    seniority_per_year = money(_("工龄工资(元/年/月)"))
    seniority_cap_years = models.PositiveSmallIntegerField(_("工龄工资封顶年限"), default=30)
    certificate_assistant = money(_("助理社会工作师津贴"))
    certificate_social_worker = money(_("社会工作师津贴"))
    certificate_senior = money(_("高级社会工作师津贴"))
    dual_role_allowance = money(_("一肩挑津贴"))
    other_allowance = money(_("其他津贴(每人每月)"))
    # The monthly certificate allowance starts this many months after the month of issue
    # (0: the month of issue, 1: the month after), as the district's rules say.
    certificate_start_months = models.PositiveSmallIntegerField(
        _("职业资格津贴起发(取得后第几个月)"), default=0
    )
    # The policy in force for a run's unit decides whether its regular run takes the awards
    # owed, or they wait for a run of their own (PayRun.kind AWARDS).
    awards_paid = models.CharField(
        _("一次性奖励发放方式"),
        max_length=16,
        choices=AwardsPaid.choices,
        default=AwardsPaid.MONTHLY,
    )

    class Meta:
        verbose_name = _("薪酬构成")
        verbose_name_plural = _("薪酬构成")
        ordering = ["unit_path", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="policy_one_per_day"),
            models.CheckConstraint(
                condition=Q(performance_share__gte=0, performance_share__lt=1),
                name="policy_share_in_range",
            ),
            models.CheckConstraint(
                condition=Q(awards_paid__in=AwardsPaid.values), name="policy_awards_paid_known"
            ),
            models.CheckConstraint(
                condition=Q(certificate_start_months__lte=CERTIFICATE_START_MAX),
                name="policy_certificate_start_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.effective_from}"


INSURANCE_KINDS = ("pension", "medical", "unemployment", "injury", "maternity", "housing_fund")
# Injury and maternity insurance are paid by the employer only.
PERSONAL_KINDS = ("pension", "medical", "unemployment", "housing_fund")


class ContributionRates(models.Model):
    """Five insurances and the housing fund for a locality (unit and below) and a year."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    # A version in force from this day (the first of a month) to the next version or the
    # year's end; always within `year`.
    effective_from = models.DateField(_("生效日期"))
    pension_employer = rate(_("养老保险单位"))
    pension_personal = rate(_("养老保险个人"))
    medical_employer = rate(_("医疗保险单位"))
    medical_personal = rate(_("医疗保险个人"))
    unemployment_employer = rate(_("失业保险单位"))
    unemployment_personal = rate(_("失业保险个人"))
    injury_employer = rate(_("工伤保险单位"))
    maternity_employer = rate(_("生育保险单位"))
    housing_fund_employer = rate(_("住房公积金单位"))
    housing_fund_personal = rate(_("住房公积金个人"))
    # The contribution base is the worker's monthly pay held between these shares of the
    # local average monthly wage.
    base_floor_share = rate(_("缴费基数下限(占平均工资)"), "0.60")
    base_ceiling_share = rate(_("缴费基数上限(占平均工资)"), "3.00")

    class Meta:
        verbose_name = _("社保公积金费率")
        verbose_name_plural = _("社保公积金费率")
        ordering = ["unit_path", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="rates_one_per_day"),
            models.CheckConstraint(
                condition=Q(base_floor_share__lte=F("base_ceiling_share")),
                name="rates_floor_below_ceiling",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.effective_from:%Y-%m-%d}"


class AverageWage(models.Model):
    """The local average wage (元/年) used for a year, and the benchmark share of it."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    # A version in force from this day to the next version or the year's end (within `year`).
    effective_from = models.DateField(_("生效日期"))
    amount = money(_("职工平均工资(元/年)"))
    benchmark_share = rate(_("待遇标准(占平均工资)"), "1.00")

    class Meta:
        verbose_name = _("职工平均工资")
        verbose_name_plural = _("职工平均工资")
        ordering = ["unit_path", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="wage_one_per_day"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="wage_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_path} {self.effective_from:%Y-%m-%d} {self.amount}"


class AdjustmentKind(models.TextChoices):
    AWARD = "award", _("一次性奖励")
    ALLOWANCE = "allowance", _("其他津补贴")


class PayAdjustment(models.Model):
    """A one-off amount for one worker in one month (awards are outside the contribution
    base)."""

    worker = models.ForeignKey("people.Worker", on_delete=models.CASCADE, related_name="+")
    period = models.DateField(_("月份"))
    kind = models.CharField(_("类别"), max_length=16, choices=AdjustmentKind.choices)
    amount = money(_("金额"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # An award taken for a run of its own (奖励发放) is paid by that run only, never by a
    # regular run; `run` is the award run that pays it (null again when that run is
    # discarded: the next award run of the unit pays it).
    own_run = models.BooleanField(_("单独发放"), default=False)
    run = models.ForeignKey(
        "PayRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="award_items",
        verbose_name=_("奖励发放批次"),
    )

    class Meta:
        verbose_name = _("一次性发放")
        ordering = ["period", "worker"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AdjustmentKind.values), name="adjustment_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.period:%Y-%m} {self.amount}"


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CHECKED = "checked", _("已复核")
    APPROVED = "approved", _("已审批")


class RunKind(models.TextChoices):
    REGULAR = "regular", _("月度工资")
    AWARDS = "awards", _("奖励发放")


class PayRun(models.Model):
    """The pay of a unit (and below) for one month: the regular run (one per unit and month,
    and its corrections), or a run of awards only (奖励发放, as many as the month needs)."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位")
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    period = models.DateField(_("月份"))  # the first day of the month
    kind = models.CharField(
        _("批次类别"), max_length=16, choices=RunKind.choices, default=RunKind.REGULAR
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("更正的工资批次"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    headcount = models.PositiveIntegerField(_("人数"), default=0)
    gross = money(_("应发合计"))
    employer_contributions = money(_("单位缴纳合计"))
    personal_contributions = money(_("个人缴纳合计"))
    income_tax = money(_("个人所得税合计"))
    net = money(_("实发合计"))
    total_cost = money(_("总成本合计"))

    class Meta:
        verbose_name = _("工资批次")
        verbose_name_plural = _("工资批次")
        ordering = ["-period", "unit_path", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=Q(corrects__isnull=True, kind="regular"),
                name="payrun_one_original_per_month",
            ),
            models.CheckConstraint(condition=Q(kind__in=RunKind.values), name="payrun_kind_known"),
            models.CheckConstraint(
                condition=Q(kind="regular") | Q(corrects__isnull=True),
                name="payrun_awards_not_corrections",
            ),
            models.UniqueConstraint(fields=["corrects"], name="payrun_one_correction_each"),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="payrun_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.APPROVED) | Q(approved_at__isnull=False),
                name="payrun_approved_has_time",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == RunKind.AWARDS:
            return f"{self.unit} {self.period:%Y-%m} {RunKind.AWARDS.label} #{self.pk}"
        return f"{self.unit} {self.period:%Y-%m}"

    @property
    def locked(self) -> bool:
        return self.status == RunStatus.APPROVED


class PayLine(models.Model):
    """One worker's pay in one run: components, contributions, tax and the three calibers."""

    run = models.ForeignKey(PayRun, on_delete=models.CASCADE, related_name="lines")
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255)  # the worker's community in that month
    track_name = models.CharField(_("岗位序列"), max_length=32, blank=True)
    level = models.PositiveSmallIntegerField(_("等级"), default=0)
    step = models.PositiveSmallIntegerField(_("档次"), default=0)
    performance_grade = models.CharField(_("考核等次"), max_length=16, blank=True)
    # Where the grade came from (the appraisal's name), as it stood when the line was computed.
    performance_source = models.CharField(_("等次来源"), max_length=200, blank=True)
    post_pay = money(_("岗位工资"))
    grade_pay = money(_("等级工资"))
    seniority_pay = money(_("工龄工资"))
    certificate_allowance = money(_("职业资格津贴"))
    dual_role_allowance = money(_("一肩挑津贴"))
    performance_pay = money(_("绩效工资"))
    other_allowance = money(_("其他津补贴"))
    award = money(_("一次性奖励"))
    gross = money(_("应发工资"))
    contribution_base = money(_("缴费基数"))
    pension_employer = money(_("养老单位"))
    pension_personal = money(_("养老个人"))
    medical_employer = money(_("医疗单位"))
    medical_personal = money(_("医疗个人"))
    unemployment_employer = money(_("失业单位"))
    unemployment_personal = money(_("失业个人"))
    injury_employer = money(_("工伤单位"))
    maternity_employer = money(_("生育单位"))
    housing_fund_employer = money(_("公积金单位"))
    housing_fund_personal = money(_("公积金个人"))
    employer_contributions = money(_("单位缴纳"))
    personal_contributions = money(_("个人缴纳"))
    income_tax = money(_("个人所得税"))
    net = money(_("实发工资"))
    total_cost = money(_("总成本"))

    class Meta:
        verbose_name = _("工资明细")
        ordering = ["run", "unit_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "worker"], name="payline_one_per_worker"),
        ]
        indexes = [models.Index(fields=["worker", "run"])]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.run_id}"


class WorkerPayYear(models.Model):
    """个人年度待遇: one worker's year of approved pay, kept when a run is approved (services
    .years): the sums of the year's effective lines, the months paid, the three calibers
    annualised, and where the worker stood on their last line of the year (community, track,
    level). The yearly findings (benchmark, equal pay, the pay report, the annual report) read
    a row per worker instead of grouping every line of the year; it is derived data, written
    only with the approval it follows (audited there) and rebuilt by `shegong pay years`."""

    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    unit_path = models.CharField(max_length=255)  # the community of the year's last line
    track_name = models.CharField(_("岗位序列"), max_length=32, blank=True)
    level = models.PositiveSmallIntegerField(_("等级"), default=0)
    months = models.PositiveSmallIntegerField(_("发放月数"))
    gross = money(_("应发工资"))
    employer_contributions = money(_("单位缴纳"))
    personal_contributions = money(_("个人缴纳"))
    income_tax = money(_("个人所得税"))
    net = money(_("实发工资"))
    total_cost = money(_("总成本"))
    annual_gross = money(_("年化应发"))
    annual_net = money(_("年化实发"))
    annual_total_cost = money(_("年化总成本"))

    class Meta:
        verbose_name = _("个人年度待遇")
        constraints = [
            models.UniqueConstraint(fields=["worker", "year"], name="workerpayyear_one_per_year"),
        ]
        indexes = [models.Index(fields=["year", "unit_path"])]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.year}"
