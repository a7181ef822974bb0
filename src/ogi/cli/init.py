"""`ogi init`: create a year folder (documented layout, see ogi.county.year)."""

from __future__ import annotations

from pathlib import Path

import click

from . import ZhCommand, argument
from .common import guarded


@click.command(cls=ZhCommand, help="""建立一个年度文件夹，一年的填报表、交回、反馈、年报、汇总和归档都放在其中。

\b
ogi init 2024 2024年度
ogi init 2024 2024年度 --roster 机关名单.xlsx --deadline 2025年1月20日

文件夹中建立：机关名单（加 --roster 时复制进来）、填报表/、交回/（收到的文件原样保存，不覆盖、不改名）、反馈/、年报/、归档/；汇总.xlsx 和 进度.xlsx 在生成时写入。已有的文件不会被替换，可以重复运行。之后用 ogi serve 文件夹 在浏览器中处理这一年。""")
@argument("year", "年度", "报告年度，例如 2024。", type=int)
@argument("folder", "文件夹", "年度文件夹（不存在时新建）；不给时为“年度+年度”，例如 2024年度。",
          type=click.Path(path_type=Path), required=False)
@click.option("--roster", type=click.Path(path_type=Path), help="机关名单（.xlsx / .csv / .txt），复制到年度文件夹。")
@click.option("--deadline", default="", help="交回截止日期，例如 2025年1月20日。")
@guarded
def init(year: int, folder: Path | None, roster: Path | None, deadline: str) -> None:
    from ..county.year import init_year

    target = folder if folder is not None else Path(f"{year}年度")
    made = init_year(year, target, deadline=deadline, roster=roster)
    click.echo(f"年度文件夹已就绪：{made.root}（{made.year} 年度）")
    if made.roster_file is None:
        click.echo("还没有机关名单：可在 ogi serve 的页面上传，或把名单保存为其中的 机关名单.xlsx。")
