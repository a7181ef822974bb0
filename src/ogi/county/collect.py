"""Find the workbooks that came back and tell which agency each one belongs to.

A county office saves mail attachments into one folder (often with sub-folders per township). This
module walks it, skips what is not a workbook (Word files, PDFs, Excel's ``~$`` lock files, ogi's own
temporary files and its own 进度/汇总 outputs), and identifies each workbook by the agency recorded in
its very hidden ``ogi_meta`` sheet: by 编号 when the workbook and the roster have one, else by the
recorded name. File names are never used to identify an agency: a township may rename the file, and
two townships may send files with the same name.

The identity is read straight from the package XML (a few KB), so that finding and matching 500
workbooks stays cheap; the full read and check happen once per file, elsewhere.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from defusedxml import ElementTree

from ..errors import InputError, OutputError
from ..files.safe_io import ZIP_MAGIC, InputSet, check_target, check_zip_package, read_capped
from ..form.layout import SHEET_HIDDEN, a1, read_hidden
from ..form.report import Agency, fold, year_number

#: File name endings that are (or claim to be) spreadsheets; everything else is skipped silently.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ett", ".xlsb")
#: Custom document property that marks a workbook ogi wrote as an output (进度表, 汇总表).
OUTPUT_PROPERTY = "ogi_output"

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"


@dataclass(frozen=True)
class Identity:
    """What an ogi workbook says about itself in its hidden ``ogi_meta`` sheet."""

    agency_name: str
    agency_id: str = ""
    agency_type: str = ""
    year: int | None = None  # None: the hidden sheet records no year that is a number
    template_id: str = ""
    template_version: str = ""

    @property
    def agency(self) -> Agency:
        return Agency(self.agency_name, self.agency_id, self.agency_type)

    @classmethod
    def from_hidden_rows(cls, rows: Mapping[str, str]) -> Identity | None:
        """The identity the hidden sheet's key/value rows record (an .xlsx's or an .ods's), or None
        when they name no agency. A year a spreadsheet turned into a number reads "2023.0"."""
        name = " ".join(rows.get("agency_name", "").split())
        if not name:
            return None
        return cls(agency_name=name, agency_id=rows.get("agency_id", "").strip(),
                   agency_type=rows.get("agency_type", "").strip(),
                   year=year_number(rows.get("year", "").strip().removesuffix(".0")),
                   template_id=rows.get("template_id", ""),
                   template_version=rows.get("template_version", ""))


@dataclass(frozen=True)
class FoundFile:
    """A workbook file in the folder being collected."""

    path: Path
    rel: str  # path relative to the collected folder, with "/" separators
    mtime: float
    size: int
    member: str = ""  # the member's name inside the zip attachment ``path``, as stored
    voided: bool = False  # under a folder named 作废: listed, never counted

    @property
    def label(self) -> Path:
        """The path messages name: the file, or ``附件.zip/成员.xlsx`` for a zip member."""
        return self.path / self.member_name if self.member else self.path

    @property
    def member_name(self) -> str:
        return self.rel.rsplit("/", 1)[-1] if self.member else ""


def find_workbooks(folder: Path, *, exclude: Iterable[Path] = (),
                   suffixes: tuple[str, ...] = WORKBOOK_SUFFIXES) -> tuple[list[FoundFile], list[Path]]:
    """Every workbook under ``folder`` (recursively, sorted by relative path) and the files skipped
    because they are lock files, temporary files or ogi outputs given in ``exclude``. ``suffixes``:
    the file name endings collected (the ledger adds .ods and attachments: .zip, .rar, .7z)."""
    folder = Path(folder)
    if not folder.exists():
        raise InputError("找不到文件夹", path=folder)
    if not folder.is_dir():
        raise InputError("这不是一个文件夹（请给出存放交回工作簿的文件夹）", path=folder)
    excluded = set()
    for p in exclude:
        try:
            excluded.add(Path(p).resolve())
        except OSError:
            continue
    found: list[FoundFile] = []
    skipped: list[Path] = []
    for path in _walk(folder):
        name = path.name
        if not name.lower().endswith(suffixes):
            continue
        if is_lock_file(name):
            skipped.append(path)  # Excel/WPS lock files, LibreOffice locks, macOS resource forks
            continue
        try:
            if path.resolve() in excluded:
                skipped.append(path)
                continue
            st = path.stat()
        except OSError:
            st = None
        rel = path.relative_to(folder).as_posix()
        found.append(FoundFile(path, rel, st.st_mtime if st else 0.0, st.st_size if st else 0))
    found.sort(key=lambda f: f.rel)
    return found, skipped


def is_lock_file(name: str) -> bool:
    """Excel/WPS lock files, LibreOffice locks, ogi's temporary files, macOS resource forks."""
    return name.startswith(("~$", ".~", ".ogi-", "._"))


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            yield Path(root) / name


# ---- identity from the package ----------------------------------------------------------------
def read_identity(path: Path, data: bytes | None = None) -> Identity | None:
    """The agency recorded in a workbook's hidden sheet, or None when the workbook is not an ogi
    填报工作簿 (no ``ogi_meta`` sheet or no agency name in it).

    Raises :class:`InputError` when the file is not a usable .xlsx at all (.xls, damaged, too big).
    """
    if data is None:
        data = read_capped(path, what="工作簿")
    return identity_from_zip(check_zip_package(data, path, kind="xlsx"), path)


