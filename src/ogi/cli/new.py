"""`ogi new`: generate locked workbooks."""

from __future__ import annotations

from pathlib import Path

import click

from . import ZhCommand
from .common import guarded, progress_bar, quiet_option


@click.command(cls=ZhCommand, help="""生成锁定的填报工作簿。

\b
单个机关：ogi new --agency "彭阳县白阳镇人民政府" --year 2023 -o 填报表/
按名单：  ogi new --roster 机关名单.xlsx --year 2023 -o 填报表/
接上年：  ogi new --roster 机关名单.xlsx --year 2024 --previous 2023交回/ -o 填报表/

名单可以是文本文件（每行一个机关）、CSV（UTF-8 或 GBK）或 .xlsx，含“机关名称”列，可选“编号”“机关类型”（政府/部门/乡镇街道）列。

机关名称最多 40 个字。没有给出机关类型时按名称判断（…镇人民政府、…街道办事处为乡镇街道，…县人民政府为政府，…局、…委员会、…办公室为部门），判断不出的由填报人在“基本信息”表中选择。""")
@click.option("--agency", help="机关名称（单个机关时使用）。")
@click.option("--agency-id", default="", help="机关编号（可选，用于汇总时识别）。")
@click.option("--agency-type", default="", help="机关类型：政府 / 部门 / 乡镇街道（可选，不填时按名称判断）。")
@click.option("--roster", type=click.Path(path_type=Path), help="机关名单文件（.txt / .csv / .xlsx）。")
@click.option("--year", type=int, required=True, help="报告年度，例如 2023。")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=Path("."),
              show_default=True, help="输出文件夹。")
@click.option("--deadline", default="", help="交回截止日期，写入填报说明，例如 2024年1月20日。")
@click.option("--password", default="", help="工作表保护密码（默认无密码，仅防误改）。")
@click.option("--overwrite", is_flag=True,
              help="覆盖已存在的同名空白工作簿（已经填写过的工作簿任何时候都不会被覆盖）。")
@click.option("--previous", type=click.Path(path_type=Path),
              help="上年交回的工作簿文件夹（或单个机关的上年工作簿）：按编号或名称对应，"
                   "预填“二、上年结转”（取上年“四、结转下年度”）和联系方式。")
@quiet_option
@guarded
def new(agency: str | None, agency_id: str, agency_type: str, roster: Path | None, year: int,
        output: Path, deadline: str, password: str, overwrite: bool, previous: Path | None,
        quiet: bool) -> int:
    from ..county.batch_new import new_workbooks
    from ..form.output import render_result

    if (agency is None) == (roster is None):
        raise click.UsageError("请在 --agency（单个机关）和 --roster（名单）中选择一个")
    result = new_workbooks(agency=agency, agency_id=agency_id, agency_type=agency_type, roster=roster,
                           year=year, output=output, deadline=deadline, password=password,
                           overwrite=overwrite, previous=previous,
                           progress=progress_bar("生成工作簿", quiet=quiet),
                           previous_progress=progress_bar("读取上年工作簿", quiet=quiet),
                           warn=lambda message: click.echo(message, err=True))
    click.echo(render_result(result))
    for message in result.failed:
        click.echo(f"未能写入：{message}", err=True)
    return result.exit_code
