"""`ogi fill --html`: a standalone page a portal's content editor keeps as it is.

Structure only (Chromium's print and the round trip through `ogi import` are in
test_render_proof.py): HTML5 and UTF-8, inline styles only, nothing that runs or loads, every value
escaped, the three tables with exactly the official merges, the same outline as the DOCX.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from test_docx_render import HOSTILE, distinct_values, make_report

from conftest import REPO
from ogi.document.html_render import render_html
from ogi.form.layout import place_table
from ogi.form.spec import FormSpec

EXAMPLE = REPO / "examples" / "示例-彭阳县白阳镇人民政府-2023.xlsx"


@pytest.fixture(scope="module")
def page(spec: FormSpec) -> str:
    report = make_report(spec, distinct_values(spec), overview=HOSTILE)
    report.metadata["agency_name"] = "彭阳县白阳镇人民政府<b>&</b>"
    return render_html(report)


def test_standalone_html5_with_inline_styles_only(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert '<meta charset="utf-8">' in page
    lowered = page.lower()
    for banned in ("<script", "<style", "<link", "<iframe", "<img", " class=", " id=", "javascript:",
                   " src=", " href=", "@import", "url("):
        assert banned not in lowered, banned
    tree = lxml_html.fromstring(page)
    styled = [el for el in tree.iter() if el.get("style")]
    assert len(styled) > 100  # every paragraph, heading and cell carries its own style


def test_every_value_is_escaped(page: str) -> None:
    tree = lxml_html.fromstring(page)
    text = tree.text_content()
    assert "彭阳县白阳镇人民政府<b>&</b>" in text  # the name as text, not as markup
    assert not tree.findall(".//b")
    hostile = next(p.text_content() for p in tree.iter("p") if p.text_content().startswith("&"))
    for fragment in ("& < > \" '", "{{ agency_name }}", "{% if true %}x{% endif %}", "]]> <w:p/>"):
        assert fragment in hostile, fragment
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", page)


def test_tables_carry_the_official_merges(page: str, spec: FormSpec) -> None:
    tree = lxml_html.fromstring(page)
    tables = tree.findall(".//table")
    assert len(tables) == 3
    values = distinct_values(spec)
    for table, html_table in zip(spec.tables, tables, strict=True):
        tl = place_table(table, 0)
        placed = sorted([(p.rowspan, p.colspan) for p in tl.labels]
                        + [(p.rowspan, p.colspan) for p in tl.values.values()])
        cells = html_table.findall(".//tr/*")
        got = sorted((int(c.get("rowspan", 1)), int(c.get("colspan", 1))) for c in cells)
        assert got == placed, table.key
        assert len(html_table.findall(".//tr")) == len(table.rows)
        texts = [c.text_content() for c in cells]
        for key in tl.values:
            shown = str(values[key])
            assert shown in texts, key


def test_same_outline_as_the_docx(spec: FormSpec) -> None:
    import docx

    from ogi.document.docx_render import render_docx
    from ogi.workbook.checker import check_workbook

    report = check_workbook(EXAMPLE).report
    assert report is not None
    tree = lxml_html.fromstring(render_html(report))
    html_blocks = [el.text_content() for el in tree.iter("h1", "h2", "h3", "p") if el.text_content().strip()]
    import io

    document = docx.Document(io.BytesIO(render_docx(report)))
    docx_blocks = [p.text.replace("\n", "") for p in document.paragraphs if p.text.strip()]
    assert html_blocks == docx_blocks


def test_fill_cli_writes_the_page_beside_the_docx(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ogi.cli import cli

    result = CliRunner().invoke(cli, ["fill", str(EXAMPLE), "-o", str(tmp_path), "--html"])
    assert result.exit_code == 0, result.output
    pages = list(tmp_path.glob("*.html"))
    assert [p.stem for p in pages] == [p.stem for p in tmp_path.glob("*.docx")]
    assert "网页：" in result.output
    again = CliRunner().invoke(cli, ["fill", str(EXAMPLE), "-o", str(tmp_path), "--html"])
    assert again.exit_code == 0, again.output  # identical output: left alone, no --overwrite needed


def test_render_tables_are_the_reports_own_tables(spec: FormSpec) -> None:
    """`ogi serve`'s county table: the same official tables, filled with any values (the totals)."""
    from ogi.document.html_render import render_tables

    report = make_report(spec, distinct_values(spec))
    page = render_html(report)
    tables = render_tables(report.values)
    assert [section for section, _ in tables] == [t.section for t in spec.tables]
    for _, table in tables:
        assert table in page
