"""The parts of the annual report a person writes: 存在问题, 对策建议 and extra paragraphs;
and the chapters a background job last computed, for the page of a large unit.

Each save of a written part is a new version (nothing is overwritten); the document takes the
latest version of each part for its unit and year. The figures of a document are always read
from live data; a KeptChapters row only lets a city's page show what its last job found
(with the day it was computed) instead of computing it while the page loads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.audit import audit_kinds
from shegong.orgs.models import Unit


class PartKey(models.TextChoices):
    """Where a written part goes in the document."""

    FOREWORD = "foreword", _("前言")
    BASIC = "basic", _("基本情况补充")
    RESULTS = "results", _("主要成效")
    PROBLEMS = "problems", _("存在问题")
    SUGGESTIONS = "suggestions", _("对策建议")


@audit_kinds
class AnnualEvent(models.TextChoices):
    """What happened to an annual report, as the audit trail names it."""

    PART_SAVED = "annual.part_saved", _("修改年度报告撰写内容")
    CHAPTERS_KEPT = "annual.chapters_kept", _("保存年度报告统计结果")


class WrittenPart(models.Model):
    """One version of one written part of one unit's report of one year."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="annual_parts")
    unit_path = models.CharField(max_length=255)
    year = models.PositiveSmallIntegerField(_("年度"))
    key = models.CharField(_("部分"), max_length=16, choices=PartKey.choices)
    version = models.PositiveIntegerField(_("版本"))
    text = models.TextField(_("内容"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("撰写人"),
    )
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度报告撰写内容")
        ordering = ["unit_path", "year", "key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "key", "version"], name="annual_part_one_per_version"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="annual_part_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="annual_part_year_sane"
            ),
        ]
        indexes = [models.Index(fields=["unit_path", "year"], name="annual_part_path_year")]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_key_display()}(第{self.version}版)"


class KeptChapters(models.Model):
    """The chapters of one unit's report of one year as the last job of `owner` computed them
    (one row per unit, year and owner, replaced by the next job). Per owner, because the
    figures are those of the owner's scope and rights; the page shows a viewer only their
    own."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    year = models.PositiveSmallIntegerField(_("年度"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(_("数据截至"))
    computed_at = models.DateTimeField(_("统计时间"))
    chapters = models.JSONField(default=list)

    class Meta:
        verbose_name = _("年度报告统计结果")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "owner"], name="annual_kept_one_per_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年({self.computed_at:%Y-%m-%d %H:%M})"
