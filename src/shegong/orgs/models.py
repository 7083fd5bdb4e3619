from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.audit import audit_kinds


class UnitKind(models.IntegerChoices):
    """The levels of the tree; a unit's parent is always exactly one level up."""

    CITY = 1, _("市")
    DISTRICT = 2, _("区/县")
    STREET = 3, _("街道/乡镇")
    COMMUNITY = 4, _("社区")


class Unit(models.Model):
    """One node of city > district > street > community."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.PositiveSmallIntegerField(_("层级"), choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    # Materialised path: the codes from the root down, each followed by "/".
    # "This unit and below" is `path__startswith=unit.path`, one indexed prefix filter.
    path = models.CharField(max_length=255, unique=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__gte=1, kind__lte=4), name="unit_kind_known"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, kind=UnitKind.CITY)
                | Q(parent__isnull=False, kind__gt=UnitKind.CITY),
                name="unit_only_city_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/")


class AreaType(models.TextChoices):
    URBAN = "urban", _("城市社区")
    RURAL = "rural", _("农村社区")


@audit_kinds
class OrgEvent(models.TextChoices):
    """What happened in the org tree, as the audit trail names it."""

    UNIT_MOVED = "orgs.unit_moved", _("调整隶属关系")


class Premises(models.TextChoices):
    OWNED = "owned", _("自有")
    RENTED = "rented", _("租用")


class CommunityProfile(models.Model):
    """What a community is: size, space and how its office is held."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    households = models.PositiveIntegerField(_("户数"), default=0)
    residents = models.PositiveIntegerField(_("常住人口"), default=0)
    area_type = models.CharField(
        _("城乡类型"), max_length=8, choices=AreaType.choices, default=AreaType.URBAN
    )
    office_area = models.DecimalField(
        _("办公用房面积(㎡)"), max_digits=10, decimal_places=2, default=0
    )
    activity_area = models.DecimalField(
        _("活动用房面积(㎡)"), max_digits=10, decimal_places=2, default=0
    )
    premises = models.CharField(
        _("用房产权"), max_length=8, choices=Premises.choices, default=Premises.OWNED
    )

    class Meta:
        verbose_name = _("社区概况")
        constraints = [
            models.CheckConstraint(
                condition=Q(office_area__gte=0) & Q(activity_area__gte=0),
                name="profile_areas_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(households__gte=0) & Q(residents__gte=0),
                name="profile_counts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name}概况"


class FundingSource(models.TextChoices):
    FISCAL = "fiscal", _("财政拨款")
    STREET = "street", _("街道补助")
    AWARD = "award", _("以奖代补")
    JOINT = "joint", _("共驻共建")
    OTHER = "other", _("其他")


class CommunityFunding(models.Model):
    """A community's funding for one year from one source (元, Decimal)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="fundings")
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("来源"), max_length=8, choices=FundingSource.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("社区经费")
        ordering = ["-year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "source"], name="funding_one_row_per_source"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_not_negative"),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="funding_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year} {self.get_source_display()}"
