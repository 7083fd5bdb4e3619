"""The roster's figure on a unit's page (see orgs/panels.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shegong.orgs.panels import Panel
from shegong.people import selectors

if TYPE_CHECKING:
    from shegong.core.models import User
    from shegong.orgs.models import Unit


def roster_panel(viewer: User, unit: Unit) -> Panel:
    """How many workers are in post below the unit, linked to the roster filtered to it."""
    count = selectors.headcount(viewer=viewer, unit=unit)
    return Panel(
        key="roster",
        label=_("在岗社区工作者"),
        value=_("%(n)s人") % {"n": intcomma(count)},
        url=f"{reverse('people:list')}?{urlencode({'unit': unit.code})}",
        link_label=_("查看名册"),
    )
