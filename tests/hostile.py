"""The hostile-input corpus: everything a mail client, WPS, a clerk or an attacker does to a file.

Every case is built at test time from the bytes of ONE generated, validly filled workbook (no
committed binaries): zip-level damage with :mod:`zipfile`, XML-level damage by rewriting a part,
clerk-level damage with openpyxl. A :class:`Case` says which ``ogi`` command it goes through, which
exit codes the documentation allows, which words the Chinese message must contain, and any extra
assertion on the outputs. ``tests/test_hostile_corpus.py`` runs them all through the real CLI.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ogi.form.layout import SHEET_HIDDEN, hidden_address, layout_for
from ogi.form.report import Report
from ogi.workbook.xlsx_writer import EXCEL_CELL_LIMIT, Agency, WorkbookBuilder, WorkbookOptions

AGENCY = Agency("彭阳县测试镇人民政府", "640425999", "乡镇街道")
YEAR = 2023

#: Text that xlsxwriter's ``write()`` (or a careless writer) would turn into a live formula.
INJECTIONS = ('=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(1)")
#: Fragments none of ogi's own formulas contain: finding one in an ``<f>`` means injected.
INJECTION_MARKERS = ("HYPERLINK", "cmd|", "1+1", "SUM(1)", "calc")
MARKUP = "甲 & 乙 < 丙 > 丁 {{ agency_name }} {% if true %}戊{% endif %} \"引号\" 'x'"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NARRATIVE = "本年度依照条例做好政府信息公开工作，各项任务按时完成。\n第二段：平台运行平稳，制度持续完善。"


# ---------------------------------------------------------------------------------------------
# the one valid workbook everything starts from
# ---------------------------------------------------------------------------------------------

def balanced(seed: int = 7) -> dict[str, Any]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from conftest import balanced_values

    spec = layout_for().spec
    return balanced_values(spec, seed)


def valid_report(agency: Agency = AGENCY, *, narrative: dict[str, str] | None = None,
                 metadata: dict[str, str] | None = None, seed: int = 7) -> Report:
    spec = layout_for().spec
    values = balanced(seed)
    meta = {"address": "宁夏回族自治区固原市彭阳县测试镇", "postcode": "756500",
            "phone": "0954-7011234", "email": "gk@example.gov.cn",
            "website": "http://www.pengyang.gov.cn", "publish_date": "2024-01-20", "preparer": "李四"}
    meta.update(metadata or {})
    text = {n.key: f"{n.label}：{NARRATIVE}" for n in spec.narrative}
    text.update(narrative or {})
    return Report(spec.id, spec.version, metadata=meta,
                  values={k: values[k] for k in spec.input_keys}, narrative=text)


def build(agency: Agency = AGENCY, report: Report | None = None) -> bytes:
    report = report if report is not None else valid_report(agency)
    return WorkbookBuilder(layout_for()).build(agency, WorkbookOptions(year=YEAR, prefill=report))


@functools.lru_cache(maxsize=1)
def base_workbook() -> bytes:
    """A complete, valid, filled workbook (all rules hold, contact fields and narrative present)."""
    return build()


# ---------------------------------------------------------------------------------------------
# byte-level tools
# ---------------------------------------------------------------------------------------------

def rezip(data: bytes, *, replace: dict[str, bytes] | None = None,
          add: dict[str, bytes] | None = None, drop: Iterable[str] = ()) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    dropped = set(drop)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in dropped:
                continue
            body = (replace or {}).get(info.filename, src.read(info.filename))
            dst.writestr(info, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip member holding ``sheet``'s XML."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    book = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    m = re.search(r'<sheet [^>]*name="' + re.escape(sheet) + r'"[^>]*r:id="(rId\d+)"', book)
    assert m, f"no sheet {sheet}"
    rid = m.group(1)
    target = re.search(r'Id="' + rid + r'"[^>]*Target="([^"]+)"', rels) or \
        re.search(r'Target="([^"]+)"[^>]*Id="' + rid + '"', rels)
    assert target
    path = target.group(1).lstrip("/")
    return path if path.startswith("xl/") else f"xl/{path}"


def with_doctype(xml: bytes, doctype: str) -> bytes:
    """Insert a DOCTYPE after the XML declaration."""
    text = xml.decode("utf-8")
    if text.startswith("<?xml"):
        end = text.index("?>") + 2
        return (text[:end] + "\n" + doctype + text[end:]).encode("utf-8")
    return (doctype + text).encode("utf-8")


BILLION_LAUGHS = """<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def xml_bomb_shared_strings(data: bytes) -> bytes:
    zf = zipfile.ZipFile(io.BytesIO(data))
    xml = zf.read("xl/sharedStrings.xml")
    xml = with_doctype(xml, BILLION_LAUGHS)
    xml = xml.replace(b"<t>", b"<t>&lol9;", 1)
    return rezip(data, replace={"xl/sharedStrings.xml": xml})


def xml_bomb_sheet(data: bytes, sheet: str) -> bytes:
    part = sheet_part(data, sheet)
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    xml = with_doctype(xml, BILLION_LAUGHS)
    xml = re.sub(rb"(<c r=\"A1\"[^>]*?)(/>|>.*?</c>)",
                 rb'\1 t="inlineStr"><is><t>&lol9;</t></is></c>', xml, count=1, flags=re.S)
    return rezip(data, replace={part: xml})


