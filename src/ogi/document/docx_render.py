"""Report -> the official DOCX, through the Word template ``docx_templates/<template id>.docx``.

The template (built by ``docx_templates/build_template.py``) holds every label, merge and style; this
module only supplies values. Rendering is docxtpl's: its ``patch_xml`` turns the Word XML into a Jinja
template (``{%p for %}`` paragraphs, ``{{ }}`` split across runs) and its ``resolve_listing`` post-pass
runs on the result, with ``autoescape=True`` and ``StrictUndefined``. The template is *prepared once*
(parsed, patched and compiled) and reused for every report of a batch, so a county office's 60
workbooks do not pay 60 template compilations.

Output is deterministic: the same Report gives byte-identical DOCX files (fixed zip timestamps and
member order, document properties derived from the report only), so an archive can be verified by
hash and a re-run changes nothing.

Placeholders: Jinja names cannot contain dots, so a cell key maps to a placeholder with
:func:`placeholder` (``t3.new_received.natural_person`` -> ``t3__new_received__natural_person``). The
template builder and this renderer both call it; nothing else spells a placeholder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import marshal
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape as xml_escape

from ..errors import OgiError
from ..files.safe_io import safe_filename
from ..form.report import Report, Value
from ..form.spec import DEFAULT_TEMPLATE, SPEC_DIR_ENV, FormSpec, load_spec, spec_override
from ..resources import docx_template_path
from .typeset import signature, title_lines

#: Metadata keys that are not printed in the published report. Everything else the spec defines
#: (metadata, narrative, every numeric cell and fee field) is a template variable; a test asserts it.
#: agency_id and agency_type go into the document properties (dc:identifier, cp:category) so that an
#: archive can match files to agencies; the preparer's name is for the county office's follow-up only
#: and is deliberately kept out of a document the public downloads.
NOT_IN_TEMPLATE: dict[str, str] = {
    "agency_id": "document property dc:identifier",
    "agency_type": "document property cp:category",
    "preparer": "internal: the clerk's name is not published",
    "publish_date": "printed in the 落款 as signature.date (ogi.document.typeset)",
}

#: Template variables ogi derives from the report (not spec keys): the title's lines and the 落款's
#: lines and indents, placed by :mod:`ogi.document.typeset`.
DERIVED = ("title_lines", "signature")
#: One body character in twips: 3号 (16 pt) less the template's 0.25 pt character spacing.
BODY_EM_TWIPS = 315
#: The text width in twips (A4 less 28 + 26 mm margins; docx_templates/build_template.py asserts its TEXT_W equals it).
BODY_TEXT_TWIPS = 8845

#: Zip timestamp of every member (the earliest a zip can carry): identical inputs, identical bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
DOCUMENT_XML = "word/document.xml"
CORE_XML = "docProps/core.xml"

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# Characters XML 1.0 cannot carry, and other invisible controls that have no place in a report.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\ufffe\uffff\u200b\u00ad]"
                      r"|[\ud800-\udfff]")
_INLINE_SPACE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f ]+")
#: Spaces a clerk types at the start of a paragraph to indent it (the style indents already).
_LEADING = " \t\u3000\u00a0"


#: Characters docxtpl's ``resolve_listing`` acts on (\r: lxml would write it as &#13;).
_LISTING_CHARS = re.compile(r"[\t\a\n\f\r]")
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_LXML_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"
#: A start tag directly followed by its end tag (possessive: no backtracking over 90 KB of XML).
_EMPTY_ELEMENT = re.compile(r"<([A-Za-z_][\w.\-:]*+)((?:\s[^<>]*+)?+)></\1>")


def _canonical_part(xml: str) -> bytes:
    """A rendered part as lxml would re-serialise it, without building a tree.

    The template's XML was serialised by lxml when it was prepared, and Jinja only puts escaped
    text between its tags (the only variables in attributes are the 落款's integer indents and its
    alignment word), so the rendering differs from lxml's own output in exactly three ways: the XML
    declaration's quotes, markupsafe's ``&#34;`` / ``&#39;`` for quotes (lxml writes quotes in text
    as they are) and elements emptied by a blank value (``<w:t ...></w:t>``, lxml writes
    ``<w:t .../>``). A test holds this to the parse + re-serialise path byte for byte.

    A rendering that is not well-formed XML must never reach a file: expat parses it strictly (no
    tree, no callbacks) and a failure is a :class:`RenderError`.
    """

    if xml.startswith(_DECLARATION):
        xml = _LXML_DECLARATION + xml[len(_DECLARATION):]
    if "&#" in xml:
        xml = xml.replace("&#34;", '"').replace("&#39;", "'")
    if "></" in xml:
        xml = _EMPTY_ELEMENT.sub(r"<\1\2/>", xml)
    data = xml.encode("utf-8")
    try:
        expat.ParserCreate().Parse(data, True)
    except expat.ExpatError as exc:
        raise RenderError(f"生成的 Word 文档内容不是合法的 XML（{exc}），未写出") from exc
    return data


class RenderError(OgiError):
    """The Word template is missing, malformed or does not fit the form spec."""


def placeholder(key: str) -> str:
    """The template variable of a spec key: dots become double underscores.

    Spec key segments never contain ``__`` (they are ``[a-z][a-z0-9_]*`` with single underscores),
    so the mapping is one to one and :func:`key_of` reverses it.
    """
    if "__" in key or not key or not re.fullmatch(r"[a-z][a-z0-9_.]*", key):
        raise ValueError(f"not a spec key: {key!r}")
    return key.replace(".", "__")


def key_of(name: str) -> str:
    """The spec key of a template variable (inverse of :func:`placeholder`)."""
    return name.replace("__", ".")


def template_keys(spec: FormSpec) -> set[str]:
    """Every spec key that must appear in the Word template as a variable."""
    keys = {m.key for m in spec.metadata if m.key not in NOT_IN_TEMPLATE}
    keys |= set(spec.narrative_keys)
    keys |= set(spec.cells)
    return {placeholder(k) for k in keys} | set(DERIVED)


# ------------------------------------------------------------------------------------------------
# Values as printed


class Shown(str):
    """A value as the report prints it, plus what the template's conditions need to know."""

    zero: bool
    blank: bool

    def __new__(cls, text: str, *, zero: bool = False, blank: bool = False) -> Shown:
        obj = super().__new__(cls, text)
        obj.zero = zero
        obj.blank = blank
        return obj


