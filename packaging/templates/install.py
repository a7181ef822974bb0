"""Install ogi from this offline bundle into ``venv`` beside it (run by 安装.bat / install.sh).

Standard library only; runs on the Python the bundle was built for. Steps: check this Python and
machine fit the bundle, check every file against manifest.json (a half-copied or damaged bundle is
named, not half-installed), create the virtual environment (no administrator rights, no system
site-packages; recreated when the folder was moved or the environment is broken), install with
``--no-index`` from ``wheels/`` using pip run from its own wheel (so neither ensurepip nor Debian's
python3-venv is needed), and run ``ogi --version``. Running it again checks and repairs; it never
reaches the network.

Exit codes: 0 installed; 1 pip failed; 2 the bundle is damaged; 3 this Python or machine does not fit.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import stat
import struct
import subprocess
import sys
import venv
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent.parent
VENV = BUNDLE / "venv"
MARKER = VENV / "ogi-bundle.json"
WINDOWS = os.name == "nt"


def say(message: str = "") -> None:
    print(message, flush=True)


def fail(message: str, code: int) -> int:
    say()
    say(f"安装未完成：{message}")
    return code


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if WINDOWS else "bin/python")


def check_interpreter(manifest: dict) -> str | None:
    want = manifest["python"]
    have = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if have != want:
        return (f"本安装包是为 Python {want} 制作的，当前运行的是 Python {have}（{sys.executable}）。"
                f"请安装 Python {want}，或改用文件名中带 py{have} 的安装包。")
    if struct.calcsize("P") != 8:
        return f"当前的 Python 是 32 位的（{sys.executable}），请安装 64 位的 Python {want}。"
    machine = platform.machine()
    if machine not in manifest["machines"]:
        return (f"本安装包适用于 {manifest['platform']}，这台电脑是 {machine or '未知架构'}，"
                "请改用对应的安装包。")
    glibc = manifest.get("glibc")
    if glibc and not WINDOWS:
        lib, version = platform.libc_ver()
        if lib == "glibc" and version and _version(version) < _version(glibc):
            return f"本安装包需要 glibc {glibc} 或更新的系统，这台电脑是 glibc {version}。"
    return None


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


def check_files(manifest: dict) -> list[str]:
    """The bundle's files that are missing or differ from manifest.json."""
    bad = []
    for entry in manifest["files"]:
        path = BUNDLE / entry["file"]
        try:
            data = path.read_bytes()
        except OSError:
            bad.append(f"{entry['file']}（缺失）")
            continue
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            bad.append(f"{entry['file']}（内容不完整或已损坏）")
    return bad


def existing_environment_ok() -> bool:
    """The environment exists, belongs to this folder and its Python runs."""
    try:
        marker = json.loads(MARKER.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if marker.get("location") != str(BUNDLE):
        return False
    try:
        proc = subprocess.run([str(venv_python()), "-c", "import sys"], capture_output=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def pip_install(manifest: dict) -> subprocess.CompletedProcess[str]:
    pip_main = BUNDLE / manifest["pip_wheel"] / "pip"  # pip runs from inside its own wheel
    pip_version = Path(manifest["pip_wheel"]).name.split("-")[1]
    cmd = [str(venv_python()), str(pip_main), "install", "--isolated", "--no-index",
           "--find-links", str(BUNDLE / "wheels"), "--disable-pip-version-check",
           "--no-warn-script-location", "--no-input", "-q", f"pip=={pip_version}",
           manifest["requirement"]]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False,
                          encoding="utf-8", errors="replace")


def make_scripts_executable() -> None:
    if WINDOWS:
        return
    for name in ("install.sh", "ogi.sh", "tools/ogi"):
        path = BUNDLE / name
        if path.exists():
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def main() -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    try:
        manifest = json.loads((BUNDLE / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return fail(f"找不到或无法读取 {BUNDLE / 'manifest.json'}。请把整个压缩包重新解压后再运行。", 2)
    say(f"ogi {manifest['ogi']} 离线安装（{manifest['platform']}，Python {manifest['python']}）")
    say(f"安装位置：{BUNDLE}")
    problem = check_interpreter(manifest)
    if problem:
        return fail(problem, 3)
    say(f"使用的 Python：{sys.executable}")
    bad = check_files(manifest)
    if bad:
        listed = "\n  ".join(bad[:10]) + ("\n  ……" if len(bad) > 10 else "")
        return fail("以下文件缺失或已损坏，请重新下载或重新解压整个压缩包：\n  " + listed, 2)
    say("文件检查：全部完整。")

    if VENV.exists() and not existing_environment_ok():
        say("原有的运行环境已移动或损坏，正在重新创建……")
        shutil.rmtree(VENV, ignore_errors=True)
    first_time = not VENV.exists()
    if first_time:
        say(f"正在创建运行环境：{VENV}")
        try:
            venv.EnvBuilder(with_pip=False, symlinks=not WINDOWS).create(VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            return fail(f"无法创建运行环境 {VENV}：{exc}。请确认此文件夹可以写入。", 1)
    else:
        say("运行环境已存在，检查并补齐……")
    say("正在安装 ogi 及其依赖（不需要联网，约需 1 分钟）……")
    proc = pip_install(manifest)
    if proc.returncode != 0:
        say(proc.stdout)
        say(proc.stderr)
        return fail("pip 安装失败（详细信息见上）。", 1)
    MARKER.write_text(json.dumps({"location": str(BUNDLE), "ogi": manifest["ogi"],
                                  "base_python": sys.executable}, ensure_ascii=False),
                      encoding="utf-8")
    make_scripts_executable()

    check = subprocess.run([str(venv_python()), "-m", "ogi", "--version"], capture_output=True,
                           text=True, encoding="utf-8", errors="replace", check=False,
                           env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    if check.returncode != 0:
        say(check.stdout + check.stderr)
        return fail("安装后 ogi 无法运行（详细信息见上）。", 1)
    say()
    say(check.stdout.rstrip())
    say()
    say("安装完成。" if first_time else "检查完成，ogi 已安装好。")
    if WINDOWS:
        say("使用：双击“ogi命令行.bat”，在打开的窗口中输入 ogi 命令；")
        say("      或把交回的工作簿（或文件夹）拖到“检查.bat”上。")
        say("试一试：ogi fill 示例\\示例-彭阳县白阳镇人民政府-2023.xlsx -o 输出")
    else:
        say("使用：./ogi.sh 命令（如 ./ogi.sh --help），或不带参数运行 ./ogi.sh 打开命令行。")
        say("试一试：./ogi.sh fill 示例/示例-彭阳县白阳镇人民政府-2023.xlsx -o 输出")
    return 0


if __name__ == "__main__":
    sys.exit(main())
