"""`ogi feedback`: send each agency what to fix, in a form a township can act on without a phone call.

For every agency whose return that counts has errors or unexplained warnings this module makes:

* an **annotated copy of its own workbook**, rebuilt by :mod:`ogi.workbook.xlsx_writer` from what the township
  entered (raw invalid entries kept as entered, every 说明 kept), each cell to fix highlighted and
  carrying a Chinese comment, and a first sheet 需要修改的问题. The copy is an ordinary 填报工作簿
  (same hidden identity, no output marker): sent back, it is that agency's return. Its problems are
  found by checking the copy itself, so the list is exactly what ``ogi check`` will say of it;
* a **退改单** (xlsx, optionally PDF), a **mail draft** (.eml, ``X-Unsent: 1``) and a **通知.txt**;

and for every roster agency with no return a 催报 notice and mail draft; plus one index workbook.
Problems of a total or a balance point at the input cells that feed it: a clerk cannot type into a
total. Clerk-facing text names rules in words; codes appear only in a last, narrow column.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from email.header import Header
from email.utils import formatdate
from pathlib import Path
from typing import Any, ClassVar

from ..errors import InputError, OutputError
from ..files.libreoffice import convert
from ..files.safe_io import InputSet, atomic_write_bytes, check_target, ensure_output_dir, safe_filename
from ..form.layout import SHEET_CHECKS, Layout, layout_for
from ..form.report import Finding, year_text
from ..form.results import Result, exit_code_for
from ..form.rules import input_operands
from ..workbook.checker import CheckResult, check_workbook
from ..workbook.print_setup import setup_print
from ..workbook.xlsx_writer import (
    Agency,
    WorkbookOptions,
    build_workbook,
    safe_workbook_filename,
)
from .collect import OUTPUT_PROPERTY, FoundFile
from .ledger import Unassigned, build_ledger, read_source
from .roster import roster_agencies
from .status import KEEP_COUNTS, FileResult, Progress

OFFICE = "县级政务公开办"
#: The "agency" of a file that cannot be attributed (damaged, not an ogi workbook).
UNKNOWN = "无法识别的文件"
#: How many cells a problem line names before "等 N 个格子".
MAX_CELLS_NAMED = 6
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
RESAVE = ("请用 WPS 或 Excel 打开这个文件，点“文件—另存为”，文件类型选“Excel 工作簿（*.xlsx）”，保存后重新报送；"
          "如果文件打不开或不是县级下发的填报表，请在县级下发的原表中重新填写后报送。")


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing the township must fix, with the input cells it concerns."""

    number: int
    finding: Finding
    cells: tuple[tuple[str, str], ...]

    @property
    def place(self) -> str:
        """``表三 D12`` or ``表三 D5、D6、D7 等 24 个格子``: only cells a clerk can type into."""
        if not self.cells:
            return self.finding.sheet or "整个工作簿"
        by_sheet: dict[str, list[str]] = {}
        for sheet, addr in self.cells:
            by_sheet.setdefault(sheet, []).append(addr)
        parts = []
        for sheet, addrs in by_sheet.items():
            named = "、".join(addrs[:MAX_CELLS_NAMED])
            more = f" 等 {len(addrs)} 个格子" if len(addrs) > MAX_CELLS_NAMED else ""
            parts.append(f"{sheet} {named}{more}")
        return "；".join(parts)

    @property
    def item(self) -> str:
        f = self.finding
        return "｜".join(p for p in (f.row_label, f.column_label) if p)

    @property
    def severity(self) -> str:
        return "错误" if self.finding.severity == "error" else "警告"

    def comment(self) -> str:
        """The cell comment: what is wrong (with the figures), how to fix it."""
        f = self.finding
        return f"问题 {self.number}（{self.severity}）：{f.message}\n怎样修改：{self.fix}"

    @property
    def fix(self) -> str:
        f = self.finding
        # A township runs no command: sentences about command-line options are the office's.
        hint = "".join(s for s in re.split(r"(?<=。)", f.hint) if "--" not in s)
        if f.severity == "warning" and "说明" not in hint:
            return hint + "（如确实无误，可在“校验”表该项的“说明”栏写明原因）"
        return hint

    def row(self) -> tuple[str, ...]:
        f = self.finding
        hint = self.fix
        return (str(self.number), self.place, self.item, f"【{self.severity}】{f.message}", hint, f.code)


