"""End to end against the real report and a real LibreOffice.

- The seed's figures (../shared/seed, its blank table 四 entered as 0), typed into a workbook that
  `ogi new` generated, give a DOCX whose tables carry exactly the seed's figures.
- LibreOffice converts the rendered DOCX files (one soffice run for all of them) and the text of
  each PDF contains every official label and every value, in table order; hostile narrative and a
  30,000-character paragraph open and convert.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from test_docx_render import HOSTILE, OFFICIAL, distinct_values, make_report, table_grid

from conftest import fill_workbook, load_script
from ogi.county.fill import OK, FillOptions, fill_files
from ogi.document.docx_render import format_value, render_docx
from ogi.form.layout import Layout
from ogi.form.report import Value
from ogi.form.spec import FormSpec

REPO = Path(__file__).resolve().parents[2]

T2_ROWS = {"规章": "regulations", "行政规范性文件": "normative_docs", "行政许可": "licensing",
           "行政处罚": "punishment", "行政强制": "coercion", "行政事业性收费": "admin_fees"}


def example_module() -> Any:
    return load_script("examples/make_example.py")


def seed_figures(spec: FormSpec, shared: Path) -> dict[str, Value]:
    """Every table value of the seed report, read from its text; a blank cell is None."""
    text = next((shared / "seed").glob("*.txt")).read_text(encoding="utf-8")
    lines = text.splitlines()
    values: dict[str, Value] = {}

    def section(start: str, end: str) -> list[list[str]]:
        i, j = lines.index(start), lines.index(end)
        return [[c.strip() for c in line.split("\t")] for line in lines[i + 1:j]]

    t2 = spec.table("t2")
    for cells in section("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"):
        row = T2_ROWS.get(cells[0])
        if row is None:
            continue
        nums = [int(c) for c in cells[1:] if c]
        slots = next(r for r in t2.data_rows if r.key == row).values
        assert len(nums) == len(slots), cells
        for slot, n in zip(slots, nums, strict=True):
            values[f"t2.{row}.{slot.column}"] = n
    t3 = spec.table("t3")
    rows = []
    for cells in section("三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"):
        nums = [c for c in cells if c]
        if len(nums) >= 8 and all(re.fullmatch(r"\d+", c) for c in nums[-7:]):
            rows.append([int(c) for c in nums[-7:]])
    assert len(rows) == len(t3.data_rows) == 25
    for row, nums in zip(t3.data_rows, rows, strict=True):
        for col, n in zip(t3.columns, nums, strict=True):
            values[f"t3.{row.key}.{col.key}"] = n
    t4 = [cells for cells in section("四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况")
          if cells and any(re.fullmatch(r"\d+", c) for c in cells)]
    assert len(t4) == 1 and len(t4[0]) == 15
    for col, c in zip(spec.table("t4").columns, t4[0], strict=True):
        values[f"t4.cases.{col.key}"] = int(c) if c else None
    return values


@pytest.fixture(scope="module")
def seed_values(spec: FormSpec, shared_dir: Path) -> dict[str, Value]:
    return seed_figures(spec, shared_dir)


def test_seed_parser_reads_the_known_figures(seed_values: dict[str, Value]) -> None:
    assert seed_values["t2.punishment.decisions"] == 6
    assert seed_values["t3.new_received.other_org"] == seed_values["t3.new_received.total"] == 1
    assert seed_values["t3.deny_law_forbidden.other_org"] == 1
    assert [seed_values[f"t4.cases.review_{c}"] for c in ("maintained", "total")] == [None, None]
    assert sum(1 for v in seed_values.values() if v is None) == 5  # the seed's blank 表四 cells
    assert sum(v for v in seed_values.values() if v) == 1 + 1 + 1 + 1 + 1 + 1 + 6


@pytest.fixture(scope="module")
def seed_docx(spec: FormSpec, layout: Layout, seed_values: dict[str, Value],
              tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed's figures typed into a generated workbook (blank 表四 entered as 0), then `ogi fill`."""
    from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

    folder = tmp_path_factory.mktemp("seed")
    workbook = folder / "白阳镇.xlsx"
    workbook.write_bytes(build_workbook(Agency("彭阳县白阳镇人民政府", "640425001", "乡镇街道"),
                                        WorkbookOptions(year=2023)))
    example = example_module()
    inputs = {k: (0 if seed_values[k] is None else seed_values[k]) for k in spec.input_keys
              if k in seed_values}
    fill_workbook(workbook, layout, values=inputs, metadata=example.METADATA, narrative=example.NARRATIVE)
    outcomes = fill_files([workbook], FillOptions(output=folder / "out"))
    assert outcomes[0].status == OK, outcomes[0].result
    assert outcomes[0].result is not None and outcomes[0].result.findings == []
    assert outcomes[0].docx is not None
    return outcomes[0].docx


def test_seed_figures_give_the_seed_tables(seed_docx: Path, seed_values: dict[str, Value]) -> None:
    document = docx.Document(str(seed_docx))
    checked = 0
    for key, table in zip(("t2", "t3", "t4"), document.tables, strict=True):
        _, positions, _, _ = OFFICIAL[key]
        _, at = table_grid(table)
        for cell_key, (r, c, _) in positions.items():
            expected = seed_values[cell_key]
            assert at[(r, c)].text == str(0 if expected is None else expected), cell_key
            checked += 1
    assert checked == 10 + 175 + 15
    assert document.paragraphs[0].text == "彭阳县白阳镇人民政府\n2023年政府信息公开工作年度报告"


