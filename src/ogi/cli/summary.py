"""`ogi summary`: roll the returned workbooks up into one county workbook."""

from __future__ import annotations

from pathlib import Path

import click

from . import ZhCommand, argument
from .common import guarded, progress_bar, quiet_option


@click.command(cls=ZhCommand, help="""汇总各机关的数据，生成汇总工作簿。

\b
ogi summary 交回/ --roster 机关名单.xlsx -o 汇总.xlsx
ogi summary 交回/ -o 汇总.xlsx --previous 去年交回/

“汇总”表每个机关一行（表二各项、表三总计列各项及小计、表四总计、信息处理费），最后一行为合计公式；“全县汇总表”按官方表格样式列出表二、表三、表四每个格子的合计；“图表”为各机关收到申请和办理结果的图表；“明细”为每个机关的全部数字（约 260 列，不宜打印，为隐藏表，需要时取消隐藏）。

默认只汇总没有错误的工作簿，未计入的机关列在“未计入”表和屏幕上。--previous 给出上年交回的文件夹时，检查各机关“二、上年结转”与上年“四、结转下年度”、现行有效件数是否衔接。""")
@argument("folder", "文件夹", "存放各机关交回工作簿的文件夹（含子文件夹）。", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("汇总.xlsx"),
              show_default=True, help="汇总工作簿（.xlsx）。")
@click.option("--roster", type=click.Path(path_type=Path), help="机关名单（.txt / .csv / .xlsx）。")
@click.option("--year", type=int, help="报告年度；不给时取多数工作簿的年度。")
@click.option("--include-errors", is_flag=True, help="有错误或未完成的工作簿也计入汇总。")
@click.option("--previous", type=click.Path(path_type=Path),
              help="上年交回工作簿的文件夹，用于检查上年结转和现行有效件数的衔接。")
@click.option("--overwrite", is_flag=True,
              help="覆盖已存在的同名文件（ogi 自己以前生成的汇总工作簿无需此选项即可更新；交回的工作簿和名单任何时候都不会被覆盖）。")
@quiet_option
@guarded
def summary(folder: Path, output: Path, roster: Path | None, year: int | None,
            include_errors: bool, previous: Path | None, overwrite: bool, quiet: bool) -> int:
    from ..county.summary import summarise_folder
    from ..form.output import render_result

    result = summarise_folder(folder, output=output, roster=roster, year=year, include_errors=include_errors,
                              previous=previous, overwrite=overwrite,
                              progress=progress_bar("读取工作簿", quiet=quiet),
                              previous_progress=progress_bar("读取上年工作簿", quiet=quiet))
    click.echo(render_result(result))
    return result.exit_code
