"""`ogi summary`: roll the returned workbooks up into one county workbook.

The 汇总 sheet has one row per agency with the key figures (表二 values; 表三 总计 column for 一、二,
each outcome group （一）–（六）, （七） and 四; 表四 totals; the 信息处理费 numbers) and a 合计 row of
live SUM formulas carrying correct cached values. 全县汇总表 lays tables 二, 三 and 四 out like the
official tables, every cell the sum over all agencies (SUM over the 明细 sheet, which has every cell of
every agency). 图表 holds native Excel charts of applications received and their outcomes per agency.

Only workbooks without errors enter the totals (``include_errors`` lets 有错误 / 未完成 ones in);
everything left out is listed with its reason. With last year's folder, 上年结转 and 现行有效件数 are
checked against last year's figures and listed as warnings.

Every string that came from someone else's file (agency names, file names, messages quoting cell
text) is written with ``write_string`` into a workbook created with ``strings_to_formulas=False``: a
name that starts with ``=`` stays text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from ..files.safe_io import atomic_write_bytes
from ..form.layout import TABLE_TOP, Layout, col_letter, layout_for, quote_sheet
from ..form.report import Agency, Finding, Value, year_text
from ..form.results import Result
from ..form.rules import compute_totals
from ..form.spec import FormSpec, Table
from ..workbook.checker import check_report
from ..workbook.print_setup import setup_print
from ..workbook.xlsx_writer import _text_lines
from .collect import OUTPUT_PROPERTY, guard_rollup_output
from .prefill import load_previous
from .roster import read_roster
from .status import (
    HAS_ERRORS,
    HAS_WARNINGS,
    INCOMPLETE,
    KEEP_VALUES,
    MISSING,
    PASSED,
    FileResult,
    Progress,
    StatusReport,
    collect_status,
)

SHEET_SUMMARY = "汇总"
SHEET_CHARTS = "图表"
SHEET_TABLES = "全县汇总表"
SHEET_DETAIL = "明细"
SHEET_LEFT_OUT = "未计入"
SHEET_CONTINUITY = "上年衔接"

#: 汇总 sheet: title, note, group header, figure header, then one row per agency.
SUMMARY_FIRST_ROW = 4
#: 明细 sheet: label header, key header, then one row per agency.
DETAIL_FIRST_ROW = 2
SUMMARY_FIXED = ("序号", "机关名称", "编号", "状态")
#: Width of the charts in pixels: one landscape A4 page at 100 % in Excel and in LibreOffice.
CHART_WIDTH = 720
#: Tallest chart in pixels: with its title row, one landscape A4 page.
CHART_HEIGHT = 560


@dataclass(frozen=True)
class Figure:
    """A column of the 汇总 sheet: the sum of ``keys`` for one agency."""

    group: str
    label: str
    keys: tuple[str, ...]
    type: str
    role: str = ""  # the row role of the spec (ogi.form.spec.ROW_ROLES), for the charts


def key_figures(layout: Layout) -> list[Figure]:
    """The 汇总 columns, derived from the spec and layout (no label is spelled here): each table as
    its ``summary`` says, then the fees."""
    spec = layout.spec
    figures: list[Figure] = []
    for table in spec.tables:
        if table.summary == "rows":
            figures += _row_figures(layout, table)
            continue
        for key, cell in spec.cells.items():
            if cell.table != table.key:
                continue
            if table.summary == "cells":
                figures.append(Figure(table.sheet, f"{cell.row_label}·{cell.column_label}", (key,),
                                      cell.type))
            elif cell.computed:
                figures.append(Figure(table.sheet, cell.column_label, (key,), cell.type))
    for fee in spec.fees:
        figures.append(Figure("信息处理费", f"{fee.label}（{fee.unit}）", (fee.key,), fee.type))
    return figures


def _row_figures(layout: Layout, table: Table) -> list[Figure]:
    """A table with row roles (表三): each row's total-column figure, sub-items of a group summed."""
    spec = layout.spec
    figures: list[Figure] = []
    tl = layout.tables[table.key]
    # The 总计 column: the column computed in every row.
    total_col = next(c.key for c in table.columns
                     if all(spec.cells[table.cell_key(r.key, c.key)].computed for r in table.data_rows))
    # Innermost row groups (（三）不予公开 over its 8 items), from the placed label cells.
    groups = [p for p in tl.labels if p.kind == "label" and p.rowspan > 1]
    innermost = [g for g in groups
                 if not any(h is not g and g.row <= h.row and h.last_row <= g.last_row for h in groups)]
    group_of: dict[str, Any] = {}
    for row_key, sheet_row in tl.row_of.items():
        for g in innermost:
            if g.row <= sheet_row <= g.last_row:
                group_of[row_key] = g
    group_name = f"{table.sheet}（{table.column(total_col).label}列）"
    done: set[int] = set()
    for row in table.data_rows:
        key = table.cell_key(row.key, total_col)
        role = row.role
        g = group_of.get(row.key)
        if g is None:
            label = spec.cells[key].row_label
            figures.append(Figure(group_name, label, (key,), "count", role))
        elif id(g) not in done:
            done.add(id(g))
            members = tuple(table.cell_key(r.key, total_col) for r in table.data_rows
                            if group_of.get(r.key) is g)
            figures.append(Figure(group_name, f"{g.text}（小计）", members, "count", role))
    return figures


