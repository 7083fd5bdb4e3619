"""Training and certification (培训与职业资格).

A course (培训班, one 期) is organised by a unit and reaches that unit and everything below it.
Workers are enrolled; attendance is one row per worker per day attended, carrying the community
the worker served in that day (so figures follow the roster of the day, not today's). Yearly
requirements are data per post. Exam registrations carry per-subject results; a pass adds a
certificate to the worker's record and, where configured, a one-time award (一次性奖励).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shegong.core.audit import audit_kinds
from shegong.people.models import CertificateKind


class CourseKind(models.TextChoices):
    CENTRALISED = "centralised", _("集中培训")
    ROTATION = "rotation", _("轮训")
    STUDY_TOUR = "study_tour", _("外出考察学习")
    EXCHANGE = "exchange", _("挂职交流")
    DEGREE = "degree", _("学历教育")
    ONLINE = "online", _("网络培训")


class Course(models.Model):
    """One training session (一期培训班) run by a unit, open to workers below that unit."""

    title = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=CourseKind.choices)
    organiser = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办单位")
    )
    place = models.CharField(_("地点"), max_length=100, blank=True)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    hours_per_day = models.DecimalField(_("每天学时"), max_digits=4, decimal_places=1, default=6)
    capacity = models.PositiveIntegerField(_("名额"))
    # Kept by services with F() inside the enrolment's transaction; the constraint below is
    # the last word on over-capacity, even for two clerks enrolling at the same moment.
    enrolled = models.PositiveIntegerField(_("已报名"), default=0)
    target_posts = models.ManyToManyField(
        "people.PostType", blank=True, related_name="+", verbose_name=_("面向岗位")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # A one-time award for completing the course (结业奖励): owed once to each worker whose
    # attendance meets `award_min_days` (blank: every day of the course), rules.completed.
    award_amount = models.DecimalField(
        _("结业奖励(元)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    award_min_days = models.PositiveSmallIntegerField(_("结业所需出勤天数"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="course_end_not_before_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="course_capacity_positive"),
            models.CheckConstraint(
                condition=Q(enrolled__lte=F("capacity")), name="course_not_over_capacity"
            ),
            models.CheckConstraint(
                condition=Q(hours_per_day__gt=0, hours_per_day__lte=24),
                name="course_hours_per_day_sane",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CourseKind.values), name="course_kind_known"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="course_title_not_empty"),
            models.CheckConstraint(
                condition=Q(award_amount__isnull=True) | Q(award_amount__gt=0),
                name="course_award_positive",
            ),
            models.CheckConstraint(
                condition=Q(award_min_days__isnull=True) | Q(award_min_days__gte=1),
                name="course_award_days_positive",
            ),
        ]
        indexes = [models.Index(fields=["start", "end"])]

    def __str__(self) -> str:
        return self.title

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def completion_days(self) -> int:
        """The days of attendance that complete the course (rules.completed)."""
        return self.award_min_days or self.days


class Enrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    worker = models.ForeignKey(
        "people.Worker", on_delete=models.PROTECT, related_name="training_enrolments"
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["course", "worker__unit_path", "worker__name_initials", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "worker"], name="enrolment_once_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.course}"


class Attendance(models.Model):
    """A worker attended one day of a course. `community` is where the worker was placed
    that day (the service checks the roster); figures for a unit count these."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attendance")
    worker = models.ForeignKey(
        "people.Worker", on_delete=models.PROTECT, related_name="training_attendance"
    )
    community = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区")
    )
    day = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        ordering = ["day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="attendance_once_per_day")
        ]
        indexes = [models.Index(fields=["worker", "day"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.worker} {self.day}"


class Requirement(models.Model):
    """A yearly minimum (e.g. secretaries and directors at least 7 days a year; everyone else
    at least 1 day every 2 years). `post` empty: the default for workers with no post of
    their own requirement. A worker holding several posts meets the strictest."""

    post = models.OneToOneField(
        "people.PostType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("岗位"),
    )
    is_default = models.BooleanField(_("其他人员默认要求"), default=False)
    min_days = models.PositiveSmallIntegerField(_("最少天数"))
    every_years = models.PositiveSmallIntegerField(_("每几年"), default=1)

    class Meta:
        verbose_name = _("培训要求")
        verbose_name_plural = _("培训要求")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="requirement_one_default"
            ),
            models.CheckConstraint(
                condition=Q(is_default=True, post__isnull=True)
                | Q(is_default=False, post__isnull=False),
                name="requirement_post_or_default",
            ),
            models.CheckConstraint(
                condition=Q(every_years__gte=1, every_years__lte=5), name="requirement_years_sane"
            ),
            models.CheckConstraint(condition=Q(min_days__gte=1), name="requirement_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.post or _('其他人员')} {self.min_days}/{self.every_years}"


class ExamSubject(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("社会工作综合能力")
    PRACTICE = "practice", _("社会工作实务")
    SENIOR_PRACTICE = "senior_practice", _("高级社会工作实务")


EXAM_LEVELS = [
    (value, label) for value, label in CertificateKind.choices if value != CertificateKind.OTHER
]


class ExamRegistration(models.Model):
    """A worker sitting the national social-work exam (社会工作者职业资格考试) at one level
    in one year. `passed_on` and `certificate` are set when every subject is passed."""

    worker = models.ForeignKey(
        "people.Worker", on_delete=models.PROTECT, related_name="exam_registrations"
    )
    level = models.CharField(_("级别"), max_length=16, choices=EXAM_LEVELS)
    year = models.PositiveSmallIntegerField(_("年度"))
    passed_on = models.DateField(_("通过日期"), null=True, blank=True)
    certificate = models.OneToOneField(
        "people.Certificate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考试报名")
        verbose_name_plural = _("考试报名")
        ordering = ["-year", "worker__unit_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "level", "year"], name="exam_once_per_level_year"
            ),
            models.CheckConstraint(
                condition=Q(level__in=[v for v, _l in EXAM_LEVELS]), name="exam_level_known"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2008, year__lte=2100), name="exam_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.year} {self.get_level_display()}"


class ExamResult(models.Model):
    registration = models.ForeignKey(
        ExamRegistration, on_delete=models.CASCADE, related_name="results"
    )
    subject = models.CharField(_("科目"), max_length=16, choices=ExamSubject.choices)
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("考试成绩")
        verbose_name_plural = _("考试成绩")
        ordering = ["registration", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "subject"], name="exam_result_once_per_subject"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=150), name="exam_score_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} {self.get_subject_display()} {self.score}"


class AwardRule(models.Model):
    """The one-time award for passing at a level (essay 1: 一次性奖励), in 元."""

    level = models.CharField(_("级别"), max_length=16, choices=EXAM_LEVELS, unique=True)
    amount = models.DecimalField(_("奖励金额(元)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("一次性奖励标准")
        verbose_name_plural = _("一次性奖励标准")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_rule_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.amount}"


class Award(models.Model):
    """A one-time award owed for passing; handed to pay as a one-off item (`paid_on`)."""

    worker = models.ForeignKey("people.Worker", on_delete=models.PROTECT, related_name="+")
    registration = models.OneToOneField(
        ExamRegistration, on_delete=models.PROTECT, related_name="award"
    )
    level = models.CharField(_("级别"), max_length=16, choices=EXAM_LEVELS)
    amount = models.DecimalField(_("金额(元)"), max_digits=10, decimal_places=2)
    granted_on = models.DateField(_("核定日期"))
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("一次性奖励")
        verbose_name_plural = _("一次性奖励")
        ordering = ["-granted_on", "id"]
        constraints = [
            # One-time: a worker is awarded once per level, however often they sit it.
            models.UniqueConstraint(fields=["worker", "level"], name="award_once_per_level"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.get_level_display()} {self.amount}"


class SecondmentKind(models.TextChoices):
    SECONDMENT = "secondment", _("挂职")
    ROTATION = "rotation", _("轮岗")
    EXCHANGE = "exchange", _("交流学习")


class Secondment(models.Model):
    """A worker away on secondment, rotation or exchange: where, from when, and back when."""

    worker = models.ForeignKey(
        "people.Worker", on_delete=models.PROTECT, related_name="secondments"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=SecondmentKind.choices)
    host = models.CharField(_("去向单位"), max_length=100)
    start = models.DateField(_("起始日期"))
    planned_end = models.DateField(_("计划结束日期"), null=True, blank=True)
    returned_on = models.DateField(_("返回日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("挂职交流")
        verbose_name_plural = _("挂职交流")
        ordering = ["-start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SecondmentKind.values), name="secondment_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | Q(planned_end__gte=F("start")),
                name="secondment_plan_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("start")),
                name="secondment_return_not_before_start",
            ),
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(returned_on__isnull=True),
                name="secondment_one_open",
            ),
            models.CheckConstraint(condition=~Q(host=""), name="secondment_host_set"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.get_kind_display()} {self.host}"


@audit_kinds
class TrainingEvent(models.TextChoices):
    """What happened in training, as the audit trail names it (the note adds the detail)."""

    ENROLLED = "training.enrolled", _("培训报名")
    WITHDRAWN = "training.withdrawn", _("培训退报")
    ATTENDANCE_MARKED = "training.attendance_marked", _("培训签到")
    EXAM_REGISTERED = "training.exam_registered", _("报考职业资格")
    EXAM_RESULT_RECORDED = "training.exam_result_recorded", _("登记考试成绩")
    AWARD_PAID = "training.award_paid", _("发放一次性奖励")
    SECONDMENT_STARTED = "training.secondment_started", _("挂职交流")
    SECONDMENT_RETURNED = "training.secondment_returned", _("挂职交流返回")
