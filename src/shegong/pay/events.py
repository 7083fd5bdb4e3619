"""What the audit trail records of the pay area: one kind per event (registered with the
core audit kit, so the trail's filter lists them and shows their labels)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.audit import audit_kinds


@audit_kinds
class PayEvent(models.TextChoices):
    SCHEME_CREATED = "pay.scheme_created", _("建立等级方案")
    SETTINGS_CHANGED = "pay.settings_changed", _("修改待遇设置")
    RATES_SET = "pay.rates_set", _("设置社保公积金费率")
    WAGE_SET = "pay.wage_set", _("设置职工平均工资")
    POLICY_SET = "pay.policy_set", _("设置薪酬构成")
    SCHEME_SET = "pay.scheme_set", _("设置等级方案")
    SCHEME_REVISED = "pay.scheme_revised", _("调整等级方案金额")
    CONFIG_LOADED = "pay.config_loaded", _("载入待遇配置文件")
    PERFORMANCE_RECORDED = "pay.performance_recorded", _("登记考核等次")
    ADJUSTMENT_ADDED = "pay.adjustment_added", _("一次性发放")
    GRADE_PLACED = "pay.grade_placed", _("初次定级")
    GRADE_ASSIGNED = "pay.grade_assigned", _("调整等级档次")
    GRADE_CORRECTED = "pay.grade_corrected", _("更正初次定级")
    GRADE_STEPPED = "pay.grade_stepped", _("按年限晋档")
    RUN_COMPUTED = "pay.run_computed", _("计算工资")
    RUN_CORRECTED = "pay.run_corrected", _("建立更正批次")
    RUN_REVIEWED = "pay.run_reviewed", _("复核工资")
    RUN_APPROVED = "pay.run_approved", _("审批工资")
    RUN_DISCARDED = "pay.run_discarded", _("作废工资批次")