def external_entity(data: bytes) -> bytes:
    zf = zipfile.ZipFile(io.BytesIO(data))
    xml = zf.read("xl/sharedStrings.xml")
    xml = with_doctype(xml, '<!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    xml = xml.replace(b"<t>", b"<t>&xxe;", 1)
    return rezip(data, replace={"xl/sharedStrings.xml": xml})


def corrupt_member(data: bytes) -> bytes:
    """Flip bytes inside the compressed data of the biggest member (a mail client's bit rot)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = max(zf.infolist(), key=lambda i: i.compress_size)
    start = info.header_offset + 30 + len(info.filename.encode("utf-8")) + len(info.extra)
    mid = start + info.compress_size // 2
    buf = bytearray(data)
    for i in range(mid, mid + 64):
        buf[i] ^= 0x5A
    return bytes(buf)


def zip_bomb(data: bytes, mib: int = 24) -> bytes:
    """A valid package plus one member of ``mib`` MiB of zeros (compression ratio ~1000:1)."""
    return rezip(data, add={"xl/media/image1.png": bytes(mib * 1024 * 1024)})


def too_many_members(data: bytes, n: int = 2500) -> bytes:
    return rezip(data, add={f"customXml/item{i}.xml": b"<a/>" for i in range(n)})


def xlsm(data: bytes) -> bytes:
    zf = zipfile.ZipFile(io.BytesIO(data))
    ct = zf.read("[Content_Types].xml").decode("utf-8")
    ct = ct.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    ct = ct.replace("</Types>", '<Default Extension="bin" ContentType="application/'
                    'vnd.ms-office.vbaProject"/></Types>')
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    rels = rels.replace("</Relationships>", '<Relationship Id="rId99" Type="http://schemas.microsoft.'
                        'com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                        "</Relationships>")
    vba = OLE_MAGIC + b"\x00" * 504 + b"Attribute VB_Name = \"ThisWorkbook\"\r\nSub Auto_Open()\r\n"
    return rezip(data, replace={"[Content_Types].xml": ct.encode("utf-8"),
                                "xl/_rels/workbook.xml.rels": rels.encode("utf-8")},
                 add={"xl/vbaProject.bin": vba})


def control_chars(data: bytes, text: str) -> bytes:
    """Replace the 总体情况 narrative with ``text``, written the way Excel stores control characters
    in a string (``_x0007_``): openpyxl refuses to write them, Excel and WPS do not."""
    spec = layout_for().spec
    overview = next(n for n in spec.narrative if n.key == "overview")
    old = f"{overview.label}：{NARRATIVE}".encode()
    escaped = "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 and ch != "\n" else ch for ch in text)
    zf = zipfile.ZipFile(io.BytesIO(data))
    xml = zf.read("xl/sharedStrings.xml")
    assert old in xml
    xml = xml.replace(old, escaped.encode("utf-8"), 1)
    return rezip(data, replace={"xl/sharedStrings.xml": xml})


def malformed_sheet(data: bytes, sheet: str) -> bytes:
    """A sheet part cut in the middle of an element (well-formed zip, broken XML)."""
    part = sheet_part(data, sheet)
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    return rezip(data, replace={part: xml[: len(xml) // 2]})


def strict_ooxml(data: bytes) -> bytes:
    """The workbook as Excel's "Strict Open XML Spreadsheet" saves it: other namespace URIs."""
    transitional = {
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main":
            b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
            b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    }
    zf = zipfile.ZipFile(io.BytesIO(data))
    replace = {}
    for name in zf.namelist():
        if name.endswith((".xml", ".rels")):
            body = zf.read(name)
            for old, new in transitional.items():
                body = body.replace(old, new)
            replace[name] = body
    return rezip(data, replace=replace)


def ole_file(extra: bytes = b"") -> bytes:
    """The start of a Compound File (.xls / .et / an encrypted .xlsx all look like this)."""
    return OLE_MAGIC + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * 480 + extra


# ---------------------------------------------------------------------------------------------
# clerk-level edits (openpyxl, as WPS/Excel would save)
# ---------------------------------------------------------------------------------------------

def edit(data: bytes, fn: Callable[[Any], None]) -> bytes:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    fn(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def set_text(cell: Any, text: str) -> None:
    """Put ``text`` into a cell as text even when it starts with ``=`` (as a paste of text does)."""
    cell.value = text
    cell.data_type = "s"


def input_cell(key: str = "t3.new_received.natural_person") -> tuple[str, str]:
    return layout_for().address(key)


def total_cell(key: str = "t3.new_received.total") -> tuple[str, str]:
    return layout_for().address(key)


def set_value(key: str, value: Any, *, as_text: bool = False) -> Callable[[Any], None]:
    sheet, addr = layout_for().address(key)

    def fn(wb: Any) -> None:
        if as_text:
            set_text(wb[sheet][addr], value)
        else:
            wb[sheet][addr].value = value

    return fn


def set_narrative(key: str, text: str) -> Callable[[Any], None]:
    fc = layout_for().narrative_fields[key]

    def fn(wb: Any) -> None:
        set_text(wb[fc.sheet][fc.address], text)

    return fn


def text_cell(key: str) -> str:
    """A1 address of a narrative field's cell."""
    return layout_for().narrative_fields[key].address


def meta_cell(key: str) -> tuple[str, str]:
    fc = layout_for().meta_fields[key]
    return fc.sheet, fc.address


def formula_in_text(where: str | tuple[str, str], value: Any) -> Callable[[Any], None]:
    """Put ``value`` into a 正文 (address) or (sheet, address) cell as openpyxl stores it: a string
    starting with ``=`` becomes a formula cell, as a formula typed or pasted in Excel does."""
    sheet, addr = where if isinstance(where, tuple) else (layout_for().narrative_fields["overview"].sheet,
                                                          where)

    def fn(wb: Any) -> None:
        wb[sheet][addr].value = value

    return fn


def _formulas_everywhere(wb: Any) -> None:
    formula_in_text(text_cell("on_request"), '="本年度收到申请"&表三!J7&"件"')(wb)
    formula_in_text(meta_cell("publish_date"), "=TODAY()")(wb)
    set_narrative("platform", '=HYPERLINK("http://x","点击")')(wb)


def hidden_value(key: str, value: str) -> Callable[[Any], None]:
    def fn(wb: Any) -> None:
        wb[SHEET_HIDDEN][hidden_address(key)].value = value

    return fn


def unprotect_all(wb: Any) -> None:
    for ws in wb.worksheets:
        ws.protection.sheet = False
    wb.security = None


def not_ogi_workbook() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["项目", "数量"])
    ws.append(["收到申请", 12])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# outputs
# ---------------------------------------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def formulas_in(xlsx: Path) -> list[tuple[str, str]]:
    """(part, formula text) of every ``<f>`` in every worksheet of a package."""
    out = []
    with zipfile.ZipFile(xlsx) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = zf.read(name).decode("utf-8")
                for m in re.finditer(r"<f(?:\s[^>]*)?>(.*?)</f>", xml, re.S):
                    out.append((name, m.group(1)))
    return out


def strings_in(xlsx: Path) -> str:
    """All text a package stores (shared strings and inline strings), XML-unescaped."""
    from xml.sax.saxutils import unescape

    chunks = []
    with zipfile.ZipFile(xlsx) as zf:
        for name in zf.namelist():
            if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode("utf-8")
                chunks += [unescape(t, {"&quot;": '"', "&apos;": "'"})
                           for t in re.findall(r"<t(?:\s[^>]*)?>(.*?)</t>", xml, re.S)]
    return "\n".join(chunks)


def assert_no_injected_formulas(xlsx: Path) -> None:
    bad = [(part, f) for part, f in formulas_in(xlsx)
           if any(marker in f for marker in INJECTION_MARKERS)]
    assert not bad, f"{xlsx.name}: user text became live formulas: {bad[:3]}"


def assert_only_ogi_formulas(xlsx: Path) -> None:
    """A workbook from `ogi new` holds exactly the layout's formulas and nothing else."""
    expected = {f.lstrip("=") for f in layout_for().all_formulas().values()}
    found = {f for _, f in formulas_in(xlsx)}
    from xml.sax.saxutils import unescape

    found = {unescape(f, {"&quot;": '"', "&apos;": "'"}) for f in found}
    extra = found - expected
    assert not extra, f"{xlsx.name}: unexpected formulas {sorted(extra)[:3]}"


def docx_text(path: Path) -> str:
    """Visible text of a DOCX: ``w:t`` runs joined per paragraph, XML-unescaped."""
    from xml.sax.saxutils import unescape

    with zipfile.ZipFile(path) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    paras = []
    for p in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S):
        paras.append("".join(unescape(t, {"&quot;": '"', "&apos;": "'"})
                             for t in re.findall(r"<w:t(?:\s[^>]*)?>(.*?)</w:t>", p, re.S)))
    return "\n".join(paras)


