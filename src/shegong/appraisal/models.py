"""Yearly appraisal (考核评议): the scheme a street sets, the cycle that runs it, the residents'
vote in each community, the leaders' and peers' scores, self-reports, results and objections.

Anonymity of the residents' vote: a household code is stored only as a keyed hash and spent
by a conditional UPDATE (`spent = false` → `true`); the ballot waits in a pool and is filed
into `Ballot` by another transaction, in a shuffled batch, under a random key, with neither
code, household nor time (the design and its limits: appraisal/services/votes.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shegong.core.audit import audit_kinds
from shegong.people.models import YearGrade


@audit_kinds
class AppraisalEvent(models.TextChoices):
    """What the appraisal writes to the audit trail (a kind says what happened; the row's
    before/after hold the figures, never a household code)."""

    SCHEME_CREATED = "appraisal.scheme_created", _("设立考核方案")
    SCHEME_UPDATED = "appraisal.scheme_updated", _("修改考核方案")
    # Written once by migration 0005: a scheme's own pay factors, retired (pay's policy holds
    # the one factor per grade), kept here so the pay office can set them there if it wants.
    PAY_FACTORS_RETIRED = "appraisal.pay_factors_retired", _("考核方案绩效系数停用")
    SCHEME_COPIED = "appraisal.scheme_copied", _("沿用上年考核方案")
    INDICATORS_REPLACED = "appraisal.indicators_replaced", _("修改考核指标")
    HOUSEHOLDS_RECORDED = "appraisal.households_recorded", _("登记住户名册")
    CODES_ISSUED = "appraisal.codes_issued", _("发放评议码")
    CODES_REQUESTED = "appraisal.codes_requested", _("申请补发评议码")
    CODE_REQUEST_APPROVED = "appraisal.code_request_approved", _("审批补发评议码")
    SURVEY_OPENED = "appraisal.survey_opened", _("开启居民评议")
    SURVEY_CLOSED = "appraisal.survey_closed", _("结束居民评议")
    SCORE_RECORDED = "appraisal.score_recorded", _("录入评分")
    SCORE_REPLACED = "appraisal.score_replaced", _("修改评分")
    SELF_REPORT_SAVED = "appraisal.self_report_saved", _("录入述职报告")
    RESULTS_COMPUTED = "appraisal.results_computed", _("计算考核结果")
    RESULTS_REOPENED = "appraisal.results_reopened", _("重新开放评分")
    RESULTS_PUBLISHED = "appraisal.results_published", _("公示考核结果")
    OBJECTION_FILED = "appraisal.objection_filed", _("提出异议")
    OBJECTION_DECIDED = "appraisal.objection_decided", _("处理异议")
    PUBLICATION_WITHDRAWN = "appraisal.publication_withdrawn", _("异议成立,撤回公示")
    TEN_BEST_CREATED = "appraisal.ten_best_created", _("设立十佳评选")
    TEN_BEST_DRAWN = "appraisal.ten_best_drawn", _("产生十佳名单")
    TEN_BEST_PUBLISHED = "appraisal.ten_best_published", _("公布十佳")


class GradeSet(models.TextChoices):
    STANDARD = "standard", _("优秀/良好/合格/不合格")
    COMPETENCE = "competence", _("优秀/称职/基本称职/不称职")


class Grade(models.TextChoices):
    """Four grades from best to worst; the labels shown depend on the scheme's grade set, and
    each maps onto the one vocabulary every area reads (COMMON_GRADE)."""

    A = "A", _("优秀")
    B = "B", _("良好")
    C = "C", _("合格")
    D = "D", _("不合格")


GRADE_LABELS = {
    GradeSet.STANDARD: {"A": _("优秀"), "B": _("良好"), "C": _("合格"), "D": _("不合格")},
    GradeSet.COMPETENCE: {"A": _("优秀"), "B": _("称职"), "C": _("基本称职"), "D": _("不称职")},
}


# A scheme's grades, whatever its names (称职 …), onto the one vocabulary (people.YearGrade).
COMMON_GRADE: dict[str, str] = {
    "A": YearGrade.EXCELLENT,
    "B": YearGrade.GOOD,
    "C": YearGrade.PASS,
    "D": YearGrade.FAIL,
}


class PartKind(models.TextChoices):
    RESIDENTS = "residents", _("居民评议")
    LEADERS = "leaders", _("街道考核")
    PEERS = "peers", _("同事互评")


class IndicatorKind(models.TextChoices):
    SCORE = "score", _("直接打分")
    SCALE = "scale", _("满意度等级")
    FIGURE = "figure", _("数值折算")


class RaterCategory(models.TextChoices):
    RESIDENT = "resident", _("普通居民")
    REPRESENTATIVE = "representative", _("居民代表")
    ORGANISATION = "organisation", _("驻区单位")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Scheme(models.Model):
    """How one unit (usually a street) appraises its community workers in one year."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("考核单位")
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    grade_set = models.CharField(
        _("等次"), max_length=16, choices=GradeSet.choices, default=GradeSet.STANDARD
    )
    # A score at or above a threshold earns that grade (subject to the quota for A).
    threshold_a = models.DecimalField(_("优秀分数线"), max_digits=5, decimal_places=2, default=90)
    threshold_b = models.DecimalField(_("良好分数线"), max_digits=5, decimal_places=2, default=80)
    threshold_c = models.DecimalField(_("合格分数线"), max_digits=5, decimal_places=2, default=60)
    top_quota = models.DecimalField(
        _("优秀比例上限(%)"), max_digits=5, decimal_places=2, default=20
    )
    min_raters = models.PositiveIntegerField(_("最少评议人数"), default=50)
    min_resident_share = models.DecimalField(
        _("普通居民最低占比(%)"), max_digits=5, decimal_places=2, default=70
    )
    trim = models.BooleanField(_("去掉一个最高分和一个最低分"), default=True)
    ten_best = models.PositiveSmallIntegerField(_("十佳评选人数"), default=10)
    objection_days = models.PositiveSmallIntegerField(_("异议期(天)"), default=7)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考核方案")
        ordering = ["-year", "unit_path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="scheme_one_per_unit_year"),
            models.CheckConstraint(
                condition=Q(threshold_a__gt=F("threshold_b"))
                & Q(threshold_b__gt=F("threshold_c"))
                & Q(threshold_c__gte=0)
                & Q(threshold_a__lte=100),
                name="scheme_thresholds_descend",
            ),
            models.CheckConstraint(
                condition=Q(top_quota__gte=0, top_quota__lte=100)
                & Q(min_resident_share__gte=0, min_resident_share__lte=100),
                name="scheme_percentages_sane",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="scheme_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def grade_label(self, grade: str) -> str:
        return str(GRADE_LABELS[GradeSet(self.grade_set)].get(grade, grade))


class SchemePart(models.Model):
    """One source of scores with its weight (%); the weights of a scheme add up to 100."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(_("评分来源"), max_length=16, choices=PartKind.choices)
    weight = models.DecimalField(_("权重(%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("考核构成")
        ordering = ["scheme", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kind"], name="part_one_per_kind"),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=100), name="part_weight_sane"
            ),
            models.CheckConstraint(condition=Q(kind__in=PartKind.values), name="part_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.weight}%"


class Indicator(models.Model):
    """An item scored within a part: points (score), a satisfaction scale (residents), or a
    figure such as a participation rate mapped to points (full marks at `figure_full`)."""

    part = models.ForeignKey(SchemePart, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("指标"), max_length=100)
    kind = models.CharField(
        _("计分方式"), max_length=8, choices=IndicatorKind.choices, default=IndicatorKind.SCORE
    )
    max_points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    figure_full = models.DecimalField(
        _("满分对应数值"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("考核指标")
        ordering = ["part", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gt=0), name="indicator_points_positive"),
            models.CheckConstraint(
                condition=Q(kind=IndicatorKind.FIGURE, figure_full__gt=0)
                | (~Q(kind=IndicatorKind.FIGURE) & Q(figure_full__isnull=True)),
                name="indicator_figure_full_iff_figure",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CycleStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    COMPUTED = "computed", _("已计算")
    PUBLISHED = "published", _("已公示")


class Cycle(models.Model):
    """The running of one scheme: surveys, scoring, results, publication and objections."""

    scheme = models.OneToOneField(Scheme, on_delete=models.PROTECT, related_name="cycle")
    unit_path = models.CharField(max_length=255, db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    objections_until = models.DateField(_("异议截止"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核周期")
        ordering = ["-scheme__year", "unit_path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CycleStatus.values), name="cycle_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=CycleStatus.PUBLISHED)
                | Q(published_at__isnull=False, objections_until__isnull=False),
                name="cycle_published_has_dates",
            ),
        ]

    def __str__(self) -> str:
        return str(self.scheme)


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("准备中")
    OPEN = "open", _("评议中")
    CLOSED = "closed", _("已结束")


class Survey(models.Model):
    """The residents' evaluation of one community's workers in one cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="surveys")
    community = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("居民评议")
        ordering = ["cycle", "unit_path"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "community"], name="survey_one_per_community"),
            models.CheckConstraint(
                condition=Q(status__in=SurveyStatus.values), name="survey_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.community}"


class SurveyWorker(models.Model):
    """The workers on a survey's ballot, fixed when it opens."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="ballot")
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "worker"], name="ballot_worker_once")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.worker_id}"


class Household(models.Model):
    """A household on the community's record: a door label (门牌/户号) and the rater category,
    nothing more about the people in it. Codes are issued only to households on record, and
    the record holds at most the community's registered households (CommunityProfile)."""

    community = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    label = models.CharField(_("住户"), max_length=100)
    category = models.CharField(
        _("评议人类别"),
        max_length=16,
        choices=RaterCategory.choices,
        default=RaterCategory.RESIDENT,
    )

    class Meta:
        verbose_name = _("住户")
        ordering = ["community", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "label"], name="household_once_per_community"
            ),
            models.CheckConstraint(condition=~Q(label=""), name="household_labelled"),
            models.CheckConstraint(
                condition=Q(category__in=RaterCategory.values), name="household_category_known"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class HouseholdCode(models.Model):
    """A one-time code for one household. Only a keyed hash of the code is kept."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    # The household on record (empty only for codes issued before the record existed) and
    # its label as printed on the notice.
    household_record = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="codes"
    )
    household = models.CharField(_("住户"), max_length=100)
    category = models.CharField(
        _("评议人类别"),
        max_length=16,
        choices=RaterCategory.choices,
        default=RaterCategory.RESIDENT,
    )
    # A flag, not a time: a spending time could be matched to a vote's insertion order.
    spent = models.BooleanField(default=False)
    voided = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("评议码")
        indexes = [models.Index(fields=["survey", "spent"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=RaterCategory.values), name="code_category_known"
            ),
            models.CheckConstraint(condition=~Q(household=""), name="code_household_named"),
            models.UniqueConstraint(
                fields=["survey", "household_record"],
                condition=Q(voided=False),
                name="code_one_live_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.household


class CodeRequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")


class CodeRequest(models.Model):
    """Codes asked for after a survey opened, or again for households that already hold one:
    issued only when another person with the right on the community approves."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="code_requests")
    unit_path = models.CharField(max_length=255, db_index=True)
    households = models.ManyToManyField(Household, related_name="+")
    count = models.PositiveIntegerField(_("户数"))
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=CodeRequestStatus.choices,
        default=CodeRequestStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评议码补发申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CodeRequestStatus.values), name="code_request_status_known"
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="code_request_second_person",
            ),
            models.CheckConstraint(
                condition=Q(status=CodeRequestStatus.PENDING, approved_by__isnull=True)
                | Q(status=CodeRequestStatus.APPROVED, approved_by__isnull=False),
                name="code_request_approved_iff_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.count}户 {self.get_status_display()}"


class PooledBallot(models.Model):
    """A ballot whose code is spent, waiting in its survey's pool to be filed.

    Written in the same transaction that spends the code (so a vote is never lost nor counted
    twice), and deleted when it is filed into `Ballot` in a shuffled batch by another
    transaction. While it waits it is as linkable as the old vote row was; see services."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=16, choices=RaterCategory.choices)
    ratings = models.JSONField()  # {"worker id": rating}

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=RaterCategory.values), name="pooled_category_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} pooled"


class Ballot(models.Model):
    """One household's vote, deliberately unlinked: no code, no household, no time, a random
    key, and written in a shuffled batch by a transaction that spent no code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="ballots")
    category = models.CharField(max_length=16, choices=RaterCategory.choices)

    class Meta:
        verbose_name = _("评议票")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=RaterCategory.values), name="ballot_category_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}#{self.pk}"


