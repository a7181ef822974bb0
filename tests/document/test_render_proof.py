"""The published report, exact (issue 17): what a reader of the archive PDF and of the portal page sees.

Three workbooks go through `ogi fill` as a county office runs it (DOCX + HTML, then `--pdf` with two
LibreOffice processes): the bundled example; a generated worst case (a 40-character agency name, a
32,767-character narrative, and every full-width punctuation mark at every position 1–30 of a line);
and the example with a blank 发布日期 filled with ``--force``. From ``pdftotext`` and
``pdftotext -bbox`` of each PDF:

- every character of every narrative paragraph, every heading, label and number appears, in order
  (whitespace and page numbers aside): nothing is dropped at a line end;
- the title's lines are exactly the ones ogi placed (breaks only after the agency name or an
  administrative unit), with no renderer wrap inside a word;
- the 落款 follows GB/T 9704 §7.3.5.2 within a quarter character.

The HTML pages are printed by headless Chromium and compared the same way, and `ogi import` reads
each page back to the same Report. One LibreOffice batch and one Chromium run per page serve the
whole module.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO, balanced_values, fill_workbook, input_values
from ogi.county.fill import OK, FillOptions, FillOutcome, iter_fill, make_pdfs
from ogi.document.docx_render import format_date, format_value, paragraphs
from ogi.document.report_text import outline
from ogi.document.typeset import BLANK_DATE, name_break_points, title_lines
from ogi.form.layout import Layout, place_table
from ogi.form.report import Report
from ogi.form.spec import FormSpec
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

EXAMPLE = REPO / "examples" / "示例-彭阳县白阳镇人民政府-2023.xlsx"

#: 40 characters, the longest name `ogi new` accepts: units to break after, and words that must not
#: be broken after the unit characters they contain (城乡, 市场).
LONG_NAME = "宁夏回族自治区固原市彭阳县城乡规划建设局市场监督管理和政务公开信息化综合服务中心"
#: Every full-width punctuation mark a report uses.
MARKS = "，。、；：？！“”‘’（）《》〈〉【】〔〕…—·「」『』～"
FILLER = "政府信息公开工作年度报告依法依规主动公开及时准确回应关切"
#: Body text: 28 characters per line, the first line of a paragraph 26 (two-character indent).
LINE, FIRST_LINE = 28, 26
#: Points: one body character (3号 less 0.25 pt spacing) and the text area's right edge (28 + 156 mm).
CHAR_PT = 15.75
RIGHT_EDGE = (28 + 156) / 25.4 * 72


def punctuation_paragraphs() -> list[str]:
    """One paragraph per (mark, position): a full first line, then the mark at position k of the
    second line, then the rest of that line and a few characters more."""
    out = []
    for m, mark in enumerate(MARKS):
        for k in range(1, 31):
            fill = (FILLER * 4)[m % len(FILLER):]
            out.append(fill[:FIRST_LINE] + fill[FIRST_LINE:FIRST_LINE + k - 1] + mark
                       + fill[FIRST_LINE + k:FIRST_LINE + LINE + 3])
    return out


def long_narrative() -> str:
    """Exactly 32,767 characters (one Excel cell's limit): numbered sentences in paragraphs, with
    digits, Latin text, markup that must print literally and full-width punctuation."""
    sentences = []
    i = 0
    while sum(map(len, sentences)) < 33_000:
        i += 1
        sentences.append(f"第{i}句：本机关依法公开政府信息（含<b>标签</b>&“引号”），做到应公开尽公开。")
        if i % 8 == 0:
            sentences.append("\n")
    return "".join(sentences)[:32_767].rstrip("\n")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


_PAGE_NUMBER = re.compile(r"^\s*[—-]\s*\d+\s*[—-]\s*$", re.M)


def reading_text(raw: str) -> str:
    """pdftotext output without page numbers and whitespace."""
    return squash(_PAGE_NUMBER.sub("", raw))


def assert_in_order(text: str, pieces: list[str], what: str) -> None:
    pos = 0
    for piece in pieces:
        want = squash(piece)
        found = text.find(want, pos)
        if found < 0:
            near = text.find(want[:8], pos)
            raise AssertionError(f"{what}: {want[:60]!r} missing after position {pos}; "
                                 f"the text there reads {text[near:near + 80]!r}" if near >= 0
                                 else f"{what}: {want[:60]!r} missing after position {pos}")
        pos = found + len(want)


@dataclass
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def bbox_words(pdf: Path) -> list[Word]:
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xml).replace('xmlns="http://www.w3.org/1999/xhtml"', ""))
    words = []
    for n, page in enumerate(root.iter("page")):
        for w in page.iter("word"):
            words.append(Word(n, float(w.get("xMin", 0)), float(w.get("yMin", 0)), float(w.get("xMax", 0)),
                              float(w.get("yMax", 0)), w.text or ""))
    return words


def lines_of(words: list[Word]) -> list[list[Word]]:
    """Words grouped into printed lines (same page, same top within 2 pt), top to bottom."""
    out: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.page, round(w.y0), w.x0)):
        if out and out[-1][0].page == w.page and abs(out[-1][0].y0 - w.y0) < 2:
            out[-1].append(w)
        else:
            out.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in out]


# ------------------------------------------------------------------------------------------------
# The batch


@dataclass
class Rendered:
    report: Report
    outcome: FillOutcome
    text: str  # the PDF's reading text (squashed)
    words: list[Word]


def _worst_workbook(folder: Path, spec: FormSpec, layout: Layout) -> Path:
    path = folder / "worst.xlsx"
    path.write_bytes(build_workbook(Agency(LONG_NAME, "640425999", "部门"), WorkbookOptions(year=2024)))
    marks = punctuation_paragraphs()
    third = len(marks) // 3 + 1
    narrative = {"overview": long_narrative(),
                 "proactive": "\n".join(marks[:third]), "on_request": "\n".join(marks[third:2 * third]),
                 "info_management": "\n".join(marks[2 * third:]),
                 "platform": "平台建设<script>alert(1)</script> & {{ agency_name }} {% if x %}", "supervision": "监督保障。",
                 "problems": "问题。", "improvements": "改进。", "other_matters": "其他。"}
    assert len(narrative["overview"]) == 32_767 and all(len(t) <= 32_767 for t in narrative.values())
    fill_workbook(path, layout, values=input_values(spec, balanced_values(spec, seed=17)),
                  metadata={"address": "宁夏回族自治区固原市彭阳县城阳乡长城村建设路与市场街交叉口东北角综合服务楼三层",
                            "postcode": "756599", "phone": "0954-7012345、13995412345",
                            "email": "zwgk.pengyang.longname@example.gov.cn",
                            "website": "https://www.pengyang.gov.cn/xxgk/zfxxgkndbg/2024/index.html",
                            "publish_date": "2025-01-20"},
                  narrative=narrative)
    return path


@pytest.fixture(scope="module")
def filled(spec: FormSpec, layout: Layout, tmp_path_factory: pytest.TempPathFactory) -> dict[str, FillOutcome]:
    """The three workbooks through `ogi fill --html` (DOCX and HTML written, no PDF yet)."""
    folder = tmp_path_factory.mktemp("proof")
    example = folder / "example.xlsx"
    shutil.copyfile(EXAMPLE, example)
    worst = _worst_workbook(folder, spec, layout)
    undated = folder / "undated.xlsx"
    shutil.copyfile(EXAMPLE, undated)
    fill_workbook(undated, layout, metadata={"publish_date": None})
    clean = list(iter_fill([example, worst], FillOptions(output=folder / "out", html=True)))
    forced = list(iter_fill([undated], FillOptions(output=folder / "forced", html=True, force=True)))
    out = dict(zip(("example", "worst", "undated"), clean + forced, strict=True))
    for name, o in out.items():
        assert o.status == OK and o.docx is not None and o.html is not None and o.report is not None, \
            (name, o.status, o.message, o.result)
        if name != "undated":
            assert not o.forced, (name, o.result)
    return out


@pytest.fixture(scope="module")
def batch(filled: dict[str, FillOutcome], soffice: str, pdftotext: str) -> dict[str, Rendered]:
    """`--pdf --jobs 2` over the three: two LibreOffice processes, each over a share of the batch."""
    make_pdfs(list(filled.values()), FillOptions(pdf=True, jobs=2))
    out = {}
    for name, o in filled.items():
        assert o.status == OK and o.pdf is not None and o.report is not None, (name, o.message)
        raw = subprocess.run(["pdftotext", "-raw", str(o.pdf), "-"], capture_output=True, text=True,
                             check=True, timeout=120).stdout
        out[name] = Rendered(o.report, o, reading_text(raw), bbox_words(o.pdf))
    return out


def expected_sequence(report: Report, spec: FormSpec) -> list[str]:
    """The report's running text in reading order: title, every heading and narrative paragraph,
    the 落款 (tables are checked row by row)."""
    seq = ["".join(title_lines(f"{report.agency_name}{report.year}年政府信息公开工作年度报告",
                               report.agency_name))]
    for block in outline(spec):
        if block.kind in ("heading1", "heading2"):
            seq.append(block.text)
        elif block.kind == "narrative":
            seq.extend(paragraphs(report.narrative.get(block.key)))
    seq.append(report.agency_name)
    seq.append(format_date(report.metadata.get("publish_date") or "") or "年月日")
    return seq


def assert_tables(text: str, report: Report, spec: FormSpec, what: str) -> None:
    """Every label of every table, and each data row's label followed by its values in order."""
    for table in spec.tables:
        for p in place_table(table, 0).labels:
            assert squash(p.text) in text, (what, table.key, p.text)
        for row in table.data_rows:
            values = "".join(format_value(report.values.get(f"{table.key}.{row.key}.{s.column}"))
                             for s in row.values)
            label = squash(row.cells[-1].text) if row.cells else ""
            assert label + values in text, (what, table.key, row.key, label + values)


# ------------------------------------------------------------------------------------------------
# The archive PDF


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["example", "worst", "undated"])
def test_pdf_has_every_character_in_order(batch: dict[str, Rendered], spec: FormSpec, name: str) -> None:
    r = batch[name]
    assert_in_order(r.text, expected_sequence(r.report, spec), name)
    assert_tables(r.text, r.report, spec, name)


