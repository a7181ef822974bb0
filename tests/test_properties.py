"""Property tests (hypothesis): random valid reports survive every conversion unchanged, and random
single-cell damage to a valid workbook is always caught by the rule that names that cell.

Few examples each (the machine is shared and every example writes real files); ``deadline=None``
because a workbook round trip takes tens of milliseconds and varies with load.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import balance_table3
from ogi.form.layout import layout_for
from ogi.form.report import Report, Value
from ogi.form.rules import compute_totals
from ogi.workbook.formula_text import formula_source
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

LAYOUT = layout_for()
SPEC = LAYOUT.spec
T3_COLUMNS = [c.key for c in SPEC.table("t3").columns if c.key != "total"]
#: No shrinking: every example writes real files, and a shrink of a failing round trip takes minutes.
#: A failure prints the whole example instead.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate)
#: OGI_PROPERTY_EXAMPLES=200 for a deeper local run.
EXAMPLES = int(os.environ.get("OGI_PROPERTY_EXAMPLES", "12"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None, phases=PHASES,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---------------------------------------------------------------------------------------------
# strategies
# ---------------------------------------------------------------------------------------------

#: Printable text as a clerk types or pastes it: letters (CJK included), digits, punctuation,
#: symbols, the ASCII and the ideographic space. Control characters and exotic spaces are left out:
#: `ogi check` documents that it removes control characters, and the renderer that it turns tabs and
#: other spaces into one space (see :func:`canonical`).
PRINTABLE = st.one_of(st.characters(categories=("L", "N", "P", "S"), exclude_characters="\ufffe\uffff"),
                      st.sampled_from([" ", "\u3000"]))


def canonical(text: str) -> str:
    """A paragraph in the form the documented normalisations leave unchanged: NFC, single spaces,
    no leading or trailing (indentation) spaces."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(" +", " ", text).strip(" \u3000")


def _amount(places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, 10**6 * 10**places).map(lambda n: Decimal(n).scaleb(-places).normalize()
                                                 if n else Decimal(0))


def _value(key: str) -> st.SearchStrategy[Value]:
    kind = SPEC.cells[key].type
    if kind == "count":
        return st.integers(0, 5000)
    return _amount(6 if kind == "wan_yuan" else 2)


@st.composite
def valid_values(draw: st.DrawFn) -> dict[str, Value]:
    """Input values satisfying every rule: per column of 表三, 四 = 一 + 二 − （七）, raising 一
    where that would go negative (the same construction as conftest.balanced_values)."""
    return balance_table3(SPEC, {k: draw(_value(k)) for k in SPEC.input_keys})


def _paragraph() -> st.SearchStrategy[str]:
    # Formula source ("=A1", "-表三!J7") is refused by the reader (never printed): not a valid text.
    return st.text(PRINTABLE, min_size=1, max_size=60).map(canonical).filter(bool).filter(
        lambda t: formula_source(t, "s") is None)


def narrative_text() -> st.SearchStrategy[str]:
    """One narrative field: 1–4 paragraphs separated by line breaks (Alt+Enter)."""
    return st.lists(_paragraph(), min_size=1, max_size=4).map("\n".join)


@st.composite
def valid_reports(draw: st.DrawFn) -> tuple[Agency, Report]:
    # An agency name as rosters have them: a place or body name and an agency suffix (the importer
    # finds the name in the title "<机关名称><年度>年政府信息公开工作年度报告").
    stem = draw(st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=12))
    suffix = draw(st.sampled_from(["人民政府", "镇人民政府", "街道办事处", "局", "委员会", "办公室"]))
    agency = Agency(stem + suffix, str(draw(st.integers(1, 10**9))),
                    draw(st.sampled_from(["政府", "部门", "乡镇街道"])))
    narrative = {n.key: draw(narrative_text()) for n in SPEC.narrative}
    metadata = {"address": draw(_paragraph()), "phone": draw(st.from_regex(r"0[0-9]{3}-[0-9]{7}", fullmatch=True)),
                "website": "http://www." + draw(st.from_regex(r"[a-z]{3,10}", fullmatch=True)) + ".gov.cn",
                "postcode": draw(st.from_regex(r"[0-9]{6}", fullmatch=True))}
    values = draw(valid_values())
    report = Report(SPEC.id, SPEC.version, metadata=metadata, values=values, narrative=narrative)
    return agency, report


def write(agency: Agency, report: Report, folder: Path, name: str = "wb.xlsx") -> Path:
    path = folder / name
    path.write_bytes(build_workbook(agency, WorkbookOptions(year=2023, prefill=report)))
    return path


def assert_same_report(got: Report, want: Report, agency: Agency) -> None:
    expected_values = compute_totals(SPEC, want.values)
    diffs = {k: (got.values.get(k), v) for k, v in expected_values.items() if got.values.get(k) != v}
    assert not diffs, f"values changed: {list(diffs.items())[:5]}"
    for key, text in want.narrative.items():
        assert got.narrative.get(key) == text, f"narrative {key} changed: {got.narrative.get(key)!r} != {text!r}"
    for key, text in want.metadata.items():
        assert got.metadata.get(key) == text, f"metadata {key}: {got.metadata.get(key)!r} != {text!r}"
    assert got.metadata.get("agency_name") == agency.name


# ---------------------------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------------------------

