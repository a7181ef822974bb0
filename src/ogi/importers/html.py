"""HTML pages as government websites publish them, read with BeautifulSoup (lxml parser).

Data tables are laid out on their real grid (rowspan and colspan honoured, a covered position is
``None``), so a blank cell (``&nbsp;``) stays a blank in its own column. Tables that contain other
tables are page layout, not data: their cells are read as running text. Inline markup (``<font>``,
``<span>``, ``<b>``) is ignored, ``<br>`` and block elements end a paragraph.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files.bounded import check_chars, run_bounded
from .document import Line, SourceDoc, clean

BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
          "center", "blockquote", "dd", "dt", "dl", "header", "footer", "main", "form", "pre",
          "td", "th", "tr", "tbody", "thead", "tfoot", "body", "html", "hr"}
SKIP = {"script", "style", "noscript", "head", "title", "meta", "link", "iframe", "object", "svg",
        "button", "select", "option", "textarea", "input"}
#: Page furniture around the article (footers, navigation, share buttons): not part of the report.
_CHROME = re.compile(r"(?:^|[-_\s])(?:foot(?:er)?|nav(?:bar)?|menu|breadcrumbs?|crumbs?|copyright|share|"
                     r"sidebar|banner|bottom)(?:[-_\s]|$)", re.I)
CHROME_TAGS = {"footer", "nav", "aside"}
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


def decode_html(data: bytes) -> str:
    m = _CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii").lower() if m else ""
    if declared in ("gb2312", "gbk", "gb18030", "x-gbk"):
        return data.decode("gb18030", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode(declared or "utf-8")
    except (LookupError, UnicodeDecodeError):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("gb18030", errors="replace")


def _cell_text(cell: Any) -> str:
    for br in cell.find_all("br"):
        br.replace_with(" ")
    return clean(cell.get_text(" "))


#: Elements nested deeper than this are not a report's page (a real one nests 20 to 40 levels).
MAX_DEPTH = 200


class _Walker:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[Line] = []
        self.buffer: list[str] = []
        self.tables = 0
        self.paras = 0
        self.chars = 0

    def flush(self) -> None:
        text = clean("".join(self.buffer))
        self.buffer = []
        self.chars += len(text)
        check_chars(self.chars, "网页", self.path)
        if text:
            self.paras += 1
            self.lines.append(Line((text,), f"第{self.paras}段"))

    def walk(self, element: Any, depth: int = 0) -> None:
        from bs4 import Comment, NavigableString, Tag

        if depth > MAX_DEPTH:
            raise InputError(f"网页元素嵌套超过 {MAX_DEPTH} 层的上限，不像是一份年度报告"
                             "（文件可能被恶意构造或已损坏）", path=self.path)
        for child in element.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = (child.name or "").lower()
            if name in SKIP or name in CHROME_TAGS or _is_chrome(child):
                continue
            if name == "br":
                self.flush()
            elif name == "table":
                self.flush()
                if child.find("table") is not None:
                    self.walk(child, depth + 1)  # a layout table
                else:
                    self.table(child)
                self.flush()
            elif name in BLOCKS:
                self.flush()
                self.walk(child, depth + 1)
                self.flush()
            else:
                self.walk(child, depth + 1)

    def table(self, table: Any) -> None:
        self.tables += 1
        occupied: set[tuple[int, int]] = set()
        rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
        for r, tr in enumerate(rows):
            placed: dict[int, str | None] = {}
            c = 0
            for td in tr.find_all(["td", "th"], recursive=False):
                while (r, c) in occupied:
                    c += 1
                rs = _span(td.get("rowspan"))
                cs = _span(td.get("colspan"))
                for dr in range(rs):
                    for dc in range(cs):
                        occupied.add((r + dr, c + dc))
                placed[c] = _cell_text(td)
                for dc in range(1, cs):
                    placed[c + dc] = None
                c += cs
            width = max([col + 1 for (row, col) in occupied if row == r] or [0])
            cells = tuple(placed.get(col) if col in placed else None for col in range(width))
            if any(cell for cell in cells):
                self.lines.append(Line(cells, f"第{self.tables}个表格第{r + 1}行", "row"))


def _is_chrome(tag: Any) -> bool:
    attrs = getattr(tag, "attrs", None) or {}
    names = " ".join([*(attrs.get("class") or []), str(attrs.get("id") or "")])
    return bool(names.strip()) and bool(_CHROME.search(names))


def _span(value: Any) -> int:
    try:
        return max(1, min(int(str(value).strip() or 1), 100))
    except (TypeError, ValueError):
        return 1


def read_html(data: bytes, path: Path) -> SourceDoc:
    return read_html_text(decode_html(data), path)


def read_mht(data: bytes, path: Path) -> SourceDoc:
    """A web page saved as a single file (.mht/.mhtml, “网页，单个文件”): its HTML part."""

    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = (part.get_content_charset() or "").lower()
            if charset in ("gb2312", "gbk", "gb18030", "x-gbk"):
                return read_html_text(payload.decode("gb18030", errors="replace"), path)
            if charset:
                try:
                    return read_html_text(payload.decode(charset, errors="replace"), path)
                except LookupError:
                    pass
            return read_html(payload, path)
    raise InputError("这个网页存档（.mht）中没有网页内容", path=path)


def read_html_text(text: str, path: Path) -> SourceDoc:
    """:func:`extract_html_text` in a child process bounded in time, memory and characters."""
    import bs4  # noqa: F401  (loaded once here: a forked child inherits it)


    return run_bounded(extract_html_text, text, path, what="网页", path=path)  # type: ignore[no-any-return]


def extract_html_text(text: str, path: Path) -> SourceDoc:
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception:  # lxml missing or refusing: fall back to the standard library parser
        soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    walker = _Walker(path)
    walker.walk(soup.body or soup)
    walker.flush()
    return SourceDoc(path, "html", walker.lines, title=title)
