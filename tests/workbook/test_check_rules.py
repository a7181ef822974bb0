"""`ogi check` rules: balances, totals, narrative, carry-over from last year, explanations, --strict,
and the seed report's real defect (blank table 四 cells)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from checkcases import METADATA, codes, edit, edit_xml, filled, only, prefilled_bytes, sheet_part
from ogi.form.layout import Layout
from ogi.form.report import Report, Value
from ogi.form.rules import compute_totals
from ogi.form.spec import FormSpec
from ogi.workbook.checker import check_report, check_workbook


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import SEED_AGENCY
    from ogi.workbook.xlsx_writer import WorkbookOptions, build_workbook

    path = tmp_path_factory.mktemp("blank") / "blank.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023)))
    return path


@pytest.fixture
def new(blank: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    counter = {"n": 0}

    def make(name: str = "") -> Path:
        counter["n"] += 1
        path = tmp_path / (name or f"wb{counter['n']}.xlsx")
        shutil.copy(blank, path)
        return path

    return make


def zero_values(spec: FormSpec) -> dict[str, Value]:
    return compute_totals(spec, {k: 0 for k in spec.input_keys})


def with_values(spec: FormSpec, **changes: Value) -> dict[str, Value]:
    values = {k: 0 for k in spec.input_keys}
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    return compute_totals(spec, values)


def test_unbalanced_column_is_an_error_at_the_check_row(new, layout: Layout, spec: FormSpec) -> None:
    path = new()
    # 3 received from 自然人, 2 granted, nothing carried forward: one application unaccounted for.
    values = with_values(spec, t3__new_received__natural_person=3, t3__granted__natural_person=2)
    filled(path, layout, values=values)
    result = check_workbook(path)
    assert codes(result.findings) == [("T3-BALANCE", "表三", "D33"), ("T3-BALANCE", "表三", "J33")]
    f = result.findings[0] if result.findings[0].cell == "D33" else result.findings[1]
    assert f.rule_id == "T3-BALANCE:natural_person" and f.severity == "error"
    assert f.column_label == "自然人"
    assert "相差 1" in f.message and "3 + 0 = 3" in f.message
    assert result.exit_code == 1


def test_seed_figures_with_blank_table_four(new, layout: Layout, spec: FormSpec,
                                            shared_dir: Path) -> None:
    """The seed report printed table 四's 行政复议 cells blank. Filled into a workbook as published,
    every blank is named on its 表四 cell; nothing else is wrong with the seed's figures."""
    seed = next((shared_dir / "seed").glob("*.txt")).read_text(encoding="utf-8")
    lines = seed.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("四、政府信息公开行政复议"))
    row = next(line for line in lines[head + 1:] if (line.strip() and line.strip()[0].isdigit())
               or (line.startswith("\t") and any(ch.isdigit() for ch in line)))
    cells = row.split("\t")
    t4 = [c.key for c in spec.table("t4").columns]
    assert len(cells) == len(t4)
    values: dict[str, Value] = {k: 0 for k in spec.input_keys}
    for col, text in zip(t4, cells, strict=True):
        key = f"t4.cases.{col}"
        if key in values:
            values[key] = int(text) if text.strip() else None
    values.update({"t2.punishment.decisions": 6, "t3.new_received.other_org": 1,
                   "t3.deny_law_forbidden.other_org": 1})
    path = new("白阳镇2023.xlsx")
    filled(path, layout, values=compute_totals(spec, values), narrative={
        "on_request": "2023年全镇收到政府信息公开申请1件，已依法答复。"})
    result = check_workbook(path)
    assert codes(result.findings) == [("VALUE-BLANK", "表四", c) for c in ("A7", "B7", "C7", "D7")]
    assert all(f.severity == "error" and "未填写" in f.message for f in result.findings)
    assert result.findings[0].column_label == "行政复议·结果维持"
    assert result.exit_code == 1
    # As a published report the same four blanks are named; its blank 总计 over those blanks is not
    # a fifth 未填写 (a total over blank operands stays blank): `ogi import` names a blank published
    # total on its own as IMPORT-TOTAL-BLANK (tests/test_import_text.py).
    published = Report(spec.id, spec.version, metadata={**METADATA, "agency_name": "白阳镇", "year": "2023"},
                       values={**compute_totals(spec, values), "t4.cases.review_total": None},
                       narrative=result.report.narrative)
    assert codes(check_report(published)) == [("VALUE-BLANK", "表四", c)
                                              for c in ("A7", "B7", "C7", "D7")]


