"""`ogi check`: check returned workbooks and name every problem."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import ZhCommand, argument
from .common import echo_json, guarded, json_option, progress_bar, quiet_option


@click.command(cls=ZhCommand, help="""检查交回的工作簿，逐项指出问题所在的表、单元格和行列，以及如何修改。

\b
单个文件：ogi check 白阳镇.xlsx
多个文件：ogi check 交回/*.xlsx
与上年衔接：ogi check 白阳镇.xlsx --previous 上年/白阳镇.xlsx
严格模式：ogi check 白阳镇.xlsx --strict   （未说明的警告也按错误计）

\b
退出码：0 无错误（可能有警告）；1 发现错误；2 文件无法读取或用法有误。
多个文件时取最高的退出码；无法读取的文件会给出原因，其余文件照常检查。""")
@argument("files", "工作簿...", "要检查的工作簿（.xlsx），可以是多个文件。", nargs=-1, required=True,
          type=click.Path(path_type=Path))
@click.option("--previous", type=click.Path(path_type=Path),
              help="上年度的工作簿：核对“上年结转”和“现行有效件数”与上年是否衔接。")
@click.option("--strict", is_flag=True, help="严格模式：在“校验”表中未说明的警告也按错误计。")
@json_option
@quiet_option
@guarded
def check(files: tuple[Path, ...], previous: Path | None, strict: bool, as_json: bool,
          quiet: bool) -> int:
    from ..checker import CheckResult, check_workbooks
    from ..output import render_human, render_result
    from ..results import Tally

    # Stream: keep only what the closing line, the exit code and --json need (the findings as
    # dicts), never every CheckResult with its whole Report (1,000 files would hold 1,000 Reports).
    tally = Tally(of=CheckResult)
    single: CheckResult | None = None  # one file: printed whole at the end, as before
    file_dicts: list[dict[str, object]] = []
    stream = not as_json and len(files) > 1
    quiet = quiet or stream or not sys.stderr.isatty()  # a bar only for --json on a terminal
    for result in check_workbooks(files, previous=previous, strict=strict,
                                  progress=progress_bar("检查工作簿", quiet=quiet)):
        tally.add(result)
        if as_json:
            file_dicts.append(result.to_dict())
        elif stream:  # print as we go: a county office sees progress on 60 files
            click.echo(render_result(result) + "\n")
        else:
            single = result
        del result
    if as_json:
        echo_json("check", file_dicts, exit_code=tally.exit_code)
    elif stream:
        click.echo(tally.line())
    else:
        click.echo(render_human([single] if single is not None else []), nl=False)
    return tally.exit_code
