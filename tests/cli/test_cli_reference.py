"""Every command is documented: docs/cli.md is generated from the commands' own --help and must be
current, and the README names every command."""

from __future__ import annotations

from pathlib import Path

from ogi.cli import COMMANDS
from ogi.cli.reference import render_reference

REPO = Path(__file__).resolve().parents[2]


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


def test_help_lists_only_options_under_options_and_names_arguments_in_words() -> None:
    """click 8.2+ adds bare argument lines (``FILES...``) under the options; ogi's help must not
    depend on which click pip resolved: every row under 选项 is an option, arguments are in 参数."""
    reference = render_reference()
    pages = reference.split("\n## ")[1:]
    assert len(pages) == len(COMMANDS) + 1
    for page in pages:
        section = ""
        for line in page.splitlines():
            if line and not line.startswith(" "):
                section = line
            elif section == "选项:" and line.strip() and line.startswith("  ") and not line.startswith("   "):
                assert line.lstrip().startswith("-"), f"bare line under 选项 in {page.splitlines()[0]!r}: {line!r}"
        usage = next(line for line in page.splitlines() if line.startswith("用法："))
        assert not any(word.isupper() and word.isascii() and word.strip(".[]")
                       for word in usage.split()[2:]), usage
    for name in ("check", "fill", "status", "summary", "import"):
        page = next(p for p in pages if p.startswith(f"ogi {name}\n"))
        assert "\n参数:\n" in page, name
