"""`ogi serve`: a year folder on a local web page (the `serve` extra)."""

from __future__ import annotations

from pathlib import Path

import click

from . import ZhCommand, argument
from .common import fail, guarded


@click.command(cls=ZhCommand, help="""在本机浏览器中处理一个年度文件夹：上传名单、生成填报表、收交回、看问题、生成年报、汇总和归档。

\b
ogi serve 2024年度
ogi serve 2024年度 --port 8024 --no-browser

启动后第一行显示网页地址，并自动打开浏览器；按 Ctrl+C 停止。默认只允许本机访问。--host 给出本机以外可访问的地址时，会生成访问令牌，只有带令牌的地址能打开。同一文件夹同时只能由一人修改，其他人打开时为只读。

需要安装 serve 组件：pip install "ogi[serve]"（离线安装包已包含）。""")
@argument("folder", "年度文件夹", "用 ogi init 建立的年度文件夹。", type=click.Path(path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="端口；不给时自动选一个空闲端口。")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；不是本机地址时需要访问令牌（自动生成，显示在网址中）。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@guarded
def serve(folder: Path, port: int, host: str, no_browser: bool) -> None:
    from ..web import missing_extra

    missing = missing_extra()
    if missing:
        fail("ogi serve 需要 serve 组件（缺少 " + "、".join(missing) + "）。请运行："
             'pip install "ogi[serve]"；使用离线安装包时请重新运行 安装.bat。')
    from ..web.server import serve as run

    run(folder, host=host, port=port, open_browser=not no_browser, echo=click.echo)