@pytest.mark.libreoffice
def test_every_punctuation_mark_survives_every_line_position(batch: dict[str, Rendered]) -> None:
    text = batch["worst"].text
    cases = punctuation_paragraphs()
    assert len(cases) == len(MARKS) * 30
    assert_in_order(text, cases, "punctuation")
    # The bundled example's own case, from the issue: the comma at the end of a full line.
    assert "救济途径，没有结转" in batch["example"].text


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["example", "worst"])
def test_title_lines_are_ogis_and_break_only_where_allowed(batch: dict[str, Rendered], name: str) -> None:
    r = batch[name]
    agency = r.report.agency_name
    title = f"{agency}{r.report.year}年政府信息公开工作年度报告"
    big = [w for w in r.words if w.page == 0 and w.y1 - w.y0 > 25]  # 2号 (22 pt) words
    printed = ["".join(w.text for w in line) for line in lines_of(big)]
    assert printed == title_lines(title, agency), printed
    allowed = set(name_break_points(agency)) | {len(agency)}
    offset = 0
    for line in printed[:-1]:
        offset += len(line)
        assert offset in allowed, (line, offset)
    if name == "worst":
        assert len(LONG_NAME) == 40
        assert printed[:2] == ["宁夏回族自治区固原市彭阳县城乡规划建设局", "市场监督管理和政务公开信息化综合服务中心"]
        widths = [len(line) for line in printed]
        assert not any(b < a - 1 and b < c - 1 for a, b, c in zip(widths, widths[1:], widths[2:], strict=False))