@dataclass
class AgencyFeedback:
    """Everything written for one agency."""

    agency: Agency
    year: str
    source: Path | None = None
    modified: dt.datetime | None = None
    problems: list[Problem] = field(default_factory=list)
    repaired: list[Finding] = field(default_factory=list)
    unreadable: str = ""  # why the file cannot be used (read or refused), in Chinese
    #: The file was read but cannot count (last year's workbook, a neighbour's copy): another fix.
    refused: bool = False
    workbook: bytes | None = None
    workbook_name: str = ""
    slip: bytes = b""
    notice: str = ""
    eml: bytes = b""
    folder: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.finding.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.finding.severity == "warning")

    @property
    def verdict(self) -> str:
        return "不能采用" if self.refused else "无法读取" if self.unreadable else "需要修改"

    @property
    def how_to_fix(self) -> str:
        if self.refused:
            return (f"请在县级下发给贵单位的 {self.year} 年度填报表中填写（不要使用上年或其他单位的表），"
                    "填好后重新报送。")
        return RESAVE

    def line(self) -> str:
        if self.unreadable:
            return f"{self.agency.name}：{self.verdict}（{self.unreadable}），已写退改单 → {self.folder}/"
        counts = "，".join(p for p in (f"{self.errors} 个错误" if self.errors else "",
                                      f"{self.warnings} 个警告" if self.warnings else "") if p)
        return f"{self.agency.name}：{counts or '没有需要修改的问题'}，已写修改表、退改单和通知 → {self.folder}/"


@dataclass
class Reminder:
    """A roster agency with no return: a 催报 notice."""

    agency: Agency
    notice: str = ""
    eml: bytes = b""
    folder: str = ""

    def line(self) -> str:
        return f"{self.agency.name}：尚未报送，已写催报通知 → 催报/{self.folder}/"


@dataclass
class FeedbackResult(Result):
    """A feedback round: the agencies written to (their problems), the reminders, the agencies
    whose return needs nothing. Its ``findings`` are every agency's problems."""

    result_type: ClassVar[str] = "feedback"

    year: str
    sent: list[AgencyFeedback]
    reminders: list[Reminder]
    passed: list[str]  # agencies whose return needs nothing
    output: Path | None = None  # where :func:`feedback_folder` wrote the files

    @property
    def exit_code(self) -> int:
        return exit_code_for(errors=len(self.sent))

    @property  # type: ignore[override]
    def path(self) -> Path:
        return self.output if self.output is not None else Path()

    @property  # type: ignore[override]
    def findings(self) -> list[Finding]:
        return [p.finding for fb in self.sent for p in fb.problems]

    def details(self) -> dict[str, Any]:
        """For ``--json``: per agency the files written and every problem with its code."""
        return {
            "year": self.year,
            "agencies": [{
                "agency": fb.agency.name, "agency_id": fb.agency.id, "email": fb.agency.email,
                "file": str(fb.source) if fb.source else "", "folder": fb.folder,
                "unusable": fb.unreadable or None, "refused": fb.refused, "errors": fb.errors, "warnings": fb.warnings,
                "problems": [{**p.finding.to_dict(), "number": p.number,
                              "cells": [f"{sheet}!{addr}" for sheet, addr in p.cells]}
                             for p in fb.problems],
                "repaired": [f.to_dict() for f in fb.repaired],
            } for fb in self.sent],
            "passed": list(self.passed),
            "not_returned": [{"agency": r.agency.name, "agency_id": r.agency.id, "contact": r.agency.contact,
                              "phone": r.agency.phone, "email": r.agency.email} for r in self.reminders],
        }

    def summary_line(self) -> str:
        return (f"共 {len(self.sent)} 个机关需要修改，{len(self.passed)} 个机关无需修改，"
                f"{len(self.reminders)} 个机关尚未报送。")

    def lines(self) -> list[str]:
        """What ``ogi feedback`` prints: a line per agency written to, per reminder, the counts and
        where the files are."""
        return [*(fb.line() for fb in self.sent), *(rem.line() for rem in self.reminders),
                self.summary_line(), *([f"已保存：{self.output}"] if self.output is not None else [])]

    def heading(self) -> None:
        return None

    def body_lines(self) -> list[str]:
        return self.lines()


