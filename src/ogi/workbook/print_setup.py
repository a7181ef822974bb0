"""A4 print setup for every worksheet ogi writes for people to read or print.

One call, :func:`setup_print`, at the end of building a sheet (after its cells, merges, column
widths and row heights are written) gives it:

* a print area (the used range), A4 paper, portrait or landscape (landscape when the sheet is
  wider than a portrait page), and a footer with the sheet's title and 第 N 页 / 共 M 页;
* row heights that show every wrapped text whole (rows only grow, never shrink);
* scaling: the whole width on one page ("fit to width") when the result stays at 70 % or more;
  otherwise the sheet prints at :data:`ACROSS_SCALE` on pages across, left to right first, with
  the label columns repeated on every page;
* repeated title rows, and page breaks placed so that a block (a table with its caption and
  header, a label with its value) is never split unless it is longer than a page, in which case
  its header rows repeat.

Sizes are estimated as Excel lays the sheet out (Calibri, 7-pixel digits). LibreOffice without
Calibri (DejaVu Sans) makes every column about 4/3 wider: "fit to width" then scales further (so
the page breaks planned here still hold), wrapped text gets more room per line, and the pages
across are planned in those wider columns. Known limit: Excel ignores manual page breaks under
"fit to width", so there a block of a fitted sheet (全县汇总表) may still meet one of Excel's own
breaks; list sheets are not affected (rows never split, title rows repeat).

Every new workbook for people (the feedback 退改单 and its index, issue 15) should end each
sheet with one :func:`setup_print` call.

The sheet's cells are read back from xlsxwriter's worksheet (``table``, ``merge``, ``str_table``,
``_size_col``/``_size_row``, which return pixels in xlsxwriter 3.x); a streamed
(``constant_memory``) sheet has already flushed its rows, so pass ``autofit=False`` and give its
extent. Used by :mod:`ogi.workbook.xlsx_writer`, :mod:`ogi.county.status` and :mod:`ogi.county.summary`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

#: A4 in points (portrait width, height).
A4 = (595.3, 841.9)
#: Margins in inches: left/right, top, bottom (room for the footer), footer distance.
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM, MARGIN_FOOTER = 0.4, 0.4, 0.6, 0.25
#: Fit the width on one page only while the print stays at least this large (percent).
MIN_SCALE = 70
#: Scale of a sheet too wide for that: it prints on pages across at this size.
ACROSS_SCALE = 70
#: Default xlsxwriter row height in points.
DEFAULT_ROW = 15.0
#: Line height per point of font size (Noto CJK in LibreOffice: 1.45; SimSun in Excel: 1.3).
LINE_FACTOR = 1.47
#: Width of a non-CJK character per point of font size (DejaVu Sans is the widest seen).
LATIN_FACTOR = 0.62
#: Share of the printable height the page breaks fill: LibreOffice rows come out a little taller.
HEIGHT_SLACK = 0.95


def is_wide(ch: str) -> bool:
    """A character that takes two columns (CJK, full-width punctuation)."""
    return unicodedata.east_asian_width(ch) in "WF"


def display_width(text: str) -> int:
    """Width of ``text`` in terminal columns or half-width characters (CJK counts 2)."""
    return sum(2 if is_wide(ch) else 1 for ch in text)


def shorten(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` display columns, ending in "…" when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = 2 if is_wide(ch) else 1
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


#: Characters printed a full em wide: CJK, Hangul, full-width forms (as ``is_wide``, in one
#: regular expression so that measuring a long text stays fast).
_WIDE = re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
                   "\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
                   "\uffe0-\uffe6\U00020000-\U0003fffd]")


def text_points(text: str, size: float) -> float:
    """Printed width of one line of ``text`` in points at font ``size``."""
    wide = len(_WIDE.findall(text))
    return size * (wide + (len(text) - wide) * LATIN_FACTOR)


def wrapped_lines(text: str, column_px: float, size: float) -> int:
    """Lines a wrapped ``text`` takes in a column ``column_px`` pixels wide (Excel's pixels, the
    narrower rendering), one line at least per paragraph."""
    usable = max(column_px * 0.75 - 6, size)
    if len(text) * size <= usable and "\n" not in text:  # no character is wider than its size
        return 1
    return sum(max(1, math.ceil(text_points(part, size) / usable)) for part in text.split("\n"))


def row_points(lines: int, size: float) -> float:
    """A row height in points that shows ``lines`` lines at font ``size``."""
    return math.ceil(lines * size * LINE_FACTOR + 4)


def text_lines(text: str, width_chars: float, size: float = 11) -> int:
    """:func:`wrapped_lines` for a column given in Excel's width units (characters)."""
    return wrapped_lines(text, width_chars * 7 + 5, size)


