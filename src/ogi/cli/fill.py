"""`ogi fill`: checked workbooks -> the official Word report (and PDF / JSON)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import ZhCommand, argument
from .common import guarded, progress_bar, quiet_option


@click.command(cls=ZhCommand, help="""由填好的工作簿生成公文格式的 Word 年度报告（.docx）。

\b
单个文件：ogi fill 白阳镇.xlsx                  （报告保存在工作簿旁边）
指定位置：ogi fill 白阳镇.xlsx -o 年报/
整个文件夹：ogi fill 交回/ -o 年报/ --pdf --html --jobs 2
按名单：  ogi fill 交回/ --roster 机关名单.xlsx -o 年报/

给出文件夹或 --roster 时，与 ogi status 一样每个机关只用计入的那一份（工作簿内记录的保存时间最新的；
“作废”文件夹中的、复制别的机关的表、名单外的机关不生成报告，并列出原因）。

生成前先做与 ogi check 相同的完整检查：有错误的工作簿不生成报告，并像 ogi check 一样列出错误；
警告照常显示，不影响生成。--force 可在有错误时仍然生成（空着的格子在报告中保持空白）。
文件名为“<年度>年<机关名称>政府信息公开工作年度报告.docx”。同名文件内容相同时不重写；
内容不同时需加 --overwrite 才会覆盖。

\b
退出码：0 全部生成；1 有工作簿存在错误（未生成，或按 --force 生成）；
2 有文件无法读取、无法写入或 PDF 未能生成，或用法有误。""")
@argument("files", "工作簿...", "填好的工作簿（.xlsx）或存放工作簿的文件夹，可以是多个。", nargs=-1, required=True,
          type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="输出文件夹（不存在时自动创建）；只有一个工作簿时也可以是 .docx 文件名。默认保存在工作簿旁边。")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF 存档（需已安装 LibreOffice）。")
@click.option("--json-data", is_flag=True, help="同时在 Word 文件旁写出报告数据（.json，供程序汇总）。")
@click.option("--html", "html", is_flag=True,
              help="同时在 Word 文件旁生成网页版（.html，独立的 HTML5 文件，只用行内样式、不含脚本，"
                   "可直接粘贴到政府网站的内容管理系统）。")
@click.option("--force", is_flag=True, help="工作簿有错误时仍然生成报告（空格保持空白）。")
@click.option("--strict", is_flag=True, help="严格模式：未说明的警告也按错误计。")
@click.option("--previous", type=click.Path(path_type=Path),
              help="上年度的工作簿或文件夹，用于核对与上年的衔接（给出文件夹时每个机关对应自己的上年工作簿）。")
@click.option("--roster", type=click.Path(path_type=Path),
              help="机关名单（.txt / .csv / .xlsx）：按名单对应各机关，名单外的工作簿不生成报告。")
@click.option("--year", type=int, help="报告年度（给出文件夹时）；不给时取多数工作簿的年度。")
@click.option("--overwrite", is_flag=True,
              help="覆盖内容不同的同名输出文件，包括已存在的 PDF（例如盖章的存档版）；输入的工作簿任何时候都不会被覆盖。")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="同时处理的工作簿数（使用多个 CPU 核心）；加 --pdf 时也是同时运行的 LibreOffice 数。")
@quiet_option
@guarded
def fill(files: tuple[Path, ...], output: Path | None, pdf: bool, json_data: bool, html: bool, force: bool,
         strict: bool, previous: Path | None, roster: Path | None, year: int | None, overwrite: bool,
         jobs: int, quiet: bool) -> int:
    from ..county.fill import EVENT_OUTCOME, FillEvent, FillOptions, fill_returns
    from ..form.output import render_result

    options = FillOptions(output=output, force=force, pdf=pdf, json_data=json_data, html=html,
                          overwrite=overwrite, strict=strict, previous=previous, jobs=jobs)

    def show(event: FillEvent) -> None:
        if event.kind == EVENT_OUTCOME and event.done and not quiet and event.total > 1 \
                and sys.stderr.isatty():  # clear the progress bar's line; it is redrawn below
            click.echo("\r\033[K", err=True, nl=False)
        for line in event.lines:
            click.echo(line)
        if event.outcome is not None:
            click.echo(render_result(event.outcome))

    batch = fill_returns(files, options, roster=roster, year=year,
                         read_progress=progress_bar("读取工作簿", quiet=quiet or not sys.stderr.isatty()),
                         progress=progress_bar("生成年度报告", quiet=quiet), on_event=show)
    if text := render_result(batch):
        click.echo(text)
    return batch.exit_code
