"""Plain text: a report copied from a web page, tables flattened into TAB-separated lines.

The encoding is detected (UTF-8 with or without BOM, else GB18030, the superset of GBK and GB2312
that Chinese Windows saves). A line with TABs is a table row whose fields keep their positions; a
line whose columns are aligned by spaces (text copied from a PDF) is a row of words.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..form.findings import make
from ..form.report import Finding
from .document import Line, SourceDoc, close_gaps, is_page_number, pipe_cells, strip_markup
from .tables import is_number_token

_SPLIT = re.compile(r"[ \u00a0\u3000]+")


def decode_text(data: bytes, path: Path) -> tuple[str, list[Finding]]:
    if b"\x00" in data[:4096]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), []
        raise InputError("这不是文本文件（含有二进制内容），ogi 无法作为年度报告读取", path=path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            continue
    text = data.decode("utf-8", errors="replace")
    return text, [make("IMPORT-ENCODING", file=str(path))]


def word_line(text: str, where: str, *, indent: bool = False) -> Line:
    """A line of words: a row when it ends in free-standing numbers (a table row whose columns are
    aligned by spaces), else a paragraph."""
    tokens = [t for t in _SPLIT.split(text.strip()) if t]
    trailing = 0
    for tok in reversed(tokens):
        if not is_number_token(tok):
            break
        trailing += 1
    if tokens and trailing and (trailing >= 2 or len(text.strip()) <= 40) and "。" not in text:
        return Line(tuple(tokens), where, "row", structured=False, indent=indent)
    return Line((text,), where, "para", structured=False, indent=indent)


_ENDS = ("。", "！", "？", "；", "：", "”", "」", ")", "）", ".", "!", "?", ";", ":")


def hard_wrapped(lines: list[str]) -> bool:
    """Whether running text was broken into lines at a fixed width (text saved from a PDF) rather
    than one line per paragraph (text copied from a web page or Word)."""
    long = [s.strip() for s in lines if len(s.strip()) >= 20]
    if len(long) < 5:
        return False
    open_ended = sum(1 for s in long if not s.endswith(_ENDS))
    return open_ended / len(long) >= 0.5


def _page_ends(raw_lines: list[str], number: int) -> bool:
    """Whether line ``number`` (1-based) is the last text before a form feed or the end of the file."""
    for nxt in raw_lines[number:]:
        if nxt.strip():
            return nxt.startswith("\f")
    return True


def read_text(data: bytes, path: Path) -> SourceDoc:
    text, findings = decode_text(data, path)
    raw_lines = text.splitlines()
    wrapped = hard_wrapped([s for s in raw_lines if "\t" not in s])
    doc = SourceDoc(path, "text", findings=findings, exact_paragraphs=not wrapped)
    indents = [len(s) - len(s.lstrip(" \u3000")) for s in raw_lines if s.strip() and "\t" not in s]
    margin = min(indents) if indents else 0
    for i, raw in enumerate(raw_lines, 1):
        where = f"第{i}行"
        pipe = pipe_cells(raw)
        if pipe is not None:  # a markdown table row (its |---| rule line holds nothing)
            if any(pipe):
                doc.lines.append(Line(pipe, where, "row"))
        elif "\t" in raw:
            doc.lines.append(Line(tuple(raw.split("\t")), where, "row"))
        elif raw.strip():
            raw = strip_markup(raw)
            # A line without TABs may be part of a label wrapped in a table copied from a PDF:
            # unstructured, so that the table matcher can join it to the row it belongs to.
            if wrapped and is_page_number(raw) and (not raw.strip().isdigit() or _page_ends(raw_lines, i)):
                continue  # a bare number is a page number only at a page end (else a table cell)
            indent = wrapped and len(raw) - len(raw.lstrip(" \u3000")) > margin
            line = word_line(raw, where, indent=indent)
            if wrapped and line.is_para:
                line = Line((close_gaps(raw.strip()),), where, "para", structured=False, indent=indent)
            doc.lines.append(line)
    return doc
