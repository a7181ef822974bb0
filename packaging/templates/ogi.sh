#!/bin/sh
# Runs one ogi command from this bundle (./ogi.sh fill ...), or without arguments opens a shell
# where "ogi" is on PATH. "python -m ogi" keeps working after the folder is moved.
HERE=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$HERE/venv/bin/python" ]; then
  echo "ogi 还没有安装：请先运行 sh install.sh" >&2
  exit 2
fi
if [ $# -gt 0 ]; then
  exec "$HERE/venv/bin/python" -m ogi "$@"
fi
echo "ogi 命令行：输入 ogi 命令（例如 ogi --help、ogi fill 示例/示例-彭阳县白阳镇人民政府-2023.xlsx -o 输出），输入 exit 退出。"
PATH="$HERE/tools:$PATH"
export PATH
exec "${SHELL:-/bin/sh}" -i