def format_value(value: Value) -> str:
    """Counts as integers, amounts as exact decimals as entered (5949.088667 stays 5949.088667; no
    rounding, no padding, never scientific notation); a blank stays blank."""
    if value is None:
        return ""
    if isinstance(value, bool):  # bool is an int; never expected, never printed as True
        raise TypeError("boolean is not a report value")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        text = format(value, "f")
        return "0" if text.startswith("-") and Decimal(text) == 0 else text
    raise TypeError(f"unexpected value type {type(value).__name__}")


def shown(value: Value) -> Shown:
    return Shown(format_value(value), zero=value is not None and value == 0, blank=value is None)


def clean_inline(text: str) -> str:
    """One line of text for a run: no line breaks, tabs or control characters."""
    text = unicodedata.normalize("NFC", str(text))
    text = _LINE_BREAKS.sub(" ", text)
    text = _CONTROL.sub("", text)
    return _INLINE_SPACE.sub(" ", text).strip(_LEADING)


def paragraphs(text: str | None) -> list[str]:
    """A workbook cell's text as report paragraphs: each line break starts a paragraph, empty lines
    are dropped, indentation typed by the clerk is removed (the style indents two characters), tabs
    become one space and control characters disappear. No paragraph ever contains a line break."""
    if not text:
        return []
    out = []
    for line in _LINE_BREAKS.split(unicodedata.normalize("NFC", str(text))):
        line = clean_inline(line)
        if line:
            out.append(line)
    return out


def format_date(text: str) -> str:
    """``2024-01-20`` (or a datetime string) -> ``2024年1月20日``; anything else as entered."""
    text = clean_inline(text)
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?", text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        try:
            dt.date(y, mo, d)
        except ValueError:
            return text
        return f"{y}年{mo}月{d}日"
    return text


def build_context(report: Report, spec: FormSpec) -> dict[str, Any]:
    """The template context: exactly the template's variables (see :func:`template_keys`)."""
    ctx: dict[str, Any] = {}
    for m in spec.metadata:
        if m.key in NOT_IN_TEMPLATE:
            continue
        raw = report.metadata.get(m.key) or ""
        ctx[m.key] = format_date(raw) if m.type == "date" else clean_inline(raw)
    for key in spec.narrative_keys:
        ctx[key] = paragraphs(report.narrative.get(key))
    for key in spec.cells:
        ctx[placeholder(key)] = shown(report.values.get(key))
    ctx.update(layout_context(report, spec))
    return ctx


