"""`ogi import` of Word documents: ogi's own DOCX (`ogi fill` -> `ogi import` gives back exactly the
values and narrative, a property test) and a report made by hand in Word with merged table cells."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogi.document.docx_render import paragraphs, render_docx
from ogi.form.layout import place_table
from ogi.form.report import Report, Value
from ogi.form.spec import load_spec
from ogi.importers import build_import_workbook, import_report

SPEC = load_spec()
# Text a clerk types: Chinese, full-width punctuation, digits, Latin, spaces and line breaks (tabs and
# runs of spaces are normalised by the renderer, which is what the published DOCX says).
ALPHABET = list("我镇局县政务公开平台网站建设监督保障工作要点落实群众满意度培训人员制度审核发布")
ALPHABET += [*"，。；：“”、！？（）《》0123456789abcXYZ%-", " ", "\t"]
TEXT = st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=120)
NARRATIVE = st.lists(TEXT, min_size=1, max_size=4).map("\n".join)


def make_report(values: dict[str, Value], narrative: dict[str, str], **meta: str) -> Report:
    metadata = {"agency_name": "某某县交通运输局", "year": "2024", "address": "某某县新华路12号",
                "postcode": "756500", "phone": "0954-7654321", "email": "jt@example.gov.cn",
                "website": "某某县人民政府网站", "publish_date": "2025-01-20", **meta}
    return Report(SPEC.id, SPEC.version, metadata, dict(values), narrative, {})


def expected_text(text: str) -> str:
    return "\n".join(paragraphs(text))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), texts=st.fixed_dictionaries(
    {key: NARRATIVE for key in SPEC.narrative_keys}))
def test_fill_then_import_gives_back_values_and_narrative(tmp_path_factory, seed: int,
                                                          texts: dict[str, str]) -> None:
    from conftest import balanced_values

    values = balanced_values(SPEC, seed=seed)
    texts = {k: v for k, v in texts.items() if paragraphs(v)}
    report = make_report(values, texts)
    path = tmp_path_factory.mktemp("rt") / "report.docx"
    path.write_bytes(render_docx(report))
    result = import_report(path)
    assert result.kind == "docx" and result.source_format == "gov_info_2021"
    got = result.report
    for key in SPEC.cells:
        assert got.values[key] == values[key], key
    for key in SPEC.narrative_keys:
        assert got.narrative.get(key, "") == expected_text(texts.get(key, "")), key
    for key in ("agency_name", "year", "address", "postcode", "phone", "email", "website",
                "publish_date"):
        assert got.metadata.get(key) == report.metadata[key], key
    assert not [f for f in result.findings if f.code.startswith("IMPORT-")], \
        [f.message for f in result.findings if f.code.startswith("IMPORT-")]
    # The audit finds nothing wrong with a valid report, apart from a required field left empty.
    errors = [f for f in result.findings if f.severity == "error"]
    assert all(f.code == "NARRATIVE-EMPTY" and f.key not in texts for f in errors), errors


def test_narrative_quoting_a_section_heading_stays_narrative(tmp_path: Path) -> None:
    """A line of 正文 that reads exactly like a section heading ("六、其他需要报告的事项") is body text in
    ogi's DOCX (its headings are Word heading styles): the import keeps it in its field and still
    finds every section, the real 六 included (found by the property test's random examples)."""
    from conftest import balanced_values

    values = balanced_values(SPEC, seed=7)
    titles = [s.title for s in SPEC.sections]
    texts = {key: f"第{i + 1}项工作按计划完成。" for i, key in enumerate(SPEC.narrative_keys)}
    first, last = SPEC.narrative_keys[0], SPEC.narrative_keys[-1]
    texts[first] = f"{titles[-1]}\n本年度的工作概况如上。"  # section 六's title inside section 一
    texts[last] = f"{titles[-1]}\n{titles[2]}"  # and inside 六 itself, with 三's title after it
    report = make_report(values, texts)
    path = tmp_path / "report.docx"
    path.write_bytes(render_docx(report))
    result = import_report(path)
    got = result.report
    for key in SPEC.narrative_keys:
        assert got.narrative.get(key, "") == expected_text(texts[key]), key
    for key in SPEC.cells:
        assert got.values[key] == values[key], key


def test_fill_then_import_keeps_blanks_blank(tmp_path: Path) -> None:
    from conftest import balanced_values

    values = dict(balanced_values(SPEC, seed=4))
    for key in ("t3.granted.commercial", "t2.licensing.decisions", "fee.collected_amount"):
        values[key] = None
    path = tmp_path / "blank.docx"
    path.write_bytes(render_docx(make_report(values, {"overview": "概述。"})))
    result = import_report(path)
    assert result.report.values["t3.granted.commercial"] is None
    assert result.report.values["t2.licensing.decisions"] is None
    assert result.report.values["fee.collected_amount"] is None
    reported = {f.key for f in result.findings if f.code in ("IMPORT-BLANK", "IMPORT-FEE-NOT-FOUND")}
    assert reported == {"t3.granted.commercial", "t2.licensing.decisions", "fee.collected_amount"}


def hand_made_docx(values: dict[str, Value]) -> bytes:
    """A report typed in Word: headings as plain bold paragraphs, tables drawn with merged cells."""
    import docx

    doc = docx.Document()
    doc.add_paragraph().add_run("某某镇人民政府2024年政府信息公开工作年度报告").bold = True
    doc.add_paragraph("本报告统计期限为2024年1月1日至2024年12月31日。联系电话：0954-3012345。")
    for heading, body in (("一、总体情况", "本年度工作平稳。"), ("（一）主动公开", "主动公开信息56条。"),
                          ("(二) 依申请公开", "收到申请3件。")):
        doc.add_paragraph(heading)
        doc.add_paragraph(body)
    for table in SPEC.tables:
        doc.add_paragraph(table.section)
        tl = place_table(table, 0)
        grid = doc.add_table(rows=len(table.rows), cols=table.grid_columns)
        grid.style = "Table Grid"
        for p in tl.labels:
            cell = grid.cell(p.row, p.col)
            if p.merged:
                cell = cell.merge(grid.cell(p.last_row, p.last_col))
            text = p.text.replace("1.", "1、") if p.text.startswith("1.") else p.text
            if text == "商业企业":  # a header typed on two lines in one cell
                cell.text = "商业"
                cell.add_paragraph("企业")
            else:
                cell.text = text
        for key, p in tl.values.items():
            cell = grid.cell(p.row, p.col)
            if p.merged:
                cell = cell.merge(grid.cell(p.last_row, p.last_col))
            value = values.get(key)
            cell.text = "" if value is None else str(value)
    doc.add_paragraph("五、存在的主要问题及改进情况")
    doc.add_paragraph("（一）存在的主要问题：人员不足。")
    doc.add_paragraph("（二）改进情况：加强培训。")
    doc.add_paragraph("六、其他需要报告的事项")
    doc.add_paragraph("本年度发出收费通知0件，收费通知总金额0元，实际收取信息处理费0元。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_hand_made_word_tables_with_merged_cells(tmp_path: Path) -> None:
    from conftest import balanced_values

    values = dict(balanced_values(SPEC, seed=9))
    values["t4.cases.review_other"] = None
    path = tmp_path / "hand.docx"
    path.write_bytes(hand_made_docx(values))
    result = import_report(path)
    got = result.report
    assert got.agency_name == "某某镇人民政府" and got.year == 2024
    assert got.metadata["phone"] == "0954-3012345"
    for key in SPEC.cells:
        if key.startswith("fee."):
            assert got.values[key] == 0, key
        else:
            assert got.values[key] == values[key], key
    assert [f.key for f in result.findings if f.code == "IMPORT-BLANK"] == ["t4.cases.review_other"]
    assert got.narrative["proactive"] == "主动公开信息56条。"
    assert got.narrative["on_request"] == "收到申请3件。"
    assert got.narrative["problems"] == "人员不足。"
    assert got.narrative["improvements"] == "加强培训。"
    data, name, _ = build_import_workbook(result)
    assert name.startswith("2024年某某镇人民政府") and data[:2] == b"PK"


def test_old_doc_and_broken_docx_are_refused(tmp_path: Path) -> None:
    from ogi.errors import InputError

    doc = tmp_path / "old.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputError, match=r"另存为 \.docx"):
        import_report(doc)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(hand_made_docx({})[:3000])
    with pytest.raises(InputError):
        import_report(broken)


def test_old_binary_doc_is_converted_with_libreoffice(tmp_path: Path, soffice: str) -> None:
    from conftest import balanced_values
    from ogi.files.libreoffice import convert

    values = dict(balanced_values(SPEC, seed=13))
    source = tmp_path / "手工.docx"
    source.write_bytes(hand_made_docx(values))
    doc = convert([source], "doc:MS Word 97", tmp_path / "doc")[0]
    assert doc.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    result = import_report(doc)
    assert "IMPORT-CONVERTED" in [f.code for f in result.findings]
    for key in SPEC.cells:
        if not key.startswith("fee."):
            assert result.report.values[key] == values[key], key
    assert result.report.narrative["proactive"] == "主动公开信息56条。"