# ---- which cells a finding concerns -------------------------------------------------------------
def finding_cells(f: Finding, layout: Layout) -> tuple[tuple[str, str], ...]:
    """The cells a clerk can type into behind a finding: the cell itself when it is an input; the
    inputs a total or a balance adds up; for a warning of a rule, also its 说明 cell on 校验."""
    spec = layout.spec
    keys: tuple[str, ...] = ()
    rule = None
    if f.rule_id:
        try:
            rule = spec.rule(f.rule_id)
        except KeyError:
            rule = None
    if rule is not None and rule.live:
        keys = input_operands(spec, rule.operands)
    elif f.key in spec.cells:
        keys = input_operands(spec, (f.key,))
    cells: list[tuple[str, str]] = [layout.address(k) for k in keys]
    if not cells and f.sheet and f.cell and (f.key or f.code.startswith(("META-", "NARRATIVE", "TEXT-"))):
        cells.append((f.sheet, f.cell))
    if rule is not None and f.severity == "warning" and f.rule_id in layout.check_rows:
        cells.append((SHEET_CHECKS, layout.check_rows[f.rule_id].explanation_address))
    return tuple(dict.fromkeys(cells))


def clerk_cells(f: Finding, layout: Layout) -> tuple[str, str]:
    """(sheet, cells) of a finding as a clerk looks for them: ``("表三", "D7、D8 等 24 个格子")``."""
    cells = finding_cells(f, layout)
    if not cells:  # a changed label, a sheet: where it is, even if not a cell to type into
        return f.sheet, f.cell
    sheet = cells[0][0]
    return sheet, Problem(0, f, tuple(c for c in cells if c[0] == sheet)).place.removeprefix(f"{sheet} ")


