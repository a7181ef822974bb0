"""What reaches the published report from a returned workbook: no formula source, no guessed
digits, no total of incomplete data, no invisible characters; and what `ogi new` asks of a name.

Each test generates a workbook, fills it as a clerk would (openpyxl writing cells), reads it back
with `ogi check` / `ogi fill` and asserts what a reader of the report would see.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from checkcases import codes, edit, filled, only
from conftest import SEED_AGENCY
from hostile import docx_text, set_text
from ogi.cli import main
from ogi.county.fill import FillOptions, fill_files
from ogi.errors import InputError
from ogi.files.invisible import strip_invisible
from ogi.files.safe_io import safe_filename
from ogi.form.layout import SHEET_GUIDE, SHEET_HIDDEN, SHEET_META, Layout, hidden_address
from ogi.form.report import Value
from ogi.form.spec import FormSpec
from ogi.workbook.checker import check_workbook
from ogi.workbook.formula_text import formula_source
from ogi.workbook.xlsx_writer import (
    AGENCY_TYPES,
    MAX_AGENCY_NAME_CHARS,
    Agency,
    WorkbookOptions,
    build_workbook,
    validate_agency,
)

FORMULA = '="本年度收到申请"&表三!J7&"件"'


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, layout: Layout) -> tuple[Path, dict[str, Value]]:
    path = tmp_path_factory.mktemp("print") / "base.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023)))
    return path, filled(path, layout, seed=5)


@pytest.fixture
def wb(base: tuple[Path, dict[str, Value]], tmp_path: Path) -> tuple[Path, dict[str, Value]]:
    path = tmp_path / "白阳镇.xlsx"
    shutil.copy(base[0], path)
    return path, base[1]


def forced_docx(path: Path, out: Path) -> str:
    """`ogi fill --force` on one workbook; the visible text of the DOCX it wrote."""
    [outcome] = fill_files([path], FillOptions(output=out, force=True))
    assert outcome.docx is not None, outcome
    return docx_text(outcome.docx)


# ---- formulas never print -------------------------------------------------------------------

def test_formula_in_narrative_is_an_error_and_prints_blank(wb: tuple[Path, dict[str, Value]],
                                                           layout: Layout, tmp_path: Path) -> None:
    path, _ = wb
    fc = layout.narrative_fields["on_request"]
    edit(path, lambda book: book[fc.sheet].__setitem__(fc.address, FORMULA))  # a formula cell
    result = check_workbook(path)
    assert codes(result.findings) == [("TEXT-FORMULA", fc.sheet, fc.address)]
    f = result.findings[0]
    assert f.severity == "error" and "表三!J7" in f.message and f.key == "on_request"
    assert result.report.narrative["on_request"] == ""  # no NARRATIVE-EMPTY on top of it
    text = forced_docx(path, tmp_path / "out")
    assert "表三!J7" not in text and "&" not in text
    assert "本镇围绕主动公开开展工作" in text  # the other sections are printed


@pytest.mark.parametrize(("raw", "as_text"), [
    ("=-本年度收到申请5件", False),  # "-本年度…" typed into a General cell: Excel made it a formula
    ("+SUM(表三!D7:I7)", True),  # the same, kept as text (a text-formatted cell, a paste)
    ("-表三!J7", True),
    ('=HYPERLINK("http://x","点击")', True),
])
def test_formula_source_as_text_or_cell_is_caught(wb: tuple[Path, dict[str, Value]], layout: Layout,
                                                  raw: str, as_text: bool) -> None:
    path, _ = wb
    fc = layout.narrative_fields["platform"]

    def put(book: openpyxl.Workbook) -> None:
        cell = book[fc.sheet][fc.address]
        if as_text:
            set_text(cell, raw)
        else:
            cell.value = raw

    edit(path, put)
    result = check_workbook(path)
    assert codes(result.findings) == [("TEXT-FORMULA", fc.sheet, fc.address)]
    assert result.exit_code == 1


@pytest.mark.parametrize("text", ["-本年度共收到申请5件，均已办结。", "- 无", "+86-954-1234567 热线",
                                  "见 =SUM(A1) 一节"])
def test_text_that_only_looks_like_a_formula_is_text(wb: tuple[Path, dict[str, Value]],
                                                    layout: Layout, text: str) -> None:
    path, _ = wb
    fc = layout.narrative_fields["platform"]
    edit(path, lambda book: set_text(book[fc.sheet][fc.address], text))
    result = check_workbook(path)
    # (the narrative checker may compare a stated count with the tables: not this test's business)
    found = [f for f in result.findings if not f.code.startswith("NARRATIVE-")]
    assert found == [] and result.report.narrative["platform"] == text


def test_today_as_publish_date_is_an_error_and_prints_no_formula(
        wb: tuple[Path, dict[str, Value]], layout: Layout, tmp_path: Path) -> None:
    path, _ = wb
    fc = layout.meta_fields["publish_date"]
    edit(path, lambda book: book[SHEET_META].__setitem__(fc.address, "=TODAY()"))
    result = check_workbook(path)
    assert codes(result.findings) == [("TEXT-FORMULA", SHEET_META, fc.address)]
    assert "日期" in result.findings[0].message and "=TODAY()" in result.findings[0].message
    assert result.report.metadata["publish_date"] == ""
    text = forced_docx(path, tmp_path / "out")
    assert "TODAY" not in text and "彭阳县白阳镇人民政府" in text


def test_formula_source_parser_unit() -> None:
    assert formula_source("=x", "f") == "=x"
    assert formula_source("=cmd|' /C calc'!A0", "s") is not None  # DDE
    assert formula_source("@SUM(1)", "s") is not None
    for text in ("==以下为正文==", "-50%", "+1+1", "-A1类事项", "=SUM(", "—破折号开头"):
        assert formula_source(text, "s") is None, text


# ---- numbers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["1²", "₁₂", "①", "½", "𝟏𝟐", "١٢"])
def test_digit_variants_are_errors_not_normalised(wb: tuple[Path, dict[str, Value]], layout: Layout,
                                                  raw: str) -> None:
    path, _ = wb
    key = "t3.granted.natural_person"
    sheet, addr = layout.address(key)
    edit(path, lambda book: set_text(book[sheet][addr], raw))
    result = check_workbook(path)
    assert codes(result.findings) == [("VALUE-DIGIT-VARIANT", sheet, addr)]
    assert result.findings[0].severity == "error" and "全角" not in result.findings[0].message
    assert result.report.values[key] is None


# ---- totals -------------------------------------------------------------------------------------

def test_blank_operand_leaves_its_totals_blank_in_the_report(wb: tuple[Path, dict[str, Value]],
                                                           layout: Layout, tmp_path: Path) -> None:
    from ogi.importers import import_report

    path, values = wb
    key = "t3.granted.research"
    sheet, addr = layout.address(key)
    edit(path, lambda book: book[sheet].__setitem__(addr, None))
    result = check_workbook(path)
    assert codes(only(result.findings, "VALUE-BLANK")) == [("VALUE-BLANK", sheet, addr)]
    v = result.report.values
    for total in ("t3.granted.total", "t3.result_total.research", "t3.result_total.total"):
        assert v[total] is None, total
    assert v["t3.new_received.total"] == values["t3.new_received.total"]  # complete rows keep theirs
    [outcome] = fill_files([path], FillOptions(output=tmp_path / "out", force=True))
    assert outcome.docx is not None
    back = import_report(outcome.docx).report.values  # what a reader of the DOCX sees
    for total in ("t3.granted.total", "t3.result_total.research", "t3.result_total.total", key):
        assert back[total] is None, total
    assert back["t3.new_received.total"] == values["t3.new_received.total"]


def test_total_typed_over_with_the_right_figure_is_a_warning(wb: tuple[Path, dict[str, Value]],
                                                            layout: Layout) -> None:
    path, values = wb
    key = "t3.new_received.total"
    sheet, addr = layout.address(key)
    edit(path, lambda book: book[sheet].__setitem__(addr, values[key]))
    result = check_workbook(path)
    assert codes(result.findings) == [("XLSX-FORMULA-VALUE", sheet, addr)]
    assert result.findings[0].severity == "warning" and result.exit_code == 0
    edit(path, lambda book: book[sheet].__setitem__(addr, values[key] + 1))  # type: ignore[operator]
    result = check_workbook(path)
    assert codes(result.findings) == [("XLSX-FORMULA-CHANGED", sheet, addr)]
    assert result.exit_code == 1


# ---- 发布日期 -------------------------------------------------------------------------------------

def test_publish_date_is_required(wb: tuple[Path, dict[str, Value]], layout: Layout) -> None:
    path, _ = wb
    fc = layout.meta_fields["publish_date"]
    edit(path, lambda book: book[SHEET_META].__setitem__(fc.address, None))
    result = check_workbook(path)
    assert codes(result.findings) == [("META-REQUIRED", SHEET_META, fc.address)]
    assert result.exit_code == 1


@pytest.mark.parametrize("year", [2023, 2025])
def test_publish_date_hint_is_next_year(layout: Layout, year: int) -> None:
    data = build_workbook(SEED_AGENCY, WorkbookOptions(year=year))
    ws = openpyxl.load_workbook(io.BytesIO(data))[SHEET_META]
    fc = layout.meta_fields["publish_date"]
    assert f"例如 {year + 1}-01-20" in ws[f"C{fc.row + 1}"].value
    [dv] = [d for d in ws.data_validations.dataValidation if fc.address in str(d.sqref)]
    assert f"{year + 1}-01-20" in dv.prompt and f"{year + 1}-01-20" in dv.error


# ---- 机关类型 and the guide -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "kind"), [
    ("彭阳县白阳镇人民政府", "乡镇街道"), ("彭阳县城阳乡人民政府", "乡镇街道"),
    ("固原市原州区南关街道办事处", "乡镇街道"), ("某区某某街道办", "乡镇街道"),
    ("彭阳县人民政府", "政府"), ("固原市原州区人民政府", "政府"), ("某某旗人民政府", "政府"),
    ("彭阳县人民政府办公室", "部门"), ("彭阳县教育局", "部门"), ("彭阳县发展和改革委员会", "部门"),
    ("彭阳县卫生健康委", "部门"), ("彭阳县政务服务中心", "部门"), ("彭阳县政府办", "部门"),
    ("彭阳县融媒体", ""), ("某某公司", ""),
])
def test_agency_type_inferred_from_the_name(spec: FormSpec, name: str, kind: str) -> None:
    assert spec.infer_agency_type(name) == kind


def test_agency_type_rules_live_in_the_spec(spec: FormSpec) -> None:
    assert spec.agency_types == AGENCY_TYPES
    assert len(spec.agency_type_rules) >= 5
    kinds = [r.type for r in spec.agency_type_rules]
    assert kinds.index("乡镇街道") < kinds.index("部门")  # …街道办事处 before …办


def test_agency_type_inferred_is_locked_unknown_is_a_dropdown(layout: Layout, tmp_path: Path) -> None:
    fc = layout.meta_fields["agency_type"]
    known = openpyxl.load_workbook(io.BytesIO(build_workbook(
        Agency("彭阳县教育局"), WorkbookOptions(year=2023))))
    cell = known[SHEET_META][fc.address]
    assert cell.value == "部门" and cell.protection.locked is not False
    hidden = known[SHEET_HIDDEN]
    assert hidden[hidden_address("agency_type")].value == "部门"

    path = tmp_path / "融媒体.xlsx"
    path.write_bytes(build_workbook(Agency("彭阳县融媒体"), WorkbookOptions(year=2023)))
    book = openpyxl.load_workbook(path)
    cell = book[SHEET_META][fc.address]
    assert cell.value is None and cell.protection.locked is False
    [dv] = [d for d in book[SHEET_META].data_validations.dataValidation if fc.address in str(d.sqref)]
    assert dv.type == "list" and all(t in dv.formula1 for t in AGENCY_TYPES)
    filled(path, layout, seed=2)
    edit(path, lambda b: b[SHEET_META].__setitem__(fc.address, "部门"))
    result = check_workbook(path)
    assert result.findings == [] and result.report.metadata["agency_type"] == "部门"
    edit(path, lambda b: b[SHEET_META].__setitem__(fc.address, "事业单位"))
    result = check_workbook(path)
    assert codes(result.findings) == [("META-FORMAT", SHEET_META, fc.address)]


def test_guide_reads_naturally_without_a_deadline() -> None:
    def guide(**kw: str) -> str:
        ws = openpyxl.load_workbook(io.BytesIO(build_workbook(
            SEED_AGENCY, WorkbookOptions(year=2023, **kw))))[SHEET_GUIDE]
        return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)

    text = guide()
    assert "请在县级政务公开办通知的截止日期前交回。" in text
    assert "请于 县级" not in text and "日期 前" not in text
    assert "请于 2024年1月20日 前交回。" in guide(deadline="2024年1月20日")


# ---- names ----------------------------------------------------------------------------------

def test_agency_name_over_the_limit_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok = "宁" * (MAX_AGENCY_NAME_CHARS - 4) + "人民政府"
    assert validate_agency(Agency(ok)).name == ok
    long = "宁" * MAX_AGENCY_NAME_CHARS + "局"
    with pytest.raises(SystemExit) as exc:
        main(["new", "--agency", long, "--year", "2023", "-o", str(tmp_path / "o")])
    assert exc.value.code == 2
    assert "过长" in capsys.readouterr().err
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())
    roster = tmp_path / "名单.txt"
    roster.write_text(f"彭阳县教育局\n{long}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["new", "--roster", str(roster), "--year", "2023", "-o", str(tmp_path / "r")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "第 2 行" in err and "过长" in err and f"最多 {MAX_AGENCY_NAME_CHARS} 个" in err


BIDI = "\u202e\u2066\u200f\u061c\u200b\ufeff"


def test_invisible_characters_leave_names_titles_and_file_names(
        tmp_path: Path, layout: Layout, capsys: pytest.CaptureFixture[str]) -> None:
    name = f"彭阳县{BIDI[0]}城关{BIDI[1:]}镇人民政府"
    assert strip_invisible(name)[0] == "彭阳县城关镇人民政府"
    assert safe_filename(f"{name}.docx") == "彭阳县城关镇人民政府.docx"
    roster = tmp_path / "名单.txt"
    roster.write_text(f"{name}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["new", "--roster", str(roster), "--year", "2023", "-o", str(tmp_path / "o")])
    assert exc.value.code == 0
    err = capsys.readouterr().err
    assert "不可见" in err and "U+202E" in err
    [made] = list((tmp_path / "o").iterdir())
    assert made.name == "2023年彭阳县城关镇人民政府政府信息公开工作年度报告填报表.xlsx"
    with zipfile.ZipFile(made) as zf:
        package = b"".join(zf.read(n) for n in zf.namelist())
    assert not any(ch.encode("utf-8") in package for ch in BIDI)
    # Text typed into the workbook loses them too, with a warning; so does the DOCX.
    filled(made, layout, narrative={"overview": f"本年度{BIDI}工作平稳。"})
    address = layout.meta_fields["address"].address
    edit(made, lambda book: book[SHEET_META].__setitem__(address, f"彭阳县{BIDI[0]}人民路1号"))
    result = check_workbook(made)
    assert {f.code for f in result.findings} == {"TEXT-CONTROL-CHARS"}
    assert result.report.narrative["overview"] == "本年度工作平稳。"
    assert result.report.metadata["address"] == "彭阳县人民路1号"
    text = forced_docx(made, tmp_path / "out")
    assert not any(ch in text for ch in BIDI) and "彭阳县城关镇人民政府" in text


def test_validate_agency_refuses_a_name_of_invisible_characters_only() -> None:
    with pytest.raises(InputError, match="不能为空"):
        validate_agency(Agency(BIDI))


def test_imported_report_loses_invisible_characters_in_its_name(tmp_path: Path) -> None:
    from ogi.importers import import_report

    path = tmp_path / "年报.txt"
    path.write_text(f"彭阳县{BIDI[0]}城关镇人民政府2023年政府信息公开工作年度报告\n一、总体情况\n本年度工作平稳。\n",
                    encoding="utf-8")
    result = import_report(path)
    assert result.report.agency_name == "彭阳县城关镇人民政府"
    [f] = [f for f in result.findings if f.code == "IMPORT-INVISIBLE-CHARS"]
    assert f.severity == "warning" and "U+202E" in f.message


def test_invisible_set_is_every_format_character() -> None:
    """The character class of :mod:`ogi.files.invisible` against this Python's Unicode database: every
    format (Cf) character and the Hangul fillers, and nothing assigned besides."""
    import sys
    import unicodedata

    from ogi.files.invisible import INVISIBLE_RE

    fillers = set("\u115f\u1160\u3164\uffa0")
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        category = unicodedata.category(ch)
        matched = INVISIBLE_RE.match(ch) is not None
        if category == "Cf" or ch in fillers:
            assert matched, f"U+{cp:04X} not stripped"
        elif matched:
            assert category == "Cn", f"U+{cp:04X} ({category}) stripped"
