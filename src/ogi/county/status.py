"""`ogi status`: which agencies have sent their workbook back, and in what state.

Every workbook under a folder is identified by the agency recorded inside it (:mod:`ogi.county.collect`),
checked once (:func:`ogi.workbook.checker.check_workbook`), and reduced to plain data: its status, finding
counts, the findings themselves, a fingerprint and compact per-field digests (to tell how two files
of the same agency differ) and, as the caller asks (``keep``), the whole
:class:`~ogi.form.report.Report` (``ogi new --previous``), only the numbers (``ogi summary``) or nothing
more (``ogi status``). No openpyxl workbook outlives its own check, and with ``keep="counts"`` no
Report does either: 1,000 files cost about 1 KB each plus their findings.

Statuses, per file and per agency (an agency's status is that of its newest file):

* 未提交: on the roster, no workbook found;
* 无法读取: not an .xlsx (.xls, damaged, a workbook ogi did not generate);
* 未完成: still as generated (every 正文 field empty), whatever the numbers say;
* 有错误 / 有警告 / 通过: what ``ogi check`` finds (explained warnings are counted apart).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..files.safe_io import atomic_write_bytes
from ..form.layout import layout_for
from ..form.report import Agency, Finding, FindingCounts, Report, Value, year_text
from ..form.results import Progress, Result, exit_code_for
from ..workbook.print_setup import display_width, setup_print, shorten
from .collect import (
    OUTPUT_PROPERTY,
    FoundFile,
    Identity,
    guard_rollup_output,
)
from .roster import read_roster

if TYPE_CHECKING:
    from .ledger import Ledger

MISSING = "未提交"
UNREADABLE = "无法读取"
INCOMPLETE = "未完成"
HAS_ERRORS = "有错误"
HAS_WARNINGS = "有警告"
PASSED = "通过"
#: A row's status (never an agency's): a superseded return or a file that counts for no agency.
NOT_COUNTED = "不计入"
#: Display order, worst first after 未提交.
STATUSES = (MISSING, UNREADABLE, INCOMPLETE, HAS_ERRORS, HAS_WARNINGS, PASSED)

NOT_OGI = ("不是 ogi 生成的填报工作簿（没有找到隐藏的 ogi_meta 信息表），无法识别是哪个机关的；"
           "请该机关使用县级下发的工作簿重新填写")


#: What :func:`check_file` keeps of a readable workbook besides counts, findings and digests.
KEEP_REPORT = "report"  # the whole Report (next year's prefill reads values and contact fields)
KEEP_VALUES = "values"  # the numbers, packed, plus what the carry-over check needs (ogi summary)
KEEP_COUNTS = "counts"  # nothing more (ogi status)
KEEP_MODES = (KEEP_REPORT, KEEP_VALUES, KEEP_COUNTS)

_DIGEST_SIZE = 4  # bytes per field: only to count differing fields; the fingerprint decides equality
_SHARED_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _shared(keys: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple object per distinct key list (every workbook of a template has the same keys)."""
    return _SHARED_KEYS.setdefault(keys, keys)


def _canonical_value(v: Value) -> str:
    if v is None:
        return "\x00"
    # Equal numbers give equal text whatever their type (1 == Decimal("1.0"), as != compares).
    return format(Decimal(v).normalize(), "f")


