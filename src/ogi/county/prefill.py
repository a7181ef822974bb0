"""Next year starts from this year: last year's workbooks -> prefilled workbooks for the new year.

``ogi new --previous LAST_YEAR_FOLDER`` reads last year's returned workbooks, matches each to this
year's roster by 编号, else by name (never by file name), and prefills

* 表三 二、上年结转 in every column from last year's 四、结转下年度 (the pairs come from the spec's
  ``previous_equal`` rules, so the same definition drives the prefill and the PREV-CARRY check);
* the contact fields of 基本信息 (address, phone, e-mail, website, ...), which rarely change.

Agencies without a usable workbook from last year are listed, and so are doubts about the ones used
(last year's workbook had errors, a carried cell was blank).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..form.layout import layout_for
from ..form.report import Agency, Report, Value
from ..form.rules import carry_pairs as rule_carry_pairs
from ..form.spec import FormSpec
from .collect import Identity
from .ledger import Ledger, build_ledger
from .status import HAS_ERRORS, KEEP_REPORT, FileResult, Progress


@dataclass
class PreviousReports:
    """Last year's reports, one per agency: the returns that count in last year's ledger
    (:mod:`ogi.county.ledger`), paired with this year's agencies by the ledger's own matcher."""

    source: Path
    year: int | None
    entries: list[FileResult]
    problems: list[str] = field(default_factory=list)  # files that could not be used, in Chinese
    single_file: bool = False
    ledger: Ledger | None = None
    off_roster: list[str] = field(default_factory=list)  # agencies last year not on this roster

    def find(self, agency: Agency) -> FileResult | None:
        """Last year's entry for ``agency``: by 编号 when both have one, else by name."""
        if self.ledger is None:
            return None
        record = self.ledger.record(agency)
        entry = record.current if record is not None else None
        if entry is None or entry.report_for_checks() is None:
            return None
        return entry

    def lookup(self, identity: Identity) -> Report | None:
        """Last year's report for a workbook's identity (for ``ogi check/fill --previous``)."""
        entry = self.find(identity.agency)
        return entry.report_for_checks() if entry is not None else None


def load_previous(path: Path, *, year: int | None = None, progress: Progress | None = None,
                  roster: list[Agency] | None = None, keep: str = KEEP_REPORT) -> PreviousReports:
    """Read last year's workbook (one file) or every workbook under a folder, through the ledger.

    ``year`` is last year (this year − 1); workbooks of another year are not used. ``roster`` is
    this year's roster: last year's workbooks are matched to it as this year's are. A single file
    that cannot be used is an :class:`InputError` (the user named it); in a folder, unusable files
    are listed in ``problems``.
    """

    path = Path(path)
    if not path.exists():
        raise InputError("找不到上年的工作簿或文件夹", path=path)
    if path.is_file():
        ledger = build_ledger([path], None, None, keep=keep)
        results = ledger.results
        if not results:
            raise InputError("上年的工作簿无法使用：这是 ogi 生成的进度表或汇总表，不是填报工作簿",
                             path=path)
        result = results[0]
        if result.report_for_checks() is None:
            raise InputError(f"上年的工作簿无法使用：{result.problem or result.reason}", path=path)
        if year and result.identity and result.identity.year and result.identity.year != year:
            raise InputError(f"上年的工作簿是 {result.identity.year} 年度的，应为 {year} 年度", path=path)
        return PreviousReports(path, year, [result], single_file=True, ledger=ledger)
    ledger = build_ledger(path, roster, year, keep=keep, progress=progress)
    problems = []
    off_roster = []
    for u in ledger.unassigned:
        r = u.result
        if r.identity is not None and not r.on_roster and roster is not None:
            off_roster.append(r.identity.agency_name)
        else:
            problems.append(f"{r.file.rel}：{u.reason}")
    entries = []
    for rec in ledger.records:
        r = rec.current
        if r is None:
            continue
        if r.report_for_checks() is None:
            problems.append(f"{r.file.rel}：{r.problem or '无法读取'}")
        else:
            entries.append(r)
    return PreviousReports(path, ledger.year, entries, problems, ledger=ledger,
                           off_roster=sorted(set(off_roster)))


