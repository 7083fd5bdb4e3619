"""Every `shegong` command answers --help (a `%` in a help text made argparse crash)."""

from __future__ import annotations

import argparse

import pytest
from django.core.management import get_commands, load_command_class


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.extend(_parsers(sub))
    return found


OURS = sorted(name for name, app in get_commands().items() if app.startswith("shegong"))


def test_the_project_has_its_commands() -> None:
    assert {"demo", "import", "export", "report", "backup", "restore"} <= set(OURS)


@pytest.mark.parametrize("name", OURS)
def test_every_command_and_subcommand_prints_its_help(name: str) -> None:
    command = load_command_class(get_commands()[name], name)
    for parser in _parsers(command.create_parser("shegong", name)):
        assert parser.format_help().strip()
