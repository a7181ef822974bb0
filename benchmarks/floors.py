"""The floors ogi is measured against: the least work that produces the same output.

* ``record_workbook`` / ``replay_workbook``: a bare xlsxwriter build of exactly the workbook ogi
  writes. The call log (every ``add_format``, ``write_*``, ``merge_range``, ``data_validation``,
  ``conditional_format``, ...) is recorded once from ogi's own builder; replaying it calls xlsxwriter
  directly with no spec, layout, rule evaluation or structure lock. The agency name is substituted
  into every string, so each replayed workbook is the one ogi would write for that agency.
* ``read_floor``: read a workbook's sheet XML with zipfile + lxml into {(sheet, A1): value}.
* ``DocxFloor``: write a DOCX by plain string substitution of ``{{ key }}`` into the template's
  document.xml (paragraph loops ``{%p for %}`` expanded by copying the paragraph) and re-zipping.

This module imports only the standard library, xlsxwriter and lxml, so that a floor process pays no
import cost ogi would not also pay.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from xlsxwriter.workbook import Workbook as _RealWorkbook  # ogi's recording patches the module's

# ---------------------------------------------------------------------------------------------
# Workbook: record once through ogi, replay with bare xlsxwriter
# ---------------------------------------------------------------------------------------------


class _FormatToken:
    def __init__(self, index: int) -> None:
        self.index = index


Call = tuple[int, str, tuple[Any, ...], dict[str, Any]]  # (sheet index or -1, method, args, kwargs)


class _Recorder:
    """Records every public method call made on ``real`` (an xlsxwriter Workbook or Worksheet)
    and passes it on, so that ogi can also read the sheet back (ogi.workbook.print_setup measures the
    cells it wrote); attributes and private methods are passed on without being recorded."""

    def __init__(self, book: _BookRecorder, index: int, real: Any) -> None:
        self._book, self._index, self._real = book, index, real

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if name.startswith("_") or not callable(attr):
            return attr

        def method(*args: Any, **kwargs: Any) -> Any:
            self._book.calls.append((self._index, name, args, kwargs))
            return attr(*self._book.real(args), **self._book.real(kwargs))

        return method


class _BookRecorder(_Recorder):
    """Stands in for ``xlsxwriter.Workbook`` while ogi builds one workbook."""

    last: _BookRecorder | None = None

    def __init__(self, target: Any, options: dict[str, Any] | None = None) -> None:
        self.options = dict(options or {})
        self.formats: list[dict[str, Any]] = []
        self.sheets: list[str] = []
        self.calls: list[Call] = []
        self._real_formats: list[Any] = []
        super().__init__(self, -1, _RealWorkbook(io.BytesIO(), {**self.options, "in_memory": True}))
        _BookRecorder.last = self

    def real(self, value: Any) -> Any:
        """``value`` with every format token replaced by the real format."""
        if isinstance(value, _FormatToken):
            return self._real_formats[value.index]
        if isinstance(value, (tuple, list)):
            return type(value)(self.real(v) for v in value)
        if isinstance(value, dict):
            return {k: self.real(v) for k, v in value.items()}
        return value

    def add_format(self, props: dict[str, Any] | None = None) -> _FormatToken:
        self.formats.append(dict(props or {}))
        self._real_formats.append(self._real.add_format(dict(props or {})))
        return _FormatToken(len(self.formats) - 1)

    def add_worksheet(self, name: str) -> _Recorder:
        self.sheets.append(name)
        return _Recorder(self, len(self.sheets) - 1, self._real.add_worksheet(name))

    def close(self) -> None:
        self._real.close()


def record_workbook(agency_name: str, year: int = 2023) -> dict[str, Any]:
    """The xlsxwriter call log of ogi's workbook for ``agency_name`` (plain, picklable data)."""
    from unittest import mock

    from ogi.form.layout import layout_for
    from ogi.workbook import xlsx_writer

    builder = xlsx_writer.WorkbookBuilder(layout_for())
    with mock.patch.object(xlsx_writer.xlsxwriter, "Workbook", _BookRecorder), \
            mock.patch.object(xlsx_writer, "lock_structure", lambda data, password="": b""):
        builder.build(xlsx_writer.Agency(agency_name), xlsx_writer.WorkbookOptions(year=year))
    rec = _BookRecorder.last
    assert rec is not None
    return {"agency": agency_name, "options": rec.options, "formats": rec.formats,
            "sheets": rec.sheets, "calls": [_plain(c) for c in rec.calls]}


