"""`ogi feedback`: per agency, what to fix (annotated workbook, 退改单, mail draft, 通知), and 催报."""

from __future__ import annotations

from pathlib import Path

import click

from . import ZhCommand, argument
from .common import echo_json, guarded, json_option, progress_bar, quiet_option


@click.command(cls=ZhCommand, help="""把检查出的问题发回各机关，并列出尚未报送的机关。

\b
ogi feedback 交回/ --roster 机关名单.xlsx -o 退改/
ogi feedback 交回/ 补交/ --roster 机关名单.xlsx -o 退改/ --deadline 2025年1月25日 --pdf

对每个交回的工作簿（同一机关有多份时取最新的一份）有错误或未说明警告的机关，在输出文件夹中建立一个以机关名称命名的文件夹，写入：
修改表（用该机关自己填写的内容重新生成的填报工作簿，原样保留填写的内容和说明，需要修改的格子标为橙色并附批注，第一张表“需要修改的问题”逐条列出；机关改好后直接交回即可）、
退改单（.xlsx，加 --pdf 另存 PDF）、通知.txt（可粘贴到政务微信或 QQ）和邮件草稿（.eml，用 Outlook 等打开后即可发送；名单有“邮箱”列时已填好收件人）。
无法读取的文件写退改单说明原因和重新保存的方法。
给出名单时，尚未报送的机关列在“退改汇总.xlsx”的“催报”表中，并在“催报”文件夹中各写一份通知和邮件草稿。
不会在交回的文件夹中写入任何文件；已存在的文件不覆盖（需要时加 --overwrite）。

退出码：0 没有需要修改的机关；1 有机关需要修改；2 文件夹、名单或输出位置无法使用。""")
@argument("folders", "文件夹...", "存放各机关交回工作簿的文件夹（含子文件夹），可以给多个。",
          nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--roster", type=click.Path(path_type=Path),
              help="机关名单（.txt / .csv / .xlsx），可含“联系人”“电话”“邮箱”列。")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="输出文件夹（不能在交回的文件夹里面）。")
@click.option("--year", type=int, help="报告年度；不给时取多数工作簿的年度。")
@click.option("--deadline", default="", help="重新报送的截止日期，写入通知和修改表，例如 2025年1月25日。")
@click.option("--pdf", is_flag=True, help="退改单另存 PDF（需要 LibreOffice）。")
@click.option("--overwrite", is_flag=True, help="覆盖输出文件夹中已存在的同名文件。")
@json_option
@quiet_option
@guarded
def feedback(folders: tuple[Path, ...], roster: Path | None, output: Path, year: int | None,
             deadline: str, pdf: bool, overwrite: bool, as_json: bool, quiet: bool) -> int:
    from ..county.feedback import feedback_folder
    from ..form.output import render_result

    result = feedback_folder(folders, output, roster=roster, year=year, deadline=deadline, pdf=pdf,
                             overwrite=overwrite, progress=progress_bar("检查工作簿", quiet=quiet))
    if as_json:
        echo_json("feedback", [result])
    else:
        click.echo(render_result(result))
    return result.exit_code
