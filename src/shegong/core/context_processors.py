from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from shegong.core.access import Permission, files_only, has_permission, root_paths


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The areas a user can open. Only areas that work are listed, and only those the role
    can use: pay amounts are personal data, so the pay area is listed only for a user with
    the personal-data right somewhere (a clerk would find every amount masked). The API docs
    are linked from the account page of users who use the API, not from here."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    if files_only(user):
        # A department account files applications and sees no unit's records: the other
        # areas would open empty.
        return _lit(
            request,
            [
                (_("首页"), reverse("dashboard")),
                (_("准入申请"), reverse("burden:applications")),
                (_("我的任务"), reverse("tasks:list")),
            ],
            pay_visible=False,
        )
    items = [
        (_("首页"), reverse("dashboard")),
        (_("组织架构"), reverse("orgs:tree")),
        (_("社区工作者"), reverse("people:list")),
        (_("结构分析"), reverse("reports:structure")),
        (_("年度报告"), reverse("annual:index")),
    ]
    pay_visible = bool(root_paths(user, Permission.PERSONAL_DATA))
    if pay_visible:
        items.append((_("待遇"), reverse("pay:runs")))
    items += [
        (_("考核评议"), reverse("appraisal:index")),
        (_("培训"), reverse("training:list")),
        (_("社区减负"), reverse("burden:index")),
        (_("社区资源"), reverse("resources:dashboard")),
        (_("我的任务"), reverse("tasks:list")),
    ]
    if has_permission(user, Permission.AUDIT):
        items.append((_("账号管理"), reverse("users")))
        items.append((_("审计记录"), reverse("audit")))
    return _lit(request, items, pay_visible=pay_visible)


def _lit(
    request: HttpRequest, items: list[tuple[str, str]], *, pay_visible: bool
) -> dict[str, Any]:
    current = request.path
    return {
        "pay_visible_anywhere": pay_visible,
        "nav": [
            {
                "label": label,
                "url": url,
                "active": current == url or (url != "/" and current.startswith(_area_of(url))),
            }
            for label, url in items
        ],
    }


def _area_of(url: str) -> str:
    """The area's prefix of a nav link ("/resources/dashboard/" → "/resources/"), so the item
    stays lit on every page of its area, not only on the page it links to."""
    return "/" + url.strip("/").split("/")[0] + "/"
