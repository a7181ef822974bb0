"""Run a real LibreOffice, headless, with a private user profile.

Used by `ogi fill --pdf` (DOCX -> PDF, the archive copy) and by the tests that prove generated
workbooks in a real spreadsheet engine. Every run gets its own profile folder, so parallel runs never
collide, and the profile tells Calc to recalculate .xlsx formulas on load (by default LibreOffice keeps
the cached values, which would prove nothing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import OgiError

_RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(OgiError):
    """LibreOffice is missing or a conversion failed."""


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (r"C:\Program Files\LibreOffice\program\soffice.exe",
                      "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.path.exists(candidate):
            return candidate
    return None


def convert(inputs: Sequence[Path], target: str, outdir: Path, *, timeout: float = 300) -> list[Path]:
    """Convert files with one LibreOffice run (``target`` e.g. ``pdf`` or ``xlsx:"Calc MS Excel
    2007 XML"``). Returns the output paths in input order; raises if any is missing."""
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError("未找到 LibreOffice（soffice）。请安装 LibreOffice 后重试；"
                               "Linux 可用 apt-get install libreoffice-writer-nogui")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ogi-lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_PROFILE, encoding="utf-8")
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
               "--convert-to", target, "--outdir", str(outdir), *map(str, inputs)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"LibreOffice 转换超时（{timeout:.0f} 秒）") from exc
    ext = target.split(":")[0]
    outputs = [outdir / (Path(p).stem + "." + ext) for p in inputs]
    missing = [p for p in outputs if not p.exists()]
    if missing:
        detail = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip()[-300:]
        raise LibreOfficeError(f"LibreOffice 未能生成 {missing[0].name}（退出码 {proc.returncode}）"
                               + (f"：{detail}" if detail else ""))
    return outputs


def convert_parallel(inputs: Sequence[Path], target: str, outdir: Path, *, jobs: int = 1,
                     timeout_per_file: float = 15, timeout: float = 120) -> list[Path]:
    """:func:`convert` over ``jobs`` LibreOffice processes at once, each with its own profile and
    an even share of ``inputs`` (one process per share: LibreOffice's start-up is paid once per
    process, not per file). Returns the outputs in input order; the first failure is raised after
    every process has ended."""

    inputs = list(inputs)
    jobs = max(1, min(jobs, len(inputs)))
    shares = [inputs[i::jobs] for i in range(jobs)]  # interleaved: similar sizes in every share

    def run(share: list[Path]) -> list[Path]:
        return convert(share, target, outdir, timeout=timeout + timeout_per_file * len(share))

    if jobs == 1:
        return run(inputs)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run, share) for share in shares]
        results = [f.exception() or f.result() for f in futures]
    for r in results:
        if isinstance(r, BaseException):
            raise r
    by_input = {}
    for share, outs in zip(shares, results, strict=True):
        by_input.update(zip(share, outs, strict=True))  # type: ignore[arg-type]
    return [by_input[p] for p in inputs]


def recalculate_xlsx(inputs: Sequence[Path], outdir: Path) -> list[Path]:
    """Open each workbook in Calc, recalculate every formula, save as .xlsx into ``outdir``."""
    return convert(inputs, "xlsx:Calc MS Excel 2007 XML", outdir)
