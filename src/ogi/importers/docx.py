"""Word documents (.docx): ogi's own reports and reports made by hand in Word or WPS.

The body is walked in order: each paragraph is a line, each table row is a row laid out on the
table's grid (``w:gridSpan`` and ``w:vMerge`` honoured: a position covered by a merge is ``None``).
Content controls (``w:sdt``) are looked into; deleted tracked changes are not text.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files.safe_io import check_zip_package
from .document import Line, SourceDoc

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}delText", f"{W}instrText"):
        if el.tag == f"{W}t":
            parts.append(el.text or "")
        elif el.tag == f"{W}tab":
            parts.append("\t")
        elif el.tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
    return "".join(parts)


def _int_attr(el: Any, default: int = 1) -> int:
    if el is None:
        return default
    try:
        return max(1, int(el.get(f"{W}val", default)))
    except ValueError:
        return default


def heading_styles(document: Any) -> frozenset[str]:
    """The ids of the paragraph styles that are headings: named "heading N" (Word's built-in name in
    every language; Chinese Word's ids are "1", "2" ...) or given an outline level, directly or
    through the styles they are based on."""
    styles = document.styles.element
    own: dict[str, bool] = {}
    based: dict[str, str] = {}
    for st in styles.iterchildren(f"{W}style"):
        if st.get(f"{W}type") != "paragraph":
            continue
        sid = st.get(f"{W}styleId") or ""
        name = st.find(f"{W}name")
        level = st.find(f"{W}pPr/{W}outlineLvl")
        own[sid] = (name is not None and (name.get(f"{W}val") or "").lower().startswith("heading")) or \
            (level is not None and _int_attr(level, 9) < 9)
        parent = st.find(f"{W}basedOn")
        if parent is not None:
            based[sid] = parent.get(f"{W}val") or ""

    def is_heading(sid: str, seen: frozenset[str] = frozenset()) -> bool:
        if own.get(sid) or sid in seen:
            return bool(own.get(sid))
        return sid in based and is_heading(based[sid], seen | {sid})

    return frozenset(sid for sid in own if is_heading(sid))


def _is_heading(p: Any, headings: frozenset[str]) -> bool:
    ppr = p.find(f"{W}pPr")
    if ppr is None:
        return False
    level = ppr.find(f"{W}outlineLvl")
    if level is not None:
        return _int_attr(level, 9) < 9
    style = ppr.find(f"{W}pStyle")
    return style is not None and (style.get(f"{W}val") or "") in headings


class _Walker:
    def __init__(self, headings: frozenset[str] = frozenset()) -> None:
        self.headings = headings
        self.lines: list[Line] = []
        self.paras = 0
        self.tables = 0

    def walk(self, parent: Any) -> None:
        for child in parent.iterchildren():
            if child.tag == f"{W}p":
                self.paras += 1
                text = paragraph_text(child)
                heading = _is_heading(child, self.headings)
                for part in text.split("\n"):
                    self.lines.append(Line((part,), f"第{self.paras}段", heading=heading))
            elif child.tag == f"{W}tbl":
                self.table(child)
            elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
                self.walk(child)

    def table(self, tbl: Any) -> None:
        self.tables += 1
        for r, tr in enumerate(tbl.iterchildren(f"{W}tr")):
            cells: list[str | None] = []
            pr = tr.find(f"{W}trPr")
            before = _int_attr(pr.find(f"{W}gridBefore"), 0) if pr is not None else 0
            cells.extend([None] * before)
            for tc in tr.iterchildren(f"{W}tc", f"{W}sdt"):
                if tc.tag == f"{W}sdt":
                    content = tc.find(f"{W}sdtContent")
                    tc = content.find(f"{W}tc") if content is not None else None
                    if tc is None:
                        continue
                tcpr = tc.find(f"{W}tcPr")
                span = _int_attr(tcpr.find(f"{W}gridSpan")) if tcpr is not None else 1
                vmerge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
                if vmerge is not None and vmerge.get(f"{W}val", "continue") != "restart":
                    cells.extend([None] * span)
                    continue
                text = " ".join(paragraph_text(p) for p in tc.iterchildren(f"{W}p"))
                cells.append(text)
                cells.extend([None] * (span - 1))
            if any(c for c in cells):
                self.lines.append(Line(tuple(cells), f"第{self.tables}个表格第{r + 1}行", "row"))


def read_docx(data: bytes, path: Path) -> SourceDoc:
    import docx

    zf = check_zip_package(data, path, kind="docx")
    if "word/document.xml" not in zf.namelist():
        raise InputError("这不是 Word 文档（缺少 word/document.xml）", path=path)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        raise InputError(f"Word 文档已损坏，无法打开（{type(exc).__name__}）", path=path) from exc
    try:
        headings = heading_styles(document)
    except (AttributeError, KeyError, ValueError):  # no or damaged styles part: no heading styles
        headings = frozenset()
    walker = _Walker(headings)
    walker.walk(document.element.body)
    return SourceDoc(path, "docx", walker.lines)