def _signature_lines(r: Rendered) -> tuple[list[list[Word]], list[Word]]:
    last = max(w.page for w in r.words)
    lines = [line for line in lines_of([w for w in r.words if w.page == last])
             if not _PAGE_NUMBER.match(" ".join(w.text for w in line))]
    date = lines[-1]
    name_lines = []
    wanted = squash(r.report.agency_name)
    for line in reversed(lines[:-1]):
        name_lines.insert(0, line)
        if "".join(squash("".join(w.text for w in ln)) for ln in name_lines) == wanted:
            return name_lines, date
    raise AssertionError(f"no 落款 for {wanted} on the last page")


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["example", "worst", "undated"])
def test_signature_geometry(batch: dict[str, Rendered], name: str) -> None:
    """GB/T 9704 §7.3.5.2: the name right-indented 2 characters (more when the date is longer),
    the date starting 2 characters right of the name's first character, one blank line above."""
    r = batch[name]
    name_lines, date = _signature_lines(r)
    tolerance = CHAR_PT / 4
    name_start = name_lines[-1][0].x0
    name_end = max(line[-1].x1 for line in name_lines)
    if name == "undated":  # "　　年　月　日": the first two characters are blank, for handwriting
        assert "".join(w.text for w in date) == squash(BLANK_DATE)
        date_start = date[0].x0 - 2 * CHAR_PT
    else:
        assert "".join(w.text for w in date) == squash(format_date(r.report.metadata["publish_date"]))
        date_start = date[0].x0
    date_end = date[-1].x1
    assert abs(date_start - (name_start + 2 * CHAR_PT)) <= tolerance, (name_start, date_start)
    right = [RIGHT_EDGE - name_end, RIGHT_EDGE - date_end]
    assert min(right) >= 2 * CHAR_PT - tolerance, right  # nothing closer than 2 characters
    assert abs(min(right) - 2 * CHAR_PT) <= tolerance, right  # and the outer one exactly there
    # One blank line between the body and the 落款.
    words_above = [w for w in r.words if w.page == name_lines[0][0].page and w.y1 <= name_lines[0][0].y0]
    if words_above:
        gap = name_lines[0][0].y0 - max(w.y0 for w in words_above)
        assert 1.5 * 28.95 < gap < 2.5 * 28.95, gap