@dataclass
class PrintPlan:
    """What :func:`setup_print` decided (for tests and for a person reading the code)."""

    landscape: bool
    scale: int
    fit_width: bool  # False: pages across with repeated label columns
    print_area: tuple[int, int, int, int]
    row_breaks: list[int] = field(default_factory=list)
    column_breaks: list[int] = field(default_factory=list)
    pages_tall: int = 1

    @property
    def pages_across(self) -> int:
        return len(self.column_breaks) + 1

    @property
    def pages(self) -> int:
        return self.pages_tall * self.pages_across


#: Most display columns of the footer's title (the rest of a portrait page's width is the page
#: number): a longer title is shortened with "…" before its last "·" part (the sheet's name).
FOOTER_WIDTH = 64


def footer_title(title: str) -> str:
    """The title as the footer prints it (see :data:`FOOTER_WIDTH`)."""
    if display_width(title) <= FOOTER_WIDTH:
        return title
    head, dot, tail = title.rpartition("·")
    if not dot:
        return shorten(title, FOOTER_WIDTH)
    return shorten(head, FOOTER_WIDTH - display_width(tail) - 2) + dot + tail


def footer(title: str) -> str:
    """Footer text: the sheet's title at the left, 第 N 页 / 共 M 页 at the right."""
    safe = footer_title(title).replace("&", "&&")
    # No "&9"-style font size code: it would swallow a title's leading digits (the year).
    return f"&L{safe}&R第 &P 页 / 共 &N 页"


def setup_print(ws: Any, title: str, *, header_rows: tuple[int, int] | None = None,
                label_columns: int = 0, keep_together: Iterable[tuple[int, int]] = (),
                landscape: bool | None = None, one_page: bool = False, autofit: bool = True,
                last_row: int | None = None, last_col: int | None = None) -> PrintPlan:
    """Set up ``ws`` (an xlsxwriter worksheet, fully written) for printing on A4 (see the module
    doc). ``header_rows`` (first, last) repeat on every page; ``label_columns`` repeat on every
    page across; ``keep_together`` lists (first, last) row blocks kept on one page; ``landscape``
    forces the orientation (None: chosen by width); ``one_page`` fits the whole print area on one
    page when that keeps the scale at or above :data:`MIN_SCALE`."""
    if autofit or last_row is None or last_col is None:
        used_row, used_col = _scan(ws, autofit)
        last_row = used_row if last_row is None else last_row
        last_col = used_col if last_col is None else last_col

    px = [float(ws._size_col(c)) for c in range(last_col + 1)]
    heights = [float(ws._size_row(r)) * 0.75 for r in range(last_row + 1)]
    content_w = sum(px) * 0.75  # Excel's width; LibreOffice without Calibri: sum(px) points
    if landscape is None:
        landscape = content_w > A4[0] - 2 * 72 * MARGIN_SIDE
    page_w = (A4[1] if landscape else A4[0]) - 2 * 72 * MARGIN_SIDE
    page_h = ((A4[0] if landscape else A4[1]) - 72 * (MARGIN_TOP + MARGIN_BOTTOM)) * HEIGHT_SLACK

    scale = min(100, math.floor(100 * page_w / content_w)) if content_w else 100
    fit_width = scale >= MIN_SCALE
    tall = sum(heights)
    # One page: the application scales to fit it exactly, no slack needed.
    one_page = one_page and fit_width and tall > 0 and 100 * page_h / HEIGHT_SLACK / tall >= MIN_SCALE
    column_breaks: list[int] = []
    if not fit_width:
        # Pages across at a fixed scale; measured in LibreOffice's wider columns so that no
        # column spills onto a page of its own there (Excel's pages are then a little emptier).
        scale = ACROSS_SCALE
        room = page_w * 100 / scale - sum(px[:label_columns])
        used = 0.0
        for c in range(label_columns, last_col + 1):
            if used and used + px[c] > room:
                column_breaks.append(c)
                used = 0.0
            used += px[c]
    # Rows never split and the header rows repeat: only blocks need breaks of their own (the
    # application's automatic breaks fill each page, with its own fonts, as far as it can).
    keep_together = list(keep_together)
    row_breaks = [] if one_page or not keep_together else \
        _row_breaks(heights, page_h * 100 / scale, header_rows, keep_together)

    ws.set_paper(9)
    ws.set_landscape() if landscape else ws.set_portrait()
    ws.set_margins(left=MARGIN_SIDE, right=MARGIN_SIDE, top=MARGIN_TOP, bottom=MARGIN_BOTTOM)
    ws.set_footer(footer(title), margin=MARGIN_FOOTER)
    ws.print_area(0, 0, last_row, last_col)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)
    if fit_width:
        # The application computes the scale from its own fonts (LibreOffice honours the page
        # breaks below with it; Excel places its own under "fit to", repeating the header rows).
        ws.fit_to_pages(1, 1 if one_page else 0)
        ws.center_horizontally()
    else:
        ws.set_print_scale(scale)
        if label_columns:
            ws.repeat_columns(0, label_columns - 1)
        ws.print_across()
        ws.set_v_pagebreaks(column_breaks)
    if row_breaks:
        ws.set_h_pagebreaks(row_breaks)
    return PrintPlan(landscape, scale, fit_width, (0, 0, last_row, last_col), row_breaks,
                     column_breaks, len(row_breaks) + 1)