def _needs_feedback(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error" or not f.explained]


def _same(a: Finding, b: Finding) -> bool:
    return (a.code, a.key, a.rule_id, a.message) == (b.code, b.key, b.rule_id, b.message)


# ---- the annotated copy -------------------------------------------------------------------------
def copy_intro(year: str, deadline: str) -> str:
    when = f"请于 {deadline} 前" if deadline else "请尽快"
    return (f"这是贵单位交回的 {year} 年度填报表，县级检查后发现下列问题。请直接在本工作簿中修改：需要修改的格子已标为橙色，"
            "鼠标指向格子可以看到批注（问题、数字和修改方法）。合计、平衡有误的，标出的是构成它的各个填写格子，请逐一核对。"
            f"改好后看“校验”表各项是否“通过”，{when}把本工作簿重新报送。本表保留即可，检查时不读取本表。")


def _options(checked: CheckResult, *, deadline: str, marks: dict[tuple[str, str], str] | None = None,
             problems: tuple[tuple[str, ...], ...] = ()) -> tuple[Agency, WorkbookOptions]:
    report = checked.report
    assert report is not None
    meta = report.metadata
    agency = Agency(meta.get("agency_name", ""), meta.get("agency_id", ""), meta.get("agency_type", ""))
    options = WorkbookOptions(year=report.year, deadline=deadline, prefill=report,
                              template_id=report.template_id, raw=dict(checked.raw),
                              marks=marks or {}, problems=problems,
                              problems_intro=copy_intro(year_text(report.year), deadline))
    return agency, options


#: Findings whose sheet's numbers the copy cannot carry over.
LOST_CODES = ("XLSX-ROWS-SHIFTED", "XLSX-SHEET-MISSING")
LOST_SHEET = "修改表中这张表的数字格是空白的（原表的数字无法按位置读取），请对照原来填写的表把数字重新填入。"


def annotate(source: Path | FoundFile, *, deadline: str = ""
             ) -> tuple[bytes, list[Problem], list[Finding], CheckResult]:
    """The annotated copy of one return (a file, or a ledger's :class:`FoundFile`, which may be a
    member of a zip attachment): (xlsx bytes, its problems, the original's problems the rebuild
    repaired (a restored formula, protection), the original's check result).

    Raises :class:`InputError` when the return cannot be read."""

    if isinstance(source, FoundFile):
        path, data = source.label, read_source(source)
    else:
        path, data = Path(source), None
    checked = check_workbook(path, data=data)
    if checked.report is None:  # pragma: no cover - check_workbook raises instead
        raise InputError("工作簿无法读取", path=path)
    layout = layout_for(checked.report.template_id)
    agency, options = _options(checked, deadline=deadline)
    plain = build_workbook(agency, options)
    on_copy = _needs_feedback(check_workbook(path, data=plain).findings)
    # A sheet whose numbers could not be read (rows inserted or deleted, a sheet deleted) is blank
    # in the copy: one problem saying so, not one per blank cell.
    lost = [replace(f, hint=f"{f.hint}{LOST_SHEET}") for f in checked.findings
            if f.code in LOST_CODES and f.severity == "error"]
    lost_sheets = {f.sheet for f in lost}
    on_copy = lost + [f for f in on_copy if not (f.code == "VALUE-BLANK" and f.sheet in lost_sheets)]
    problems = [Problem(i, f, finding_cells(f, layout)) for i, f in enumerate(on_copy, start=1)]
    repaired = [f for f in _needs_feedback(checked.findings) if not any(_same(f, g) for g in on_copy)]
    marks: dict[tuple[str, str], str] = {}
    for p in problems:
        for cell in p.cells:
            marks[cell] = (marks[cell] + "\n\n" if cell in marks else "") + p.comment()
    agency, options = _options(checked, deadline=deadline, marks=marks,
                               problems=tuple(p.row() for p in problems))
    return build_workbook(agency, options), problems, repaired, checked


# ---- 退改单 --------------------------------------------------------------------------------------
SLIP_HEADERS = ("序号", "表", "位置（可填写的格子）", "项目（行｜列）", "问题（含数字）", "怎样修改", "代码")
SLIP_WIDTHS = (5, 9, 20, 26, 48, 40, 7)


def _new_book(kind: str):  # type: ignore[no-untyped-def]
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_custom_property(OUTPUT_PROPERTY, kind)  # never taken for a return
    base = {"font_name": "宋体", "font_size": 11, "valign": "top", "text_wrap": True}
    fmts = {
        "title": wb.add_format({**base, "bold": True, "font_size": 16, "align": "center",
                                "valign": "vcenter"}),
        "label": wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#F2F2F2"}),
        "text": wb.add_format({**base, "border": 1}),
        "head": wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#DDEBF7",
                               "align": "center", "valign": "vcenter"}),
        "code": wb.add_format({**base, "border": 1, "font_size": 8, "font_color": "#808080",
                               "text_wrap": False, "shrink": True}),
        "plain": wb.add_format(base),
    }
    return wb, buf, fmts


