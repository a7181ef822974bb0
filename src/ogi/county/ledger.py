"""The returns ledger: one answer to "which file is this agency's return", used by every command.

A county office works from a folder of mail attachments: the same agency sends twice, renames
files, copies a neighbour's workbook, saves as .ods, forwards zip attachments. :func:`build_ledger`
walks the folders (recursively) once, reads every file once (identity, save time, full check) and
returns one :class:`AgencyRecord` per agency (the return that counts, the returns it supersedes and
why) and every file that counts for no agency (:class:`Unassigned`, with the reason). ``ogi
status``, ``check``, ``fill``, ``summary`` and ``new --previous`` all take their files from it.

Which return counts, in this order:

1. a file in a folder named ``作废`` is listed and never counted (the office's override);
2. a workbook whose visible 机关名称 disagrees with the agency recorded in its hidden sheet is a
   copied neighbour's workbook: an error naming both agencies; it never counts for either;
3. otherwise the newest by the workbook's own save time (``docProps/core.xml`` ``dcterms:modified``,
   written by Excel, WPS and LibreOffice on save; for an email attachment the file's modification
   time is the download time), then the file's modification time, then the path;
4. files with identical content (same fingerprint) are one return sent twice, not a conflict.

Identity is the hidden agency id and name matched to the roster (:class:`ogi.county.collect.RosterIndex`);
机关类型 is not part of it. An .ods return is identified from its own ``content.xml`` (LibreOffice
keeps the hidden sheet), an .xls/.et by its file name against the roster; both are that agency's
return with the fix ("请用 WPS/Excel 打开后另存为 .xlsx 再交"). Zip attachments are opened in memory,
their members listed as ``附件.zip/成员.xlsx``; .rar and .7z are listed with "请解压后再放入".

Public interface (stable): :func:`build_ledger`, :class:`Ledger`, :class:`AgencyRecord`,
:class:`Superseded`, :class:`Unassigned`, :func:`read_source`.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from defusedxml import ElementTree

from ..errors import EXIT_OK, InputError
from ..files.safe_io import (
    MAX_INPUT_BYTES,
    MAX_MEMBERS,
    ODS_PROBLEM,
    OLE_MAGIC,
    check_zip_package,
    read_capped,
)
from ..form.layout import SHEET_HIDDEN
from ..form.report import Agency, Finding, Report, fold, year_text
from ..form.results import Progress, Result, Tally, exit_code_for
from ..workbook.checker import CheckResult, check_workbook, check_workbooks
from .collect import (
    WORKBOOK_SUFFIXES,
    FoundFile,
    Identity,
    RosterIndex,
    agency_key,
    find_workbooks,
    identity_from_zip,
    is_lock_file,
    is_output_zip,
)
from .roster import roster_agencies
from .status import (
    KEEP_COUNTS,
    KEEP_MODES,
    KEEP_REPORT,
    KEEP_VALUES,
    MISSING,
    NOT_OGI,
    Digests,
    FileResult,
    PackedValues,
    classify,
    describe_difference,
    fingerprint,
)

#: A folder with this name holds files the office has voided: listed, never counted.
VOID_FOLDER = "作废"
ODS_SUFFIXES = (".ods", ".ots")
ARCHIVE_SUFFIXES = (".rar", ".7z")
ZIP_SUFFIX = ".zip"

SAVE_AS_XLSX = "请用 WPS/Excel 打开后另存为 .xlsx 再交"
LEGACY_PROBLEM = f"这是旧版 .xls/.et 格式（或加了打开密码），ogi 无法读取：{SAVE_AS_XLSX}（如设置了打开密码，请先取消）"
ARCHIVE_PROBLEM = "这是 .rar/.7z 压缩文件，ogi 不能打开：请解压后再放入"
NESTED_HINT = "请解压后再放入"
VOID_REASON = f"放在“{VOID_FOLDER}”文件夹中，不计入"

#: Look up last year's report (or None) for a workbook's identity while checking it.
PreviousLookup = Callable[[Identity], "Report | None"]


def copied_message(hidden: str, visible: str) -> str:
    return f"这份工作簿是为 {hidden} 生成的，但机关名称改成了 {visible}：可能复制了别的机关的表"


# ---- the ledger's types --------------------------------------------------------------------------
@dataclass
class Superseded:
    """A return of an agency that does not count, and why (older, identical re-send, 作废)."""

    result: FileResult
    reason: str


@dataclass
class AgencyRecord:
    """One agency: the return that counts (None: 未提交) and the ones it supersedes."""

    agency: Agency
    current: FileResult | None = None
    superseded: list[Superseded] = field(default_factory=list)
    on_roster: bool = True
    notes: list[str] = field(default_factory=list)  # about the agency (a copy of its workbook, ...)

    @property
    def status(self) -> str:
        return self.current.status if self.current is not None else MISSING


@dataclass
class Unassigned:
    """A file that counts for no agency: not ogi's, other year, not on the roster, copied, wrong
    format, unreadable, damaged. ``result.identity`` / ``result.agency`` say whom it names, if any."""

    result: FileResult
    reason: str


@dataclass
class Ledger(Result):
    """Every agency's return and every file that counts for none (see the module doc); a result
    of issue 12's shape (``type`` ``ledger`` in the JSON document; ``ogi check FOLDER --json``
    ends with it)."""

    result_type: ClassVar[str] = "ledger"

    folders: list[Path]
    roster: list[Agency] | None
    year: int | None  # the report year every return must have (None: no return says one)
    records: list[AgencyRecord]
    unassigned: list[Unassigned]
    skipped: list[Path] = field(default_factory=list)  # lock files, temporary files, ogi outputs
    #: The ledger's own findings: none (each return's findings belong to its check).
    findings: list[Finding] = field(default_factory=list)
    #: Lines a command adds about last year's workbooks (agencies without one).
    previous_lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index = RosterIndex([r.agency for r in self.records])
        self._by_object = {id(r.agency): r for r in self.records}

    def record(self, agency: Agency | Identity) -> AgencyRecord | None:
        """The record of ``agency`` (a roster entry or a workbook's identity), matched as the
        ledger matches workbooks: by 编号, else by normalised name."""
        if id(agency) in self._by_object:  # the very roster entry
            return self._by_object[id(agency)]
        ident = agency if isinstance(agency, Identity) else Identity(agency.name, agency.id)
        m = self._index.match(ident)
        return self._by_object.get(id(m.agency)) if m.agency is not None else None

    def returns(self) -> list[FileResult]:
        """The returns that count, one per agency that sent one, in record order."""
        return [r.current for r in self.records if r.current is not None]

    @property
    def results(self) -> list[FileResult]:
        """Every file read, in the order of the walk."""
        out = [r.current for r in self.records if r.current is not None]
        out += [s.result for r in self.records for s in r.superseded]
        out += [u.result for u in self.unassigned]
        return sorted(out, key=lambda r: r.file.rel)

    @property
    def missing(self) -> list[Agency]:
        return [r.agency for r in self.records if r.current is None]

    # ---- the result shape (ogi.form.results) ----------------------------------------------------------
    @property  # type: ignore[override]
    def path(self) -> Path:
        return self.folders[0] if len(self.folders) == 1 else Path(".")

    @property
    def exit_code(self) -> int:
        """2 when a return that counts or a file of no agency cannot be read, 1 when a return that
        counts has errors or a workbook was copied from another agency, else 0."""
        codes = [exit_code_for(unusable=not r.readable, errors=r.errors) for r in self.returns()]
        return max([*codes, unassigned_exit_code(self)])

    def exit_code_without_returns(self) -> int:
        """What the files that count for no agency add to a command's exit code."""
        return unassigned_exit_code(self)

    def details(self) -> dict[str, Any]:
        return ledger_dict(self)

    def heading(self) -> str | None:
        return None

    def body_lines(self, *, with_unreadable: bool = True) -> list[str]:  # type: ignore[override]
        return not_counted_lines(self, with_unreadable=with_unreadable) + self.previous_lines


# ---- walking -------------------------------------------------------------------------------------
def _voided(rel: str) -> bool:
    return any(fold(part) == VOID_FOLDER for part in rel.split("/")[:-1])


def member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name as its author saw it: UTF-8 when the zip says so (flag bit 11), else
    GBK, as Windows zip tools write Chinese names (Python decodes those as cp437)."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        return name.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def find_sources(folders: Sequence[Path], *, exclude: Iterable[Path] = ()
                 ) -> tuple[list[FoundFile], list[Path], list[FileResult]]:
    """Every candidate return under ``folders`` (files given directly are taken as they are):
    workbooks, .ods files, members of zip attachments. Returns the candidates (sorted by relative
    path), the files skipped (lock files, excluded outputs) and the archives that could not be
    opened (as unreadable results)."""
    exclude = list(exclude)
    found: list[FoundFile] = []
    skipped: list[Path] = []
    broken: list[FileResult] = []
    suffixes = WORKBOOK_SUFFIXES + ODS_SUFFIXES + ARCHIVE_SUFFIXES + (ZIP_SUFFIX,)
    for folder in folders:
        folder = Path(folder)
        if not folder.exists():
            raise InputError("找不到文件夹（或文件）", path=folder)
        if folder.is_dir():
            files, skip = find_workbooks(folder, exclude=exclude, suffixes=suffixes)
            skipped += skip
        else:
            try:
                st = folder.stat()
                mtime, size = st.st_mtime, st.st_size
            except OSError:
                mtime, size = 0.0, 0
            files = [FoundFile(folder, folder.name, mtime, size)]
        for ff in files:
            lower = ff.rel.lower()
            if _voided(ff.rel):
                ff = replace(ff, voided=True)
            if lower.endswith(ARCHIVE_SUFFIXES):
                broken.append(FileResult(ff, problem=ARCHIVE_PROBLEM, kind="archive"))
            elif lower.endswith(ZIP_SUFFIX):
                members, problem = _zip_members(ff)
                if problem:
                    broken.append(FileResult(ff, problem=problem, kind="archive"))
                found.extend(members)
            else:
                found.append(ff)
    found.sort(key=lambda f: f.rel)
    return found, skipped, broken


