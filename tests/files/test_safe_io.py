"""Outputs appear complete or not at all, readable by colleagues on a share, never over an input."""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

import pytest

from ogi.errors import OutputError
from ogi.files.safe_io import (
    LOCKED_MESSAGE,
    MAX_NAME_BYTES,
    NAME_SUFFIX_ROOM,
    InputSet,
    atomic_write_bytes,
    os_error_message,
    safe_filename,
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_written_file_follows_umask_not_mkstemp(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        from ogi.files import safe_io

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


def test_names_are_capped_by_bytes_never_the_suffix() -> None:
    name = safe_filename("2023年" + "测" * 200 + "年度报告", suffix=".docx")
    assert name.endswith(".docx") and name.startswith("2023年测")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES - NAME_SUFFIX_ROOM
    assert len(name.replace(".docx", ".json").encode("utf-8")) <= MAX_NAME_BYTES
    assert safe_filename("短名", suffix=".pdf") == "短名.pdf"


def _no_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """The file system of an SMB share or a FAT stick: link() is refused."""
    from ogi.files import safe_io

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted", src, None, dst)

    monkeypatch.setattr(safe_io.os, "link", refuse)


def test_without_hard_links_the_name_is_claimed_exclusively(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _no_hard_links(monkeypatch)
    target = tmp_path / "a.docx"
    assert atomic_write_bytes(target, b"first") == target and target.read_bytes() == b"first"
    with pytest.raises(OutputError, match="已存在"):
        atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]


def test_publish_race_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between this run's check and its publish another run creates the file: the O_EXCL claim
    fails, nothing is clobbered, nothing is left behind."""
    from ogi.files import safe_io

    _no_hard_links(monkeypatch)
    target = tmp_path / "a.docx"
    real_barrier = safe_io._barrier

    def other_run_publishes_first() -> None:
        real_barrier()
        target.write_bytes(b"the other run's report")

    monkeypatch.setattr(safe_io, "_barrier", other_run_publishes_first)
    with pytest.raises(OutputError, match="同时运行"):
        atomic_write_bytes(target, b"mine")
    assert target.read_bytes() == b"the other run's report"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]


def test_inputs_are_recognised_under_any_name(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    source.write_bytes(b"input")
    (tmp_path / "sub").mkdir()
    os.link(source, tmp_path / "sub" / "second-name.xlsx")
    inputs = InputSet([source])
    assert inputs.holds(tmp_path / "sub" / "second-name.xlsx")  # device and inode
    assert inputs.holds(tmp_path / "sub" / ".." / "in.xlsx")  # resolved path
    with pytest.raises(OutputError, match="输入文件"):
        atomic_write_bytes(tmp_path / "sub" / "second-name.xlsx", b"x", overwrite=True, protect=inputs)
    assert source.read_bytes() == b"input"


def test_os_errors_in_chinese() -> None:
    long = OSError(errno.ENAMETOOLONG, "File name too long")
    assert "路径过长" in os_error_message(long) and "255" in os_error_message(long)
    sharing = OSError(errno.EACCES, "sharing violation")
    sharing.winerror = 32  # type: ignore[attr-defined]
    assert os_error_message(sharing) == LOCKED_MESSAGE
