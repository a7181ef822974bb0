#!/bin/sh
# ogi {{OGI_VERSION}} offline installer for Linux ({{PLATFORM}}, Python {{PYTHON}}).
# Finds Python {{PYTHON}}; tools/install.py creates ./venv and installs from ./wheels with --no-index.
# Safe to run again. Usage: sh install.sh
HERE=$(cd "$(dirname "$0")" && pwd)
PY=""
for candidate in python{{PYTHON}} python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c "import struct, sys; sys.exit(0 if sys.version_info[:2] == ({{PY_TUPLE}}) and struct.calcsize('P') == 8 else 1)" >/dev/null 2>&1; then
    PY=$(command -v "$candidate")
    break
  fi
done
if [ -z "$PY" ]; then
  echo "未找到 Python {{PYTHON}}（64 位）。"
  echo "请先安装 Python {{PYTHON}}（统信 UOS、麒麟等可用系统的软件包管理器安装 python{{PYTHON}}，"
  echo "或向单位信息化部门索取），装好后再运行：sh install.sh"
  echo "如果系统自带其他版本的 Python 3，也可以改用文件名中带相应版本号（如 py3.12）的安装包。"
  exit 3
fi
exec "$PY" "$HERE/tools/install.py" "$@"