def layout_context(report: Report, spec: FormSpec) -> dict[str, Any]:
    """The title's lines and the 落款 (see :data:`DERIVED`), indents in twips."""

    name = clean_inline(report.agency_name)
    sig = signature(name, format_date(report.metadata.get("publish_date") or ""),
                    BODY_TEXT_TWIPS / BODY_EM_TWIPS)
    left = sig.date_left is not None
    return {
        "title_lines": title_lines(report_title(report, spec), name),
        "signature": {"name_lines": list(sig.name_lines), "date": sig.date,
                      "name_right": round(sig.name_right * BODY_EM_TWIPS),
                      "date_jc": "left" if left else "right",
                      "date_left": round((sig.date_left or 0) * BODY_EM_TWIPS),
                      "date_right": 0 if left else round(sig.date_right * BODY_EM_TWIPS)},
    }


def report_title(report: Report, spec: FormSpec) -> str:
    return spec.report_title.format(agency_name=clean_inline(report.agency_name),
                                    year=clean_inline(report.metadata.get("year", "")))


# ------------------------------------------------------------------------------------------------
# Deterministic packaging


def write_package(members: list[tuple[str, bytes]]) -> bytes:
    """Zip OOXML parts with fixed timestamps, attributes and order: same parts, same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buf.getvalue()


def core_properties_xml(*, title: str, creator: str, subject: str, identifier: str = "",
                        category: str = "", description: str = "", when: dt.datetime) -> bytes:
    """docProps/core.xml with the given values and a fixed created/modified time."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def el(tag: str, value: str) -> str:
        return f"<{tag}>{xml_escape(value)}</{tag}>" if value else ""

    body = "".join([
        el("dc:title", title), el("dc:subject", subject), el("dc:creator", creator),
        el("cp:category", category), el("dc:identifier", identifier),
        el("dc:description", description), el("cp:lastModifiedBy", creator),
        "<cp:revision>1</cp:revision>",
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>',
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>',
    ])
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            + body + "</cp:coreProperties>").encode("utf-8")


def document_time(report: Report) -> dt.datetime:
    """The document's created/modified stamp: the publication date when it is a date, else the
    first day after the reporting year. Derived from the report, so re-renders are identical."""
    m = re.fullmatch(r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2}).*", report.metadata.get("publish_date") or "")
    if m:
        try:
            return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    year = report.year
    if year is not None and 1900 <= year < 9999:
        return dt.datetime(year + 1, 1, 1)
    return dt.datetime(2021, 9, 29)


# ------------------------------------------------------------------------------------------------
# The prepared template


@dataclass
class _Part:
    """One XML part with Jinja content, compiled once."""

    name: str
    prefix: str  # text before the rendered fragment (document.xml: up to <w:body>)
    suffix: str
    template: Any  # jinja2.Template
    source: str  # the patched Jinja source
    variables: set[str]  # the template variables it uses (jinja2.meta)


def _has_escaped_delimiters(source: str) -> bool:
    return any(escape in source for escape in ("{_{", "}_}", "{_%", "%_}"))


# ------------------------------------------------------------------------------------------------
# The prepared template's cache: docxtpl's patch_xml and Jinja's compilation of the Word template
# take ≈ 100 ms, about a fifth of a cold `ogi fill x.xlsx`. Their result (patched Jinja source,
# variables, compiled code) depends only on the template's bytes and the library versions, so it
# is kept in a per-user cache, as Jinja's own FileSystemBytecodeCache keeps compiled templates.

#: Bump when the cached entry's layout changes.
_CACHE_FORMAT = "ogi-prepared-template-1"


def template_cache_dir() -> Path | None:
    """Where prepared templates are cached: ``OGI_CACHE_DIR`` when set (empty, ``0`` or ``off``:
    no cache), else ``%LOCALAPPDATA%\\ogi\\cache`` on Windows and ``$XDG_CACHE_HOME/ogi`` (or
    ``~/.cache/ogi``) elsewhere."""

    env = os.environ.get("OGI_CACHE_DIR")
    if env is not None:
        return Path(env) if env.strip() and env.strip().lower() not in ("0", "off", "no") else None
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "ogi" / "cache" if base else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ogi"


def _cache_file(template: bytes) -> Path | None:
    import importlib.util
    from importlib.metadata import version

    folder = template_cache_dir()
    if folder is None:
        return None
    try:
        libs = f"{version('docxtpl')}|{version('jinja2')}|{version('markupsafe')}"
    except Exception:  # metadata missing: no cache rather than a stale one
        return None
    h = hashlib.sha256(template)
    h.update(f"|{libs}|{importlib.util.MAGIC_NUMBER.hex()}|{_CACHE_FORMAT}".encode())
    return folder / f"template-{h.hexdigest()[:32]}.bin"


