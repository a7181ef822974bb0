"""A workbook written by the previous ogi release (sent to the townships before an upgrade) is still
read as it was: the 校验 sheet's rule rows are found by rule id, not by position, so rules added since
(the narrative checks) do not make the sheet look like rows were deleted."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from ogi.form.layout import SHEET_CHECKS, Layout
from ogi.workbook.checker import check_workbook
from ogi.workbook.xlsx_reader import read_workbook

FIXTURE = Path(__file__).parents[1] / "fixtures" / "workbook_from_previous_release.xlsx"
EXAMPLE = Path(__file__).parents[2] / "examples" / "示例-彭阳县白阳镇人民政府-2023.xlsx"


def test_previous_release_workbook_checks_clean_with_the_same_figures(layout: Layout) -> None:
    result = check_workbook(FIXTURE)
    assert [f.code for f in result.findings if f.severity == "error"] == []
    assert result.report.values == read_workbook(EXAMPLE).report.values


def test_previous_release_explanations_are_read_by_rule_id(tmp_path: Path, layout: Layout) -> None:
    path = tmp_path / "白阳镇.xlsx"
    shutil.copy(FIXTURE, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_CHECKS]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    # openpyxl rows are 1-based, layout rows 0-based: pick a rule whose row moved since that release.
    moved = [rid for rid in layout.check_rows if rid in rows and rows[rid] - 1 != layout.check_rows[rid].row]
    assert moved, "the fixture no longer differs from the current 校验 layout; the test proves nothing"
    rule_id = moved[-1]
    ws.cell(rows[rule_id], 4).value = "数据经核对无误"
    ws.cell(rows["总体说明"], 2).value = "本年度无特殊情况"
    wb.save(path)
    explanations = read_workbook(path).report.explanations
    assert explanations[rule_id] == "数据经核对无误"
    assert explanations["_general"] == "本年度无特殊情况"
