"""Pieces every command shares: error reporting at the boundary, progress, output options."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import click

from ..errors import EXIT_UNUSABLE, OgiError, UsageProblem
from ..form.results import Progress

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def fail(message: str, code: int = EXIT_UNUSABLE) -> None:
    """Print one Chinese error line to stderr and exit with ``code``."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def guarded(func: F) -> F:
    """Turn library exceptions into a Chinese message and the documented exit code, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UsageProblem as exc:  # printed as click's own usage errors: "用法错误：…"
            raise click.UsageError(exc.message) from exc
        except OgiError as exc:
            fail(str(exc), exc.exit_code)
        except MemoryError:
            fail("内存不足，文件可能过大或已损坏")
        except OSError as exc:  # a path the OS refuses (too long, locked, no permission): no traceback
            from ..files.safe_io import os_error_message

            place = exc.filename if exc.filename is not None else ""
            fail(f"{place}：{os_error_message(exc)}" if place else os_error_message(exc))
        return None

    return wrapper  # type: ignore[return-value]


def progress(items: Iterable[T], *, length: int, label: str, quiet: bool = False) -> Iterator[T]:
    """A progress bar on stderr (shown on a terminal only), silent with ``quiet``."""
    if quiet or length <= 1:
        yield from items
        return
    with click.progressbar(items, length=length, label=label, file=sys.stderr,
                           show_pos=True) as bar:
        yield from bar


def progress_bar(label: str, *, quiet: bool = False) -> Progress:
    """A library ``progress`` callback (:data:`ogi.form.results.Progress`) that shows :func:`progress`."""
    return lambda items, length: progress(items, length=length, label=label, quiet=quiet)


def echo_json(command: str, results: Iterable[Any], *, exit_code: int | None = None) -> None:
    """Print the one JSON document (:func:`ogi.form.output.render_json`); on a console that is not UTF-8,
    every non-ASCII character escaped so that nothing a clerk typed is lost to a replacement."""
    from ..form.output import render_json

    encoding = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "")
    click.echo(render_json(command, results, exit_code=exit_code,
                           ascii_only=encoding not in ("utf8", "utf8sig")))


def quiet_option(func: F) -> F:
    return click.option("-q", "--quiet", is_flag=True, help="不显示进度条。")(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True,
                        help="以 JSON 输出（供程序处理）。")(func)