def figure_value(figure: Figure, values: dict[str, Value]) -> int | Decimal | None:
    present = [values.get(k) for k in figure.keys]
    if all(v is None for v in present):
        return None
    total: int | Decimal = 0
    for v in present:
        if v is not None:
            total += v
    return total


# ---- the roll-up ------------------------------------------------------------------------------
@dataclass
class SummaryRow:
    agency: Agency
    result: FileResult
    spec: FormSpec

    @property
    def values(self) -> dict[str, Value]:
        """Every cell of the agency, totals recomputed from the inputs. Computed afresh on each
        call from the file's packed numbers: 1,000 rows do not keep 1,000 dicts."""
        values = self.result.values
        assert values is not None
        return compute_totals(self.spec, values)

    @property
    def status(self) -> str:
        return self.result.status


@dataclass
class LeftOut:
    name: str
    agency_id: str
    file: str
    reason: str


@dataclass
class ContinuityNote:
    agency: Agency
    file: str
    finding: Finding


@dataclass
class Summary(Result):
    """The county roll-up of a folder of returned workbooks (one result for the whole folder)."""

    result_type: ClassVar[str] = "summary"

    status: StatusReport
    rows: list[SummaryRow]
    left_out: list[LeftOut]
    totals: dict[str, int | Decimal]
    include_errors: bool = False
    continuity: list[ContinuityNote] = field(default_factory=list)
    previous_source: Path | None = None
    previous_missing: list[Agency] = field(default_factory=list)
    previous_problems: list[str] = field(default_factory=list)
    #: The 汇总 workbook :func:`summarise_folder` wrote.
    written: Path | None = None

    @property
    def year(self) -> int | None:
        return self.status.year

    @property  # type: ignore[override]
    def path(self) -> Path:
        return self.status.folder

    @property  # type: ignore[override]
    def findings(self) -> list[Finding]:
        """A summary reports what it left out and what does not carry over in its lines; it has no
        findings of its own (``ogi status`` lists each file's)."""
        return []

    def details(self) -> dict[str, Any]:
        return {"year": year_text(self.year), "agencies": len(self.rows),
                "left_out": [f"{item.name or '（无法识别）'}：{item.reason}" for item in self.left_out],
                "workbook": str(self.written) if self.written is not None else None}

    def heading(self) -> None:
        return None

    def closing_lines(self) -> list[str]:
        lines = self.lines()
        if self.written is not None:
            lines.append(f"已保存汇总工作簿：{self.written}")
        return lines

    def lines(self) -> list[str]:
        """What ``ogi summary`` prints, in Chinese."""
        out = [f"汇总了 {len(self.rows)} 个机关的工作簿。"]
        if self.left_out:
            out.append(f"未计入汇总的 {len(self.left_out)} 项：")
            for item in self.left_out:
                where = f"（{item.file}）" if item.file else ""
                out.append(f"  {item.name or '（无法识别）'}{where}：{item.reason}")
        if self.previous_source is not None:
            if self.continuity:
                out.append(f"与上年数据衔接的警告 {len(self.continuity)} 条：")
                for note in self.continuity:
                    f = note.finding
                    out.append(f"  {note.agency.name}：{f.where} {f.message}"
                               + (f"（机关说明：{f.explanation}）" if f.explanation else ""))
            else:
                out.append("与上年数据衔接：未发现问题。")
            if self.previous_missing:
                out.append("以下机关没有找到上年的工作簿，未做衔接检查："
                           + "、".join(a.name for a in self.previous_missing))
        return out


