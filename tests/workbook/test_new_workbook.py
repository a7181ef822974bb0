"""The generated workbook for 彭阳县白阳镇人民政府 2023, opened the way a county office's tools and a
clerk's spreadsheet open it: labels, merges, locking, protection, hidden metadata, zeros, formulas with
correct cached values (read from the raw XML), validation, conditional formatting, print setup."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest

import ogi
from conftest import SEED_AGENCY, balanced_values
from ogi.errors import InputError
from ogi.form.layout import (
    FAIL,
    GENERAL_EXPLANATION,
    HIDDEN_KEYS,
    INCOMPLETE,
    PASS,
    SHEET_CHECKS,
    SHEET_GUIDE,
    SHEET_HIDDEN,
    SHEET_META,
    SHEET_TEXT,
    Layout,
    a1,
    hidden_address,
)
from ogi.form.report import Report, Value
from ogi.form.rules import compute_totals, input_operands, live_rules
from ogi.form.spec import FormSpec
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


# ---- helpers shared with the LibreOffice tests ------------------------------------------------------
def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> part name inside the package (xl/worksheets/sheetN.xml)."""
    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sheet in book.find("m:sheets", NS):  # type: ignore[union-attr]
        target = targets[sheet.get(REL)]
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        out[sheet.get("name")] = path
    return out


