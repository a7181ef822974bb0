"""`ogi summary` over the county folder of test_status_county: totals computed independently here,
live SUM formulas with correct cached values, the official-layout sheet, the charts, text safety."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from test_status_county import (
    ERRORS,
    INJECTION,
    MISSING,
    UNTOUCHED,
    County,
    N,
    agency,
    county_folder,
)

from ogi.form.layout import layout_for

INCLUDED = [i for i in range(1, N + 1) if i not in MISSING | ERRORS | UNTOUCHED]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> County:
    return county_folder(tmp_path_factory)


@pytest.fixture(scope="module")
def summary_file(county: County, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ogi.cli import main

    out = tmp_path_factory.mktemp("summary") / "汇总.xlsx"
    with pytest.raises(SystemExit) as exc:
        main(["summary", str(county.folder), "--roster", str(county.roster_file), "-o", str(out), "-q"])
    assert exc.value.code == 0
    return out


def expected_figures(county: County, indices: list[int]) -> dict[str, int | Decimal]:
    """The key figures by hand, from the cells the test wrote (none of ogi's arithmetic)."""
    exp: dict[str, int | Decimal] = {
        "一、本年新收政府信息公开申请数量": 0, "二、上年结转政府信息公开申请数量": 0,
        "（一）予以公开": 0, "（三）不予公开（小计）": 0, "（四）无法提供（小计）": 0,
        "（五）不予处理（小计）": 0, "（七）总计": 0, "四、结转下年度继续办理": 0,
        "规章·本年制发件数": 0, "行政规范性文件·现行有效件数": 0,
        "行政事业性收费·本年收费金额（单位：万元）": Decimal(0),
        "行政复议·总计": 0, "未经复议直接起诉·总计": 0, "发出收费通知件数（件）": 0,
    }
    for i in indices:
        v = {k: val for k, val in county.values_for(i).items()} if i not in UNTOUCHED else {}
        g = v.get
        exp["一、本年新收政府信息公开申请数量"] += g("t3.new_received.natural_person", 0) + g("t3.new_received.commercial", 0)
        exp["二、上年结转政府信息公开申请数量"] += g("t3.carried_over.natural_person", 0)
        exp["（一）予以公开"] += g("t3.granted.natural_person", 0)
        exp["（四）无法提供（小计）"] += g("t3.unable_not_held.commercial", 0)
        exp["（五）不予处理（小计）"] += g("t3.np_duplicate.natural_person", 0)
        exp["（七）总计"] += (g("t3.granted.natural_person", 0) + g("t3.unable_not_held.commercial", 0)
                          + g("t3.np_duplicate.natural_person", 0))
        exp["四、结转下年度继续办理"] += g("t3.carry_forward.natural_person", 0)
        exp["规章·本年制发件数"] += g("t2.regulations.made", 0)
        exp["行政规范性文件·现行有效件数"] += g("t2.normative_docs.valid", 0)
        exp["行政事业性收费·本年收费金额（单位：万元）"] += g("t2.admin_fees.amount_wan_yuan", 0)
        exp["行政复议·总计"] += g("t4.cases.review_maintained", 0)
        exp["未经复议直接起诉·总计"] += g("t4.cases.lit_direct_pending", 0)
        exp["发出收费通知件数（件）"] += g("fee.notices_count", 0)
    return exp


def summary_sheet(path: Path, *, data_only: bool) -> tuple[dict[str, int], list[list[object]], list[object]]:
    """(figure label -> column index, agency rows, 合计 row) of the 汇总 sheet."""
    wb = openpyxl.load_workbook(path, data_only=data_only)
    ws = wb["汇总"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    columns = {v: c for c, v in enumerate(rows[3]) if isinstance(v, str)}
    total_at = next(i for i, r in enumerate(rows) if r[0] == "合计")
    return columns, rows[4:total_at], rows[total_at]


def test_summary_totals_match_independent_sums(county: County, summary_file: Path) -> None:
    columns, agencies, total = summary_sheet(summary_file, data_only=True)
    assert [r[1] for r in agencies] == [agency(i).name for i in INCLUDED]
    for label, value in expected_figures(county, INCLUDED).items():
        cached = total[columns[label]]
        assert Decimal(str(cached)) == value, label
        column = [r[columns[label]] for r in agencies]
        assert Decimal(str(sum(Decimal(str(x)) for x in column))) == value, label
    # The duplicate agency counts with its newer workbook (its new_received was bumped by one).
    row12 = next(r for r in agencies if r[1] == agency(12).name)
    v12 = county.values_for(12)
    assert row12[columns["一、本年新收政府信息公开申请数量"]] == (
        v12["t3.new_received.natural_person"] + v12["t3.new_received.commercial"])


def test_total_row_is_live_sum(summary_file: Path) -> None:
    columns, agencies, total = summary_sheet(summary_file, data_only=False)
    first, last = 5, 4 + len(agencies)
    for label, c in columns.items():
        letter = openpyxl.utils.get_column_letter(c + 1)
        assert total[c] == f"=SUM({letter}{first}:{letter}{last})", label


def test_left_out_sheet_lists_every_excluded_workbook(summary_file: Path) -> None:
    ws = openpyxl.load_workbook(summary_file)["未计入"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    reasons = {(r[0], r[3].split("（")[0].split("：")[0]) for r in rows}
    for i in ERRORS:
        assert (agency(i).name, "有 2 个错误") in reasons
    for i in UNTOUCHED:
        assert (agency(i).name, "未完成") in reasons
    for i in MISSING:
        assert (agency(i).name, "未提交") in reasons
    assert ("外县某局", "不在机关名单中") in reasons
    assert any(r[0] == agency(12).name and "较旧的重复文件" in r[3] for r in rows)
    assert any(r[2].endswith(".xls") and "无法读取" in r[3] for r in rows)
    assert any(r[0] == agency(16).name and "2022" in r[3] for r in rows)
    assert len(rows) == len(ERRORS) + len(UNTOUCHED) + len(MISSING) + 1 + 1 + 1 + 2


def test_official_layout_sheet_sums_every_cell(county: County, summary_file: Path) -> None:
    from ogi.county.summary import tables_sheet_cell
    from ogi.form.rules import compute_totals

    layout = layout_for()
    spec = layout.spec
    wb = openpyxl.load_workbook(summary_file, data_only=True)
    ws = wb["全县汇总表"]
    expected = {k: Decimal(0) for k in spec.cells}
    for i in INCLUDED:
        values = compute_totals(spec, {k: 0 for k in spec.input_keys} | county.values_for(i))
        for k, v in values.items():
            expected[k] += Decimal(v)
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for tl in layout.tables.values():
        for p in tl.labels:
            assert p.text in texts
        for key in tl.values:
            r, c = tables_sheet_cell(layout, key)
            assert Decimal(str(ws.cell(r + 1, c + 1).value)) == expected[key], key
    # Row labels sit on the same row as their sums, as in the official table.
    r, c = tables_sheet_cell(layout, "t3.result_total.total")
    assert "（七）总计" in [ws.cell(r + 1, col).value for col in range(1, 4)]
    assert expected["t3.result_total.total"] > 0
    formulas = openpyxl.load_workbook(summary_file)["全县汇总表"]
    assert re.fullmatch(r"=SUM\('明细'!\$?[A-Z]+\$?3:\$?[A-Z]+\$?\d+\)",
                        formulas.cell(r + 1, c + 1).value)


def test_chart_is_native_and_reads_the_summary(summary_file: Path) -> None:
    with zipfile.ZipFile(summary_file) as zf:
        charts = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 2
        xml = zf.read(charts[0]).decode("utf-8")
        last = 4 + len(INCLUDED)
        assert re.search(rf"<c:f>'?汇总'?!\$B\$5:\$B\${last}</c:f>", xml)
        assert "<c:barChart>" in xml
        assert xml.count("<c:ser>") == 3
        stacked = zf.read(charts[1]).decode("utf-8")
        assert '<c:grouping val="stacked"/>' in stacked and stacked.count("<c:ser>") == 6
        drawings = [n for n in zf.namelist() if n.startswith("xl/drawings/drawing")]
        assert drawings


def test_names_that_look_like_formulas_stay_text(summary_file: Path) -> None:
    wb = openpyxl.load_workbook(summary_file)
    for sheet in ("汇总", "明细"):
        ws = wb[sheet]
        cells = [c for row in ws.iter_rows() for c in row if c.value == agency(INJECTION).name]
        assert cells and all(c.data_type == "s" for c in cells), sheet
    with zipfile.ZipFile(summary_file) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert "SUM(1,2)" not in zf.read(name).decode("utf-8"), name


def test_include_errors_adds_broken_and_untouched(county: County) -> None:
    from ogi.county.roster import read_roster
    from ogi.county.status import collect_status
    from ogi.county.summary import summarize

    status = collect_status(county.folder, read_roster(county.roster_file))
    normal = summarize(status)
    assert [r.agency.name for r in normal.rows] == [agency(i).name for i in INCLUDED]
    wide = summarize(status, include_errors=True)
    with_errors = sorted(INCLUDED + list(ERRORS) + list(UNTOUCHED))
    assert [r.agency.name for r in wide.rows] == [agency(i).name for i in with_errors]
    exp = expected_figures(county, with_errors)
    assert wide.totals["t3.carry_forward.total"] == exp["四、结转下年度继续办理"]
    assert wide.totals["t3.new_received.total"] == exp["一、本年新收政府信息公开申请数量"]
    assert not any("有 2 个错误" in item.reason for item in wide.left_out)


def test_summary_of_empty_folder_still_writes_a_workbook(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from ogi.cli import main

    (tmp_path / "空").mkdir()
    out = tmp_path / "汇总.xlsx"
    with pytest.raises(SystemExit) as exc:
        main(["summary", str(tmp_path / "空"), "-o", str(out), "-q"])
    assert exc.value.code == 0
    assert "汇总了 0 个机关" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb["汇总"].cell(5, 1).value == "合计"


@pytest.mark.libreoffice
def test_libreoffice_recalculation_agrees_with_cached_totals(soffice: str, summary_file: Path,
                                                             tmp_path: Path) -> None:
    from ogi.files.libreoffice import recalculate_xlsx

    [recalculated] = recalculate_xlsx([summary_file], tmp_path)
    cached = openpyxl.load_workbook(summary_file, data_only=True)
    fresh = openpyxl.load_workbook(recalculated, data_only=True)
    for sheet in ("汇总", "全县汇总表"):
        a, b = cached[sheet], fresh[sheet]
        numbers = [(c.coordinate, c.value) for row in a.iter_rows() for c in row
                   if isinstance(c.value, (int, float))]
        assert numbers
        for coord, value in numbers:
            assert b[coord].value == pytest.approx(value), (sheet, coord)
