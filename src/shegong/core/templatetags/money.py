"""`{% load money %}{{ amount|money }}`: every amount on a page as 1,234,567.89 (core/money.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from shegong.core.money import money_text

register = template.Library()


@register.filter(name="money")
def money(value: Any) -> str:
    return money_text(value)


@register.filter(name="percent")
def percent(value: Any) -> str:
    """A fraction as a percentage with two decimals (0.338 → 33.80%), for rates beside money."""
    try:
        return f"{Decimal(str(value)) * 100:.2f}%"
    except InvalidOperation:
        return str(value)