def _zip_members(zf_file: FoundFile) -> tuple[list[FoundFile], str]:
    """The workbook members of a zip attachment (the zip's central directory only), or why the
    zip cannot be used; archives inside it are named in the problem."""
    try:
        data = read_capped(zf_file.path, what="压缩包")
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except InputError as exc:
        return [], exc.message
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return [], "压缩包已损坏或不完整（可能是邮件附件未下载完整），无法打开"
    if len(infos) > MAX_MEMBERS:
        return [], f"压缩包内文件数量异常（{len(infos)} 个），拒绝打开"
    out = []
    nested: list[str] = []
    for info in infos:
        if info.is_dir():
            continue
        shown = member_name(info).replace("\\", "/")
        base = shown.rsplit("/", 1)[-1]
        lower = base.lower()
        if lower.endswith((*ARCHIVE_SUFFIXES, ZIP_SUFFIX)) and not is_lock_file(base):
            nested.append(f"{zf_file.rel}/{shown}")
            continue
        if is_lock_file(base) or not lower.endswith(WORKBOOK_SUFFIXES + ODS_SUFFIXES):
            continue
        try:
            mtime = dt.datetime(*info.date_time).timestamp()
        except (ValueError, OverflowError):
            mtime = zf_file.mtime
        rel = f"{zf_file.rel}/{shown}"
        out.append(FoundFile(zf_file.path, rel, mtime, info.file_size, member=info.filename,
                             voided=zf_file.voided or _voided(rel)))
    if nested:
        return out, f"压缩包中还有压缩包（{'、'.join(nested)}），ogi 不逐层打开：{NESTED_HINT}"
    return out, ""


