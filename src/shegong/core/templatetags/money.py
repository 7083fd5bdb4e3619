"""`{% load money %}{{ amount|money }}`: every amount on a page as 1,234,567.89 (core/money.py)."""

from __future__ import annotations

from typing import Any

from django import template

from shegong.core.money import money_text

register = template.Library()


@register.filter(name="money")
def money(value: Any) -> str:
    return money_text(value)
