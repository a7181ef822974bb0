"""A damaged workbook in the folder is one 无法读取 row, never the end of the run."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook


def replace_part(data: bytes, part: str, payload: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, payload if info.filename == part else src.read(info.filename))
    return out.getvalue()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    good = build_workbook(Agency("甲镇人民政府", "D001"), WorkbookOptions(year=2023))
    (tmp_path / "甲.xlsx").write_bytes(good)
    (tmp_path / "实体.xlsx").write_bytes(replace_part(
        good, "xl/workbook.xml",
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaa">]><workbook>&a;</workbook>'))
    (tmp_path / "坏XML.xlsx").write_bytes(replace_part(good, "xl/workbook.xml", b"<workbook><sheets>"))
    (tmp_path / "截断.xlsx").write_bytes(good[: len(good) // 2])
    (tmp_path / "空.xlsx").write_bytes(b"")
    (tmp_path / "文本.xlsx").write_text("不是工作簿", encoding="utf-8")
    return tmp_path


def test_each_damaged_file_is_one_unreadable_row(folder: Path) -> None:
    from ogi.county.status import INCOMPLETE, UNREADABLE, collect_status

    report = collect_status(folder)
    by_name = {r.result.file.rel: r for r in report.rows if r.result is not None}
    assert by_name["甲.xlsx"].status == INCOMPLETE
    for name, words in (("实体.xlsx", ("XML",)), ("坏XML.xlsx", ("损坏",)),
                        ("截断.xlsx", ("损坏", "不完整")), ("空.xlsx", ("空",)),
                        ("文本.xlsx", ("不是",))):
        row = by_name[name]
        assert row.status == UNREADABLE and row.agency is None, name
        assert any(w in row.result.problem for w in words), (name, row.result.problem)
    assert report.exit_code == 1


def test_cli_status_reports_damage_without_traceback(folder: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from ogi.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["status", str(folder), "-q"])
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert sum(line.startswith("（无法识别）  无法读取") for line in captured.out.splitlines()) == 5
    assert "共 1 个机关：未完成 1；另有 5 个文件无法识别机关。" in captured.out