def test_bundled_example_carries_the_seed_figures(spec: FormSpec, seed_values: dict[str, Value]) -> None:
    from ogi.workbook.checker import check_workbook

    example = example_module()
    path = REPO / "examples" / example.FILENAME
    result = check_workbook(path)
    assert result.findings == []
    assert result.report is not None
    for key, value in seed_values.items():
        assert result.report.values[key] == (0 if value is None else value), key
    assert result.report.narrative == example.NARRATIVE
    fresh = example.example_report()
    assert {k: result.report.values[k] for k in spec.input_keys} == fresh.values
    # The example's narrative is the project's own: no sentence of the real report is reused.
    seed_text = next((REPO.parent / "shared" / "seed").glob("*.txt")).read_text(encoding="utf-8")
    seed_sentences = {s for s in re.split(r"[。！？\n]", seed_text) if len(s) >= 12}
    ours = {s for text in example.NARRATIVE.values() for s in re.split(r"[。！？\n]", text) if len(s) >= 12}
    assert not (seed_sentences & ours)
    def untitled(text: str) -> str:  # a law's title may of course be quoted
        return re.sub(r"《[^》]*》", "《》", text)

    seed_plain = untitled(seed_text)
    windows = {t[i:i + 16] for t in map(untitled, example.NARRATIVE.values()) for i in range(len(t) - 15)}
    copied = [w for w in windows if w in seed_plain and "\n" not in w]
    assert copied == [], copied  # not even 16 characters in a row


# ------------------------------------------------------------------------------------------------
# One LibreOffice run for every PDF of this module


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdf_texts(spec: FormSpec, seed_docx: Path, soffice: str, pdftotext: str,
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from ogi.files.libreoffice import convert

    folder = tmp_path_factory.mktemp("pdf")
    long = "长" * 29_990 + "结尾"
    reports = {
        "distinct": make_report(spec, distinct_values(spec)),
        "hostile": make_report(spec, overview=HOSTILE, proactive=long, problems="第一行\x0b第二行"),
    }
    files = []
    for name, report in reports.items():
        path = folder / f"{name}.docx"
        path.write_bytes(render_docx(report))
        files.append(path)
    seed_copy = folder / "seed.docx"
    seed_copy.write_bytes(seed_docx.read_bytes())
    files.append(seed_copy)
    pdfs = convert(files, "pdf", folder / "pdf")  # one soffice run
    texts = {}
    for pdf in pdfs:
        done = subprocess.run([pdftotext, "-raw", str(pdf), "-"], capture_output=True, text=True,
                              check=True, timeout=60)
        texts[pdf.stem] = done.stdout
    return texts


def _labels(spec: FormSpec) -> list[str]:
    labels = [t.section for t in spec.tables] + ["一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    labels += [f.heading for f in spec.narrative if f.heading]
    for key in ("t2", "t3", "t4"):
        labels += [text for *_, text in OFFICIAL[key][0]]
    return labels


@pytest.mark.libreoffice
def test_pdf_has_every_label_and_every_value_in_order(spec: FormSpec, pdf_texts: dict[str, str]) -> None:
    text = squash(pdf_texts["distinct"])
    for label in _labels(spec):
        assert squash(label) in text, label
    values = distinct_values(spec)
    tokens = pdf_texts["distinct"].split()
    for key in spec.cells:
        if not key.startswith("fee."):
            assert format_value(values[key]) in tokens, key
    # Row by row, the values follow their row label in the PDF's reading order.
    for table in spec.tables:
        for row in table.data_rows:
            run = "".join(format_value(values[f"{table.key}.{row.key}.{s.column}"]) for s in row.values)
            label = squash(row.cells[-1].text) if row.cells else ""
            assert label + run in text, (table.key, row.key)
    for key in ("fee.notices_count", "fee.notices_amount", "fee.collected_amount"):
        assert format_value(values[key]) in text
    assert "本报告所列" not in text  # our own preamble wording, not the seed's
    assert "—1—" in text and "—2—" in text  # page numbers with 一字线


@pytest.mark.libreoffice
def test_pdf_of_the_seed_report(pdf_texts: dict[str, str], seed_values: dict[str, Value]) -> None:
    text = squash(pdf_texts["seed"])
    assert "彭阳县白阳镇人民政府2023年政府信息公开工作年度报告" in text
    assert "2.其他法律行政法规禁止公开0000011" in text
    assert "行政处罚6" in text
    assert "0" * 15 in text  # table 四, the seed's blanks entered as 0
    assert "本年度未收取信息处理费。" in text


@pytest.mark.libreoffice
def test_pdf_of_hostile_narrative(pdf_texts: dict[str, str]) -> None:
    raw = pdf_texts["hostile"]
    text = squash(raw)
    assert "&<>\"'{{agency_name}}{%iftrue%}x{%endif%}" in text
    assert "“全角”（括号）：；、。！？" in text
    assert text.count("长") >= 29_990
    assert "第一行" in text and "第二行" in text
