"""The spec is the one place that knows the form: edit a copy of it and every part of ogi follows.

The copy renames a row key of 表三 (予以公开: ``granted`` -> ``disclosed``), adds an outcome row to
表三 (（六）其他处理·4.申请人撤回申请) with its place in the totals, and renames section 二's title. It
is put in a folder that ``$OGI_SPEC_DIR`` names (the documented way to try an edited spec), next to
the Word template ``docx_templates/build_template.py`` builds from it. Then, with no code changed:
``ogi new``'s workbook, filled the way a clerk fills it (openpyxl writing unlocked cells), read back and
checked, rendered to DOCX, summarised with a second agency's workbook, and the rendered report
imported again, all carry the edit.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from conftest import balanced_values, fill_workbook, input_values, load_script, narrative, write_roster
from ogi.form.layout import Layout, layout_for
from ogi.form.report import Report
from ogi.form.spec import DEFAULT_TEMPLATE, SPEC_DIR_ENV, FormSpec, load_spec
from ogi.resources import template_path
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

NEW_ROW = "other_withdrawn"
TABLE_KEY = "appeals"
NEW_LABEL = "4.申请人撤回申请"
OLD_TITLE = "二、主动公开政府信息情况"
NEW_TITLE = "二、主动公开政府信息工作情况"
AGENCIES = [Agency("彭阳县白阳镇人民政府", "640425001", "乡镇街道"),
            Agency("彭阳县城阳乡人民政府", "640425002", "乡镇街道")]
METADATA = {"address": "彭阳县白阳镇", "postcode": "756500", "phone": "0954-0000000",
            "website": "彭阳县人民政府网站", "publish_date": "2024-01-25"}


def _replace(text: str, old: str, new: str, count: int = 1) -> str:
    """``text`` with ``old`` replaced, failing loudly if the spec no longer reads as the test expects."""
    assert text.count(old) == count, (old, text.count(old))
    return text.replace(old, new)


def edited_spec_text() -> str:
    text = template_path(f"{DEFAULT_TEMPLATE}.toml").read_text(encoding="utf-8")
    # A renamed row key: everywhere the spec names it (row, rules, narrative words).
    text = re.sub(r"\bgranted\b", "disclosed", text)
    # A new outcome row at the end of （六）其他处理, inside 三、本年度办理结果.
    text = _replace(text, '{ text = "三、本年度办理结果", rowspan = 22 }', '{ text = "三、本年度办理结果", rowspan = 23 }')
    text = _replace(text, '{ text = "（六）其他处理", rowspan = 3 }', '{ text = "（六）其他处理", rowspan = 4 }')
    other = '  { key = "other_other", cells = [{ text = "3.其他" }], role = "outcome" },\n'
    text = _replace(text, other, other + f'  {{ key = "{NEW_ROW}", cells = [{{ text = "{NEW_LABEL}" }}], '
                    'role = "outcome" },\n')
    # ... and in the rules that name every outcome row (each row's 总计, and （七）总计 of each column).
    text = _replace(text, '"other_other", "result_total", "carry_forward"] }',
                    f'"other_other", "{NEW_ROW}", "result_total", "carry_forward"] }}')
    text = _replace(text, '"t3.other_other.{column}"]', f'"t3.other_other.{{column}}", "t3.{NEW_ROW}.{{column}}"]')
    # A renamed table key (表四: ``t4`` -> ``appeals``, in its cell keys too).
    text = re.sub(r"\bt4\b", TABLE_KEY, text)
    # A renamed section title.
    return _replace(text, f'section = "{OLD_TITLE}"', f'section = "{NEW_TITLE}"')


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FormSpec, Layout, Path]]:
    folder = tmp_path_factory.mktemp("spec")
    toml = folder / f"{DEFAULT_TEMPLATE}.toml"
    toml.write_text(edited_spec_text(), encoding="utf-8")
    # The Word template of the edited spec, as the documented command builds it.
    load_script("docx_templates/build_template.py").main([str(toml)])
    assert (folder / f"{DEFAULT_TEMPLATE}.docx").is_file()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SPEC_DIR_ENV, str(folder))
        spec = load_spec()
        yield spec, layout_for(), folder
    assert load_spec().sha256 != spec.sha256  # the bundled spec is back


@pytest.fixture(scope="module")
def returns(edited: tuple[FormSpec, Layout, Path], tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Path, list[dict[str, object]]]:
    """Two agencies' workbooks made and filled under the edited spec (the new row filled in)."""
    spec, layout, _ = edited
    folder = tmp_path_factory.mktemp("returns")
    filled = []
    for i, agency in enumerate(AGENCIES):
        values = balanced_values(spec, seed=i)
        values[f"t3.{NEW_ROW}.natural_person"] = 7 + i
        values["t3.disclosed.commercial"] = 4 + i
        values[f"{TABLE_KEY}.cases.review_corrected"] = 2 + i
        from conftest import balance_table3
        from ogi.form.rules import compute_totals

        values = compute_totals(spec, balance_table3(spec, values))
        path = folder / f"{agency.id}.xlsx"
        path.write_bytes(build_workbook(agency, WorkbookOptions(year=2023)))
        fill_workbook(path, layout, values=input_values(spec, values), metadata=METADATA,
                      narrative=narrative())
        filled.append(values)
    return folder, filled


