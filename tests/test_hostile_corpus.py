"""Every hostile input of tests/hostile.py through the real CLI (`ogi.cli.main`).

For each case: the documented exit code, a Chinese message naming the problem, no traceback, no
output file or a complete one (no temporary files left behind), and every input byte-identical
afterwards. Most cases run in-process (click's isolation, fast); the GBK-console cases run as a real
subprocess with PYTHONIOENCODING=gbk, as on Chinese Windows.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import traceback
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from hostile import Case, Result, Workspace, corpus, snapshot
from ogi.cli import COMMANDS, main

CASES = corpus()
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def available(command: str) -> bool:
    entry = COMMANDS.get(command)
    return entry is not None and importlib.util.find_spec(entry[0]) is not None


def invoke(argv: list[str]) -> Result:
    """Run `ogi ARGV` in this process the way the console script does; capture everything."""
    runner = CliRunner()
    code: int | None = 0
    crash = ""
    with runner.isolation() as streams:
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except BaseException:  # an escaped exception is exactly what this corpus looks for
            code = -1
            crash = traceback.format_exc()
        sys.stdout.flush()
        sys.stderr.flush()
        chunks = [s.getvalue() for s in streams[:2] if s is not None]
    output = "".join(c.decode("utf-8", "replace") for c in chunks) + crash
    return Result(code if code is not None else 0, output)


def invoke_gbk(argv: list[str], cwd: Path) -> Result:
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONUTF8": "0"}
    proc = subprocess.run([sys.executable, "-c", "from ogi.cli import main; main()", *argv],
                          capture_output=True, env=env, cwd=cwd, timeout=120)
    output = (proc.stdout + proc.stderr).decode("gbk", "replace")
    return Result(proc.returncode, output)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    for command in (case.command, *case.needs):
        if not available(command):
            pytest.skip(f"ogi {command} is not in this checkout yet")
    ws = Workspace(tmp_path, tmp_path / "in", tmp_path / "out")
    ws.inp.mkdir()
    ws.out.mkdir()
    argv = case.make(ws)
    before = snapshot(ws.inp)

    result = invoke_gbk(argv, tmp_path) if case.gbk else invoke(argv)

    shown = result.output[-3000:]
    assert "Traceback" not in result.output, shown
    assert result.code in case.exit_codes, f"exit {result.code}, expected {sorted(case.exit_codes)}:\n{shown}"
    if result.code != 0 or case.keywords:
        assert CHINESE.search(result.output), f"no Chinese message:\n{shown}"
    if case.keywords:
        assert any(k in result.output for k in case.keywords), \
            f"message names none of {case.keywords}:\n{shown}"
    assert snapshot(ws.inp) == before, "an input file was modified, added or removed"
    leftovers = [p.name for p in tmp_path.rglob("*")
                 if p.is_file() and (p.name.startswith(".ogi-") or p.suffix == ".tmp")]
    assert not leftovers, f"temporary files left behind: {leftovers}"
    for p in ws.out.rglob("*"):
        if p.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(p) as zf:
                assert zf.testzip() is None, f"incomplete output {p.name}"
    if case.check is not None:
        case.check(ws, result)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.command for c in CASES}) >= 5
