"""`ogi archive`: one zip of a year folder with a sha256 manifest, and its verification."""

from __future__ import annotations

from pathlib import Path

import click

from . import ZhCommand, argument
from .common import guarded


@click.command(cls=ZhCommand, help="""把一个年度文件夹打包为一个归档 zip，或核对一个归档。

\b
ogi archive 2024年度
ogi archive --verify 2024年度/归档/2024年度归档-20250301-093000.zip

归档包含填报表、交回的文件、反馈、年报、进度表、汇总表和机关名单，以及记录每个文件 sha256 的清单（manifest.json）。归档写入年度文件夹的 归档/，已有的归档不会被替换。--verify 逐个核对文件与清单是否一致。

退出码：0 完成或核对无误；1 核对发现不一致；2 文件夹或归档无法使用。""")
@argument("target", "文件夹或归档", "年度文件夹；加 --verify 时为归档 zip。", type=click.Path(path_type=Path))
@click.option("--verify", is_flag=True, help="核对归档 zip 中每个文件与清单是否一致。")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="归档 zip 的文件名（默认写入 归档/）。")
@guarded
def archive(target: Path, verify: bool, output: Path | None) -> int:
    from ..county.year import open_year, verify_archive, write_archive

    if verify:
        result = verify_archive(target)
        for line in result.lines():
            click.echo(line)
        return result.exit_code
    path = write_archive(open_year(target), output)
    click.echo(f"已生成归档：{path}")
    return 0
