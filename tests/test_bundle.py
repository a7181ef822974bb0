"""The offline install bundles (packaging/build_bundle.py) and ``ogi --version``.

Tests marked ``bundle`` download ogi's dependencies from PyPI and build two real bundles (about a
minute to a minute and a half together on a busy 2-core machine, ~30 MB from PyPI each):

- ``manylinux_x86_64`` for the running Python, unpacked and installed with ``install.sh`` inside a
  fresh network namespace (``unshare --net``: no interface but a down loopback, so nothing can be
  fetched), twice, then the example filled through ``ogi.sh`` as 安装说明.txt says;
- ``win_amd64`` for Python 3.10, checked without Windows: pip's own resolver, offline, for that
  platform and Python; the requirements walked again with Windows' environment markers (pip uses
  the host's); every ``.bat`` CRLF and ASCII or GBK; every file a ``.bat`` names present.

They skip with a reason on a machine that cannot reach PyPI or cannot ``unshare``, and fail in CI
(``OGI_REQUIRE_REAL_APPS=1``). Select them with ``-m bundle`` or leave them out with ``-m "not bundle"``.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

import ogi
from conftest import REPO, _missing, load_script

bb = load_script("packaging/build_bundle.py")

PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"
WINDOWS_PYTHON = "3.10"  # the oldest: the one where a marker (tomli; python_version < "3.11") matters
EXAMPLE = "示例-彭阳县白阳镇人民政府-2023.xlsx"
REPORT_NAME = "2023年彭阳县白阳镇人民政府政府信息公开工作年度报告.docx"


def build(platform_name: str, python: str, outdir: Path, **kwargs: object) -> tuple[Path, str]:
    try:
        return bb.build_bundle(platform_name, python, outdir, log=lambda _m: None, **kwargs)
    except bb.BuildError as exc:
        if "下载" in str(exc) or "构建 ogi" in str(exc):
            _missing(f"PyPI (building a bundle needs the network): {exc}")
        raise


def read_bundle(path: Path) -> dict[str, bytes]:
    """Name inside the bundle's folder (decoded as an unzip tool would) -> bytes."""
    with zipfile.ZipFile(path) as zf:
        out = {}
        for info in zf.infolist():
            name = bb.entry_name(info)
            root, _, rest = name.partition("/")
            assert root == path.stem, f"{name} is not inside the bundle's folder {path.stem}/"
            out[rest] = zf.read(info)
    return out


# ------------------------------------------------------------------------- fast, no network


