"""Every command is documented: docs/cli.md is generated from the commands' own --help and must be
current, and the README names every command."""

from __future__ import annotations

from pathlib import Path

from ogi.cli import COMMANDS
from ogi.cli.reference import render_reference

REPO = Path(__file__).resolve().parent.parent


def test_cli_reference_is_current() -> None:
    current = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == render_reference(), (
        "docs/cli.md is out of date: run `python -m ogi.cli.reference > docs/cli.md`")


def test_every_command_is_in_the_reference_and_readme() -> None:
    reference = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"## ogi {name}\n" in reference, name
        assert f"ogi {name}" in readme, f"README does not mention `ogi {name}`"
