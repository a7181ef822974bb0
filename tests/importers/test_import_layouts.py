"""`ogi import` of every layout published reports come in, generated from a Report and reflowed
(tests/report_layouts.py; never a published report's text): TAB text, markdown pipe tables, one cell
per line, PDF-like text (labels wrapped over two lines, numbers on lines of their own, a row split by a
page break), table 四 in three parts. Properties: a random valid report imports to the same values
from every layout; a single printed figure changed so that the arithmetic breaks is flagged at that
cell; damage that detaches labels from numbers is flagged, never imported silently."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ogi.form.report import Report, Value
from ogi.form.rules import compute_totals
from ogi.importers import ImportResult, import_report
from report_layouts import LAYOUTS, SPEC, cell_lines, document, numbers_detached, pdf_text, render, table_rows
from test_properties import EXAMPLES, valid_values

#: The suite's CI profile: a fixed number of examples, derandomised (the same examples every run).
CI_PROFILE = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                      phases=(Phase.explicit, Phase.generate),
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
META = {"address": "某某县人民路8号", "phone": "0954-7012345", "website": "www.example.gov.cn"}
LAYOUT_NAMES = sorted(LAYOUTS)
T3_T4_KEYS = sorted(k for k in SPEC.cells if k.startswith(("t3.", "t4.")))


def report_of(values: dict[str, Value], agency: str = "某某县水务局") -> Report:
    return Report(SPEC.id, SPEC.version, {"agency_name": agency, "year": "2023", **META}, values, {}, {})


def as_web_page(text: str) -> str:
    """The text as a web page keeps it when a CMS drops the table markup: one ``<p>`` per line."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    return f"<html><head><title>年报</title></head><body><div>{body}</div></body></html>"


def import_text(text: str, name: str = "年报.txt", *, web: bool = False) -> ImportResult:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / (name.replace(".txt", ".html") if web else name)
        path.write_text(as_web_page(text) if web else text, encoding="utf-8")
        return import_report(path)


def errors(result: ImportResult) -> list[tuple[str, str, str]]:
    return [(f.code, f.cell, f.message) for f in result.findings if f.severity == "error"]


# ---- round trips ------------------------------------------------------------------------------
@CI_PROFILE
@given(values=valid_values(), layout=st.sampled_from(LAYOUT_NAMES), t4_split=st.booleans(),
       web=st.booleans())
def test_every_layout_imports_the_same_values(values, layout: str, t4_split: bool, web: bool) -> None:
    want = compute_totals(SPEC, values)
    result = import_text(render(report_of(values), layout, t4_split=t4_split), web=web)
    got = result.report.values
    diffs = {k: (got.get(k), want[k]) for k in SPEC.cells if got.get(k) != want[k]}
    assert not diffs, f"{layout}: {list(diffs.items())[:5]}"
    assert result.report.agency_name == "某某县水务局" and result.report.year == 2023
    assert not errors(result), errors(result)
    assert result.exit_code == 0
    assert result.recomputed == {k: want[k] for k in result.recomputed}


@CI_PROFILE
@given(values=valid_values(), width=st.integers(7, 24), t4_split=st.booleans())
def test_pdf_text_at_any_label_width(values, width: int, t4_split: bool) -> None:
    """Labels wrapped at any column width (their numbers beside the first line, the last line, or on
    a line of their own) are all matched, and every inferred row is confirmed by the arithmetic."""
    want = compute_totals(SPEC, values)
    text = document(report_of(values), lambda t, v: pdf_text(t, v, width=width, t4_split=t4_split))
    result = import_text(text)
    diffs = {k: (result.report.values.get(k), want[k]) for k in SPEC.cells if result.report.values.get(k) != want[k]}
    assert not diffs, list(diffs.items())[:5]
    assert not errors(result), errors(result)