def summarize(status: StatusReport, *, include_errors: bool = False,
              spec: FormSpec | None = None) -> Summary:
    """Decide which workbooks enter the totals and add them up."""
    spec = spec or layout_for().spec
    rows: list[SummaryRow] = []
    left_out: list[LeftOut] = []
    roster_given = status.roster is not None
    admitted = {PASSED, HAS_WARNINGS} | ({HAS_ERRORS, INCOMPLETE} if include_errors else set())
    totals: dict[str, int | Decimal] = dict.fromkeys(spec.cells, 0)
    for row in status.rows:
        r = row.result
        name = row.agency_name
        agency_id = row.agency.id if row.agency else ""
        if r is None:
            left_out.append(LeftOut(name, agency_id, "", MISSING))
            continue
        if r.identity is None:  # an .xls/.ods may still be known by its file name (the ledger)
            left_out.append(LeftOut(name, agency_id, r.file.rel, f"无法读取：{r.problem or r.reason}"))
            continue
        if r.wrong_year:
            left_out.append(LeftOut(name, agency_id, r.file.rel,
                                    f"年度为 {r.identity.year} 年，不是 {status.year} 年"))
            continue
        if roster_given and not r.on_roster:
            left_out.append(LeftOut(name, agency_id, r.file.rel, "不在机关名单中"))
            continue
        if not r.current:  # the ledger says why: an older or identical re-send, 作废, a copy
            left_out.append(LeftOut(name, agency_id, r.file.rel,
                                    f"较旧的重复文件：{r.reason}" if r.newer and r.reason
                                    else r.reason or "较旧的重复文件"))
            continue
        if r.readable and r.template_id and r.template_id != spec.id:
            left_out.append(LeftOut(name, agency_id, r.file.rel,
                                    f"使用的表式为 {r.template_id}，与本次汇总的表式 {spec.id} 不同"))
            continue
        values = r.values if r.readable else None
        if values is None or r.status not in admitted:
            reason = {
                HAS_ERRORS: f"有 {r.errors} 个错误（修改后重新汇总，或加 --include-errors 一并计入）",
                INCOMPLETE: "未完成：正文尚未填写（加 --include-errors 可一并计入）",
            }.get(r.status, f"{r.status}：{r.problem}" if r.problem else r.status)
            left_out.append(LeftOut(name, agency_id, r.file.rel, reason))
            continue
        assert row.agency is not None
        all_values = compute_totals(spec, values)
        for key in spec.cells:
            v = all_values.get(key)
            if v is not None:
                totals[key] += v
        rows.append(SummaryRow(row.agency, r, spec))
    return Summary(status, rows, left_out, totals, include_errors)


def add_continuity(summary: Summary, previous: Path, *, progress: Progress | None = None) -> None:
    """Check 上年结转 and 现行有效件数 of every summed agency against last year's workbooks."""

    year = summary.year - 1 if summary.year is not None else None
    prev = load_previous(previous, year=year, progress=progress, roster=summary.status.roster,
                         keep=KEEP_VALUES)
    summary.previous_source = Path(previous)
    summary.previous_problems = list(prev.problems)
    for row in summary.rows:
        entry = prev.find(row.agency)
        if entry is None or entry.report_for_checks() is None:
            summary.previous_missing.append(row.agency)
            continue
        report = row.result.report_for_checks()
        previous_report = entry.report_for_checks()
        assert report is not None and previous_report is not None
        checked: Any = check_report(report, previous=previous_report)
        findings: Iterable[Finding] = getattr(checked, "findings", checked)
        for f in findings:
            if f.code.startswith("PREV-"):
                summary.continuity.append(ContinuityNote(row.agency, row.result.file.rel, f))