def identity_from_zip(zf: zipfile.ZipFile, path: Path) -> Identity | None:
    """:func:`read_identity` from an already opened (and checked) package."""
    try:
        rows = _hidden_sheet_rows(zf)
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile, OSError, RuntimeError) as exc:
        # SyntaxError covers ElementTree.ParseError; defusedxml's refusals are ValueErrors.
        raise InputError(f"工作簿内部结构已损坏或含有不安全的 XML（{type(exc).__name__}），无法读取",
                         path=path) from exc
    return Identity.from_hidden_rows(rows) if rows is not None else None


def is_ogi_output(path: Path, data: bytes | None = None) -> bool:
    """Whether the workbook is one of ogi's own outputs (进度表, 汇总表), which collection skips."""
    return output_kind(path, data) is not None


def output_kind(path: Path, data: bytes | None = None) -> str | None:
    """``"status"`` or ``"summary"`` for ogi's own 进度表 / 汇总表 (its :data:`OUTPUT_PROPERTY`
    marker), None for anything else (also for what cannot be read)."""
    try:
        if data is None:
            data = read_capped(path, what="工作簿")
        zf = check_zip_package(data, path, kind="xlsx")
    except (InputError, zipfile.BadZipFile, OSError, RuntimeError):
        return False
    return is_output_zip(zf)


def is_output_zip(zf: zipfile.ZipFile) -> bool:
    """:func:`is_ogi_output` from an already opened package."""
    try:
        root = _parse(zf.read("docProps/custom.xml"))
    except (InputError, KeyError, ValueError, SyntaxError, zipfile.BadZipFile, OSError, RuntimeError):
        return None
    for prop in root.iter(f"{{{_NS_CUSTOM}}}property"):
        if prop.get("name") == OUTPUT_PROPERTY:
            return "".join(prop.itertext()).strip() or "output"
    return None


def is_form_workbook(path: Path) -> bool:
    """Whether ``path`` is an ogi 填报工作簿 (it records an agency in its hidden sheet)."""
    try:
        return read_identity(path) is not None
    except InputError:
        return False


def holds_returned_data(path: Path, fresh: bytes) -> bool:
    """Whether the workbook at ``path`` says anything the workbook ogi is about to write there
    (``fresh``: a blank form, an imported report) does not (numbers, 正文, contact fields, 说明):
    then it holds someone's work and no flag replaces it. Another spreadsheet (not an ogi
    填报工作簿) counts as holding data too; a file that is no spreadsheet at all does not."""
    from ..workbook.xlsx_reader import read_workbook_data  # lazy: `ogi new` start-up (measured)
    from .status import fingerprint  # status imports this module

    try:
        data = read_capped(path, what="工作簿")
    except InputError:
        return False
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        if read_identity(path, data) is None:
            return True
        theirs = read_workbook_data(data, path).report
    except (InputError, OSError):
        return True
    return fingerprint(theirs) != fingerprint(read_workbook_data(fresh, path).report)


def guard_rollup_output(output: Path, *, kind: str, overwrite: bool, folder: Path,
                        also_reads: Iterable[Path | None] = ()) -> Callable[[Path], bool]:
    """Refuse a 进度表/汇总表 target before the folder is read: never a file under ``folder``, the
    roster or last year's workbooks (``also_reads``), never a 填报工作簿 anywhere, whatever the
    flags; an existing other file needs ``overwrite``, except ogi's own earlier output of the same
    ``kind``, which is replaced. Returns the "may be replaced" test for the publish step."""

    def own(p: Path) -> bool:
        return output_kind(p) == kind

    if output.suffix.lower() != ".xlsx":
        raise OutputError("输出文件名应以 .xlsx 结尾", path=output)
    # ogi's own outputs in the folder are skipped by collection: not inputs, but not ours to
    # replace without --overwrite either unless of the same kind (check_target below)
    if os.path.lexists(output) and output_kind(output) is None and (
            InputSet([folder]).holds(output) or is_form_workbook(output)):
        raise OutputError("输出文件不能覆盖交回的工作簿（或名单、上年的工作簿），请换一个输出位置",
                          path=output)
    check_target(output, overwrite=overwrite, protect=InputSet(also_reads), replaceable=own)
    return own


def _parse(xml: bytes):  # type: ignore[no-untyped-def]

    return ElementTree.fromstring(xml)


def _hidden_sheet_rows(zf: zipfile.ZipFile) -> dict[str, str] | None:
    """Column A -> column B of the ``ogi_meta`` sheet, read from the raw package XML."""
    cells = sheet_cells(zf, SHEET_HIDDEN)
    if cells is None:
        return None
    return read_hidden(lambda r, c: cells.get(a1(r, c), ""))