# ---------------------------------------------------------------------------------------------
# the corpus
# ---------------------------------------------------------------------------------------------

@dataclass
class Workspace:
    root: Path
    inp: Path
    out: Path


@dataclass(frozen=True)
class Result:
    code: int
    output: str


Check = Callable[[Workspace, Result], None]


@dataclass(frozen=True)
class Case:
    id: str
    command: str
    make: Callable[[Workspace], list[str]]  # writes inputs into ws.inp, returns the argv after `ogi`
    exit_codes: frozenset[int]
    keywords: tuple[str, ...] = ()  # the message must contain at least one of these
    check: Check | None = None
    gbk: bool = False  # run as a subprocess on a GBK console (Chinese Windows)
    needs: tuple[str, ...] = ()  # further commands the case needs (e.g. fill for a round trip)
    extra: dict[str, Any] = field(default_factory=dict)


def _file(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Workspace], Path]:
    def write(ws: Workspace) -> Path:
        path = ws.inp / name
        path.write_bytes(data() if callable(data) else data)
        return path

    return write


# ---- the returns ledger's containers (issue 14) ------------------------------------------------
def _ods_bytes() -> bytes:
    """A LibreOffice .ods package (mimetype first, stored), as a township saves one."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return buf.getvalue()


def _mailbox(ws: Workspace) -> list[str]:
    """A folder of attachments ogi cannot open: a .rar, a truncated zip, a zip in a zip, and a zip
    whose member claims 60 MB (decompressed only up to the cap, never into memory whole)."""
    (ws.inp / "材料.rar").write_bytes(b"Rar!\x1a\x07\x00" + b"\x00" * 64)
    (ws.inp / "断了.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("表.xlsx", b"x")
    with zipfile.ZipFile(ws.inp / "套娃.zip", "w") as zf:
        zf.writestr("里面.zip", inner.getvalue())
    with zipfile.ZipFile(ws.inp / "炸弹.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("炸弹.xlsx", b"\x00" * (60 * 1024 * 1024))
    return ["check", str(ws.inp)]


def _mailbox_listed(ws: Workspace, result: Result) -> None:
    out = result.output
    assert "材料.rar" in out and "请解压后再放入" in out
    assert "断了.zip" in out and "套娃.zip" in out and "炸弹.zip/炸弹.xlsx" in out and "过大" in out


def _narrative_findings_bounded(ws: Workspace, result: Result) -> None:
    """At most 20 narrative findings for one field, each quoting its sentence."""
    found = [line for line in result.output.splitlines() if "（二）依申请公开）：正文" in line]
    assert 0 < len(found) <= 20, len(found)
    assert all("【" in line for line in found)


def _check_case(cid: str, name: str, data: Callable[[], bytes], codes: Iterable[int],
                keywords: Iterable[str], check: Check | None = None, gbk: bool = False) -> Case:
    writer = _file(name, data)

    def make(ws: Workspace) -> list[str]:
        return ["check", str(writer(ws))]

    return Case(cid, "check", make, frozenset(codes), tuple(keywords), check, gbk)


def _fill_case(cid: str, name: str, data: Callable[[], bytes], codes: Iterable[int],
               keywords: Iterable[str], check: Check | None = None, gbk: bool = False) -> Case:
    writer = _file(name, data)

    def make(ws: Workspace) -> list[str]:
        return ["fill", str(writer(ws)), "-o", str(ws.out)]

    return Case(cid, "fill", make, frozenset(codes), tuple(keywords), check, gbk)


EMOJI_AGENCY = Agency("笑脸😀镇人民政府", "640425997", "乡镇街道")


def _edited(fn: Callable[[Any], None]) -> Callable[[], bytes]:
    return lambda: edit(base_workbook(), fn)


def _no_output(ws: Workspace, _: Result) -> None:
    made = [p.name for p in ws.out.rglob("*") if p.is_file()]
    assert not made, f"an unusable input produced output files: {made}"


def _no_passwd(_: Workspace, result: Result) -> None:
    assert "root:" not in result.output, "external entity was resolved"


def _docx_contains(*texts: str) -> Check:
    def check(ws: Workspace, result: Result) -> None:
        docs = list(ws.out.glob("*.docx"))
        assert len(docs) == 1, f"expected one DOCX, found {[d.name for d in docs]}"
        body = docx_text(docs[0])
        for t in texts:
            assert t in body, f"DOCX lost text: {t[:60]!r}…"

    return check


def _docx_lacks(*texts: str) -> Check:
    def check(ws: Workspace, result: Result) -> None:
        docs = list(ws.out.glob("*.docx"))
        assert len(docs) == 1, f"expected one DOCX, found {[d.name for d in docs]}"
        body = docx_text(docs[0])
        for t in texts:
            assert t not in body, f"formula source printed: {t!r}"

    return check


def _new_named(name: str) -> Check:
    """One workbook, named ``name`` (no invisible characters), whose package holds none either."""
    def check(ws: Workspace, result: Result) -> None:
        _new_outputs(1)(ws, result)
        [made] = list(ws.out.glob("*.xlsx"))
        assert made.name == name, made.name
        with zipfile.ZipFile(made) as zf:
            package = b"".join(zf.read(n) for n in zf.namelist())
        assert "\u202e".encode() not in package and "\u2066".encode() not in package

    return check


#: Markup a clerk pastes from a web page: printed literally by `ogi fill --html`, never live.
HTML_MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)></p><!-- x -->&amp;"


def _fill_html(data: Callable[[], bytes]) -> Callable[[Workspace], list[str]]:
    writer = _file("网页.xlsx", data)

    def make(ws: Workspace) -> list[str]:
        return ["fill", str(writer(ws)), "-o", str(ws.out), "--html"]

    return make


def _html_literal(text: str) -> Check:
    """The HTML page shows ``text`` as text: no element of it is live, and a reader gets it back."""
    def check(ws: Workspace, result: Result) -> None:
        from ogi.importers.html import read_html

        pages = list(ws.out.glob("*.html"))
        assert len(pages) == 1, f"expected one HTML page, found {[p.name for p in pages]}"
        html = pages[0].read_text(encoding="utf-8")
        assert "<script" not in html and "<img" not in html and "<!-- x" not in html
        lines = [line.text for line in read_html(pages[0].read_bytes(), pages[0]).lines]
        assert any(text in line for line in lines), "HTML lost or changed the text"

    return check


def _new_outputs(expected: int, *, name_in_strings: str | None = None) -> Check:
    def check(ws: Workspace, _: Result) -> None:
        made = sorted(ws.out.glob("*.xlsx"))
        assert len(made) == expected, [p.name for p in made]
        stray = [p for p in ws.root.rglob("*") if p.is_file()
                 and not (p.is_relative_to(ws.out) or p.is_relative_to(ws.inp))]
        assert not stray, f"files written outside the output folder: {stray}"
        for p in made:
            assert not re.search(r'[<>:"/\\|?*\x00-\x1f]', p.name), p.name
            assert p.name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
            assert_only_ogi_formulas(p)
            assert_no_injected_formulas(p)
        if name_in_strings is not None:
            assert any(name_in_strings in strings_in(p) for p in made), \
                "the agency name is not stored as text"

    return check


def _new_agency_case(cid: str, name: str) -> Case:
    def make(ws: Workspace) -> list[str]:
        return ["new", "--agency", name, "--year", str(YEAR), "-o", str(ws.out)]

    return Case(cid, "new", make, frozenset({0}), ("已生成",), _new_outputs(1, name_in_strings=name))


def _roster_case(cid: str, name: str, data: Callable[[], bytes], codes: Iterable[int],
                 keywords: Iterable[str], check: Check | None = None, gbk: bool = False) -> Case:
    writer = _file(name, data)

    def make(ws: Workspace) -> list[str]:
        return ["new", "--roster", str(writer(ws)), "--year", str(YEAR), "-o", str(ws.out), "-q"]

    return Case(cid, "new", make, frozenset(codes), tuple(keywords), check or _no_output, gbk)


def _roster_xlsx(names: list[str]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["机关名称", "编号"])
    for i, n in enumerate(names):
        ws.append([n, f"{i + 1:03d}"])
        set_text(ws.cell(row=i + 2, column=1), n)  # typed as text, not as a formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text_report(overview: str, *, agency: str = "彭阳县测试镇人民政府") -> str:
    """A published report as copied from a web page (the seed's shape, our own words)."""
    return "\n\n".join([
        f"{agency} 2023 年 政府信息公开工作年度报告",
        "本报告依据《中华人民共和国政府信息公开条例》编制，统计期限为2023年1月1日至12月31日。",
        "一、总体情况", overview,
        "（一）主动公开", "本年度主动公开各类信息。",
        "（二）依申请公开", "本年度收到申请0件。",
        "（三）政府信息管理", "制度健全。",
        "（四）政府信息公开平台建设", "平台运行平稳。",
        "（五）监督保障", "按要求开展培训。",
        "五、存在的主要问题及改进情况", "问题：人员力量不足。改进：加强培训。",
        "六、其他需要报告的事项", "本年度未收取信息处理费。",
    ]) + "\n"


def _long_paragraphs(total: int) -> str:
    """``total`` characters of narrative in paragraphs of ~2,000 characters."""
    para = "本镇持续推进政务公开标准化规范化建设，" * 100  # 1,900 characters
    text = "\n".join([para] * (total // (len(para) + 1) + 1))
    return text[:total]


def _detached_report() -> str:
    """A text report whose table 三 lost its layout: every row label first, then every row's numbers."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from report_layouts import document, numbers_detached

    report = valid_report()
    report.metadata["agency_name"], report.metadata["year"] = AGENCY.name, str(YEAR)
    return document(report, numbers_detached)


def _import_case(cid: str, text: Callable[[], str], codes: Iterable[int], keywords: Iterable[str],
                 check: Check | None = None, encoding: str = "utf-8") -> Case:
    def make(ws: Workspace) -> list[str]:
        path = ws.inp / "published.txt"
        path.write_bytes(text().encode(encoding))
        return ["import", str(path), "-o", str(ws.out / "imported.xlsx")]

    return Case(cid, "import", make, frozenset(codes), tuple(keywords), check)


def _import_never_cuts(total: int) -> Check:
    def check(ws: Workspace, result: Result) -> None:
        out = ws.out / "imported.xlsx"
        if result.code == 2 and not out.exists():
            return  # refused, with a message (asserted by keywords)
        assert out.exists(), "import neither wrote a workbook nor refused"
        stored = strings_in(out)
        para = "本镇持续推进政务公开标准化规范化建设，"
        assert stored.count(para) >= total // len(para) - 1, "narrative was cut"
        assert_no_injected_formulas(out)

    return check


def _import_keeps(text: str) -> Check:
    def check(ws: Workspace, result: Result) -> None:
        out = ws.out / "imported.xlsx"
        assert out.exists(), "no workbook written"
        assert text in strings_in(out), "imported narrative was altered"
        assert_no_injected_formulas(out)

    return check


def _docx_template_bytes() -> bytes:
    return (Path(__file__).resolve().parent.parent / "docx_templates" / "gov_info_2021.docx").read_bytes()


def _import_injection_check(ws: Workspace, result: Result) -> None:
    out = ws.out / "imported.xlsx"
    assert out.exists(), "no workbook written"
    assert_no_injected_formulas(out)
    stored = strings_in(out)
    assert INJECTIONS[0] in stored, "injected text should be kept as text"


def _collect_folder(ws: Workspace, *, hostile: bool) -> None:
    """A returned-workbooks folder: valid ones (one named with formula injection) plus junk."""
    sub = ws.inp / "交回"
    sub.mkdir()
    (sub / "正常.xlsx").write_bytes(base_workbook())
    evil = Agency(INJECTIONS[0], "640425998", "乡镇街道")
    report = valid_report(evil, narrative={"overview": INJECTIONS[1]},
                          metadata={"phone": INJECTIONS[2], "preparer": INJECTIONS[3]}, seed=11)
    (sub / f"{INJECTIONS[2]}.xlsx").write_bytes(build(evil, report))
    if hostile:
        (sub / "截断.xlsx").write_bytes(base_workbook()[:5000])
        (sub / "旧格式.xls").write_bytes(ole_file())
        (sub / "~$正常.xlsx").write_bytes(b"\x0cWPS user" + b"\x00" * 150)
        (sub / "炸弹.xlsx").write_bytes(zip_bomb(base_workbook()))


def _rollup_case(cid: str, command: str, *, hostile: bool, codes: Iterable[int]) -> Case:
    def make(ws: Workspace) -> list[str]:
        _collect_folder(ws, hostile=hostile)
        return [command, str(ws.inp / "交回"), "-o", str(ws.out / f"{command}.xlsx")]

    def check(ws: Workspace, result: Result) -> None:
        out = ws.out / f"{command}.xlsx"
        assert out.exists(), f"ogi {command} -o wrote nothing"
        assert_no_injected_formulas(out)
        assert INJECTIONS[0] in strings_in(out), "the agency name should appear as text"

    return Case(cid, command, make, frozenset(codes), (), check)


def _feedback_case(cid: str) -> Case:
    """`ogi feedback` over a folder with formula injection in names, text and a number cell, and
    junk: the annotated copies, 退改单 and index hold that text as text, never a live formula; every
    mail draft parses."""

    def make(ws: Workspace) -> list[str]:
        _collect_folder(ws, hostile=True)
        evil = ws.inp / "交回" / f"{INJECTIONS[2]}.xlsx"
        sheet, addr = input_cell()
        evil.write_bytes(edit(evil.read_bytes(), lambda wb: setattr(wb[sheet][addr], "value",
                                                                   INJECTIONS[1])))
        return ["feedback", str(ws.inp / "交回"), "-o", str(ws.out / "退改")]

    def check(ws: Workspace, result: Result) -> None:
        import email
        from email import policy

        books = list((ws.out / "退改").rglob("*.xlsx"))
        assert len(books) >= 4, books  # the copy, 退改单 x3 (injection, truncated, .xls), index
        for book in books:
            assert_no_injected_formulas(book)
        assert any(INJECTIONS[0] in strings_in(b) for b in books)
        emls = list((ws.out / "退改").rglob("*.eml"))
        assert emls
        for eml in emls:
            msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
            assert msg["X-Unsent"] == "1"

    return Case(cid, "feedback", make, frozenset({1}), (), check)


def _fill_over_input(ws: Workspace) -> list[str]:
    path = ws.inp / "填好的.xlsx"
    path.write_bytes(base_workbook())
    return ["fill", str(path), "-o", str(path)]


# ---- issue 11: nothing ogi writes destroys a file, nothing it reads exhausts the machine -------

def _returned_folder(ws: Workspace) -> Path:
    """交回/ with one filled workbook, and a roster (.csv and .xlsx) beside it, all inputs."""
    sub = ws.inp / "交回"
    sub.mkdir()
    (sub / "白阳镇.xlsx").write_bytes(base_workbook())
    (ws.inp / "名单.csv").write_text(f"机关名称,编号\n{AGENCY.name},{AGENCY.id}\n", encoding="utf-8")
    (ws.inp / "名单.xlsx").write_bytes(_roster_xlsx([AGENCY.name]))
    return sub


def _status_over_returned(ws: Workspace) -> list[str]:
    sub = _returned_folder(ws)
    return ["status", str(sub), "--roster", str(ws.inp / "名单.csv"), "-o", str(sub / "白阳镇.xlsx"),
            "--overwrite"]


def _summary_over_roster(ws: Workspace) -> list[str]:
    sub = _returned_folder(ws)
    return ["summary", str(sub), "--roster", str(ws.inp / "名单.xlsx"), "-o", str(ws.inp / "名单.xlsx"),
            "--overwrite"]


def _new_over_returned(ws: Workspace) -> list[str]:
    from ogi.workbook.xlsx_writer import safe_workbook_filename

    (ws.inp / safe_workbook_filename(AGENCY, YEAR)).write_bytes(base_workbook())
    return ["new", "--agency", AGENCY.name, "--agency-id", AGENCY.id, "--agency-type", AGENCY.type,
            "--year", str(YEAR), "-o", str(ws.inp), "--overwrite"]


def _pdf_kept(ws: Workspace) -> list[str]:
    """The stamped archive PDF of a report whose DOCX is not there (any more)."""
    path = ws.inp / "填好的.xlsx"
    path.write_bytes(base_workbook())
    (ws.out / f"{YEAR}年{AGENCY.name}政府信息公开工作年度报告.pdf").write_bytes(STAMPED_PDF)
    return ["fill", str(path), "-o", str(ws.out), "--pdf"]


STAMPED_PDF = b"%PDF-1.4 the stamped archive copy"


def _stamped_pdf_kept(ws: Workspace, result: Result) -> None:
    (pdf,) = ws.out.glob("*.pdf")
    assert pdf.read_bytes() == STAMPED_PDF, "fill --pdf replaced an existing PDF without --overwrite"


LONG_AGENCY = Agency("彭阳县" + "测" * 90 + "人民政府", "640425996", "乡镇街道")


def _names_within_255_bytes(ws: Workspace, _: Result) -> None:
    names = [p.name for p in ws.out.rglob("*") if p.is_file()]
    assert names and all(len(n.encode("utf-8")) <= 255 for n in names), names


def _long_path(ws: Workspace) -> list[str]:
    return ["new", "--agency", "甲", "--year", str(YEAR), "-o", str(ws.out / ("长" * 100))]


def _fifo(ws: Workspace) -> list[str]:
    path = ws.root / "邮件附件.xlsx"  # outside ws.inp: the snapshot would block reading a FIFO
    os.mkfifo(path)
    return ["check", str(path)]


def _nested_html(ws: Workspace) -> list[str]:
    path = ws.inp / "年报.html"
    path.write_text("<html><body>" + "<div>" * 1000 + "2023年政府信息公开工作年度报告" + "</div>" * 1000
                    + "</body></html>", encoding="utf-8")
    return ["import", str(path), "-o", str(ws.out)]


def crafted_pdf(lines: int = 2000, width: int = 200, pages: int = 1) -> bytes:
    """``pages`` pages sharing one compressed content stream that shows ``lines`` lines of
    ``width`` characters: a few KB on disk, hundreds of thousands of characters for pdfminer to lay
    out (the defaults are the 2.3 KB PDF of issue 11 that took 14-21 s and 880 MB)."""
    import zlib

    line = "(" + "A" * width + ") Tj 0 -1 Td\n"
    content = zlib.compress(("BT /F1 1 Tf 10 800 Td\n" + line * lines + "ET\n").encode("ascii"), 9)
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages)).encode("ascii")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
               *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                 b"/Resources << /Font << /F1 3 0 R >> >> >>"] * pages]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _crafted_pdf(ws: Workspace) -> list[str]:
    path = ws.inp / "年报.pdf"
    path.write_bytes(crafted_pdf())
    return ["import", str(path), "-o", str(ws.out)]


def _archive_of(data: bytes, name: str) -> Callable[[Workspace], list[str]]:
    def make(ws: Workspace) -> list[str]:
        path = ws.inp / name
        path.write_bytes(data)
        return ["archive", "--verify", str(path)]

    return make


def _truncated_archive(ws: Workspace) -> list[str]:
    """A year archive cut off halfway (a download that broke)."""
    from ogi.county.year import init_year, write_archive

    year = init_year(YEAR, ws.root / "年度")
    whole = write_archive(year).read_bytes()
    path = ws.inp / "归档.zip"
    path.write_bytes(whole[: len(whole) // 2])
    return ["archive", "--verify", str(path)]


def _not_a_year_folder(command: str) -> Callable[[Workspace], list[str]]:
    def make(ws: Workspace) -> list[str]:
        (ws.inp / "交回").mkdir(exist_ok=True)
        return [command, str(ws.inp), *(["--no-browser"] if command == "serve" else [])]

    return make


def _init_bad_roster(ws: Workspace) -> list[str]:
    path = ws.inp / "名单.csv"
    path.write_bytes("机关名称,编号\n彭阳县白阳镇人民政府,1\n,2\n".encode("gbk"))
    return ["init", str(YEAR), str(ws.out / "年度"), "--roster", str(path)]


def corpus() -> list[Case]:
    lay = layout_for()
    t3_sheet, t3_input = input_cell()
    _, t3_total = total_cell()
    wan_key = next(k for k in lay.spec.input_keys if lay.spec.cells[k].type == "wan_yuan")
    _, wan_addr = lay.address(wan_key)
    values = balanced()
    same_value = values["t3.new_received.natural_person"]
    long_text = ("依申请公开工作规范有序。" * 3000)[:EXCEL_CELL_LIMIT]
    base = base_workbook

    cases = [
        # ---- damaged packages -------------------------------------------------------------
        _check_case("zip-truncated", "截断.xlsx", lambda: base()[: len(base()) // 2], {2},
                    ("损坏", "不完整")),
        _check_case("zip-truncated-tiny", "截断2.xlsx", lambda: base()[:100], {2}, ("损坏", "不完整")),
        _check_case("zip-corrupted-member", "损坏.xlsx", lambda: corrupt_member(base()), {2},
                    ("损坏",)),
        _check_case("empty-file", "空.xlsx", lambda: b"", {2}, ("空",)),
        _check_case("not-a-zip", "文本.xlsx", lambda: "这是一个文本文件".encode(), {2},
                    ("不是", "格式")),
        _check_case("zip-missing-content-types", "缺件.xlsx",
                    lambda: rezip(base(), drop=["[Content_Types].xml"]), {2}, ("损坏",)),
        _check_case("zip-bomb-ratio", "炸弹.xlsx", lambda: zip_bomb(base()), {2}, ("压缩", "炸弹")),
        _check_case("zip-bomb-members", "多文件.xlsx", lambda: too_many_members(base()), {2},
                    ("数量", "异常")),
        _check_case("xml-bomb-shared-strings", "xml炸弹.xlsx", lambda: xml_bomb_shared_strings(base()),
                    {2}, ("实体", "XML", "损坏", "不安全", "DTD")),
        _check_case("xml-bomb-sheet", "xml炸弹2.xlsx", lambda: xml_bomb_sheet(base(), t3_sheet), {2},
                    ("实体", "XML", "损坏", "不安全", "DTD")),
        _check_case("xml-external-entity", "外部实体.xlsx", lambda: external_entity(base()), {2},
                    ("实体", "XML", "损坏", "不安全", "DTD"), _no_passwd),
        _check_case("xml-malformed-sheet", "半截.xlsx", lambda: malformed_sheet(base(), t3_sheet), {2},
                    ("损坏",)),
        # ---- wrong formats ---------------------------------------------------------------
        _check_case("strict-open-xml", "严格.xlsx", lambda: strict_ooxml(base()), {2},
                    ("Strict", "严格", "另存为", "不是", "损坏")),
        _check_case("docx-given-to-check", "年报.xlsx", _docx_template_bytes, {2}, ("Word 文档",)),
        _check_case("ole-xls", "旧格式.xls", ole_file, {2}, ("另存为",)),
        _check_case("ole-et", "金山.et", ole_file, {2}, ("另存为",)),
        _check_case("ole-encrypted-xlsx", "加密.xlsx", ole_file, {2}, ("密码", "另存为")),
        _check_case("xlsm-macro", "宏.xlsm", lambda: xlsm(base()), {2}, ("宏", "xlsm")),
        _check_case("wps-lock-file", "~$填报表.xlsx", lambda: b"\x0cWPS user" + b"\x00" * 150, {2},
                    ("锁定", "临时", "不是", "损坏")),
        # ---- not this template -------------------------------------------------------------
        _check_case("other-template-version", "旧版本.xlsx",
                    _edited(hidden_value("template_version", "99")), {2}, ("版本",)),
        _check_case("other-template-id", "其他模板.xlsx",
                    _edited(hidden_value("template_id", "gov_info_2019")), {2}, ("模板", "版本")),
        _check_case("unknown-template-id", "未知模板.xlsx",
                    _edited(hidden_value("template_id", "../gov_info_2021")), {2}, ("模板", "版本")),
        _check_case("not-ogi-workbook", "别人的.xlsx", not_ogi_workbook, {2}, ("ogi", "不是")),
        # ---- structure damaged by a clerk --------------------------------------------------
        _check_case("sheet-deleted", "删表.xlsx", _edited(lambda wb: wb.remove(wb[t3_sheet])), {1},
                    (t3_sheet,)),
        _check_case("sheet-renamed", "改名.xlsx",
                    _edited(lambda wb: setattr(wb[t3_sheet], "title", "Sheet9")), {1}, (t3_sheet,)),
        _check_case("row-inserted", "插行.xlsx", _edited(lambda wb: wb[t3_sheet].insert_rows(8)),
                    {1}, (t3_sheet,)),
        _check_case("row-deleted", "删行.xlsx", _edited(lambda wb: wb[t3_sheet].delete_rows(9)),
                    {1}, (t3_sheet,)),
        _check_case("formula-overwritten", "改公式.xlsx",
                    _edited(set_value("t3.new_received.total", 999)), {1}, (t3_total,)),
        _check_case("protection-removed", "去保护.xlsx", _edited(unprotect_all), {0}, ("保护",)),
        # ---- cell contents -------------------------------------------------------------------
        _check_case("text-in-number-cell", "文字.xlsx",
                    _edited(set_value("t3.new_received.natural_person", "十二", as_text=True)), {1},
                    (t3_input,)),
        _check_case("formula-in-number-cell", "公式.xlsx",
                    _edited(set_value("t3.new_received.natural_person", "=1+2")), {1}, (t3_input,)),
        _check_case("full-width-digits", "全角.xlsx",
                    _edited(set_value("t3.new_received.natural_person",
                                      str(same_value).translate(str.maketrans("0123456789",
                                                                              "０１２３４５６７８９")),
                                      as_text=True)), {0}, ("全角",)),
        _check_case("number-stored-as-text", "文本数字.xlsx",
                    _edited(set_value("t3.new_received.natural_person", f" {same_value} ", as_text=True)),
                    {0}, ("文本", "空格")),
        _check_case("huge-number-1e20", "巨大.xlsx",
                    _edited(set_value("t3.new_received.natural_person", 1e20)), {1}, (t3_input,)),
        _check_case("huge-number-10e30", "巨大2.xlsx",
                    _edited(set_value("t3.new_received.natural_person", 10**30)), {1}, (t3_input,)),
        _check_case("negative-number", "负数.xlsx",
                    _edited(set_value("t3.new_received.natural_person", -3)), {1}, (t3_input,)),
        _check_case("blank-number-cell", "空格.xlsx",
                    _edited(set_value("t3.new_received.natural_person", None)), {1}, ("未填写",)),
        _check_case("fraction-in-count", "小数.xlsx",
                    _edited(set_value("t3.new_received.natural_person", 2.5)), {1}, (t3_input,)),
        _check_case("wan-yuan-7-decimals", "七位小数.xlsx",
                    _edited(set_value(wan_key, Decimal("1.0000001"))), {1}, (wan_addr,)),
        # ---- narrative -------------------------------------------------------------------
        _check_case("narrative-markup", "标记.xlsx", _edited(set_narrative("overview", MARKUP)), {0}, ()),
        _check_case("narrative-control-chars", "控制字符.xlsx",
                    lambda: control_chars(base(), "第一段\x07响铃\x1b[31m\x00\n第二段\x0b"), {0},
                    ("控制字符",)),
        _check_case("narrative-32767", "最长.xlsx", _edited(set_narrative("overview", long_text)), {0}, ()),
        # Formula source in a text or date cell would print as such: an error naming the cell.
        _check_case("narrative-formula-injection", "注入.xlsx",
                    _edited(set_narrative("overview", INJECTIONS[0])), {1}, (text_cell("overview"),)),
        _check_case("narrative-formula-cell", "公式正文.xlsx",
                    _edited(formula_in_text(text_cell("on_request"), '="本年度收到申请"&表三!J7&"件"')),
                    {1}, (text_cell("on_request"),)),
        _check_case("narrative-minus-formula-text", "减号.xlsx",
                    _edited(set_narrative("platform", "-表三!J7")), {1}, (text_cell("platform"),)),
        _check_case("narrative-dash-sentence", "破折号.xlsx",
                    _edited(set_narrative("platform", "-本年度网站运行平稳。")), {0}, ()),
        _check_case("publish-date-today", "今天.xlsx",
                    _edited(formula_in_text(meta_cell("publish_date"), "=TODAY()")), {1},
                    (meta_cell("publish_date")[1],)),
        _check_case("publish-date-blank", "无日期.xlsx",
                    _edited(formula_in_text(meta_cell("publish_date"), None)), {1}, ("发布日期",)),
        _check_case("superscript-digit", "上标.xlsx",
                    _edited(set_value("t3.new_received.natural_person", "1²", as_text=True)), {1},
                    (t3_input, "上标")),
        _check_case("gbk-console-superscript", "上标.xlsx",
                    _edited(set_value("t3.new_received.natural_person", "1²", as_text=True)), {1},
                    (t3_input,), gbk=True),
        _check_case("total-typed-right", "合计照抄.xlsx",
                    _edited(set_value("t3.new_received.total", values["t3.new_received.total"])), {0},
                    (t3_total, "公式")),
        _check_case("bidi-in-narrative", "反向.xlsx",
                    _edited(set_narrative("overview", "本年度\u202e度年本\u200b工作平稳。")), {0},
                    ("U+202E",)),
        # a whole cell of numbers that contradict the tables: a bounded list of warnings, quickly
        _check_case("narrative-numbers-32767", "正文数字.xlsx",
                    _edited(set_narrative("on_request", ("全年共收到政府信息公开申请99999件，其中予以公开1件、"
                                                         "部分公开2件，占7%。" * 700)[:EXCEL_CELL_LIMIT])),
                    {0}, ("正文",), _narrative_findings_bounded),
        # ---- GBK console (Chinese Windows), real subprocess ---------------------------------
        _check_case("gbk-console-truncated", "截断.xlsx", lambda: base()[:3000], {2}, ("损坏", "不完整"),
                    gbk=True),
        _check_case("gbk-console-findings", "负数.xlsx",
                    _edited(set_value("t3.new_received.natural_person", -3)), {1}, (t3_input,), gbk=True),
        # ---- fill -------------------------------------------------------------------------
        _fill_case("fill-truncated", "截断.xlsx", lambda: base()[:4000], {2}, ("损坏", "不完整"),
                   _no_output),
        _fill_case("fill-xml-bomb", "xml炸弹.xlsx", lambda: xml_bomb_shared_strings(base()), {2},
                   ("实体", "XML", "损坏", "不安全", "DTD"), _no_output),
        _fill_case("fill-narrative-markup", "标记.xlsx", _edited(set_narrative("overview", MARKUP)), {0},
                   (), _docx_contains(MARKUP)),
        Case("fill-html-markup", "fill", _fill_html(_edited(set_narrative("overview", MARKUP + HTML_MARKUP))),
             frozenset({0}), (), _html_literal(MARKUP + HTML_MARKUP)),
        # docxtpl's template escapes ({_{ {_% …) were once undone over the whole output: "{_%" typed
        # by a clerk lost its underscore (found by the hypothesis round trip).
        _fill_case("fill-narrative-docxtpl-escapes", "转义.xlsx",
                   _edited(set_narrative("overview", "甲{_%乙%_}丙{_{丁}_}")), {0},
                   (), _docx_contains("甲{_%乙%_}丙{_{丁}_}")),
        _fill_case("fill-narrative-32767", "最长.xlsx", _edited(set_narrative("overview", long_text)), {0},
                   (), _docx_contains(long_text)),
        _fill_case("fill-narrative-control-chars", "控制字符.xlsx",
                   lambda: control_chars(base(), "第一段\x07响铃\x1b\n第二段"), {0}, (),
                   _docx_contains("第一段响铃", "第二段")),
        _fill_case("fill-narrative-formula-injection", "注入.xlsx",
                   _edited(set_narrative("overview", INJECTIONS[1])), {1}, (text_cell("overview"),),
                   _no_output),
        Case("fill-force-formula-prints-blank", "fill",
             lambda ws: ["fill", str(_file("公式.xlsx", _edited(_formulas_everywhere))(ws)), "-o",
                         str(ws.out), "--force"],
             frozenset({1}), (text_cell("on_request"),), _docx_lacks("表三!J7", "TODAY", "HYPERLINK")),
        _fill_case("fill-gbk-console-emoji-agency", "笑脸.xlsx",
                   lambda: build(EMOJI_AGENCY, valid_report(EMOJI_AGENCY, narrative={"overview": "😀 表情与“引号”"})),
                   {0}, ("已生成",), _docx_contains("😀 表情与“引号”"), gbk=True),
        _fill_case("fill-errors-stop", "负数.xlsx", _edited(set_value("t3.new_received.natural_person", -3)),
                   {1}, (t3_input,), _no_output),
        Case("fill-output-is-input", "fill", _fill_over_input, frozenset({2}), ("覆盖", "输入")),
        # ---- new: agency names and rosters -------------------------------------------------
        _new_agency_case("new-name-traversal", "../../x"),
        _new_agency_case("new-name-CON", "CON"),
        _new_agency_case("new-name-windows-chars", "a:b*c?"),
        Case("new-name-bidi", "new", lambda ws: ["new", "--agency", "彭阳县\u202e城关\u2066镇人民政府",
                                                 "--year", str(YEAR), "-o", str(ws.out)],
             frozenset({0}), ("不可见",), _new_named("2023年彭阳县城关镇人民政府政府信息公开工作年度报告填报表.xlsx")),
        Case("new-name-too-long", "new", lambda ws: ["new", "--agency", "宁" * 41, "--year", str(YEAR),
                                                     "-o", str(ws.out)],
             frozenset({2}), ("过长",), _no_output),
        *[_new_agency_case(f"new-name-injection-{i}", s) for i, s in enumerate(INJECTIONS)],
        _roster_case("new-roster-hostile-names", "名单.txt",
                     lambda: "\n".join(["../../x", "CON", "a:b*c?", *INJECTIONS]).encode("utf-8"), {0},
                     ("已生成", "共生成"), _new_outputs(7)),
        _roster_case("new-roster-xlsx-injection", "名单.xlsx", lambda: _roster_xlsx(list(INJECTIONS)),
                     {0}, ("已生成", "共生成"), _new_outputs(4)),
        _roster_case("new-roster-ole", "名单.xls", ole_file, {2}, ("另存为",)),
        _roster_case("new-roster-zip-bomb", "名单.xlsx", lambda: zip_bomb(_roster_xlsx(["甲"])), {2},
                     ("压缩", "炸弹")),
        _roster_case("new-roster-truncated", "名单.xlsx", lambda: _roster_xlsx(["甲", "乙"])[:900], {2},
                     ("损坏", "不完整")),
        _roster_case("new-roster-xml-bomb", "名单.xlsx",
                     lambda: xml_bomb_sheet(_roster_xlsx(["甲"]), "Sheet"), {2},
                     ("实体", "XML", "损坏", "不安全", "DTD", "无法读取")),
        _roster_case("new-roster-control-chars", "名单.txt", lambda: "甲镇\n乙\x07镇\n".encode(), {2},
                     ("控制字符",)),
        _roster_case("new-roster-undecodable", "名单.txt", lambda: bytes(range(128, 256)) * 4, {2},
                     ("编码",)),
        _roster_case("new-roster-empty", "名单.txt", lambda: b"\n\n", {2}, ("空",)),
        _roster_case("new-roster-name-too-long", "名单.txt",
                     lambda: ("彭阳县教育局\n" + "彭阳县" + "某" * 40 + "局\n").encode(), {2}, ("第 2 行", "过长")),
        _roster_case("new-roster-bidi", "名单.txt", lambda: "彭阳县\u202e教育局\n".encode(), {0},
                     ("不可见",), _new_named("2023年彭阳县教育局政府信息公开工作年度报告填报表.xlsx")),
        _roster_case("new-roster-gbk-console-emoji", "名单.txt",
                     lambda: "笑脸😀镇人民政府\n彭阳县白阳镇人民政府\n".encode(), {0}, ("已生成", "共生成"),
                     _new_outputs(2), gbk=True),
        # ---- import ---------------------------------------------------------------------------
        _import_case("import-100k-section", lambda: _text_report(_long_paragraphs(100_000)), {0, 1, 2},
                     ("拆分", "32767", "32,767", "过长", "导入", "已"), _import_never_cuts(100_000)),
        _import_case("import-formula-injection", lambda: _text_report(INJECTIONS[0]), {0, 1}, (),
                     _import_injection_check),
        _import_case("import-gbk-markup", lambda: _text_report(MARKUP), {0, 1}, (),
                     _import_keeps(MARKUP), encoding="gb18030"),
        _import_case("import-binary-garbage", lambda: "\x00\x01\x02" * 100, {2}, ("文本", "无法", "不是")),
        _import_case("import-not-a-report", lambda: "会议纪要\n今天开会，讨论了食堂的菜单。\n", {2},
                     ("不像一份", "年度报告")),
        _import_case("import-labels-detached-from-numbers", _detached_report, {1},
                     ("没有找到", "找不到", "不能确定")),
        Case("import-ole-doc", "import",
             lambda ws: ["import", str(_file("旧.doc", ole_file)(ws)), "-o", str(ws.out / "x.xlsx")],
             frozenset({2}), ("另存为", ".doc", "不支持"), _no_output),
        # ---- status / summary: text from other people's files never becomes a formula -------
        # status: 0 no errors; 1 a workbook has errors or is unreadable (its --help). summary: 0,
        # unreadable workbooks are listed as left out.
        # (the injected narrative and 填报人 are formula source: errors, whose messages quote it)
        _rollup_case("status-injection", "status", hostile=False, codes={1}),
        _rollup_case("status-hostile-folder", "status", hostile=True, codes={1}),
        _rollup_case("summary-injection", "summary", hostile=False, codes={0}),
        _rollup_case("summary-hostile-folder", "summary", hostile=True, codes={0}),
        _feedback_case("feedback-hostile-folder"),
        # ---- usage -----------------------------------------------------------------------------
        Case("check-missing-file", "check", lambda ws: ["check", str(ws.inp / "没有.xlsx")],
             frozenset({2}), ("找不到", "不存在")),
        Case("check-folder-as-file", "check", lambda ws: ["check", str(ws.inp)], frozenset({0, 1, 2}),
             ("文件夹", "没有", "找不到")),
        # ---- outputs never destroy a file; inputs never exhaust the machine (issue 11) ---------
        Case("status-output-is-returned-workbook", "status", _status_over_returned, frozenset({2}),
             ("不能覆盖",)),
        Case("summary-output-is-roster", "summary", _summary_over_roster, frozenset({2}), ("不能覆盖",)),
        Case("new-overwrite-returned-workbook", "new", _new_over_returned, frozenset({2}), ("已经填写过",)),
        Case("fill-pdf-existing-pdf", "fill", _pdf_kept, frozenset({2}), ("--overwrite",),
             _stamped_pdf_kept),
        _fill_case("fill-agency-name-291-bytes", "长名称.xlsx",
                   _edited(hidden_value("agency_name", LONG_AGENCY.name)), {0}, ("已生成",),
                   _names_within_255_bytes),
        Case("new-output-path-too-long", "new", _long_path, frozenset({2}), ("路径过长",)),
        Case("check-dev-zero", "check", lambda ws: ["check", "/dev/zero"], frozenset({2}),
             ("不是普通文件",)),
        *([Case("check-fifo", "check", _fifo, frozenset({2}), ("不是普通文件",))]
          if hasattr(os, "mkfifo") else []),
        Case("import-html-nested-1000", "import", _nested_html, frozenset({2}), ("嵌套",), _no_output),
        Case("import-pdf-crafted-content-stream", "import", _crafted_pdf, frozenset({2}), ("上限",),
             _no_output),
        # ---- the returns ledger: formats and attachments (issue 14) ----------------------------
        _check_case("check-ods-return", "白阳镇.ods", _ods_bytes, {2}, ("另存为 .xlsx",)),
        Case("check-folder-of-attachments", "check", _mailbox, frozenset({2}), ("请解压后再放入",),
             _mailbox_listed),
        # ---- the year folder (issue 21) -----------------------------------------------------
        Case("archive-verify-a-workbook", "archive", _archive_of(base_workbook(), "归档.zip"),
             frozenset({2}), ("不是 ogi 的年度归档",)),
        Case("archive-verify-not-a-zip", "archive", _archive_of(b"%PDF-1.4 not a zip", "归档.zip"),
             frozenset({2}), ("不是 ogi 的年度归档",)),
        Case("archive-verify-truncated", "archive", _truncated_archive, frozenset({2}),
             ("不是 ogi 的年度归档",)),
        Case("archive-plain-folder", "archive", _not_a_year_folder("archive"), frozenset({2}),
             ("不是年度文件夹",)),
        Case("serve-plain-folder", "serve", _not_a_year_folder("serve"), frozenset({2}),
             ("不是年度文件夹", "serve 组件")),  # the second without the serve extra
        Case("init-roster-row-without-name", "init", _init_bad_roster, frozenset({2}), ("第 3 行",),
             _no_output),
    ]
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return cases