def carry_pairs(spec: FormSpec) -> list[tuple[str, str]]:
    """(this year's input key, last year's key) for every ``previous_equal`` rule whose current
    cell is an input (the 总计 column is a formula and follows by itself)."""
    return [(current, previous) for current, previous in rule_carry_pairs(spec.rules)
            if not spec.cells[current].computed]


def contact_keys(spec: FormSpec) -> list[str]:
    """基本信息 fields a clerk fills that stay the same from year to year (not the publish date)."""
    return [m.key for m in spec.metadata if not m.locked and m.type == "text"]


def carried_over(previous: Report, spec: FormSpec) -> tuple[dict[str, Value], dict[str, str], list[str]]:
    """The one "next year from last year" builder: (this year's carried-over values, the contact
    fields, this year's keys left out because last year's figure is blank). ``ogi new --previous``
    and ``ogi import --as-previous`` both start from it."""
    values: dict[str, Value] = {}
    blanks: list[str] = []
    for current, prev in carry_pairs(spec):
        value = previous.values.get(prev)
        if value is None:
            blanks.append(current)
        else:
            values[current] = value
    metadata = {}
    for key in contact_keys(spec):
        text = previous.metadata.get(key)
        if text is not None and str(text).strip():
            metadata[key] = str(text).strip()
    return values, metadata, blanks


def prefill_report(previous: Report, spec: FormSpec | None = None) -> tuple[Report, list[str]]:
    """The prefill for next year's workbook from last year's report, and notes on blank cells."""
    spec = spec or layout_for().spec
    values, metadata, blanks = carried_over(previous, spec)
    previous_key = dict(carry_pairs(spec))
    notes = [f"上年“{spec.cells[previous_key[k]].row_label}｜{spec.cells[previous_key[k]].column_label}”为空，未预填"
             for k in blanks]
    return Report(spec.id, spec.version, metadata=metadata, values=values), notes


@dataclass
class PrefillPlan:
    prefills: dict[Agency, Report]
    sources: dict[Agency, str]  # agency -> last year's file (relative name)
    missing: list[Agency]
    notes: list[str]
    problems: list[str]

    def lines(self) -> list[str]:
        """What ``ogi new --previous`` tells the user, in Chinese."""
        out = [f"已按上年工作簿预填 {len(self.prefills)} 个机关的“二、上年结转”和联系方式。"]
        if self.missing:
            out.append(f"以下 {len(self.missing)} 个机关没有找到上年的工作簿，未预填（请在工作簿中填写上年结转）：")
            out.extend(f"  {a.name}" + (f"（编号 {a.id}）" if a.id else "") for a in self.missing)
        if self.notes:
            out.append("请注意：")
            out.extend(f"  {n}" for n in self.notes)
        if self.problems:
            out.append("上年文件夹中以下文件未使用：")
            out.extend(f"  {p}" for p in self.problems)
        return out


def build_prefills(agencies: Iterable[Agency], previous: PreviousReports,
                   spec: FormSpec | None = None) -> PrefillPlan:
    """Match this year's agencies to last year's reports and build their prefills."""
    spec = spec or layout_for().spec
    agencies = list(agencies)
    plan = PrefillPlan({}, {}, [], [], list(previous.problems))
    used: set[int] = set()
    for agency in agencies:
        entry = previous.find(agency)
        if entry is None and previous.single_file and len(agencies) == 1 and previous.entries:
            entry = previous.entries[0]
            ident = entry.identity
            plan.notes.append(f"上年工作簿记录的机关为“{ident.agency_name if ident else ''}”，"
                              f"与“{agency.name}”不同；已按指定的文件预填，请核对")
        if entry is None or entry.report is None:
            plan.missing.append(agency)
            continue
        used.add(id(entry))
        report, notes = prefill_report(entry.report, spec)
        plan.prefills[agency] = report
        plan.sources[agency] = entry.file.rel
        for n in notes:
            plan.notes.append(f"{agency.name}：{n}")
        if entry.status == HAS_ERRORS:
            plan.notes.append(f"{agency.name}：上年工作簿 {entry.file.rel} 有 {entry.errors} 个错误，"
                              "预填的上年结转可能不准确，请核对")
    unused = [e.identity.agency_name for e in previous.entries
              if id(e) not in used and e.identity is not None] + previous.off_roster
    if unused and not previous.single_file:
        plan.notes.append("上年有工作簿但今年名单中没有的机关：" + "、".join(unused))
    return plan
