"""Find the parts of a published report that are not tables: the six section headings, the narrative
sub-topics, the metadata (agency and year from the title, contact details from the preamble), the
信息处理费 figures of section 六, and which official format (2019 or 2021) the report follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ..document.typeset import ADMIN_UNITS
from ..form.spec import SECTION_NUMERALS, FormSpec, NarrativeField, load_spec, section_number
from .document import Line, SourceDoc, clean, close_gaps, norm, squash

NUMERALS = SECTION_NUMERALS

_SUB = re.compile(r"^\(([一二三四五六七八九十]{1,2})\)")


def section_words(spec: FormSpec) -> dict[int, tuple[str, ...]]:
    """Section number -> words one of which its heading must contain (after normalisation): the
    spec's ``[import] section_words`` and the words of the spec's own title after its numeral."""
    return {s.number: (*s.words, norm(s.title.split("、", 1)[1])) for s in spec.sections}


def _heading_number(line: Line, words: dict[int, tuple[str, ...]]) -> int:
    """The section number a line is the heading of, else 0."""
    if line.kind == "row":
        texts = [c for c in line.cells if c and c.strip()]
        if len(texts) != 1:
            return 0
        text = texts[0]
    else:
        text = line.text
    t = norm(text)
    if len(t) > 36 or "。" in t[:-1]:
        return 0
    m = re.match(f"^([{NUMERALS}])、", t)
    if not m:
        return 0
    n = NUMERALS.index(m.group(1)) + 1
    return n if any(k in t for k in words.get(n, ())) else 0


def find_headings(lines: list[Line], spec: FormSpec) -> dict[int, int]:
    """Section number -> index of its heading line, in document order (a heading that comes before
    the previous one found is ignored: table 三's own row labels start with 一、 to 四、 too). Where
    a Word document styles a section's heading as a heading, a body paragraph with the same words
    is text, not that heading (a clerk's narrative may quote "六、其他需要报告的事项")."""
    found: dict[int, int] = {}
    last_index, last_n = -1, 0
    words = section_words(spec)
    numbers = [_heading_number(line, words) for line in lines]
    styled = {n for n, line in zip(numbers, lines, strict=True) if n and line.heading}
    for i, line in enumerate(lines):
        n = numbers[i]
        if n in styled and line.heading is False:
            continue
        if n and n > last_n and i > last_index:
            found[n] = i
            last_index, last_n = i, n
    return found


def section_ranges(lines: list[Line], headings: dict[int, int]) -> dict[int, tuple[int, int]]:
    """Section number -> [start, end) line indices of its body (after the heading)."""
    order = sorted(headings.items(), key=lambda kv: kv[1])
    out: dict[int, tuple[int, int]] = {}
    for j, (n, idx) in enumerate(order):
        end = order[j + 1][1] if j + 1 < len(order) else len(lines)
        out[n] = (idx + 1, end)
    return out


# ---- metadata --------------------------------------------------------------------------------
_PERIOD = re.compile(r"(20\d{2})年1月1日(?:起)?至(?:(20\d{2})年)?12月31日")
_REPORT = r"(?:的)?政府信息公开(?:工作)?(?:年度)?(?:报告|年报)"
_TITLE_FORMS = (
    re.compile(rf"^(?:关于)?(?P<agency>.+?)(?P<year>20\d{{2}})年度?{_REPORT}$"),
    re.compile(rf"^(?P<year>20\d{{2}})年度?(?P<agency>.+?){_REPORT}$"),
    re.compile(r"^(?P<agency>.+?)政府信息公开工作(?P<year>20\d{2})年度?报告$"),
)
#: Around a title: markup and prefixes (``# ``, ``标题：``, ``【…】``), brackets, a site name after it.
_TITLE_NOISE = re.compile(r"^(?:#+|标题[:：]|题目[:：]|【[^】]{0,20}】)+")
_SITE_SUFFIX = re.compile(r"[_|｜\-—–]+[^_|｜\-—–]{0,40}$")
_OPENING = (
    re.compile(r"本(?:年度)?报告由(?P<agency>[^，,。；;（(]{2,40}?)(?:根据|依据|按照|依照|编制|组织编制|负责)"),
    re.compile(r"^(?P<agency>[^，,。；;（(《]{2,40}?)(?:根据|依据|按照|依照)《[^》]{2,40}》[^。]{0,80}?编制(?:了)?本"),
    re.compile(r"(?:现|特)(?:将|予)?(?:公布|发布)(?P<agency>[^，,。；;《》]{2,40}?)(?P<year>20\d{2})年度?"),
)


@dataclass
class Metadata:
    agency_name: str = ""
    year: str = ""
    title_where: str = ""
    fields: dict[str, str] = field(default_factory=dict)


def _clean_title(text: str) -> str:
    t = squash(text).replace("《", "").replace("》", "")
    for _ in range(3):
        t = _TITLE_NOISE.sub("", t)
    return t.strip("　:：")


def match_title(text: str) -> tuple[str, str]:
    """(agency, year) when ``text`` is a report title in one of its forms, else ("", "")."""
    t = _clean_title(text)
    for candidate in (t, _SITE_SUFFIX.sub("", t)):
        for rx in _TITLE_FORMS:
            m = rx.match(candidate)
            if m and 2 <= len(m.group("agency")) <= 60:
                return m.group("agency").strip("　 :："), m.group("year")
    return "", ""


def find_title(lines: list[Line], limit: int) -> tuple[str, str, str]:
    """(agency, year, where) from the report title among the first ``limit`` lines."""
    head = lines[:limit]
    for span in (1, 2, 3):  # a long title wraps over two or three lines (PDF)
        for i, line in enumerate(head):
            if i + span > len(head):
                break
            agency, year = match_title("".join(squash(x.text) for x in head[i:i + span]))
            if agency:
                where = line.where
                # A long name broken over lines after an administrative unit (GB/T 9704 §7.3.1,
                # as ogi places its own titles): the lines above that end with a unit belong to it.
                # Only for a title already broken (span > 1): a one-line title keeps a running
                # header above it out.
                while span > 1 and i > 0 and _title_head(head[i - 1].text) and len(agency) <= 60:
                    i -= 1
                    agency, where = squash(head[i].text) + agency, head[i].where
                return agency, year, where
    return "", "", ""


def _title_head(text: str) -> bool:
    """A line that reads as the first part of an agency name broken after an administrative unit."""

    t = squash(text)
    return 2 <= len(t) <= 24 and t.endswith(ADMIN_UNITS) and not re.search(r"[\d:：，,。；;、（）()]", t)


@dataclass
class AgencyFound:
    agency: str = ""
    year: str = ""
    source: str = ""  # title | html_title | opening | signature | filename

    @property
    def label(self) -> str:
        return {"title": "标题", "html_title": "网页标题", "opening": "正文开头", "signature": "落款",
                "filename": "文件名"}.get(self.source, "原文")


_AGENCY_END = re.compile(r"(?:人民政府|政府|办事处|委员会|局|厅|办公室|办|院|所|中心|委|部|署|处|会|站|队|公司|集团)$")


def find_agency(doc: SourceDoc, limit: int, preamble: str) -> AgencyFound:
    """Agency and year from the title in its forms, else the HTML ``<title>``, the opening sentence,
    the 落款 (the agency named above the date at the end), and the file name as a last resort."""
    agency, year, _ = find_title(doc.lines, limit)
    if agency:
        return AgencyFound(agency, year, "title")
    if doc.title:
        agency, year = match_title(doc.title)
        if agency:
            return AgencyFound(agency, year, "html_title")
    flat = squash(preamble)
    for line in flat.split("。")[:6] if flat else []:
        for rx in _OPENING:
            m = rx.search(line + "。")
            if m and not m.group("agency").startswith(("本", "我")):
                return AgencyFound(m.group("agency"), m.groupdict().get("year") or "", "opening")
    tail = [squash(line.text) for line in doc.lines[-8:] if line.text.strip()]
    for i in range(len(tail) - 1, 0, -1):
        if _DATE_LINE.match(tail[i]) and 2 <= len(tail[i - 1]) <= 40 and "。" not in tail[i - 1] \
                and _AGENCY_END.search(tail[i - 1]):
            return AgencyFound(_clean_title(tail[i - 1]), "", "signature")
    stem = re.sub(r"[（(]\d+[)）]$", "", doc.path.stem)
    agency, year = match_title(stem)
    if not agency:
        m = re.match(r"^(?P<agency>.+?)(?P<year>20\d{2})", squash(stem))
        if m and 2 <= len(m.group("agency")) <= 60 and not m.group("agency").isascii():
            agency, year = m.group("agency").strip("_-— "), m.group("year")
    return AgencyFound(agency, year, "filename") if agency else AgencyFound()


_CONTACT = {
    "address": re.compile(r"(?:联系地址|通讯地址|办公地址|地址)[:：]\s*([^，,；;。\n]{2,100})"),
    "postcode": re.compile(r"邮(?:政)?编(?:码)?[:：]?\s*(\d{6})"),
    "phone": re.compile(r"(?:联系电话|咨询电话|电话)[:：]?\s*((?:\d[\d\-—－()（）]{5,20}\d)"
                        r"(?:[、/或]\d[\d\-—－()（）]{5,20}\d)*)"),
    "email": re.compile(r"([A-Za-z0-9_.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"),
    "website": re.compile(r"(?:网址|网站地址|网站)[:：]\s*((?:https?://)?[A-Za-z0-9\-.]+\.[A-Za-z]{2,}"
                          r"[A-Za-z0-9/\-._~%?#=&]*)"),
}
_PUBLISH = re.compile(r"^(20\d{2})年(\d{1,2})月(\d{1,2})日$")


#: The contact sentence of ogi's own report (docx_templates/build_template.py, preamble()):
#: ``本报告电子版在{website}公布，…请与{agency}联系（地址：{address}，邮政编码：{postcode}；联系电话：
#: {phone}；电子邮箱：{email}）。`` Read first, with its own separators, so that a round trip is exact.
_OGI_CONTACT = {
    "website": re.compile(r"本报告电子版在(.+?)公布，可供查阅和下载。"),
    "address": re.compile(r"联系（地址：(.*?)(?:，邮政编码：|；联系电话：)"),
    "postcode": re.compile(r"，邮政编码：(.*?)；联系电话："),
    "phone": re.compile(r"；联系电话：(.*?)(?:；电子邮箱：|）。)"),
    "email": re.compile(r"；电子邮箱：(.*?)）。"),
}


def find_contacts(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        for key, rx in _OGI_CONTACT.items():
            m = rx.search(line)
            if m and m.group(1).strip() and key not in out:
                out[key] = m.group(1).strip()
    flat = clean(text)
    for key, rx in _CONTACT.items():
        m = rx.search(flat)
        if m and key not in out:
            out[key] = m.group(1).strip().rstrip("。.，,；;")
    return out


def label_value_rows(lines: list[Line]) -> Iterator[tuple[str, str]]:
    """(normalised label, value) of every table row written as label | value (an ogi workbook's
    基本信息 and 正文 sheets, a contact table)."""
    for line in lines:
        if line.kind != "row":
            continue
        cells = [c for c in line.cells if c is not None]
        if len(cells) >= 2:
            yield norm(cells[0]), cells[1] or ""


def find_labelled_fields(lines: list[Line], spec: FormSpec) -> dict[str, str]:
    """Metadata written as label | value rows (an .xlsx 基本信息 sheet, a contact table)."""
    labels = {norm(m.label): m.key for m in spec.metadata}
    out: dict[str, str] = {}
    for label, value in label_value_rows(lines):
        key = labels.get(label.replace("(必填)", ""))
        if key and key not in out and value.strip():
            out[key] = clean(value)
    return out


def find_publish_date(lines: list[Line]) -> str:
    for line in reversed(lines[-8:]):
        m = _PUBLISH.match(squash(line.text))
        if m:
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return ""


def find_period_year(text: str) -> str:
    m = _PERIOD.search(squash(text))
    return m.group(1) if m else ""


# ---- narrative -------------------------------------------------------------------------------
@dataclass
class NarrativeRead:
    text: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # field keys whose sub-heading was not found
    extra: list[tuple[str, str]] = field(default_factory=list)  # (heading, where) without a field


def paragraphs(lines: list[Line], exact: bool) -> list[tuple[str, str]]:
    """(text, where) of the running text in ``lines``; table rows are skipped. Where paragraph
    boundaries are not exact (PDF), wrapped lines are joined until an indented line starts anew."""
    out: list[tuple[str, str]] = []
    for line in lines:
        if not line.is_para and line.structured:
            continue  # a table row
        if line.is_para:
            text = line.text.strip() if exact else clean(line.text)
        else:  # a line of words ending in numbers: in running text it is text (“发布信息 120”)
            text = close_gaps(" ".join(c for c in line.cells if c))
        if not text:
            continue
        if not exact and out and not line.indent and not _SUB.match(norm(text)):
            prev, where = out[-1]
            if not _ends_heading(prev):
                out[-1] = (prev + text, where)
                continue
        out.append((text, line.where))
    return out


def _ends_heading(text: str) -> bool:
    t = norm(text)
    return bool(_SUB.match(t)) and len(t) <= 20 and not t.endswith("。")


def _split_heading(text: str) -> tuple[str, str] | None:
    """(heading, rest) when a paragraph starts with a （一）-style sub-heading."""
    t = text.lstrip()
    m = re.match(r"^[（(]\s*([一二三四五六七八九十]{1,2})\s*[）)]", t)
    if not m:
        return None
    body = t[m.end():].lstrip()
    stops = [pos for pos in (body.find(s) for s in ("。", "：", ":", "．")) if pos >= 0]
    if stops and min(stops) <= 24:
        pos = min(stops)
        return t[: m.end()] + body[: pos + 1], body[pos + 1:].strip()
    if len(body) <= 24:
        return t[: m.end()] + body, ""
    return None


def read_narrative(spec: FormSpec, sections: dict[int, list[tuple[str, str]]]) -> NarrativeRead:
    """Assign each section's paragraphs to the spec's narrative fields: a field with a sub-heading
    takes the paragraphs from its （一）-style heading to the next; a field without one takes the
    paragraphs before the first sub-heading (or, for 六, the whole section)."""
    result = NarrativeRead()
    by_section: dict[int, list[NarrativeField]] = {}
    for f in spec.narrative:
        n = section_number(f.section)
        by_section.setdefault(n, []).append(f)
    for n, fields in by_section.items():
        paras = sections.get(n)
        if paras is None:
            result.missing.extend(f.key for f in fields)
            continue
        headed = [f for f in fields if f.heading]
        plain = [f for f in fields if not f.heading]
        chunks: dict[str, list[str]] = {}
        where: dict[str, str] = {}
        current = plain[0].key if plain else (headed[0].key if headed else "")
        if headed:
            for text, w in paras:
                split = _split_heading(text)
                if split is not None:
                    heading, rest = split
                    idx = NUMERALS.index(norm(heading)[1]) if norm(heading)[1] in NUMERALS else -1
                    if 0 <= idx < len(headed):
                        current = headed[idx].key
                        where.setdefault(current, w)
                        chunks.setdefault(current, [])
                        if rest:
                            chunks[current].append(rest)
                        continue
                    result.extra.append((heading, w))
                if current:
                    chunks.setdefault(current, []).append(text)
                    where.setdefault(current, w)
        else:
            for text, w in paras:
                chunks.setdefault(current, []).append(text)
                where.setdefault(current, w)
        for f in fields:
            if f.key in chunks:
                result.text[f.key] = "\n".join(chunks[f.key])
                result.where[f.key] = where.get(f.key, "")
            elif f.heading or not paras:
                result.missing.append(f.key)
    return result


_DATE_LINE = re.compile(r"^(?:20\d{2}|二〇[〇一二三四五六七八九]{2})年\S{1,3}月\S{1,3}日$")


def strip_signature(paras: list[tuple[str, str]], agency: str) -> list[tuple[str, str]]:
    """Drop the 落款 (agency name, date, 盖章 note) at the end of the last section's text; a date
    left blank for handwriting ("　　年　月　日") is a date too."""
    out = list(paras)
    while out:
        t = squash(out[-1][0])
        if _DATE_LINE.match(t) or (agency and norm(t) == norm(agency)) or t in ("(盖章)", "（盖章）", "年月日"):
            out.pop()
            continue
        # A long name set over two or three lines (as ogi sets its own 落款).
        k = next((k for k in (2, 3) if agency and len(out) >= k
                  and norm("".join(squash(p[0]) for p in out[-k:])) == norm(agency)), 0)
        if k:
            del out[-k:]
            continue
        break
    return out


# ---- fees (section 六) ------------------------------------------------------------------------
_FEE_COUNT = re.compile(r"(?:发出|开具|出具|送达)?收费通知(?:书)?(?:共|共计|数量为?)?(\d+)(?:件|份|次)")
_FEE_AMOUNT = re.compile(r"收费通知(?:书)?(?:的)?总?金额(?:为|共计|合计)?(\d+(?:\.\d+)?)元")
_FEE_COLLECTED = re.compile(r"实际收取(?:信息处理费)?(?:金额)?(?:为|共计|合计)?(\d+(?:\.\d+)?)元")
_FEE_COLLECTED2 = re.compile(r"收取(?:了)?信息处理费(?:共计|合计|共)?(\d+(?:\.\d+)?)元")
_FEE_NONE = re.compile(r"(?:未|没有|无)(?:发生)?(?:收取|收费)(?:任何)?信息处理费|信息处理费(?:为)?0元")
_NOTICE_NONE = re.compile(r"(?:未|没有|无)(?:发出|开具|出具|送达)(?:过)?(?:任何)?收费通知")


def is_fee_paragraph(text: str) -> bool:
    t = squash(text)
    return "信息处理费" in t and len(t) <= 300


#: What ogi's own report says when all three fee figures are 0 (build_template.fee_paragraph).
OGI_NO_FEE = "本年度未收取信息处理费。"


def read_fees(paras: list[str]) -> dict[str, Decimal | int]:
    """The 信息处理费 figures a section 六 states. A figure the text does not state is absent (never
    assumed 0), except that “未收取信息处理费” states the collected amount, and “未发出收费通知” the
    notices and their amount."""
    out: dict[str, Decimal | int] = {}
    for text in paras:
        t = squash(text)
        if t == OGI_NO_FEE:
            return {"fee.notices_count": 0, "fee.notices_amount": Decimal(0),
                    "fee.collected_amount": Decimal(0)}
        if (m := _FEE_COUNT.search(t)) and "fee.notices_count" not in out:
            out["fee.notices_count"] = int(m.group(1))
        if (m := _FEE_AMOUNT.search(t)) and "fee.notices_amount" not in out:
            out["fee.notices_amount"] = Decimal(m.group(1))
        m = _FEE_COLLECTED.search(t) or _FEE_COLLECTED2.search(t)
        if m and "fee.collected_amount" not in out:
            out["fee.collected_amount"] = Decimal(m.group(1))
        if _FEE_NONE.search(t):
            out.setdefault("fee.collected_amount", Decimal(0))
        if _NOTICE_NONE.search(t):
            out.setdefault("fee.notices_count", 0)
            out.setdefault("fee.notices_amount", Decimal(0))
    return out


# ---- format detection ------------------------------------------------------------------------
def detect_format(lines: list[Line], spec: FormSpec) -> tuple[FormSpec, list[str]]:
    """The spec a published report follows: the current one or one of the older formats its
    ``[import] formats`` lists, whichever's ``format_markers`` the report prints most of (the
    current one on a tie); and the markers seen of the one chosen."""
    text = "".join(norm(line.text) for line in lines)
    older = spec.import_hints.formats if spec.import_hints else ()
    best, best_seen = spec, [m for m in spec.format_markers if norm(m) in text]
    for other in (load_spec(f) for f in older):
        seen = [m for m in other.format_markers if norm(m) in text]
        if len(seen) > len(best_seen):
            best, best_seen = other, seen
    return best, best_seen
