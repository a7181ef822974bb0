"""`ogi summary --previous`: 上年结转 and 现行有效件数 against last year's workbooks, as warnings."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from conftest import fill_workbook
from ogi.form.layout import layout_for
from ogi.form.report import Value
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

CONTACT = {"address": "某路1号", "phone": "0954-5550001", "website": "某县人民政府网站",
           "publish_date": "2024-01-20"}
AGENCIES = [Agency("甲镇人民政府", "C001"), Agency("乙镇人民政府", "C002"), Agency("丙镇人民政府", "C003")]


def year_values(carried: int, carry_forward: int, valid_before: int, made: int, repealed: int
                ) -> dict[str, Value]:
    """Balanced 自然人 column: 一 = 5, 二 = carried, （一） = 5 + carried − carry_forward."""
    return {
        "t3.new_received.natural_person": 5,
        "t3.carried_over.natural_person": carried,
        "t3.granted.natural_person": 5 + carried - carry_forward,
        "t3.carry_forward.natural_person": carry_forward,
        "t2.normative_docs.made": made,
        "t2.normative_docs.repealed": repealed,
        "t2.normative_docs.valid": valid_before + made - repealed,
    }


def write(path: Path, ag: Agency, year: int, values: dict[str, Value]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_workbook(ag, WorkbookOptions(year=year)))
    spec = layout_for().spec
    return fill_workbook(path, layout_for(), values=values, metadata=CONTACT,
                         narrative={n.key: "已按要求开展工作。" for n in spec.narrative})


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("continuity")
    last, this = root / "2022", root / "2023"
    # 2022: 甲 carries 3 forward, valid 20; 乙 carries 2, valid 8. 丙 sent nothing in 2022.
    write(last / "a.xlsx", AGENCIES[0], 2022, year_values(0, 3, 18, 2, 0))
    write(last / "b.xlsx", AGENCIES[1], 2022, year_values(0, 2, 8, 0, 0))
    # 2023: 甲 consistent; 乙 says 上年结转 4 (was 2) and 现行有效 off by one; 丙 new.
    write(this / "a.xlsx", AGENCIES[0], 2023, year_values(3, 1, 20, 1, 1))
    b = year_values(4, 0, 8, 3, 0)
    b["t2.normative_docs.valid"] = 12  # 8 + 3 − 0 = 11
    write(this / "b.xlsx", AGENCIES[1], 2023, b)
    write(this / "c.xlsx", AGENCIES[2], 2023, year_values(0, 0, 0, 0, 0))
    return last, this


def test_continuity_warnings_per_agency(folders: tuple[Path, Path]) -> None:
    from ogi.county.summary import build_summary

    last, this = folders
    summary = build_summary(this, previous=last)
    assert [r.agency.name for r in summary.rows] == [a.name for a in AGENCIES]
    notes = [(n.agency.name, n.finding.rule_id) for n in summary.continuity]
    assert notes == [("乙镇人民政府", "PREV-CARRY:natural_person"), ("乙镇人民政府", "PREV-CARRY:total"),
                     ("乙镇人民政府", "PREV-VALID:normative_docs")]
    assert all(n.finding.severity == "warning" for n in summary.continuity)
    assert [a.name for a in summary.previous_missing] == ["丙镇人民政府"]
    # Warnings do not keep a workbook out of the totals.
    assert summary.totals["t3.carried_over.total"] == 7


def test_cli_summary_previous_sheet_and_output(folders: tuple[Path, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from ogi.cli import main

    last, this = folders
    out = tmp_path / "汇总.xlsx"
    with pytest.raises(SystemExit) as exc:
        main(["summary", str(this), "--previous", str(last), "-o", str(out), "-q"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "与上年数据衔接的警告 3 条" in text
    assert "乙镇人民政府：表三" in text and "上年报告结转下年度为 2" in text
    assert "以下机关没有找到上年的工作簿，未做衔接检查：丙镇人民政府" in text
    ws = openpyxl.load_workbook(out)["上年衔接"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[3]]
    assert [(r[0], r[3]) for r in rows[:3]] == [("乙镇人民政府", "PREV-CARRY"), ("乙镇人民政府", "PREV-CARRY"),
                                                ("乙镇人民政府", "PREV-VALID")]
    sheet, addr = layout_for().address("t3.carried_over.natural_person")
    assert rows[0][4].startswith(f"{sheet} {addr}")
    texts = [c for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert "丙镇人民政府" in texts


def test_progress_sees_every_file_of_both_years(folders: tuple[Path, Path]) -> None:
    from ogi.county.summary import build_summary

    last, this = folders
    calls: list[tuple[str, int, int]] = []

    def recorder(label: str):  # type: ignore[no-untyped-def]
        def progress(items, n):  # type: ignore[no-untyped-def]
            seen = 0
            for item in items:
                seen += 1
                yield item
            calls.append((label, n, seen))
        return progress

    build_summary(this, previous=last, progress=recorder("this"), previous_progress=recorder("last"))
    assert calls == [("this", 3, 3), ("last", 2, 2)]