@dataclass(frozen=True)
class Digests:
    """Per-field digests of a Report's values, 正文, 基本信息 and 说明: enough to count how many
    fields two files differ in (:func:`describe_difference`) without keeping either Report."""

    sections: tuple[tuple[tuple[str, ...], bytes], ...]

    @classmethod
    def of(cls, report: Report) -> Digests:
        parts: list[tuple[tuple[str, ...], bytes]] = []
        for mapping, canon in ((report.values, _canonical_value),
                               (report.narrative, lambda v: (v or "").strip()),
                               (report.metadata, lambda v: "\x00" if v is None else "s" + str(v)),
                               (report.explanations, lambda v: "\x00" if v is None else "s" + str(v))):
            keys = _shared(tuple(mapping))
            digest = b"".join(hashlib.blake2b(canon(mapping[k]).encode("utf-8", "surrogatepass"),
                                              digest_size=_DIGEST_SIZE).digest() for k in keys)
            parts.append((keys, digest))
        return cls(tuple(parts))

    def differing(self, other: Digests) -> tuple[int, ...]:
        """Per section, the number of keys whose content differs (a missing key counts as blank)."""
        out = []
        for (keys_a, dig_a), (keys_b, dig_b) in zip(self.sections, other.sections, strict=True):
            n = _DIGEST_SIZE
            if keys_a == keys_b:
                out.append(sum(1 for i in range(0, len(dig_a), n) if dig_a[i:i + n] != dig_b[i:i + n]))
                continue
            a = {k: dig_a[i * n:(i + 1) * n] for i, k in enumerate(keys_a)}
            b = {k: dig_b[i * n:(i + 1) * n] for i, k in enumerate(keys_b)}
            blank = hashlib.blake2b(b"\x00", digest_size=n).digest()
            out.append(sum(1 for k in set(a) | set(b) if a.get(k, blank) != b.get(k, blank)))
        return tuple(out)


@dataclass(frozen=True)
class PackedValues:
    """A Report's numbers as one short string (about 1 KB instead of a 260-entry dict of about
    15 KB), with the few things the carry-over check needs; ``ogi summary`` keeps one per file."""

    keys: tuple[str, ...]
    packed: str
    template_id: str
    template_version: int
    year: int | None
    explanations: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, report: Report) -> PackedValues:
        return cls.of_values(report.values, template_id=report.template_id,
                             template_version=report.template_version, year=report.year,
                             explanations=tuple(report.explanations.items()))

    @classmethod
    def of_values(cls, values: dict[str, Value], *, template_id: str = "", template_version: int = 0,
                  year: int | None = None, explanations: tuple[tuple[str, str], ...] = ()) -> PackedValues:
        def enc(v: Value) -> str:
            if v is None:
                return ""
            return f"d{v}" if isinstance(v, Decimal) else str(int(v))

        return cls(_shared(tuple(values)), ",".join(enc(v) for v in values.values()),
                   template_id, template_version, year, explanations)

    @property
    def values(self) -> dict[str, Value]:
        def dec(text: str) -> Value:
            if not text:
                return None
            return Decimal(text[1:]) if text[0] == "d" else int(text)

        return {k: dec(t) for k, t in zip(self.keys, self.packed.split(","), strict=True)} \
            if self.keys else {}

    def report(self) -> Report:
        """A Report with these numbers and explanations (no 正文, no contact fields)."""
        return Report(self.template_id, self.template_version, metadata={"year": year_text(self.year)},
                      values=self.values, explanations=dict(self.explanations))


@dataclass
class FileResult(FindingCounts):
    """One workbook file after identification and checking."""

    file: FoundFile
    identity: Identity | None = None
    status: str = UNREADABLE
    problem: str = ""  # why the file is unreadable, in Chinese
    report: Report | None = None  # only with keep=KEEP_REPORT
    findings: list[Finding] = field(default_factory=list)
    fingerprint: str = ""
    readable: bool = False  # a Report was read (whatever was kept of it)
    template_id: str = ""
    digests: Digests | None = None
    packed: PackedValues | None = None  # only with keep=KEEP_VALUES
    # Filled in by grouping:
    agency: Agency | None = None
    on_roster: bool = True
    current: bool = True  # the file that counts for its agency (newest, right year)
    wrong_year: bool = False
    newer: str = ""  # the newer file of the same agency that supersedes this one
    notes: list[str] = field(default_factory=list)
    # Filled in by the ledger (ogi.county.ledger):
    saved: dt.datetime | None = None  # the workbook's own save time (dcterms:modified), UTC
    visible_name: str = ""  # 机关名称 as shown on 基本信息 (the hidden copy is the identity)
    kind: str = "xlsx"  # "xlsx" | "ods" | "legacy" (.xls/.et) | "archive" (.rar/.7z)
    reason: str = ""  # why this file does not count (superseded, copied, void, ...)

    @property
    def modified(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.file.mtime).replace(microsecond=0)

    @property
    def values(self) -> dict[str, Value] | None:
        """The numbers as read (from the Report or the packed form), None when none were kept."""
        if self.report is not None:
            return self.report.values
        return self.packed.values if self.packed is not None else None

    def report_for_checks(self) -> Report | None:
        """The Report, or one rebuilt from the packed numbers (enough for the carry-over rules)."""
        if self.report is not None:
            return self.report
        return self.packed.report() if self.packed is not None else None