def test_the_spec_loads_with_the_edit(edited: tuple[FormSpec, Layout, Path]) -> None:
    spec, layout, _ = edited
    t3 = spec.applications_table
    assert [r.key for r in t3.rows_with("outcome")][-2:] == ["other_other", NEW_ROW]
    assert "granted" not in {r.key for r in t3.data_rows} and "disclosed" in {r.key for r in t3.data_rows}
    assert spec.cells[f"t3.{NEW_ROW}.natural_person"].row_label == f"（六）其他处理·{NEW_LABEL}"
    assert spec.sections[1].title == NEW_TITLE
    assert [t.key for t in spec.tables] == ["t2", "t3", TABLE_KEY]
    assert f"{TABLE_KEY}.cases.review_total" in spec.computed_keys
    assert layout.spec is spec


def test_workbook_shows_the_new_row_and_title(edited: tuple[FormSpec, Layout, Path],
                                              returns: tuple[Path, list[dict[str, object]]]) -> None:
    spec, layout, _ = edited
    folder, _ = returns
    wb = openpyxl.load_workbook(folder / f"{AGENCIES[0].id}.xlsx")
    sheet, addr = layout.address(f"t3.{NEW_ROW}.natural_person")
    ws = wb[sheet]
    row = ws[addr].row
    assert NEW_LABEL in [c.value for c in ws[row]]
    assert ws[addr].protection.locked is False  # a clerk fills it
    t2 = spec.section_of_table(spec.tables[0].key)
    assert wb[spec.tables[0].sheet]["A1"].value == t2.title == NEW_TITLE
    # The 总计 of the new row and （七）总计 hold formulas that include it.
    assert str(ws[layout.address(f"t3.{NEW_ROW}.total")[1]].value).startswith("=")
    assert _covers(str(ws[layout.address("t3.result_total.natural_person")[1]].value), addr)