@pytest.mark.libreoffice
def test_contact_line_is_not_stretched(batch: dict[str, Rendered]) -> None:
    """The contact sentence is set flush left: its words keep their natural spacing, so the phone
    number and e-mail address read whole (as `ogi import` of the PDF needs them)."""
    r = batch["worst"]
    assert "联系电话：0954-7012345、13995412345" in r.text
    for line in lines_of(r.words):
        text = "".join(w.text for w in line)
        if "联系电话" in text or "电子邮箱" in text:
            gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(line)]
            # Justified, the line falls apart into a word per character ("联 系 电 话 ：").
            assert len(line) <= 4 and all(g < 6 for g in gaps), (text, gaps)


@pytest.mark.libreoffice
def test_table_three_labels_keep_their_characters_together(batch: dict[str, Rendered], spec: FormSpec) -> None:
    """No label of table 三 leaves a single character on a line of its own ("禁止公/开", "自然/人")."""
    r = batch["example"]
    t3_page = next(w.page for w in r.words if w.text.startswith("三、收到和处理"))
    small = [w for w in r.words if w.page == t3_page and w.y1 - w.y0 < 14]  # 小五 table text
    labels = {squash(p.text) for p in place_table(spec.table("t3"), 0).labels}
    for line in lines_of(small):
        for w in line:
            if re.fullmatch(r"[\u4e00-\u9fff]", w.text):
                assert w.text in labels, f"single character {w.text!r} on a line of table 三"


# ------------------------------------------------------------------------------------------------
# The portal page


def print_html(chromium: str, page: Path, pdf: Path, profile: Path) -> None:
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    page.as_uri()], capture_output=True, timeout=300, check=False)
    assert pdf.is_file() and pdf.stat().st_size > 0, f"chromium printed nothing for {page.name}"


