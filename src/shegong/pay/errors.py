"""The pay area's refusals: what a page, the API and the console answer with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shegong.core.errors import ServiceError

if TYPE_CHECKING:
    from shegong.pay.models import PayRun

# access.require's message for every pay write ("%(unit)s" becomes the unit's name).
MANAGE_PAY = _lazy("您没有权限管理%(unit)s的待遇")
# ... and for changing a pay setting: the pay office (an admin) only.
SET_PAY = _lazy("只有%(unit)s的单位管理员(待遇经办)可以修改待遇设置")


class SettingsInvalid(ServiceError):
    """Values a setting may not hold; `faults` are (field, reason), every one of them."""

    def __init__(self, faults: list[tuple[str, str]]) -> None:
        super().__init__(";".join(reason for _field, reason in faults), field=faults[0][0])
        self.faults = faults


class PayRunExists(ServiceError):
    """The run asked for is already made (a double submit, or a correction made twice):
    `run` is that run, for the page or the API to answer with."""

    def __init__(self, run: PayRun, message: str) -> None:
        super().__init__(message)
        self.run = run


class PayRunRefused(ServiceError):
    """A run (or a placement) that cannot be made; `faults` names every worker and setting at
    fault, `ungraded` the workers (id, name) that initial placement (初次定级) would fix: without a
    grade, or graded in a scheme no longer in force."""

    def __init__(self, faults: list[str], *, ungraded: list[tuple[int, str]] | None = None) -> None:
        super().__init__(
            _("工资计算未执行,以下 %(n)s 项需先处理:") % {"n": len(faults)}
            + ";".join(faults[:20])
            + ("……" if len(faults) > 20 else "")
        )
        self.faults = faults
        self.ungraded = ungraded or []
