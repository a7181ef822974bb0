"""Outputs appear complete or not at all, readable by colleagues on a share, never over an input."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from ogi.errors import OutputError
from ogi.safe_io import atomic_write_bytes, safe_filename


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_written_file_follows_umask_not_mkstemp(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        from ogi import safe_io

        safe_io._umask.cache_clear()
        path = atomic_write_bytes(tmp_path / "a.xlsx", b"data")
    finally:
        os.umask(old)
        safe_io._umask.cache_clear()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_bytes() == b"data"


def test_existing_file_is_kept_without_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "a.docx"
    target.write_bytes(b"old")
    with pytest.raises(OutputError, match="已存在"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    atomic_write_bytes(target, b"new", overwrite=True)
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]  # no temporary file left


def test_never_over_an_input(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    source.write_bytes(b"input")
    with pytest.raises(OutputError, match="输入文件"):
        atomic_write_bytes(source, b"x", overwrite=True, protect=(source,))
    assert source.read_bytes() == b"input"


@pytest.mark.parametrize(("name", "expected"), [
    ("../../x", "_.._x"),  # no separator left: it can only name a file inside the folder
    ("CON", "_CON"),
    ("con.docx", "_con.docx"),
    ("a:b*c?", "a_b_c_"),
    ("  报告. ", "报告"),
    ("", "未命名"),
])
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected
