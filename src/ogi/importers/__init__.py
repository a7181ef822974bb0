"""`ogi import`: turn a published annual report into a Report (and a prefilled workbook).

Pipeline: a reader per input kind (:mod:`.text`, :mod:`.html`, :mod:`.docx`, :mod:`.pdf`,
:mod:`.xlsx`) turns the file into lines (:mod:`.document`); :mod:`.sections` finds the six section
headings, the narrative, the metadata, the fee figures and the format version; :mod:`.tables`
matches the rows of tables 二, 三 and 四 by label. A 2019-format report is read with the 2019 spec
and moved into the 2021 form as its ``[migration]`` table says. Every value that could not be read
is reported with the label looked for, and stays blank: nothing is guessed and no blank becomes 0.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from ..county.collect import holds_returned_data
from ..county.prefill import carried_over
from ..errors import InputError, OgiError, OutputError, SpecError, UsageProblem
from ..files.invisible import strip_invisible
from ..files.libreoffice import LibreOfficeError, convert, find_soffice
from ..files.safe_io import (
    OLE_MAGIC,
    ZIP_MAGIC,
    InputSet,
    atomic_write_bytes,
    ensure_output_dir,
    read_capped,
    safe_filename,
)
from ..form.findings import IMPORT_AUDIT_HINTS, make
from ..form.layout import SHEET_TEXT, layout_for
from ..form.report import Agency, Finding, Report, Severity, Value, _value_to_json, fold, year_text
from ..form.results import Progress, Result, Unusable
from ..form.rules import LiveRule, compute_totals, live_rules, sum_rules
from ..form.spec import DEFAULT_TEMPLATE, FEE_TABLE, FormSpec, Migration, Table, load_spec, row_labels
from ..workbook.checker import check_report
from ..workbook.xlsx_writer import MIN_YEAR, WorkbookOptions, build_workbook, workbook_filename
from .document import Line, SourceDoc, norm
from .docx import read_docx
from .html import read_html, read_mht
from .pdf import read_pdf
from .sections import (
    detect_format,
    find_agency,
    find_contacts,
    find_headings,
    find_labelled_fields,
    find_period_year,
    find_publish_date,
    is_fee_paragraph,
    label_value_rows,
    paragraphs,
    read_fees,
    read_narrative,
    section_ranges,
    strip_signature,
)
from .tables import FORMULA, CellRead, TableRead, parse_value, read_table, variants_for
from .text import read_text
from .xlsx import read_xlsx

EXCEL_CELL_LIMIT = 32767
DRAFT_MARK = "【草稿：以下为上年报告内容，请按本年度情况修改，改好后删除本行】"
KIND_LABELS = {"text": "文本", "html": "网页", "docx": "Word 文档", "pdf": "PDF", "xlsx": "Excel 工作簿"}

__all__ = ["ImportResult", "expand_reports", "import_document", "import_one", "import_report", "import_reports",
           "next_year_report", "output_target", "read_source"]


@dataclass
class ImportResult(Result):
    """A published report read into the current (2021) form (and, when one was written, the
    workbook made from it)."""

    result_type: ClassVar[str] = "import"
    totals_text: ClassVar[str] = "共导入 {files} 份报告：{clean} 份无错误，{with_errors} 份有错误"
    unusable_text: ClassVar[str] = "，{unusable} 份无法导入"

    path: Path
    kind: str  # text | html | docx | pdf | xlsx
    source_format: str  # gov_info_2021 | gov_info_2019
    report: Report
    findings: list[Finding] = field(default_factory=list)
    #: Narrative fields too long for one workbook cell: left out of ``report``, kept whole here.
    overflow: dict[str, str] = field(default_factory=dict)
    #: Every total recomputed from its published parts (``report.values`` holds what was published,
    #: ``None`` for a blank).
    recomputed: dict[str, Value] = field(default_factory=dict)
    #: The workbook :func:`import_reports` wrote (None: none asked for), and whether it is the
    #: following year's.
    written: Path | None = None
    as_previous: bool = False

    @property
    def format_name(self) -> str:
        try:
            return load_spec(self.source_format).format_name
        except SpecError:
            return self.source_format

    def details(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source_format": self.source_format,
            "agency_name": self.report.agency_name,
            "year": year_text(self.report.year),
            "workbook": str(self.written) if self.written is not None else None,
            "report": self.report.to_dict(),
            "recomputed_totals": {k: _value_to_json(v) for k, v in self.recomputed.items()},
        }

    # ---- human text: findings grouped by sheet of the new workbook, then what was written -----
    def heading(self) -> str:
        r = self.report
        who = " ".join(p for p in (r.agency_name, f"{r.year}年度" if r.year else "") if p)
        return f"{Path(self.path).name}（{who}；{KIND_LABELS.get(self.kind, self.kind)}，{self.format_name}）"

    def intro_lines(self) -> list[str]:
        if self.findings:
            return ["以下“表三 D9”等位置指新工作簿中的单元格；“原文第N行/第N页”指原报告中的位置。"]
        return []

    def closing_lines(self) -> list[str]:
        lines = []
        errors, warnings = self.errors, self.warnings
        if errors or warnings:
            counts = "，".join(p for p in (f"{errors} 个错误" if errors else "",
                                          f"{warnings} 个警告" if warnings else "") if p)
            lines.append(f"导入完成：{counts}。")
        else:
            lines.append("导入完成：全部数字和正文已读取，按 ogi check 的规则检查没有发现问题。")
        if self.written is not None:
            note = "（下一年度：上年结转已填入，联系方式沿用，正文为草稿）" if self.as_previous else ""
            lines.append(f"已生成工作簿：{self.written}{note}")
            if errors:
                lines.append("读不到的数字和原报告中的空白在工作簿中保持空白，请对照上面的清单补填后再用 ogi check 检查。")
            if any(f.code == "IMPORT-UNCERTAIN" for f in self.findings):
                lines.append("不能确定属于哪一行的数字已按读到的填入，请对照原报告逐个核对。")
        return lines

    def total_notes(self) -> dict[str, str]:
        """Cell key -> comment for each total whose published figure is blank or differs from the sum
        of its parts (the workbook shows the sum, by formula)."""
        notes = {}
        for key, total in self.recomputed.items():
            published = self.report.values.get(key)
            if published != total:
                shown = "空白" if published is None else _value_to_json(published)
                notes[key] = f"原报告此处为 {shown}；各项之和为 {_value_to_json(total)}，本格按公式计算。"
        return notes


# ---- reading ---------------------------------------------------------------------------------
def sniff(data: bytes, path: Path) -> str:
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data[:300].lstrip().lower().startswith((b"mime-version", b"from:", b"content-type: multipart")):
        return "mht"
    if data.startswith(ZIP_MAGIC):
        head = data[:200_000]
        if b"word/document.xml" in head or b"word/" in head:
            return "docx"
        if b"xl/workbook.xml" in head or b"xl/" in head:
            return "xlsx"
        if b"opendocument" in head:
            raise InputError("这是 OpenDocument（.odt/.ods）文件，请另存为 .docx 或 .xlsx 再导入", path=path)
        suffix = path.suffix.lower()
        if suffix in (".docx", ".xlsx"):
            return suffix[1:]
        raise InputError("这是一个压缩包，但不是 Word 文档或 Excel 工作簿", path=path)
    head = data[:8192].lower()
    if b"%pdf" in data[:1024]:
        return "pdf"
    if any(tag in head for tag in (b"<html", b"<!doctype html", b"<table", b"<body", b"<p>", b"<p ",
                                   b"<div")):
        return "html"
    return "text"


def read_source(path: Path) -> SourceDoc:
    """Read a report file of any supported kind into lines."""
    path = Path(path)
    data = read_capped(path, what="报告文件")
    kind = sniff(data, path)
    if kind == "ole":
        return _read_legacy(data, path)
    if kind == "mht":

        return read_mht(data, path)
    if kind == "pdf":

        return read_pdf(data, path)
    if kind == "docx":

        return read_docx(data, path)
    if kind == "xlsx":

        return read_xlsx(data, path)
    if kind == "html":

        return read_html(data, path)

    return read_text(data, path)


LEGACY_MESSAGE = ("这是旧版 .doc/.wps/.xls/.et 格式（或加了密码的文件）{detail}。"
                  "请用 WPS/Word/Excel 打开后另存为 .docx 或 .xlsx 再导入")


def _read_legacy(data: bytes, path: Path) -> SourceDoc:
    """An old binary Word/Excel/WPS file: converted with LibreOffice when it is installed."""


    if find_soffice() is None:
        raise InputError(LEGACY_MESSAGE.format(detail="，没有安装 LibreOffice 时 ogi 无法读取"), path=path)
    workbook = path.suffix.lower() in (".xls", ".et", ".ett", ".xlt")
    target = "xlsx:Calc MS Excel 2007 XML" if workbook else "docx:MS Word 2007 XML"
    folder = Path(tempfile.mkdtemp(prefix="ogi-import-"))
    try:
        source = folder / ("source.xls" if workbook else "source.doc")
        source.write_bytes(data)
        try:
            out = convert([source], target, folder / "out", timeout=120)[0]
        except LibreOfficeError as exc:
            raise InputError(LEGACY_MESSAGE.format(detail="，LibreOffice 也无法转换它"), path=path) from exc
        converted = out.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    doc = read_xlsx(converted, path) if workbook else read_docx(converted, path)
    if not any(line.text.strip() for line in doc.lines):
        raise InputError(LEGACY_MESSAGE.format(detail="，转换后没有任何文字"), path=path)
    doc.findings.append(make("IMPORT-CONVERTED", file=str(path)))
    return doc


def import_report(path: Path, *, agency_name: str = "", year: str | int = "") -> ImportResult:
    """Read a published report (text, HTML, DOCX, PDF or .xlsx) into the 2021 form."""
    return import_document(read_source(Path(path)), agency_name=agency_name, year=year)


# ---- the import itself -----------------------------------------------------------------------
def _region(doc: SourceDoc, spec: FormSpec, table: Table,
            ranges: dict[int, tuple[int, int]]) -> list[Line]:
    if doc.kind == "xlsx":
        lines = [line for line in doc.lines if line.block == table.sheet]
        if lines:
            return lines
    section = spec.section_of_table(table.key).number
    with_tables = {s.number for s in spec.sections if s.tables}
    if section in ranges:
        start, end = ranges[section]
        return doc.lines[start:end]
    # The heading is missing (a truncated or unusual report): search everything outside the
    # sections that were found for other tables; rows are still matched by label.
    taken: set[int] = set()
    for n, (start, end) in ranges.items():
        if n != section and n in with_tables:
            taken.update(range(start, end))
    return [line for i, line in enumerate(doc.lines) if i not in taken]




class _Importer:
    def __init__(self, doc: SourceDoc) -> None:
        self.doc = doc
        self.file = str(doc.path)
        self.spec = load_spec(DEFAULT_TEMPLATE)
        self.layout = layout_for(DEFAULT_TEMPLATE)
        self.findings: list[Finding] = list(doc.findings)
        #: Cell keys (2021) already reported here: `ogi check`'s rules skip them (one finding each).
        self.reported: set[str] = set()
        #: Totals a workbook holds as formulas without a saved result (nothing was published there).
        self.formula_totals: set[str] = set()

    # -- findings ---------------------------------------------------------------------------
    def add(self, code: str, severity: str, message: str, hint: str = "", key: str = "",
            source_spec: FormSpec | None = None, row_label: str = "", column_label: str = "",
            sheet: str = "") -> None:
        cell = ""
        if key and key in self.spec.cells:
            sheet, cell = self.layout.address(key)
            spec_cell = self.spec.cells[key]
            row_label = row_label or spec_cell.row_label
            column_label = column_label or spec_cell.column_label
        elif key and source_spec is not None and key in source_spec.cells:
            spec_cell = source_spec.cells[key]
            sheet = source_spec.table(spec_cell.table).sheet if spec_cell.table != FEE_TABLE else ""
            row_label = row_label or spec_cell.row_label
            column_label = column_label or spec_cell.column_label
        self.findings.append(Finding(code, severity, message, hint, sheet, cell, row_label,  # type: ignore[arg-type]
                                     column_label, key if key in self.spec.cells else "", "",
                                     self.file))

    def entry(self, code: str, *, key: str = "", source_spec: FormSpec | None = None, row_label: str = "",
              column_label: str = "", sheet: str = "", severity: Severity | None = None,
              facts: dict[str, Any] | None = None, **fields: Any) -> None:
        """A finding of the catalogue (:mod:`ogi.form.findings`), placed like :meth:`add`; ``facts`` go
        to its ``detail``."""
        found = make(code, severity=severity, **fields)
        self.add(code, found.severity, found.message, found.hint, key, source_spec, row_label,
                 column_label, sheet)
        if facts:
            self.findings[-1] = replace(self.findings[-1], detail=facts)

    def skip_row(self, table: Table, row_key: str, mapped: dict[str, str]) -> None:
        prefix = table.cell_key(row_key, "")
        for key, target in mapped.items():
            if key.startswith(prefix):
                self.reported.add(target)

    # -- tables ------------------------------------------------------------------------------
    def table_findings(self, read: TableRead, src: FormSpec, mapped: dict[str, str]) -> None:
        table = read.table
        labels = row_labels(table)
        where_table = f"{table.sheet}（{table.section}）"
        data_rows = {r.key: r for r in table.data_rows}
        if not read.found_any and not read.mismatched:
            for row_key in data_rows:
                self.skip_row(table, row_key, mapped)
            n = sum(len(r.values) for r in table.data_rows)
            self.entry("IMPORT-TABLE-NOT-FOUND", sheet=table.sheet, table=where_table, count=n)
            return
        for row_key in read.missing_rows:
            self.skip_row(table, row_key, mapped)
            row = data_rows[row_key]
            label = labels.get(row_key, row_key)
            first = table.cell_key(row_key, row.values[0].column)
            self.entry("IMPORT-NOT-FOUND", key=mapped.get(first, first), source_spec=src,
                       row_label=label, column_label="整行", table=table.sheet, label=label,
                       count=len(row.values))
        for row_key, (where, got, want) in read.mismatched.items():
            self.skip_row(table, row_key, mapped)
            row = data_rows[row_key]
            label = labels.get(row_key, row_key)
            first = table.cell_key(row_key, row.values[0].column)
            self.entry("IMPORT-ROW-MISMATCH", key=mapped.get(first, first), source_spec=src, row_label=label,
                       column_label="整行", where=where, label=label, got=got, want=want)
        for cell in read.cells.values():
            if not cell.problem:
                continue
            target = mapped.get(cell.key, cell.key)
            if cell.problem in (FORMULA, "blank") and target in self.spec.cells and \
                    self.spec.cells[target].computed:
                if cell.problem == FORMULA:  # a workbook's formula: not a published figure
                    self.formula_totals.add(target)
                continue  # a total: see total_findings
            self.reported.add(target)
            spec_cell = src.cells[cell.key]
            label = spec_cell.column_label if spec_cell.row_label == table.section else \
                f"{spec_cell.row_label}｜{spec_cell.column_label}"
            if cell.code:
                self.entry(cell.code, key=target, source_spec=src, problem=cell.problem)
            elif cell.problem == "blank":
                self.entry("IMPORT-BLANK", key=target, source_spec=src, where=cell.where, label=label)
            else:
                self.entry("IMPORT-NOT-NUMBER", key=target, source_spec=src, where=cell.where, label=label,
                           problem=cell.problem, facts={"cause": cell.cause, "raw": cell.raw})
        for label, where in read.extra_rows:
            self.entry("IMPORT-EXTRA-ROW", row_label=label, sheet=table.sheet, where=where, table=table.sheet,
                       label=label)
        for numbers, where in read.unpaired:
            self.entry("IMPORT-UNPAIRED", sheet=table.sheet, where=where, table=table.sheet, numbers=numbers)
        for row_key, where in read.duplicates:
            self.entry("IMPORT-DUPLICATE-ROW", row_label=labels.get(row_key, row_key), sheet=table.sheet,
                       where=where, table=table.sheet, label=labels.get(row_key, row_key))

    # -- arithmetic --------------------------------------------------------------------------
    def confirm(self, reads: dict[str, TableRead], src: FormSpec, mapped: dict[str, str]) -> None:
        """A value whose row was inferred (numbers apart from their label) is confirmed only by the
        table's own arithmetic: every sum and balance rule it takes part in holds. Else it is flagged
        with what was read and why it is doubted."""
        cells = {k: c for r in reads.values() for k, c in r.cells.items()}
        values = {k: c.value for k, c in cells.items()}
        rules: dict[str, list[LiveRule]] = {}
        for rule in live_rules(src.rules):
            for k in rule.operands:
                rules.setdefault(k, []).append(rule)
        rows: dict[tuple[str, str], list[tuple[CellRead, str]]] = {}
        for key, cell in cells.items():
            if not cell.doubt or cell.problem:
                continue
            mine = rules.get(key, [])
            if not mine:
                why = "表格中没有能核对这个数的合计关系"
            elif any(values.get(k) is None for r in mine for k in r.operands):
                why = "核对它所需的数字不全"
            elif all(r.balanced(values) for r in mine):
                continue  # confirmed
            else:
                why = "它所在的勾稽关系不成立"
            rows.setdefault((key.rsplit(".", 1)[0], cell.where), []).append((cell, why))
        for (_, where), items in rows.items():
            first = items[0][0]
            spec_cell = src.cells[first.key]
            columns = "、".join(src.cells[c.key].column_label for c, _ in items)
            read = " ".join(c.raw for c, _ in items)
            whys = "；".join(dict.fromkeys(w for _, w in items))
            self.entry("IMPORT-UNCERTAIN", key=mapped.get(first.key, first.key), source_spec=src,
                       column_label=columns, where=where, label=spec_cell.row_label, columns=columns,
                       read=read, doubt=first.doubt, why=whys)

    def pinpoint(self, values: dict[str, Value]) -> None:
        """The one cell that breaks two or more sum/balance rules at once (a row total and a column
        total): most likely the figure misread or misprinted, named at that cell."""
        failing = [r for r in live_rules(self.spec.rules)
                   if all(values.get(k) is not None for k in r.operands) and not r.balanced(values)]
        counts: dict[str, int] = {}
        for rule in failing:
            for k in rule.operands:
                counts[k] = counts.get(k, 0) + 1
        if not counts:
            return
        top = max(counts.values())
        suspects = [k for k, n in counts.items() if n == top]
        if top >= 2 and len(suspects) == 1 and suspects[0] not in self.reported:
            key = suspects[0]
            titles = "；".join(r.title for r in failing if key in r.operands)
            self.entry("IMPORT-SUSPECT-CELL", key=key, value=_value_to_json(values[key]), count=top,
                       rules=titles)

    # -- 2019 -> 2021 ----------------------------------------------------------------------------
    def migrate(self, src: FormSpec, reads: dict[str, TableRead]) -> tuple[dict[str, Value], dict[str, str]]:
        """Values in 2021 keys, and source key -> 2021 key for every cell that moved."""
        if src.id == self.spec.id:
            values = {k: c.value for r in reads.values() for k, c in r.cells.items()}
            return values, {k: k for k in src.cells}
        move = src.migrations.get(self.spec.id, Migration())
        same = move.same_keys
        mapped: dict[str, str] = {}
        for key in src.cells:
            if key in self.spec.cells and any(key == s or key.startswith(s + ".") for s in same):
                mapped[key] = key
        mapped.update(move.cells)
        values: dict[str, Value] = {}
        cells = {k: c for r in reads.values() for k, c in r.cells.items()}
        for key, target in mapped.items():
            if key in cells:
                values[target] = cells[key].value
        split = dict(move.zero_split)
        handled: set[str] = set(mapped)
        for row_prefix, parts in split.items():
            table_key = row_prefix.split(".")[0]
            table = src.table(table_key)
            for col in table.columns:
                key = f"{row_prefix}.{col.key}"
                handled.add(key)
                if key not in cells:
                    continue
                value = cells[key].value
                targets = [f"{p}.{col.key}" for p in parts]
                if value == 0:
                    for t in targets:
                        values[t] = 0
                    mapped.setdefault(key, targets[0])
                elif value is not None and not self.spec.cells[targets[0]].computed:
                    labels = "、".join(self.spec.cells[t].row_label for t in targets)
                    self.reported.update(targets)
                    self.entry("IMPORT-2019-SPLIT", key=targets[0], label=src.cells[key].row_label,
                               column=col.label, value=value, labels=labels)
        has_source = set(mapped.values())
        for row_prefix, parts in split.items():
            columns = src.table(row_prefix.split(".")[0]).columns
            has_source |= {f"{part}.{col.key}" for part in parts for col in columns}
        for key in self.spec.input_keys:
            cell = self.spec.cells[key]
            if cell.table != FEE_TABLE and key not in has_source:
                self.reported.add(key)
                self.entry("IMPORT-2019-NO-SOURCE", key=key, label=f"{cell.row_label}｜{cell.column_label}")
        unmapped: dict[str, list[str]] = {}
        for key, cell in cells.items():
            if key in handled or cell.value is None:
                continue
            row = key.rsplit(".", 1)[0]
            spec_cell = src.cells[key]
            unmapped.setdefault(row, []).append(f"{spec_cell.column_label} {cell.raw}")
        for row, items in unmapped.items():
            first = next(k for k in cells if k.startswith(row + "."))
            self.entry("IMPORT-2019-UNMAPPED", source_spec=src, key=first, row_label=src.cells[first].row_label,
                       label=src.cells[first].row_label, items="；".join(items))
        return values, mapped

    # -- the whole document ------------------------------------------------------------------
    def run(self, agency_name: str = "", year: str | int = "") -> ImportResult:
        doc = self.doc
        lines = doc.lines
        if not any(line.text.strip() for line in lines):
            raise InputError(f"{doc.label}中没有任何文字，无法导入", path=doc.path)
        src, markers = detect_format(lines, self.spec)
        if src.id != self.spec.id:
            self.entry("IMPORT-FORMAT-2019", format=src.format_name, markers="、".join(markers[:4]),
                       current=self.spec.format_name)
        headings = find_headings(lines, self.spec)
        ranges = section_ranges(lines, headings)
        for n, title in ((s.number, s.title) for s in self.spec.sections):
            if n not in headings and doc.kind != "xlsx":  # a workbook has sheets, not headings
                self.entry("IMPORT-SECTION-NOT-FOUND", number="一二三四五六"[n - 1], title=title)

        # Tables.
        variants = variants_for(src.id)
        reads = {t.key: read_table(t, _region(doc, src, t, ranges), variants) for t in src.tables}
        if not headings and not any(r.found_any for r in reads.values()):
            raise InputError(f"{doc.label}中既没有年度报告六个部分的标题，也没有表二、表三、表四的任何一行，"
                             "不像一份政府信息公开工作年度报告，无法导入", path=doc.path)
        values, mapped = self.migrate(src, reads)
        for read in reads.values():
            self.table_findings(read, src, mapped)
        self.confirm(reads, src, mapped)

        # Metadata.
        first_heading = min(headings.values()) if headings else min(len(lines), 12)
        preamble = "\n".join(text for text, _ in paragraphs(lines[:first_heading], doc.exact_paragraphs))
        metadata: dict[str, str] = {}
        metadata.update({k: v for k, v in find_contacts(preamble).items()
                         if k in self.spec.metadata_keys})
        metadata.update(find_labelled_fields(lines, self.spec))
        published = find_publish_date(lines)
        if published and "publish_date" not in metadata:
            metadata["publish_date"] = published
        found = find_agency(doc, max(first_heading, 1) + 3, preamble)
        name = agency_name or metadata.get("agency_name", "") or found.agency
        report_year = str(year or metadata.get("year", "") or found.year or find_period_year(preamble))
        if not found.agency and not metadata.get("agency_name"):
            self.entry("IMPORT-TITLE-NOT-FOUND", severity="warning" if agency_name else "error")
        elif found.source == "filename" and not agency_name and not metadata.get("agency_name"):
            self.entry("IMPORT-AGENCY-FROM-FILENAME", agency=found.agency,
                       year=f"、{found.year}年度" if found.year else "")
        if agency_name and found.agency and fold(agency_name) != fold(found.agency):
            self.entry("IMPORT-AGENCY-DIFFERS", place=found.label, found=found.agency, given=agency_name)
        name, removed = strip_invisible(name)
        if removed:
            self.entry("IMPORT-INVISIBLE-CHARS", chars="、".join(removed))
        metadata["agency_name"] = name
        metadata["year"] = report_year

        # Narrative and fees.
        narrative, fees = self.narrative(lines, ranges, name)

        # Values of the current form: every key present, None where nothing was read.
        all_values: dict[str, Value] = {k: values.get(k) for k in self.spec.cells}
        for key, value in fees.items():
            all_values[key] = value
        for fee in self.spec.fees:
            if all_values.get(fee.key) is None:
                self.reported.add(fee.key)
                self.entry("IMPORT-FEE-NOT-FOUND", key=fee.key, label=fee.label)
        recomputed = self.total_findings(all_values)
        self.pinpoint(all_values)
        report = Report(self.spec.id, self.spec.version, metadata, all_values, {}, {})
        overflow: dict[str, str] = {}
        for key, text in narrative.items():
            if len(text) > EXCEL_CELL_LIMIT:
                overflow[key] = text
                label = next(f.label for f in self.spec.narrative if f.key == key)
                self.entry("IMPORT-TEXT-TOO-LONG", label=label, count=len(text), limit=EXCEL_CELL_LIMIT)
            else:
                report.narrative[key] = text
        self.findings.extend(self.checks(report))
        return ImportResult(doc.path, doc.kind, src.id, report, self.findings, overflow, recomputed)

    def checks(self, report: Report) -> list[Finding]:
        """The rules of `ogi check` on the imported values (an audit of the published report),
        without repeating what the import already reported."""

        narrative_reported = {f.key for f in self.findings if f.code.startswith("IMPORT-NARRATIVE")
                              or f.code == "IMPORT-TEXT-TOO-LONG"}
        found = check_report(report, previous=None, skip_keys=self.reported)
        sums = {r.code for r in sum_rules(self.spec.rules)}
        out = []
        for f in found:
            if f.code == "NARRATIVE-EMPTY" and f.key in narrative_reported:
                continue
            if f.code in sums:  # the hint speaks of a workbook; here the total was published
                f = replace(f, hint=IMPORT_AUDIT_HINTS["sum"])
            elif f.code.startswith("NARRATIVE-") and f.detail:  # the narrative audit (ogi.form.narrative)
                f = replace(f, hint=IMPORT_AUDIT_HINTS["narrative"])
            out.append(replace(f, file=f.file or self.file))
        return out

    def narrative(self, lines: list[Line], ranges: dict[int, tuple[int, int]],
                  agency: str) -> tuple[dict[str, str], dict[str, Value]]:
        doc = self.doc
        labelled = self.labelled_narrative(lines)
        sections: dict[int, list[tuple[str, str]]] = {}
        for n in (1, 5, 6):
            if n in ranges:
                start, end = ranges[n]
                sections[n] = paragraphs(lines[start:end], doc.exact_paragraphs)
        if sections:
            last = max(sections)
            if max(ranges) == last:
                sections[last] = strip_signature(sections[last], agency)
        fee_paras: list[str] = []
        if 6 in sections:
            fee_paras = [text for text, _ in sections[6] if is_fee_paragraph(text)]
            sections[6] = [(text, w) for text, w in sections[6] if not is_fee_paragraph(text)]
        read = read_narrative(self.spec, sections)
        text = dict(read.text)
        fees: dict[str, Value] = dict(read_fees(fee_paras))
        for key, value in labelled[0].items():
            if value:
                text[key] = value
            elif key in read.missing:
                read.missing.remove(key)  # the field is there and empty: `ogi check` says so
        for key, value in labelled[1].items():
            fees[key] = value
        for key in read.missing:
            if key in text:
                continue
            f = next(f for f in self.spec.narrative if f.key == key)
            if not f.required and f.fees:  # 六 often holds nothing but the fees, or is left out
                continue
            self.entry("IMPORT-NARRATIVE-NOT-FOUND", severity="error" if f.required else "warning",
                       section=f.section, label=f.label)
            self.findings[-1] = replace(self.findings[-1], key=key, sheet=SHEET_TEXT,
                                        cell=self.layout.narrative_fields[key].address,
                                        row_label=f.label)
        for heading, where in read.extra:
            self.entry("IMPORT-NARRATIVE-EXTRA", where=where, heading=heading)
        return text, fees

    def labelled_narrative(self, lines: list[Line]) -> tuple[dict[str, str], dict[str, Value]]:
        """Narrative and fee values written as label | value rows (an ogi workbook's 正文 sheet)."""
        by_label: dict[str, str] = {}
        for f in self.spec.narrative:
            by_label[norm(f"{f.section}{f.label}")] = f.key
        fee_labels = {norm(f.label): f for f in self.spec.fees}
        text: dict[str, str] = {}
        fees: dict[str, Value] = {}
        for label, cell in label_value_rows(lines):
            if label in by_label and by_label[label] not in text:
                text[by_label[label]] = cell.strip()
            elif label in fee_labels and fee_labels[label].key not in fees:
                fee = fee_labels[label]
                value, problem = parse_value(cell, fee.type)
                if not problem:
                    fees[fee.key] = value
        return text, fees

    def total_findings(self, values: dict[str, Value]) -> dict[str, Value]:
        """Every total recomputed from its published parts. The published figure stays what the import
        reports; a blank published total is a finding naming the sum (a total that disagrees with its
        parts is reported by `ogi check`'s sum rules, with both figures)."""
        computed = compute_totals(self.spec, values)
        recomputed: dict[str, Value] = {}
        for rule in sum_rules(self.spec.rules):
            recomputed[rule.target] = computed[rule.target]
            if values.get(rule.target) is not None or rule.target in self.reported:
                continue
            self.reported.add(rule.target)
            if rule.target in self.formula_totals:
                continue  # a workbook's formula without a saved result: recomputed, nothing to report
            parts = all(computed.get(k) is not None for k in rule.addends)
            cell = self.spec.cells[rule.target]
            table = self.spec.table(cell.table)
            label = cell.column_label if cell.row_label == table.section else f"{cell.row_label}｜{cell.column_label}"
            self.entry("IMPORT-TOTAL-BLANK", key=rule.target, label=label,
                       computed=f"；按各项之和应为 {_value_to_json(computed[rule.target])}" if parts else "")
        return recomputed


def import_document(doc: SourceDoc, *, agency_name: str = "", year: str | int = "") -> ImportResult:
    return _Importer(doc).run(agency_name, year)


# ---- next year ------------------------------------------------------------------------------
def next_year_report(result: ImportResult) -> tuple[Report, list[Finding]]:
    """The report a workbook for the following year starts from: every number 0 (as `ogi new`
    writes) except 二、上年结转 = this report's 四、结转下年度 per column
    (:func:`ogi.county.prefill.carried_over`, as ``ogi new --previous``); contact details carried; the
    narrative kept as a marked draft."""
    spec = load_spec(DEFAULT_TEMPLATE)
    layout = layout_for(DEFAULT_TEMPLATE)
    src = result.report
    carried, metadata, blanks = carried_over(src, spec)
    values: dict[str, Value] = {k: 0 for k in spec.input_keys}
    values.update(carried)
    findings: list[Finding] = []
    for key in blanks:
        values[key] = None
        sheet, cell = layout.address(key)
        findings.append(make("IMPORT-PREV-CARRY-BLANK", sheet=sheet, cell=cell,
                             row_label=spec.cells[key].row_label, column_label=spec.cells[key].column_label,
                             key=key, file=str(result.path)))
    year = src.year + 1 if src.year is not None else 0
    metadata["agency_name"] = src.agency_name
    metadata["year"] = str(year)
    narrative = {}
    for key, text in src.narrative.items():
        if text.strip():
            draft = f"{DRAFT_MARK}\n{text}"
            narrative[key] = draft if len(draft) <= EXCEL_CELL_LIMIT else text
    report = Report(spec.id, spec.version, metadata, compute_totals(spec, values), narrative, {})
    return report, findings


# ---- the workbook ----------------------------------------------------------------------------
def build_import_workbook(result: ImportResult, *, as_previous: bool = False
                          ) -> tuple[bytes, str, list[Finding]]:
    """(xlsx bytes, default file name, findings about the new workbook) for an import.

    Blank stays blank: every value the import could not read is ``None`` in the prefill, which the
    writer writes as an empty cell (``ogi check`` then asks for it), never as 0."""

    report = result.report
    extra: list[Finding] = []
    if result.overflow:
        labels = {f.key: f"{f.section}“{f.label}”" for f in load_spec(DEFAULT_TEMPLATE).narrative}
        parts = "；".join(f"{labels.get(k, k)}有 {len(v)} 个字符" for k, v in result.overflow.items())
        raise InputError(f"正文过长：{parts}，超过 Excel 单元格上限 {EXCEL_CELL_LIMIT} 个字符。ogi 不截断文字，"
                         "因此没有生成工作簿；请在原报告中精简或拆分这一部分后再导入"
                         "（加 --no-workbook 可以只检查原报告）", path=result.path)
    if as_previous:
        report, extra = next_year_report(result)
    name = report.agency_name.strip()
    if not name:
        raise InputError("没有识别出机关名称（报告标题不完整），请用 --agency 指定", path=result.path)
    year = report.year
    if year is None:
        raise InputError("没有识别出报告年度（标题和统计期限中都没有），请用 --year 指定",
                         path=result.path)
    if year < MIN_YEAR:
        if as_previous:
            raise InputError(f"按 --as-previous 应生成 {year} 年度的工作簿，但 ogi 的工作簿从 {MIN_YEAR} 年度"
                             "（2021 年格式）起使用", path=result.path)
        raise InputError(f"这是 {year} 年度的报告，ogi 的工作簿从 {MIN_YEAR} 年度（2021 年格式）起使用；"
                         f"如要以它为基础生成 {year + 1} 年度的工作簿，请加 --as-previous", path=result.path)
    agency = Agency(name, report.metadata.get("agency_id", ""), report.metadata.get("agency_type", ""))
    notes = {} if as_previous else result.total_notes()
    data = build_workbook(agency, WorkbookOptions(year=year, prefill=report, notes=notes))
    return data, workbook_filename(agency, year), extra


# ---- the library call behind `ogi import` ------------------------------------------------------
#: What a folder given to :func:`import_reports` contributes.
REPORT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".html", ".htm", ".mht", ".mhtml", ".txt", ".xlsx")