def build_slip(fb: AgencyFeedback, *, deadline: str = "") -> bytes:
    """The 退改单: who, which file, each problem with 表/位置/项目 in words, the figures, the fix."""
    wb, buf, f = _new_book("feedback")
    ws = wb.add_worksheet("退改单")
    last = len(SLIP_HEADERS) - 1
    for c, w in enumerate(SLIP_WIDTHS):
        ws.set_column(c, c, w)
    ws.merge_range(0, 0, 0, last, f"{fb.year}年政府信息公开工作年度报告填报表 退改单", f["title"])
    ws.set_row(0, 30)
    info = [
        ("报送单位", fb.agency.name),
        ("报告年度", f"{fb.year}年"),
        ("交回的文件", fb.source.name if fb.source else ""),
        ("文件保存时间", fb.modified.strftime("%Y-%m-%d %H:%M") if fb.modified else ""),
        ("检查结果", f"{fb.verdict}：{fb.unreadable}" if fb.unreadable else
         f"共 {len(fb.problems)} 个问题（{fb.errors} 个错误，{fb.warnings} 个警告）"),
        ("怎样修改", fb.how_to_fix if fb.unreadable else
         f"在附件“{fb.workbook_name}”中直接修改（橙色格子，批注中有说明），改好后重新报送"),
        ("修改截止", deadline or "请尽快"),
    ]
    r = 2
    header = 0
    for label, text in info:
        ws.merge_range(r, 0, r, 1, "", f["label"])
        ws.write_string(r, 0, label, f["label"])
        ws.merge_range(r, 2, r, last, "", f["text"])
        ws.write_string(r, 2, text, f["text"])
        ws.set_row(r, 18 * max(1, len(text) // 70 + 1))
        r += 1
    if fb.problems:
        r += 1
        for c, h in enumerate(SLIP_HEADERS):
            ws.write_string(r, c, h, f["head"])
        header = r
        for p in fb.problems:
            r += 1
            sheet = p.cells[0][0] if p.cells else p.finding.sheet
            place = p.place.removeprefix(f"{sheet} ") if sheet else p.place
            values = (str(p.number), sheet or "—", place or "—", p.item or "—",
                      f"【{p.severity}】{p.finding.message}", p.fix, p.finding.code)
            for c, text in enumerate(values):
                ws.write_string(r, c, text, f["code"] if c == last else f["text"])
            longest = max(len(values[4]) / 24, len(values[5]) / 20, len(values[2]) / 10, 1)
            ws.set_row(r, 16 * (int(longest) + 1))
    if fb.repaired:
        r += 2
        ws.merge_range(r, 0, r, last, "以下问题已在附件修改表中恢复（公式、保护等），无需处理；"
                       "合计与原来填写的数不同的，请核对构成它的各项：", f["plain"])
        for g in fb.repaired:
            r += 1
            ws.merge_range(r, 0, r, last - 1, "", f["text"])
            ws.write_string(r, 0, f"{g.where}：{g.message}" if g.where else g.message, f["text"])
            ws.write_string(r, last, g.code, f["code"])
            ws.set_row(r, 16 * (len(g.message) // 90 + 1))
    setup_print(ws, f"{fb.agency.name}·退改单", header_rows=(header, header) if header else None,
                landscape=True)
    wb.close()
    return buf.getvalue()


# ---- 通知.txt and the mail draft ----------------------------------------------------------------
def feedback_notice(fb: AgencyFeedback, *, deadline: str = "", office: str = OFFICE) -> str:
    when = f"请于 {deadline} 前" if deadline else "请尽快"
    head = "您好：\n\n" if fb.agency.name == UNKNOWN else f"{fb.agency.name}：\n\n"
    source = f"“{fb.source.name}”" if fb.source else ""
    saved = f"（保存于 {fb.modified:%Y-%m-%d %H:%M}）" if fb.modified else ""
    if fb.unreadable:
        body = (f"贵单位报送的《{fb.year}年政府信息公开工作年度报告填报表》文件{source}{saved}{fb.verdict}："
                f"{fb.unreadable}\n\n{fb.how_to_fix}\n{when}重新报送。退改单见附件。\n")
    else:
        lines = [f"经检查，贵单位报送的《{fb.year}年政府信息公开工作年度报告填报表》{source}{saved}"
                 f"有 {len(fb.problems)} 处需要修改：", ""]
        for p in fb.problems:
            item = f"（{p.item}）" if p.item else ""
            lines.append(f"{p.number}. {p.place}{item}：{p.finding.message}")
            lines.append(f"   修改：{p.fix}")
        lines += ["", f"请在附件“{fb.workbook_name}”中直接修改：需要修改的格子已标为橙色，鼠标指向格子可看到批注。"
                  f"改好后看“校验”表各项是否“通过”，{when}把这个工作簿重新报送。退改单见附件。"]
        body = "\n".join(lines) + "\n"
    return f"{head}{body}\n{office}\n"


def reminder_notice(agency: Agency, year: str, *, deadline: str = "", office: str = OFFICE) -> str:
    when = f"报送截止日期为 {deadline}，请尽快报送" if deadline else "请尽快报送"
    return (f"{agency.name}：\n\n贵单位的《{year}年政府信息公开工作年度报告填报表》尚未报送，{when}。"
            "如已报送，请告知报送时间和方式，以便核对。\n\n"
            f"{office}\n")


def build_eml(*, to: str, subject: str, body: str,
              attachments: Sequence[tuple[str, bytes]] = ()) -> bytes:
    """An RFC 5322 message Outlook opens as a draft to send (``X-Unsent: 1``): UTF-8 subject and
    body (base64), each attachment named both per RFC 2231 (``filename*`` of Content-Disposition)
    and per RFC 2047 (``name`` of Content-Type, which Outlook and many webmail clients read)."""
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    msg = MIMEMultipart()
    if to:
        msg["To"] = to
    msg["Subject"] = Header(subject, "utf-8")
    msg["Date"] = formatdate(localtime=True)
    msg["X-Unsent"] = "1"
    msg.attach(MIMEText(body.replace("\n", "\r\n"), "plain", "utf-8"))
    for name, data in attachments:
        subtype = XLSX_TYPE[1] if name.lower().endswith(".xlsx") else "pdf"
        part = MIMEApplication(data, subtype)
        part.set_param("name", Header(name, "utf-8", maxlinelen=10_000).encode())
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        msg.attach(part)
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))  # RFC 5322: CRLF line ends


# ---- the whole run --------------------------------------------------------------------------------
def saved_time(r: FileResult) -> dt.datetime:
    """When the return was saved, local time: the workbook's own save time (what the ledger
    orders returns by), else the file's modification time."""
    if r.saved is not None:
        return r.saved.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None, microsecond=0)
    return r.modified


def folder_name(agency: Agency) -> str:
    return safe_filename(agency.name, fallback="未命名机关")


def prepare(folders: Sequence[Path], roster: list[Agency] | None = None, *, year: int | None = None,
            deadline: str = "", office: str = OFFICE, exclude: Iterable[Path] = (),
            progress: Progress | None = None) -> FeedbackResult:
    """Everything to write, in memory, for the returns that count (:func:`ogi.county.ledger.build_ledger`)."""

    ledger = build_ledger(list(folders), roster, year, keep=KEEP_COUNTS, exclude=exclude,
                          progress=progress)
    expected = ledger.year
    shown = year_text(expected)  # as the notices print it
    sent: list[AgencyFeedback] = []
    reminders: list[Reminder] = []
    passed: list[str] = []
    used: dict[str, set[str]] = {"sent": set(), "reminders": set()}

    def unique(name: str, space: str = "sent") -> str:
        """Two agencies whose names become the same file name get distinct folders."""
        taken = used[space]
        candidate, n = name, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{name}_{n}"
        taken.add(candidate.casefold())
        return candidate

    # A file that names an agency but cannot count for it (last year's workbook, a copied one):
    # told to that agency when it has no return that counts.
    refused: dict[int, Unassigned] = {}
    for u in ledger.unassigned:
        if u.result.agency is not None and not u.result.file.voided:
            rec = ledger.record(u.result.agency)
            if rec is not None and rec.current is None and rec.on_roster:
                refused.setdefault(id(rec), u)
    for rec in ledger.records:
        r = rec.current
        agency = rec.agency
        if r is None:
            u = refused.get(id(rec))
            if u is not None:
                fb = AgencyFeedback(agency, shown, source=u.result.file.label,
                                    modified=saved_time(u.result), folder=unique(folder_name(agency)),
                                    unreadable=u.reason, refused=u.result.readable)
                sent.append(_finish(fb, deadline=deadline, office=office))
            elif roster is not None and rec.on_roster:
                rem = Reminder(agency, folder=unique(folder_name(agency), "reminders"))
                rem.notice = reminder_notice(agency, shown, deadline=deadline, office=office)
                rem.eml = build_eml(to=agency.email, body=rem.notice,
                                    subject=f"催报：{shown}年政府信息公开工作年度报告填报表")
                reminders.append(rem)
            continue
        fb = AgencyFeedback(agency, shown, source=r.file.label, modified=saved_time(r),
                            folder=unique(folder_name(agency)))
        if r.problem:
            fb.unreadable = r.problem
        elif not _needs_feedback(r.findings):
            passed.append(agency.name)
            continue
        else:
            try:
                data, problems, repaired, _ = annotate(r.file, deadline=deadline)
            except InputError as exc:
                fb.unreadable = exc.message
            else:
                if not problems and not repaired:
                    passed.append(agency.name)
                    continue
                fb.workbook, fb.problems, fb.repaired = data, problems, repaired
                fb.workbook_name = safe_workbook_filename(agency, expected or r.identity.year,  # type: ignore[union-attr]
                                                          suffix="（修改）")
        sent.append(_finish(fb, deadline=deadline, office=office))
    for u in ledger.unassigned:  # a file no agency can be told for: its 退改单 alone
        r = u.result
        if r.agency is None and not r.file.voided and not r.readable:
            fb = AgencyFeedback(Agency(UNKNOWN), shown, source=r.file.label, modified=saved_time(r),
                                folder=unique(safe_filename(f"{UNKNOWN}-{Path(r.file.rel).stem}")),
                                unreadable=u.reason)
            sent.append(_finish(fb, deadline=deadline, office=office))
    return FeedbackResult(shown, sent, reminders, passed)


def _finish(fb: AgencyFeedback, *, deadline: str, office: str) -> AgencyFeedback:
    """The 退改单, the notice and the mail draft of ``fb``."""
    fb.slip = build_slip(fb, deadline=deadline)
    fb.notice = feedback_notice(fb, deadline=deadline, office=office)
    attachments = [(slip_name(fb), fb.slip)]
    if fb.workbook is not None:
        attachments.insert(0, (fb.workbook_name, fb.workbook))
    fb.eml = build_eml(to=fb.agency.email, body=fb.notice, attachments=attachments,
                       subject=f"请修改并重新报送：{fb.year}年政府信息公开工作年度报告填报表（{fb.agency.name}）")
    return fb


INDEX_NAME = "退改汇总.xlsx"
#: The index's printed title (footer: "<year>年退改汇总·<sheet>", as status and summary print theirs).
INDEX_TITLE = "退改汇总"


def slip_name(fb: AgencyFeedback) -> str:
    return safe_filename(f"退改单-{fb.folder}.xlsx")


def build_index(result: FeedbackResult, *, deadline: str = "") -> bytes:
    """退改汇总.xlsx: what was written per agency, and the 催报 list with contacts."""
    wb, buf, f = _new_book("feedback-index")
    ws = wb.add_worksheet("退改清单")
    headers = ("序号", "机关名称", "结果", "错误", "警告", "交回的文件", "输出文件夹", "邮箱")
    widths = (6, 32, 12, 7, 7, 44, 32, 26)
    for c, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.write_string(0, c, h, f["head"])
        ws.set_column(c, c, w)
    for i, fb in enumerate(result.sent, start=1):
        values = (str(i), fb.agency.name, fb.verdict, str(fb.errors),
                  str(fb.warnings), fb.source.name if fb.source else "", fb.folder, fb.agency.email)
        for c, text in enumerate(values):
            ws.write_string(i, c, text, f["text"])
    ws.freeze_panes(1, 2)
    setup_print(ws, f"{result.year}年{INDEX_TITLE}·{ws.name}", header_rows=(0, 0))
    ws = wb.add_worksheet("催报")
    headers = ("序号", "机关名称", "联系人", "电话", "邮箱", "报送截止")
    widths = (6, 34, 12, 18, 28, 16)
    for c, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.write_string(0, c, h, f["head"])
        ws.set_column(c, c, w)
    for i, rem in enumerate(result.reminders, start=1):
        a = rem.agency
        for c, text in enumerate((str(i), a.name, a.contact, a.phone, a.email, deadline)):
            ws.write_string(i, c, text, f["text"])
    setup_print(ws, f"{result.year}年{INDEX_TITLE}·{ws.name}", header_rows=(0, 0))
    wb.close()
    return buf.getvalue()


def check_output_folder(output: Path, folders: Sequence[Path]) -> None:
    """Nothing is ever written into a returns folder (checked before any is read)."""
    out = Path(output).resolve()
    if out.exists() and not out.is_dir():
        raise OutputError("输出位置是一个文件，不是文件夹", path=output)
    for folder in folders:
        f = Path(folder).resolve()
        if out == f or f in out.parents:
            raise OutputError("输出文件夹不能放在交回工作簿的文件夹里（ogi 不往交回的文件夹中写任何文件），"
                              "请换一个位置", path=output)


def feedback_folder(folders: Sequence[Path], output: Path, *, roster: Path | list[Agency] | None = None,
                    year: int | None = None, deadline: str = "", pdf: bool = False,
                    overwrite: bool = False, progress: Progress | None = None) -> FeedbackResult:
    """The library call behind ``ogi feedback``: refuse an ``output`` inside a returns folder
    (before anything is read), check the returns that count (:func:`prepare`), then publish every
    agency's files under ``output`` (:func:`write_feedback`; never over a return or the roster)."""
    check_output_folder(output, folders)
    agencies = roster_agencies(roster)
    deadline = deadline.strip()
    result = prepare(list(folders), agencies, year=year, deadline=deadline, exclude=[output],
                     progress=progress)
    write_feedback(result, output, overwrite=overwrite, deadline=deadline, pdf=pdf,
                   protect=[*folders, *([Path(roster)] if isinstance(roster, (str, Path)) else [])])
    result.output = Path(output)
    return result


def notice_bytes(text: str) -> bytes:
    """通知.txt as every Windows editor opens it: UTF-8 with a BOM, CRLF line ends."""
    return text.replace("\n", "\r\n").encode("utf-8-sig")


def plan_files(result: FeedbackResult, output: Path, *, deadline: str = "",
               pdf: bool = False) -> list[tuple[Path, bytes]]:
    """Every file ``ogi feedback`` writes under ``output``, with its bytes (the 退改单 PDFs made by
    one LibreOffice run): all of it is known before anything is published."""
    files: list[tuple[Path, bytes]] = []
    slips: list[tuple[str, bytes]] = []
    for fb in result.sent:
        folder = output / fb.folder
        if fb.workbook is not None:
            files.append((folder / fb.workbook_name, fb.workbook))
        files.append((folder / slip_name(fb), fb.slip))
        slips.append((fb.folder, fb.slip))
        files.append((folder / "通知.txt", notice_bytes(fb.notice)))
        files.append((folder / safe_filename(f"邮件-{fb.folder}.eml"), fb.eml))
    for rem in result.reminders:
        folder = output / "催报" / rem.folder
        files.append((folder / "通知.txt", notice_bytes(rem.notice)))
        files.append((folder / safe_filename(f"催报邮件-{rem.folder}.eml"), rem.eml))
    files.append((output / INDEX_NAME, build_index(result, deadline=deadline)))
    if pdf and slips:
        with tempfile.TemporaryDirectory(prefix="ogi-feedback-pdf-") as tmp:
            sources = []
            for i, (_, data) in enumerate(slips):
                src = Path(tmp) / f"{i}.xlsx"  # ASCII names: LibreOffice names its output after them
                src.write_bytes(data)
                sources.append(src)
            made = convert(sources, "pdf", Path(tmp) / "pdf")
            for (folder_name_, _), pdf_path in zip(slips, made, strict=True):
                files.append((output / folder_name_ / safe_filename(f"退改单-{folder_name_}", suffix=".pdf"),
                              pdf_path.read_bytes()))
    return files


def write_feedback(result: FeedbackResult, output: Path, *, overwrite: bool = False,
                   deadline: str = "", pdf: bool = False, protect: Iterable[Path] = ()) -> list[Path]:
    """Publish every file under ``output`` through :func:`ogi.files.safe_io.atomic_write_bytes`: each
    target is checked before the first is written (never an input in ``protect``, never an existing
    file unless ``overwrite``); returns the paths written."""
    inputs = InputSet(protect)
    files = plan_files(result, Path(output), deadline=deadline, pdf=pdf)
    for path, _ in files:
        if path.parent.is_dir():
            check_target(path, overwrite=overwrite, protect=inputs)
    written: list[Path] = []
    for path, data in files:
        ensure_output_dir(path.parent)
        written.append(atomic_write_bytes(path, data, overwrite=overwrite, protect=inputs))
    return written