def _plain(value: Any) -> Any:
    if isinstance(value, _FormatToken):
        return ("__fmt__", value.index)
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _needs(value: Any, old: str) -> bool:
    if isinstance(value, str):
        return old in value
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__fmt__":
        return True
    if isinstance(value, (tuple, list)):
        return any(_needs(v, old) for v in value)
    if isinstance(value, dict):
        return any(_needs(v, old) for v in value.values())
    return False


def _compiled(recording: dict[str, Any]) -> list[tuple[int, str, tuple[Any, ...], dict[str, Any],
                                                       list[int], list[int], bool]]:
    """Each call with the positions of its format and agency-name arguments, worked out once per
    recording (as any program writing a fixed layout has them in its source)."""
    cached = recording.get("_compiled")
    if cached is None:
        old = recording["agency"]
        cached = []
        for index, name, args, kwargs in recording["calls"]:
            fmt_pos = [i for i, a in enumerate(args) if isinstance(a, tuple) and len(a) == 2
                       and a[0] == "__fmt__"]
            str_pos = [i for i, a in enumerate(args) if isinstance(a, str) and old in a]
            nested = any(_needs(a, old) for i, a in enumerate(args)
                         if i not in fmt_pos and i not in str_pos) or _needs(kwargs, old)
            cached.append((index, name, args, kwargs, fmt_pos, str_pos, nested))
        recording["_compiled"] = cached
    return cached


def replay_workbook(recording: dict[str, Any], agency_name: str) -> bytes:
    """Build the recorded workbook for another agency with nothing but xlsxwriter."""
    import xlsxwriter

    old = recording["agency"]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, recording["options"])
    formats = [wb.add_format(p) for p in recording["formats"]]
    sheets = [wb.add_worksheet(n) for n in recording["sheets"]]

    def real(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(old, agency_name) if old in value else value
        if isinstance(value, tuple):
            if len(value) == 2 and value[0] == "__fmt__":
                return formats[value[1]]
            return tuple(real(v) for v in value)
        if isinstance(value, list):
            return [real(v) for v in value]
        if isinstance(value, dict):
            return {k: real(v) for k, v in value.items()}
        return value

    for index, name, args, kwargs, fmt_pos, str_pos, nested in _compiled(recording):
        target = wb if index < 0 else sheets[index]
        if nested:
            getattr(target, name)(*real(args), **real(kwargs))
            continue
        if fmt_pos or str_pos:
            args = list(args)
            for i in fmt_pos:
                args[i] = formats[args[i][1]]
            for i in str_pos:
                args[i] = args[i].replace(old, agency_name)
        getattr(target, name)(*args, **kwargs)
    wb.close()
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Reading: zipfile + lxml
# ---------------------------------------------------------------------------------------------

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def read_floor(data: bytes) -> dict[tuple[str, str], Any]:
    """Every cell value of every sheet: {(sheet name, A1): str | float}. No checks at all."""
    from lxml import etree

    zf = zipfile.ZipFile(io.BytesIO(data))
    shared: list[str] = []
    if "xl/sharedStrings.xml" in zf.namelist():
        root = etree.fromstring(zf.read("xl/sharedStrings.xml"))
        shared = ["".join(si.itertext()) for si in root.iter(f"{_NS}si")]
    book = etree.fromstring(zf.read("xl/workbook.xml"))
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_PKG}Relationship")}
    out: dict[tuple[str, str], Any] = {}
    for sheet in book.iter(f"{_NS}sheet"):
        target = targets[sheet.get(f"{_RNS}id")].lstrip("/")
        path = target if target.startswith("xl/") else f"xl/{target}"
        name = sheet.get("name")
        root = etree.fromstring(zf.read(path))
        for c in root.iter(f"{_NS}c"):
            v = c.find(f"{_NS}v")
            t = c.get("t")
            if t == "s" and v is not None:
                value: Any = shared[int(v.text)]
            elif t == "inlineStr":
                value = "".join(c.itertext())
            elif v is not None and v.text is not None:
                value = v.text if t in ("str", "e", "b") else float(v.text)
            else:
                continue
            out[(name, c.get("r"))] = value
    return out