@dataclass
class StatusRow:
    """A line of the status table: one file, or one roster agency without a file."""

    agency: Agency | None
    result: FileResult | None
    status: str
    notes: list[str] = field(default_factory=list)

    @property
    def agency_name(self) -> str:
        if self.agency is not None:
            return self.agency.name
        return ""

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "agency": self.agency_name,
            "agency_id": self.agency.id if self.agency else "",
            "file": r.file.rel if r else "",
            "status": self.status,
            "errors": r.errors if r else 0,
            "warnings": r.warnings if r else 0,
            "explained_warnings": r.explained if r else 0,
            "modified": r.modified.isoformat(sep=" ") if r else "",
            "saved": r.saved.isoformat(sep=" ") + " UTC" if r and r.saved else "",
            "current": r.current if r else True,
            "on_roster": r.on_roster if r else True,
            "notes": list(self.notes),
            "problem": r.problem if r else "",
        }


@dataclass
class StatusReport(Result):
    """A folder's returns, agency by agency (one result for the whole folder)."""

    result_type: ClassVar[str] = "status"

    folder: Path
    roster: list[Agency] | None
    year: int | None
    rows: list[StatusRow]
    results: list[FileResult]
    skipped: list[Path]
    #: The 进度 workbook :func:`folder_status` wrote (None: none asked for).
    written: Path | None = None
    ledger: Ledger | None = None

    def agency_statuses(self) -> Counter[str]:
        """Agencies per status: an agency counts once, with its current file's status (with a
        roster, only the agencies on it: the others are reported apart)."""
        counts: Counter[str] = Counter()
        if self.ledger is not None:
            for rec in self.ledger.records:
                counts[rec.status] += 1
            return counts
        for row in self.rows:
            if row.result is None:
                counts[MISSING] += 1
            elif (row.result.current and row.agency is not None and row.result.identity is not None
                  and row.result.on_roster):
                counts[row.status] += 1
        return counts

    @property
    def unidentified(self) -> list[FileResult]:
        return [r for r in self.results if r.identity is None and r.agency is None]

    @property
    def not_on_roster(self) -> list[FileResult]:
        return [r for r in self.results if r.identity is not None and not r.on_roster]

    @property
    def duplicates(self) -> list[FileResult]:
        """The returns an agency's newer (or only valid) return supersedes."""
        if self.ledger is not None:
            return [s.result for rec in self.ledger.records for s in rec.superseded]
        return [r for r in self.results if r.identity is not None and not r.current
                and not r.wrong_year]

    @property
    def copied(self) -> list[FileResult]:
        """Workbooks whose visible 机关名称 was changed from the agency they were made for."""
        if self.ledger is None:
            return []
        from .ledger import is_copied  # the ledger imports this module

        return [u.result for u in self.ledger.unassigned if is_copied(u.result)]

    @property  # type: ignore[override]
    def exit_code(self) -> int:
        bad = any(r.status in (HAS_ERRORS, UNREADABLE) for r in self.results
                  if r.current or r.identity is None)
        return exit_code_for(errors=int(bad or bool(self.copied)))  # a copied workbook is an error

    @property  # type: ignore[override]
    def path(self) -> Path:
        return self.folder

    @property  # type: ignore[override]
    def findings(self) -> list[Finding]:
        """The findings of the returns that count (and of unidentified files), each naming its file
        relative to the folder: never a superseded or copied return's (issue 14)."""
        return [replace(f, file=r.file.rel) for r in self.results for f in r.findings
                if r.current or r.identity is None]

    def summary_line(self) -> str:
        counts = self.agency_statuses()
        total = sum(counts.values())
        parts = [f"{s} {counts[s]}" for s in STATUSES if counts[s]]
        line = f"共 {total} 个机关：" + ("，".join(parts) if parts else "没有找到任何工作簿")
        extra = []
        if self.unidentified:
            extra.append(f"{len(self.unidentified)} 个文件无法识别机关")
        if self.roster is not None and self.not_on_roster:
            names = {r.identity.agency_name for r in self.not_on_roster if r.identity}
            extra.append(f"{len(names)} 个机关不在名单中")
        if self.duplicates:
            extra.append(f"{len(self.duplicates)} 个较旧、重复或作废的文件")
        if self.copied:
            extra.append(f"{len(self.copied)} 个疑似复制别的机关的工作簿")
        wrong = [r for r in self.results if r.wrong_year]
        if wrong:
            extra.append(f"{len(wrong)} 个文件年度不符")
        if extra:
            line += "；另有 " + "、".join(extra)
        return line + "。"

    def details(self) -> dict[str, Any]:
        return {
            "year": year_text(self.year),
            "counts": {s: self.agency_statuses()[s] for s in STATUSES},
            "rows": [row.to_dict() for row in self.rows],
        }

    def heading(self) -> None:
        return None

    def body_lines(self) -> list[str]:
        return [format_table(self), ""] if self.rows else []

    def closing_lines(self) -> list[str]:
        return [self.summary_line()]