def _row_breaks(heights: Sequence[float], page_h: float, header_rows: tuple[int, int] | None,
                keep_together: Iterable[tuple[int, int]]) -> list[int]:
    """First rows of the pages after the first: whole blocks per page where they fit."""
    n = len(heights)
    block_end = list(range(n))
    for first, last in keep_together:
        for r in range(max(first, 0), min(last, n - 1) + 1):
            block_end[r] = max(block_end[r], min(last, n - 1))
    repeat_h = sum(heights[header_rows[0]:header_rows[1] + 1]) if header_rows else 0.0
    header_end = header_rows[1] if header_rows else -1
    breaks: list[int] = []
    used = 0.0
    r = 0
    while r < n:
        end, k = block_end[r], r
        while k <= end:  # overlapping blocks chain into one
            end = max(end, block_end[k])
            k += 1
        block_h = sum(heights[r:end + 1])
        fresh = page_h - (repeat_h if r > header_end else 0.0)
        if used and used + block_h > page_h:
            breaks.append(r)
            used = page_h - fresh
        if used + block_h > page_h:  # longer than a page: place it row by row
            for k in range(r, end + 1):
                if used and used + heights[k] > page_h:
                    breaks.append(k)
                    used = page_h - fresh
                used += heights[k]
        else:
            used += block_h
        r = end + 1
    return breaks


def _cells(ws: Any) -> Iterator[tuple[int, int, int, str, Any]]:
    """(row, first col, last col, text, format) of every written cell, merged ranges as one cell
    (cells in a merge spanning several rows are left out: they do not set a row's height)."""
    strings: list[str] = [""] * (ws.str_table.unique_count if ws.str_table else 0)
    for text, i in (ws.str_table.string_table.items() if ws.str_table else ()):
        strings[i] = text
    spans: dict[tuple[int, int], int] = {}
    inside: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in getattr(ws, "merge", []):
        if r1 > r0:
            inside.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
        else:
            spans[(r0, c0)] = c1
            inside.update((r0, c) for c in range(c0 + 1, c1 + 1))
    for r, row in ws.table.items():
        for c, cell in row.items():
            if (r, c) in inside:
                continue
            kind = type(cell).__name__
            if kind == "String":
                text = strings[cell.string] if isinstance(cell.string, int) else cell.string
            elif kind in ("Number", "Formula"):
                value = cell.number if kind == "Number" else cell.value
                text = "" if value is None else str(value)
            elif kind == "Datetime":
                text = "0000-00-00 00:00"
            else:
                text = ""
            yield r, c, spans.get((r, c), c), text, cell.format


def _scan(ws: Any, autofit: bool) -> tuple[int, int]:
    """The last row and column written (merges included); with ``autofit``, every row made tall
    enough for its wrapped texts on the way (rows only grow)."""
    last_row = last_col = 0
    for _r0, _c0, r1, c1 in getattr(ws, "merge", []):
        last_row, last_col = max(last_row, r1), max(last_col, c1)
    need: dict[int, float] = {}
    widths: dict[tuple[int, int], float] = {}
    for r, c0, c1, text, fmt in _cells(ws):
        last_row, last_col = max(last_row, r), max(last_col, c1)
        if not autofit or not text or fmt is None or not getattr(fmt, "text_wrap", 0):
            continue
        size = float(getattr(fmt, "font_size", 11) or 11)
        px = widths.get((c0, c1))
        if px is None:
            px = widths[(c0, c1)] = sum(ws._size_col(c) for c in range(c0, c1 + 1))
        if not px:  # a hidden column (the 校验 sheet's rule ids): never printed, no height needed
            continue
        lines = wrapped_lines(text, px, size)
        if lines > 1:  # one line fits the default height
            need[r] = max(need.get(r, 0.0), row_points(lines, size))
    for r, points in need.items():
        if points > ws._size_row(r) * 0.75 + 0.5:
            ws.set_row(r, points)
    return last_row, last_col
