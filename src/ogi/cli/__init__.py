"""The `ogi` command: a thin click layer over the library.

Each subcommand lives in its own module and is imported only when it runs, so `ogi --help` starts
fast and never imports openpyxl or docxtpl. Commands parse arguments, call the library, and print;
library exceptions become one Chinese line and a documented exit code here and nowhere else.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from ..errors import EXIT_UNUSABLE

F = TypeVar("F", bound=Callable[..., Any])

#: name -> (module, function, one-line help). The order is the order of `ogi --help`.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "new": ("ogi.cli.new", "new", "生成锁定的填报工作簿（每个机关一个 .xlsx）"),
    "check": ("ogi.cli.check", "check", "检查交回的工作簿，逐项指出问题所在的表、单元格和行列"),
    "fill": ("ogi.cli.fill", "fill", "由工作簿生成公文格式的 Word 年度报告（.docx，可选 PDF）"),
    "status": ("ogi.cli.status", "status", "统计一个文件夹中各机关的交回和检查情况"),
    "summary": ("ogi.cli.summary", "summary", "汇总各机关数据，生成汇总工作簿"),
    "feedback": ("ogi.cli.feedback", "feedback", "把问题发回各机关：标注好的修改表、退改单、邮件草稿、催报"),
    "import": ("ogi.cli.import_", "import_", "导入已发布的年度报告（文本、HTML、DOCX、PDF、旧工作簿）"),
    "init": ("ogi.cli.init", "init", "建立年度文件夹（名单、填报表、交回、反馈、年报、汇总、归档）"),
    "serve": ("ogi.cli.serve", "serve", "在浏览器中处理一个年度文件夹（本机网页）"),
    "archive": ("ogi.cli.archive", "archive", "把年度文件夹打包为归档 zip，或核对归档"),
}

HELP = """政府信息公开工作年度报告工具（国办公开办函〔2021〕30号格式）。

\b
常用流程：
  ogi new --roster 机关名单.xlsx -o 填报表/     县级生成各机关的填报工作簿
  ogi check 交回/*.xlsx                         检查交回的工作簿
  ogi fill 交回/白阳镇.xlsx                      生成 Word 年度报告

\b
退出码：0 无错误（可能有警告）；1 发现错误；2 输入无法使用或用法有误。
"""


class ZhCommand(click.Command):
    """A command whose help page is in Chinese (click's own headings are English)."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = " ".join(self.collect_usage_pieces(ctx))
        pieces = pieces.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        formatter.write_usage(ctx.command_path, pieces, "用法：")

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # ogi lays out its help itself: click's own pipeline changes between releases (8.2 lists
        # arguments as bare "FILES..." lines under the options, 8.5 adds a "Positional arguments"
        # section), and users and docs/cli.md must see the same page whatever click pip resolved.
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        self.format_options(ctx, formatter)
        self.format_epilog(ctx, formatter)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = inspect.cleandoc(self.help or "").partition("\f")[0]
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.epilog:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(inspect.cleandoc(self.epilog))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Arguments are described in words under 参数, from ogi's own text; only options go under 选项.
        arguments = [(p.human_readable_name, p.help) for p in self.get_params(ctx)
                     if isinstance(p, ZhArgument)]
        if arguments:
            with formatter.section("参数"):
                formatter.write_dl(arguments)
        rows = [(name, _zh_markers(text)) for p in self.get_params(ctx)
                if isinstance(p, click.Option) and (rv := p.get_help_record(ctx)) is not None
                for name, text in [rv]]
        if rows:
            with formatter.section("选项"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class ZhArgument(click.Argument):
    """A positional argument with a Chinese name in the usage line and a sentence of help."""

    def __init__(self, param_decls: list[str], *, help: str, **attrs: Any) -> None:
        super().__init__(param_decls, **attrs)
        self.help = help


def argument(name: str, metavar: str, help: str, **attrs: Any) -> Callable[[F], F]:
    """``@click.argument`` with a Chinese ``metavar`` (shown in 用法) and ``help`` (shown under 参数)."""
    return click.argument(name, cls=ZhArgument, metavar=metavar, help=help, **attrs)


def _zh_markers(text: str) -> str:
    """click's own option markers in Chinese: ``[required]``, ``[default: .]``."""
    return text.replace("[required]", "[必填]").replace("[default: ", "[默认：").replace(
        "; required]", "；必填]")


class LazyGroup(ZhCommand, click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (module, _, _) in COMMANDS.items() if _available(module)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None or not _available(entry[0]):
            return None
        module = importlib.import_module(entry[0])
        return getattr(module, entry[1])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]  # no import needed
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: ogi's and its libraries' versions (imported only when asked for)."""
    if not value or ctx.resilient_parsing:
        return
    from .about import version_text

    click.echo(version_text())
    ctx.exit(0)


@click.group(cls=LazyGroup, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="显示版本并退出。")
def cli() -> None:
    pass


def _configure_stdio() -> None:
    """Never crash on a console that cannot show a character (GBK on Chinese Windows)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


_USAGE_TRANSLATIONS = (
    ("No such option", "没有这个选项"),
    ("Missing option", "缺少选项"),
    ("Missing argument", "缺少参数"),
    ("No such command", "没有这个命令"),
    ("Invalid value for", "参数值无效"),
    ("Got unexpected extra argument", "多余的参数"),
    ("Got unexpected extra arguments", "多余的参数"),
    ("requires an argument", "需要一个值"),
    ("does not exist", "不存在"),
    ("is not a valid integer", "不是有效的整数"),
    ("is not one of", "不在可选值中"),
)


def _translate(message: str) -> str:
    for en, zh in _USAGE_TRANSLATIONS:
        message = message.replace(en, zh)
    return message


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (a task manager, ``kill``, a CI timeout) unwinds like Ctrl+C: every ``finally`` runs,
    so temporary files are removed and worker processes are shut down."""
    raise KeyboardInterrupt


@contextlib.contextmanager
def _termination_unwinds() -> Iterator[None]:
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread():
        with contextlib.suppress(ValueError, OSError):
            previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and map every failure to an exit code."""
    _configure_stdio()
    try:
        with _termination_unwinds():
            code = cli.main(args=argv, prog_name="ogi", standalone_mode=False)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):  # Ctrl+C or SIGTERM, not a declined prompt
            click.echo("已中断。", err=True)
            sys.exit(130)
        click.echo("已取消。", err=True)
        sys.exit(EXIT_UNUSABLE)
    except click.UsageError as exc:
        hint = ""
        if exc.ctx is not None:
            hint = f"\n查看用法：{exc.ctx.command_path} --help"
        click.echo(f"用法错误：{_translate(exc.format_message())}{hint}", err=True)
        sys.exit(EXIT_UNUSABLE)
    except click.ClickException as exc:
        click.echo(f"错误：{_translate(exc.format_message())}", err=True)
        sys.exit(EXIT_UNUSABLE)
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