def build_summary(folder: Path, roster: list[Agency] | None = None, *, year: int | None = None,
                  include_errors: bool = False, previous: Path | None = None,
                  progress: Progress | None = None, previous_progress: Progress | None = None,
                  exclude: Iterable[Path] = ()) -> Summary:
    status = collect_status(folder, roster, year=year, progress=progress, exclude=exclude,
                            keep=KEEP_VALUES)
    summary = summarize(status, include_errors=include_errors)
    if previous is not None:
        add_continuity(summary, previous, progress=previous_progress)
    return summary


def summarise_folder(folder: Path, *, output: Path, roster: Path | list[Agency] | None = None,
                     year: int | None = None, include_errors: bool = False, previous: Path | None = None,
                     overwrite: bool = False, progress: Progress | None = None,
                     previous_progress: Progress | None = None) -> Summary:
    """The library call behind ``ogi summary``: :func:`build_summary` over ``folder`` and the 汇总
    workbook written to ``output`` (refused before any reading when unusable)."""
    roster_file = Path(roster) if isinstance(roster, Path | str) else None
    own = guard_rollup_output(output, kind="summary", overwrite=overwrite, folder=folder,
                              also_reads=[roster_file, previous])
    agencies = read_roster(roster_file) if roster_file is not None else roster  # type: ignore[arg-type]
    summary = build_summary(folder, agencies, year=year, include_errors=include_errors, previous=previous,
                            exclude=[output], progress=progress, previous_progress=previous_progress)
    summary.written = atomic_write_bytes(output, build_summary_workbook(summary), overwrite=overwrite,
                                         protect=[p for p in (roster_file, previous) if p is not None],
                                         replaceable=own)
    return summary


# ---- the workbook -----------------------------------------------------------------------------
def _num(value: Value) -> int | float:
    if value is None:
        return 0
    return float(value) if isinstance(value, Decimal) else int(value)


class _Formats:
    def __init__(self, wb: Any) -> None:
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "text_wrap": True,
                "border": 1}
        self.title = wb.add_format({"font_name": "宋体", "font_size": 14, "bold": True})
        self.note = wb.add_format({"font_name": "宋体", "font_size": 10, "font_color": "#595959",
                                   "text_wrap": True, "valign": "top"})
        self.head = wb.add_format({**base, "bold": True, "align": "center", "bg_color": "#DDEBF7"})
        self.caption = wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2"})
        self.text = wb.add_format(base)
        self.center = wb.add_format({**base, "align": "center"})
        self.group = wb.add_format({**base, "align": "center"})
        self.total_label = wb.add_format({**base, "bold": True, "align": "center",
                                          "bg_color": "#FFF2CC"})
        formats = {"count": "0", "wan_yuan": "General", "yuan": "0.00"}
        self.value = {k: wb.add_format({**base, "align": "center", "num_format": f})
                      for k, f in formats.items()}
        self.total = {k: wb.add_format({**base, "align": "center", "num_format": f, "bold": True,
                                        "bg_color": "#FFF2CC"}) for k, f in formats.items()}


