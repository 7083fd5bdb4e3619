"""The roster (登记造册): every community worker, where and as what they served, and when.

History is kept as dated rows (placements, post holdings, insurance, representative roles):
`end` null means current; "as of date D" means `start <= D and (end is null or end > D)`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from shegong.core import lookups  # noqa: F401 - registers the __one_of lookup the CHECKs use
from shegong.core.audit import audit_kinds

# The 56 ethnic groups, in the order of the national standard GB/T 3304; stored by name.
ETHNICITIES: tuple[str, ...] = (
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
)
ETHNICITY_CHOICES = [(name, name) for name in ETHNICITIES]


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Political(models.TextChoices):
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE = "league", _("共青团员")
    DEMOCRATIC = "democratic", _("民主党派")
    MASSES = "masses", _("群众")


class Education(models.TextChoices):
    HIGH_SCHOOL = "high_school", _("高中及以下")
    SECONDARY = "secondary", _("中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


class Source(models.TextChoices):
    ELECTED = "elected", _("选举产生")
    HIRED = "hired", _("聘用")
    SECONDED = "seconded", _("街道下派")
    OTHER = "other", _("其他")


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    LEFT = "left", _("离岗")


class EndReason(models.TextChoices):
    TRANSFER = "transfer", _("调动")
    RESIGN = "resign", _("辞职")
    DISMISSED = "dismissed", _("解聘")
    RETIRED = "retired", _("退休")
    CIVIL_SERVICE = "civil_service", _("考录公务员或事业编")
    OTHER = "other", _("其他")


class CertificateKind(models.TextChoices):
    ASSISTANT = "assistant", _("助理社会工作师")
    SOCIAL_WORKER = "social_worker", _("社会工作师")
    SENIOR = "senior", _("高级社会工作师")
    OTHER = "other", _("其他")


class InsuranceKind(models.TextChoices):
    PENSION = "pension", _("养老保险")
    MEDICAL = "medical", _("医疗保险")
    UNEMPLOYMENT = "unemployment", _("失业保险")
    INJURY = "injury", _("工伤保险")
    MATERNITY = "maternity", _("生育保险")
    HOUSING_FUND = "housing_fund", _("住房公积金")


class RepresentativeKind(models.TextChoices):
    PARTY_CONGRESS = "party_congress", _("党代表")
    NPC = "npc", _("人大代表")
    CPPCC = "cppcc", _("政协委员")


class RepresentativeLevel(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")


@audit_kinds
class PeopleEvent(models.TextChoices):
    """What happened to a worker, as the audit trail names it (the note adds where and when)."""

    WORKER_MOVED = "people.worker_moved", _("调动")
    WORKER_EXITED = "people.worker_exited", _("离岗")
    WORKER_REENTERED = "people.worker_reentered", _("重新入职")
    POST_ASSIGNED = "people.post_assigned", _("任职")
    POST_ENDED = "people.post_ended", _("卸任")
    CERTIFICATE_ADDED = "people.certificate_added", _("取得证书")
    INSURANCE_JOINED = "people.insurance_joined", _("参保")
    INSURANCE_STOPPED = "people.insurance_stopped", _("停保")
    REPRESENTATIVE_ADDED = "people.representative_added", _("任代表委员")
    ID_NUMBER_REFUSED = "people.id_number_refused", _("他人登记该身份证号码被拒")
    GRADE_RECORDED = "people.grade_recorded", _("记载年度考核等次")
    GRADE_WITHDRAWN = "people.grade_withdrawn", _("撤销年度考核等次")
    STANDING_PROPOSED = "people.standing_proposed", _("提出聘用建议")
    STANDING_WITHDRAWN = "people.standing_withdrawn", _("撤回聘用建议")
    STANDING_DECIDED = "people.standing_decided", _("决定聘用建议")
    AWARD_DUE = "people.award_due", _("核定待发奖励")
    AWARD_TAKEN = "people.award_taken", _("待发奖励计入工资")
    AWARD_SETTLED = "people.award_settled", _("待发奖励另行发放")


class YearGrade(models.TextChoices):
    """The one appraisal-grade vocabulary every area reads (pay's factor per grade, the grade
    steps, the worker's record). A scheme with its own names (优秀/称职/基本称职/不称职) maps
    its grades onto these, best to worst; the scheme's names stay on its own results."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


def _ends_after_start(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(end__isnull=True) | Q(end__gte=F("start")),
        name=f"{prefix}_end_not_before_start",
    )


class PostType(models.Model):
    """A post a worker may hold (党组织书记, 居委会主任 …); a configurable list, not code."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_secretary = models.BooleanField(_("党组织书记"), default=False)
    is_director = models.BooleanField(_("居委会主任"), default=False)
    is_leader = models.BooleanField(_("班子成员"), default=False)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Worker(models.Model):
    """One community worker (社区工作者), current or former."""

    name = models.CharField(_("姓名"), max_length=50)
    # Pinyin first letters, lowercase (张三 → "zs"), for search; set by services.
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=50)
    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(
        _("民族"), max_length=8, choices=ETHNICITY_CHOICES, default="汉族", blank=True
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    political = models.CharField(
        _("政治面貌"), max_length=16, choices=Political.choices, default=Political.MASSES
    )
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices)
    major = models.CharField(_("所学专业"), max_length=100, blank=True)
    source = models.CharField(_("来源方式"), max_length=16, choices=Source.choices)
    work_start_date = models.DateField(_("参加社区工作时间"), null=True, blank=True)
    # The current community (the last one, once the worker has left), always of kind COMMUNITY.
    community = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="workers", verbose_name=_("所在社区")
    )
    # A copy of community.path kept in sync by services: scoping is one indexed filter.
    unit_path = models.CharField(max_length=255)
    status = models.CharField(
        _("状态"), max_length=8, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE
    )
    # 一肩挑: currently holds a secretary post and a director post; maintained by services.
    is_dual_role = models.BooleanField(_("一肩挑"), default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("社区工作者")
        verbose_name_plural = _("社区工作者")
        ordering = ["unit_path", "name_initials", "id"]
        # Prefix searches (scope: unit_path LIKE 'path%'; pinyin initials) need pattern
        # operators on PostgreSQL under any collation. One index each instead of the two that
        # db_index=True makes there (plain and _like): the import writes every one of them.
        indexes = [
            models.Index(
                fields=["unit_path", "status"],
                name="worker_unit_path_status",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_initials"],
                name="worker_name_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("id_number"), 18), name="worker_id_number_18_chars"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="worker_name_not_empty"),
            models.CheckConstraint(condition=~Q(unit_path=""), name="worker_unit_path_set"),
            models.CheckConstraint(
                condition=Q(gender__one_of=Gender.values), name="worker_gender_known"
            ),
            models.CheckConstraint(
                condition=Q(ethnicity__one_of=[*ETHNICITIES, ""]), name="worker_ethnicity_known"
            ),
            models.CheckConstraint(
                condition=Q(political__one_of=Political.values), name="worker_political_known"
            ),
            models.CheckConstraint(
                condition=Q(education__one_of=Education.values), name="worker_education_known"
            ),
            models.CheckConstraint(
                condition=Q(source__one_of=Source.values), name="worker_source_known"
            ),
            models.CheckConstraint(
                condition=Q(status__one_of=WorkerStatus.values), name="worker_status_known"
            ),
            models.CheckConstraint(
                condition=Q(work_start_date__isnull=True) | Q(work_start_date__gt=F("birth_date")),
                name="worker_works_after_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Placement(models.Model):
    """A worker's time in one community. Entry opens one, a transfer closes one and opens
    the next, an exit closes the last; at most one is open."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="placements")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    unit_path = models.CharField(max_length=255)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(
        _("结束原因"), max_length=16, choices=EndReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("任职经历")
        verbose_name_plural = _("任职经历")
        ordering = ["worker", "start", "id"]
        indexes = [models.Index(fields=["unit_path", "start", "end"])]
        constraints = [
            _ends_after_start("placement"),
            models.UniqueConstraint(
                fields=["worker"], condition=Q(end__isnull=True), name="placement_one_open"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True, end_reason="")
                | (Q(end__isnull=False) & Q(end_reason__in=EndReason.values)),
                name="placement_reason_iff_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.unit} {self.start}–{self.end or ''}"


class PostHolding(models.Model):
    """A worker holding one post for a time."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="posts")
    post = models.ForeignKey(
        PostType, on_delete=models.PROTECT, related_name="holdings", verbose_name=_("岗位")
    )
    start = models.DateField(_("任职日期"))
    end = models.DateField(_("卸任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("岗位任职")
        verbose_name_plural = _("岗位任职")
        ordering = ["worker", "start", "id"]
        constraints = [
            _ends_after_start("post"),
            models.UniqueConstraint(
                fields=["worker", "post"], condition=Q(end__isnull=True), name="post_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.post} {self.start}–{self.end or ''}"


class Certificate(models.Model):
    """A professional qualification (职业资格) held by a worker."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("证书类别"), max_length=16, choices=CertificateKind.choices)
    number = models.CharField(_("证书编号"), max_length=50, blank=True)
    issued_on = models.DateField(_("取得日期"))

    class Meta:
        verbose_name = _("职业资格证书")
        verbose_name_plural = _("职业资格证书")
        ordering = ["worker", "issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CertificateKind.values), name="certificate_kind_known"
            ),
            models.UniqueConstraint(
                fields=["kind", "number"],
                condition=~Q(number=""),
                name="certificate_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.get_kind_display()}"


class InsuranceEnrolment(models.Model):
    """A worker enrolled in one of the five insurances or the housing fund for a time."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="insurances")
    kind = models.CharField(_("险种"), max_length=16, choices=InsuranceKind.choices)
    start = models.DateField(_("参保日期"))
    end = models.DateField(_("停保日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("参保记录")
        verbose_name_plural = _("参保记录")
        ordering = ["worker", "kind", "start", "id"]
        constraints = [
            _ends_after_start("insurance"),
            models.CheckConstraint(
                condition=Q(kind__in=InsuranceKind.values), name="insurance_kind_known"
            ),
            models.UniqueConstraint(
                fields=["worker", "kind"], condition=Q(end__isnull=True), name="insurance_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.get_kind_display()}"


class RepresentativeRole(models.Model):
    """A worker serving as a party-congress delegate, people's-congress deputy or CPPCC member."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="representative_roles"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=RepresentativeKind.choices)
    level = models.CharField(_("级别"), max_length=16, choices=RepresentativeLevel.choices)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("代表委员")
        verbose_name_plural = _("代表委员")
        ordering = ["worker", "start", "id"]
        constraints = [
            _ends_after_start("representative"),
            models.CheckConstraint(
                condition=Q(kind__in=RepresentativeKind.values),
                name="representative_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(level__in=RepresentativeLevel.values),
                name="representative_level_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.get_level_display()}{self.get_kind_display()}"


class YearlyGrade(models.Model):
    """A worker's appraisal grade of a year, as every area reads it: pay takes the performance
    factor of the year before the month from it, the grade steps leave out its 不合格 years
    (pay/rules.py: steps_due). Written only through people.services (yearly_grades_record):
    by the appraisal when its results are published, or by a pay office for a year no
    appraisal covered. `source_label` says what a person reads (the appraisal's name),
    `source_key` which record it came from ("appraisal.result:17")."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="yearly_grades")
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("考核等次"), max_length=16, choices=YearGrade.choices)
    source_label = models.CharField(_("来源"), max_length=200)
    source_key = models.CharField(max_length=64, blank=True)
    recorded_at = models.DateTimeField(_("记载时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度考核等次")
        verbose_name_plural = _("年度考核等次")
        ordering = ["worker", "year"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "year"], name="yearly_grade_one_per_year"),
            models.CheckConstraint(
                condition=Q(grade__in=YearGrade.values), name="yearly_grade_known"
            ),
            models.CheckConstraint(condition=~Q(source_label=""), name="yearly_grade_has_source"),
        ]
        indexes = [models.Index(fields=["source_key"], name="yearly_grade_source")]

    def __str__(self) -> str:
        return f"{self.worker} {self.year} {self.get_grade_display()}"


class StandingKind(models.TextChoices):
    RENEW = "renew", _("续聘")
    WARN = "warn", _("诫勉")
    DISMISS = "dismiss", _("解聘")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("待决定")
    ACCEPTED = "accepted", _("同意")
    REJECTED = "rejected", _("不同意")


class StandingProposal(models.Model):
    """A proposal on the roster that follows from an appraisal (续聘, 诫勉, 解聘), decided by a
    manager one by one or together (people.services.standing_decide); accepting 解聘 records
    the worker's exit. Written by the appraisal's publication through
    people.services.standing_proposals_record, with the result it came from."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="proposals")
    unit_path = models.CharField(max_length=255, db_index=True)  # the worker's when proposed
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("建议"), max_length=8, choices=StandingKind.choices)
    source_label = models.CharField(_("来源"), max_length=200)
    source_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.CharField(_("决定说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("聘用建议")
        verbose_name_plural = _("聘用建议")
        ordering = ["unit_path", "-year", "worker_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=StandingKind.values), name="proposal_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status=ProposalStatus.PENDING, decided_at__isnull=True)
                | Q(
                    status__in=[ProposalStatus.ACCEPTED, ProposalStatus.REJECTED],
                    decided_at__isnull=False,
                ),
                name="proposal_decided_iff_decided_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.year} {self.get_kind_display()}"


class AwardKind(models.TextChoices):
    CERTIFICATE = "certificate", _("职业资格")
    COURSE = "course", _("培训")
    TEN_BEST = "ten_best", _("十佳")
    OTHER = "other", _("其他")


class AwardDue(models.Model):
    """A one-time amount owed to a worker by another area (an award for a certificate or a
    course), waiting to be paid exactly once: pay's next run takes it
    (people.services.awards_due_take, under a row lock, `taken_at` set once), or it is
    settled outside pay. `source_key` names the record it came from, once."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="awards_due")
    kind = models.CharField(_("类别"), max_length=16, choices=AwardKind.choices)
    title = models.CharField(_("事由"), max_length=100)
    source_label = models.CharField(_("来源"), max_length=200)
    source_key = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(_("金额(元)"), max_digits=10, decimal_places=2)
    due_on = models.DateField(_("核定日期"))
    taken_at = models.DateTimeField(_("发放登记时间"), null=True, blank=True)
    taken_by = models.CharField(_("发放方式"), max_length=200, blank=True)
    taken_period = models.DateField(_("计入工资月份"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发一次性奖励")
        verbose_name_plural = _("待发一次性奖励")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["taken_at", "due_on"], name="award_due_pending")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_due_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=AwardKind.values), name="award_due_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(taken_at__isnull=True, taken_by="")
                | (Q(taken_at__isnull=False) & ~Q(taken_by="")),
                name="award_due_taken_says_how",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.title} {self.amount}"