@PROFILE
@given(valid_reports())
def test_workbook_read_round_trip(case: tuple[Agency, Report]) -> None:
    """A valid report written into the locked workbook reads back identical, without findings."""
    reader = pytest.importorskip("ogi.workbook.xlsx_reader")
    agency, report = case
    with tempfile.TemporaryDirectory() as d:
        result = reader.read_workbook(write(agency, report, Path(d)))
    errors = [f for f in result.findings if f.severity == "error"]
    assert not errors, [(f.code, f.cell, f.message) for f in errors]
    assert_same_report(result.report, report, agency)


def _docx_pipeline() -> tuple[Any, Any]:
    render = pytest.importorskip("ogi.document.docx_render")
    importers = pytest.importorskip("ogi.importers")
    template = Path(__file__).resolve().parent.parent / "docx_templates" / "gov_info_2021.docx"
    if not template.exists():
        pytest.skip("docx_templates/gov_info_2021.docx not in this checkout yet")
    return render, importers


@PROFILE
@given(valid_reports())
def test_workbook_docx_import_round_trip(case: tuple[Agency, Report]) -> None:
    """workbook -> read -> DOCX -> import gives back the same values and narrative."""
    reader = pytest.importorskip("ogi.workbook.xlsx_reader")
    render, importers = _docx_pipeline()
    agency, report = case
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        read = reader.read_workbook(write(agency, report, folder))
        docx = folder / "report.docx"
        docx.write_bytes(render.render_docx(read.report))
        imported = importers.import_report(docx)
    got = getattr(imported, "report", imported)
    assert_same_report(got, report, agency)


# ---------------------------------------------------------------------------------------------
# perturbations
# ---------------------------------------------------------------------------------------------

def _valid_workbook_bytes() -> bytes:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from hostile import base_workbook

    return base_workbook()


INPUT_KEYS = sorted(SPEC.input_keys)


def _perturbations(key: str, current: Value) -> list[tuple[str, Any]]:
    kind = SPEC.cells[key].type
    out: list[tuple[str, Any]] = [("negative", -1 - int(current or 0)), ("text", "若干"), ("blank", None)]
    if kind == "count":
        out.append(("fraction", float(int(current or 0)) + 0.5))
    else:
        out.append(("too-precise", float(Decimal(int(current or 0)) + Decimal("0.1234567"))))
    if key.startswith("t3.") and any(key.endswith("." + c) for c in T3_COLUMNS):
        out.append(("unbalanced", int(current or 0) + 1 if kind == "count" else float(current or 0) + 1))
    return out


#: Computed cells (totals) that hold a formula in the workbook.
FORMULA_KEYS = sorted(LAYOUT.formula_cells())
#: Required text a clerk must fill: narrative fields and unlocked metadata.
REQUIRED_TEXT = sorted([n.key for n in SPEC.narrative if n.required]
                       + [m.key for m in SPEC.metadata if m.required and not m.locked])


def _text_cell(key: str) -> tuple[str, str]:
    fc = LAYOUT.narrative_fields.get(key) or LAYOUT.meta_fields[key]
    return fc.sheet, fc.address


@st.composite
def perturbation(draw: st.DrawFn) -> tuple[str, str, Any]:
    from hostile import balanced  # the base workbook's values

    roll = draw(st.integers(0, 9))
    if roll < 2:  # a total overwritten with a number
        key = draw(st.sampled_from(FORMULA_KEYS))
        # off by 1-3: the right figure typed over a total is a warning (test_print_safety)
        return key, "formula-overwritten", int(balanced()[key] or 0) + draw(st.integers(1, 3))
    if roll == 2:  # a required text emptied (narrative or contact field)
        key = draw(st.sampled_from(REQUIRED_TEXT))
        return key, "text-emptied", draw(st.sampled_from([None, "", "   "]))
    key = draw(st.sampled_from(INPUT_KEYS))
    kind, value = draw(st.sampled_from(_perturbations(key, balanced()[key])))
    return key, kind, value


def check_findings(path: Path) -> list[Any]:
    """Every finding `ogi check` reports for one workbook (library call, same code as the CLI)."""
    checker = pytest.importorskip("ogi.workbook.checker")
    result = checker.check_workbook(path)
    return list(getattr(result, "findings", result))


@settings(max_examples=2 * EXAMPLES, deadline=None, phases=PHASES, suppress_health_check=[HealthCheck.too_slow])
@given(perturbation())
def test_single_cell_damage_is_named(p: tuple[str, str, Any]) -> None:
    """Damage to one cell of a valid workbook yields an error naming that cell (or, for a value that
    is valid but unbalances 表三, the balance rule of that cell's column). A total overwritten with a
    number is an error at the total even when the number is right: the formula is gone. A required
    narrative or contact field emptied is an error at that field's cell."""
    import openpyxl

    key, kind, value = p
    sheet, addr = _text_cell(key) if kind == "text-emptied" else LAYOUT.address(key)
    wb = openpyxl.load_workbook(io.BytesIO(_valid_workbook_bytes()))
    wb[sheet][addr].value = value
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "damaged.xlsx"
        wb.save(path)
        findings = check_findings(path)
    errors = [f for f in findings if f.severity == "error"]
    if kind == "unbalanced":
        column = key.rsplit(".", 1)[1]
        hits = [f for f in errors if f.rule_id == f"T3-BALANCE:{column}"]
    else:
        hits = [f for f in errors if f.sheet == sheet and f.cell == addr]
    assert hits, (f"{kind} at {sheet}!{addr} ({key}) not named; errors: "
                  f"{[(f.code, f.sheet, f.cell, f.rule_id) for f in errors]}")