def build_summary_workbook(summary: Summary, layout: Layout | None = None) -> bytes:
    """The 汇总.xlsx bytes (see the module doc for its sheets)."""
    import xlsxwriter

    layout = layout or layout_for()
    spec = layout.spec
    figures = key_figures(layout)
    buf = io.BytesIO()
    # Not in_memory: the 明细 sheet (about 260 cells per agency) is streamed to a temporary file.
    wb = xlsxwriter.Workbook(buf, {"strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    f = _Formats(wb)
    ws_sum = wb.add_worksheet(SHEET_SUMMARY)
    ws_chart = wb.add_worksheet(SHEET_CHARTS)
    ws_tables = wb.add_worksheet(SHEET_TABLES)
    ws_detail = _add_streamed_worksheet(wb, SHEET_DETAIL)
    ws_left = wb.add_worksheet(SHEET_LEFT_OUT)
    _summary_sheet(ws_sum, f, summary, figures)
    _detail_sheet(ws_detail, f, summary, spec)
    _tables_sheet(ws_tables, f, summary, layout)
    _charts(wb, ws_chart, f, summary, figures)
    _left_out_sheet(ws_left, f, summary)
    if summary.previous_source is not None:
        _continuity_sheet(wb.add_worksheet(SHEET_CONTINUITY), f, summary)
    ws_sum.activate()
    wb.set_properties({"title": f"{year_text(summary.year)}年政府信息公开工作年度报告汇总".lstrip("年"),
                       "author": "ogi",
                       "comments": "由 ogi summary 生成"})
    wb.set_custom_property(OUTPUT_PROPERTY, "summary")
    wb.close()
    return buf.getvalue()


def _print_title(summary: Summary, sheet: str) -> str:
    year = f"{summary.year}年" if summary.year else ""
    return f"{year}政府信息公开工作年度报告汇总·{sheet}"


def _add_streamed_worksheet(wb: Any, name: str) -> Any:
    """A worksheet whose rows go to a temporary file as soon as the next row is started
    (xlsxwriter's ``constant_memory`` mode), so that 1,000 agencies × 260 cells are never all
    held in memory; its rows must be written top to bottom (``set_row`` before a row is left).

    xlsxwriter offers that mode for a whole workbook only, but the other sheets need random
    access (headers merged over two rows, the official tables' merges, the charts' cached values
    read back from 汇总), and the mode writes every text inline in the sheet XML. The worksheet
    class below turns the mode on for this sheet alone (xlsxwriter's packager asks each worksheet)
    and keeps texts in the shared string table like the other sheets do. It relies on xlsxwriter
    internals (checked against 3.x); tests/test_summary_county.py reads the result back.
    """
    return wb.add_worksheet(name, worksheet_class=_streamed_worksheet_class())


_STREAMED_CLASS: Any = None


def _streamed_worksheet_class() -> Any:
    global _STREAMED_CLASS
    if _STREAMED_CLASS is not None:
        return _STREAMED_CLASS
    from xlsxwriter.worksheet import Worksheet

    class StreamedWorksheet(Worksheet):  # type: ignore[misc]
        def _initialize(self, init_data: dict[str, Any]) -> None:
            super()._initialize({**init_data, "constant_memory": True})

        def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> int:
            ret = super()._write_string(row, col, string, cell_format)
            cell = self.table.get(row, {}).get(col)
            if cell is not None and type(cell).__name__ == "String" and isinstance(cell.string, str):
                index = self.str_table._get_shared_string_index(cell.string)
                self.table[row][col] = cell._replace(string=index)
            return ret

        def _write_cell(self, row: int, col: int, cell: Any) -> None:
            if type(cell).__name__ == "String" and isinstance(cell.string, int):
                self.constant_memory = False  # a shared string index, as in the other sheets
                try:
                    super()._write_cell(row, col, cell)
                finally:
                    self.constant_memory = True
                return
            super()._write_cell(row, col, cell)

    _STREAMED_CLASS = StreamedWorksheet
    return _STREAMED_CLASS


def summary_columns(figures: list[Figure]) -> dict[int, Figure]:
    """Sheet column of each figure on the 汇总 sheet (after the fixed columns)."""
    return {len(SUMMARY_FIXED) + i: fig for i, fig in enumerate(figures)}


def _summary_sheet(ws: Any, f: _Formats, summary: Summary, figures: list[Figure]) -> None:
    n = len(summary.rows)
    columns = summary_columns(figures)
    file_col = len(SUMMARY_FIXED) + len(figures)
    year = f"{summary.year}年" if summary.year else ""
    ws.write_string(0, 0, f"{year}政府信息公开工作年度报告汇总（{n} 个机关）", f.title)
    scope = ("计入有错误或未完成的工作簿" if summary.include_errors
             else "只计入没有错误的工作簿")
    ws.merge_range(1, 0, 1, min(file_col, 12), "", f.note)
    ws.write_string(1, 0, f"{scope}；未计入的机关见“{SHEET_LEFT_OUT}”表（{len(summary.left_out)} 项）。"
                    f"合计行为公式，随表中数字更新。生成时间："
                    f"{dt.datetime.now():%Y-%m-%d %H:%M}", f.note)
    ws.set_row(1, 30)
    for c, text in enumerate(SUMMARY_FIXED):
        ws.merge_range(2, c, 3, c, "", f.head)
        ws.write_string(2, c, text, f.head)
    ws.merge_range(2, file_col, 3, file_col, "", f.head)
    ws.write_string(2, file_col, "文件", f.head)
    # Group headers over runs of figures with the same group.
    cols = sorted(columns)
    i = 0
    while i < len(cols):
        j = i
        while j + 1 < len(cols) and columns[cols[j + 1]].group == columns[cols[i]].group:
            j += 1
        if j > i:
            ws.merge_range(2, cols[i], 2, cols[j], "", f.head)
        ws.write_string(2, cols[i], columns[cols[i]].group, f.head)
        i = j + 1
    for c, fig in columns.items():
        ws.write_string(3, c, fig.label, f.head)
        ws.set_column(c, c, 6.5)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 8)
    ws.set_column(3, 3, 6)
    ws.set_column(file_col, file_col, 33)
    for i, row in enumerate(summary.rows):
        r = SUMMARY_FIRST_ROW + i
        ws.write_number(r, 0, i + 1, f.center)
        ws.write_string(r, 1, row.agency.name, f.text)
        ws.write_string(r, 2, row.agency.id, f.center)
        ws.write_string(r, 3, row.status, f.center)
        values = row.values
        for c, fig in columns.items():
            v = figure_value(fig, values)
            if v is None:
                ws.write_blank(r, c, None, f.value[fig.type])
            else:
                ws.write_number(r, c, _num(v), f.value[fig.type])
        ws.write_string(r, file_col, row.result.file.rel, f.text)
    total_row = SUMMARY_FIRST_ROW + n
    ws.merge_range(total_row, 0, total_row, len(SUMMARY_FIXED) - 1, "", f.total_label)
    ws.write_string(total_row, 0, "合计", f.total_label)
    for c, fig in columns.items():
        cached = sum((summary.totals[k] for k in fig.keys), start=0)
        if n:
            letter = col_letter(c)
            formula = f"=SUM({letter}{SUMMARY_FIRST_ROW + 1}:{letter}{SUMMARY_FIRST_ROW + n})"
            ws.write_formula(total_row, c, formula, f.total[fig.type], _num(cached))
        else:
            ws.write_number(total_row, c, 0, f.total[fig.type])
    ws.write_blank(total_row, file_col, None, f.total_label)
    ws.freeze_panes(SUMMARY_FIRST_ROW, 2)
    ws.autofilter(3, 0, max(total_row - 1, 3), file_col)
    setup_print(ws, _print_title(summary, SHEET_SUMMARY), header_rows=(2, 3), label_columns=2,
                keep_together=[(0, 3)])


def detail_columns(spec: FormSpec) -> dict[str, int]:
    """Sheet column of every cell key on the 明细 sheet."""
    return {key: 2 + i for i, key in enumerate(spec.cells)}


def _detail_sheet(ws: Any, f: _Formats, summary: Summary, spec: FormSpec) -> None:
    columns = detail_columns(spec)
    tables = {t.key: t.sheet for t in spec.tables}
    # Row by row, top to bottom: the sheet may be streamed (see _add_streamed_worksheet).
    ws.set_row(0, 110)
    ws.set_column(0, 0, 30)
    ws.set_column(2, 1 + len(columns), 12)
    ws.write_string(0, 0, "机关名称", f.head)
    ws.write_string(0, 1, "编号", f.head)
    for key, c in columns.items():
        cell = spec.cells[key]
        table = tables.get(cell.table, cell.row_label)
        ws.write_string(0, c, f"{table}·{cell.row_label}·{cell.column_label}", f.head)
    ws.write_string(1, 0, "（第二行为数据键名）", f.note)
    for key, c in columns.items():
        ws.write_string(1, c, key, f.note)
    for i, row in enumerate(summary.rows):
        r = DETAIL_FIRST_ROW + i
        ws.write_string(r, 0, row.agency.name, f.text)
        ws.write_string(r, 1, row.agency.id, f.center)
        values = row.values
        for key, c in columns.items():
            v = values.get(key)
            fmt = f.value[spec.cells[key].type]
            if v is None:
                ws.write_blank(r, c, None, fmt)
            else:
                ws.write_number(r, c, _num(v), fmt)
    ws.freeze_panes(DETAIL_FIRST_ROW, 1)
    # Every cell of every agency (about 260 columns): the source of the other sheets' formulas,
    # not a page to print; hidden so that printing the workbook gives the readable sheets only.
    ws.hide()


def table_offsets(layout: Layout) -> dict[str, int]:
    """Row shift of each official table on the 全县汇总表 sheet (its caption is on the row above
    the table's first row), relative to where the layout puts it in the agencies' workbooks."""
    offsets: dict[str, int] = {}
    base = 2
    for key, tl in layout.tables.items():
        offsets[key] = base + 1 - TABLE_TOP
        base = tl.last_row + offsets[key] + 3
    return offsets


def tables_sheet_cell(layout: Layout, key: str) -> tuple[int, int]:
    """(row, col), 0-based, of a table cell key on the 全县汇总表 sheet."""
    table = layout.spec.cells[key].table
    placed = layout.tables[table].values[key]
    return placed.row + table_offsets(layout)[table], placed.col


def _tables_sheet(ws: Any, f: _Formats, summary: Summary, layout: Layout) -> None:
    """Tables 二, 三, 四 as in the official format, each cell Σ over the summed agencies."""
    spec = layout.spec
    n = len(summary.rows)
    detail = detail_columns(spec)
    year = f"{summary.year}年度" if summary.year else ""
    ws.write_string(0, 0, f"{year}政府信息公开工作年度报告数据汇总表（{n} 个机关合计）", f.title)
    widths = [10, 12, 30] + [6] * 12  # one portrait page wide at 70 % or more
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    base = 2
    first, last = DETAIL_FIRST_ROW + 1, DETAIL_FIRST_ROW + n
    offsets = table_offsets(layout)
    blocks: list[tuple[int, int]] = []
    for tl in layout.tables.values():
        table = tl.table
        offset = offsets[table.key]
        base = offset + TABLE_TOP - 1
        blocks.append((base, tl.last_row + offset))
        ws.merge_range(base, 0, base, table.grid_columns - 1, "", f.caption)
        ws.write_string(base, 0, table.section, f.caption)
        lines: dict[int, int] = {}
        for p in tl.labels:
            fmt = f.head if p.kind in ("header", "caption") else (f.group if p.rowspan > 1 else f.text)
            if p.merged:
                ws.merge_range(p.row + offset, p.col, p.last_row + offset, p.last_col, "", fmt)
            ws.write_string(p.row + offset, p.col, p.text, fmt)
            if p.rowspan == 1:
                width = sum(widths[p.col:p.last_col + 1])
                lines[p.row] = max(lines.get(p.row, 1), _text_lines(p.text, width))
        for row, count in lines.items():
            if count > 1:
                ws.set_row(row + offset, 13 * count + 4)
        for key, p in tl.values.items():
            fmt = f.value[spec.cells[key].type]
            if p.merged:
                ws.merge_range(p.row + offset, p.col, p.last_row + offset, p.last_col, "", fmt)
            cached = _num(summary.totals[key])
            if n:
                ref = col_letter(detail[key])
                formula = (f"=SUM({quote_sheet(SHEET_DETAIL)}!{ref}{first}:{ref}{last})")
                ws.write_formula(p.row + offset, p.col, formula, fmt, cached)
            else:
                ws.write_number(p.row + offset, p.col, 0, fmt)
        base = tl.last_row + offset + 3
    ws.merge_range(base, 0, base, 3, "", f.caption)
    ws.write_string(base, 0, "六、其他需要报告的事项：信息处理费", f.caption)
    for i, fee in enumerate(spec.fees, start=1):
        r = base + i
        ws.merge_range(r, 0, r, 1, "", f.text)
        ws.write_string(r, 0, f"{fee.label}（{fee.unit}）", f.text)
        fmt = f.value[fee.type]
        if n:
            ref = col_letter(detail[fee.key])
            ws.write_formula(r, 2, f"=SUM({quote_sheet(SHEET_DETAIL)}!{ref}{first}:{ref}{last})",
                             fmt, _num(summary.totals[fee.key]))
        else:
            ws.write_number(r, 2, 0, fmt)
    blocks.append((base, base + len(spec.fees)))
    setup_print(ws, _print_title(summary, SHEET_TABLES), keep_together=blocks, landscape=False)


def _charts(wb: Any, ws: Any, f: _Formats, summary: Summary, figures: list[Figure]) -> None:
    n = len(summary.rows)
    ws.write_string(0, 0, "各机关收到申请和办理结果（数据来自“汇总”表，只含计入汇总的机关）", f.title)
    title = _print_title(summary, SHEET_CHARTS)
    if not n:
        ws.write_string(2, 0, "没有可汇总的工作簿，未生成图表。", f.note)
        setup_print(ws, title, landscape=True, last_row=2, last_col=10)
        return
    columns = summary_columns(figures)
    first, last = SUMMARY_FIRST_ROW, SUMMARY_FIRST_ROW + n - 1
    categories = [SHEET_SUMMARY, first, 1, last, 1]
    height = min(max(360, 24 * n + 140), CHART_HEIGHT)
    font = {"name": "宋体"}

    def bar_chart(title: str, fig_cols: list[int], options: dict[str, str]) -> Any:
        chart = wb.add_chart({"type": "bar", **options})
        for col in fig_cols:
            chart.add_series({"name": [SHEET_SUMMARY, 3, col],
                              "categories": categories,
                              "values": [SHEET_SUMMARY, first, col, last, col]})
        chart.set_title({"name": title, "name_font": {**font, "size": 12}})
        chart.set_y_axis({"reverse": True, "num_font": font})
        chart.set_x_axis({"num_font": font, "min": 0})
        chart.set_legend({"position": "top", "font": font})
        chart.set_size({"width": CHART_WIDTH, "height": height})
        return chart

    received = [c for c, fig in columns.items() if fig.role in ("received", "total",
                                                                 "carried_forward")]
    outcomes = [c for c, fig in columns.items() if fig.role == "outcome"]
    ws.insert_chart(2, 0, bar_chart("收到申请与办理情况（件）", received, {}))
    second = 2 + height // 20 + 2
    ws.insert_chart(second, 0, bar_chart("办理结果构成（件）", outcomes, {"subtype": "stacked"}))
    # Each chart on a page of its own (the chart spans its rows at 20 pixels a row).
    last = second + height // 20 + 1
    setup_print(ws, title, landscape=True, keep_together=[(0, second - 1), (second, last)],
                last_row=last, last_col=CHART_WIDTH // 64)


def _left_out_sheet(ws: Any, f: _Formats, summary: Summary) -> None:
    headers = ("机关名称", "编号", "文件", "原因")
    for c, (h, w) in enumerate(zip(headers, (28, 10, 40, 60), strict=True)):
        ws.write_string(0, c, h, f.head)
        ws.set_column(c, c, w)
    for i, item in enumerate(summary.left_out, start=1):
        ws.write_string(i, 0, item.name or "（无法识别）", f.text)
        ws.write_string(i, 1, item.agency_id, f.text)
        ws.write_string(i, 2, item.file, f.text)
        ws.write_string(i, 3, item.reason, f.text)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(len(summary.left_out), 1), len(headers) - 1)
    setup_print(ws, _print_title(summary, SHEET_LEFT_OUT), header_rows=(0, 0))


def _continuity_sheet(ws: Any, f: _Formats, summary: Summary) -> None:
    headers = ("机关名称", "编号", "文件", "代码", "位置", "问题", "如何处理", "机关的说明")
    for c, (h, w) in enumerate(zip(headers, (16, 8, 20, 10, 16, 30, 22, 20), strict=True)):
        ws.write_string(0, c, h, f.head)
        ws.set_column(c, c, w)
    r = 0
    for r, note in enumerate(summary.continuity, start=1):
        fd = note.finding
        for c, v in enumerate((note.agency.name, note.agency.id, note.file, fd.code, fd.where,
                               fd.message, fd.hint, fd.explanation)):
            ws.write_string(r, c, v, f.text)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(r, 1), len(headers) - 1)
    r += 2
    ws.write_string(r, 0, f"上年工作簿：{summary.previous_source}", f.note)
    if not summary.continuity:
        r += 1
        ws.write_string(r, 0, "计入汇总的机关与上年数据衔接，未发现问题。", f.note)
    if summary.previous_missing:
        r += 1
        ws.write_string(r, 0, "没有找到上年工作簿、未做衔接检查的机关：", f.note)
        for a in summary.previous_missing:
            r += 1
            ws.write_string(r, 0, a.name, f.text)
            ws.write_string(r, 1, a.id, f.text)
    for p in summary.previous_problems:
        r += 1
        ws.write_string(r, 0, f"上年文件未使用：{p}", f.note)
    setup_print(ws, _print_title(summary, SHEET_CONTINUITY), header_rows=(0, 0))
