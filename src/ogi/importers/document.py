"""What every reader turns a published report into: a flat sequence of lines in reading order.

A :class:`Line` is either a paragraph (one piece of running text) or a table row (its cells left to
right). Readers keep the structure they can see: an HTML or Word table row lists one entry per grid
column, with ``None`` where a rowspan/colspan from another cell covers the column and ``""`` for an
empty cell; a TAB-separated text line lists its fields; a PDF line without table rulings lists its
words, and there an empty cell is simply invisible (``structured=False``). Everything downstream
(sections, tables, metadata) works on this one shape, whatever the input kind was.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..form.report import Finding, fold


@dataclass(frozen=True)
class Line:
    cells: tuple[str | None, ...]
    where: str  # 第12行 / 第3页 / 第2个表格第5行: where a person finds it in the source
    kind: str = "para"  # para | row
    structured: bool = True  # False: PDF words (blank cells invisible, labels may wrap)
    indent: bool = False  # PDF: the line starts indented, i.e. a new paragraph
    block: str = ""  # the sheet an .xlsx line comes from
    #: Numbers gathered from lines of their own (one cell per line, numbers below a wrapped label):
    #: which row they belong to is inferred, so the import confirms it by the table's arithmetic.
    detached: bool = False
    #: PDF words: the horizontal centre of each cell on the page, which tells the column a number
    #: sits under where an empty cell leaves no trace.
    positions: tuple[float, ...] = ()
    #: Word: True for a paragraph styled as a heading (标题 1, Heading 2, an outline level), False
    #: for a body paragraph; None where the format does not say (text, HTML, PDF, cells).
    heading: bool | None = None

    @property
    def text(self) -> str:
        return "".join(c for c in self.cells if c)

    @property
    def is_para(self) -> bool:
        return self.kind == "para"


@dataclass
class SourceDoc:
    path: Path
    kind: str  # text | html | docx | pdf | xlsx
    lines: list[Line] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    #: True where paragraph boundaries are real (text, HTML, DOCX); a PDF guesses them from indents.
    exact_paragraphs: bool = True
    #: The document's own title where the format has one apart from its text (HTML ``<title>``).
    title: str = ""

    @property
    def label(self) -> str:
        return {"text": "文本", "html": "网页", "docx": "Word 文档", "pdf": "PDF", "xlsx": "工作簿"}.get(
            self.kind, "文件")


_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")
_NUM_ITEM = re.compile(r"^(\d{1,2})[、,]")
_HEAD_ITEM = re.compile(r"^([一二三四五六七八九十]{1,2})[.,]")


def clean(text: str) -> str:
    """Collapse runs of whitespace (incl. &nbsp; and ideographic space) to one space, strip."""
    return _SPACE.sub(" ", text or "").strip()


def norm(text: str) -> str:
    """The form two labels are compared in: NFKC (full-width digits and brackets become ASCII),
    no whitespace, no quotes, ``1、`` and ``1.`` alike, ``一.`` and ``一、`` alike."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _SPACE.sub("", t).translate(_QUOTES)
    t = t.replace("—", "-").replace("－", "-")
    t = _NUM_ITEM.sub(r"\1.", t)
    t = _HEAD_ITEM.sub(r"\1、", t)
    return t


#: Text without any whitespace (for searching sentences whose lines were wrapped): the one fold.
squash = fold


_PAGE_NUMBER = re.compile(r"^(?:[-—–－\s]*\d{1,3}[-—–－\s]*|第\s*\d{1,3}\s*页(?:\s*[/，,]?\s*共\s*\d{1,3}\s*页)?"
                          r"|\d{1,3}\s*/\s*\d{1,3})$")
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \u00a0]+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z.%])[ \u00a0]+(?=[{_CJK}])")


_MARKUP = re.compile(r"^\s*(?:#{1,6}\s*|>\s*|[-*+]\s+(?=\S))")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_LABEL_PREFIX = re.compile(r"^(?:标题|题目|主题|文章标题|Title)\s*[:：]\s*", re.IGNORECASE)


def strip_markup(text: str) -> str:
    """A line without the markup it was kept in: ``### 一、…`` (markdown heading), ``> ``, ``**…**``,
    and a ``标题：`` prefix (a CMS export)."""
    t = _MARKUP.sub("", text)
    t = _EMPHASIS.sub(r"\2", t)
    return _LABEL_PREFIX.sub("", t)


_PIPE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*(?::?-{2,}:?\s*)?\|?\s*$")


def pipe_cells(text: str) -> tuple[str, ...] | None:
    """The cells of a markdown pipe-table line (``| 规章 | 0 | 1 | 2 |``), ``()`` for its rule line
    (``|---|---|``), None when the line is not one."""
    s = text.strip()
    if not s.startswith("|") or s.count("|") < 2:
        return None
    if _PIPE_RULE.match(s):
        return ()
    s = s[1:-1] if s.endswith("|") else s[1:]
    return tuple(c.strip() for c in s.split("|"))


def is_page_number(text: str) -> bool:
    """``-3-``, ``— 3 —``, ``第3页``, ``3/12``: a page number line of a PDF (or text saved from one)."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def close_gaps(text: str) -> str:
    """``2023 年`` -> ``2023年``: the gap a typesetter puts between Chinese and digits is not text."""
    return _CJK_GAP.sub("", text)