class _ZipCache:
    """The zip attachment last opened: its members are read one after another."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.zf: zipfile.ZipFile | None = None

    def open(self, path: Path) -> zipfile.ZipFile:
        if self.path != path or self.zf is None:
            self.zf = zipfile.ZipFile(io.BytesIO(read_capped(path, what="压缩包")))
            self.path = path
        return self.zf


def read_source(found: FoundFile, _cache: _ZipCache | None = None) -> bytes:
    """The bytes of a candidate return: the file, or the member of its zip attachment."""
    if not found.member:
        return read_capped(found.path, what="工作簿")
    try:
        zf = (_cache or _ZipCache()).open(found.path)
        info = zf.getinfo(found.member)
        if info.file_size > MAX_INPUT_BYTES:
            raise InputError(f"压缩包中的工作簿过大（{info.file_size // 1024 // 1024} MB）",
                             path=found.label)
        data = zf.read(info)
    except InputError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, RuntimeError) as exc:
        raise InputError("压缩包中的这个文件无法解压（压缩包已损坏或加了密码）", path=found.label) from exc
    if not data:
        raise InputError("工作簿是空的（0 字节）", path=found.label)
    return data


# ---- reading one candidate -------------------------------------------------------------------------
def _parse(xml: bytes):  # type: ignore[no-untyped-def]
    return ElementTree.fromstring(xml)


def parse_time(text: str | None) -> dt.datetime | None:
    """A W3CDTF time (``2024-01-15T08:30:00Z``) as a naive UTC datetime; None when absent/odd."""
    if not text:
        return None
    text = text.strip()
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when


def saved_time(zf: zipfile.ZipFile) -> dt.datetime | None:
    """``dcterms:modified`` of ``docProps/core.xml``: when Excel, WPS or LibreOffice last saved."""
    try:
        root = _parse(zf.read("docProps/core.xml"))
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile, OSError, RuntimeError):
        return None
    for el in root.iter("{http://purl.org/dc/terms/}modified"):
        return parse_time(el.text)
    return None


_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def ods_identity(zf: zipfile.ZipFile) -> tuple[Identity | None, dt.datetime | None]:
    """The hidden ``ogi_meta`` sheet of an .ods (LibreOffice keeps it when saving an ogi workbook)
    and the save time from ``meta.xml``."""

    t, tx = _ODS["table"], _ODS["text"]
    rows: dict[str, str] = {}
    try:
        with zf.open("content.xml") as fh:
            inside = False
            for event, el in ElementTree.iterparse(fh, events=("start", "end")):
                if el.tag == f"{{{t}}}table":
                    if event == "start":
                        inside = el.get(f"{{{t}}}name") == SHEET_HIDDEN
                    elif inside:
                        break
                    else:
                        el.clear()
                elif inside and event == "end" and el.tag == f"{{{t}}}table-row":
                    cells = ["".join("".join(p.itertext()) for p in c.iter(f"{{{tx}}}p"))
                             for c in el.iter(f"{{{t}}}table-cell")]
                    if len(cells) >= 2 and cells[0].strip():
                        rows[cells[0].strip()] = cells[1]
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile, OSError, RuntimeError):
        return None, None
    saved = None
    try:
        meta = _parse(zf.read("meta.xml"))
        for el in meta.iter(f"{{{_ODS['dc']}}}date"):
            saved = parse_time(el.text)
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile, OSError, RuntimeError):
        pass
    return Identity.from_hidden_rows(rows), saved


def has_hidden_sheet(zf: zipfile.ZipFile) -> bool:
    """Whether ``xl/workbook.xml`` lists ogi's hidden ``ogi_meta`` sheet (a cheap look)."""
    try:
        return SHEET_HIDDEN.encode() in zf.read("xl/workbook.xml")
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
        return False


