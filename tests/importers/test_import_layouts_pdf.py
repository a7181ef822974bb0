"""`ogi import` of PDFs that LibreOffice makes from DOCX (one conversion for the module): ogi's own
DOCX of random valid reports (ruled tables) imports to the same values with exit 0; a hand-typed
report without table rulings whose table 三 has empty cells is read by word positions, so each
number lands under its own column and the empty cells stay blank (never shifted, never 0)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_import_pdf import hand_made_docx

from conftest import balanced_values
from ogi.document.docx_render import render_docx
from ogi.form.report import Report, Value
from ogi.form.rules import compute_totals
from ogi.form.spec import load_spec
from ogi.importers import import_report

SPEC = load_spec()
SEEDS = (31, 32, 33)
#: Cells of the hand-typed report left empty: one in the middle of a row, one at its start, one last.
BLANKS = ("t3.granted.research", "t3.deny_third_party.natural_person", "t3.np_duplicate.other_org")


def full_report(values: dict[str, Value], seed: int) -> Report:
    narrative = {n.key: f"本年度，本机关围绕{n.label}持续推进各项工作，按第{seed}号示例逐项公开，接受社会监督。"
                 for n in SPEC.narrative}
    meta = {"agency_name": f"某某县第{seed}局", "year": "2023", "address": "某某县人民路8号",
            "phone": "0954-7012345", "website": "www.example.gov.cn", "publish_date": "2024-01-20"}
    return Report(SPEC.id, SPEC.version, meta, values, narrative, {})


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory, soffice: str) -> dict[str, tuple[Path, dict[str, Value]]]:
    from ogi.files.libreoffice import convert

    folder = tmp_path_factory.mktemp("layouts-pdf")
    sources: dict[str, tuple[Path, dict[str, Value]]] = {}
    for seed in SEEDS:
        values = balanced_values(SPEC, seed=seed)
        path = folder / f"ogi{seed}.docx"
        path.write_bytes(render_docx(full_report(values, seed)))
        sources[f"ogi{seed}"] = (path, values)
    hand = balanced_values(SPEC, seed=34)
    shown: dict[str, object] = dict(hand)
    for key in BLANKS:
        shown[key] = ""
    (folder / "hand.docx").write_bytes(hand_made_docx(shown))  # type: ignore[arg-type]
    sources["hand"] = (folder / "hand.docx", hand)
    out = convert([p for p, _ in sources.values()], "pdf", folder)
    return {name: (pdf, values) for (name, (_, values)), pdf in zip(sources.items(), out, strict=True)}


@pytest.mark.parametrize("seed", SEEDS)
def test_pdf_of_ogi_docx_round_trips(pdfs, seed: int) -> None:
    path, values = pdfs[f"ogi{seed}"]
    result = import_report(path)
    want = compute_totals(SPEC, values)
    diffs = {k: (result.report.values.get(k), want[k]) for k in SPEC.cells if result.report.values.get(k) != want[k]}
    assert not diffs, list(diffs.items())[:5]
    assert result.report.agency_name == f"某某县第{seed}局" and result.report.year == 2023
    assert [(f.code, f.message) for f in result.findings if f.severity == "error"] == []
    assert result.exit_code == 0


def test_unruled_pdf_blank_cells_by_word_position(pdfs, pdftotext: str) -> None:
    import subprocess

    path, values = pdfs["hand"]
    text = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "予以公开" in text
    result = import_report(path)
    got = result.report.values
    for key in BLANKS:
        assert got[key] is None, key
    blanks = {f.key for f in result.findings if f.code == "IMPORT-BLANK"}
    assert blanks == set(BLANKS)
    for key in SPEC.cells:
        if key.startswith("t3.") and key not in BLANKS:
            assert got[key] == values[key], key
    assert not [f for f in result.findings if f.code == "IMPORT-ROW-MISMATCH"]
    # A row whose label wrapped is confirmed by its column's total, which a blank leaves unevaluated:
    # such a row is flagged in the columns holding a blank, and only there.
    blank_columns = {SPEC.cells[k].column_label for k in BLANKS}
    for f in result.findings:
        if f.code == "IMPORT-UNCERTAIN":
            assert set(f.column_label.split("、")) <= blank_columns, f.message
            assert "核对它所需的数字不全" in f.message
