"""The burden register (社区减负): the admission list and what each community carries.

A district keeps an admission list (准入清单) of the items its departments may hand to
communities, each with its owner, legal basis and whether funding follows it (费随事转). A
department adds to it only by an application filed a set number of working days ahead and
answered by the district within a deadline (approved, refused with a reason, or lapsed to
refused when overdue, as the district sets); an approved application is published as an item.
Working days come from a calendar of exceptions (holidays, and the weekend days worked instead,
调休). What a community actually carries (ledgers, signboards, stamps, inspections, appraisals,
rankings, meetings) is recorded against the list: a record with no item on it (or a stamp on
the negative list) may be refused, and names the department that imposed it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.audit import audit_kinds


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a holiday on a weekday, or a weekend day worked (调休)."""

    day = models.DateField(_("日期"), unique=True)
    workday = models.BooleanField(_("上班"), default=False)
    name = models.CharField(_("名称"), max_length=40)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"


class Department(models.Model):
    """A department of a district (职能部门); its accounts hold the 职能部门 role on the
    district and are listed here as members."""

    district = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区县")
    )
    name = models.CharField(_("部门名称"), max_length=60)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="burden_departments"
    )

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["district", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="department_name_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="department_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class Policy(models.Model):
    """How a district runs its admission list."""

    district = models.OneToOneField(
        "orgs.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("区县")
    )
    lead_days = models.PositiveSmallIntegerField(_("提前申请工作日"), default=30)
    review_days = models.PositiveSmallIntegerField(_("审核期限工作日"), default=15)
    lapse_overdue = models.BooleanField(_("逾期视为不予准入"), default=True)
    hours_per_field = models.DecimalField(
        _("每个指标节省小时"), max_digits=5, decimal_places=2, default=0.05
    )

    class Meta:
        verbose_name = _("准入规则")
        verbose_name_plural = _("准入规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(lead_days__lte=365, review_days__gte=1, review_days__lte=120),
                name="policy_days_sane",
            ),
            models.CheckConstraint(condition=Q(hours_per_field__gte=0), name="policy_hours_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.district}准入规则"


class Category(models.TextChoices):
    """What an application adds to the list."""

    TASK = "task", _("工作事项")
    LEDGER = "ledger", _("台账")
    SIGNBOARD = "signboard", _("牌子")
    FORM = "form", _("报表")
    INSPECTION = "inspection", _("检查考评")


class ItemKind(models.TextChoices):
    DUTY = "duty", _("依法履职事项")
    ASSIST = "assist", _("协助政府工作事项")
    REFUSED = "refused", _("不予准入事项")


class AdmissionItem(models.Model):
    """One entry of a district's admission list."""

    district = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="items", verbose_name=_("责任部门")
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    kind = models.CharField(_("性质"), max_length=16, choices=ItemKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    legal_basis = models.CharField(_("依据"), max_length=200, blank=True)
    funded = models.BooleanField(_("经费随事转"), default=False)
    # Yuan per community per year that follows the item.
    funding = models.DecimalField(_("每社区每年经费"), max_digits=12, decimal_places=2, default=0)
    published_on = models.DateField(_("公布日期"))
    application = models.OneToOneField(
        "Application", on_delete=models.PROTECT, null=True, blank=True, related_name="item"
    )
    # A retired item stays (records and decisions point at it) but is off the list from then.
    retired_on = models.DateField(_("停止日期"), null=True, blank=True)
    retired_reason = models.CharField(_("停止理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("准入事项")
        verbose_name_plural = _("准入事项")
        ordering = ["district", "kind", "category", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "category", "title"], name="admission_item_unique"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="admission_item_category_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ItemKind.values), name="admission_item_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(funding__gte=0) & (Q(funded=True) | Q(funding=0)),
                name="admission_item_funding_sane",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="admission_item_title"),
            models.CheckConstraint(
                condition=Q(retired_on__isnull=True) | ~Q(retired_reason=""),
                name="admission_item_retired_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unit_path(self) -> str:
        return str(self.district.path)


class Status(models.TextChoices):
    FILED = "filed", _("待审核")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予准入")
    LAPSED = "lapsed", _("逾期视为不予准入")
    PUBLISHED = "published", _("已公布")
    WITHDRAWN = "withdrawn", _("已撤回")


class Application(models.Model):
    """A department's request to hand a new item to the communities."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="applications"
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    kind = models.CharField(_("性质"), max_length=16, choices=ItemKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    legal_basis = models.CharField(_("依据"), max_length=200)
    funded = models.BooleanField(_("经费随事转"), default=False)
    funding = models.DecimalField(_("每社区每年经费"), max_digits=12, decimal_places=2, default=0)
    purpose = models.CharField(_("事由"), max_length=500, blank=True)
    starts_on = models.DateField(_("拟实施日期"))
    filed_on = models.DateField(_("申请日期"))
    due_on = models.DateField(_("批复期限"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    decided_on = models.DateField(_("批复日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("不予准入理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("准入申请")
        verbose_name_plural = _("准入申请")
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="application_status_known"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="application_category_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[ItemKind.DUTY, ItemKind.ASSIST]),
                name="application_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__gt=F("filed_on")) & Q(due_on__gt=F("filed_on")),
                name="application_dates_sane",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["filed", "withdrawn"]) | Q(decided_on__isnull=False),
                name="application_decided_on_set",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["refused", "lapsed"]) | ~Q(reason=""),
                name="application_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(funding__gte=0) & (Q(funded=True) | Q(funding=0)),
                name="application_funding_sane",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="application_title"),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def unit_path(self) -> str:
        return str(self.department.district.path)


class Listing(models.TextChoices):
    POSITIVE = "positive", _("可出具(正面清单)")
    NEGATIVE = "negative", _("不得出具(负面清单)")


class StampEntry(models.Model):
    """A certificate kind on the district's positive or negative list."""

    district = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    name = models.CharField(_("证明名称"), max_length=100)
    listing = models.CharField(_("清单"), max_length=16, choices=Listing.choices)
    basis = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("证明事项清单")
        verbose_name_plural = _("证明事项清单")
        ordering = ["district", "listing", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="stamp_entry_unique"),
            models.CheckConstraint(
                condition=Q(listing__in=Listing.values), name="stamp_entry_listing_known"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="stamp_entry_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit_path(self) -> str:
        return str(self.district.path)


class RecordKind(models.TextChoices):
    LEDGER = "ledger", _("台账")
    SIGNBOARD = "signboard", _("牌子")
    STAMP = "stamp", _("盖章证明")
    INSPECTION = "inspection", _("检查")
    APPRAISAL = "appraisal", _("考核评估")
    RANKING = "ranking", _("评比排名")
    MEETING = "meeting", _("会议")


class Frequency(models.TextChoices):
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    AD_HOC = "ad_hoc", _("不定期")


EVENT_KINDS = (RecordKind.INSPECTION, RecordKind.APPRAISAL, RecordKind.RANKING, RecordKind.MEETING)


class BurdenRecord(models.Model):
    """Something a community carries in a year: a ledger, a signboard, a stamp it issues, or an
    inspection, appraisal, ranking or meeting it underwent (with the day, hours and staff)."""

    community = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=RecordKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("要求部门"),
    )
    # Who imposed it when that is no department of the district (a city office, a company).
    imposed_by = models.CharField(_("其他要求单位"), max_length=60, blank=True)
    item = models.ForeignKey(
        AdmissionItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("准入事项"),
    )
    stamp = models.ForeignKey(
        StampEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("证明事项"),
    )
    frequency = models.CharField(
        _("更新频次"), max_length=16, choices=Frequency.choices, blank=True
    )
    day = models.DateField(_("日期"), null=True, blank=True)
    hours = models.DecimalField(_("耗时(小时)"), max_digits=6, decimal_places=1, default=0)
    staff = models.PositiveSmallIntegerField(_("参与人数"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("社区负担")
        verbose_name_plural = _("社区负担")
        ordering = ["community", "kind", "-day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RecordKind.values), name="burden_record_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=EVENT_KINDS) | Q(day__isnull=False),
                name="burden_record_event_has_day",
            ),
            models.CheckConstraint(
                condition=~Q(kind="ledger") | Q(frequency__in=Frequency.values),
                name="burden_record_ledger_has_frequency",
            ),
            models.CheckConstraint(
                condition=Q(kind="stamp") | Q(stamp__isnull=True),
                name="burden_record_stamp_only_for_stamps",
            ),
            models.CheckConstraint(
                condition=Q(department__isnull=False) | ~Q(imposed_by=""),
                name="burden_record_names_who",
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0, hours__lte=10000), name="burden_record_hours_sane"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="burden_record_title"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="burden_record_year_sane"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "kind"]),
            # A street's or a community's summary starts from its communities.
            models.Index(fields=["community", "year"], name="burden_record_community_year"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def imposer(self) -> str:
        return self.department.name if self.department_id else self.imposed_by  # type: ignore[union-attr]


@audit_kinds
class BurdenEvent(models.TextChoices):
    """What happened in the burden register, as the audit trail names it."""

    APPLICATION_FILED = "burden.application_filed", _("提交准入申请")
    APPLICATION_APPROVED = "burden.application_approved", _("批准准入申请")
    APPLICATION_REFUSED = "burden.application_refused", _("不予准入")
    APPLICATION_LAPSED = "burden.application_lapsed", _("准入申请逾期")
    APPLICATION_PUBLISHED = "burden.application_published", _("公布准入事项")
    APPLICATION_EDITED = "burden.application_edited", _("修改准入申请")
    APPLICATION_WITHDRAWN = "burden.application_withdrawn", _("撤回准入申请")
    ITEM_RETIRED = "burden.item_retired", _("停止准入事项")
    QUESTIONS_EDITED = "burden.questions_edited", _("修改问卷题目")


class ReportForm(models.Model):
    """A department's report form (一表通): its own .xlsx layout, defined once, with the cells
    that Shegong fills (FormField)."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="forms", verbose_name=_("部门")
    )
    title = models.CharField(_("报表名称"), max_length=100)
    sheet = models.CharField(_("工作表"), max_length=31)
    layout = models.BinaryField(_("报表样式"))
    # The text of every cell that is not a field, so that a sheet sent back can be told apart.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("一表通报表")
        verbose_name_plural = _("一表通报表")
        ordering = ["department", "title"]
        constraints = [
            models.UniqueConstraint(fields=["department", "title"], name="report_form_unique"),
            models.CheckConstraint(condition=~Q(title=""), name="report_form_title"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unit_path(self) -> str:
        return str(self.department.district.path)


ASKED = "asked"


class FormField(models.Model):
    """One marked cell of a form: filled from a data source (burden/sources.py), or asked of
    the community once per (community, period, key) and reused by every form with that key.
    A column source (a roster list's column) fills its cell and the cells below it."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="fields")
    # The sheet of the department's workbook the cell is on (a workbook often has several).
    sheet = models.CharField(_("工作表"), max_length=31)
    cell = models.CharField(_("单元格"), max_length=10)
    label = models.CharField(_("指标"), max_length=100)
    source = models.CharField(_("数据来源"), max_length=40)
    key = models.CharField(_("询问指标代码"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("报表指标")
        verbose_name_plural = _("报表指标")
        ordering = ["form", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "sheet", "cell"], name="form_field_sheet_cell_unique"
            ),
            models.CheckConstraint(
                condition=~Q(source="asked") | ~Q(key=""), name="form_field_asked_has_key"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="form_field_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.cell} {self.label}"


class AskedAnswer(models.Model):
    """What a community answered for a key and period: asked once, reused by every form."""

    community = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    period = models.DateField(_("统计截止日期"))
    key = models.CharField(_("指标代码"), max_length=60)
    value = models.CharField(_("填报值"), max_length=200)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("社区填报值")
        verbose_name_plural = _("社区填报值")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "period", "key"], name="asked_answer_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


# ---------------------------------------------------------------- the workers' questionnaire


class QuestionKind(models.TextChoices):
    CHOICE = "choice", _("单选")
    MULTI = "multi", _("多选")
    SCALE = "scale", _("量表")
    TEXT = "text", _("文字")


# The kinds whose answers are counted per option (free text is kept as comments, ungrouped).
COUNTED_KINDS = (QuestionKind.CHOICE, QuestionKind.MULTI, QuestionKind.SCALE)


def this_year() -> int:
    return timezone.localdate().year


class WorkerSurveyStatus(models.TextChoices):
    DRAFT = "draft", _("准备中")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class WorkerSurvey(models.Model):
    """An anonymous questionnaire of the workers below a unit (essay 5's 248 questionnaires),
    answered with one-time codes handed to each worker; see services_survey for how an answer
    stays unlinked from its worker and code."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    title = models.CharField(_("问卷名称"), max_length=100)
    # The year it surveys: the annual report of a year shows that year's questionnaire (or the
    # latest before it), never a later one.
    year = models.PositiveSmallIntegerField(_("年度"), default=this_year)
    status = models.CharField(
        _("状态"), max_length=8, choices=WorkerSurveyStatus.choices, default="draft"
    )
    respondents = models.PositiveIntegerField(_("已答人数"), default=0)

    class Meta:
        verbose_name = _("社区工作者问卷")
        verbose_name_plural = _("社区工作者问卷")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WorkerSurveyStatus.values), name="worker_survey_status"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="worker_survey_title"),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    """One question, built by the district while the survey is a draft and frozen once codes
    are issued. `choices` are the options of a choice, several-choices or scale question (a
    scale's are its points, lowest first); answers are kept as indexes into them."""

    survey = models.ForeignKey(WorkerSurvey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=200)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(_("必答"), default=True)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_position"),
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class WorkerCode(models.Model):
    """A worker's one-time code (only its keyed hash is kept) and the groups the worker's
    answer will count in. A flag, not a time, says it was spent."""

    survey = models.ForeignKey(WorkerSurvey, on_delete=models.CASCADE, related_name="codes")
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    groups = models.JSONField()  # {"unit": code, "post": name, "age": band, "source": label}
    spent = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "worker"], name="worker_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.worker_id}"


class PooledAnswer(models.Model):
    """An answer whose code is spent, waiting to be tallied in a shuffled batch by another
    transaction (like appraisal's PooledBallot)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(WorkerSurvey, on_delete=models.CASCADE, related_name="+")
    groups = models.JSONField()
    answers = models.JSONField()  # {"question position": choice index or text}

    def __str__(self) -> str:
        return f"{self.survey_id} pooled"


class SurveyTally(models.Model):
    """How many answered a choice, per group of one dimension (unit, post, age band, source,
    or all). Tallies rather than answer rows: no stored row holds one person's combination of
    groups; `question` 0 counts the respondents of the group."""

    survey = models.ForeignKey(WorkerSurvey, on_delete=models.CASCADE, related_name="tallies")
    dimension = models.CharField(max_length=8)
    group = models.CharField(max_length=100)
    question = models.PositiveSmallIntegerField()
    choice = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "dimension", "group", "question", "choice"], name="tally_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.group} q{self.question}:{self.choice} {self.count}"


class SurveyComment(models.Model):
    """A free-text answer, with no group, no time and a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(WorkerSurvey, on_delete=models.CASCADE, related_name="comments")
    question = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)

    def __str__(self) -> str:
        return self.text[:20]