def identity_of(report: Report | None) -> Identity | None:
    """The identity the reader took from the hidden sheet (``agency_name`` etc. are locked fields
    read from their hidden copy), or None when it records no agency."""
    if report is None:
        return None
    meta = report.metadata
    name = " ".join((meta.get("agency_name") or "").split())
    if not name:
        return None
    return Identity(agency_name=name, agency_id=(meta.get("agency_id") or "").strip(),
                    agency_type=(meta.get("agency_type") or "").strip(),
                    year=report.year, template_id=report.template_id,
                    template_version=str(report.template_version))


def _identity_or_none(zf: zipfile.ZipFile, label: Path) -> Identity | None:
    try:
        return identity_from_zip(zf, label)
    except InputError:
        return None


def read_return(found: FoundFile, keep: str = KEEP_REPORT, *, strict: bool = False,
                previous: PreviousLookup | None = None, data: bytes | None = None,
                _cache: _ZipCache | None = None) -> FileResult | None:
    """Identify and check one candidate, reading it once; None when it is one of ogi's own
    outputs (进度表, 汇总表). Never raises for a bad file: ``problem`` says what is wrong."""
    if keep not in KEEP_MODES:
        raise ValueError(f"keep must be one of {KEEP_MODES}")
    result = FileResult(found)
    try:
        if data is None:
            data = read_source(found, _cache)
    except InputError as exc:
        result.problem = exc.message
        return result
    label = found.label
    if data.startswith(OLE_MAGIC):
        result.kind, result.problem = "legacy", LEGACY_PROBLEM
        return result
    try:
        zf = check_zip_package(data, label, kind="xlsx")
        # The identity before the check only when last year's report depends on it; else from
        # the check's own Report (the reader reads the hidden sheet anyway: one parse, not two).
        early = previous is not None or not has_hidden_sheet(zf)
        identity = identity_from_zip(zf, label) if early else None
        if early and identity is None and is_output_zip(zf):
            return None
        result.saved = saved_time(zf)
    except InputError as exc:
        result.problem = exc.message
        if exc.message == ODS_PROBLEM:  # a sane zip (sizes checked), LibreOffice's format
            result.kind = "ods"
            result.identity, result.saved = ods_identity(zipfile.ZipFile(io.BytesIO(data)))
        elif found.rel.lower().endswith((".xls", ".et", ".ett")):
            result.kind = "legacy"
        return result
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError, SyntaxError):
        result.problem = "工作簿已损坏（内部数据无法解压），可能是邮件附件未下载完整，请让填报单位重新发送"
        return result
    result.identity = identity
    if early and identity is None:
        result.problem = NOT_OGI
        return result
    try:
        checked = check_workbook(label, strict=strict, data=data,
                                 previous_report=previous(identity) if previous and identity else None)
    except Exception as exc:  # one broken file must not stop a run over 60 others
        result.identity = identity or _identity_or_none(zf, label)
        result.problem = exc.message if isinstance(exc, InputError) else (
            f"读取时出现意外错误（{type(exc).__name__}），请用 ogi check 单独检查此文件")
        if result.identity is None:
            result.problem = NOT_OGI
        return result
    if not early:
        result.identity = identity_of(checked.report) or _identity_or_none(zf, label)
        if result.identity is None:
            result.problem = NOT_OGI
            return result
    del data
    result.findings = list(checked.findings)
    result.visible_name = next(
        (str((f.detail or {}).get("found", "")) for f in result.findings
         if f.code == "XLSX-META-CHANGED" and f.key == "agency_name"), "")
    report = checked.report
    del checked
    if report is None:
        first = next((f.message for f in result.findings if f.severity == "error"), "")
        result.problem = first or "工作簿无法读取"
        return result
    result.readable = True
    result.template_id = report.template_id
    result.fingerprint = fingerprint(report)
    result.digests = Digests.of(report)
    result.status = classify(report, result.findings)
    if keep == KEEP_REPORT:
        result.report = report
    elif keep == KEEP_VALUES:
        result.packed = PackedValues.of(report)
    return result