# ---- checking one file --------------------------------------------------------------------------
def check_file(found: FoundFile, keep: str = KEEP_REPORT) -> FileResult | None:
    """Identify and check one workbook; None when it is one of ogi's own outputs (skipped).
    ``keep`` says what to keep of the Report (:data:`KEEP_REPORT`, :data:`KEEP_VALUES`,
    :data:`KEEP_COUNTS`). The ledger's reader (:func:`ogi.county.ledger.read_return`)."""
    from .ledger import read_return  # the ledger imports this module

    return read_return(found, keep)


def classify(report: Report, findings: list[Finding]) -> str:
    if is_untouched(report):
        return INCOMPLETE
    if any(f.severity == "error" for f in findings):
        return HAS_ERRORS
    if any(f.severity == "warning" and not f.explained for f in findings):
        return HAS_WARNINGS
    return PASSED


def is_untouched(report: Report) -> bool:
    """Still as generated: not one 正文 field has any text (the numbers may be prefilled zeros)."""
    return not any((text or "").strip() for text in report.narrative.values())


def fingerprint(report: Report) -> str:
    """A digest of what a workbook says (values, text, contact fields), independent of how the file
    was saved: two files with the same fingerprint carry the same report."""
    payload = json.dumps({"values": {k: str(v) for k, v in report.values.items()},
                          "narrative": {k: (v or "").strip() for k, v in report.narrative.items()},
                          "metadata": report.metadata, "explanations": report.explanations},
                         ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def describe_difference(a: Report | Digests, b: Report | Digests) -> str:
    """How many numbers, 正文 fields and other fields differ, from the Reports or their digests."""
    da = a if isinstance(a, Digests) else Digests.of(a)
    db = b if isinstance(b, Digests) else Digests.of(b)
    nums, texts, meta, notes = da.differing(db)
    others = meta + notes
    parts = []
    if nums:
        parts.append(f"{nums} 个数字")
    if texts:
        parts.append(f"{texts} 个正文栏目")
    if others:
        parts.append(f"{others} 项基本信息或说明")
    return "、".join(parts) + "不同" if parts else "内容不同"


# ---- the whole folder -----------------------------------------------------------------------------
def collect_status(folder: Path | Sequence[Path], roster: list[Agency] | None = None, *,
                   year: int | None = None, progress: Progress | None = None,
                   exclude: Iterable[Path] = (), keep: str = KEEP_REPORT) -> StatusReport:
    """Identify, check and group every workbook under ``folder`` through the returns ledger
    (:func:`ogi.county.ledger.build_ledger`); ``keep`` as in :func:`check_file`."""
    from .ledger import build_ledger  # the ledger imports this module

    ledger = build_ledger(folder, roster, year, keep=keep, exclude=exclude, progress=progress)
    return status_of(ledger)


def status_of(ledger: Ledger) -> StatusReport:
    """The status table of a ledger: per agency the return that counts, then the returns it
    supersedes (状态 不计入, the reason in 备注); then every file that counts for no agency."""
    rows: list[StatusRow] = []
    for rec in ledger.records:
        if rec.current is None:
            rows.append(StatusRow(rec.agency, None, MISSING, list(rec.notes) + contact_notes(rec.agency)))
        else:
            r = rec.current
            rows.append(StatusRow(rec.agency, r, r.status, list(r.notes) + rec.notes))
        for s in rec.superseded:
            rows.append(StatusRow(rec.agency, s.result, NOT_COUNTED, list(s.result.notes)))
    for u in ledger.unassigned:
        r = u.result
        status = UNREADABLE if not r.readable else NOT_COUNTED
        rows.append(StatusRow(r.agency, r, status, list(r.notes)))
    for row in rows:
        r = row.result
        if r is not None and r.problem and r.problem not in row.notes and (
                r.identity is not None or r.agency is not None):
            row.notes.append(r.problem)
    base = ledger.folders[0] if len(ledger.folders) == 1 else Path(".")
    return StatusReport(base, ledger.roster, ledger.year, rows, ledger.results, ledger.skipped,
                        ledger=ledger)


def contact_notes(agency: Agency) -> list[str]:
    """The roster's 联系人、电话、邮箱 of an agency, as one note (or none)."""
    text = "，".join(f"{label} {v}" for label, v in (("联系人", agency.contact), ("电话", agency.phone),
                                                     ("邮箱", agency.email)) if v)
    return [text] if text else []


# ---- output -----------------------------------------------------------------------------------
def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


#: The terminal table fits a standard Windows console (100 columns); long names end in "…".
TABLE_WIDTH = 100
#: Most columns a name and a file path take before they are shortened.
NAME_WIDTH, FILE_WIDTH = 22, 18
SHORTENED_NOTE = "（过长的名称和文件名已用“…”缩短，完整内容见 -o 进度表或 --json）"


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in pieces of at most ``width`` display columns."""
    parts, current, used = [], "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width:
            parts.append(current)
            current, used = "", 0
        current += ch
        used += w
    return [*parts, current] if current else parts


def format_table(report: StatusReport, width: int = TABLE_WIDTH) -> str:
    """The status table as aligned plain text at most ``width`` columns wide (CJK characters
    count double): names and file paths longer than their column are shortened with "…" (the
    workbook and --json keep them whole); notes longer than what is left of the line go whole
    on indented lines below their row."""
    header = ("机关", "状态", "错误", "警告", "修改时间", "文件", "备注")
    lines: list[list[str]] = []
    for row in report.rows:
        r = row.result
        readable = r is not None and r.readable
        lines.append([
            row.agency_name or "（无法识别）",
            row.status,
            str(r.errors) if r and readable else "",
            (str(r.warnings) + (f"（已说明 {r.explained}）" if r.explained else ""))
            if r and readable else "",
            r.modified.strftime("%Y-%m-%d %H:%M") if r else "",
            r.file.rel if r else "—",
            "；".join(row.notes),
        ])
    cut = False
    for line in lines:
        for i, most in ((0, NAME_WIDTH), (5, FILE_WIDTH)):
            short = shorten(line[i], most)
            cut |= short != line[i]
            line[i] = short
    widths = [max([display_width(h)] + [display_width(line[i]) for line in lines])
              for i, h in enumerate(header[:-1])]
    notes_width = width - sum(widths) - 2 * len(widths)
    out = ["  ".join(_pad(h, w) for h, w in zip(header[:-1], widths, strict=True)) + "  " + header[-1]]
    for line in lines:
        notes = line[-1]
        fits = display_width(notes) <= notes_width
        out.append(("  ".join(_pad(c, w) for c, w in zip(line[:-1], widths, strict=True))
                    + "  " + (notes if fits else "")).rstrip())
        if not fits:  # on lines of their own below the row, whole
            out.extend("    " + part for part in _wrap(notes, width - 4))
    if cut:
        out.append(SHORTENED_NOTE)
    return "\n".join(out)


SEVERITY_ZH = {"error": "错误", "warning": "警告"}


def folder_status(folder: Path, *, roster: Path | list[Agency] | None = None, year: int | None = None,
                  output: Path | None = None, overwrite: bool = False,
                  progress: Progress | None = None) -> StatusReport:
    """The library call behind ``ogi status``: every returned workbook under ``folder`` identified,
    checked and matched to the roster (a file or the agencies), keeping only counts and findings;
    with ``output``, the 进度 workbook written (refused before any checking when unusable)."""
    roster_file = Path(roster) if isinstance(roster, Path | str) else None
    own = None
    if output is not None:  # before minutes are spent on the folder
        own = guard_rollup_output(output, kind="status", overwrite=overwrite, folder=folder,
                                  also_reads=[roster_file])
    agencies = read_roster(roster_file) if roster_file is not None else roster  # type: ignore[arg-type]
    report = collect_status(folder, agencies, year=year, exclude=[output] if output is not None else [],
                            keep=KEEP_COUNTS, progress=progress)
    if output is not None:
        report.written = atomic_write_bytes(output, build_status_workbook(report), overwrite=overwrite,
                                            protect=[p for p in (roster_file,) if p is not None],
                                            replaceable=own)
    return report


def build_status_workbook(report: StatusReport) -> bytes:
    """进度.xlsx: the status table (filters, frozen header) and every finding with file and cell,
    so that the office can filter one township's problems and mail them back."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
    head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "valign": "vcenter"})
    text = wb.add_format(base)
    num = wb.add_format({**base, "align": "center"})
    when = wb.add_format({**base, "num_format": "yyyy-mm-dd hh:mm", "align": "center"})
    code_fmt = wb.add_format({**base, "font_size": 8, "font_color": "#808080", "text_wrap": False,
                              "shrink": True})  # the office's code: one line, never a taller row
    colours = {NOT_COUNTED: "#EDEDED", MISSING: "#D9D9D9", UNREADABLE: "#FFC7CE", INCOMPLETE: "#FCE4D6",
               HAS_ERRORS: "#FFC7CE", HAS_WARNINGS: "#FFEB9C", PASSED: "#C6EFCE"}
    status_fmt = {s: wb.add_format({**base, "align": "center", "bg_color": c})
                  for s, c in colours.items()}

    title = f"{year_text(report.year)}年政府信息公开工作年度报告交回进度".lstrip("年")
    ws = wb.add_worksheet("进度")
    headers = ("序号", "机关名称", "编号", "状态", "错误", "警告", "已说明的警告", "文件",
               "修改时间", "备注")
    widths = (5, 28, 8, 8, 5, 5, 7, 46, 17, 36)  # one landscape page at 80 % (ogi.workbook.print_setup)
    for c, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.write_string(0, c, h, head)
        ws.set_column(c, c, w)
    for i, row in enumerate(report.rows, start=1):
        r = row.result
        ws.write_number(i, 0, i, num)
        ws.write_string(i, 1, row.agency_name or "（无法识别）", text)
        ws.write_string(i, 2, row.agency.id if row.agency else "", text)
        ws.write_string(i, 3, row.status, status_fmt[row.status])
        if r is not None and r.readable:
            ws.write_number(i, 4, r.errors, num)
            ws.write_number(i, 5, r.warnings, num)
            ws.write_number(i, 6, r.explained, num)
        else:
            for c in (4, 5, 6):
                ws.write_blank(i, c, None, num)
        ws.write_string(i, 7, r.file.rel if r else "", text)
        if r is not None:
            ws.write_datetime(i, 8, r.modified, when)
        else:
            ws.write_blank(i, 8, None, when)
        ws.write_string(i, 9, "；".join(row.notes), text)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(len(report.rows), 1), len(headers) - 1)
    setup_print(ws, f"{title}·进度", header_rows=(0, 0))

    wf = wb.add_worksheet("问题清单")
    from .feedback import clerk_cells  # feedback imports this module

    # Clerk-facing: cells a clerk can type into (a balance names its inputs, not the check row);
    # the code only in the last, narrow column, for the office.
    fheaders = ("机关名称", "编号", "文件", "严重程度", "工作表", "单元格", "行", "列",
                "问题", "如何修改", "机关的说明", "代码")
    fwidths = (16, 6, 22, 5, 6, 10, 12, 8, 42, 30, 26, 8)  # one landscape page at 70 %
    for c, (h, w) in enumerate(zip(fheaders, fwidths, strict=True)):
        wf.write_string(0, c, h, head)
        wf.set_column(c, c, w)
    n = 0
    for row in report.rows:
        r = row.result
        if r is None or (not r.current and r.identity is not None):
            continue  # the returns that count (and unidentified files): never a superseded one
        entries: list[tuple[str, Finding | None]] = [(r.problem, None)] if r.problem and not r.findings \
            else [("", f) for f in r.findings]
        for problem, f in entries:
            n += 1
            sheet, cells = clerk_cells(f, layout_for(r.template_id) if r.template_id else layout_for()) \
                if f else ("", "")
            values = (row.agency_name or "（无法识别）", row.agency.id if row.agency else "",
                      r.file.rel,
                      SEVERITY_ZH.get(f.severity, f.severity) if f else "错误",
                      sheet, cells,
                      f.row_label if f else "", f.column_label if f else "",
                      f.message if f else problem, f.hint if f else "", f.explanation if f else "",
                      f.code if f else "FILE-UNREADABLE")
            for c, v in enumerate(values):
                wf.write_string(n, c, v, code_fmt if c == len(values) - 1 else text)
    wf.freeze_panes(1, 3)
    wf.autofilter(0, 0, max(n, 1), len(fheaders) - 1)
    setup_print(wf, f"{title}·问题清单", header_rows=(0, 0))

    wsum = wb.add_worksheet("统计")
    wsum.set_column(0, 0, 16)
    wsum.set_column(1, 1, 60)
    counts = report.agency_statuses()
    wsum.write_string(0, 0, "文件夹", head)
    wsum.write_string(0, 1, str(report.folder), text)
    wsum.write_string(1, 0, "报告年度", head)
    wsum.write_string(1, 1, year_text(report.year), text)
    wsum.write_string(2, 0, "生成时间", head)
    wsum.write_datetime(2, 1, dt.datetime.now().replace(microsecond=0), when)
    for i, s in enumerate(STATUSES, start=4):
        wsum.write_string(i, 0, s, status_fmt[s])
        wsum.write_number(i, 1, counts[s], num)
    wsum.write_string(len(STATUSES) + 5, 0, "说明", head)
    wsum.write_string(len(STATUSES) + 5, 1, report.summary_line(), text)
    setup_print(wsum, f"{title}·统计")

    wb.set_properties({"title": title,
                       "author": "ogi", "comments": "由 ogi status 生成"})
    wb.set_custom_property(OUTPUT_PROPERTY, "status")
    wb.close()
    return buf.getvalue()

