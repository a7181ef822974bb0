"""`ogi status`: which agencies have sent their workbook back, and in what state."""

from __future__ import annotations

from pathlib import Path

import click

from . import ZhCommand, argument
from .common import echo_json, guarded, json_option, progress_bar, quiet_option


@click.command(cls=ZhCommand, help="""统计一个文件夹中各机关交回工作簿的情况。

\b
ogi status 交回/ --roster 机关名单.xlsx
ogi status 交回/ --roster 机关名单.xlsx -o 进度.xlsx

逐个检查文件夹（含子文件夹）中的工作簿，按工作簿中记录的机关编号或名称（不看文件名）对应到名单，列出每个机关的状态：未提交 / 无法读取 / 未完成 / 有错误 / 有警告 / 通过，以及错误、警告数和修改时间。同一机关交回多个文件时以工作簿内记录的保存时间最新的一份为准（放在“作废”文件夹中的不计入，内容相同的重复文件算一份），较旧的文件标为“不计入”并写明原因，其问题不列入问题清单；名单中没有的机关、年度不符的文件、改了机关名称的别的机关的表、.ods/.xls 文件（写明如何另存）、zip 压缩包中的工作簿都会标出。

-o 另存为进度表（可筛选），其中“问题清单”表列出每个问题所在的文件和单元格，便于分发给各机关。

退出码：0 没有错误；1 有工作簿有错误或无法读取；2 文件夹或名单无法使用。""")
@argument("folder", "文件夹", "存放各机关交回工作簿的文件夹（含子文件夹）。", type=click.Path(path_type=Path))
@click.option("--roster", type=click.Path(path_type=Path),
              help="机关名单（.txt / .csv / .xlsx）；不给时只列出找到的工作簿。")
@click.option("--year", type=int, help="报告年度；不给时取多数工作簿的年度。")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="另存进度表（.xlsx）。")
@click.option("--overwrite", is_flag=True,
              help="覆盖已存在的同名文件（ogi 自己以前生成的进度表无需此选项即可更新；交回的工作簿和名单任何时候都不会被覆盖）。")
@json_option
@quiet_option
@guarded
def status(folder: Path, roster: Path | None, year: int | None, output: Path | None,
           overwrite: bool, as_json: bool, quiet: bool) -> int:
    from ..county.status import folder_status
    from ..form.output import render_result

    report = folder_status(folder, roster=roster, year=year, output=output, overwrite=overwrite,
                           progress=progress_bar("检查工作簿", quiet=quiet))
    if as_json:
        echo_json("status", [report])
    else:
        click.echo(render_result(report))
    if report.written is not None:
        click.echo(f"已保存进度表：{report.written}", err=as_json)
    return report.exit_code