# ---- the ledger ----------------------------------------------------------------------------------
def build_ledger(folders: Path | Sequence[Path], roster: list[Agency] | None = None,
                 year: int | None = None, *, keep: str = KEEP_REPORT,
                 exclude: Iterable[Path] = (), progress: Progress | None = None,
                 strict: bool = False, previous: PreviousLookup | None = None) -> Ledger:
    """The returns ledger of ``folders`` (searched recursively; files given directly are taken as
    they are), matched to ``roster`` when given, for report year ``year`` (default: the year most
    workbooks carry). Every file is read once; ``keep`` says what is kept of each Report
    (:data:`ogi.county.status.KEEP_REPORT` / ``KEEP_VALUES`` / ``KEEP_COUNTS``), ``strict`` and
    ``previous`` (last year's report for an identity) apply to the check of each workbook.

    Raises :class:`InputError` only when a folder itself is missing."""
    if isinstance(folders, (str, Path)):
        folders = [Path(folders)]
    folders = [Path(f) for f in folders]
    found, skipped, results = find_sources(folders, exclude=exclude)
    items: Iterable[FoundFile] = found
    if progress is not None:
        items = progress(found, len(found))
    cache = _ZipCache()
    for f in items:
        r = read_return(f, keep, strict=strict, previous=previous, _cache=cache)
        if r is None:
            skipped.append(f.path)
        else:
            results.append(r)
    cache.zf = None
    return assign(results, roster, year, folders=folders, skipped=skipped)


def check_ledger(paths: Sequence[Path], *, roster: Path | list[Agency] | None = None,
                 year: int | None = None, previous: Path | None = None, strict: bool = False,
                 progress: Progress | None = None) -> Ledger:
    """The library call behind ``ogi check FOLDER``: the ledger of ``paths`` with every workbook
    checked (``strict``) against its own agency's last-year report (``previous``: a workbook or
    a folder, matched by the ledger's matcher, never applied to another agency); the agencies
    whose return was read but has no last-year workbook are named in ``previous_lines``."""
    from .prefill import load_previous  # prefill reads last year through this module
    agencies = roster_agencies(roster)
    last = load_previous(previous, roster=agencies) if previous is not None else None
    ledger = build_ledger(list(paths), agencies, year, keep=KEEP_COUNTS, strict=strict,
                          previous=last.lookup if last is not None else None, progress=progress)
    if not ledger.records and not ledger.unassigned:
        raise InputError("文件夹中没有找到工作簿（.xlsx）", path=paths[0] if paths else None)
    if last is not None:
        ledger.previous_lines = previous_lines(ledger, last.find)
    return ledger