def sheet_cells(zf: zipfile.ZipFile, sheet_name: str) -> dict[str, str] | None:
    """Every cell of one sheet as text (``{"B4": "..."}``), read from the raw package XML; None
    when the workbook has no sheet of that name."""
    workbook = _parse(zf.read("xl/workbook.xml"))
    rid = None
    for sheet in workbook.iter(f"{{{_NS_MAIN}}}sheet"):
        if sheet.get("name") == sheet_name:
            rid = sheet.get(f"{{{_NS_REL}}}id")
            break
    if rid is None:
        return None
    rels = _parse(zf.read("xl/_rels/workbook.xml.rels"))
    target = None
    for rel in rels.iter(f"{{{_NS_PKG_REL}}}Relationship"):
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            break
    if not target:
        return None
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join("xl", target))
    sheet_xml = _parse(zf.read(part))
    shared: list[str] | None = None
    cells: dict[str, str] = {}
    for c in sheet_xml.iter(f"{{{_NS_MAIN}}}c"):
        ref = c.get("r", "")
        kind = c.get("t", "n")
        if kind == "s":
            if shared is None:
                shared = _shared_strings(zf)
            v = c.find(f"{{{_NS_MAIN}}}v")
            try:
                text = shared[int(v.text or "")] if v is not None else ""
            except (ValueError, IndexError):
                text = ""
        elif kind == "inlineStr":
            text = "".join(t.text or "" for t in c.iter(f"{{{_NS_MAIN}}}t"))
        else:
            v = c.find(f"{{{_NS_MAIN}}}v")
            text = v.text or "" if v is not None else ""
            if re.fullmatch(r"\d+\.0", text):
                text = text[:-2]
        cells[ref] = text
    return cells


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    try:
        root = _parse(zf.read("xl/sharedStrings.xml"))
    except KeyError:
        return []
    out = []
    for si in root.iter(f"{{{_NS_MAIN}}}si"):
        # Plain text is <t>; rich text is several <r><t>; phonetic runs (<rPh>) are not content.
        parts = [t.text or "" for t in si.findall(f"{{{_NS_MAIN}}}t")]
        for run in si.findall(f"{{{_NS_MAIN}}}r"):
            parts.extend(t.text or "" for t in run.findall(f"{{{_NS_MAIN}}}t"))
        out.append("".join(parts))
    return out


T = TypeVar("T")


# ---- matching ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    agency: Agency | None  # the roster entry, or None when the workbook's agency is not on it
    by: str  # "id" | "name" | ""
    note: str = ""


class AgencyIndex(Generic[T]):
    """The one agency matcher: items (roster agencies, last year's workbooks ...) looked up by 编号,
    else by folded name (:func:`ogi.form.report.fold`), never by file name. ``ident`` gives an item's
    (编号, name)."""

    def __init__(self, items: Iterable[T], ident: Callable[[T], tuple[str, str]]) -> None:
        self.items = list(items)
        self.ident = ident
        self.by_id = {ident(i)[0]: i for i in self.items if ident(i)[0]}
        self.by_name: dict[str, list[T]] = {}
        for i in self.items:
            self.by_name.setdefault(fold(ident(i)[1]), []).append(i)

    def find(self, agency_id: str, name: str, *, same_id_only: bool = False) -> tuple[T | None, str, int]:
        """(the item, how it matched: ``id`` | ``name`` | ``""``, how many items share the name).
        By name, an item recording another 编号 is left out with ``same_id_only``; of several
        namesakes the one with the same (empty) 编号 wins when it is the only one."""
        if agency_id and agency_id in self.by_id:
            return self.by_id[agency_id], "id", 1
        candidates = self.by_name.get(fold(name), [])
        if same_id_only and agency_id:
            candidates = [i for i in candidates if self.ident(i)[0] in ("", agency_id)]
        if len(candidates) == 1:
            return candidates[0], "name", 1
        same = [i for i in candidates if self.ident(i)[0] == agency_id]
        if len(same) == 1:
            return same[0], "name", len(candidates)
        return None, "", len(candidates)


class RosterIndex:
    """Look up roster agencies by 编号, else by normalised name."""

    def __init__(self, roster: Iterable[Agency]) -> None:
        self.index = AgencyIndex(roster, lambda a: (a.id, a.name))
        self.agencies = self.index.items

    def match(self, identity: Identity) -> Match:
        agency, by, namesakes = self.index.find(identity.agency_id, identity.agency_name)
        if agency is None:
            if namesakes > 1:
                return Match(None, "", f"名单中有 {namesakes} 个同名机关，工作簿未记录可区分的编号")
            return Match(None, "", "")
        note = ""
        if by == "id" and fold(agency.name) != fold(identity.agency_name):
            note = f"工作簿中的机关名称为“{identity.agency_name}”，按编号 {agency.id} 对应到名单"
        elif by == "name" and namesakes == 1 and identity.agency_id and agency.id \
                and identity.agency_id != agency.id:
            note = f"工作簿中的编号 {identity.agency_id} 与名单中的编号 {agency.id} 不同，按名称对应"
        return Match(agency, by, note)


def agency_key(agency: Agency) -> tuple[str, str]:
    """A grouping key for an agency that is not on a roster: by 编号, else by name."""
    return ("id", agency.id) if agency.id else ("name", fold(agency.name))