def test_published_totals_are_checked(spec: FormSpec) -> None:
    values = with_values(spec, t3__new_received__commercial=2, t3__granted__commercial=2,
                         t4__cases__review_maintained=1)
    values["t3.new_received.total"] = 3  # a typo in a published table
    values["t4.cases.review_total"] = 0
    report = Report(spec.id, spec.version, metadata={**METADATA, "agency_name": "某局", "year": "2022"},
                    values=values, narrative={n.key: "内容" for n in spec.narrative})
    found = codes(check_report(report))
    assert ("T3-ROW-TOTAL", "表三", "J7") in found
    assert ("T4-TOTAL", "表四", "E7") in found


def test_template_mismatch_on_a_plain_report(spec: FormSpec) -> None:
    report = Report("gov_info_2019", 1, values={})
    assert [f.code for f in check_report(report, spec=spec)] == ["REPORT-TEMPLATE"]


def test_narrative_count_mismatch_is_a_warning(new, layout: Layout, spec: FormSpec) -> None:
    path = new()
    values = with_values(spec, t3__new_received__natural_person=3, t3__granted__natural_person=3)
    filled(path, layout, values=values, narrative={
        "on_request": "本年度收到政府信息公开申请5件，全部按期答复。"})
    result = check_workbook(path)
    assert codes(result.findings) == [("NARRATIVE-NUMBER", "正文", "B7")]
    f = result.findings[0]
    assert f.severity == "warning" and "5件" in f.message and "3件" in f.message
    assert f.rule_id == "NARRATIVE-NUMBERS:on_request"
    assert result.exit_code == 0
    assert check_workbook(path, strict=True).exit_code == 1


def test_explained_warning_does_not_count_under_strict(new, layout: Layout, spec: FormSpec) -> None:
    path = new()
    values = with_values(spec, t3__new_received__natural_person=3, t3__granted__natural_person=3)
    note = "另有2件为咨询，未按申请统计。"
    filled(path, layout, values=values, narrative={"on_request": "本年度收到申请5件。"},
           raw={("校验", layout.check_rows["NARRATIVE-NUMBERS:on_request"].explanation_address): note})
    result = check_workbook(path, strict=True)
    assert codes(result.findings) == [("NARRATIVE-NUMBER", "正文", "B7")]
    f = result.findings[0]
    assert f.explained and f.explanation == note and f.severity == "warning"
    assert (result.errors, result.warnings, result.explained) == (0, 0, 1)
    assert result.exit_code == 0


def test_errors_cannot_be_explained_away(new, layout: Layout, spec: FormSpec) -> None:
    path = new()
    values = with_values(spec, t3__new_received__natural_person=3, t3__granted__natural_person=2)
    filled(path, layout, values=values, raw={
        ("校验", layout.check_rows["T3-BALANCE:natural_person"].explanation_address): "确实如此"})
    result = check_workbook(path)
    f = next(f for f in result.findings if f.rule_id == "T3-BALANCE:natural_person")
    assert f.severity == "error" and not f.explained and f.explanation == "确实如此"
    assert result.exit_code == 1


def test_strict_turns_unexplained_warnings_into_errors(new, layout: Layout) -> None:
    path = new()
    filled(path, layout)

    def fn(book: object) -> None:
        book["表二"].protection.sheet = False  # type: ignore[index]

    edit(path, fn)
    assert check_workbook(path).exit_code == 0
    strict = check_workbook(path, strict=True)
    assert [(f.code, f.severity) for f in strict.findings] == [("XLSX-UNPROTECTED", "error")]
    assert strict.exit_code == 1 and strict.strict


@pytest.mark.parametrize(("text", "found"), [
    ("我镇XX年度共发布信息XX条。", "XX"),
    ("主动公开情况：待填写", "待填写"),
    ("通过【网站名称】发布。", "【网站名称】"),
    ("公开信息××条。", "××"),
])
def test_placeholders_are_warnings(new, layout: Layout, text: str, found: str) -> None:
    path = new()
    filled(path, layout, narrative={"proactive": text})
    result = check_workbook(path)
    assert codes(result.findings) == [("NARRATIVE-PLACEHOLDER", "正文", "B6")]
    assert found in result.findings[0].message and result.exit_code == 0


def test_empty_required_narrative_and_metadata_are_errors(new, layout: Layout) -> None:
    path = new()
    filled(path, layout, narrative={"overview": "  "})

    def fn(book: object) -> None:
        book["基本信息"]["B10"] = None  # type: ignore[index]  # phone deleted

    edit(path, fn)
    result = check_workbook(path)
    assert codes(result.findings) == [("META-REQUIRED", "基本信息", "B10"),
                                      ("NARRATIVE-EMPTY", "正文", "B5")]
    assert result.exit_code == 1


