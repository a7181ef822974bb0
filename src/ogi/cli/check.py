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
多个文件时取最高的退出码；无法读取的文件会给出原因，其余文件照常检查。

\b
整个文件夹：ogi check 交回/ --roster 机关名单.xlsx
给出文件夹或 --roster 时，与 ogi status 一样按交回台账检查：每个机关只检查计入的那一份
（按工作簿内记录的保存时间取最新；放在“作废”文件夹中的不计入；内容相同的重复文件算一份），
其余文件和不计入任何机关的文件（名单外、年度不符、复制别的机关的表、无法识别）列出原因。""")
@argument("files", "工作簿...", "要检查的工作簿（.xlsx）或存放工作簿的文件夹，可以是多个。", nargs=-1,
          required=True, type=click.Path(path_type=Path))
@click.option("--roster", type=click.Path(path_type=Path),
              help="机关名单（.txt / .csv / .xlsx）：按名单对应各机关，列出未交回的机关。")
@click.option("--year", type=int, help="报告年度（按台账检查时）；不给时取多数工作簿的年度。")
@click.option("--previous", type=click.Path(path_type=Path),
              help="上年度的工作簿或文件夹：核对“上年结转”和“现行有效件数”与上年是否衔接"
                   "（按台账检查时每个机关对应自己的上年工作簿）。")
@click.option("--strict", is_flag=True, help="严格模式：在“校验”表中未说明的警告也按错误计。")
@json_option
@quiet_option
@guarded
def check(files: tuple[Path, ...], roster: Path | None, year: int | None, previous: Path | None,
          strict: bool, as_json: bool, quiet: bool) -> int:
    from ..county.ledger import check_returns
    from ..form.output import render_human, render_result

    # Files as given, several and not --json: printed as they are checked (a county office sees
    # progress on 60 files), so no bar; one file is printed whole at the end, as before. Through the
    # ledger (folders): every return printed after the folder is read (with a bar).
    plain_stream = not as_json and len(files) > 1
    tty = sys.stderr.isatty()
    run = check_returns(files, roster=roster, year=year, previous=previous, strict=strict,
                        read_progress=progress_bar("检查工作簿", quiet=quiet or not tty),
                        progress=progress_bar("检查工作簿", quiet=quiet or plain_stream or not tty))
    stream = not as_json and (plain_stream or run.ledger is not None)
    single = None
    file_dicts: list[dict[str, object]] = []
    for result in run:  # keep only what --json needs, never every CheckResult with its Report
        if as_json:
            file_dicts.append(result.to_dict())
        elif stream:
            click.echo(render_result(result) + "\n")
        else:
            single = result
        del result
    if as_json:
        echo_json("check", run.json_results(file_dicts), exit_code=run.exit_code)
    elif stream:
        for line in run.closing_lines():
            click.echo(line)
    else:
        click.echo(render_human([single] if single is not None else []), nl=False)
    return run.exit_code
