"""Essay 5's workforce (reports/tests/conftest.py) for the annual report's tests."""

from __future__ import annotations

import pytest

from shegong.conftest import Tree
from shegong.reports.tests.conftest import AS_OF, Essay5, build_essay5

__all__ = ["AS_OF", "Essay5"]


@pytest.fixture
def essay5(tree: Tree) -> Essay5:
    return build_essay5(tree)
