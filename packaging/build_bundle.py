#!/usr/bin/env python3
"""Build an offline install bundle of ogi: one zip for one platform and one Python.

    python packaging/build_bundle.py --platform win_amd64 --python 3.11 -o dist/
    python packaging/build_bundle.py --platform manylinux_x86_64 --python 3.11 -o dist/
    python packaging/build_bundle.py --platform win_amd64 --python 3.12 -o dist/ \\
        --python-installer python-3.12.10-amd64.exe

The zip holds ogi's own wheel (built from this checkout with hatchling), a binary wheel of every
runtime dependency for that platform and Python (downloaded with ``pip download --only-binary=:all:``;
nothing is compiled on the office PC), pip's own wheel (the installer runs pip from it, so neither
ensurepip nor Debian's python3-venv is needed), the example workbook and roster, the install and
start scripts written from ``packaging/templates/``, and ``manifest.json`` (every file's size and
sha256, which the installer checks before it installs anything).

pip evaluates environment markers (``sys_platform == "win32"``, ``python_version < "3.11"``) for the
machine it runs on, not for ``--platform``/``--python-version``; so after pip has downloaded, the
builder walks the requirements itself with the TARGET's markers, downloads what pip missed, drops
what the target never installs, and finally asks pip's own resolver (``install --dry-run --no-index``)
whether the bundle's folder satisfies ogi for that target. A bundle that fails either check is not
written.

Exit codes: 0 written; 2 unusable arguments; 1 the download or a check failed.
"""

from __future__ import annotations

import argparse
import email.parser
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

try:  # packaging is a dependency of almost every tool chain; pip always carries a copy
    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version
except ImportError:  # pragma: no cover - only where packaging is not installed
    from pip._vendor.packaging.markers import Marker  # type: ignore[no-redef]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[no-redef]
    from pip._vendor.packaging.version import Version  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TEMPLATES = HERE / "templates"

#: The extras of ogi every bundle installs. THE one place to list them: adding ``"serve"`` here
#: (once the extra exists in pyproject.toml) puts it and its dependencies into every bundle.
BUNDLE_EXTRAS: tuple[str, ...] = ("serve",)

PYTHONS = ("3.10", "3.11", "3.12", "3.13")

#: Oldest glibc the Linux bundles target: 统信 UOS 20 (Debian 10) and 麒麟 V10 have 2.28 or newer.
GLIBC_FLOOR = (2, 28)


@dataclass(frozen=True)
class Platform:
    name: str
    kind: str  # "windows" or "linux"
    pip_platforms: tuple[str, ...]
    markers: Mapping[str, str]
    machines: tuple[str, ...]  # platform.machine() values the installer accepts


def _manylinux(arch: str) -> tuple[str, ...]:
    newest = GLIBC_FLOOR[1]
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(newest, 16, -1)]
    return (*tags, f"manylinux2014_{arch}")