def _cache_load(path: Path | None) -> dict[str, tuple[str, str, str, tuple[str, ...], Any]] | None:
    """The cached parts, or None (no cache, unreadable or damaged entry: prepared afresh)."""

    if path is None:
        return None
    try:
        entry = marshal.loads(path.read_bytes())
        if not isinstance(entry, dict) or entry.get("format") != _CACHE_FORMAT:
            return None
        parts = entry["parts"]
        for value in parts.values():
            prefix, suffix, source, variables, code = value
            if not (isinstance(prefix, str) and isinstance(suffix, str) and isinstance(source, str)
                    and isinstance(variables, tuple) and hasattr(code, "co_code")):
                return None
        return parts  # type: ignore[no-any-return]
    except Exception:
        return None


def _cache_store(path: Path, parts: dict[str, tuple[str, str, str, tuple[str, ...], Any]]) -> None:
    """Write the entry atomically; a cache that cannot be written is simply not used."""

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps({"format": _CACHE_FORMAT, "parts": parts}))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception:
        pass


class PreparedTemplate:
    """A Word template parsed, patched and compiled once, rendered many times.

    ``render(report)`` returns DOCX bytes. Thread- and process-safe to reuse (no state changes after
    construction); each worker process of a batch prepares its own.
    """

    def __init__(self, template: bytes | Path | None = None, *, spec: FormSpec | None = None) -> None:
        import jinja2
        from docxtpl import DocxTemplate
        from lxml import etree

        self.spec = spec or load_spec(DEFAULT_TEMPLATE)
        if template is None:
            template = (spec_override(self.spec.id, ".docx")
                        or docx_template_path(f"{self.spec.id}.docx"))
        if isinstance(template, Path):
            if not template.is_file():
                raise RenderError("找不到 Word 模板", path=template)
            template = template.read_bytes()
        self._etree = etree
        try:
            zf = zipfile.ZipFile(io.BytesIO(template))
            self._members = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            raise RenderError(f"Word 模板已损坏：{exc}") from exc
        names = [n for n, _ in self._members]
        if DOCUMENT_XML not in names:
            raise RenderError("Word 模板缺少 word/document.xml")
        # docxtpl's patching needs only the instance, not an opened document.
        self._tpl = DocxTemplate(io.BytesIO(template))
        self.env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
        self._parts: dict[str, _Part] = {}
        cache_file = _cache_file(template)
        cached = _cache_load(cache_file)
        fresh: dict[str, tuple[str, str, str, tuple[str, ...], Any]] = {}
        for name, data in self._members:
            is_doc = name == DOCUMENT_XML
            is_hf = re.fullmatch(r"word/(header|footer)\d*\.xml", name) is not None
            if not (is_doc or is_hf):
                continue
            text = data.decode("utf-8")
            if not is_doc and not re.search(r"\{[{%]", text):
                continue
            entry = cached.get(name) if cached is not None else None
            if entry is not None:
                self._parts[name] = self._from_code(name, *entry)
                continue
            part, code = self._prepare(name, text, whole=not is_doc)
            self._parts[name] = part
            fresh[name] = (part.prefix, part.suffix, part.source, tuple(sorted(part.variables)), code)
        if cache_file is not None and fresh and cached is None:
            _cache_store(cache_file, fresh)
        self.variables = self._variables()

    def _from_code(self, name: str, prefix: str, suffix: str, source: str,
                   variables: tuple[str, ...], code: Any) -> _Part:
        compiled = self.env.template_class.from_code(self.env, code, self.env.make_globals(None), None)
        return _Part(name, prefix, suffix, compiled, source, set(variables))

    def _prepare(self, name: str, text: str, *, whole: bool) -> tuple[_Part, Any]:
        etree = self._etree
        root = etree.fromstring(text.encode("utf-8"))
        if whole:
            prefix, suffix = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', ""
            src = etree.tostring(root, encoding="unicode")
        else:
            body = root.find(f"{{{_W_NS}}}body")
            if body is None:
                raise RenderError("Word 模板的 document.xml 没有正文（w:body）")
            marker = "OGI-BODY-PLACEHOLDER"
            src = etree.tostring(body, encoding="unicode")
            stub = etree.SubElement(root, "{urn:ogi}stub")
            stub.text = marker
            root.replace(body, stub)
            whole_xml = etree.tostring(root, encoding="unicode")
            head, tail = re.split(r"<[^<>]*stub[^<>]*>" + marker + r"</[^<>]*stub>", whole_xml)
            prefix = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + head
            suffix = tail
        src = self._tpl.patch_xml(src)
        src = re.sub(r"<w:p([ >])", r"\n<w:p\1", src)
        from jinja2 import meta

        try:  # parsed once: the syntax tree gives the variables and is compiled
            tree = self.env.parse(src)
            variables = meta.find_undeclared_variables(tree)
            code = self.env.compile(tree)  # what env.from_string(tree) does, keeping the code
        except Exception as exc:  # jinja2.TemplateSyntaxError
            raise RenderError(f"Word 模板 {name} 中的模板语法有误：{exc}") from exc
        return self._from_code(name, prefix, suffix, src, tuple(variables), code), code

    def _variables(self) -> set[str]:
        found: set[str] = set()
        for part in self._parts.values():
            found |= part.variables
        return found

    def check_against_spec(self) -> None:
        """Raise :class:`RenderError` unless the template's variables are exactly the spec's keys."""
        expected = template_keys(self.spec)
        missing = sorted(expected - self.variables)
        extra = sorted(self.variables - expected)
        if missing or extra:
            parts = []
            if missing:
                parts.append("缺少变量 " + "、".join(missing[:5]) + ("等" if len(missing) > 5 else ""))
            if extra:
                parts.append("多出变量 " + "、".join(extra[:5]) + ("等" if len(extra) > 5 else ""))
            raise RenderError("Word 模板与表式定义不一致：" + "；".join(parts))

    def _render_part(self, part: _Part, context: Mapping[str, Any], *, fast: bool = True) -> bytes:
        xml = part.template.render(context)
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        if _has_escaped_delimiters(part.source):
            # docxtpl's escapes for a literal {{ or {% written in the template itself. Applied to the
            # whole output only when the template has one: otherwise a clerk's own text "{_%" would
            # lose a character.
            xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if fast and not _LISTING_CHARS.search(xml):
            return _canonical_part(part.prefix + xml + part.suffix)
        # docxtpl's listing pass turns \t, \a, \n, \f inside text into tabs, paragraphs, breaks
        # and page breaks; ogi's context never contains them (build_context cleans every value),
        # so this path is only taken for a template that writes them itself.
        xml = self._tpl.resolve_listing(xml)
        data = (part.prefix + xml + part.suffix).encode("utf-8")
        # Parse strictly: a rendering that is not well-formed XML must never reach a file. The
        # re-serialisation also writes text canonically (Jinja's &#34; / &#39; become plain quotes).
        root = self._etree.fromstring(data)
        return self._etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def render_context(self, context: Mapping[str, Any], *, core: bytes) -> bytes:
        out: list[tuple[str, bytes]] = []
        for name, data in self._members:
            if name in self._parts:
                data = self._render_part(self._parts[name], context)
            elif name == CORE_XML:
                data = core
            out.append((name, data))
        if CORE_XML not in {n for n, _ in out}:
            raise RenderError("Word 模板缺少 docProps/core.xml")
        return write_package(out)

    def render(self, report: Report) -> bytes:
        """The DOCX bytes of one report."""
        context = build_context(report, self.spec)
        title = report_title(report, self.spec)
        core = core_properties_xml(
            title=title,
            creator=clean_inline(report.agency_name),
            subject="政府信息公开工作年度报告",
            identifier=clean_inline(report.metadata.get("agency_id") or ""),
            category=clean_inline(report.metadata.get("agency_type") or ""),
            description=f"按{self.spec.basis}格式生成（模板 {self.spec.id} 第 {self.spec.version} 版）",
            when=document_time(report),
        )
        return self.render_context(context, core=core)


def prepared_template(template_id: str = DEFAULT_TEMPLATE) -> PreparedTemplate:
    """The bundled template for a spec (or the one beside it in ``$OGI_SPEC_DIR``), prepared once
    per process."""
    return _prepared(template_id, os.environ.get(SPEC_DIR_ENV, ""))


@lru_cache(maxsize=4)
def _prepared(template_id: str, spec_dir: str) -> PreparedTemplate:
    prepared = PreparedTemplate(spec=load_spec(template_id))
    prepared.check_against_spec()
    return prepared


def render_docx(report: Report, template: PreparedTemplate | None = None) -> bytes:
    """Render one report with the bundled (or a given prepared) template."""
    tpl = template or prepared_template(report.template_id or DEFAULT_TEMPLATE)
    return tpl.render(report)


def docx_filename(report: Report) -> str:
    """``2023年彭阳县白阳镇人民政府政府信息公开工作年度报告.docx``, safe on a Windows share."""

    year = clean_inline(report.metadata.get("year", ""))  # as typed: the title says the same
    name = clean_inline(report.agency_name)
    return safe_filename(f"{year}年{name}政府信息公开工作年度报告", suffix=".docx")