def test_control_characters_are_removed_with_a_warning(tmp_path: Path, spec: FormSpec) -> None:
    # Excel stores a control character in XML as _x0007_; a tab is stored as is.
    data, _ = prefilled_bytes(spec)
    data = edit_xml(data, "xl/sharedStrings.xml",
                    lambda x: x.replace("第二段说明具体做法。", "第二段_x0007_说明\t具体做法。", 1))
    path = tmp_path / "ctrl.xlsx"
    path.write_bytes(data)
    result = check_workbook(path)
    assert codes(result.findings) == [("TEXT-CONTROL-CHARS", "正文", "B5")]
    assert "2 个" in result.findings[0].message
    assert result.report.narrative["overview"].endswith("\n第二段说明具体做法。")
    assert result.exit_code == 0


def test_narrative_with_markup_and_formula_text_is_kept_verbatim(new, layout: Layout) -> None:
    """Formula-like text inside a sentence is text (a formula *cell* is an error: test_print_safety)."""
    path = new()
    text = '见 =HYPERLINK("x") & <b> {{ a }} {% if %} 😀'
    filled(path, layout, narrative={"other_matters": text})
    result = check_workbook(path)
    assert result.findings == []
    assert result.report.narrative["other_matters"] == text


# ---- last year's workbook --------------------------------------------------------------------

def test_previous_year_carry_over_and_valid_documents(new, layout: Layout, spec: FormSpec,
                                                      tmp_path: Path) -> None:
    from conftest import SEED_AGENCY
    from ogi.workbook.xlsx_writer import WorkbookOptions, build_workbook

    last = tmp_path / "2022.xlsx"
    last.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2022)))
    filled(last, layout, values=with_values(
        spec, t3__new_received__natural_person=4, t3__granted__natural_person=2,
        t3__carry_forward__natural_person=2, t2__regulations__made=5, t2__regulations__valid=5))
    this = new("2023.xlsx")
    # Carried over 1 (last year said 2); 现行有效 stays 5 although 1 more was made.
    filled(this, layout, values=with_values(
        spec, t3__carried_over__natural_person=1, t3__granted__natural_person=1,
        t2__regulations__made=1, t2__regulations__valid=5))
    assert check_workbook(this).findings == []
    result = check_workbook(this, previous=last)
    assert codes(result.findings) == [("PREV-CARRY", "表三", "D8"), ("PREV-CARRY", "表三", "J8"),
                                      ("PREV-VALID", "表二", "D6")]
    carry = next(f for f in result.findings if f.cell == "D8")
    assert carry.rule_id == "PREV-CARRY:natural_person" and "2" in carry.message
    valid = only(result.findings, "PREV-VALID")[0]
    assert "= 6" in valid.message and valid.severity == "warning"
    assert result.exit_code == 0


def test_previous_from_the_wrong_year(new, layout: Layout, tmp_path: Path) -> None:
    from conftest import SEED_AGENCY
    from ogi.workbook.xlsx_writer import WorkbookOptions, build_workbook

    other = tmp_path / "2021.xlsx"
    other.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2021)))
    filled(other, layout, values=zero_values(layout.spec))
    this = new()
    filled(this, layout, values=zero_values(layout.spec))
    result = check_workbook(this, previous=other)
    assert [f.code for f in result.findings] == ["PREV-YEAR"]


def test_workbook_written_by_ogi_reads_its_decimal_amount_exactly(tmp_path: Path,
                                                                    spec: FormSpec) -> None:
    data, values = prefilled_bytes(spec, seed=8)
    part = sheet_part(data, "表二")
    amount = values["t2.admin_fees.amount_wan_yuan"]
    assert isinstance(amount, Decimal)
    path = tmp_path / "ok.xlsx"
    path.write_bytes(data)
    result = check_workbook(path)
    assert result.findings == [] and result.report.values["t2.admin_fees.amount_wan_yuan"] == amount
    assert part.startswith("xl/worksheets/")


def test_narrative_copied_from_last_year(new, layout: Layout) -> None:  # type: ignore[no-untyped-def]
    path = new()
    filled(path, layout, narrative={"overview": "2022年，本镇扎实推进政务公开。",
                                    "platform": "2022年改版了网站。"})
    result = check_workbook(path)
    assert codes(result.findings) == [("NARRATIVE-YEAR", "正文", "B5")]
    assert "“2022年”2 次" in result.findings[0].message
    path2 = new()
    filled(path2, layout, narrative={"overview": "2023年，本镇在2022年基础上扎实推进政务公开。"})
    assert check_workbook(path2).findings == []


def test_publish_date_outside_the_next_year(new, layout: Layout) -> None:  # type: ignore[no-untyped-def]
    path = new()
    filled(path, layout)
    edit(path, lambda book: book["基本信息"].__setitem__("B13", "2023-01-20"))  # type: ignore[index]
    result = check_workbook(path)
    assert codes(result.findings) == [("META-FORMAT", "基本信息", "B13")]
    assert "不在报告年度的次年（2024年）" in result.findings[0].message  # the spec's year_problem
    assert result.findings[0].hint.startswith("年度报告在次年发布")  # ... and its year_fix