class BallotRating(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="ratings")
    # Copied from the ballot so the turnout and score aggregates need no join.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=16, choices=Rating.choices)

    class Meta:
        indexes = [models.Index(fields=["survey", "worker"])]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "worker"], name="rating_once_per_ballot"),
            models.CheckConstraint(
                condition=Q(rating__in=Rating.values), name="ballot_rating_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}:{self.worker_id} {self.rating}"


class Score(models.Model):
    """One scorer's sheet for one worker: a street leader (a user) or a peer (a worker)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="scores")
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    part = models.CharField(max_length=16, choices=PartKind.choices)
    scorer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scorer_worker = models.ForeignKey(
        "people.Worker", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Out of 100: the indicators' points scaled to the part's full marks.
    total = models.DecimalField(max_digits=6, decimal_places=2)
    unit_path = models.CharField(max_length=255, db_index=True)

    class Meta:
        verbose_name = _("评分")
        constraints = [
            models.CheckConstraint(
                condition=(Q(part=PartKind.LEADERS) & Q(scorer_user__isnull=False))
                | (Q(part=PartKind.PEERS) & Q(scorer_worker__isnull=False)),
                name="score_scorer_matches_part",
            ),
            models.CheckConstraint(
                condition=Q(scorer_worker__isnull=True) | ~Q(scorer_worker=F("worker")),
                name="score_no_self_scoring",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0, total__lte=100), name="score_total_in_range"
            ),
            models.UniqueConstraint(
                fields=["cycle", "worker", "scorer_user"],
                condition=Q(part=PartKind.LEADERS),
                name="score_one_per_leader",
            ),
            models.UniqueConstraint(
                fields=["cycle", "worker", "scorer_worker"],
                condition=Q(part=PartKind.PEERS),
                name="score_one_per_peer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.part} {self.total}"


class ScoreItem(models.Model):
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["score", "indicator"], name="score_item_once"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_item_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.points}"


class SelfReport(models.Model):
    """A worker's annual self-report (述职), attached to the cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="self_reports")
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("述职报告"))
    unit_path = models.CharField(max_length=255, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("述职报告")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "worker"], name="self_report_once"),
            models.CheckConstraint(condition=~Q(text=""), name="self_report_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} 述职"


class Standing(models.TextChoices):
    RENEW = "renew", _("续聘")
    WARN = "warn", _("诫勉提醒")
    EXIT = "exit", _("退出")


class Result(models.Model):
    """A worker's outcome in a cycle. Publishing it records the grade in the one yearly grade
    record (people.YearlyGrade, through COMMON_GRADE), which pay and the grade steps read;
    the factor per grade is set once, in pay's settings."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="results")
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, db_index=True)
    resident_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    leader_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    peer_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    score = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("排名"))
    grade = models.CharField(_("等次"), max_length=1, choices=Grade.choices)
    standing = models.CharField(_("聘用建议"), max_length=8, choices=Standing.choices)
    ten_best = models.BooleanField(_("十佳"), default=False)
    reasons = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("考核结果")
        ordering = ["cycle", "rank", "worker_id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "worker"], name="result_once_per_worker"),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="result_grade_known"),
            models.CheckConstraint(
                condition=Q(standing__in=Standing.values), name="result_standing_known"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="result_score_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.score} {self.grade}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    REJECTED = "rejected", _("维持原结果")


class Objection(models.Model):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="objections")
    unit_path = models.CharField(max_length=255, db_index=True)
    text = models.TextField(_("异议理由"))
    filed_at = models.DateTimeField(auto_now_add=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    decision = models.TextField(_("处理意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("异议")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="objection_has_reason"),
            models.CheckConstraint(
                condition=Q(status=ObjectionStatus.OPEN, decided_at__isnull=True, decision="")
                | (
                    Q(status__in=[ObjectionStatus.UPHELD, ObjectionStatus.REJECTED])
                    & Q(decided_at__isnull=False)
                    & ~Q(decision="")
                ),
                name="objection_decision_iff_decided",
            ),
            models.UniqueConstraint(
                fields=["result"],
                condition=Q(status=ObjectionStatus.OPEN),
                name="objection_one_open_per_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.result_id} {self.get_status_display()}"


class ElectionStatus(models.TextChoices):
    DRAFT = "draft", _("评选中")
    PUBLISHED = "published", _("已公布")


class TenBestElection(models.Model):
    """十佳 on its own cycle (every two years by default): the list is drawn from the
    published results of the period's years, and publishing it owes each one the election's
    award (people.AwardDue), which pay's next run pays once."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("评选单位")
    )
    unit_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    first_year = models.PositiveSmallIntegerField(_("起始年度"))
    years = models.PositiveSmallIntegerField(_("周期(年)"), default=2)
    size = models.PositiveSmallIntegerField(_("名额"), default=10)
    award = models.DecimalField(_("奖励金额(元)"), max_digits=10, decimal_places=2, default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=ElectionStatus.choices, default=ElectionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("十佳评选")
        ordering = ["-first_year", "unit_path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "first_year"], name="ten_best_one_per_start"),
            models.CheckConstraint(
                condition=Q(years__gte=1, years__lte=5) & Q(size__gte=1, size__lte=100),
                name="ten_best_period_and_size_sane",
            ),
            models.CheckConstraint(condition=Q(award__gte=0), name="ten_best_award_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=ElectionStatus.values), name="ten_best_status_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def last_year(self) -> int:
        return self.first_year + self.years - 1


class TenBestMember(models.Model):
    """One of an election's list, with their rank and mean score over the period."""

    election = models.ForeignKey(TenBestElection, on_delete=models.CASCADE, related_name="members")
    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, db_index=True)
    rank = models.PositiveSmallIntegerField(_("名次"))
    score = models.DecimalField(_("周期平均分"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("十佳名单")
        ordering = ["election", "rank", "worker_id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "worker"], name="ten_best_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.election_id} {self.rank} {self.worker_id}"
