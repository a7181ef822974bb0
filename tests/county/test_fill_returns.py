"""`ogi.county.fill.fill_returns`, the one call behind `ogi fill` and the year folder's 生成年报: on a
folder of real returns (two generated and filled as a clerk does, one damaged) it reports each step
through its callback in the order the command prints them, and `ogi fill` prints exactly what the
library reported and returns the library's exit code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import balanced_values, fill_workbook, input_values
from ogi.cli import main
from ogi.county.fill import (
    ERRORS,
    EVENT_LEDGER,
    EVENT_OUTCOME,
    OK,
    UNUSABLE,
    FillEvent,
    FillOptions,
    fill_returns,
)
from ogi.form.layout import Layout
from ogi.form.output import render_result
from ogi.form.report import Agency
from ogi.form.spec import FormSpec

CLEAN = Agency("彭阳县白阳镇人民政府", "640425001", "乡镇街道")
BLANK = Agency("彭阳县红河镇人民政府", "640425002", "乡镇街道")
METADATA = {"address": "彭阳县白阳镇", "postcode": "756500", "phone": "0954-0000000",
            "website": "彭阳县人民政府网站", "publish_date": "2024-01-25", "preparer": "张三"}


@pytest.fixture
def returns(tmp_path: Path, new_workbook: Callable[..., Path], spec: FormSpec, layout: Layout) -> Path:
    folder = tmp_path / "交回"
    folder.mkdir()
    clean = new_workbook(agency=CLEAN, name="白阳镇.xlsx")
    fill_workbook(clean, layout, values=input_values(spec, balanced_values(spec, 1)), metadata=METADATA,
                  narrative={k: f"这是{k}栏目的第一段。" for k in spec.narrative_keys},
                  out=folder / "白阳镇.xlsx")
    blank = new_workbook(agency=BLANK, name="红河镇.xlsx")  # as mailed out: its errors stop the report
    (folder / "红河镇.xlsx").write_bytes(blank.read_bytes())
    (folder / "坏.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    return folder


def test_events_come_in_the_commands_order_and_the_exit_code_counts_every_file(
        returns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events: list[FillEvent] = []
    batch = fill_returns([returns], FillOptions(output=tmp_path / "年报"), on_event=events.append)

    kinds = [(e.kind, e.done, e.total) for e in events]
    assert kinds == [(EVENT_LEDGER, 0, 2), (EVENT_OUTCOME, 0, 2), (EVENT_OUTCOME, 1, 2),
                     (EVENT_OUTCOME, 2, 2)]
    assert [e.outcome for e in events[1:]] == batch.outcomes and batch.filled == 2
    unreadable, *filled = batch.outcomes
    assert unreadable.status == UNUSABLE and unreadable.path.name == "坏.xlsx"
    assert {o.path.name: o.status for o in filled} == {"白阳镇.xlsx": OK, "红河镇.xlsx": ERRORS}
    made = next(o for o in filled if o.status == OK)
    assert made.docx is not None and made.docx.parent == tmp_path / "年报" and made.docx.is_file()
    assert batch.exit_code == 2  # the damaged file: 2 wins over the blank workbook's 1
    assert "无法读取" in batch.table and "坏.xlsx" in batch.table and "红河镇.xlsx" in batch.table

    # The command prints exactly those events, then the batch's closing lines, and exits with its code.
    expected = [*events[0].lines, *(render_result(e.outcome) for e in events[1:] if e.outcome),
                render_result(batch)]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["fill", str(returns), "-o", str(tmp_path / "年报")])
    out = capsys.readouterr().out
    assert exc.value.code == batch.exit_code
    assert out == "\n".join(expected).replace(
        "已生成：", "内容未变，未重写：") + "\n"  # the second run finds the same DOCX already there


def test_the_year_folder_fills_through_the_same_call(returns: Path, tmp_path: Path) -> None:
    from ogi.county.year import fill_reports, init_year

    year = init_year(2023, tmp_path / "2023年度")
    for f in returns.iterdir():
        (year.returns / f.name).write_bytes(f.read_bytes())
    seen: list[tuple[str, int, int]] = []
    outcomes = fill_reports(year, pdf=False, on_outcome=lambda o, i, n: seen.append((o.path.name, i, n)))
    assert seen[0] == ("坏.xlsx", 0, 2) and sorted(s[0] for s in seen[1:]) == ["白阳镇.xlsx", "红河镇.xlsx"]
    assert [o.status for o in outcomes].count(OK) == 1
    assert (year.reports / f"2023年{CLEAN.name}政府信息公开工作年度报告.html").is_file()