@pytest.fixture(scope="module")
def html_printed(batch: dict[str, Rendered], chromium: str,
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, list[Word]]]:
    """Each page printed by Chromium: its reading text and its words."""
    folder = tmp_path_factory.mktemp("chromium")
    out = {}
    for name in ("example", "worst", "undated"):
        page = batch[name].outcome.html
        assert page is not None
        pdf = folder / f"{name}.pdf"
        print_html(chromium, page, pdf, folder / "profile")
        raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                             check=True, timeout=120).stdout
        out[name] = (squash(raw), bbox_words(pdf))
    return out


@pytest.fixture(scope="module")
def html_texts(html_printed: dict[str, tuple[str, list[Word]]]) -> dict[str, str]:
    return {name: text for name, (text, _) in html_printed.items()}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["example", "worst", "undated"])
def test_html_signature_geometry(batch: dict[str, Rendered], html_printed: dict[str, tuple[str, list[Word]]],
                                 name: str) -> None:
    """In the browser too, the date starts two characters right of the name's first character."""
    r = batch[name]
    words = html_printed[name][1]
    printed = Rendered(r.report, r.outcome, html_printed[name][0], words)
    name_lines, date = _signature_lines(printed)
    last = name_lines[-1]
    char = (last[-1].x1 - last[0].x0) / len(squash("".join(w.text for w in last)))  # all CJK
    date_start = date[0].x0 - (2 * char if name == "undated" else 0)
    assert abs(date_start - (last[0].x0 + 2 * char)) <= char / 4, (last[0].x0, date_start, char)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["example", "worst"])
def test_html_printed_by_chromium_has_every_character_in_order(
        batch: dict[str, Rendered], html_texts: dict[str, str], spec: FormSpec, name: str) -> None:
    text, report = html_texts[name], batch[name].report
    assert_in_order(text, expected_sequence(report, spec), f"{name}.html")
    assert_tables(text, report, spec, f"{name}.html")
    if name == "worst":
        assert_in_order(text, punctuation_paragraphs(), "punctuation in html")
        assert "平台建设<script>alert(1)</script>&{{agency_name}}{%ifx%}" in text


#: Metadata a published page carries (the agency's id, type and the clerk's name are not printed).
PUBLISHED_METADATA = ("address", "postcode", "phone", "email", "website", "publish_date")


@pytest.mark.parametrize("kind", ["html", "docx"])
@pytest.mark.parametrize("name", ["example", "worst", "undated"])
def test_outputs_round_trip_through_ogi_import(filled: dict[str, FillOutcome], name: str, kind: str) -> None:
    """The page (and the DOCX) read back to the same Report: a title and a 落款 name broken over
    lines, and a date left blank for handwriting, are read as what they are."""
    from ogi.importers import import_report

    r = filled[name]
    path = r.html if kind == "html" else r.docx
    assert path is not None and r.report is not None
    result = import_report(path)
    assert result.kind == kind
    if name != "undated":
        assert [f for f in result.findings if f.severity == "error"] == []
    got, want = result.report, r.report
    assert (got.agency_name, got.year) == (want.agency_name, want.year)
    for key in PUBLISHED_METADATA:
        assert format_date(got.metadata.get(key) or "") == format_date(want.metadata.get(key) or ""), key
    assert {k: v or "" for k, v in got.narrative.items()} == {k: v or "" for k, v in want.narrative.items()}
    assert got.values == want.values


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["example", "worst"])
def test_importing_ogis_own_pdf_keeps_the_contacts(batch: dict[str, Rendered], name: str) -> None:
    """`ogi import` of the archive PDF reads the agency (a title broken over lines) and every
    contact back, the phone number included (a stretched contact line lost it)."""
    from ogi.importers import import_report

    r = batch[name]
    assert r.outcome.pdf is not None
    got = import_report(r.outcome.pdf).report
    assert got.agency_name == r.report.agency_name
    for key in ("address", "postcode", "phone", "email", "website"):
        assert (got.metadata.get(key) or "") == (r.report.metadata.get(key) or ""), key