def expand_reports(paths: Iterable[Path]) -> tuple[Path, ...]:
    """Files as given; a folder stands for the reports in it (sorted; Office lock files ``~$…``
    and hidden files skipped)."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.is_file()
                              and p.suffix.lower() in REPORT_SUFFIXES and not p.name.startswith(("~$", "."))))
        else:
            out.append(path)
    return tuple(out)


def names_folder(output: str) -> bool:
    """Whether ``-o`` names a folder: an existing one, or a name ending in a slash."""
    return output.endswith(("/", "\\")) or Path(output).is_dir()


def output_target(output: str | None, report: Path, filename: str) -> Path:
    """Where the workbook goes: into a folder when ``output`` names an existing one or ends in a
    slash (created then), else the file it names (``.xlsx`` added); by default beside the report."""
    name = safe_filename(Path(filename).stem, suffix=Path(filename).suffix)
    if output is None:
        return report.parent / name
    target = Path(output)
    if names_folder(output):
        return ensure_output_dir(target) / name
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")
    return target


def import_one(path: Path, *, output: str | None = None, as_previous: bool = False, agency_name: str = "",
               year: str = "", workbook: bool = True, overwrite: bool = False,
               inputs: InputSet | None = None) -> ImportResult:
    """Import one published report and (with ``workbook``) write the prefilled workbook
    (:func:`output_target` says where; never over the report itself, nor over any of ``inputs``,
    nor over a workbook someone has filled in). Raises :class:`OgiError` when the report or the
    output cannot be used."""
    path = Path(path)
    inputs = inputs if inputs is not None else InputSet([path])
    try:
        result = import_report(path, agency_name=agency_name.strip(), year=year.strip())
    except (OgiError, MemoryError):
        raise
    except Exception as exc:  # a report shaped like nothing ogi has seen: say so, no traceback
        raise InputError(f"无法解析这份报告（内部错误 {type(exc).__name__}）；请把文件发给县级政务公开办或 ogi 维护者",
                         path=path) from exc
    if workbook:
        data, filename, extra = build_import_workbook(result, as_previous=as_previous)
        result.findings.extend(extra)
        target = output_target(output, path, filename)
        if overwrite and target.is_file() and holds_returned_data(target, data):
            raise OutputError("这个工作簿已经填写过（内容与导入的结果不同），--overwrite 也不会覆盖它；"
                              "请换一个输出位置", path=target)
        result.written = atomic_write_bytes(target, data, overwrite=overwrite, protect=inputs)
        result.as_previous = as_previous
    return result


def plan_imports(paths: Iterable[Path], *, output: str | None = None, agency_name: str = "",
                 year: str = "") -> tuple[Path, ...]:
    """The reports ``ogi import`` works through (:func:`expand_reports`), or
    :class:`ogi.errors.UsageProblem` when the arguments do not fit them (no report, ``agency_name``
    or a file name as ``output`` for several, a ``year`` that is not a number)."""
    if year and not year.strip().isdigit():
        raise UsageProblem(f"--year 应为年份数字，例如 2023（收到：{year}）")
    reports = expand_reports(paths)
    if not reports:
        raise UsageProblem("文件夹中没有可导入的报告（.pdf .docx .doc .html .mht .txt .xlsx）")
    if len(reports) > 1 and agency_name:
        raise UsageProblem("--agency 只能用于导入单个报告")
    if len(reports) > 1 and output is not None and not names_folder(output):
        raise UsageProblem("导入多个报告时，-o 应为文件夹（已存在，或以 / 结尾）")
    return reports


def import_reports(paths: Iterable[Path], *, output: str | None = None, as_previous: bool = False,
                   agency_name: str = "", year: str = "", workbook: bool = True, overwrite: bool = False,
                   progress: Progress | None = None) -> Iterator[ImportResult | Unusable]:
    """:func:`import_one` for each report, one result at a time. With one report an unusable one
    raises :class:`OgiError`; in a batch it gives an :class:`~ogi.form.results.Unusable` result and the
    others go on."""
    paths = list(paths)
    inputs = InputSet(paths)  # no report of this run is ever an output of it
    items: Iterable[Path] = progress(paths, len(paths)) if progress is not None else paths
    for path in items:
        try:
            yield import_one(path, output=output, as_previous=as_previous, agency_name=agency_name,
                             year=year, workbook=workbook, overwrite=overwrite, inputs=inputs)
        except OgiError as exc:
            if len(paths) == 1:
                raise
            yield Unusable.from_exception(path, exc, action="导入")