def raw_cells(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """(sheet, A1) -> {"t": type attr, "f": formula text or None, "v": raw <v> text or None}."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with zipfile.ZipFile(path) as zf:
        for name, part in sheet_parts(zf).items():
            root = ET.fromstring(zf.read(part))
            for c in root.iter(f"{{{NS['m']}}}c"):
                f = c.find("m:f", NS)
                v = c.find("m:v", NS)
                out[(name, c.get("r"))] = {"t": c.get("t"), "f": None if f is None else (f.text or ""),
                                           "v": None if v is None else v.text}
    return out


def expected_formula_results(layout: Layout, values: dict[str, Value]) -> dict[tuple[str, str], Any]:
    """What every formula cell must show for (recomputed) ``values``, computed by ogi itself."""
    spec = layout.spec
    out: dict[tuple[str, str], Any] = {}
    for key in layout.formula_cells():
        out[layout.address(key)] = values[key]
    checks: dict[str, Any] = {}
    for rule in live_rules(spec.rules):
        # 数据不完整 when any input behind the operands is blank, a total's own addends included.
        left, right = rule.sides
        if any(values.get(k) is None for k in input_operands(spec, (*left, *right))):
            checks[rule.id] = INCOMPLETE
        else:
            checks[rule.id] = PASS if rule.balanced(values) else FAIL
    for addr, (sheet, _, rule) in layout.balance_check_cells().items():
        out[(sheet, addr)] = checks[rule.id]
    for rid, row in layout.check_rows.items():
        if row.rule.live:
            out[(SHEET_CHECKS, row.result_address)] = checks[rid]
    s, r, c = layout.blank_count_cell
    out[(s, a1(r, c))] = sum(1 for k in spec.input_keys if values.get(k) is None)
    s, r, c = layout.text_count_cell
    out[(s, a1(r, c))] = 0
    return out


def same(got: Any, want: Any) -> bool:
    if isinstance(want, str):
        return got == want
    if got is None or (isinstance(got, str) and not re.fullmatch(r"-?[\d.E+-]+", got)):
        return False
    return abs(Decimal(str(got)) - Decimal(str(want))) < Decimal("1e-9")


# ---- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "白阳镇.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023, deadline="2024年1月20日")))
    return path


@pytest.fixture(scope="module")
def wb(seed_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(seed_path)


# ---- labels and merges ----------------------------------------------------------------------------
def test_sheets_in_order(wb: openpyxl.Workbook, layout: Layout) -> None:
    assert wb.sheetnames == ["填报说明", "基本信息", "表二", "表三", "表四", "正文", "校验", "ogi_meta"]
    assert list(layout.sheets) == wb.sheetnames
    assert wb.active.title == SHEET_GUIDE


def test_every_official_label_in_place(wb: openpyxl.Workbook, layout: Layout) -> None:
    labels = layout.label_cells()
    assert len(labels) > 100
    for (sheet, addr), text in labels.items():
        assert wb[sheet][addr].value == text, f"{sheet}!{addr}"
    # The table titles are the official section headings.
    for table in layout.spec.tables:
        assert wb[table.sheet]["A1"].value == table.section
    assert wb["表三"]["A4"].value == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@pytest.mark.parametrize("table", ["t2", "t3", "t4"])
def test_merges_as_in_the_official_table(wb: openpyxl.Workbook, layout: Layout, table: str) -> None:
    tl = layout.tables[table]
    expected = {f"{p.address}:{a1(p.last_row, p.last_col)}"
                for p in [*tl.labels, *tl.values.values()] if p.merged}
    top, bottom = tl.labels[0].row + 1, tl.last_row + 1  # 1-based sheet rows of the grid
    got = {str(r) for r in wb[tl.sheet].merged_cells.ranges if top <= r.min_row <= bottom}
    assert got == expected
    if table == "t3":
        assert "A4:C6" in got and "A9:A30" in got  # the corner note, rowspan 22
    if table == "t2":
        assert "B17:D17" in got  # 行政事业性收费 amount across the three value columns


# ---- locking and protection -------------------------------------------------------------------------
def expected_unlocked(layout: Layout) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for key in layout.spec.input_keys:
        sheet, _ = layout.address(key)
        if key.startswith("fee."):
            out.add(layout.address(key))
            continue
        tl = next(t for t in layout.tables.values() if key in t.values)
        p = tl.values[key]
        for r in range(p.row, p.last_row + 1):
            for c in range(p.col, p.last_col + 1):
                out.add((sheet, a1(r, c)))
    for m in layout.spec.metadata:
        if not m.locked:
            fc = layout.meta_fields[m.key]
            out.add((fc.sheet, fc.address))
    for fc in layout.narrative_fields.values():
        out.add((fc.sheet, fc.address))
    for row in layout.check_rows.values():
        out.add((SHEET_CHECKS, row.explanation_address))
    gr = layout.general_explanation_row
    out |= {(SHEET_CHECKS, a1(gr, c)) for c in (1, 2, 3)}  # one merged cell B:D
    return out


def test_only_input_cells_are_unlocked(wb: openpyxl.Workbook, layout: Layout) -> None:
    unlocked = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row + 2, max_col=ws.max_column + 2):
            for cell in row:
                if not cell.protection.locked:
                    unlocked.add((ws.title, cell.coordinate))
    expected = expected_unlocked(layout)
    assert unlocked == expected
    # Locked metadata (name, year, id, type) and every total and label are locked.
    for key in layout.spec.computed_keys:
        sheet, addr = layout.address(key)
        assert wb[sheet][addr].protection.locked
    assert wb[SHEET_META][layout.meta_fields["agency_name"].address].protection.locked


def test_every_sheet_protected_and_structure_locked(wb: openpyxl.Workbook, seed_path: Path) -> None:
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        # OOXML: True means the action is prohibited. Rows may be made taller, never inserted.
        assert ws.protection.insertRows and ws.protection.deleteRows and ws.protection.deleteColumns
        assert not ws.protection.formatRows
    with zipfile.ZipFile(seed_path) as zf:
        book = zf.read("xl/workbook.xml").decode()
    prot = re.search(r"<workbookProtection[^>]*/>", book)
    assert prot and 'lockStructure="1"' in prot.group(0)
    assert "workbookPassword" not in prot.group(0)


def test_password_protects_sheets_and_structure(tmp_path: Path) -> None:
    path = tmp_path / "pw.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023, password="gk2024")))
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        assert ws.protection.sheet and ws.protection.password
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/workbook.xml").decode()
    from openpyxl.workbook.protection import hash_password

    digest = hash_password("gk2024")  # ECMA-376 legacy hash, as Excel and WPS check it
    assert f'<workbookProtection workbookPassword="{digest}" lockStructure="1"/>' in xml
    assert {ws.protection.password for ws in book.worksheets} == {digest}


def test_hidden_metadata_sheet_and_document_properties(wb: openpyxl.Workbook, spec: FormSpec) -> None:
    ws = wb[SHEET_HIDDEN]
    assert ws.sheet_state == "veryHidden"
    hidden = {ws.cell(row=i + 1, column=1).value: ws.cell(row=i + 1, column=2).value
              for i in range(len(HIDDEN_KEYS))}
    assert list(hidden) == list(HIDDEN_KEYS)
    assert hidden == {
        "template_id": "gov_info_2021", "template_version": "1", "spec_sha256": spec.sha256,
        "ogi_version": ogi.__version__, "agency_id": "640425001", "agency_type": "乡镇街道",
        "agency_name": "彭阳县白阳镇人民政府", "year": "2023", "deadline": "2024年1月20日",
    }
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    for key, value in hidden.items():
        assert props[f"ogi_{key}"] == value
    assert wb.properties.title == "彭阳县白阳镇人民政府2023年政府信息公开工作年度报告"
    for ws in wb.worksheets[:-1]:
        assert ws.sheet_state == "visible"


def test_metadata_sheet_prefilled_and_locked(wb: openpyxl.Workbook, layout: Layout) -> None:
    ws = wb[SHEET_META]
    got = {k: ws[fc.address].value for k, fc in layout.meta_fields.items()}
    assert got["agency_name"] == "彭阳县白阳镇人民政府"
    assert got["year"] == 2023
    assert got["agency_id"] == "640425001" and got["agency_type"] == "乡镇街道"
    assert all(not got[m.key] for m in layout.spec.metadata if not m.locked)


# ---- values, formulas, cached results ----------------------------------------------------------------
def test_every_numeric_input_is_zero(wb: openpyxl.Workbook, layout: Layout) -> None:
    for key in layout.spec.input_keys:
        sheet, addr = layout.address(key)
        cell = wb[sheet][addr]
        assert cell.value == 0 and cell.data_type == "n", f"{key} at {sheet}!{addr}"


def test_every_formula_present_and_nothing_else(wb: openpyxl.Workbook, layout: Layout) -> None:
    formulas = layout.all_formulas()
    assert len(formulas) == len(layout.spec.computed_keys) + 7 + sum(r.live for r in layout.spec.rules) + 2
    found = {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows()
             for c in row if c.data_type == "f"}
    assert found == formulas


def test_cached_formula_values_of_a_new_workbook(seed_path: Path, layout: Layout, spec: FormSpec) -> None:
    raw = raw_cells(seed_path)
    want = expected_formula_results(layout, compute_totals(spec, {k: 0 for k in spec.input_keys}))
    assert set(want) == set(layout.all_formulas())
    for where, value in want.items():
        assert raw[where]["f"] is not None, where
        assert same(raw[where]["v"], value), f"{where}: cached {raw[where]['v']!r}, want {value!r}"
        if isinstance(value, str):
            assert raw[where]["t"] == "str"


def prefill_report(spec: FormSpec, values: dict[str, Value], **kw: Any) -> Report:
    return Report(spec.id, spec.version, values={k: values[k] for k in spec.input_keys}, **kw)


@pytest.mark.parametrize("seed", [1, 2])
def test_prefilled_cached_totals_right_without_recalculation(tmp_path: Path, layout: Layout,
                                                            spec: FormSpec, seed: int) -> None:
    values = balanced_values(spec, seed)
    if seed == 2:  # unbalanced: one column fails, one input blank
        values["t3.carry_forward.research"] += 3  # type: ignore[operator]
        values["t2.punishment.decisions"] = None
        values = compute_totals(spec, values)
    path = tmp_path / "pre.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(
        year=2023, prefill=prefill_report(spec, values))))
    want = expected_formula_results(layout, values)
    raw = raw_cells(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    for (sheet, addr), value in want.items():
        assert same(raw[(sheet, addr)]["v"], value), (sheet, addr)
        got = cached[sheet][addr].value
        assert got == value if isinstance(value, str) else same(str(got), value), (sheet, addr, got)
    plain = openpyxl.load_workbook(path)
    for key in spec.input_keys:
        sheet, addr = layout.address(key)
        v = values[key]
        got = plain[sheet][addr].value
        assert got is None if v is None else same(str(got), v), key
    if seed == 2:
        failing = {r.rule.id for r in layout.check_rows.values()
                   if want.get((SHEET_CHECKS, r.result_address)) == FAIL}
        assert failing == {"T3-BALANCE:research", "T3-BALANCE:total"}
        assert want[(SHEET_CHECKS, a1(*layout.blank_count_cell[1:]))] == 1


def test_decimal_amount_written_exactly(tmp_path: Path, layout: Layout, spec: FormSpec) -> None:
    values = compute_totals(spec, {**{k: 0 for k in spec.input_keys},
                                   "t2.admin_fees.amount_wan_yuan": Decimal("5949.088667"),
                                   "fee.collected_amount": Decimal("400.50")})
    path = tmp_path / "amount.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(
        year=2023, prefill=prefill_report(spec, values))))
    raw = raw_cells(path)
    assert raw[layout.address("t2.admin_fees.amount_wan_yuan")]["v"] == "5949.088667"
    assert raw[layout.address("fee.collected_amount")]["v"] == "400.5"


# ---- validation, conditional formatting, print setup ------------------------------------------------
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_data_validation_covers_every_input(wb: openpyxl.Workbook, layout: Layout) -> None:
    want_type = {"count": "whole", "wan_yuan": "decimal", "yuan": "decimal"}
    for key in layout.spec.input_keys:
        sheet, addr = layout.address(key)
        rules = [dv for dv in wb[sheet].data_validations.dataValidation if addr in dv.sqref]
        assert len(rules) == 1, f"{key} at {sheet}!{addr}: {len(rules)} validations"
        dv = rules[0]
        assert dv.type == want_type[layout.spec.cells[key].type], key
        assert (dv.operator, dv.formula1) == ("greaterThanOrEqual", "0"), key
        assert dv.showErrorMessage and dv.showInputMessage
        for text in (dv.error, dv.errorTitle, dv.prompt, dv.promptTitle):
            assert text and CJK.search(text), (key, text)
    ws = wb[SHEET_TEXT]
    for fc in layout.narrative_fields.values():
        rules = [dv for dv in ws.data_validations.dataValidation if fc.address in dv.sqref]
        assert len(rules) == 1 and rules[0].type == "textLength" and CJK.search(rules[0].error)
    ws = wb[SHEET_META]
    date = layout.meta_fields["publish_date"].address
    assert [dv.type for dv in ws.data_validations.dataValidation if date in dv.sqref] == ["date"]


def test_conditional_formatting_marks_failures(wb: openpyxl.Workbook, layout: Layout) -> None:
    def rules_at(sheet: str, addr: str) -> list[Any]:
        out = []
        for cf in wb[sheet].conditional_formatting:
            if addr in cf.sqref:
                out.extend(cf.rules)
        return out

    for addr, (sheet, _, _rule) in layout.balance_check_cells().items():
        rules = rules_at(sheet, addr)
        assert any(r.operator == "notEqual" and r.formula == [f'"{PASS}"'] and r.dxf.fill is not None
                   for r in rules), addr
    # The balance's own rows turn red in a failing column.
    tl = layout.tables["t3"]
    check_row = tl.check_row + 1
    for key in ("t3.new_received.research", "t3.carry_forward.total", "t3.result_total.commercial"):
        sheet, addr = layout.address(key)
        assert any(r.type == "expression" and f"${check_row}<>" in r.formula[0]
                   for r in rules_at(sheet, addr)), key
    first = next(iter(layout.check_rows.values())).result_address
    assert any(r.formula == [f'"{FAIL}"'] for r in rules_at(SHEET_CHECKS, first))
    s, r, c = layout.blank_count_cell
    assert any(r_.operator == "greaterThan" for r_ in rules_at(s, a1(r, c)))


def test_print_setup(wb: openpyxl.Workbook) -> None:
    for ws in wb.worksheets[:-1]:
        ps = ws.page_setup
        assert ps.paperSize == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ps.fitToWidth in (None, 1)
        landscape = ws.title in ("表三", "表四")
        assert ps.orientation == ("landscape" if landscape else "portrait"), ws.title
        if ws.title in ("表三", "表四"):
            assert ps.fitToHeight in (None, 1), ws.title  # one page (1 is the OOXML default)
            assert ws.print_title_rows == "$4:$6"
        else:
            assert ps.fitToHeight == 0, ws.title


# ---- user text stays text -------------------------------------------------------------------------
def test_text_starting_with_equals_stays_a_string(tmp_path: Path, layout: Layout, spec: FormSpec) -> None:
    agency = Agency("=HYPERLINK(\"http://x\")局", "=1+1", "部门")
    report = Report(spec.id, spec.version,
                    metadata={"address": "=SUM(A1:A9)", "phone": "+86 0954", "website": "=cmd|' /C calc'!A0"},
                    narrative={"overview": "=1+1\n第二段", "problems": "-2 开头的文字"},
                    explanations={"T3-BALANCE:total": "=A1", GENERAL_EXPLANATION: "@SUM(1)"})
    path = tmp_path / "eq.xlsx"
    path.write_bytes(build_workbook(agency, WorkbookOptions(year=2023, prefill=report)))
    raw = raw_cells(path)
    book = openpyxl.load_workbook(path)
    expect = {
        layout.meta_fields["agency_name"].address: (SHEET_META, agency.name),
        layout.meta_fields["agency_id"].address: (SHEET_META, "=1+1"),
        layout.meta_fields["address"].address: (SHEET_META, "=SUM(A1:A9)"),
        layout.meta_fields["website"].address: (SHEET_META, "=cmd|' /C calc'!A0"),
    }
    places = [(sheet, addr, text) for addr, (sheet, text) in expect.items()]
    places.append((SHEET_TEXT, layout.narrative_fields["overview"].address, "=1+1\n第二段"))
    places.append((SHEET_CHECKS, layout.check_rows["T3-BALANCE:total"].explanation_address, "=A1"))
    places.append((SHEET_CHECKS, a1(layout.general_explanation_row, 1), "@SUM(1)"))
    for sheet, addr, text in places:
        assert raw[(sheet, addr)]["f"] is None, (sheet, addr)
        assert raw[(sheet, addr)]["t"] in ("s", "inlineStr"), (sheet, addr)
        assert book[sheet][addr].value == text, (sheet, addr)
    formulas = {k for k, v in raw.items() if v["f"] is not None}
    assert formulas == set(layout.all_formulas())
    hidden = book[SHEET_HIDDEN]
    id_cell = hidden_address("agency_id")
    assert hidden[id_cell].value == "=1+1" and raw[(SHEET_HIDDEN, id_cell)]["f"] is None


def test_overlong_text_is_refused_not_cut(spec: FormSpec) -> None:
    report = Report(spec.id, spec.version, narrative={"overview": "字" * 32768})
    with pytest.raises(InputError, match="32767"):
        build_workbook(SEED_AGENCY, WorkbookOptions(year=2023, prefill=report))
    fits = Report(spec.id, spec.version, narrative={"overview": "字" * 32767})
    assert build_workbook(SEED_AGENCY, WorkbookOptions(year=2023, prefill=fits))


@pytest.mark.parametrize("year", [2020, 2101, 0])
def test_year_out_of_range_refused(year: int) -> None:
    with pytest.raises(InputError, match="报告年度"):
        build_workbook(SEED_AGENCY, WorkbookOptions(year=year))


def test_deterministic_bytes(new_workbook: Callable[..., Path]) -> None:
    a = new_workbook(name="a.xlsx").read_bytes()
    b = new_workbook(name="b.xlsx").read_bytes()
    assert a == b
    c = new_workbook(Agency("彭阳县红河镇人民政府"), name="c.xlsx").read_bytes()
    assert c != a