def uses_ledger(inputs: Sequence[Path], *, roster: Path | list[Agency] | None = None,
                previous: Path | None = None) -> bool:
    """Whether ``ogi check``/``ogi fill`` read ``inputs`` through the ledger (a folder among them,
    a roster, or a folder of last year's workbooks) rather than as the files given."""
    return roster is not None or any(Path(p).is_dir() for p in inputs) \
        or (previous is not None and Path(previous).is_dir())


class CheckRun:
    """What :func:`check_returns` hands back: iterate it for each file's :class:`CheckResult` (streamed:
    a batch of 1,000 files never holds 1,000 Reports); afterwards ``tally`` counts them, ``ledger``
    is the ledger read (None for files as given) and ``exit_code`` is the command's."""

    def __init__(self, results: Iterable[CheckResult], ledger: Ledger | None = None) -> None:
        self._results = results
        self.ledger = ledger
        self.tally = Tally(of=CheckResult)

    def __iter__(self) -> Iterator[CheckResult]:
        for result in self._results:
            self.tally.add(result)
            yield result

    @property
    def exit_code(self) -> int:
        return max(self.tally.exit_code, self.ledger.exit_code if self.ledger is not None else EXIT_OK)

    def closing_lines(self) -> list[str]:
        """After the results: the ledger's files that count for no agency, then the count line."""
        return [*(self.ledger.body_lines() if self.ledger is not None else []), self.tally.line()]

    def json_results(self, dicts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The ``results`` of the JSON document: each file's dict, then the ledger's."""
        return [*dicts, *([self.ledger.to_dict()] if self.ledger is not None else [])]


def check_returns(inputs: Sequence[Path], *, roster: Path | list[Agency] | None = None,
                  year: int | None = None, previous: Path | None = None, strict: bool = False,
                  read_progress: Progress | None = None, progress: Progress | None = None) -> CheckRun:
    """The library call behind ``ogi check``: the files as given (:func:`ogi.workbook.checker.check_workbooks`,
    ``progress`` per file), or, for folders, a roster or a folder of last year's workbooks
    (:func:`uses_ledger`), the returns that count (:func:`check_ledger`, read at once with
    ``read_progress``), each as ``ogi check`` prints it."""
    if not uses_ledger(inputs, roster=roster, previous=previous):
        return CheckRun(check_workbooks(list(inputs), previous=previous, strict=strict, progress=progress))
    ledger = check_ledger(inputs, roster=roster, year=year, previous=previous, strict=strict,
                          progress=read_progress)
    return CheckRun((as_check_result(rec.current, strict=strict) for rec in ledger.records
                     if rec.current is not None), ledger)


def previous_lines(ledger: Ledger, find: Callable[[Agency], object | None]) -> list[str]:
    """The agencies whose return was read but have no workbook of last year (``find``)."""
    none = [rec.agency.name for rec in ledger.records
            if rec.current is not None and rec.current.readable and find(rec.agency) is None]
    return [f"以下 {len(none)} 个机关没有找到上年的工作簿，未做衔接检查：" + "、".join(none)] if none else []


def _expected_year(results: list[FileResult]) -> int | None:
    years = Counter(r.identity.year for r in results if r.identity is not None and r.identity.year)
    return years.most_common(1)[0][0] if years else None


def match_file_name(rel: str, index: RosterIndex | None) -> Agency | None:
    """The roster agency a file's name names (the longest roster name it contains), or None."""
    if index is None:
        return None
    stem = fold(rel.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    hits = [a for a in index.agencies if fold(a.name) and fold(a.name) in stem]
    if not hits:
        return None
    best = max(len(fold(a.name)) for a in hits)
    top = [a for a in hits if len(fold(a.name)) == best]
    return top[0] if len(top) == 1 else None


def _when(r: FileResult) -> float:
    if r.saved is not None:
        return r.saved.replace(tzinfo=dt.timezone.utc).timestamp()
    return r.file.mtime


def _fmt_saved(r: FileResult) -> str:
    if r.saved is not None:
        local = r.saved.replace(tzinfo=dt.timezone.utc).astimezone()
        return "保存于 " + local.strftime("%Y-%m-%d %H:%M")
    return "修改于 " + dt.datetime.fromtimestamp(r.file.mtime).strftime("%Y-%m-%d %H:%M")


def assign(results: list[FileResult], roster: list[Agency] | None, year: int | None, *,
           folders: list[Path] | None = None, skipped: list[Path] | None = None) -> Ledger:
    """Attach each read file to its agency and decide which return counts (see the module doc)."""
    index = RosterIndex(roster) if roster is not None else None
    expected = year or _expected_year(results)
    records: dict[tuple[str, str], AgencyRecord] = {}
    if roster is not None:
        for a in roster:
            records[("roster", str(id(a)))] = AgencyRecord(a)
    candidates: dict[tuple[str, str], list[FileResult]] = {}
    unassigned: list[Unassigned] = []

    def resolve(ident: Identity) -> tuple[tuple[str, str] | None, Agency, str]:
        if index is None:
            return agency_key(ident.agency), ident.agency, ""
        m = index.match(ident)
        if m.agency is None:
            return None, ident.agency, m.note
        return ("roster", str(id(m.agency))), m.agency, m.note

    def record_for(key: tuple[str, str], agency: Agency) -> AgencyRecord:
        if key not in records:
            records[key] = AgencyRecord(agency, on_roster=index is None)
        return records[key]

    def no_agency(r: FileResult, reason: str) -> None:
        r.current = False
        r.reason = reason
        if reason not in r.notes:
            r.notes.append(reason)
        unassigned.append(Unassigned(r, reason))

    for r in sorted(results, key=lambda r: r.file.rel):
        ident = r.identity
        if ident is None:
            agency = match_file_name(r.file.rel, index) if r.kind in ("legacy", "ods") else None
            if agency is None:
                no_agency(r, VOID_REASON if r.file.voided else (r.problem or NOT_OGI))
                continue
            r.agency = agency
            r.notes.append(f"无法读取内容，按文件名对应到“{agency.name}”")
            key = ("roster", str(id(agency)))
        else:
            key_or_none, agency, note = resolve(ident)
            r.agency = agency
            if note:
                r.notes.append(note)
            if key_or_none is None:
                r.on_roster = False
                no_agency(r, "不在机关名单中")
                continue
            key = key_or_none
            if expected and ident.year and ident.year != expected:
                r.wrong_year = True
                no_agency(r, f"年度为 {ident.year} 年，不是 {expected} 年，未计入")
                continue
            visible = r.visible_name
            if is_copied(r):
                message = copied_message(ident.agency_name, visible)
                no_agency(r, message + "；此文件不计入任何机关")
                record_for(key, agency).notes.append(
                    f"{r.file.rel} 记录的是本机关，但机关名称被改成了“{visible}”，未计入")
                vkey, vagency, _ = resolve(Identity(visible))
                if vkey is not None and vkey != key:
                    record_for(vkey, vagency).notes.append(
                        f"{r.file.rel} 是为 {ident.agency_name} 生成的工作簿、机关名称改成了本机关，"
                        "未计入：请用本机关自己的工作簿填写")
                continue
        rec = record_for(key, agency)
        if r.file.voided:
            r.current = False
            r.reason = VOID_REASON
            r.notes.append(VOID_REASON)
            rec.superseded.append(Superseded(r, VOID_REASON))
            continue
        candidates.setdefault(key, []).append(r)

    for key, files in candidates.items():
        _choose(records[key], files)
    ordered = list(records.values())
    return Ledger(folders or [], roster, expected, ordered, unassigned, list(skipped or []))


def _choose(record: AgencyRecord, files: list[FileResult]) -> None:
    """The newest return counts (save time, then modification time, then path)."""
    files = sorted(files, key=lambda r: (-_when(r), -r.file.mtime, r.file.rel))
    current = files[0]
    current.current = True
    record.current = current
    others = files[1:]
    distinct = [r for r in others if not (r.fingerprint and r.fingerprint == current.fingerprint)]
    if distinct:
        basis = "按工作簿内记录的保存时间" if current.saved is not None else "按文件修改时间"
        current.notes.append(f"同一机关共有 {len(files)} 个文件，此文件最新（{_fmt_saved(current)}，"
                             f"{basis}），以此为准")
    for r in others:
        r.current = False
        r.newer = current.file.rel
        if r.fingerprint and r.fingerprint == current.fingerprint:
            reason = f"与 {current.file.rel} 内容相同（重复发送），以 {current.file.rel} 为准"
        else:
            reason = (f"同一机关共有 {len(files)} 个文件，此文件较旧（{_fmt_saved(r)}），"
                      f"以 {current.file.rel} 为准")
            if r.digests is not None and current.digests is not None:
                reason += "；与较新的文件内容不同：" + describe_difference(r.digests, current.digests)
            else:
                reason += "；无法比较内容（有文件无法读取）"
        if (current.saved is not None and r.saved is not None
                and (current.file.mtime < r.file.mtime)):
            note = (f"注意：按保存时间 {current.file.rel} 较新，按文件修改时间（邮件附件为下载时间）"
                    f"{r.file.rel} 较新；以保存时间为准")
            current.notes.append(note)
            reason += "；" + note
        r.reason = reason
        r.notes.append(reason)
        record.superseded.append(Superseded(r, reason))


# ---- what the commands say about a ledger ------------------------------------------------------
def as_check_result(r: FileResult, *, strict: bool = False) -> CheckResult:
    """A return of the ledger in the shape ``ogi check`` prints (its findings, or why it cannot be
    read), headed by its agency."""
    agency = r.agency or (r.identity.agency if r.identity is not None else None)
    year = r.identity.year if r.identity is not None else None
    stub = Report(r.template_id, 0, metadata={"agency_name": agency.name if agency else "",
                                              "year": year_text(year)})
    error = "" if r.readable else (r.problem or r.reason or "无法读取")
    return CheckResult(path=r.file.label, report=stub, findings=list(r.findings), strict=strict,
                       error=error)


def unreadable(ledger: Ledger) -> list[Unassigned]:
    """The files that count for no agency because they cannot be read or identified at all."""
    return [u for u in ledger.unassigned if u.result.identity is None and u.result.agency is None]


def not_counted_lines(ledger: Ledger, *, with_unreadable: bool = True) -> list[str]:
    """In Chinese: the returns that do not count and why, the files that count for no agency
    (without the unreadable ones unless ``with_unreadable``: ``ogi fill`` lists those in its
    table), and the roster agencies that sent nothing. Empty when every file counts."""
    out: list[str] = []
    superseded = [(rec, s) for rec in ledger.records for s in rec.superseded]
    if superseded:
        out.append(f"以下 {len(superseded)} 个文件是同一机关的其他文件，不计入：")
        out.extend(f"  {rec.agency.name}：{s.result.file.rel}（{s.reason}）" for rec, s in superseded)
    skip = set() if with_unreadable else {id(u) for u in unreadable(ledger)}
    unassigned = [u for u in ledger.unassigned if id(u) not in skip]
    if unassigned:
        out.append(f"以下 {len(unassigned)} 个文件不计入任何机关：")
        out.extend(f"  {u.result.file.rel}：{u.reason}" for u in unassigned)
    notes = [(rec, n) for rec in ledger.records for n in rec.notes]
    if notes:
        out.append("请注意：")
        out.extend(f"  {rec.agency.name}：{n}" for rec, n in notes)
    if ledger.roster is not None and ledger.missing:
        out.append(f"以下 {len(ledger.missing)} 个机关未交回（未提交）：")
        out.extend(f"  {a.name}" + (f"（编号 {a.id}）" if a.id else "") for a in ledger.missing)
    return out


def is_copied(r: FileResult) -> bool:
    """The visible 机关名称 disagrees with the agency the workbook was generated for."""
    return bool(r.visible_name and r.identity is not None
                and fold(r.visible_name) != fold(r.identity.agency_name))


def unassigned_exit_code(ledger: Ledger) -> int:
    """What the files that count for no agency add to a command's exit code: 2 when one could
    not be read or identified at all, 1 when one is a copied workbook; 0 otherwise."""
    bad = unreadable(ledger)
    return exit_code_for(unusable=any(u in bad for u in ledger.unassigned),
                         errors=sum(1 for u in ledger.unassigned if u not in bad and is_copied(u.result)))


def ledger_dict(ledger: Ledger) -> dict[str, object]:
    """The ledger as plain data (for ``--json``): per agency the file that counts and the ones it
    supersedes, and the files that count for no agency."""
    def who(a: Agency | None) -> dict[str, str]:
        return {"agency": a.name if a else "", "agency_id": a.id if a else ""}

    def saved(r: FileResult) -> str:
        return r.saved.isoformat() + "Z" if r.saved is not None else ""

    return {
        "year": year_text(ledger.year),
        "agencies": [dict(who(rec.agency), on_roster=rec.on_roster, status=rec.status,
                          file=rec.current.file.rel if rec.current else "",
                          saved=saved(rec.current) if rec.current else "",
                          superseded=[{"file": s.result.file.rel, "saved": saved(s.result),
                                       "reason": s.reason} for s in rec.superseded],
                          notes=list(rec.notes))
                     for rec in ledger.records],
        "unassigned": [dict(who(u.result.agency), file=u.result.file.rel, reason=u.reason)
                       for u in ledger.unassigned],
    }
