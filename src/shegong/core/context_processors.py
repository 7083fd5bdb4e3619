from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from shegong.core.access import Permission, has_permission


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The areas a user can open. Only areas that work are listed."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = [
        (_("首页"), reverse("dashboard")),
        (_("组织架构"), reverse("orgs:tree")),
        (_("社区工作者"), reverse("people:list")),
        (_("结构分析"), reverse("reports:structure")),
        (_("年度报告"), reverse("annual:index")),
        (_("待遇"), reverse("pay:runs")),
        (_("考核评议"), reverse("appraisal:index")),
        (_("培训"), reverse("training:list")),
        (_("我的任务"), reverse("tasks:list")),
    ]
    if has_permission(user, Permission.AUDIT):
        items.append((_("账号管理"), reverse("users")))
        items.append((_("审计记录"), reverse("audit")))
    items.append((_("接口文档"), reverse("api-docs")))
    current = request.path
    return {
        "nav": [
            {
                "label": label,
                "url": url,
                "active": (current.startswith(url) and url != "/") or current == url,
            }
            for label, url in items
        ]
    }
