"""Community resources (社区资源): venues and their bookings; residents and their teams.

A venue (场地) serves a community: its own rooms, or rooms a unit, company or school opens to
the community's residents (essays 2 and 7: venues that stay closed while residents have
nowhere to go). It has opening hours on some weekdays, a capacity, a price or none, and says
whether its owner must approve a booking. A booking holds the venue from `starts_at` to
`ends_at`; confirmed bookings of one venue never overlap, which the database itself enforces
(an exclusion constraint over the time range on PostgreSQL, triggers on SQLite: see the
migration `0001_venues_and_bookings`). A series (a team every Thursday for a season) is one
row that its bookings point to.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shegong.core.audit import audit_kinds
from shegong.people.models import Gender


class OwnerKind(models.TextChoices):
    COMMUNITY = "community", _("社区自有")
    UNIT = "unit", _("机关事业单位")
    COMPANY = "company", _("企业")
    SCHOOL = "school", _("学校")


class Venue(models.Model):
    """A room or ground residents of `community` may book."""

    community = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务社区")
    )
    name = models.CharField(_("名称"), max_length=100)
    owner_kind = models.CharField(_("产权方"), max_length=16, choices=OwnerKind.choices)
    owner_name = models.CharField(_("产权单位"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    area = models.DecimalField(_("面积(平方米)"), max_digits=8, decimal_places=1, default=0)
    capacity = models.PositiveIntegerField(_("容纳人数"))
    price_per_hour = models.DecimalField(
        _("每小时收费(元)"), max_digits=10, decimal_places=2, default=0
    )
    opens = models.TimeField(_("开放时间"))
    closes = models.TimeField(_("关闭时间"))
    # ISO weekdays the venue opens, "1" Monday … "7" Sunday, e.g. "12345" or "67".
    weekdays = models.CharField(_("开放日"), max_length=7, default="1234567")
    requires_approval = models.BooleanField(_("需产权方审批"), default=False)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = _("场地")
        ordering = ["community__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="venue_name_per_community"),
            models.CheckConstraint(condition=~Q(name=""), name="venue_name_set"),
            models.CheckConstraint(
                condition=Q(owner_kind__in=OwnerKind.values), name="venue_owner_kind_known"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="venue_capacity_positive"),
            models.CheckConstraint(condition=Q(area__gte=0), name="venue_area_not_negative"),
            models.CheckConstraint(
                condition=Q(price_per_hour__gte=0), name="venue_price_not_negative"
            ),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="venue_opens_first"),
            models.CheckConstraint(condition=~Q(weekdays=""), name="venue_opens_some_day"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return not self.price_per_hour

    @property
    def is_shared(self) -> bool:
        """Opened to residents by a unit, company or school (not the community's own)."""
        return self.owner_kind != OwnerKind.COMMUNITY


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("未批准")
    CANCELLED = "cancelled", _("已取消")


class BookingSeries(models.Model):
    """A recurring booking: the same hours every `weekday` from `first_day` to `last_day`."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="series")
    title = models.CharField(_("用途"), max_length=100)
    booker = models.CharField(_("预约方"), max_length=100)
    weekday = models.PositiveSmallIntegerField(_("每周几"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    first_day = models.DateField(_("首日"))
    last_day = models.DateField(_("末日"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("周期预约")
        verbose_name_plural = _("周期预约")
        ordering = ["-first_day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="series_weekday_iso"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="series_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="series_last_not_before_first"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.title}"


class Booking(models.Model):
    """The venue held from `starts_at` to `ends_at` (end excluded). Only confirmed bookings
    hold it: the database refuses a confirmed booking that overlaps another of its venue."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="bookings")
    series = models.ForeignKey(
        BookingSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    title = models.CharField(_("用途"), max_length=100)
    booker = models.CharField(_("预约方"), max_length=100)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    expected = models.PositiveIntegerField(_("预计人数"), default=0)
    present = models.PositiveIntegerField(_("实到人数"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=BookingStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("场地预约")
        verbose_name_plural = _("场地预约")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values), name="booking_status_known"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="booking_title_set"),
        ]
        indexes = [models.Index(fields=["venue", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.venue} {self.title}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class Resident(models.Model):
    """A resident the community records with their consent (登记造册): a team member, and later
    a talent or volunteer. Phone, ID number and birth date are personal data (masked for roles
    without the right, every unmasked list audited). Without consent nobody is recorded;
    `consent_until` ends it (the resident is no longer named in lists after that day)."""

    community = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区")
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    consent_on = models.DateField(_("同意登记日期"))
    consent_until = models.DateField(_("同意有效期至"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["community__path", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="resident_name_set"),
            models.CheckConstraint(
                condition=Q(gender__in=Gender.values), name="resident_gender_known"
            ),
            models.CheckConstraint(
                condition=Q(consent_until__isnull=True) | Q(consent_until__gte=F("consent_on")),
                name="resident_consent_ends_after_it_began",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    CULTURE = "culture", _("文艺队")
    SPORTS = "sports", _("体育健身队")
    FOLK_ART = "folk_art", _("民间艺术团体")
    EXERCISE_POINT = "exercise_point", _("健身点")
    OTHER = "other", _("其他")


class Team(models.Model):
    """A culture or sports team of a community or street (essay 2: 11 teams of about 30)."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属单位")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=TeamKind.choices)
    leader = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("负责人"),
    )
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("活动场地"),
    )
    practice_place = models.CharField(_("活动地点"), max_length=100, blank=True)
    practice_time = models.CharField(_("活动时间"), max_length=100, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    active = models.BooleanField(_("活跃"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文体队伍")
        verbose_name_plural = _("文体队伍")
        ordering = ["unit__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="team_name_per_unit"),
            models.CheckConstraint(condition=~Q(name=""), name="team_name_set"),
            models.CheckConstraint(condition=Q(kind__in=TeamKind.values), name="team_kind_known"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="teams")
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["team", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "resident"],
                condition=Q(left_on__isnull=True),
                name="team_member_once_at_a_time",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="team_member_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.team}"


class TeamRecordKind(models.TextChoices):
    PRACTICE = "practice", _("训练")
    PERFORMANCE = "performance", _("演出")
    AWARD = "award", _("获奖")


class AwardLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区县级")
    STREET = "street", _("街道级")


class TeamRecord(models.Model):
    """Something the team did on a day: a practice, a performance or an award won. A team's
    activity is counted from these rows, not from what anyone reports as a total."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("类别"), max_length=16, choices=TeamRecordKind.choices)
    day = models.DateField(_("日期"))
    title = models.CharField(_("内容"), max_length=100)
    level = models.CharField(_("级别"), max_length=16, choices=AwardLevel.choices, blank=True)
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("队伍活动记录")
        verbose_name_plural = _("队伍活动记录")
        ordering = ["-day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TeamRecordKind.values), name="team_record_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(kind="award", level__in=AwardLevel.values)
                | (~Q(kind="award") & Q(level="")),
                name="team_record_award_has_level",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="team_record_title_set"),
        ]
        indexes = [models.Index(fields=["team", "day"])]

    def __str__(self) -> str:
        return f"{self.team} {self.get_kind_display()} {self.title}"


class TalentCategory(models.TextChoices):
    ART = "art", _("文艺")
    SPORTS = "sports", _("体育")
    CRAFT = "craft", _("手工技艺")
    EDUCATION = "education", _("教育培训")
    HEALTH = "health", _("医疗健康")
    LAW = "law", _("法律")
    OTHER = "other", _("其他")


class TalentLevel(models.TextChoices):
    AMATEUR = "amateur", _("爱好者")
    SKILLED = "skilled", _("骨干")
    EXPERT = "expert", _("专业")


class Talent(models.Model):
    """A resident who offers a skill to the community (文化人才库, 登记造册). They may be
    contacted only while their consent to be contacted lasts (`contact_until`): after that,
    and once their consent to be recorded ends, they are not listed."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="talents")
    category = models.CharField(_("类别"), max_length=16, choices=TalentCategory.choices)
    skill = models.CharField(_("特长"), max_length=100)
    level = models.CharField(_("水平"), max_length=16, choices=TalentLevel.choices)
    availability = models.CharField(_("可服务时间"), max_length=100, blank=True)
    contact_until = models.DateField(_("同意联系至"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人才")
        verbose_name_plural = _("人才库")
        ordering = ["category", "skill", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "skill"], name="talent_skill_once"),
            models.CheckConstraint(condition=~Q(skill=""), name="talent_skill_set"),
            models.CheckConstraint(
                condition=Q(category__in=TalentCategory.values), name="talent_category_known"
            ),
            models.CheckConstraint(
                condition=Q(level__in=TalentLevel.values), name="talent_level_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.skill}"


class ActivityKind(models.TextChoices):
    CULTURE = "culture", _("文化")
    SPORTS = "sports", _("体育")
    VOLUNTEER = "volunteer", _("志愿服务")
    EDUCATION = "education", _("教育讲座")
    OTHER = "other", _("其他")


class Activity(models.Model):
    """An activity of a community or street: planned, then held. Volunteers' hours and
    residents' participation hang off it."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办单位")
    )
    title = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=ActivityKind.choices)
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="activities"
    )
    organiser = models.CharField(_("组织者"), max_length=100, blank=True)
    advisor = models.ForeignKey(
        Talent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="advised",
        verbose_name=_("辅导员"),
    )
    day = models.DateField(_("日期"))
    held = models.BooleanField(_("已举办"), default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-day", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="activity_title_set"),
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="activity_kind_known"
            ),
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return self.title


class Volunteer(models.Model):
    """A registered volunteer (a resident who consented). `id_number` is what the national
    volunteer system identifies a person by; personal data like the resident's phone. The
    personal link for self-reported hours is a random key shown once; only its hash is kept."""

    resident = models.OneToOneField(Resident, on_delete=models.PROTECT, related_name="volunteer")
    id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True)
    skills = models.CharField(_("技能特长"), max_length=200, blank=True)
    registered_on = models.DateField(_("注册日期"))
    link_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["resident__community__path", "resident__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["link_hash"], condition=~Q(link_hash=""), name="volunteer_link_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.resident)


class StarLevel(models.Model):
    """A star level of the national volunteer system (一星 100 h … 五星 1,500 h): data."""

    stars = models.PositiveSmallIntegerField(_("星级"), unique=True)
    name = models.CharField(_("名称"), max_length=20)
    min_hours = models.DecimalField(_("累计时长(小时)"), max_digits=8, decimal_places=1)

    class Meta:
        verbose_name = _("星级标准")
        verbose_name_plural = _("星级标准")
        ordering = ["stars"]
        constraints = [
            models.CheckConstraint(condition=Q(min_hours__gt=0), name="star_hours_positive")
        ]

    def __str__(self) -> str:
        return self.name


class RecordSource(models.TextChoices):
    CLERK = "clerk", _("工作人员录入")
    SELF = "self", _("本人申报")


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("未确认")


class ServiceRecord(models.Model):
    """A volunteer's hours at one activity. One row per volunteer and activity, whoever
    entered it: a self-report and the clerk's entry for the same activity are this one row
    (the constraint), so an hour is counted once. Declined rows stay (never deleted)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="service")
    hours = models.DecimalField(_("服务时长(小时)"), max_digits=5, decimal_places=1)
    content = models.CharField(_("服务内容"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=8, choices=RecordSource.choices)
    status = models.CharField(_("状态"), max_length=16, choices=RecordStatus.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["-activity__day", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "activity"], name="service_once_per_activity"
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24), name="service_hours_within_a_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RecordStatus.values), name="service_status_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=RecordSource.values), name="service_source_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.activity} {self.hours}"


class Participation(models.Model):
    """A resident signed up for an activity, and whether they came. Participation by age is
    counted from these rows with each resident's age on the activity's day."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField(_("到场"), default=False)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "resident"], name="participation_once_per_activity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.activity}"


