"""What the rooms above the org tree show on a unit's page.

The org tree sits below the roster, so its unit page cannot read the roster itself; a room
above registers a provider here (in its AppConfig.ready) and the page shows what each one
answers: a figure with a link to the records it counts (the roster of a community, …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shegong.core.models import User
    from shegong.orgs.models import Unit


@dataclass(frozen=True)
class Panel:
    key: str  # an id for the page (and tests)
    label: str
    value: str
    url: str
    link_label: str


Provider = Callable[["User", "Unit"], "Panel | None"]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def panels_for(*, viewer: User, unit: Unit) -> list[Panel]:
    """What every registered room has to show on `unit`'s page for `viewer` (scoped by the
    provider, which reads through its own selectors)."""
    return [panel for provider in _providers if (panel := provider(viewer, unit)) is not None]