_LINUX = {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux"}
PLATFORMS: dict[str, Platform] = {
    "win_amd64": Platform("win_amd64", "windows", ("win_amd64",),
                          {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
                           "platform_machine": "AMD64"}, ("AMD64",)),
    "manylinux_x86_64": Platform("manylinux_x86_64", "linux", _manylinux("x86_64"),
                                 {**_LINUX, "platform_machine": "x86_64"}, ("x86_64",)),
    "manylinux_aarch64": Platform("manylinux_aarch64", "linux", _manylinux("aarch64"),
                                  {**_LINUX, "platform_machine": "aarch64"}, ("aarch64", "arm64")),
}

#: (template in packaging/templates/, name in the bundle) for each kind of platform.
SCRIPTS: dict[str, tuple[tuple[str, str], ...]] = {
    "windows": (("安装.bat", "安装.bat"), ("ogi命令行.bat", "ogi命令行.bat"), ("检查.bat", "检查.bat"),
                ("启动ogi.bat", "启动ogi.bat"), ("ogi.bat", "tools/ogi.bat")),
    "linux": (("install.sh", "install.sh"), ("ogi.sh", "ogi.sh"), ("ogi-shim.sh", "tools/ogi")),
}
COMMON_FILES = (("install.py", "tools/install.py"), ("安装说明.txt", "安装说明.txt"))
EXAMPLES = ("示例-彭阳县白阳镇人民政府-2023.xlsx", "机关名单示例.csv")
EXAMPLE_DIR = "示例"


class BuildError(Exception):
    """A build step failed; the message says which, in Chinese."""


class UsageProblem(BuildError):
    """The arguments cannot make a bundle (exit code 2)."""


# --------------------------------------------------------------------------------------- markers


def target_environment(platform: Platform, python: str) -> dict[str, str]:
    """The marker environment of CPython ``python`` on ``platform`` (PEP 508 names)."""
    return {"implementation_name": "cpython", "platform_python_implementation": "CPython",
            "implementation_version": f"{python}.0", "python_version": python,
            "python_full_version": f"{python}.0", "platform_release": "", "platform_version": "",
            **platform.markers}


def marker_applies(req: Requirement, env: Mapping[str, str], extras: Iterable[str]) -> bool:
    if req.marker is None:
        return True
    extras = list(extras) or [""]
    return any(Marker(str(req.marker)).evaluate({**env, "extra": extra}) for extra in extras)


@dataclass(frozen=True)
class Wheel:
    path: Path
    name: str  # canonical
    version: Version
    requires: tuple[Requirement, ...]
    extras: tuple[str, ...]


def read_wheel(path: Path) -> Wheel:
    with zipfile.ZipFile(path) as zf:
        meta_name = next((n for n in zf.namelist()
                          if n.count("/") == 1 and n.endswith(".dist-info/METADATA")), None)
        if meta_name is None:
            raise BuildError(f"{path.name} 中没有 METADATA，不是有效的 wheel")
        meta = email.parser.BytesParser().parsebytes(zf.read(meta_name), headersonly=True)
    return Wheel(path, canonicalize_name(meta["Name"]), Version(meta["Version"]),
                 tuple(Requirement(r) for r in meta.get_all("Requires-Dist") or ()),
                 tuple(meta.get_all("Provides-Extra") or ()))


def walk_requirements(roots: Sequence[Requirement], wheels: Iterable[Wheel],
                      env: Mapping[str, str]) -> tuple[dict[str, Wheel], list[Requirement]]:
    """Follow ``roots`` through the wheels with the target's markers. Returns the wheels the target
    installs (by canonical name) and the requirements no wheel satisfies."""
    by_name: dict[str, list[Wheel]] = {}
    for w in wheels:
        by_name.setdefault(w.name, []).append(w)
    chosen: dict[str, Wheel] = {}
    missing: list[Requirement] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    queue = [(r, ()) for r in roots]
    while queue:
        req, parent_extras = queue.pop(0)
        if not marker_applies(req, env, parent_extras):
            continue
        name = canonicalize_name(req.name)
        candidates = [w for w in by_name.get(name, ()) if req.specifier.contains(w.version, prereleases=True)]
        if not candidates:
            missing.append(req)
            continue
        wheel = chosen.get(name) or max(candidates, key=lambda w: w.version)
        if not req.specifier.contains(wheel.version, prereleases=True):
            missing.append(req)
            continue
        chosen[name] = wheel
        key = (name, frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        queue.extend((sub, tuple(req.extras)) for sub in wheel.requires)
    return chosen, missing


# ------------------------------------------------------------------------------------------ pip


def _pip(args: Sequence[str], what: str) -> str:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise BuildError(f"{what}失败（{' '.join(cmd[3:6])} …）：\n{tail}")
    return proc.stdout


def target_args(platform: Platform, python: str) -> list[str]:
    args = ["--only-binary=:all:", "--implementation", "cp", "--python-version", python]
    for tag in platform.pip_platforms:
        args += ["--platform", tag]
    return args


def build_ogi_wheel(outdir: Path) -> Path:
    """ogi's own wheel from this checkout (pip runs hatchling, see pyproject.toml)."""
    _pip(["wheel", "--no-deps", "-q", "-w", str(outdir), str(REPO)], "构建 ogi 的 wheel ")
    built = sorted(outdir.glob("ogi-*.whl"))
    if len(built) != 1:
        raise BuildError(f"构建 ogi 的 wheel 后在 {outdir} 中找到 {len(built)} 个 ogi-*.whl")
    return built[0]


def download(requirements: Sequence[str], dest: Path, platform: Platform, python: str) -> None:
    _pip(["download", "-q", "-d", str(dest), *target_args(platform, python), *requirements],
         "下载依赖包")


def ogi_requirement(version: str, extras: Sequence[str]) -> str:
    """What the bundle installs: ``ogi==1.0`` or ``ogi[serve]==1.0``."""
    return f"ogi[{','.join(extras)}]=={version}" if extras else f"ogi=={version}"


def complete_wheels(ogi_wheel: Wheel, extras: Sequence[str], dest: Path, platform: Platform,
                    python: str) -> dict[str, Wheel]:
    """Download ogi's dependencies into ``dest`` until the target's markers find nothing missing.
    Returns the wheels the target installs. Wheels pip fetched for THIS machine's markers stay: they
    are small, never installed on the target, and keep pip's own offline check consistent."""
    env = target_environment(platform, python)
    root = Requirement(ogi_requirement(str(ogi_wheel.version), extras))
    pip_req = Requirement("pip")
    spec = f"{ogi_wheel.path}[{','.join(extras)}]" if extras else str(ogi_wheel.path)
    extra_reqs: list[str] = []
    for _ in range(6):
        download([spec, "pip", *extra_reqs], dest, platform, python)
        wheels = [read_wheel(p) for p in sorted(dest.glob("*.whl"))]
        chosen, missing = walk_requirements([root, pip_req], wheels, env)
        if not missing:
            break
        # pip skipped these because their markers are false on THIS machine: ask for them by name.
        new = [f"{r.name}{r.specifier}" for r in missing]
        if set(new) <= set(extra_reqs):
            raise BuildError("以下依赖没有适用于 {} / Python {} 的二进制 wheel：{}".format(
                platform.name, python, "、".join(new)))
        extra_reqs = sorted(set(extra_reqs) | set(new))
    else:  # pragma: no cover - a dependency graph that keeps growing
        raise BuildError("依赖下载没有收敛")
    return chosen


def verify_with_pip(wheels_dir: Path, requirement: str, platform: Platform, python: str) -> list[str]:
    """pip's own resolver, offline, for the target: every requirement of ``requirement`` must find a
    compatible binary wheel in ``wheels_dir``. Returns the ``name==version`` pip would install."""
    with tempfile.TemporaryDirectory(prefix="ogi-bundle-verify-") as tmp:
        report = Path(tmp) / "report.json"
        _pip(["install", "--isolated", "--dry-run", "--ignore-installed", "-q", "--no-index",
              "--find-links", str(wheels_dir), "--target", str(Path(tmp) / "target"),
              "--report", str(report), *target_args(platform, python), requirement],
             f"用 pip 离线解析 {platform.name} / Python {python} 的依赖")
        data = json.loads(report.read_text(encoding="utf-8"))
    return sorted(f"{item['metadata']['name']}=={item['metadata']['version']}" for item in data["install"])


def glibc_needed(wheels: Iterable[Wheel]) -> str | None:
    """The newest glibc any wheel needs (each wheel needs the oldest of its manylinux tags)."""
    needed: tuple[int, int] | None = None
    for w in wheels:
        platforms = w.path.name[:-4].split("-")[-1].split(".")
        versions = []
        for tag in platforms:
            if m := re.match(r"manylinux_(\d+)_(\d+)_", tag):
                versions.append((int(m[1]), int(m[2])))
            elif tag.startswith("manylinux2014_"):
                versions.append((2, 17))
        if versions:
            needed = max(needed or (0, 0), min(versions))
    return f"{needed[0]}.{needed[1]}" if needed else None


# ------------------------------------------------------------------------------------ templates


_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


def render(text: str, values: Mapping[str, str], flags: Iterable[str]) -> str:
    """Substitute ``{{NAME}}`` and keep only the ``#if FLAG`` ... ``#endif`` blocks whose flag is
    set (blocks do not nest: a flag like ``windows-noinstaller`` combines two). An unknown
    placeholder is an error, never left in a script."""
    flags = set(flags)
    out: list[str] = []
    keep, in_block = True, False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#if "):
            if in_block:
                raise BuildError("模板中的 #if 不能嵌套")
            keep, in_block = stripped[4:].strip() in flags, True
            continue
        if stripped == "#endif":
            keep, in_block = True, False
            continue
        if keep:
            out.append(line)

    def sub(m: re.Match[str]) -> str:
        if m[1] not in values:
            raise BuildError(f"模板中有未知的占位符 {m[0]}")
        return values[m[1]]

    return _PLACEHOLDER.sub(sub, "\n".join(out) + "\n")


def encode_script(name: str, text: str) -> bytes:
    """The bytes a file must have on the office PC: ``.bat`` CRLF in ASCII or GBK (cmd.exe on Chinese
    Windows reads code page 936), ``.txt`` UTF-8 with BOM and CRLF (Notepad), the rest UTF-8 LF."""
    if name.endswith(".bat"):
        body = text.replace("\r\n", "\n").replace("\n", "\r\n")
        try:
            return body.encode("ascii")
        except UnicodeEncodeError:
            pass
        try:
            return body.encode("gbk")
        except UnicodeEncodeError as exc:
            raise BuildError(f"{name} 中有 GBK 无法表示的字符：{body[exc.start:exc.end]!r}") from None
    if name.endswith(".txt"):
        return b"\xef\xbb\xbf" + text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    return text.encode("utf-8")


# ----------------------------------------------------------------------------------------- zip


class _GbkZipInfo(zipfile.ZipInfo):
    """A zip entry whose name is stored in GBK without the UTF-8 flag, as Chinese Windows writes it.

    The Explorer's 全部解压缩 on Chinese Windows reads names in the OEM code page (936); 7-Zip,
    Bandizip, WinRAR and Info-ZIP's unzip read the Unicode Path extra field added beside it."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        try:
            return self.filename.encode("ascii"), self.flag_bits
        except UnicodeEncodeError:
            return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _unicode_path_extra(name: str) -> bytes:
    raw = name.encode("gbk")
    utf8 = name.encode("utf-8")
    return struct.pack("<HHBI", 0x7075, 5 + len(utf8), 1, zlib.crc32(raw)) + utf8


def entry_name(info: zipfile.ZipInfo) -> str:
    """The Unicode name of a zip entry however it was stored (UTF-8 flag, Unicode Path extra field,
    or the code page 437 Python assumes otherwise)."""
    if info.flag_bits & 0x800:
        return info.filename
    extra = info.extra
    while len(extra) >= 4:
        tag, size = struct.unpack("<HH", extra[:4])
        if tag == 0x7075 and size >= 5:
            return extra[9:4 + size].decode("utf-8")
        extra = extra[4 + size:]
    return info.filename


def write_zip(out: Path, root: str, files: Mapping[str, bytes | Path], *, gbk_names: bool,
              executables: Iterable[str] = ()) -> None:
    """Write ``files`` (name in the bundle -> bytes or a file to copy) under folder ``root``."""
    executables = set(executables)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(files):
                arcname = f"{root}/{name}"
                info = (_GbkZipInfo if gbk_names else zipfile.ZipInfo)(arcname, date_time=_now())
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (0o100755 if name in executables else 0o100644) << 16
                if gbk_names and not arcname.isascii():
                    info.extra = _unicode_path_extra(arcname)
                data = files[name]
                zf.writestr(info, data if isinstance(data, bytes) else data.read_bytes())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _now() -> tuple[int, int, int, int, int, int]:
    return time.localtime()[:6]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------- build


def bundle_name(version: str, platform: str, python: str) -> str:
    return f"ogi-{version}-{platform}-py{python}"


def installer_problem(path: Path, platform: Platform, python: str) -> str | None:
    """Why ``--python-installer`` cannot go into this bundle, or None."""
    if platform.kind != "windows":
        return "--python-installer 只用于 Windows 安装包（Linux 请用系统自带的 Python）"
    if not path.is_file():
        return f"找不到 Python 安装程序：{path}"
    m = re.fullmatch(r"python-(\d+)\.(\d+)\.\d+(?:[a-z]+\d+)?-amd64\.exe", path.name, re.IGNORECASE)
    if m is None:
        return (f"{path.name} 不像 python.org 的 64 位 Windows 安装程序"
                f"（应形如 python-{python}.x-amd64.exe）")
    if f"{m[1]}.{m[2]}" != python:
        return f"{path.name} 是 Python {m[1]}.{m[2]}，而本安装包是为 Python {python} 构建的"
    with path.open("rb") as f:
        if f.read(2) != b"MZ":
            return f"{path.name} 不是 Windows 程序文件（可能下载不完整）"
    return None


def build_bundle(platform_name: str, python: str, outdir: Path, *,
                 python_installer: Path | None = None, extras: Sequence[str] = BUNDLE_EXTRAS,
                 log: Callable[[str], None] = print) -> tuple[Path, str]:
    """Build one bundle zip into ``outdir``; returns its path and sha256."""
    platform = PLATFORMS[platform_name]
    if python_installer is not None and (problem := installer_problem(python_installer, platform, python)):
        raise UsageProblem(problem)
    with tempfile.TemporaryDirectory(prefix="ogi-bundle-") as tmp_name:
        tmp = Path(tmp_name)
        wheels_dir = tmp / "wheels"
        wheels_dir.mkdir()
        log("构建 ogi 的 wheel …")
        ogi = read_wheel(build_ogi_wheel(wheels_dir))
        unknown = [e for e in extras if e not in ogi.extras]
        if unknown:
            raise UsageProblem(f"ogi 没有这些 extra：{'、'.join(unknown)}（BUNDLE_EXTRAS）")
        log(f"下载 {platform.name} / Python {python} 的依赖包 …")
        chosen = complete_wheels(ogi, extras, wheels_dir, platform, python)
        requirement = ogi_requirement(str(ogi.version), extras)
        log("用 pip 离线解析安装包中的依赖 …")
        verify_with_pip(wheels_dir, requirement, platform, python)
        expected = sorted(f"{w.name}=={w.version}" for w in chosen.values() if w.name != "pip")
        pip_wheel = chosen["pip"].path.name
        version = str(ogi.version)
        name = bundle_name(version, platform.name, python)
        installer_arc = f"python/{python_installer.name}" if python_installer is not None else ""
        values = {
            "OGI_VERSION": version, "PYTHON": python, "PY_NODOT": python.replace(".", ""),
            "PY_TUPLE": python.replace(".", ","), "PLATFORM": platform.name, "BUNDLE": name,
            "REQUIREMENT": requirement, "INSTALLER": installer_arc.replace("/", "\\"),
            "GLIBC": glibc_needed(chosen.values()) or "",
        }
        has_installer = "installer" if python_installer is not None else "noinstaller"
        flags = {platform.kind, has_installer, f"{platform.kind}-{has_installer}"}
        files: dict[str, bytes | Path] = {}
        for template, arcname in (*SCRIPTS[platform.kind], *COMMON_FILES):
            text = render((TEMPLATES / template).read_text(encoding="utf-8"), values, flags)
            files[arcname] = encode_script(arcname, text)
        for path in sorted(wheels_dir.glob("*.whl")):
            files[f"wheels/{path.name}"] = path
        for example in EXAMPLES:
            files[f"{EXAMPLE_DIR}/{example}"] = REPO / "examples" / example
        if python_installer is not None:
            files[installer_arc] = python_installer
        manifest = {
            "ogi": version, "platform": platform.name, "python": python,
            "machines": list(platform.machines), "glibc": values["GLIBC"] or None,
            "requirement": requirement, "pip_wheel": f"wheels/{pip_wheel}",
            "installer": installer_arc or None, "packages": expected,
            "files": [{"file": arc, "size": len(data), "sha256": sha256_of(data)}
                      for arc in sorted(files)
                      for data in [files[arc] if isinstance(files[arc], bytes)
                                   else files[arc].read_bytes()]],  # type: ignore[union-attr]
        }
        files["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode()
        outdir.mkdir(parents=True, exist_ok=True)
        out = outdir / f"{name}.zip"
        executables = [a for a in files if a.endswith(".sh") or a == "tools/ogi"]
        write_zip(out, name, files, gbk_names=platform.kind == "windows", executables=executables)
    return out, sha256_of(out.read_bytes())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="build_bundle.py",
        description="构建 ogi 的离线安装包（一个平台、一个 Python 版本一个 zip）。",
        epilog="例：python packaging/build_bundle.py --platform win_amd64 --python 3.11 -o dist/")
    parser.add_argument("--platform", required=True, choices=sorted(PLATFORMS),
                        help="目标平台：win_amd64（Windows 10/11 64 位；Windows 8.1 最高 Python 3.12）、"
                             "manylinux_x86_64、manylinux_aarch64（国产 Linux 桌面，glibc ≥ 2.28）")
    parser.add_argument("--python", required=True, choices=PYTHONS, help="目标电脑上的 Python 版本")
    parser.add_argument("-o", "--output", required=True, type=Path, help="zip 写入的文件夹")
    parser.add_argument("--python-installer", type=Path,
                        help="随包附带的 python.org Windows 安装程序（如 python-3.11.9-amd64.exe）；"
                             "构建时不会下载")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    try:
        out, digest = build_bundle(args.platform, args.python, args.output,
                                   python_installer=args.python_installer)
    except BuildError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2 if isinstance(exc, UsageProblem) else 1
    print(out)
    print(f"sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