def _covers(formula: str, addr: str) -> bool:
    """True when ``formula`` names ``addr`` alone or inside a one-column range (``SUM(D9:D31)``)."""
    col, row = re.fullmatch(r"([A-Z]+)(\d+)", addr).groups()  # type: ignore[union-attr]
    for c1, r1, c2, r2 in re.findall(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", formula):
        if c1 == col and (r1 == row or (c2 == col and int(r1) <= int(row) <= int(r2))):
            return True
    return False


def test_check_reads_the_edit_and_the_totals_include_it(
        edited: tuple[FormSpec, Layout, Path], returns: tuple[Path, list[dict[str, object]]]) -> None:
    from ogi.workbook.checker import check_workbook

    spec, _, _ = edited
    folder, filled = returns
    result = check_workbook(folder / f"{AGENCIES[0].id}.xlsx")
    assert result.error == ""
    assert [f.code for f in result.findings if f.severity == "error"] == []
    assert result.report is not None
    values = result.report.values
    assert values[f"t3.{NEW_ROW}.natural_person"] == 7
    assert values["t3.disclosed.commercial"] == 4
    assert not any(".granted." in k for k in values)
    outcomes = [r.key for r in spec.applications_table.rows_with("outcome")]
    assert values["t3.result_total.natural_person"] == sum(values[f"t3.{r}.natural_person"] for r in outcomes)
    assert values["t3.result_total.natural_person"] == filled[0]["t3.result_total.natural_person"]


@pytest.fixture(scope="module")
def rendered(edited: tuple[FormSpec, Layout, Path], returns: tuple[Path, list[dict[str, object]]]
             ) -> tuple[Report, Path, Path]:
    """The first workbook as read back, and its report rendered to DOCX and to the HTML page."""
    from ogi.document.docx_render import render_docx
    from ogi.document.html_render import render_html
    from ogi.workbook.checker import check_workbook

    folder, _ = returns
    report = check_workbook(folder / f"{AGENCIES[0].id}.xlsx").report
    assert report is not None
    docx, page = folder.parent / "report.docx", folder.parent / "report.html"
    docx.write_bytes(render_docx(report))
    page.write_text(render_html(report), encoding="utf-8")
    return report, docx, page


def test_docx_and_page_have_the_new_row_and_title(rendered: tuple[Report, Path, Path]) -> None:
    _, docx, page = rendered
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    for text in (re.sub(r"<[^>]+>", "", xml), re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))):
        assert NEW_TITLE in text and OLD_TITLE not in text
        assert NEW_LABEL in text


def test_summary_of_two_workbooks_follows_the_edit(
        edited: tuple[FormSpec, Layout, Path], returns: tuple[Path, list[dict[str, object]]],
        tmp_path: Path) -> None:
    from ogi.county.summary import build_summary, figure_value, key_figures

    _, layout, _ = edited
    folder, filled = returns
    roster = write_roster(tmp_path / "名单.csv", AGENCIES)
    from ogi.county.roster import read_roster

    summary = build_summary(folder, read_roster(roster), year=2023)
    assert len(summary.rows) == 2
    assert summary.totals[f"t3.{NEW_ROW}.natural_person"] == 7 + 8
    assert summary.totals["t3.disclosed.commercial"] == 4 + 5
    figures = key_figures(layout)
    other = next(f for f in figures if f.label == "（六）其他处理（小计）")
    assert f"t3.{NEW_ROW}.total" in other.keys and other.role == "outcome"
    received = next(f for f in figures if f.role == "received")
    assert figure_value(received, summary.totals) == sum(v["t3.new_received.total"] for v in filled)  # type: ignore[misc]
    disclosed = next(f for f in figures if f.keys == ("t3.disclosed.total",))
    assert disclosed.label == "（一）予以公开"
    review = next(f for f in figures if f.keys == (f"{TABLE_KEY}.cases.review_total",))
    assert figure_value(review, summary.totals) == sum(v[f"{TABLE_KEY}.cases.review_total"] for v in filled)  # type: ignore[misc]


def test_import_of_the_rendered_report_follows_the_edit(rendered: tuple[Report, Path, Path]) -> None:
    from ogi.importers import import_report

    report, docx, page = rendered
    for path in (docx, page):
        result = import_report(path)
        codes = [f.code for f in result.findings]
        assert "IMPORT-SECTION-NOT-FOUND" not in codes, (path, codes)
        got = result.report.values
        assert got[f"t3.{NEW_ROW}.natural_person"] == 7, path
        assert got["t3.disclosed.commercial"] == 4, path
        assert got[f"{TABLE_KEY}.cases.review_corrected"] == 2, path
        assert got["t3.result_total.natural_person"] == report.values["t3.result_total.natural_person"], path
