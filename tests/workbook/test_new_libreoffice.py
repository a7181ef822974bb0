"""The generated workbook in a real spreadsheet engine: LibreOffice recalculates it (one soffice run for
every case) and every formula result must equal ogi's own sum, every live check must say what ogi's
rules say (通过 / 未通过 / 数据不完整), and the blank and text counters must count what a clerk did."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_new_workbook import expected_formula_results, raw_cells, same, sheet_parts

from conftest import SEED_AGENCY, balanced_values, fill_workbook
from ogi.form.layout import FAIL, INCOMPLETE, PASS, SHEET_CHECKS, Layout, a1
from ogi.form.report import Report, Value
from ogi.form.rules import compute_totals
from ogi.form.spec import FormSpec
from ogi.workbook.xlsx_writer import WorkbookOptions, build_workbook

pytestmark = pytest.mark.libreoffice


def poke_raw_value(path: Path, sheet: str, addr: str, value: int) -> None:
    """Change one number in the package XML, leaving every cached formula result stale."""
    src = zipfile.ZipFile(path)
    part = sheet_parts(src)[sheet]
    items = [(i, src.read(i.filename)) for i in src.infolist()]
    src.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            if info.filename == part:
                text, n = re.subn(rf'(<c r="{addr}"[^>]*>)<v>0</v>', rf"\g<1><v>{value}</v>",
                                  data.decode("utf-8"))
                assert n == 1, f"{sheet}!{addr} not found as a 0"
                data = text.encode("utf-8")
            dst.writestr(info, data)


class Case:
    def __init__(self, name: str, values: dict[str, Value], text_cells: int = 0) -> None:
        self.name = name
        self.values = values
        self.text_cells = text_cells
        self.path: Path | None = None
        self.result: Path | None = None


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory, soffice: str, spec: FormSpec,
          layout: Layout) -> dict[str, Case]:
    from ogi.files.libreoffice import recalculate_xlsx

    work = tmp_path_factory.mktemp("lo")
    out: dict[str, Case] = {}

    def new(name: str, **options: Any) -> Path:
        path = work / f"{name}.xlsx"
        path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023, **options)))
        return path

    def inputs(values: dict[str, Value]) -> dict[str, Value]:
        return {k: values[k] for k in spec.input_keys}

    # 1. A clerk fills random valid values into the unlocked cells.
    balanced = balanced_values(spec, 11)
    case = out["balanced"] = Case("balanced", balanced)
    case.path = fill_workbook(new("balanced"), layout, values=inputs(balanced))

    # 2. The same, but 四、结转下年度 of one column is off by 2.
    unbalanced = dict(balanced)
    unbalanced["t3.carry_forward.legal_service"] += 2  # type: ignore[operator]
    unbalanced = compute_totals(spec, unbalanced)
    case = out["unbalanced"] = Case("unbalanced", unbalanced)
    case.path = fill_workbook(new("unbalanced"), layout, values=inputs(unbalanced))

    # 3. A value deleted (blank, not 0) and text typed into another number cell.
    deleted = dict(balanced_values(spec, 12))
    deleted["t3.new_received.other_org"] = 7
    deleted["t3.carry_forward.other_org"] += 7  # type: ignore[operator]
    deleted = compute_totals(spec, deleted)
    filled = inputs(deleted)
    filled["t3.new_received.other_org"] = None
    filled["t4.cases.review_pending"] = None  # then text is typed into it
    deleted = compute_totals(spec, filled)
    case = out["deleted"] = Case("deleted", deleted, text_cells=1)
    sheet, addr = layout.address("t4.cases.review_pending")
    case.path = fill_workbook(new("deleted"), layout, values=filled,
                              raw={(sheet, addr): "三"})

    # 4. A prefilled workbook, not touched by openpyxl: its cached values must already be right.
    pre = balanced_values(spec, 13)
    case = out["prefilled"] = Case("prefilled", pre)
    case.path = new("prefilled", prefill=Report(spec.id, spec.version, values=inputs(pre)))

    # 5. Stale cached values (an input changed behind the formulas' back): LibreOffice must recalculate.
    stale = compute_totals(spec, {**{k: 0 for k in spec.input_keys}, "t3.granted.research": 5,
                                  "t4.cases.lit_direct_other": 4})
    case = out["stale"] = Case("stale", stale)
    case.path = new("stale")
    for key in ("t3.granted.research", "t4.cases.lit_direct_other"):
        poke_raw_value(case.path, *layout.address(key), stale[key])  # type: ignore[arg-type]

    results = recalculate_xlsx([c.path for c in out.values()], work / "recalculated")  # type: ignore[misc]
    for c, r in zip(out.values(), results, strict=True):
        c.result = r
    return out


def results_of(path: Path, layout: Layout) -> dict[tuple[str, str], Any]:
    book = openpyxl.load_workbook(path, data_only=True)
    return {(s, a): book[s][a].value for (s, a) in layout.all_formulas()}


def expected(case: Case, layout: Layout) -> dict[tuple[str, str], Any]:
    want = expected_formula_results(layout, case.values)
    s, r, c = layout.text_count_cell
    want[(s, a1(r, c))] = case.text_cells
    if case.text_cells:  # text in a number cell is not blank: it counts as text, not as a value
        want[layout.blank_count_cell[0], a1(*layout.blank_count_cell[1:])] = sum(
            1 for k in layout.spec.input_keys if case.values.get(k) is None) - case.text_cells
    return want


@pytest.mark.parametrize("name", ["balanced", "unbalanced", "deleted", "prefilled", "stale"])
def test_libreoffice_agrees_with_ogi(cases: dict[str, Case], layout: Layout, name: str) -> None:
    case = cases[name]
    assert case.result is not None
    got = results_of(case.result, layout)
    want = expected(case, layout)
    wrong = {k: (got[k], v) for k, v in want.items()
             if not (got[k] == v if isinstance(v, str) else same(str(got[k]), v))}
    assert not wrong, f"{name}: LibreOffice vs ogi differ at {sorted(wrong.items())[:8]}"
    # The input values survived the round trip.
    book = openpyxl.load_workbook(case.result, data_only=True)
    for key in layout.spec.input_keys:
        sheet, addr = layout.address(key)
        v = case.values[key]
        value = book[sheet][addr].value
        if name == "deleted" and key == "t4.cases.review_pending":
            assert value == "三"
        elif v is None:
            assert value is None, key
        else:
            assert same(str(value), v), (key, value, v)


def test_balanced_fill_passes_everything(cases: dict[str, Case], layout: Layout) -> None:
    got = results_of(cases["balanced"].result, layout)  # type: ignore[arg-type]
    checks = [got[(SHEET_CHECKS, r.result_address)] for r in layout.check_rows.values() if r.rule.live]
    assert checks and set(checks) == {PASS}
    assert {got[(s, a)] for a, (s, _, _) in layout.balance_check_cells().items()} == {PASS}
    s, r, c = layout.blank_count_cell
    assert got[(s, a1(r, c))] == 0
    assert got[(SHEET_CHECKS, a1(*layout.text_count_cell[1:]))] == 0
    assert any(got[layout.address(k)] for k in layout.spec.computed_keys)  # not all zeros


def test_unbalanced_fill_shows_failure_in_both_places(cases: dict[str, Case], layout: Layout) -> None:
    got = results_of(cases["unbalanced"].result, layout)  # type: ignore[arg-type]
    failing = {rule.id for addr, (s, _, rule) in layout.balance_check_cells().items()
               if got[(s, addr)] == FAIL}
    assert failing == {"T3-BALANCE:legal_service", "T3-BALANCE:total"}
    on_checks = {rid for rid, r in layout.check_rows.items()
                 if r.rule.live and got[(SHEET_CHECKS, r.result_address)] == FAIL}
    assert on_checks == failing


def test_deleted_value_counts_as_blank(cases: dict[str, Case], layout: Layout) -> None:
    got = results_of(cases["deleted"].result, layout)  # type: ignore[arg-type]
    assert got[(SHEET_CHECKS, a1(*layout.blank_count_cell[1:]))] == 1
    assert got[(SHEET_CHECKS, a1(*layout.text_count_cell[1:]))] == 1
    assert got[(SHEET_CHECKS, layout.check_rows["T3-BALANCE:other_org"].result_address)] == INCOMPLETE
    # The 总计 column's check counts the inputs behind its totals: incomplete, as every other column.
    assert got[(SHEET_CHECKS, layout.check_rows["T3-BALANCE:total"].result_address)] == INCOMPLETE
    balance_row = {rule.id: got[(s, addr)] for addr, (s, _, rule) in layout.balance_check_cells().items()}
    assert balance_row["T3-BALANCE:total"] == INCOMPLETE == balance_row["T3-BALANCE:other_org"]
    assert got[(SHEET_CHECKS, layout.check_rows["T3-ROW-TOTAL:new_received"].result_address)] == INCOMPLETE
    assert got[(SHEET_CHECKS, layout.check_rows["T4-TOTAL:review"].result_address)] == INCOMPLETE


def test_prefilled_cache_equals_libreoffice(cases: dict[str, Case], layout: Layout) -> None:
    case = cases["prefilled"]
    before = results_of(case.path, layout)  # type: ignore[arg-type]
    after = results_of(case.result, layout)  # type: ignore[arg-type]
    assert before == after
    raw = raw_cells(case.path)  # type: ignore[arg-type]
    assert all(raw[k]["v"] is not None for k in layout.all_formulas())


def test_stale_cache_was_recalculated(cases: dict[str, Case], layout: Layout) -> None:
    case = cases["stale"]
    raw = raw_cells(case.path)  # type: ignore[arg-type]
    assert raw[layout.address("t3.result_total.research")]["v"] == "0"  # stale before
    got = results_of(case.result, layout)  # type: ignore[arg-type]
    assert got[layout.address("t3.result_total.research")] == 5
    assert got[layout.address("t3.result_total.total")] == 5
    assert got[layout.address("t4.cases.lit_direct_total")] == 4
    assert got[(SHEET_CHECKS, layout.check_rows["T3-BALANCE:research"].result_address)] == FAIL


def test_printed_pages(tmp_path: Path, soffice: str, pdftotext: str, layout: Layout) -> None:
    """Printed from LibreOffice: 填报说明 readable (not cut at the page edge), 表三 and 表四 each on one
    landscape page, the labels legible as text."""
    import subprocess

    from ogi.files.libreoffice import convert

    path = tmp_path / "白阳镇.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023)))
    [pdf] = convert([path], "pdf", tmp_path)
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          encoding="utf-8", check=True).stdout
    pages = [re.sub(r"\s+", "", p) for p in text.split("\f")]
    guide = pages[0]
    for start in ("一、这是什么", "二、截止日期", "三、填哪里", "四、数字", "五、文字", "六、自查", "七、说明", "八、请勿"):
        assert start in guide, start  # a cut-off page loses the first characters of each line
    t3 = [p for p in pages if "三、收到和处理政府信息公开申请情况" in p]
    assert len(t3) == 1, "表三 must print on one page"
    for label in ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "一、本年新收政府信息公开申请数量",
                  "3.危及“三安全一稳定”", "（七）总计", "四、结转下年度继续办理", "自动校验"):
        assert label in t3[0], label
    t4 = [p for p in pages if "四、政府信息公开行政复议、行政诉讼情况" in p]
    assert len(t4) == 1 and "复议后起诉" in t4[0] and "未经复议直接起诉" in t4[0]
    t2 = next(p for p in pages if "二、主动公开政府信息情况" in p)
    assert "本年收费金额（单位：万元）" in t2 and "行政事业性收费" in t2
