"""`ogi import`: read a published annual report into a prefilled workbook, and audit it."""

from __future__ import annotations

from pathlib import Path

import click

from . import ZhCommand, argument
from .common import echo_json, guarded, json_option


@click.command("import", cls=ZhCommand, help="""导入已发布的年度报告，生成预填好的工作簿，并按 ogi check 的规则检查原报告。

\b
生成工作簿：  ogi import 白阳镇2023年报.pdf -o 白阳镇2023.xlsx
作为下一年的起点：ogi import 白阳镇2023年报.docx --as-previous -o 填报表/
只检查原报告：ogi import 白阳镇2023年报.txt --no-workbook
审核一个文件夹的报告：ogi import 年报/ --no-workbook

\b
可以导入：文本（.txt，UTF-8 或 GBK）、网页（.html、.mht）、Word（.docx；旧版 .doc/.wps 需安装
LibreOffice）、PDF（需有文字层，扫描件不行）、旧版或损坏的 ogi 工作簿（.xlsx）；
2019 年格式的报告会说明哪些数字无法对应到 2021 年格式。
表格按行列标签读取（Word/网页表格、TAB 文本、Markdown 竖线表格、每格一行的文本、PDF），
数字与标签不在同一行时用表格的勾稽关系核实；读不到的数字保持空白并逐项列出，绝不当作 0。

\b
退出码：0 全部读到，原报告没有错误（可能有警告）；1 原报告有错误，或有不能确定、读不到的数字
（逐项列出）；2 没有可用的内容（不是年度报告、扫描件、文件损坏）或用法有误。""")
@argument("reports", "年报...", "已发布的年度报告文件或存放报告的文件夹，可以是多个。", nargs=-1, required=True,
          type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(),
              help="输出的工作簿（.xlsx 文件名，或文件夹：已存在的文件夹或以 / 结尾时写入其中；"
                   "导入多个报告时为文件夹）；默认放在原报告所在文件夹。")
@click.option("--as-previous", is_flag=True,
              help="生成下一年度的工作簿：上年结转取自本报告的结转下年度，联系方式沿用，正文作为草稿保留。")
@click.option("--agency", default="", help="机关名称（报告标题中没有或不对时使用；只用于单个报告）。")
@click.option("--year", default="", help="报告年度（报告中没有时使用），例如 2023。")
@click.option("--no-workbook", is_flag=True, help="只检查原报告，不生成工作簿。")
@click.option("--overwrite", is_flag=True, help="覆盖已存在的同名文件。")
@json_option
@guarded
def import_(reports: tuple[Path, ...], output: str | None, as_previous: bool, agency: str, year: str,
            no_workbook: bool, overwrite: bool, as_json: bool) -> int:
    from ..form.output import render_result
    from ..form.results import Tally
    from ..importers import ImportResult, import_reports, plan_imports

    reports = plan_imports(reports, output=output, agency_name=agency, year=year)
    many = len(reports) > 1
    tally = Tally(of=ImportResult)
    dicts: list[dict[str, object]] = []
    for result in import_reports(reports, output=output, as_previous=as_previous, agency_name=agency,
                                 year=year, workbook=not no_workbook, overwrite=overwrite):
        tally.add(result)
        if as_json:
            dicts.append(result.to_dict())
        else:
            click.echo(render_result(result) + ("\n" if many else ""))
    if as_json:
        echo_json("import", dicts, exit_code=tally.exit_code)
    elif many:
        click.echo(tally.line())
    return tally.exit_code