class VolunteerCertificate(models.Model):
    """A service certificate (志愿服务证明): identity, confirmed hours of a period, issuer,
    number and date, as the national volunteer system's certificates carry them. The hours
    are fixed when it is issued; the number is unique."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("证明编号"), max_length=32, unique=True)
    issuer = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("出具单位")
    )
    first = models.DateField(_("服务起始日期"))
    last = models.DateField(_("服务截止日期"))
    hours = models.DecimalField(_("服务时长(小时)"), max_digits=8, decimal_places=1)
    issued_on = models.DateField(_("出具日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="certificate_hours_positive"),
            models.CheckConstraint(
                condition=Q(last__gte=F("first")), name="certificate_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ActivityRating(models.Model):
    """The street's rating of a held activity (1–5): who rated, when, and why. One rating
    per activity and rater (rating again replaces it); an activity's quality is the average."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(_("评分"))
    note = models.CharField(_("评语"), max_length=200, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("评分时间"))

    class Meta:
        verbose_name = _("活动质量评分")
        verbose_name_plural = _("活动质量评分")
        ordering = ["activity", "rated_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "rated_by"], name="rating_once_per_rater"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.score}"


class AwardSubject(models.TextChoices):
    TEAM = "team", _("文体队伍")
    COMMUNITY = "community", _("社区")


class PayMode(models.TextChoices):
    PER_POINT = "per_point", _("按分值计奖")
    TIERS = "tiers", _("按档次计奖")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PROPOSED = "proposed", _("已测算")
    APPROVED = "approved", _("已审批")
    SUPERSEDED = "superseded", _("已被新版本替代")


# The five things scored, in the order they are shown; each has a weight (points per unit)
# and an optional cap (the most points it may give) on the scheme: `<factor>_weight`,
# `<factor>_cap`.
AWARD_FACTORS = ("members", "activities", "participants", "quality", "awards_won")


def _weight(label: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(label, max_digits=8, decimal_places=2, default=0)


def _cap(label: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(label, max_digits=8, decimal_places=2, null=True, blank=True)


class AwardScheme(models.Model):
    """以奖代补: how a district scores its teams (or its communities) for a year, and what a
    point is worth. Set by the district; frozen once awards are proposed from it (a change
    is a new version, the old one superseded); at most one approved version per district,
    year and subject (the database refuses a second), and only that one is funded."""

    district = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    subject = models.CharField(_("评选对象"), max_length=16, choices=AwardSubject.choices)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    members_weight = _weight(_("每名成员得分"))
    members_cap = _cap(_("成员得分上限"))
    activities_weight = _weight(_("每场活动得分"))
    activities_cap = _cap(_("活动得分上限"))
    participants_weight = _weight(_("每参与人次得分"))
    participants_cap = _cap(_("参与得分上限"))
    quality_weight = _weight(_("平均质量评分每分得分"))
    quality_cap = _cap(_("质量得分上限"))
    awards_won_weight = _weight(_("每项获奖得分"))
    awards_won_cap = _cap(_("获奖得分上限"))
    min_members = models.PositiveIntegerField(_("成员不少于"), default=0)
    min_activities = models.PositiveIntegerField(_("活动不少于(场)"), default=0)
    min_quality = models.DecimalField(
        _("平均质量评分不低于"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    pay_mode = models.CharField(
        _("计奖方式"), max_length=16, choices=PayMode.choices, default=PayMode.PER_POINT
    )
    yuan_per_point = models.DecimalField(
        _("每分奖励(元)"), max_digits=10, decimal_places=2, default=0
    )
    # Tiers: [{"points": "80", "amount": "8000.00"}, …], the highest tier reached pays.
    tiers = models.JSONField(_("奖励档次"), default=list, blank=True)
    budget = models.DecimalField(_("年度预算(元)"), max_digits=14, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("测算时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("以奖代补方案")
        verbose_name_plural = _("以奖代补方案")
        ordering = ["-year", "district__path", "subject", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "subject", "version"], name="award_scheme_version"
            ),
            models.UniqueConstraint(
                fields=["district", "year", "subject"],
                condition=Q(status="approved"),
                name="award_scheme_approved_once",
            ),
            models.CheckConstraint(
                condition=Q(subject__in=AwardSubject.values), name="award_scheme_subject_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SchemeStatus.values), name="award_scheme_status_known"
            ),
            models.CheckConstraint(
                condition=Q(pay_mode__in=PayMode.values), name="award_scheme_pay_mode_known"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="award_scheme_year_sane"
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0, yuan_per_point__gte=0),
                name="award_scheme_money_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    members_weight__gte=0,
                    activities_weight__gte=0,
                    participants_weight__gte=0,
                    quality_weight__gte=0,
                    awards_won_weight__gte=0,
                ),
                name="award_scheme_weights_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "superseded"])
                | Q(proposed_by__isnull=False, proposed_at__isnull=False),
                name="award_scheme_proposed_by_someone",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="award_scheme_approved_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.year} {self.get_subject_display()} v{self.version}"


class IncentiveAward(models.Model):
    """One team's or community's proposed award under a scheme, with every input counted
    from the records when it was proposed, the points, and the amount: proposed by the
    formula, adjusted by a manager with a reason. Paid to `community` (a team's own)."""

    scheme = models.ForeignKey(AwardScheme, on_delete=models.CASCADE, related_name="awards")
    community = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="incentive_awards"
    )
    members = models.PositiveIntegerField(_("成员(人)"))
    activities = models.PositiveIntegerField(_("活动(场)"))
    participants = models.PositiveIntegerField(_("参与(人次)"))
    ratings = models.PositiveIntegerField(_("评分次数"))
    quality = models.DecimalField(
        _("平均质量评分"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    awards_won = models.PositiveIntegerField(_("获奖(项)"))
    points = models.DecimalField(_("得分"), max_digits=10, decimal_places=2)
    eligible = models.BooleanField(_("符合条件"))
    shortfall = models.CharField(_("未达条件"), max_length=200, blank=True)
    proposed_amount = models.DecimalField(_("测算金额(元)"), max_digits=14, decimal_places=2)
    amount = models.DecimalField(_("奖励金额(元)"), max_digits=14, decimal_places=2)
    adjust_reason = models.CharField(_("调整理由"), max_length=200, blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adjusted_at = models.DateTimeField(_("调整时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("以奖代补奖励")
        verbose_name_plural = _("以奖代补奖励")
        ordering = ["scheme", "-points", "community__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "team"],
                condition=Q(team__isnull=False),
                name="award_once_per_team",
            ),
            models.UniqueConstraint(
                fields=["scheme", "community"],
                condition=Q(team__isnull=True),
                name="award_once_per_community",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, proposed_amount__gte=0, points__gte=0),
                name="award_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(adjusted_by__isnull=True) | ~Q(adjust_reason=""),
                name="award_adjusted_with_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team or self.community} {self.amount}"


@audit_kinds
class ItemKind(models.TextChoices):
    MEASURED = "measured", _("按数据核对")
    CHECKED = "checked", _("现场检查")


class Standard(models.Model):
    """A standard communities are held to (五有, 示范社区 …): data, not code. `unit` is the
    bureau or street that set it, and it applies to the communities under that unit; a
    standard of no unit (the seeded 五有) applies to every community."""

    key = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("制定单位"),
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("达标标准")
        verbose_name_plural = _("达标标准")
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="standard_name_set")]

    def __str__(self) -> str:
        return self.name


class StandardItem(models.Model):
    """One item of a standard: measured from profile and resource data (one of the measures
    resources/rules.MEASURES knows, met at or above `threshold`), or checked by an inspector
    on the spot (制度上墙, 设备配备 …)."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(_("代码"), max_length=40)
    label = models.CharField(_("项目"), max_length=100)
    kind = models.CharField(_("核对方式"), max_length=16, choices=ItemKind.choices)
    measure = models.CharField(_("指标"), max_length=32, blank=True)
    threshold = models.DecimalField(
        _("达标值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("标准项目")
        verbose_name_plural = _("标准项目")
        ordering = ["standard", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "key"], name="standard_item_key_once"),
            models.CheckConstraint(
                condition=(
                    Q(kind="measured", threshold__isnull=False, threshold__gte=0) & ~Q(measure="")
                )
                | Q(kind="checked", measure="", threshold__isnull=True),
                name="standard_item_measured_or_checked",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class StandardCheck(models.Model):
    """An inspector's check of one item at one community: who, when, met or not, a note.
    Never changed: a later check supersedes it (the latest on or before a date counts)."""

    item = models.ForeignKey(StandardItem, on_delete=models.PROTECT, related_name="checks")
    community = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    checked_on = models.DateField(_("检查日期"))
    met = models.BooleanField(_("达标"))
    note = models.CharField(_("检查意见"), max_length=300, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("达标检查")
        verbose_name_plural = _("达标检查")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["community", "item", "checked_on"])]

    def __str__(self) -> str:
        return f"{self.item} {self.checked_on}"


@audit_kinds
class ResourceEvent(models.TextChoices):
    """What happened to community resources, as the audit trail names it."""

    BOOKED = "resources.booked", _("预约场地")
    SERIES_BOOKED = "resources.series_booked", _("周期预约场地")
    BOOKING_APPROVED = "resources.booking_approved", _("批准场地预约")
    BOOKING_DECLINED = "resources.booking_declined", _("不批准场地预约")
    BOOKING_CANCELLED = "resources.booking_cancelled", _("取消场地预约")
    HEADCOUNT_RECORDED = "resources.headcount_recorded", _("登记实到人数")
    MEMBER_JOINED = "resources.member_joined", _("队员加入")
    MEMBER_LEFT = "resources.member_left", _("队员退出")
    TEAM_RECORDED = "resources.team_recorded", _("登记队伍活动")
    HOURS_ENTERED = "resources.hours_entered", _("录入志愿服务时长")
    HOURS_REPORTED = "resources.hours_reported", _("志愿者申报服务时长")
    HOURS_CONFIRMED = "resources.hours_confirmed", _("确认志愿服务时长")
    HOURS_DECLINED = "resources.hours_declined", _("不予确认志愿服务时长")
    LINK_ISSUED = "resources.link_issued", _("发放志愿者申报链接")
    SIGNED_UP = "resources.signed_up", _("活动报名")
    ATTENDANCE_MARKED = "resources.attendance_marked", _("活动签到")
    CERTIFICATE_ISSUED = "resources.certificate_issued", _("出具志愿服务证明")
    ADVISOR_NAMED = "resources.advisor_named", _("聘请活动辅导员")
    ACTIVITY_RATED = "resources.activity_rated", _("评价活动质量")
    AWARDS_PROPOSED = "resources.awards_proposed", _("测算以奖代补")
    AWARD_ADJUSTED = "resources.award_adjusted", _("调整以奖代补金额")
    AWARDS_APPROVED = "resources.awards_approved", _("审批以奖代补")
    SCHEME_VERSIONED = "resources.scheme_versioned", _("以奖代补方案新版本")
    STANDARD_CREATED = "resources.standard_created", _("制定达标标准")
    STANDARD_ITEM_ADDED = "resources.standard_item_added", _("增加标准项目")
    STANDARD_CHECKED = "resources.standard_checked", _("登记达标检查")