def test_version_lists_ogi_and_its_libraries() -> None:
    proc = subprocess.run([sys.executable, "-m", "ogi", "--version"], capture_output=True, text=True,
                          encoding="utf-8", env={**os.environ, "PYTHONIOENCODING": "utf-8"}, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"ogi {ogi.__version__}"
    assert lines[1].startswith(f"Python {platform.python_version()}")
    for name in ("openpyxl", "xlsxwriter", "docxtpl", "python-docx", "click", "lxml", "pdfplumber"):
        assert f"  {name} {metadata.version(name)}" in lines
    assert not any(line.strip().startswith(("pytest ", "hypothesis ")) for line in lines), \
        "the developers' test extra is not a library of ogi"
    assert lines[-1].startswith("LibreOffice：")


def test_help_stays_lazy() -> None:
    code = ("import sys\nfrom ogi.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('ogi.cli.about', 'ogi.files.libreoffice', "
            "'openpyxl', 'docxtpl'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          encoding="utf-8", env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def _fake_wheel(folder: Path, name: str, version: str, requires: list[str]) -> Path:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}-{version}.dist-info/METADATA", meta)
    return path


def test_requirements_are_walked_with_the_target_markers(tmp_path: Path) -> None:
    wheels = [bb.read_wheel(_fake_wheel(tmp_path, *w)) for w in [
        ("app", "1.0", ["base>=1", "winonly; sys_platform == 'win32'", "oldpy; python_version < '3.11'",
                        "extra-dep; extra == 'serve'"]),
        ("base", "1.2", []), ("base", "0.9", []), ("winonly", "2.0", ["deep"]),
    ]]
    root = [bb.Requirement("app==1.0")]
    win310 = bb.target_environment(bb.PLATFORMS["win_amd64"], "3.10")
    chosen, missing = bb.walk_requirements(root, wheels, win310)
    assert sorted(chosen) == ["app", "base", "winonly"] and str(chosen["base"].version) == "1.2"
    assert sorted(str(r.name) for r in missing) == ["deep", "oldpy"]
    linux313 = bb.target_environment(bb.PLATFORMS["manylinux_aarch64"], "3.13")
    chosen, missing = bb.walk_requirements(root, wheels, linux313)
    assert sorted(chosen) == ["app", "base"] and missing == []
    chosen, missing = bb.walk_requirements([bb.Requirement("app[serve]==1.0")], wheels, linux313)
    assert [r.name for r in missing] == ["extra-dep"]


def test_templates_render_per_platform_and_refuse_unknown_placeholders() -> None:
    text = "a {{PYTHON}}\n#if windows\nwin\n#endif\n#if linux\nlin\n#endif\n"
    assert bb.render(text, {"PYTHON": "3.11"}, {"linux"}) == "a 3.11\nlin\n"
    with pytest.raises(bb.BuildError, match="NOPE"):
        bb.render("{{NOPE}}", {}, set())
    with pytest.raises(bb.BuildError, match="嵌套"):
        bb.render("#if a\n#if b\n#endif\n", {}, {"a", "b"})
    assert bb.encode_script("x.bat", "echo 安装\n") == "echo 安装\r\n".encode("gbk")
    assert bb.encode_script("x.txt", "说明\n") == "\ufeff说明\r\n".encode()
    with pytest.raises(bb.BuildError, match="GBK"):
        bb.encode_script("x.bat", "echo ✓\n")


@pytest.mark.parametrize(("args", "message"), [
    (["--platform", "manylinux_x86_64", "--python", PYTHON, "--python-installer", "{inst311}"],
     "只用于 Windows"),
    (["--platform", "win_amd64", "--python", "3.12", "--python-installer", "{inst311}"], "Python 3.11"),
    (["--platform", "win_amd64", "--python", "3.11", "--python-installer", "{other}"], "不像 python.org"),
    (["--platform", "win_amd64", "--python", "3.11", "--python-installer", "{empty311}"], "不是 Windows 程序"),
    (["--platform", "win_amd64", "--python", "3.11", "--python-installer", "{missing}"], "找不到"),
])
def test_unusable_installer_is_refused_before_any_download(tmp_path: Path, args: list[str],
                                                           message: str) -> None:
    files = {"inst311": tmp_path / "python-3.11.9-amd64.exe", "other": tmp_path / "setup.exe",
             "empty311": tmp_path / "e" / "python-3.11.9-amd64.exe", "missing": tmp_path / "python-3.11.1-amd64.exe"}
    files["inst311"].write_bytes(b"MZ" + b"\0" * 62)
    files["other"].write_bytes(b"MZ")
    files["empty311"].parent.mkdir()
    files["empty311"].write_bytes(b"")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(REPO / "packaging" / "build_bundle.py"),
                           *[a.format(**files) for a in args], "-o", str(out)],
                          capture_output=True, text=True, encoding="utf-8", check=False, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("错误：") and message in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()


# --------------------------------------------------------------- linux: install offline, fill


@pytest.fixture(scope="module")
def offline() -> list[str]:
    """A command prefix that runs without any network (a fresh, empty network namespace): as root
    ``unshare --net``, otherwise inside a user namespace where the user is mapped to root."""
    if sys.platform != "linux" or platform.machine() != "x86_64":
        pytest.skip("the manylinux_x86_64 bundle is installed on x86_64 Linux only")
    if shutil.which("unshare"):
        unshare = shutil.which("unshare") or "unshare"  # absolute: some runs pass a bare PATH
        for prefix in ([unshare, "--net"], [unshare, "--map-root-user", "--net"]):
            if subprocess.run([*prefix, "true"], capture_output=True, check=False).returncode == 0:
                return prefix
    _missing("unshare --net (needs root or unprivileged user namespaces)")
    raise AssertionError  # unreachable: _missing fails or skips


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=600, check=False)


