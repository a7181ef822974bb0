"""The CLI reference (`docs/cli.md`), generated from each command's own `--help`.

Run `python -m ogi.cli.reference > docs/cli.md` after changing a command; a test fails while the file
is out of date or a command is missing from it.
"""

from __future__ import annotations

import click

from . import COMMANDS, cli

HEADER = "# ogi 命令参考\n\n本文件由 `python -m ogi.cli.reference > docs/cli.md` 根据各命令的 `--help` 生成，请勿手工修改。\n"


def _help(command: click.Command, path: str, parent: click.Context | None = None) -> str:
    ctx = click.Context(command, info_name=path.split()[-1], parent=parent, terminal_width=100,
                        help_option_names=["-h", "--help"],
                        max_content_width=100)
    return command.get_help(ctx)


def render_reference() -> str:
    root = click.Context(cli, info_name="ogi", terminal_width=100, max_content_width=100,
                         help_option_names=["-h", "--help"])
    parts = [HEADER, "## ogi\n\n```\n" + cli.get_help(root) + "\n```\n"]
    for name in COMMANDS:
        command = cli.get_command(root, name)
        if command is None:
            continue
        parts.append(f"## ogi {name}\n\n```\n{_help(command, f'ogi {name}', root)}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    import sys

    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    sys.stdout.write(render_reference())