def test_each_layout_once_with_its_features() -> None:
    """The generated texts really have the features the round trip claims to cover."""
    from conftest import balanced_values

    report = report_of(balanced_values(SPEC, seed=3))
    pipe = render(report, "pipe")
    assert "| 规章 |" in pipe and "| --- |" in pipe and "### 一、本年新收" in pipe
    cells = render(report, "cells").splitlines()
    label = cells.index("（一）予以公开")
    assert all(c.isdigit() for c in cells[label + 1: label + 8])  # seven numbers, one per line
    pdf = render(report, "pdf_text", t4_split=True).splitlines()
    assert "- 3 -" in pdf and "行政诉讼（复议后起诉）" in pdf
    broken = pdf.index("- 3 -")
    assert len(pdf[broken - 1].split()) == 1  # the label ends the page before
    assert all(t.isdigit() for t in pdf[broken + 2].split())  # its numbers on the next page
    first = next(i for i, line in enumerate(pdf) if line.startswith("二、上年结转"))
    assert pdf[first].split()[-1].isdigit() and len(pdf[first + 1].split()) == 1  # numbers, then more label
    last = next(i for i, line in enumerate(pdf) if line.startswith("一、本年新收"))
    assert len(pdf[last].split()) == 1 and pdf[last + 1].split()[-1].isdigit()  # label, then label + numbers
    alone = next(i for i, line in enumerate(pdf) if line.startswith("（二）部分公开"))
    assert all(len(pdf[j].split()) == 1 for j in range(alone, alone + 2))
    assert all(t.isdigit() for t in pdf[alone + 2].split())  # numbers on a line of their own


# ---- a printed figure that breaks the arithmetic ------------------------------------------------
def _flagged_at(result: ImportResult, key: str) -> bool:
    for f in result.findings:
        if f.key == key:
            return True
        if key.startswith("t4.") and f.code == "T4-TOTAL":  # one rule per group: its total is named
            group = key.rsplit(".", 1)[1].rsplit("_", 1)[0]
            if f.key == f"t4.cases.{group}_total":
                return True
    return False


@CI_PROFILE
@given(values=valid_values(), layout=st.sampled_from(LAYOUT_NAMES), key=st.sampled_from(T3_T4_KEYS),
       delta=st.integers(1, 9), web=st.booleans())
def test_a_changed_figure_is_flagged_at_its_cell(values, layout: str, key: str, delta: int, web: bool) -> None:
    printed = compute_totals(SPEC, values)
    printed[key] = printed[key] + delta  # type: ignore[operator]
    result = import_text(render(report_of(printed), layout, as_given=True), web=web)
    assert result.report.values[key] == printed[key]  # what was published, not a recomputed sum
    assert _flagged_at(result, key), [(f.code, f.key, f.message) for f in result.findings]
    assert result.exit_code == 1


# ---- layout damage ------------------------------------------------------------------------------
def _drop_label(table, values, **_):
    """One cell per line with one row's label lost: its numbers follow the row above's."""
    lines = cell_lines(table, values)
    if table.key == "t3":
        lines.remove("3.要求提供公开出版物")
    return lines


def _drop_numbers(table, values, **_):
    """One cell per line with one row's numbers lost: two labels in a row."""
    lines = cell_lines(table, values)
    if table.key == "t3":
        i = lines.index("2.重复申请")
        del lines[i + 1: i + 8]
    return lines


DAMAGE = {"detached": numbers_detached, "label_lost": _drop_label, "numbers_lost": _drop_numbers}


@CI_PROFILE
@given(values=valid_values(), damage=st.sampled_from(sorted(DAMAGE)))
def test_layout_damage_is_never_imported_silently(values, damage: str) -> None:
    want = compute_totals(SPEC, values)
    result = import_text(document(report_of(values), DAMAGE[damage]))
    assert result.exit_code == 1
    table_errors = [f for f in result.findings if f.severity == "error" and f.sheet == "表三"
                    and f.code.startswith("IMPORT-")]
    assert table_errors
    flagged_rows = {f.key.rsplit(".", 1)[0] for f in table_errors if f.key}
    unkeyed = [f for f in table_errors if not f.key]  # unpaired numbers: the whole table is in doubt
    for key in SPEC.cells:
        got = result.report.values.get(key)
        if key.startswith("t3.") and got is not None and got != want[key]:
            assert key.rsplit(".", 1)[0] in flagged_rows or unkeyed, (key, got, want[key])


def test_detached_numbers_flag_the_rows_they_were_put_in() -> None:
    from conftest import balanced_values

    values = balanced_values(SPEC, seed=8)
    result = import_text(document(report_of(values), numbers_detached))
    codes = {f.code for f in result.findings}
    assert {"IMPORT-NOT-FOUND", "IMPORT-ROW-MISMATCH"} & codes
    rows = table_rows(SPEC.table("t3"), compute_totals(SPEC, values))
    assert len(rows) == 25