@pytest.mark.bundle
def test_linux_bundle_installs_without_network_and_fills_the_example(tmp_path: Path,
                                                                      offline: list[str]) -> None:
    zip_path, digest = build("manylinux_x86_64", PYTHON, tmp_path / "dist")
    assert zip_path.name == f"ogi-{ogi.__version__}-manylinux_x86_64-py{PYTHON}.zip"
    import hashlib

    assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == digest
    files = read_bundle(zip_path)
    guide = files["安装说明.txt"].decode("utf-8-sig")
    # The steps the test follows are the guide's steps.
    for step in (f"unzip {zip_path.name}", f"cd {zip_path.stem}", "sh install.sh", "./ogi.sh --version",
                 f"./ogi.sh fill 示例/{EXAMPLE} -o 输出"):
        assert step in guide, step

    # Unpack as the guide says (Python's zipfile when the machine has no unzip).
    home = tmp_path / "办公室 电脑"
    home.mkdir()
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-q", str(zip_path)], cwd=home, check=True)
    else:
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(home)
    bundle = home / zip_path.stem
    base_bin = str(Path(sys.base_prefix) / "bin")  # the office PC's own Python, not the test venv
    env = {"PATH": f"{base_bin}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "PIP_INDEX_URL": "https://pypi.invalid/simple", "PIP_FIND_LINKS": "", "TMPDIR": str(tmp_path)}

    probe = _run([*offline, sys.executable, "-c",
                  "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 443), 3)\n    print('online')\n"
                  "except OSError:\n    print('offline')"], bundle, env)
    assert probe.stdout.strip() == "offline", "the namespace must have no network"

    # No Python on PATH: install.sh names the version to install and stops.
    bare = tmp_path / "bare-bin"
    bare.mkdir()
    (bare / "dirname").symlink_to(shutil.which("dirname") or "/usr/bin/dirname")
    none = _run([*offline, shutil.which("sh") or "/bin/sh", "install.sh"], bundle, {**env, "PATH": str(bare)})
    assert none.returncode == 3 and f"未找到 Python {PYTHON}（64 位）" in none.stdout, none.stdout + none.stderr
    assert not (bundle / "venv").exists()

    first = _run([*offline, "sh", "install.sh"], bundle, env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "安装完成。" in first.stdout and f"ogi {ogi.__version__}" in first.stdout
    assert "正在创建运行环境" in first.stdout
    venv_python = bundle / "venv" / "bin" / "python"
    site = _run([str(venv_python), "-c", "import ogi, sys; print(ogi.__file__); print(sys.prefix != sys.base_prefix)"],
                bundle, env).stdout.splitlines()
    assert site[0].startswith(str(bundle / "venv")) and site[1] == "True", site
    cfg = (bundle / "venv" / "pyvenv.cfg").read_text(encoding="utf-8")
    assert "include-system-site-packages = false" in cfg

    second = _run([*offline, "sh", "install.sh"], bundle, env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "运行环境已存在" in second.stdout and "检查完成" in second.stdout
    assert "正在创建运行环境" not in second.stdout

    version = _run([*offline, "./ogi.sh", "--version"], bundle, env)
    assert version.returncode == 0, version.stderr
    manifest = json.loads(files["manifest.json"])
    for pinned in manifest["packages"]:
        name, _, ver = pinned.partition("==")
        if name == "lxml":
            assert f"  lxml {ver}" in version.stdout.splitlines()

    fill = _run([*offline, "./ogi.sh", "fill", f"示例/{EXAMPLE}", "-o", "输出"], bundle, env)
    assert fill.returncode == 0, fill.stdout + fill.stderr
    report = bundle / "输出" / REPORT_NAME
    assert report.is_file()
    import docx

    document = docx.Document(str(report))
    assert document.paragraphs[0].text == "彭阳县白阳镇人民政府\n2023年政府信息公开工作年度报告"  # ogi's title break
    cells = {c.text.strip() for t in document.tables for row in t.rows for c in row.cells}
    assert "6" in cells, "the example's 6 行政处罚 decisions"

    # Moved folder: the launcher still works; install.sh rebuilds the environment for the new place.
    moved = home / "移动后"
    bundle.rename(moved)
    assert _run([*offline, "./ogi.sh", "--version"], moved, env).returncode == 0
    again = _run([*offline, "sh", "install.sh"], moved, env)
    assert again.returncode == 0 and "已移动或损坏" in again.stdout, again.stdout + again.stderr

    # A damaged file is named, nothing is installed over it.
    wheel = next((moved / "wheels").glob("lxml-*.whl"))
    wheel.write_bytes(wheel.read_bytes()[:1000])
    damaged = _run([*offline, "sh", "install.sh"], moved, env)
    assert damaged.returncode == 2 and f"wheels/{wheel.name}（内容不完整或已损坏）" in damaged.stdout


# ----------------------------------------------------------------- windows: checked without it


_BAT_REF = re.compile(r"%~dp0([^\"%\s;]+)")
_INSTALLER_SET = re.compile(r'^set "INSTALLER=([^"]*)"', re.MULTILINE)


@pytest.mark.bundle
def test_windows_bundle_resolves_offline_and_its_scripts_are_sound(tmp_path: Path) -> None:
    installer = tmp_path / f"python-{WINDOWS_PYTHON}.11-amd64.exe"  # stands in for the office's copy
    installer.write_bytes(b"MZ" + b"\0" * 1022)
    zip_path, _ = build("win_amd64", WINDOWS_PYTHON, tmp_path / "dist", python_installer=installer)
    files = read_bundle(zip_path)
    manifest = json.loads(files["manifest.json"])

    # The manifest covers every file, with its true size and sha256.
    import hashlib

    listed = {e["file"]: e for e in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["size"] == len(files[name]) and entry["sha256"] == hashlib.sha256(files[name]).hexdigest()

    # pip's own resolver, offline, for Windows and that Python.
    folder = tmp_path / "bundle"
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = folder / bb.entry_name(info)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
    wheels = folder / zip_path.stem / "wheels"
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--isolated", "--disable-pip-version-check", "--dry-run",
         "--ignore-installed", "--target", str(tmp_path / "target"), "--report", str(report),
         "--platform", "win_amd64", "--python-version", WINDOWS_PYTHON, "--implementation", "cp",
         "--only-binary=:all:", "--no-index", "--find-links", str(wheels), manifest["requirement"]],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    chosen = json.loads(report.read_text(encoding="utf-8"))["install"]
    names = {item["metadata"]["name"].lower() for item in chosen}
    assert {"ogi", "lxml", "openpyxl", "pillow", "pypdfium2"} <= names
    nodot = WINDOWS_PYTHON.replace(".", "")
    for item in chosen:
        filename = item["download_info"]["url"].rsplit("/", 1)[-1]
        assert (wheels / filename).is_file()
        assert filename.endswith(("-none-any.whl", "-win_amd64.whl")), filename
        if filename.endswith("-win_amd64.whl"):
            assert f"-cp{nodot}-" in filename or "-abi3-" in filename or "-py3-none-" in filename, filename
    # pip judged markers by THIS machine; with Windows' markers every requirement is there too.
    env = bb.target_environment(bb.PLATFORMS["win_amd64"], WINDOWS_PYTHON)
    found, missing = bb.walk_requirements([bb.Requirement(manifest["requirement"])],
                                          [bb.read_wheel(p) for p in wheels.glob("*.whl")], env)
    assert missing == []
    assert "tomli" in found, "Python 3.10 needs tomli (python_version < '3.11')"

    # Every .bat: CRLF, ASCII or GBK, safe for cmd.exe; every file it names is in the bundle.
    bats = sorted(n for n in files if n.endswith(".bat"))
    assert bats == ["ogi命令行.bat", "tools/ogi.bat", "启动ogi.bat", "安装.bat", "检查.bat"]
    for name in bats:
        raw = files[name]
        assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b""), name
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{name}: a BOM breaks the first line in cmd.exe"
        text = raw.decode("gbk")  # ASCII is a subset
        for ch in {c for c in text if not c.isascii()}:
            trail = ch.encode("gbk")[1:]
            assert not set(trail) & set(b"|^&<>%!\\\""), f"{name}: {ch!r} ends in a cmd.exe special byte"
        for line in text.splitlines():
            if line.lower().startswith("echo ") and not line.startswith('echo "%~1"'):
                assert not set(line) & set("<>|&"), f"{name}: {line!r} would redirect or chain"
        assert "{{" not in text and "#if" not in text
        labels = {m.lower() for m in re.findall(r"^:(\w+)", text, re.MULTILINE)}
        for target in re.findall(r"\b(?:goto|call) :?(\w+)", text, re.IGNORECASE):
            assert target.lower() in labels | {"eof"}, f"{name}: no label :{target}"
        here = Path(name).parent
        refs = [m[1] for m in _BAT_REF.finditer(text)]
        refs += [r for r in _INSTALLER_SET.findall(text) if r]
        assert refs, name
        for ref in refs:
            rel = os.path.normpath(str(here / ref.replace("\\", "/"))).replace(os.sep, "/")
            if rel.startswith("venv/"):  # made by tools/install.py: the venv beside the bundle
                assert rel in ("venv/Scripts/python.exe",), rel
                continue
            is_folder = any(f.startswith(rel + "/") for f in files)  # set "PATH=%~dp0tools;..."
            assert rel in files or is_folder, f"{name} refers to {ref}, which is not in the bundle"
    assert "python/" + installer.name in files
    assert f'set "INSTALLER=python\\{installer.name}"' in files["安装.bat"].decode("gbk")

    # The guide: UTF-8 with BOM, CRLF, Windows steps that name real files.
    guide_raw = files["安装说明.txt"]
    assert guide_raw.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in guide_raw.replace(b"\r\n", b"")
    guide = guide_raw.decode("utf-8-sig")
    for needle in ("安装.bat", "ogi命令行.bat", "检查.bat", "ogi --version", f"示例\\{EXAMPLE}", "--pdf",
                   "LibreOffice", "仿宋_GB2312", "删除整个安装包文件夹", installer.name):
        assert needle in guide, needle
    assert "install.sh" not in guide and "{{" not in guide and "#if" not in guide
    assert f"示例/{EXAMPLE}" in files

    # Names: GBK for the Explorer on Chinese Windows, Unicode Path extra field for everyone else.
    with zipfile.ZipFile(zip_path) as zf:
        info = next(i for i in zf.infolist() if bb.entry_name(i).endswith("安装.bat"))
        assert not info.flag_bits & 0x800
        assert info.filename.encode("cp437").decode("gbk").endswith("安装.bat")
    if shutil.which("unzip"):
        listing = subprocess.run(["unzip", "-l", str(zip_path)], capture_output=True, check=True).stdout
        assert "安装说明.txt".encode() in listing


def test_readme_builder_commands_are_valid() -> None:
    """The README's office section shows builder commands the builder accepts, and the guide's
    promises about platforms match the builder's."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^python packaging/build_bundle\.py (.+)$", readme, re.MULTILINE)
    assert len(commands) >= 2
    for command in commands:
        args = bb.parse_args(command.split())
        assert args.platform in bb.PLATFORMS and args.python in bb.PYTHONS
    section = readme[readme.index("## 安装（单位办公电脑）"):readme.index("## 使用指南")]
    for name in bb.PLATFORMS:
        assert f"`{name}`" in section
    assert f"{bb.PYTHONS[0]}–{bb.PYTHONS[-1]}" in section
    assert "python -m pip install ." in section
