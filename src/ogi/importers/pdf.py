"""PDF, the most common published form, through its text layer (pdfplumber / pdfminer.six).

Ruled tables (drawn with lines, as Word, WPS and LibreOffice export them) are read as tables, with
merged cells as ``None``; the rest of a page is read as lines of words grouped by height. A table
without rulings therefore arrives as lines whose columns are aligned by spaces, and a label wrapped
over two lines arrives as two lines: the table matcher joins them. Page numbers (``-3-``,
``— 3 —``, ``第3页``) are dropped, so a page break inside table 三 leaves no trace. A PDF with no text
at all is a scan: it gets a clear message instead of an empty result.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import InputError, OgiError
from ..files.bounded import LimitExceeded, check_chars, run_bounded
from ..form.findings import make
from .document import Line, SourceDoc, clean, close_gaps, is_page_number
from .text import word_line

MAX_PAGES = 300


class ScannedPdfError(InputError):
    """A PDF without a text layer."""


def _lines_of_words(words: list[dict[str, Any]], tolerance: float = 3.0) -> list[list[dict[str, Any]]]:
    lines: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= tolerance:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _inside(word: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    cx = (word["x0"] + word["x1"]) / 2
    cy = (word["top"] + word["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def read_pdf(data: bytes, path: Path) -> SourceDoc:
    """:func:`extract_pdf` in a child process bounded in time, memory and characters."""
    import pdfplumber  # noqa: F401  (loaded once here: a forked child inherits it)


    return run_bounded(extract_pdf, data, path, what="PDF", path=path)  # type: ignore[no-any-return]


def extract_pdf(data: bytes, path: Path) -> SourceDoc:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    doc = SourceDoc(path, "pdf", exact_paragraphs=False)
    quiet = [logging.getLogger(name) for name in ("pdfminer", "pdfplumber")]
    levels = [log.level for log in quiet]
    for log in quiet:  # a damaged PDF makes pdfminer log hundreds of lines a clerk cannot use
        log.setLevel(logging.CRITICAL)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        with pdf:
            _read_pages(pdf, doc, path)
    except OgiError:
        raise
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many kinds on a damaged file
        raise InputError(f"PDF 文件已损坏或不完整，无法读取（{type(exc).__name__}）", path=path) from exc
    finally:
        for log, level in zip(quiet, levels, strict=True):
            log.setLevel(level)
    return doc


def _read_pages(pdf: Any, doc: SourceDoc, path: Path) -> None:
    if len(pdf.pages) > MAX_PAGES:
        raise InputError(f"PDF 有 {len(pdf.pages)} 页，超过 {MAX_PAGES} 页上限，不像是一份年度报告",
                         path=path)
    total_chars = 0
    empty_pages: list[int] = []
    pages: list[list[Line]] = []
    for page_no, page in enumerate(pdf.pages, 1):
        _check_page_size(page, page_no, path)
        try:
            chars = page.chars
        except Exception as exc:
            raise InputError(f"PDF 第{page_no}页无法读取（{type(exc).__name__}）", path=path) from exc
        if not chars:
            empty_pages.append(page_no)
            continue
        total_chars += len(chars)
        check_chars(total_chars, "PDF", path)
        pages.append(_page_lines(page, page_no))
    doc.lines.extend(_without_running_heads(pages))
    if total_chars == 0:
        raise ScannedPdfError("扫描件无文字层：这个 PDF 只有图片，没有可读取的文字。"
                              "请找原始的 Word/WPS 文件或网页版本导入，或先做文字识别（OCR）后再导入",
                              path=path)
    if empty_pages:
        pages = "、".join(str(p) for p in empty_pages)
        doc.findings.append(make("IMPORT-PDF-NO-TEXT", pages=pages, file=str(path)))


#: Characters one page may show: a dense A4 page holds about 2,500; more is a crafted file.
MAX_PAGE_CHARS = 100_000
_STRING_OPERAND = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>")


def _check_page_size(page: Any, page_no: int, path: Path) -> None:
    """Refuse a page whose content streams show more than :data:`MAX_PAGE_CHARS` characters,
    counted from the string operands before pdfminer lays a single one out (laying out a crafted
    page of 400,000 characters takes pdfminer 20 seconds and 900 MB)."""
    from pdfminer.pdftypes import resolve1

    shown = 0
    for ref in getattr(page.page_obj, "contents", None) or []:
        stream = resolve1(ref)
        data = stream.get_data() if hasattr(stream, "get_data") else b""
        for m in _STRING_OPERAND.finditer(data):
            token = m.group()
            shown += len(token) - 2 if token[:1] == b"(" else len(token) // 2
        if shown > MAX_PAGE_CHARS * 2:  # two bytes per character in a CJK (CID) font
            raise LimitExceeded(f"PDF 第{page_no}页的文字超过每页 {MAX_PAGE_CHARS:,} 个字符的上限，"
                                "不像是一份年度报告（文件可能被恶意构造或已损坏）", path=path)


def _without_running_heads(pages: list[list[Line]]) -> list[Line]:
    """Drop a running header or footer (the same text first or last on several pages), keeping the
    document's very first line (a running header often repeats the title)."""

    edges = Counter()
    for lines in pages:
        paras = [line for line in lines if line.is_para]
        if paras:
            edges.update({paras[0].text, paras[-1].text})
    repeated = {text for text, n in edges.items() if n >= 2 and len(pages) >= 2}
    out: list[Line] = []
    for i, lines in enumerate(pages):
        paras = [line for line in lines if line.is_para]
        edge_lines = {id(paras[0]), id(paras[-1])} if paras else set()
        for line in lines:
            first_of_document = i == 0 and not out and "报告" in line.text
            if id(line) in edge_lines and line.text in repeated and not first_of_document:
                continue
            out.append(line)
    return out


def _page_lines(page: Any, page_no: int) -> list[Line]:
    items: list[tuple[float, Line]] = []
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    for t_index, table in enumerate(tables, 1):
        rows = table.extract()
        tops = [r.bbox[1] for r in table.rows] if len(table.rows) == len(rows) else \
            [table.bbox[1] + i for i in range(len(rows))]
        for r_index, (row, top) in enumerate(zip(rows, tops, strict=False), 1):
            cells = tuple(None if c is None else clean(c) for c in row)
            if any(cells):
                items.append((top, Line(cells, f"第{page_no}页表格{t_index}第{r_index}行", "row")))
    words = [w for w in page.extract_words(keep_blank_chars=False, x_tolerance=1.5, y_tolerance=3)
             if not any(_inside(w, b) for b in boxes)]
    lines = _lines_of_words(words)
    lefts = sorted(line[0]["x0"] for line in lines) if lines else [0.0]
    margin = lefts[len(lefts) // 10] if lefts else 0.0
    size = 12.0
    for line in lines:
        text = " ".join(w["text"] for w in line)
        if is_page_number(text):
            continue
        heights = [w["bottom"] - w["top"] for w in line]
        size = max(heights) if heights else size
        indent = line[0]["x0"] > margin + size * 1.2
        where = f"第{page_no}页"
        made = word_line(text, where, indent=indent)
        if not made.is_para and len(made.cells) == len(line):
            made = replace(made, positions=tuple((w["x0"] + w["x1"]) / 2 for w in line))
        if made.is_para:  # 2023 年 -> 2023年: the gap is typesetting, not text
            made = Line((close_gaps(text),), where, "para", structured=False, indent=indent)
        items.append((line[0]["top"], made))
    items.sort(key=lambda it: it[0])
    return [line for _, line in items]
