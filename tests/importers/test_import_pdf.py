"""`ogi import` of PDF through its text layer: a PDF that LibreOffice made from ogi's own DOCX (ruled
tables), a hand-made PDF whose tables have no rulings (columns aligned by spaces, long labels wrapped
with their numbers on the last line, table 三 broken across pages with `-N-` page numbers), and a
scanned PDF without a text layer. Both real PDFs are made in one LibreOffice run."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ogi.document.docx_render import render_docx
from ogi.form.report import Report, Value
from ogi.form.spec import load_spec
from ogi.importers import import_report
from ogi.importers.pdf import ScannedPdfError
from ogi.importers.tables import leaf_label

SPEC = load_spec()


def _footer_page_number(section) -> None:
    """``-N-`` in the footer, with a real PAGE field."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = 1
    p.add_run("-")
    run = p.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.text = text
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)
    p.add_run("-")


def _valign_bottom(cell) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    v = OxmlElement("w:vAlign")
    v.set(qn("w:val"), "bottom")
    tcpr.append(v)


def hand_made_docx(values: dict[str, Value]) -> bytes:
    """A report laid out the way many offices type it: no table rulings, narrow label columns."""
    import docx
    from docx.shared import Cm, Pt

    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)
    style.font.name = "Noto Serif CJK SC"
    _footer_page_number(doc.sections[0])
    doc.sections[0].header.paragraphs[0].text = "某某街道办事处政务公开"  # a running header
    doc.add_paragraph("某某街道办事处2023年政府信息公开工作年度报告")
    doc.add_paragraph("本报告统计期限为2023年1月1日至2023年12月31日。联系电话：0951-5012345。")
    doc.add_paragraph("一、总体情况")
    filler = "本街道认真贯彻落实政府信息公开条例，持续推进决策、执行、管理、服务、结果公开。" * 3
    for _ in range(12):  # push table 三 down so that it breaks across pages
        doc.add_paragraph(filler)
    for table in SPEC.tables:
        doc.add_paragraph(table.section)
        label_cols = 2 if table.key == "t3" else (1 if table.key == "t2" else 0)
        n_values = max(len(r.values) for r in table.data_rows)
        grid = doc.add_table(rows=0, cols=label_cols + n_values)  # default style: no borders
        grid.autofit = False
        widths = ([Cm(2.4), Cm(5.4)] if table.key == "t3" else [Cm(4.0)] if table.key == "t2" else [])
        widths += [Cm({"t2": 2.4, "t3": 1.1, "t4": 1.0}[table.key])] * n_values
        for i, w in enumerate(widths):
            grid.columns[i].width = w
        if table.key != "t4":
            header = grid.add_row().cells
            for i, w in enumerate(widths):
                header[i].width = w
            header[0].text = "信息内容" if table.key == "t2" else "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
            for i, col in enumerate(table.columns if table.key == "t3" else table.columns[:n_values]):
                header[label_cols + i].text = col.label if table.key == "t3" else ""
        group = ""
        for row in table.data_rows:
            cells = grid.add_row().cells
            for i, w in enumerate(widths):
                cells[i].width = w
            own = leaf_label(row)
            groups = [c.text for c in row.cells if c.rowspan > 1]
            if label_cols == 2:
                if groups and groups[-1] != group:
                    group = groups[-1]
                    cells[0].text = group
                cells[1].text = own
            elif label_cols == 1:
                cells[0].text = own
            for i, slot in enumerate(row.values):
                cell = cells[label_cols + i]
                cell.text = str(values[f"{table.key}.{row.key}.{slot.column}"])
                _valign_bottom(cell)
    doc.add_paragraph("五、存在的主要问题及改进情况")
    doc.add_paragraph("（一）存在的主要问题。信息更新不够及时。")
    doc.add_paragraph("（二）改进情况。建立定期更新机制。")
    doc.add_paragraph("六、其他需要报告的事项")
    doc.add_paragraph("本年度未发出收费通知，未收取信息处理费。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory, soffice: str) -> dict[str, tuple[Path, dict[str, Value]]]:
    from conftest import balanced_values
    from ogi.files.libreoffice import convert

    folder = tmp_path_factory.mktemp("pdf")
    ogi_values = balanced_values(SPEC, seed=21)
    hand_values = balanced_values(SPEC, seed=22)
    report = Report(SPEC.id, SPEC.version, {
        "agency_name": "某某县卫生健康局", "year": "2023", "address": "某某县健康路3号",
        "phone": "0954-7111111", "website": "某某县人民政府网站"}, dict(ogi_values),
        {"overview": "本年度政务公开工作稳步推进。", "proactive": "主动公开信息120条。\n其中政策解读5篇。",
         "problems": "公开的及时性有待提高。", "improvements": "加强审核和更新。"}, {})
    (folder / "ogi.docx").write_bytes(render_docx(report))
    (folder / "hand.docx").write_bytes(hand_made_docx(hand_values))
    out = convert([folder / "ogi.docx", folder / "hand.docx"], "pdf", folder)
    return {"ogi": (out[0], ogi_values), "hand": (out[1], hand_values)}


def test_pdf_of_ogi_docx(pdfs) -> None:
    path, values = pdfs["ogi"]
    result = import_report(path)
    assert result.kind == "pdf"
    got = result.report
    assert got.agency_name == "某某县卫生健康局" and got.year == 2023
    for key in SPEC.cells:
        assert got.values[key] == values[key], key
    assert got.metadata["phone"] == "0954-7111111"
    assert got.narrative["proactive"].replace("\n", "") == "主动公开信息120条。其中政策解读5篇。"
    assert got.narrative["problems"] == "公开的及时性有待提高。"
    assert not [f for f in result.findings if f.code.startswith("IMPORT-") and f.severity == "error"]


def test_hand_made_pdf_wrapped_labels_and_page_break(pdfs, pdftotext: str) -> None:
    import subprocess

    path, values = pdfs["hand"]
    text = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    t3_pages = [i for i, page in enumerate(pages) if "属于" in page or "申请人" in page]
    assert len(t3_pages) >= 2, "the fixture must break table 三 across a page"
    assert "-2-" in text.replace(" ", "")  # page numbers sit in the middle of the table's text
    result = import_report(path)
    got = result.report
    assert got.agency_name == "某某街道办事处" and got.year == 2023
    for key in SPEC.cells:
        if key.startswith("fee."):
            continue
        assert got.values[key] == values[key], key
    assert got.values["fee.notices_count"] == 0 and got.values["fee.collected_amount"] == 0
    assert not [f for f in result.findings if f.code in ("IMPORT-NOT-FOUND", "IMPORT-ROW-MISMATCH",
                                                         "IMPORT-TABLE-NOT-FOUND")]
    assert got.narrative["problems"] == "信息更新不够及时。"
    assert "other_matters" not in got.narrative  # section 六 holds only the fee sentence
    assert not any("某某街道办事处政务公开" in t for t in got.narrative.values())  # running header


def test_text_saved_from_pdf(pdfs, pdftotext: str, tmp_path: Path) -> None:
    """`pdftotext -layout` output: columns aligned by spaces, labels wrapped around their numbers
    (the numbers sit on the middle line of a three-line label), lines hard-wrapped, page numbers."""
    import subprocess

    path, values = pdfs["ogi"]
    text = tmp_path / "saved.txt"
    subprocess.run([pdftotext, "-layout", str(path), str(text)], check=True)
    result = import_report(text)
    got = result.report
    for key in SPEC.cells:
        assert got.values[key] == values[key], key
    assert got.narrative["proactive"] == "主动公开信息120条。\n其中政策解读5篇。"
    assert got.metadata["address"] == "某某县健康路3号"
    assert not [f for f in result.findings if f.code.startswith("IMPORT-")]


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    """A page with only a drawing (what a scanner's PDF looks like to a text extractor)."""
    content = b"q 0 0 1 rg 50 50 200 200 re f Q"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path = tmp_path / "scan.pdf"
    path.write_bytes(out.getvalue())
    with pytest.raises(ScannedPdfError, match="扫描件无文字层"):
        import_report(path)

    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", "from ogi.cli import main; main()", "import", str(path),
                           "-o", str(tmp_path / "x.xlsx")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "扫描件无文字层" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.xlsx").exists()