# ---------------------------------------------------------------------------------------------
# Writing the DOCX: string substitution into document.xml, then re-zip
# ---------------------------------------------------------------------------------------------

_PARA = re.compile(r"<w:p[ >].*?</w:p>", re.S)
_VAR = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_TAG_SPLIT = re.compile(r"(\{\{|\{%|%\}|\}\})")


def _join_runs(xml: str) -> str:
    """Word splits ``{{ x }}`` over several runs; docxtpl joins them too. Here: drop the run
    boundaries inside any tag (the cheapest correct-enough equivalent)."""

    def fix(m: re.Match[str]) -> str:
        return re.sub(r"<[^>]+>", "", m.group(0))

    return re.sub(r"\{[{%].*?[%}]\}", fix, xml, flags=re.S)


Segment = tuple[Any, ...]  # ("text", str) | ("var", expr) | ("loop", var, seq expr, [segments])


def _lookup(expr: str, context: Mapping[str, Any]) -> Any:
    value: Any = context
    for part in expr.split("|")[0].strip().split("."):
        value = value.get(part, "") if isinstance(value, Mapping) else getattr(value, part, "")
    return value


def _compile_vars(xml: str) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    xml = re.sub(r"\{%.*?%\}", "", xml)  # inline if/else: both bodies kept (a floor may write more)
    for m in _VAR.finditer(xml):
        out.append(("text", xml[pos:m.start()]))
        out.append(("var", m.group(1)))
        pos = m.end()
    out.append(("text", xml[pos:]))
    return out


def _compile(xml: str) -> list[Segment]:
    """Split a part once into literal text, variables and paragraph loops (``{%p for %}``); other
    ``{%p %}`` tag paragraphs (if/else) are dropped, their bodies kept."""
    out: list[Segment] = []
    pos = 0
    loop: tuple[str, str, int] | None = None
    for m in _PARA.finditer(xml):
        p = m.group(0)
        if "{%p" not in p:
            continue
        head = re.search(r"\{%p\s+for\s+(\w+)\s+in\s+([^%]+?)\s*%\}", p)
        if head and loop is None:
            out.extend(_compile_vars(xml[pos:m.start()]))
            loop = (head.group(1), head.group(2), m.end())
        elif "endfor" in p and loop is not None:
            out.append(("loop", loop[0], loop[1], _compile_vars(xml[loop[2]:m.start()])))
            loop = None
        elif loop is None:
            out.extend(_compile_vars(xml[pos:m.start()]))
        pos = m.end()
    out.extend(_compile_vars(xml[pos:]))
    return out


def _render(segments: list[Segment], context: Mapping[str, Any], parts: list[str]) -> None:
    for seg in segments:
        if seg[0] == "text":
            parts.append(seg[1])
        elif seg[0] == "var":
            parts.append(escape(str(_lookup(seg[1], context))))
        else:
            _, var, seq, body = seg
            for item in _lookup(seq, context) or ():
                _render(body, {**context, var: item}, parts)


class DocxFloor:
    """A template held in memory, split once; ``render(context)`` returns DOCX bytes."""

    def __init__(self, template: bytes) -> None:
        zf = zipfile.ZipFile(io.BytesIO(template))
        self.members = [(info, zf.read(info.filename)) for info in zf.infolist()]
        self.parts = {i.filename: _compile(_join_runs(d.decode("utf-8"))) for i, d in self.members
                      if i.filename.endswith(".xml") and (b"{{" in d or b"{%" in d)}

    def render(self, context: Mapping[str, Any]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, data in self.members:
                if info.filename in self.parts:
                    pieces: list[str] = []
                    _render(self.parts[info.filename], context, pieces)
                    data = "".join(pieces).encode("utf-8")
                zf.writestr(info, data)
        return out.getvalue()
