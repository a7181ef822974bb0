"""`ogi check` on cell values: what a clerk types, pastes or deletes in a real filled workbook."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from checkcases import codes, edit, filled, sha256
from ogi.form.layout import Layout
from ogi.form.report import Value
from ogi.workbook.checker import check_workbook
from ogi.workbook.xlsx_reader import clean_text, normalise_formula, parse_number, read_workbook

KEY = "t3.granted.natural_person"  # 表三 D9


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, layout: Layout) -> tuple[Path, dict[str, Value]]:
    from conftest import SEED_AGENCY
    from ogi.workbook.xlsx_writer import WorkbookOptions, build_workbook

    path = tmp_path_factory.mktemp("base") / "base.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023)))
    values = filled(path, layout, seed=11)
    return path, values


@pytest.fixture
def wb(base: tuple[Path, dict[str, Value]], tmp_path: Path) -> tuple[Path, dict[str, Value]]:
    path = tmp_path / "白阳镇.xlsx"
    shutil.copy(base[0], path)
    return path, base[1]


def put(path: Path, layout: Layout, key: str, raw: object) -> None:
    sheet, addr = layout.address(key)

    def fn(wb: object) -> None:
        wb[sheet][addr].value = raw  # type: ignore[index]

    edit(path, fn)


def test_clean_workbook_reads_back_exactly(wb: tuple[Path, dict[str, Value]], layout: Layout) -> None:
    path, values = wb
    before = sha256(path)
    result = check_workbook(path)
    assert result.findings == []
    assert result.exit_code == 0 and result.errors == 0 and result.warnings == 0
    assert result.report.values == values
    assert result.report.metadata["agency_name"] == "彭阳县白阳镇人民政府"
    assert result.report.metadata["year"] == "2023"
    assert result.report.metadata["phone"] == "0954-1234567"
    assert result.report.metadata["publish_date"] == "2024-01-20"
    assert "\n第二段说明具体做法。" in result.report.narrative["overview"]
    assert sha256(path) == before  # the input is never written to


@pytest.mark.parametrize(("shown", "what"), [
    ("full", "全角"), ("spaces", "空格"), ("text", "文本"), ("point_zero", "小数"),
])
def test_harmless_variants_are_read_with_a_warning(wb: tuple[Path, dict[str, Value]], layout: Layout,
                                                   shown: str, what: str) -> None:
    path, values = wb
    v = values[KEY]
    raw = {"full": str(v).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
           "spaces": f"  {v} ", "text": str(v), "point_zero": f"{v}.0"}[shown]
    put(path, layout, KEY, raw)
    result = check_workbook(path)
    assert codes(result.findings) == [("VALUE-NORMALISED", "表三", "D9")]
    f = result.findings[0]
    assert f.severity == "warning" and what in f.message
    assert f.row_label == "（一）予以公开" and f.column_label == "自然人"
    assert result.report.values[KEY] == v and isinstance(result.report.values[KEY], int)
    assert result.exit_code == 0


def test_float_whole_number_in_count_cell_is_the_number(wb: tuple[Path, dict[str, Value]],
                                                         layout: Layout) -> None:
    path, values = wb
    put(path, layout, KEY, float(values[KEY]))  # a number cell holding 3.0 is the number 3
    result = check_workbook(path)
    assert result.findings == []
    assert result.report.values[KEY] == values[KEY] and isinstance(result.report.values[KEY], int)


@pytest.mark.parametrize(("key", "raw", "code", "cell"), [
    (KEY, "三件", "VALUE-TEXT", "D9"),
    (KEY, "3件", "VALUE-TEXT", "D9"),
    (KEY, -3, "VALUE-NEGATIVE", "D9"),
    (KEY, "-3", "VALUE-NEGATIVE", "D9"),
    (KEY, 2.5, "VALUE-FRACTION", "D9"),
    (KEY, "=1+2", "VALUE-FORMULA", "D9"),
    (KEY, True, "VALUE-TEXT", "D9"),
    (KEY, 1e12, "VALUE-TOO-LARGE", "D9"),
    (KEY, None, "VALUE-BLANK", "D9"),
    (KEY, "   ", "VALUE-BLANK", "D9"),
    ("t3.deny_law_forbidden.legal_service", "x", "VALUE-TEXT", "H12"),
    ("t2.admin_fees.amount_wan_yuan", 1.1234567, "VALUE-PRECISION", "B17"),
    ("t2.admin_fees.amount_wan_yuan", -0.5, "VALUE-NEGATIVE", "B17"),
    ("fee.notices_amount", 12.345, "VALUE-PRECISION", "B17"),
    ("t4.cases.review_maintained", None, "VALUE-BLANK", "A7"),
])
def test_invalid_values_are_errors_at_their_cell(wb: tuple[Path, dict[str, Value]], layout: Layout,
                                                 key: str, raw: object, code: str, cell: str) -> None:
    path, _ = wb
    put(path, layout, key, raw)
    result = check_workbook(path)
    sheet = layout.address(key)[0]
    # One bad cell gives one finding: rules over it are not evaluated (no cascade).
    assert codes(result.findings) == [(code, sheet, cell)]
    assert result.findings[0].severity == "error"
    assert result.findings[0].key == key
    assert result.report.values[key] is None
    assert result.exit_code == 1


def test_where_names_sheet_cell_row_and_column(wb: tuple[Path, dict[str, Value]], layout: Layout) -> None:
    path, _ = wb
    put(path, layout, "t3.deny_law_forbidden.legal_service", "见附件")
    f = check_workbook(path).findings[0]
    assert f.where == "表三 H12（（三）不予公开·2.其他法律行政法规禁止公开｜法律服务机构）"
    assert "见附件" in f.message and f.hint


def test_wan_yuan_keeps_six_decimals_exactly(wb: tuple[Path, dict[str, Value]], layout: Layout) -> None:
    path, _values = wb
    put(path, layout, "t2.admin_fees.amount_wan_yuan", 5949.088667)
    result = check_workbook(path)
    assert result.findings == []
    assert result.report.values["t2.admin_fees.amount_wan_yuan"] == Decimal("5949.088667")


def test_overwritten_total_formula_is_an_error_and_recomputed(wb: tuple[Path, dict[str, Value]],
                                                              layout: Layout) -> None:
    path, values = wb
    # Protection removed, then a number typed over the 总计 of 一、本年新收 (表三 J7).
    def fn(wb: object) -> None:
        ws = wb["表三"]  # type: ignore[index]
        ws.protection.sheet = False
        ws["J7"] = 999

    edit(path, fn)
    result = check_workbook(path)
    assert codes(result.findings) == [("XLSX-FORMULA-CHANGED", "表三", "J7"),
                                      ("XLSX-UNPROTECTED", "表三", "")]
    changed = result.findings[0] if result.findings[0].cell else result.findings[1]
    assert "999" in changed.message and str(values["t3.new_received.total"]) in changed.message
    assert result.report.values["t3.new_received.total"] == values["t3.new_received.total"]
    assert result.exit_code == 1


def test_read_workbook_interface(wb: tuple[Path, dict[str, Value]]) -> None:
    path, values = wb
    read = read_workbook(path)
    assert read.path == path and read.findings == []
    assert read.report.template_id == "gov_info_2021" and read.report.template_version == 1
    assert read.report.values == values


# ---- pure helpers -------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "kind", "value", "problem"), [
    (3, "count", 3, None),
    ("１２", "count", 12, "VALUE-NORMALISED"),
    ("\u3000７\u3000", "count", 7, "VALUE-NORMALISED"),
    ("1,234", "count", 1234, "VALUE-NORMALISED"),
    ("3.0", "count", 3, "VALUE-NORMALISED"),
    ("3.5", "count", None, "VALUE-FRACTION"),
    ("－2", "count", None, "VALUE-NEGATIVE"),
    ("0.000001", "wan_yuan", Decimal("0.000001"), "VALUE-NORMALISED"),
    (0.0000001, "wan_yuan", None, "VALUE-PRECISION"),
    (5949.0886670000004, "wan_yuan", Decimal("5949.088667"), None),
    (12.5, "yuan", Decimal("12.5"), None),
    ("12.345", "yuan", None, "VALUE-PRECISION"),
    ("1.2.3", "count", None, "VALUE-TEXT"),
    ("", "count", None, None),
    (None, "count", None, None),
])
def test_parse_number(raw: object, kind: str, value: Value, problem: str | None) -> None:
    got, problems = parse_number(raw, "s" if isinstance(raw, str) else "n", kind)
    assert got == value
    assert [p[0] for p in problems] == ([problem] if problem else [])


def test_clean_text_removes_controls_but_keeps_line_breaks() -> None:
    text, removed = clean_text("第一段_x0007_\r\n第二段\t完\x0b")
    assert text == "第一段\n第二段完"
    assert removed == ["\\x07", "\\x09", "\\x0b"]


@pytest.mark.parametrize("variant", [
    "=SUM(D7:I7)", "SUM(D7:I7)", "=sum( $D$7 : $I$7 )",
])
def test_formula_spellings_compare_equal(variant: str) -> None:
    assert normalise_formula(variant) == normalise_formula("=SUM(D7:I7)")


def test_formula_sheet_quotes_and_strings() -> None:
    ours = "=IF(COUNT('表三'!D7,'表三'!D8)<2,\"数据不完整\",\"通过\")"
    theirs = "=IF(COUNT(表三!$D$7,表三!$D$8)<2,\"数据不完整\",\"通过\")"
    assert normalise_formula(ours) == normalise_formula(theirs)
    assert normalise_formula('=IF(A1=1,"通过","x")') != normalise_formula('=IF(A1=1,"通 过","x")')


def test_formula_cache_scan_stays_inside_each_cell() -> None:
    from ogi.workbook.xlsx_reader import _formula_cache

    xml = (b'<c r="B1" s="1"/><c r="C1" t="str"><f>A</f><v>x</v></c><c r="D1"><v>3</v></c>'
           b'<c r="E1"><f t="shared" si="0"/><v>5</v></c><x:c r="F1"><x:f>SUM(A1)</x:f></x:c>'
           b'<c r="G1"><v>1</v></c>')
    assert _formula_cache(xml) == {"C1": ("str", "x"), "E1": ("n", "5"), "F1": ("n", "")}
