"""Read a returned workbook back into a :class:`~ogi.form.report.Report`, with integrity and type findings.

One read per workbook. The package is sniffed and capped first (:mod:`ogi.files.safe_io`): OLE (.xls/.et,
encrypted), not a zip, truncated, zip bomb, macro-enabled, DTD/entity declarations (XML bomb, external
entity). The small package parts (workbook, relationships, properties) are parsed with defusedxml.
Cells are then read with openpyxl's read-only mode (one load; normal mode is about twice as slow and
would need a second load for cached results), built from openpyxl's own ``ExcelReader`` steps so
that nothing is parsed that ogi throws away (:func:`_open_openpyxl`): no size probe per sheet
(sheet dimensions are never trusted: WPS writes wrong ``<dimension>`` elements that would hide
rows), no sheet ogi does not read, only the cell data of each sheet it does (the whole part is
still checked to be well-formed XML). What read-only reading hides comes from the package
itself, in a cheap pass over the bytes already in memory: sheet and workbook protection, sheet states,
and the cached results of the total formulas.

Every address comes from :mod:`ogi.form.layout`. Values are normalised where the variant is harmless (full
width digits, spaces, numbers stored as text, ``3.0`` in a count) with a warning; anything else that is
not a valid number becomes ``None`` in the Report with an error finding. Blank stays ``None`` (the
checker reports it). Totals are never taken from the file: the Report holds ogi's recomputation, and
a cached total that disagrees is a warning.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import InputError, SpecError
from ..files.invisible import INVISIBLE_RE
from ..files.safe_io import check_zip_package, read_capped
from ..form.findings import make
from ..form.layout import (
    GENERAL_EXPLANATION,
    GENERAL_EXPLANATION_LABEL,
    SHEET_CHECKS,
    SHEET_FEEDBACK,
    SHEET_GUIDE,
    SHEET_HIDDEN,
    SHEET_META,
    Layout,
    a1,
    layout_for,
    read_hidden,
)
from ..form.report import Finding, Report, Value, fold, parse_date_text, year_number
from ..form.rules import compute_totals
from ..form.spec import CellSpec, FormSpec, load_spec
from ..form.values import as_value, parse_number, short
from .formula_text import formula_source

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

#: Largest plausible value: more than this many applications or 万元 is a typing accident.

#: Sheets whose loss does not lose data: a warning, not an error.
_OPTIONAL_SHEETS = (SHEET_GUIDE, SHEET_CHECKS)
_CELL_RE = re.compile(r"^([A-Z]{1,3})(\d+)$")
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_PROTECTION_RE = re.compile(rb"<(?:\w+:)?sheetProtection\b([^>]*)>")
_ON_RE = re.compile(rb"""\bsheet\s*=\s*["'](1|true)["']""")


@dataclass
class ReadResult:
    """What a workbook says (``report``) and what is wrong with the file itself (``findings``)."""

    path: Path
    report: Report
    findings: list[Finding]
    layout: Layout
    #: Keys whose cell could not be read at all (sheet missing, rows shifted): no per-cell findings.
    unreadable: frozenset[str] = frozenset()
    #: Keys that already have a type finding (text, negative, ...): their ``None`` is not a blank.
    #: Metadata and narrative keys whose cell held a formula are here too.
    invalid: frozenset[str] = frozenset()
    #: Sheets whose fixed text is out of place: metadata/narrative/explanations there are not read.
    broken_sheets: frozenset[str] = frozenset()
    #: Cached results of computed cells as found in the file (``None`` when absent).
    cached: dict[str, Value] = field(default_factory=dict)
    #: What the clerk entered, as (value, data type), in every cell that has a finding of its own
    #: (text in a number cell, a formula in a text cell): `ogi feedback` writes it back as entered.
    raw: dict[str, tuple[Any, str]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Small pure helpers (also used by the tests and the importer)

def clean_text(text: str) -> tuple[str, list[str]]:
    """Text without control characters other than line breaks, nor invisible format characters
    (bidi overrides, zero-width spaces: :mod:`ogi.files.invisible`); returns (text, removed as ``\\xNN`` or
    ``U+202E``).

    Excel's ``_x000D_`` escapes are decoded first; ``\\r\\n`` and lone ``\\r`` become ``\\n``.
    """
    if "_x" in text:
        text = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    removed = _CONTROL_RE.findall(text)
    if removed:
        text = _CONTROL_RE.sub("", text)
    if not text.isascii():
        invisible = INVISIBLE_RE.findall(text)
        if invisible:
            removed += invisible
            text = INVISIBLE_RE.sub("", text)
    return text, [f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"U+{ord(ch):04X}" for ch in removed]


@lru_cache(maxsize=2048)
def normalise_formula(formula: str) -> str:
    """A formula in a canonical spelling, so that what Excel, WPS or LibreOffice write back compares
    equal to what ogi wrote: no ``=``, ``$``, ``_xlfn.``, blanks or sheet-name quotes outside string
    literals; upper case outside string literals."""
    out: list[str] = []
    parts = re.split(r'("(?:[^"]|"")*")', formula.strip().lstrip("="))
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
            continue
        part = part.replace("_xlfn.", "").replace("$", "")
        part = re.sub(r"\s+", "", part)
        part = re.sub(r"'((?:[^']|'')+)'!", lambda m: m.group(1).replace("''", "'") + "!", part)
        # 'S'!A1:'S'!B2 (as ogi writes a range) is S!A1:B2 (as LibreOffice writes it back).
        part = re.sub(r"([^(),:!=<>+\-*/&^]+)!([A-Za-z]{1,3}\d+):\1!", r"\1!\2:", part)
        out.append(part.upper())
    return "".join(out)


def _parse_date(raw: Any) -> tuple[str, bool]:
    """(YYYY-MM-DD or the text as found, ok)."""
    if raw is None:
        return "", True
    if isinstance(raw, dt.datetime | dt.date):
        return raw.strftime("%Y-%m-%d"), True
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 20000 < raw < 80000:
        day = dt.date(1899, 12, 30) + dt.timedelta(days=int(raw))
        return day.isoformat(), True
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    day = parse_date_text(text)
    if day is not None:
        return day.isoformat(), True
    return str(raw).strip(), not text


# ---------------------------------------------------------------------------------------------
# The package

@dataclass
class _Package:
    sheets: list[tuple[str, str, str]]  # (name, state, part path)
    structure_locked: bool
    parts: dict[str, bytes]
    custom: dict[str, str]
    shared_strings: str = ""  # part path of the shared string table
    styles: str = ""  # part path of the stylesheet
    date1904: bool = False


def _xml(data: bytes, path: Path, part: str) -> Any:

    try:
        return fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(f"工作簿内部含有不安全的 XML 声明（{part}），拒绝打开", path=path) from exc
    except Exception as exc:  # ParseError and friends: a damaged part
        raise InputError(f"工作簿已损坏：内部文件 {part} 无法解析，请用 WPS/Excel 打开后重新保存",
                         path=path) from exc


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = base.rsplit("/", 1)[0].split("/") if "/" in base else []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _open_package(data: bytes, path: Path) -> _Package:

    try:
        zf = check_zip_package(data, path, kind="xlsx")
    except InputError:
        raise
    except Exception as exc:  # zlib.error, EOFError ... from a damaged member
        raise InputError("工作簿已损坏（内部数据无法解压），可能是邮件附件未下载完整或文件被破坏。"
                         "请让填报单位重新发送", path=path) from exc
    names = set(zf.namelist())
    if path.suffix.lower() in (".xlsm", ".xltm") or any(n.lower().endswith("vbaproject.bin")
                                                         for n in names):
        raise InputError("这是含宏的工作簿（.xlsm），ogi 不读取含宏的文件。请用 WPS/Excel "
                         "“另存为” .xlsx 格式后再交回", path=path)
    parts: dict[str, bytes] = {}
    try:
        for name in names:
            if name.endswith((".xml", ".rels")):
                parts[name] = zf.read(name)
    except Exception as exc:
        raise InputError("工作簿已损坏（内部文件无法解压），可能是邮件附件未下载完整", path=path) from exc
    for name, blob in parts.items():
        head = blob[:4096]
        if b"<!DOCTYPE" in head or b"<!ENTITY" in blob or b"<!doctype" in head:
            raise InputError(f"工作簿内部含有不安全的 XML 声明（{name}，DTD/实体），拒绝打开", path=path)
    content_types = parts.get("[Content_Types].xml", b"")
    if b"macroEnabled" in content_types:
        raise InputError("这是含宏的工作簿（.xlsm），ogi 不读取含宏的文件。请用 WPS/Excel "
                         "“另存为” .xlsx 格式后再交回", path=path)
    root_rels = parts.get("_rels/.rels")
    wb_part = "xl/workbook.xml"
    if root_rels is not None:
        for rel in _xml(root_rels, path, "_rels/.rels").iter(f"{_PKG_REL_NS}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                wb_part = _resolve("", rel.get("Target", wb_part))
    if wb_part not in parts:
        raise InputError("这不是 Excel 工作簿（缺少 workbook.xml），无法读取", path=path)
    wb = _xml(parts[wb_part], path, wb_part)
    rels_part = _resolve(wb_part, "_rels/" + wb_part.rsplit("/", 1)[-1] + ".rels")
    targets: dict[str, str] = {}
    by_type: dict[str, str] = {}
    if rels_part in parts:
        for rel in _xml(parts[rels_part], path, rels_part).iter(f"{_PKG_REL_NS}Relationship"):
            target = _resolve(wb_part, rel.get("Target", ""))
            targets[rel.get("Id", "")] = target
            by_type[rel.get("Type", "").rsplit("/", 1)[-1]] = target
    if wb.tag.startswith("{http://purl.oclc.org/ooxml/"):
        raise InputError("这是“严格 Open XML”格式的工作簿，ogi 无法读取。请用 WPS/Excel “另存为”"
                         "普通的 Excel 工作簿（.xlsx）", path=path)
    sheets = []
    for sheet in wb.iter(f"{_NS}sheet"):
        rid = sheet.get(f"{_REL_NS}id", "")
        sheets.append((sheet.get("name", ""), sheet.get("state", "visible"), targets.get(rid, "")))
    protection = wb.find(f"{_NS}workbookProtection")
    # LibreOffice writes a protected structure back as a bare <workbookProtection/>; Excel removes
    # the element when structure protection is turned off, openpyxl writes lockStructure="0".
    locked = protection is not None and protection.get("lockStructure", "1") not in ("0", "false")
    custom: dict[str, str] = {}
    if "docProps/custom.xml" in parts:
        for prop in _xml(parts["docProps/custom.xml"], path, "docProps/custom.xml"):
            name = prop.get("name", "")
            if name.startswith("ogi_"):
                custom[name[4:]] = "".join(prop.itertext()).strip()
    pr = wb.find(f"{_NS}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "0") in ("1", "true")
    return _Package(sheets, locked, parts, custom, by_type.get("sharedStrings", ""),
                    by_type.get("styles", ""), date1904)


def _sheet_protected(xml: bytes) -> bool:
    m = _PROTECTION_RE.search(xml)
    return bool(m and _ON_RE.search(m.group(1)))


_FORMULA_CELL_RE = re.compile(
    rb"<(?:\w+:)?c\b((?:[^>/]|/(?!>))*)>"  # a cell start tag (not self-closing)
    rb"(?:(?!</?(?:\w+:)?c\b).)*?"  # ... without leaving the cell
    rb"<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"  # its formula
    rb"(?:<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>)?", re.S)  # and the cached result, if any
_ATTR_R_RE = re.compile(rb"""\br\s*=\s*["']([A-Z]+\d+)["']""")
_ATTR_T_RE = re.compile(rb"""\bt\s*=\s*["'](\w+)["']""")


def _formula_cache(xml: bytes) -> dict[str, tuple[str, str]]:
    """A1 -> (cell type, cached text) of every formula cell on one sheet.

    A byte-level scan (the sheet was already parsed by openpyxl, which does not keep cached results
    next to formulas); only used to warn about stale totals, never for a value.
    """
    out: dict[str, tuple[str, str]] = {}
    for m in _FORMULA_CELL_RE.finditer(xml):
        ref = _ATTR_R_RE.search(m.group(1))
        if ref is None:
            continue
        kind = _ATTR_T_RE.search(m.group(1))
        out[ref.group(1).decode()] = (kind.group(1).decode() if kind else "n",
                                      (m.group(2) or b"").decode("utf-8", "replace"))
    return out


# ---------------------------------------------------------------------------------------------
# Reading

Grid = dict[tuple[int, int], tuple[Any, str]]  # (row0, col0) -> (value, data_type)


def _read_only_sheet_class() -> type:
    """openpyxl's ``ReadOnlyWorksheet`` without the size probe its constructor makes.

    The probe parses the sheet up to its ``<dimension>`` element (for ogi's small sheets, with
    expat's 64 KiB feed, practically the whole sheet) only for ogi to throw the result away with
    ``reset_dimensions()``: WPS writes wrong dimensions, so ogi reads every row that is really there.
    """
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class UnsizedReadOnlyWorksheet(ReadOnlyWorksheet):  # type: ignore[misc]
        #: The part's bytes as the package pass already read them (None: from the archive).
        _ogi_xml: bytes | None = None

        def _get_size(self) -> None:
            self._min_row = self._min_column = 1
            self._max_row = self._max_column = None

        def _get_source(self) -> Any:
            if self._ogi_xml is None:
                return super()._get_source()
            return io.BytesIO(self._ogi_xml)

    return UnsizedReadOnlyWorksheet


_ROOT_RE = re.compile(rb"""<(?:\w+:)?worksheet\b(?:[^>"']|"[^"]*"|'[^']*')*>""")
_ROOT_END_RE = re.compile(rb"</((?:\w+:)?worksheet)\s*>\s*$")
_SHEET_DATA_RE = re.compile(rb"<(?:\w+:)?sheetData\b(?:[^>]*/>|.*</(?:\w+:)?sheetData\s*>)", re.S)


def _cells_only(xml: bytes) -> bytes | None:
    """The worksheet part reduced to its root element and ``<sheetData>`` (the cells), for
    openpyxl's row parser; None when the part is not plainly shaped for that (comments, CDATA,
    no or several ``sheetData``), in which case the whole part is parsed.

    Everything else in a sheet (views, columns, merges, validations, conditional formats, page
    setup) is parsed by openpyxl's read-only reader only to be dropped; for ogi's sheets it is
    most of the XML. The part as a whole must still be well-formed XML (checked by the caller).
    """
    if b"<!--" in xml or b"<![CDATA[" in xml or xml.count(b"sheetData") > 2:
        return None
    root = _ROOT_RE.search(xml)
    end = _ROOT_END_RE.search(xml)
    data = _SHEET_DATA_RE.search(xml)
    if root is None or end is None or data is None or not root.end() <= data.start():
        return None
    return root.group(0) + data.group(0) + end.group(0)


def _well_formed(xml: bytes) -> None:
    """Raise ``xml.parsers.expat.ExpatError`` unless ``xml`` is well-formed (expat, no handlers:
    no tree, no callbacks). DTDs and entity declarations never get here: the package pass refuses
    them."""

    expat.ParserCreate().Parse(xml, True)


_SHEET_CLASS: list[type] = []


@lru_cache(maxsize=1)
def _lean_reader_supported() -> bool:
    """Whether this openpyxl has the internals :func:`_open_openpyxl` builds on (3.1 does). Another
    version falls back to the public ``load_workbook``: slower, never a false 已损坏."""
    try:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet  # noqa: F401
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    except ImportError:
        return False
    return all(hasattr(ExcelReader, m) for m in ("read_manifest", "read_strings", "read_workbook")) \
        and all(hasattr(ReadOnlyWorksheet, m) for m in ("_get_size", "_get_source", "reset_dimensions"))


def _open_public(data: bytes) -> tuple[list[str], Callable[[str], Any], Callable[[], None]]:
    """The same triple as :func:`_open_openpyxl`, through ``openpyxl.load_workbook``."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    return list(wb.sheetnames), wb.__getitem__, wb.close


def _open_openpyxl(data: bytes, parts: dict[str, bytes] | None = None
                   ) -> tuple[list[str], Callable[[str], Any], Callable[[], None]]:
    """The workbook's sheet names, a function giving one read-only worksheet by name, and one
    closing the package.

    This is ``openpyxl.load_workbook(read_only=True, data_only=False, keep_links=False)`` made of
    the same :class:`openpyxl.reader.excel.ExcelReader` steps (manifest, shared strings, workbook,
    stylesheet for the date formats), minus what ogi never uses: document/custom properties and the
    theme (the package pass reads ogi's custom properties), the per-sheet relationship parts, defined
    names, and the size probe of every sheet (worksheets are made on demand, unsized). The parsers
    are openpyxl's own, with defusedxml.
    """
    if not _lean_reader_supported():
        return _open_public(data)
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    if not _SHEET_CLASS:
        _SHEET_CLASS.append(_read_only_sheet_class())
    reader = ExcelReader(io.BytesIO(data), read_only=True, keep_vba=False, data_only=False,
                         keep_links=False)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    wb = reader.wb
    valid = set(reader.valid_files)
    targets: dict[str, tuple[str, str, bool]] = {}
    names: list[str] = []
    for sheet, rel in reader.parser.find_sheets():
        if rel.target not in valid:
            continue  # as load_workbook: a sheet whose part is missing is not in the workbook
        names.append(sheet.name)
        targets.setdefault(sheet.name, (rel.target, sheet.state, "chartsheet" in rel.Type))

    def worksheet(name: str) -> Any:
        target, state, chart = targets[name]
        if chart:  # reported like any other sheet ogi cannot read cells from
            raise ValueError(f"工作表“{name}”是图表工作表，不是表格")
        ws = _SHEET_CLASS[0](wb, name, target, reader.shared_strings)
        ws.sheet_state = state
        xml = (parts or {}).get(target)
        if xml is not None:
            _well_formed(xml)
            ws._ogi_xml = _cells_only(xml) or xml
        return ws

    return names, worksheet, reader.archive.close


def _read_grid(ws: Any) -> Grid:
    grid: Grid = {}
    ws.reset_dimensions()  # WPS writes wrong <dimension> elements; read what is really there
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if value is None:
                continue
            r = getattr(cell, "row", None)
            c = getattr(cell, "column", None)
            if r is None or c is None:
                continue
            grid[(r - 1, c - 1)] = (value, cell.data_type)
    return grid


def _text(grid: Grid, row: int, col: int) -> str:
    cell = grid.get((row, col))
    if cell is None:
        return ""
    value = cell[0]
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value)


def _spec_for(template_id: str, version: str, path: Path) -> FormSpec:
    """The spec the workbook's hidden template id names (a workbook of another version, of an
    import-only spec or of a spec this ogi does not know cannot be read)."""
    current = layout_for().spec
    try:
        spec: FormSpec | None = load_spec(template_id)
    except SpecError:
        spec = None
    if spec is None or spec.import_only or str(spec.version) != version.strip():
        known = f"“{current.id}”第 {current.version} 版"
        raise InputError(f"此工作簿由模板“{template_id}”第 {version or '?'} 版生成，"
                         f"本版 ogi 使用模板{known}，两者的表格位置不同，不能直接检查。"
                         f"请用 ogi import 把它转换为当前模板的新工作簿", path=path)
    return spec


@lru_cache(maxsize=8)
def _expected(layout: Layout) -> tuple[dict[tuple[str, str], tuple[str, str, str]],
                                        dict[str, list[tuple[str, str]]]]:
    """Per layout, computed once: (sheet, A1) -> (formula, normalised formula, normalised formula
    as earlier versions wrote it), and per sheet the fixed labels ogi verifies (table labels, field
    labels, rule ids on 校验)."""
    legacy = layout.all_formulas(legacy=True)
    formulas = {k: (f, normalise_formula(f), normalise_formula(legacy[k]))
                for k, f in layout.all_formulas().items()}
    labels: dict[str, list[tuple[str, str]]] = {}
    for (sheet, addr), text in layout.label_cells().items():
        labels.setdefault(sheet, []).append((addr, text))
    # The 校验 sheet's rule rows are not verified by position: each ogi version writes the rows of
    # its own rules, and the reader finds them by rule id (see _Reader._check_row_of).
    return formulas, labels


@lru_cache(maxsize=8)
def _check_cells(layout: Layout) -> dict[str, str]:
    """A1 of each live-check result on 校验 -> its rule id (the row moves with ogi's rule list)."""
    return {row.result_address: rule_id for rule_id, row in layout.check_rows.items()}


class _Reader:
    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data
        self.findings: list[Finding] = []
        self.unreadable: set[str] = set()
        self.invalid: set[str] = set()
        self.broken: set[str] = set()
        self._check_rows: dict[str, int] | None = None
        self.raw: dict[str, tuple[Any, str]] = {}

    def add(self, code: str, **kw: Any) -> None:
        self.findings.append(make(code, **kw))

    def read(self) -> ReadResult:
        path = self.path
        pkg = _open_package(self.data, path)
        try:
            return self._read_openpyxl(pkg)
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"工作簿内部数据已损坏，无法读取（{type(exc).__name__}: "
                             f"{short(exc, 80)}）。请用 WPS/Excel 打开后重新保存为 .xlsx 再试",
                             path=path) from exc

    @staticmethod
    def formula_cache(part: str, pkg: _Package) -> dict[str, tuple[str, str]]:
        """Cached results of the formula cells of one sheet part (openpyxl drops them)."""
        return _formula_cache(pkg.parts.get(part, b""))

    def _read_openpyxl(self, pkg: _Package) -> ReadResult:
        """openpyxl's read-only mode, through :func:`_open_openpyxl` (dimensions are never trusted:
        every row of a sheet is read, see :func:`_read_grid`)."""
        path = self.path
        try:
            names, sheet, close = _open_openpyxl(self.data, pkg.parts)
        except Exception as exc:
            raise InputError(f"工作簿已损坏，无法读取（{type(exc).__name__}）。请用 WPS/Excel 打开后"
                             "重新保存为 .xlsx 再试", path=path) from exc
        try:
            return self._read(names, lambda name: _read_grid(sheet(name)), pkg)
        except Exception as exc:

            if isinstance(exc, DefusedXmlException):
                raise InputError("工作簿内部含有不安全的 XML 声明，拒绝打开", path=path) from exc
            raise
        finally:
            close()

    # -----------------------------------------------------------------------------------------
    def _read(self, names: list[str], grid_of: Callable[[str], Grid], pkg: _Package) -> ReadResult:
        path = self.path
        hidden: dict[str, str] = {}
        if SHEET_HIDDEN in names:
            grid = grid_of(SHEET_HIDDEN)
            hidden = {k: v.strip() for k, v in
                      read_hidden(lambda r, c: _text(grid, r, c), sorted({r for r, _ in grid})).items()}
        template_id = hidden.get("template_id") or pkg.custom.get("template_id", "")
        version = hidden.get("template_version") or pkg.custom.get("template_version", "")
        if not template_id:
            raise InputError("这不是 ogi 生成的填报工作簿（找不到模板信息）。请使用县级政务公开办用 "
                             "ogi new 下发的工作簿填写；已发布的年报可用 ogi import 导入", path=path)
        spec = _spec_for(template_id, version, path)
        layout = layout_for(spec.id)
        if not hidden:
            hidden = {k: v for k, v in pkg.custom.items() if v != "-"}
        self.spec, self.layout = spec, layout

        # Sheets: present, named, states, protection.
        states = {name: state for name, state, _ in pkg.sheets}
        parts = {name: part for name, _, part in pkg.sheets}
        missing = [s for s in layout.sheets if s not in names]
        extra = [s for s in names if s not in layout.sheets and s != SHEET_FEEDBACK]
        for s in missing:
            if s == SHEET_HIDDEN and pkg.custom:
                continue
            renamed = f"（可能被改名为“{extra[0]}”）" if len(missing) == 1 and len(extra) == 1 else ""
            severity = "warning" if s in _OPTIONAL_SHEETS else None
            self.add("XLSX-SHEET-MISSING", sheet=s, renamed=renamed, severity=severity)
        for s in extra:
            self.add("XLSX-SHEET-EXTRA", sheet=s)
        if states.get(SHEET_HIDDEN, "veryHidden") == "visible":
            self.add("XLSX-SHEET-VISIBLE", sheet=SHEET_HIDDEN)
        for s in layout.sheets:
            if s == SHEET_HIDDEN or s not in names:
                continue
            xml = pkg.parts.get(parts.get(s, ""), b"")
            if not _sheet_protected(xml):
                self.add("XLSX-UNPROTECTED", sheet=s)
        if not pkg.structure_locked:
            self.add("XLSX-STRUCTURE-UNLOCKED")

        grids: dict[str, Grid] = {}
        for s in layout.sheets:
            if s in names and s not in (SHEET_GUIDE, SHEET_HIDDEN):
                grids[s] = grid_of(s)
        self._check_labels(grids)
        self._check_outside(grids)

        cache_parts = {layout.address(k)[0] for k in spec.computed_keys}
        caches = {s: self.formula_cache(parts.get(s, ""), pkg)
                  for s in cache_parts if s in grids and s not in self.broken}
        values, cached, formulas_entered = self._values(grids, caches)
        totals = compute_totals(spec, values, keep_blank=True)  # incomplete data has no total
        self._check_formulas(grids, totals, formulas_entered)
        for key, found in cached.items():
            computed = totals.get(key)
            if found is not None and computed is not None and Decimal(found) != Decimal(computed):
                sheet, addr = layout.address(key)
                cell = spec.cells[key]
                self.add("XLSX-STALE-TOTAL", sheet=sheet, cell=addr, row_label=cell.row_label,
                         column_label=cell.column_label, key=key, cached=found, computed=computed)
        metadata = self._metadata(grids, hidden)
        narrative = self._narrative(grids)
        explanations = self._explanations(grids)
        report = Report(template_id=spec.id, template_version=spec.version, metadata=metadata,
                        values=totals, narrative=narrative, explanations=explanations)
        return ReadResult(path=path, report=report, findings=self.findings, layout=layout,
                          unreadable=frozenset(self.unreadable), invalid=frozenset(self.invalid),
                          broken_sheets=frozenset(self.broken), cached=cached, raw=self.raw)

    # -----------------------------------------------------------------------------------------
    def _check_labels(self, grids: dict[str, Grid]) -> None:
        """Every fixed label still at its cell; a label found k rows (or columns) away means rows
        (columns) were inserted or deleted, and the sheet's values cannot be read by position."""
        expected = _expected(self.layout)[1]
        for sheet, labels in expected.items():
            grid = grids.get(sheet)
            if grid is None:
                continue
            by_text: dict[str, list[tuple[int, int]]] | None = None  # built on first mismatch
            changed: list[tuple[str, str, str]] = []
            shift: tuple[int, int, int, int] | None = None  # row, col, dr, dc of first shifted label
            for addr, text in labels:
                r, c = _rc(addr)
                found = _text(grid, r, c)
                if found == text or fold(found) == fold(text):
                    continue
                if by_text is None:
                    by_text = {}
                    for (gr, gc), (value, _) in grid.items():
                        if isinstance(value, str):
                            by_text.setdefault(fold(value), []).append((gr, gc))
                places = by_text.get(fold(text), [])
                near = [(pr - r, pc - c) for pr, pc in places if pc == c or pr == r]
                if near and shift is None:
                    dr, dc = min(near, key=lambda d: abs(d[0]) + abs(d[1]))
                    shift = (r, c, dr, dc)
                elif not near:
                    changed.append((addr, found, text))
            if shift is not None:
                r, c, dr, dc = shift
                if dr:
                    detail = (f"第 {r + 1} 行起的内容{'下移' if dr > 0 else '上移'}了 {abs(dr)} 行"
                              f"（{'插入' if dr > 0 else '删除'}了行）")
                else:
                    detail = (f"第 {c + 1} 列起的内容{'右移' if dc > 0 else '左移'}了 {abs(dc)} 列"
                              f"（{'插入' if dc > 0 else '删除'}了列）")
                self.add("XLSX-ROWS-SHIFTED", sheet=sheet, cell=a1(r, c), detail=detail)
                self.broken.add(sheet)
                continue
            for addr, found, text in changed:
                self.add("XLSX-LABEL-CHANGED", sheet=sheet, cell=addr,
                         found=short(found) if found else "（空白）", expected=short(text, 40))
        for sheet in self.broken:
            for key in self.spec.cells:
                if self.layout.address(key)[0] == sheet:
                    self.unreadable.add(key)

    def _check_outside(self, grids: dict[str, Grid]) -> None:
        """Content below or right of a table grid: a row moved down (e.g. an inserted row in 表四,
        whose data row has no label) or figures typed off the form. ogi does not read it."""
        for tl in self.layout.tables.values():
            grid = grids.get(tl.sheet)
            if grid is None or tl.sheet in self.broken:
                continue
            last_row = max(tl.last_row, tl.check_row)
            for (r, c), (value, _) in sorted(grid.items()):
                if (r > last_row or c >= tl.table.grid_columns) and str(value).strip():
                    self.add("XLSX-OUTSIDE-TABLE", sheet=tl.sheet, cell=a1(r, c),
                             found=short(value, 20))
                    break

    def _values(self, grids: dict[str, Grid], caches: dict[str, dict[str, tuple[str, str]]]
                ) -> tuple[dict[str, Value], dict[str, Value], dict[str, tuple[Any, str]]]:
        spec, layout = self.spec, self.layout
        values: dict[str, Value] = {}
        cached: dict[str, Value] = {}
        computed_found: dict[str, tuple[Any, str]] = {}
        for key, cell in spec.cells.items():
            sheet, r, c = layout.cell(key)
            grid = grids.get(sheet)
            if grid is None or key in self.unreadable:
                self.unreadable.add(key)
                values[key] = None
                continue
            raw, data_type = grid.get((r, c), (None, "n"))
            entered = (raw, data_type)
            if cell.computed:
                computed_found[key] = (raw, data_type)
                entry = caches.get(sheet, {}).get(a1(r, c))
                if entry is not None and entry[0] in ("n", "") and entry[1]:
                    try:
                        cached[key] = as_value(Decimal(entry[1]), "count" if cell.type == "count"
                                                and "." not in entry[1] else "wan_yuan")
                    except (InvalidOperation, ValueError):
                        cached[key] = None
                continue
            if isinstance(raw, str) and data_type != "f":
                raw = clean_text(raw)[0]
            value, problems = parse_number(raw, data_type, cell.type)
            values[key] = value
            if problems:
                self.raw[key] = entered
            for code, fields in problems:
                if code != "VALUE-NORMALISED":
                    self.invalid.add(key)
                self.findings.append(make(code, **self._where(key, cell), **fields))
        return values, cached, computed_found

    def _where(self, key: str, cell: CellSpec) -> dict[str, str]:
        sheet, addr = self.layout.address(key)
        return {"sheet": sheet, "cell": addr, "row_label": cell.row_label,
                "column_label": cell.column_label, "key": key}

    def _check_formulas(self, grids: dict[str, Grid], totals: dict[str, Value],
                        entered: dict[str, tuple[Any, str]]) -> None:
        layout, spec = self.layout, self.spec
        computed_at = {layout.address(k): k for k in spec.computed_keys}
        check_cells = _check_cells(layout)
        for (sheet, addr), (formula, expected, legacy) in _expected(layout)[0].items():
            grid = grids.get(sheet)
            if grid is None or sheet in self.broken:
                continue
            r, c = _rc(addr)
            if sheet == SHEET_CHECKS and addr in check_cells:
                found_row = self._check_row_of(grid).get(check_cells[addr])
                if found_row is None:
                    continue  # a rule this workbook's ogi version did not have: nothing to verify
                r = found_row
            raw, data_type = grid.get((r, c), (None, "n"))
            if data_type == "f" and isinstance(raw, str) and \
                    (raw == formula or normalise_formula(raw) in (expected, legacy)):
                continue
            if raw is None:
                found = "空白"
            elif data_type == "f":
                found = f"公式 {short(raw, 60)}"
            elif isinstance(raw, str):
                found = f"文字“{short(raw)}”"
            else:
                found = f"数字 {short(raw)}"
            key = computed_at.get((sheet, addr))
            if key is None:
                self.add("XLSX-CHECK-FORMULA-CHANGED", sheet=sheet, cell=addr, found=found)
                continue
            cell = spec.cells[key]
            computed = totals.get(key)
            typed = parse_number(raw, data_type, cell.type)[0] if data_type != "f" else None
            if typed is not None and computed is not None and typed == computed:
                # Typed over with exactly the right figure: the formula is gone, the figure is not.
                self.add("XLSX-FORMULA-VALUE", **self._where(key, cell), found=short(raw),
                         computed=computed, formula=formula)
                continue
            self.add("XLSX-FORMULA-CHANGED", **self._where(key, cell), found=found,
                     computed="空白（有未填写的项）" if computed is None else computed,
                     formula=formula)

    def _metadata(self, grids: dict[str, Grid], hidden: dict[str, str]) -> dict[str, str]:
        grid = grids.get(SHEET_META, {})
        out: dict[str, str] = {}
        broken = SHEET_META in self.broken
        year = hidden.get("year", "").strip()
        number = year_number(year)
        example = f"{number + 1}-01-20" if number is not None else "2024-01-20"
        for m in self.spec.metadata:
            fc = self.layout.meta_fields[m.key]
            raw, data_type = (None, "n") if broken else grid.get((fc.row, 1), (None, "n"))
            # A locked field holds what ogi new wrote (the hidden copy is what counts); one ogi new
            # left open for the clerk to pick (机关类型 the name does not tell) holds the choice.
            from_hidden = m.locked and m.key in hidden and bool(hidden[m.key] or not m.choices)
            if not from_hidden:
                raw = self._no_formula(raw, data_type, fc.sheet, fc.address, m.label, m.key,
                                       "日期" if m.type == "date" else "文字")
            if m.type == "date":
                text, ok = _parse_date(raw)
                if not ok:
                    self.add("META-FORMAT", sheet=fc.sheet, cell=fc.address, row_label=m.label,
                             key=m.key, label=m.label, found=short(text), what="不是日期",
                             fix=f"请按 {example} 的格式填写日期。")
            elif raw is None:
                text = ""
            else:
                if isinstance(raw, float) and raw == int(raw):
                    raw = int(raw)
                text, removed = clean_text(str(raw))
                text = text.strip()
                if removed:
                    self.add("TEXT-CONTROL-CHARS", sheet=fc.sheet, cell=fc.address,
                             row_label=m.label, key=m.key, count=len(removed),
                             chars=" ".join(dict.fromkeys(removed)))
            if from_hidden:
                expected, removed = clean_text(hidden[m.key])
                if removed:  # written by an earlier ogi, which kept bidi controls in names
                    self.add("TEXT-CONTROL-CHARS", sheet=fc.sheet, cell=fc.address,
                             row_label=m.label, key=m.key, count=len(removed),
                             chars=" ".join(dict.fromkeys(removed)))
                if text and expected and fold(text) != fold(expected):
                    self.add("XLSX-META-CHANGED", sheet=fc.sheet, cell=fc.address, row_label=m.label,
                             key=m.key, label=m.label, found=short(text), expected=expected,
                             facts={"found": text, "expected": expected})
                text = expected
            elif m.choices and text and text not in m.choices:
                self.add("META-FORMAT", sheet=fc.sheet, cell=fc.address, row_label=m.label,
                         key=m.key, label=m.label, found=short(text), what="不是可选的类型",
                         fix=f"请从下拉列表中选择：{' / '.join(m.choices)}。")
            if m.pattern and text and not re.fullmatch(m.pattern, text):
                self.add("META-FORMAT", sheet=fc.sheet, cell=fc.address, row_label=m.label,
                         key=m.key, label=m.label, found=short(text), what=m.pattern_problem,
                         fix=m.pattern_fix)
            out[m.key] = text
        return out

    def _narrative(self, grids: dict[str, Grid]) -> dict[str, str]:
        out: dict[str, str] = {}
        for n in self.spec.narrative:
            fc = self.layout.narrative_fields[n.key]
            grid = grids.get(fc.sheet)
            if grid is None or fc.sheet in self.broken:
                out[n.key] = ""
                continue
            raw, data_type = grid.get((fc.row, 1), (None, "n"))
            raw = self._no_formula(raw, data_type, fc.sheet, fc.address, n.label, n.key, "文字")
            if raw is None:
                out[n.key] = ""
                continue
            if isinstance(raw, float) and raw == int(raw):
                raw = int(raw)
            text, removed = clean_text(str(raw))
            if removed:
                self.add("TEXT-CONTROL-CHARS", sheet=fc.sheet, cell=fc.address, row_label=n.label,
                         key=n.key, count=len(removed), chars=" ".join(dict.fromkeys(removed)))
            out[n.key] = text.strip()
        return out

    def _no_formula(self, raw: Any, data_type: str, sheet: str, cell: str, label: str, key: str,
                    what: str) -> Any:
        """``raw``, or None with a TEXT-FORMULA error when the text or date cell holds a formula
        (or formula source as text): formula source never reaches a report, ``--force`` prints the
        cell blank. The key is marked invalid, so that its blank is not reported again."""
        source = formula_source(raw, data_type)
        if source is None:
            return raw
        self.add("TEXT-FORMULA", sheet=sheet, cell=cell, row_label=label, key=key, what=what,
                 found=short(source, 60))
        self.invalid.add(key)
        self.raw[key] = (source, "s")
        return None

    def _explanations(self, grids: dict[str, Grid]) -> dict[str, str]:
        grid = grids.get(SHEET_CHECKS)
        out: dict[str, str] = {}
        if grid is None or SHEET_CHECKS in self.broken:
            return out
        rows = self._check_row_of(grid)
        for rule_id, row in self.layout.check_rows.items():
            r = rows.get(rule_id)
            if r is None:
                continue
            text = clean_text(_text(grid, r, _rc(row.explanation_address)[1]))[0].strip()
            if text:
                out[rule_id] = text
        general = clean_text(_text(grid, rows.get(GENERAL_EXPLANATION, -1), 1))[0].strip()
        if general:
            out[GENERAL_EXPLANATION] = general
        return out

    def _check_row_of(self, grid: Grid) -> dict[str, int]:
        """Rule id (and GENERAL_EXPLANATION) -> row on this workbook's 校验 sheet. Workbooks written
        by an earlier ogi have other rules, in other rows: rows are found by the id they carry."""
        if self._check_rows is None:
            known = self.layout.check_rows
            rows: dict[str, int] = {}
            for (r, c), (value, _) in grid.items():
                if c != 0 or not isinstance(value, str):
                    continue
                text = value.strip()
                if text in known:
                    rows.setdefault(text, r)
                elif text == GENERAL_EXPLANATION_LABEL:
                    rows.setdefault(GENERAL_EXPLANATION, r)
            self._check_rows = rows
        return self._check_rows


@lru_cache(maxsize=4096)
def _rc(addr: str) -> tuple[int, int]:
    m = _CELL_RE.match(addr)
    if not m:
        raise ValueError(addr)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def read_workbook(path: Path, data: bytes | None = None) -> ReadResult:
    """Read one returned workbook. Raises :class:`InputError` when the file cannot be used at all;
    everything else is a finding. The file is only ever read. ``data``: its bytes, already read
    (a zip attachment's member; ``path`` then only names it in messages)."""

    path = Path(path)
    if data is None:
        data = read_capped(path, what="工作簿")
    return read_workbook_data(data, path)


def read_workbook_data(data: bytes, path: Path) -> ReadResult:
    """:func:`read_workbook` of bytes already read (``path`` names them in messages)."""
    return _Reader(Path(path), data).read()
