"""Spec (+ optional prefill) -> the locked workbook a county office mails to each agency.

Every address comes from :mod:`ogi.form.layout`; every cached formula result from :mod:`ogi.form.rules`, so that
a workbook opened in LibreOffice (which does not recalculate .xlsx on load) or previewed in a mail client
shows correct totals. User text is always written with ``write_string``: a name or sentence that starts
with ``=`` never becomes a formula, and text longer than a cell holds is refused, never cut.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..errors import InputError
from ..files.invisible import strip_invisible
from ..files.safe_io import atomic_write_bytes, safe_filename
from ..form.layout import (
    BY_OGI,
    FAIL,
    GENERAL_EXPLANATION,
    GENERAL_EXPLANATION_LABEL,
    HIDDEN_KEYS,
    INCOMPLETE,
    PASS,
    SHEET_CHECKS,
    SHEET_FEEDBACK,
    SHEET_GUIDE,
    SHEET_HIDDEN,
    SHEET_META,
    SHEET_TEXT,
    Layout,
    TableLayout,
    a1,
    contiguous_ranges,
    hidden_cells,
    layout_for,
)
from ..form.report import Agency, Report, Value, parse_date_text
from ..form.rules import LiveRule, balance_rules, compute_totals
from ..form.spec import DEFAULT_TEMPLATE, FormSpec
from .print_setup import setup_print

EXCEL_CELL_LIMIT = 32767
MIN_YEAR, MAX_YEAR = 2021, 2100
#: Fixed document timestamp: the same inputs give the same bytes.
FIXED_CREATED = dt.datetime(2021, 9, 29)
FONT = "宋体"

#: 机关类型 values, as the form spec lists them (the 机关类型 dropdown and the roster's column).
AGENCY_TYPES: tuple[str, ...] = layout_for().spec.agency_types
#: Longest agency name: at 22 pt a title line holds about 20 characters, and a title over three
#: lines (name + "2023年政府信息公开工作年度报告") is not an official title (GB/T 9704 §7.3.1).
MAX_AGENCY_NAME_CHARS = 40
#: Width (characters) of the 填报说明 column: wide enough to read, narrow enough for portrait A4.
GUIDE_WIDTH = 88


#: Columns of the 需要修改的问题 sheet, and their widths; the code column is the office's, last.
FEEDBACK_HEADERS = ("序号", "位置", "项目", "问题", "怎样修改", "代码（县级用）")
FEEDBACK_WIDTHS = (6, 16, 30, 56, 48, 8)


@dataclass
class WorkbookOptions:
    year: int
    password: str = ""
    deadline: str = ""  # free text shown in 填报说明, e.g. 2024年1月20日
    prefill: Report | None = None
    template_id: str = DEFAULT_TEMPLATE
    extra: dict[str, str] = field(default_factory=dict)
    #: Cell key -> a comment shown on that cell (`ogi import`: the published figure of a total).
    notes: dict[str, str] = field(default_factory=dict)
    #: Key (input, fee, metadata or narrative) -> (value, openpyxl data type) as the clerk entered
    #: it, written instead of the parsed value: `ogi feedback` keeps "12件" in a number cell.
    raw: dict[str, tuple[Any, str]] = field(default_factory=dict)
    #: (sheet, A1) -> a comment; the cell is highlighted (`ogi feedback`: the cells to fix).
    marks: dict[tuple[str, str], str] = field(default_factory=dict)
    #: Rows of a first sheet 需要修改的问题 (`ogi feedback`), under :data:`FEEDBACK_HEADERS`.
    problems: tuple[tuple[str, ...], ...] | None = None
    #: The sentence above the problem rows (what to do with this copy).
    problems_intro: str = ""


def validate_agency(agency: Agency) -> Agency:
    """The agency with its name tidied (invisible format characters removed and listed in
    ``removed``, runs of spaces made one); refuses empty, over-long and control-character names and
    an unknown 机关类型."""
    name, removed = strip_invisible(agency.name or "")
    name = re.sub(r"\s+", " ", name).strip()
    if not name:
        raise InputError("机关名称不能为空")
    if len(name) > MAX_AGENCY_NAME_CHARS:
        raise InputError(f"机关名称过长（{len(name)} 个字符，最多 {MAX_AGENCY_NAME_CHARS} 个）：{name[:20]}…。"
                         "年度报告标题超过三行不符合公文格式，请使用机关的规范名称或规范简称")
    if any(ord(ch) < 32 for ch in name):
        raise InputError("机关名称含有控制字符")
    kind = (agency.type or "").strip()
    if kind and kind not in AGENCY_TYPES:
        raise InputError(f"机关类型“{kind}”不认识，应为：{' / '.join(AGENCY_TYPES)}（机关：{name}）")
    return replace(agency, name=name, id=strip_invisible(agency.id or "")[0].strip(), type=kind,
                   removed=(*agency.removed, *removed))


def invisible_warning(agency: Agency) -> str:
    """The warning for an agency name that had invisible format characters, or ""."""
    if not agency.removed:
        return ""
    return (f"警告：机关名称“{agency.name}”中含有不可见的格式字符（{'、'.join(agency.removed)}，"
            "可能来自网页或其他软件复制的文字，会打乱文字显示顺序），已删除")


def validate_year(year: int) -> int:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"报告年度 {year} 不在 {MIN_YEAR}–{MAX_YEAR} 之间"
                         f"（2021 年格式自 2021 年度报告起使用）")
    return year


def workbook_filename(agency: Agency, year: int) -> str:
    """The file name a county office mails out (made safe for Windows shares by the caller)."""
    return f"{year}年{agency.name}政府信息公开工作年度报告填报表.xlsx"


#: File name limits: Linux allows 255 bytes (a CJK character is 3 in UTF-8), Windows 255 characters;
#: stay well below both so that a "_2" suffix or a mail client's "(1)" still fits.
MAX_FILENAME_CHARS = 100


def safe_workbook_filename(agency: Agency, year: int, suffix: str = "") -> str:
    """:func:`workbook_filename`, safe on Windows shares and short enough for every file system:
    a long agency name is shortened, never the ``.xlsx`` extension or the year."""

    name = agency.name
    while True:  # shorten the agency name, not the 填报表 words or the suffix that tells files apart
        candidate = safe_filename(f"{year}年{name}政府信息公开工作年度报告填报表{suffix}", suffix=".xlsx")
        whole = candidate.endswith(f"填报表{suffix}.xlsx")  # safe_filename cut nothing we need
        if (len(candidate) <= MAX_FILENAME_CHARS and whole) or not name:
            return candidate
        name = name[:-1]


class _Formats:
    """The workbook's cell formats, created once per workbook."""

    def __init__(self, wb: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}
        bordered = {**base, "border": 1}

        def fmt(**kw: Any) -> Any:
            return wb.add_format({**bordered, **kw})

        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        self.note = wb.add_format({**base, "font_size": 10, "font_color": "#595959"})
        self.header = fmt(bold=True, align="center", bg_color="#DDEBF7")
        self.caption = fmt(bold=True, align="left", bg_color="#F2F2F2")
        self.label = fmt(align="left")
        self.group = fmt(align="center")
        self.count_in = fmt(align="center", num_format="0", locked=False, bg_color="#FFFFF0")
        self.wan_in = fmt(align="center", num_format="General", locked=False, bg_color="#FFFFF0")
        self.yuan_in = fmt(align="center", num_format="0.00", locked=False, bg_color="#FFFFF0")
        self.count_calc = fmt(align="center", num_format="0", bg_color="#D9D9D9")
        self.check = fmt(align="center", bold=True)
        self.text_in = fmt(align="left", valign="top", locked=False, num_format="@")
        self.field_in = fmt(align="left", locked=False, num_format="@")  # one-line 基本信息 input
        self.text_locked = fmt(align="left", bg_color="#D9D9D9", num_format="@")
        self.date_in = fmt(align="left", locked=False, num_format="yyyy-mm-dd")
        self.hint = fmt(font_size=10, font_color="#595959", align="left")
        self.red = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.green = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.mark = wb.add_format({"bg_color": "#FFC000", "bold": True})
        # The office's code column: one line, shrunk to fit (it never makes a row taller).
        self.code = fmt(font_size=8, font_color="#808080", align="left", text_wrap=False, shrink=True)
        self.plain = wb.add_format({**base})

    def value_input(self, kind: str) -> Any:
        return {"count": self.count_in, "wan_yuan": self.wan_in, "yuan": self.yuan_in}[kind]


_VALIDATION = {
    "count": {
        "validate": "integer", "criteria": ">=", "value": 0,
        "input_title": "填写整数", "input_message": "请填写不小于 0 的整数；没有就填 0，不要留空。",
        "error_title": "输入有误", "error_message": "这里只能填不小于 0 的整数（件数）。没有就填 0。",
    },
    "wan_yuan": {
        "validate": "decimal", "criteria": ">=", "value": 0,
        "input_title": "金额（万元）", "input_message": "单位：万元。可填小数，最多 6 位（精确到分）；没有就填 0。",
        "error_title": "输入有误", "error_message": "这里只能填不小于 0 的金额（单位：万元）。",
    },
    "yuan": {
        "validate": "decimal", "criteria": ">=", "value": 0,
        "input_title": "金额（元）", "input_message": "单位：元，最多 2 位小数；没有就填 0。",
        "error_title": "输入有误", "error_message": "这里只能填不小于 0 的金额（单位：元）。",
    },
}

PROTECT_OPTIONS = {
    "select_locked_cells": True,
    "select_unlocked_cells": True,
    "format_rows": True,  # clerks may make narrative rows taller
    "format_columns": True,
}


def _text_lines(text: str, width_chars: float) -> int:
    """Lines a wrapped label needs in a column of ``width_chars`` (a CJK character is 2 units)."""
    units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    per_line = max(width_chars - 1, 2)
    return max(1, math.ceil(units / per_line))


def _check_text(value: str, where: str) -> str:
    if len(value) > EXCEL_CELL_LIMIT:
        raise InputError(f"{where}的内容有 {len(value)} 个字符，超过 Excel 单元格上限 "
                         f"{EXCEL_CELL_LIMIT}，ogi 不会截断，请拆分或删减后再试")
    return value


class WorkbookBuilder:
    """Builds one workbook in memory. Use :func:`build_workbook` unless batching."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.spec: FormSpec = layout.spec
        self.notes: dict[str, str] = {}
        self._print_title = ""
        self.raw: dict[str, tuple[Any, str]] = {}

    # ------------------------------------------------------------------------------------------
    def build(self, agency: Agency, options: WorkbookOptions) -> bytes:
        agency = validate_agency(agency)
        year = validate_year(options.year)
        prefill = options.prefill
        self.notes = options.notes
        values: dict[str, Value] = {k: 0 for k in self.spec.input_keys}
        metadata: dict[str, str] = {}
        narrative: dict[str, str] = {}
        explanations: dict[str, str] = {}
        if prefill is not None:
            for key, value in prefill.values.items():
                if key in values:
                    values[key] = value
            metadata.update({k: v for k, v in prefill.metadata.items() if v})
            narrative.update({k: v for k, v in prefill.narrative.items() if v})
            explanations.update(prefill.explanations)
        if not agency.type:
            agency = replace(agency, type=self.spec.infer_agency_type(agency.name))
        metadata.update({"agency_name": agency.name, "year": str(year),
                         "agency_id": agency.id, "agency_type": agency.type})
        values = compute_totals(self.spec, values)

        self._print_title = f"{agency.name}{year}年政府信息公开工作年度报告填报表"
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                       "strings_to_urls": False, "strings_to_numbers": False})
        f = _Formats(wb)
        self.raw = options.raw
        first = wb.add_worksheet(SHEET_FEEDBACK) if options.problems is not None else None
        sheets = {name: wb.add_worksheet(name) for name in self.layout.sheets}
        self._guide(sheets[SHEET_GUIDE], f, agency, year, options)
        self._metadata(sheets[SHEET_META], f, metadata, year)
        for tl in self.layout.tables.values():
            self._table(sheets[tl.sheet], f, tl, values, agency, year)
        self._narrative(sheets[SHEET_TEXT], f, narrative, values)
        self._checks(sheets[SHEET_CHECKS], f, values, explanations)
        hidden = {
            "template_id": self.spec.id, "template_version": str(self.spec.version),
            "spec_sha256": self.spec.sha256, "ogi_version": __version__,
            "agency_id": agency.id, "agency_type": agency.type, "agency_name": agency.name,
            "year": str(year), "deadline": options.deadline,
        }
        self._hidden(sheets[SHEET_HIDDEN], hidden)
        self._marks(sheets, f, options.marks)
        for ws in sheets.values():  # the very hidden sheet too, in case someone unhides it
            ws.protect(options.password, PROTECT_OPTIONS)
        if first is not None:
            self._problems(first, f, options.problems or (), options.problems_intro)
            first.protect(options.password, PROTECT_OPTIONS)
            first.activate()
        else:
            sheets[SHEET_GUIDE].activate()
        wb.set_properties({
            "title": self.spec.report_title.format(agency_name=agency.name, year=year),
            "subject": "政府信息公开工作年度报告填报表",
            "author": "ogi",
            "company": "",
            "comments": f"由 ogi {__version__} 生成；模板 {self.spec.id} 第 {self.spec.version} 版",
            "created": FIXED_CREATED,
        })
        for key in HIDDEN_KEYS:
            wb.set_custom_property(f"ogi_{key}", hidden[key] or "-")
        wb.close()
        return lock_structure(buf.getvalue(), options.password)

    # ------------------------------------------------------------------------------------------
    def _balance_sentence(self) -> str:
        """The guide's words on each balance check (表三“一+二=三（七）+四”), from the spec's rules."""
        shown: dict[tuple[str, str], None] = {}
        for rule in balance_rules(self.spec.rules):
            sheet = self.spec.table(self.spec.cells[rule.operands[0]].table).sheet
            shown[(sheet, rule.label)] = None
        return "".join(f"{sheet}“{label}”不平衡时，{sheet}底部和“校验”表会显示红色“未通过”。"
                       for sheet, label in shown)

    def _guide(self, ws: Worksheet, f: _Formats, agency: Agency, year: int,
               options: WorkbookOptions) -> None:
        ws.set_column(0, 0, GUIDE_WIDTH)
        deadline = (f"请于 {options.deadline} 前交回。" if options.deadline
                    else "请在县级政务公开办通知的截止日期前交回。")
        lines = [
            (f.title, f"{agency.name}{year}年政府信息公开工作年度报告填报表"),
            (f.plain, ""),
            (f.plain, "一、这是什么：本表用于填报《政府信息公开工作年度报告》"
                      f"（{self.spec.basis}格式）。填好后交回县级政务公开办，由 ogi 检查并生成 Word 年报。"),
            (f.plain, f"二、截止日期：{deadline}统计期限为 {year}年1月1日至{year}年12月31日。"),
            (f.plain, "三、填哪里：只有浅黄色（数字）和白色（文字）的格子可以填写；灰色格子是自动计算的合计或固定内容，不能改动。"),
            (f.plain, "四、数字：所有数字格已预先填好 0，只需改写不为 0 的数；不要把 0 删成空格（空格会被判为“未填写”）。"
                      "件数填整数；表二“本年收费金额”单位为万元，可填小数（最多 6 位）。"),
            (f.plain, "五、文字：在“正文”表逐项填写。一个栏目写在一个格子里；按 Alt+Enter（WPS、Excel 相同）换行，"
                      "每换一行就是 Word 年报中的一个新段落。可以从 Word 复制文字粘贴进格子（双击格子后粘贴）。"),
            (f.plain, "六、自查：填完后看“校验”表，每一项都应显示“通过”，“空白的数字单元格”应为 0。"
                      + self._balance_sentence()),
            (f.plain, "七、说明：如果某个数字看似有误但确实无误（例如与上年数据衔接不上的合理原因），请在“校验”表对应行的“说明”栏写明。"
                      "交回后 ogi 还会逐一核对正文中的数字（件数、金额、百分比）与表格及正文自身是否一致；"
                      "确属不同口径的，请在“校验”表该正文栏目那一行的“说明”栏写明。"),
            (f.plain, "八、请勿：插入或删除行列、改动表名、复制粘贴整张表，或另存为 .xls / .et 格式。保存时请保持 .xlsx 格式。"),
        ]
        for i, (fmt, text) in enumerate(lines):
            ws.write_string(i, 0, text, fmt)
            if text and fmt is f.plain:
                ws.set_row(i, 15 * _text_lines(text, GUIDE_WIDTH) + 6)
        ws.set_row(0, 28)
        # LibreOffice ignores "fit to page width" on a sheet whose used range is one column and
        # prints the text cut off at both edges; a space in B1 makes the range two columns wide.
        ws.write_string(0, 1, " ")
        self._print_setup(ws, landscape=False)

    def _metadata(self, ws: Worksheet, f: _Formats, metadata: Mapping[str, str], year: int) -> None:
        ws.set_column(0, 0, 16)
        ws.set_column(1, 1, 48)
        ws.set_column(2, 2, 50)
        ws.merge_range(0, 0, 0, 2, "基本信息", f.title)
        ws.write_string(2, 0, "项目", f.header)
        ws.write_string(2, 1, "内容", f.header)
        ws.write_string(2, 2, "说明", f.header)
        example_date = f"{year + 1}-01-20"
        for m in self.spec.metadata:
            fc = self.layout.meta_fields[m.key]
            label = m.label + ("（必填）" if m.required and not m.locked else "")
            ws.write_string(fc.row, 0, fc.label, f.label)
            value = _check_text(metadata.get(m.key, "") if m.locked else
                                self._raw_text(m.key, metadata.get(m.key, "")), f"基本信息“{m.label}”")
            if m.locked and m.choices and not value:  # not given, not inferred: the clerk picks
                ws.write_blank(fc.row, 1, None, f.field_in)
                ws.data_validation(fc.row, 1, fc.row, 1, {
                    "validate": "list", "source": list(m.choices),
                    "input_title": m.label, "input_message": f"请从下拉列表中选择：{' / '.join(m.choices)}。",
                    "error_title": "输入有误", "error_message": f"只能选择：{' / '.join(m.choices)}。",
                })
            elif m.locked:
                if m.type == "year" and value:
                    ws.write_number(fc.row, 1, int(value), f.text_locked)
                else:
                    ws.write_string(fc.row, 1, value, f.text_locked)
            elif m.type == "date":
                parsed = _parse_date(value)
                if parsed:
                    ws.write_datetime(fc.row, 1, parsed, f.date_in)
                else:
                    ws.write_blank(fc.row, 1, None, f.date_in) if not value else \
                        ws.write_string(fc.row, 1, value, f.date_in)
                ws.data_validation(fc.row, 1, fc.row, 1, {
                    "validate": "date", "criteria": "between",
                    "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2100, 12, 31),
                    "input_title": m.label, "input_message": f"例如 {example_date}。",
                    "error_title": "日期有误", "error_message": f"请填写日期，例如 {example_date}。",
                })
            else:
                ws.write_string(fc.row, 1, value, f.field_in)
            hint = m.hint.format(next_year=year + 1)
            hint = hint if label == m.label else f"必填。{hint}"
            if m.locked and m.choices and not value:
                hint = f"请从下拉列表中选择：{' / '.join(m.choices)}。"
            ws.write_string(fc.row, 2, hint, f.hint)
            ws.set_row(fc.row, 22)
        self._print_setup(ws, landscape=False, header_rows=(2, 2))

    def _table(self, ws: Worksheet, f: _Formats, tl: TableLayout, values: Mapping[str, Value],
               agency: Agency, year: int) -> None:
        table = tl.table
        widths = table.print.sheet_widths or [10] * table.grid_columns
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        last_col = table.grid_columns - 1
        ws.merge_range(0, 0, 0, last_col, table.section, f.title)
        ws.merge_range(1, 0, 1, last_col,
                       f"{agency.name}　{year}年度　浅黄色格子填写（已预填 0，只需改写不为 0 的数），"
                       "灰色格子自动计算。", f.note)
        ws.set_row(0, 24)
        ws.set_row(1, 30 if table.grid_columns < 8 else 18)
        row_lines: dict[int, int] = {}
        for p in tl.labels:
            fmt = {"header": f.header, "caption": f.caption}.get(p.kind, f.label)
            if p.kind == "label" and p.rowspan > 1:
                fmt = f.group
            width = sum(widths[p.col:p.col + p.colspan])
            if p.rowspan == 1:
                row_lines[p.row] = max(row_lines.get(p.row, 1), _text_lines(p.text, width))
            if p.merged:
                ws.merge_range(p.row, p.col, p.last_row, p.last_col, "", fmt)
            ws.write_string(p.row, p.col, p.text, fmt)
        formulas = self.layout.formula_cells()
        for key, p in tl.values.items():
            cell = self.spec.cells[key]
            value = values.get(key)
            fmt = f.count_calc if cell.computed else f.value_input(cell.type)
            if p.merged:
                ws.merge_range(p.row, p.col, p.last_row, p.last_col, "", fmt)
            if cell.computed:
                ws.write_formula(p.row, p.col, formulas[key][1], fmt, _cached(value))
                if key in self.notes:
                    ws.write_comment(p.row, p.col, self.notes[key], {"x_scale": 2.5, "y_scale": 1.5})
            else:
                self._value(ws, p.row, p.col, key, value, fmt)
        for r, lines in row_lines.items():
            ws.set_row(r, max(20, 15 * lines + 5))
        # Data validation over rectangles of input cells, one rule per value type.
        by_type: dict[str, list[tuple[int, int]]] = {}
        for key, p in tl.values.items():
            cell = self.spec.cells[key]
            if not cell.computed:
                by_type.setdefault(cell.type, []).append((p.row, p.col))

        for kind, cells in by_type.items():
            for r0, c0, r1, c1 in contiguous_ranges(cells):
                ws.data_validation(r0, c0, r1, c1, _VALIDATION[kind])
        if tl.check_row >= 0:
            self._balance_row(ws, f, tl, values)
        header: tuple[int, int] | None = None
        if table.header_rows:
            first = tl.labels[0].row
            header = (first, first + table.header_rows - 1)
            ws.freeze_panes(first + table.header_rows, table.label_columns)
        # A wide table prints landscape on ONE page, as in a published report.
        wide = table.grid_columns > 4
        self._print_setup(ws, landscape=wide, one_page=wide, header_rows=header)

    def _balance_row(self, ws: Worksheet, f: _Formats, tl: TableLayout,
                     values: Mapping[str, Value]) -> None:
        r = tl.check_row
        label_cols = tl.table.label_columns
        checks = self.layout.balance_check_cells()
        label = next(iter(checks.values()))[2].label
        ws.merge_range(r, 0, r, label_cols - 1, f"自动校验：{label}", f.caption)
        ws.set_row(r, 22)
        for _addr, (_, formula, rule) in checks.items():
            col = self.layout.cell(rule.left[0])[2]
            ws.write_formula(r, col, formula, f.check, rule.live_result(self.spec, values))
        ws.conditional_format(r, label_cols, r, tl.table.grid_columns - 1,
                              {"type": "cell", "criteria": "==", "value": f'"{PASS}"',
                               "format": f.green})
        ws.conditional_format(r, label_cols, r, tl.table.grid_columns - 1,
                              {"type": "cell", "criteria": "!=", "value": f'"{PASS}"',
                               "format": f.red})
        # Turn the balance's own operands red in a failing column.
        balance = balance_rules(self.spec.rules)
        if balance:
            rows = sorted({self.layout.cell(k)[1] for k in (*balance[0].left, *balance[0].right)})
            first_col = label_cols
            check_ref = f"{a1(r, first_col).rstrip('0123456789')}${r + 1}"
            for row in rows:
                ws.conditional_format(row, first_col, row, tl.table.grid_columns - 1, {
                    "type": "formula", "criteria": f'={check_ref}<>"{PASS}"', "format": f.red})

    def _narrative(self, ws: Worksheet, f: _Formats, narrative: Mapping[str, str],
                   values: Mapping[str, Value]) -> None:
        ws.set_column(0, 0, 20)
        ws.set_column(1, 1, 80)  # portrait A4 at 70 % or more (ogi.workbook.print_setup)
        ws.set_column(2, 2, 30)
        ws.merge_range(0, 0, 0, 2, "正文（年度报告的文字部分）", f.title)
        ws.merge_range(1, 0, 1, 2, "每个栏目写在一个格子里。在格子里按 Alt+Enter 换行，每一行就是 Word 年报中的一个段落；"
                       "不必输入段首空格，ogi 会按公文格式排版。双击格子后可以粘贴从 Word 复制的文字。", f.note)
        ws.set_row(1, 34)
        ws.write_string(3, 0, "栏目", f.header)
        ws.write_string(3, 1, "内容", f.header)
        ws.write_string(3, 2, "填写提示", f.header)
        for n in self.spec.narrative:
            fc = self.layout.narrative_fields[n.key]
            ws.write_string(fc.row, 0, fc.label, f.label)
            text = _check_text(self._raw_text(n.key, narrative.get(n.key, "")), f"正文“{n.label}”")
            ws.write_string(fc.row, 1, text, f.text_in)
            ws.write_string(fc.row, 2, ("必填。" if n.required else "选填。") + n.hint, f.hint)
            ws.set_row(fc.row, 150)
            ws.data_validation(fc.row, 1, fc.row, 1, {
                "validate": "length", "criteria": "<=", "value": EXCEL_CELL_LIMIT,
                "input_title": n.label[:32], "input_message": "按 Alt+Enter 换行即另起一段。",
                "error_title": "内容过长", "error_message": "一个格子最多 32767 个字符，请分段填写。",
                "ignore_blank": True,
            })
        hr = self.layout.fee_heading_row
        ws.merge_range(hr, 0, hr, 2, "六、其他需要报告的事项：信息处理费（国办函〔2020〕109号），没有就保持 0",
                       f.caption)
        for fee in self.spec.fees:
            fc = self.layout.fee_fields[fee.key]
            ws.write_string(fc.row, 0, fc.label, f.label)
            value = values.get(fee.key)
            self._value(ws, fc.row, 1, fee.key, value, f.value_input(fee.type))
            ws.data_validation(fc.row, 1, fc.row, 1, _VALIDATION[fee.type])
            ws.write_string(fc.row, 2, f"单位：{fee.unit}", f.hint)
            ws.set_row(fc.row, 22)
        self._print_setup(ws, landscape=False, header_rows=(3, 3))

    def _checks(self, ws: Worksheet, f: _Formats, values: Mapping[str, Value],
                explanations: Mapping[str, str]) -> None:
        lay = self.layout
        # Column A holds each rule's id, which the reader verifies; it is hidden, because a clerk
        # reads the rule in words (B). The id is repeated in a last, narrow column for the office.
        # Portrait A4 at 70 % or more (ogi.workbook.print_setup): the visible columns as wide as four were.
        ws.set_column(0, 0, 30, None, {"hidden": True})
        ws.set_column(1, 1, 68)
        ws.set_column(2, 2, 12)
        ws.set_column(3, 3, 50)
        ws.set_column(4, 4, 10)
        ws.merge_range(0, 1, 0, 3, "校验（自动检查，填完后每一项都应为“通过”）", f.title)
        ws.merge_range(1, 1, 1, 3, "“说明”栏可以填写：某个数字看似有误但确实无误时，请写明原因，县级审核时会看到。"
                       "标为“由 ogi check 检查”的项目需要上年数据或正文，由县级用 ogi 检查。", f.note)
        ws.set_row(1, 32)
        blanks = sum(1 for k in self.spec.input_keys if values.get(k) is None)
        for (_sheet, r, c), label, formula, cached in (
            (lay.blank_count_cell, "空白的数字单元格（应为 0）", lay.blank_count_formula(), blanks),
            (lay.text_count_cell, "填了文字的数字单元格（应为 0）", lay.text_count_formula(), 0),
        ):
            ws.write_string(r, 1, label, f.label)
            ws.write_formula(r, c, formula, f.check, cached)
            ws.conditional_format(r, c, r, c, {"type": "cell", "criteria": ">", "value": 0,
                                               "format": f.red})
            ws.conditional_format(r, c, r, c, {"type": "cell", "criteria": "==", "value": 0,
                                               "format": f.green})
        hr = lay.check_header_row
        for c, text in enumerate(("编号", "检查项目", "结果", "说明（如确无误，请写明原因）", "代码（县级用）")):
            ws.write_string(hr, c, text, f.header)
        first = last = hr + 1
        for row in lay.check_rows.values():
            rule = row.rule
            ws.write_string(row.row, 0, rule.id, f.label)
            ws.write_string(row.row, 1, rule.title, f.label)
            if isinstance(rule, LiveRule):
                ws.write_formula(row.row, 2, rule.check_formula(lay, SHEET_CHECKS), f.check,
                                 rule.live_result(self.spec, values))
            else:
                ws.write_string(row.row, 2, BY_OGI, f.check)
            text = _check_text(explanations.get(rule.id, ""), f"校验“{rule.title}”的说明")
            ws.write_string(row.row, 3, text, f.text_in)
            ws.write_string(row.row, 4, rule.id, f.code)
            lines = _text_lines(rule.title, 68)
            ws.set_row(row.row, 15 * lines + 6)
            last = row.row
        for criteria, fmt in ((f'"{PASS}"', f.green), (f'"{FAIL}"', f.red),
                              (f'"{INCOMPLETE}"', f.red)):
            ws.conditional_format(first, 2, last, 2, {"type": "cell", "criteria": "==",
                                                      "value": criteria, "format": fmt})
        gr = lay.general_explanation_row
        ws.write_string(gr, 0, GENERAL_EXPLANATION_LABEL, f.label)
        ws.write_string(gr - 1, 1, "总体说明（对全部数据的说明，写在下面一格）：", f.plain)
        ws.merge_range(gr, 1, gr, 3, "", f.text_in)
        ws.write_string(gr, 1, _check_text(explanations.get(GENERAL_EXPLANATION, ""), "校验“总体说明”"), f.text_in)
        ws.set_row(gr, 60)
        ws.freeze_panes(hr + 1, 0)
        self._print_setup(ws, landscape=False, header_rows=(hr, hr))

    def _value(self, ws: Worksheet, row: int, col: int, key: str, value: Value, fmt: Any) -> None:
        """A number input: the parsed value, or what the clerk entered (:attr:`WorkbookOptions.raw`)."""
        if key in self.raw:
            raw, data_type = self.raw[key]
            if data_type == "f":  # never a live formula from someone else's file: its text
                ws.write_string(row, col, _check_text(str(getattr(raw, "text", raw)), key), fmt)
            elif isinstance(raw, bool):
                ws.write_boolean(row, col, raw, fmt)
            elif isinstance(raw, int | float):
                ws.write_number(row, col, raw, fmt)
            elif isinstance(raw, dt.datetime | dt.date):
                ws.write_datetime(row, col, raw, fmt)
            elif raw is None:
                ws.write_blank(row, col, None, fmt)
            else:
                ws.write_string(row, col, _check_text(str(raw), key), fmt)
        elif value is None:
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_number(row, col, _number(value), fmt)

    def _raw_text(self, key: str, text: str) -> str:
        """A text field as the clerk entered it when it was not read (a formula), else ``text``."""
        if key in self.raw and not text:
            raw = self.raw[key][0]
            return "" if raw is None else str(getattr(raw, "text", raw))
        return text

    def _marks(self, sheets: Mapping[str, Worksheet], f: _Formats,
               marks: Mapping[tuple[str, str], str]) -> None:
        """Highlight each marked cell (a conditional format, so the cell keeps its own format and
        protection) and put its comment on it."""
        if not marks:
            return
        for (sheet, addr), comment in marks.items():
            ws = sheets.get(sheet)
            if ws is None:
                continue
            r, c = xl_cell_to_rowcol(addr)
            ws.conditional_format(r, c, r, c, {"type": "formula", "criteria": "=TRUE",
                                               "format": f.mark})
            if comment:
                ws.write_comment(r, c, _check_text(comment, addr),
                                 {"x_scale": 3, "y_scale": 2.5, "font_name": FONT, "font_size": 10})

    def _problems(self, ws: Worksheet, f: _Formats, rows: tuple[tuple[str, ...], ...],
                  intro: str) -> None:
        last = len(FEEDBACK_HEADERS) - 1
        for c, w in enumerate(FEEDBACK_WIDTHS):
            ws.set_column(c, c, w)
        ws.merge_range(0, 0, 0, last, SHEET_FEEDBACK, f.title)
        ws.merge_range(1, 0, 1, last, "", f.note)
        ws.write_string(1, 0, intro, f.note)
        ws.set_row(0, 24)
        ws.set_row(1, 15 * _text_lines(intro, sum(FEEDBACK_WIDTHS)) + 8)
        for c, text in enumerate(FEEDBACK_HEADERS):
            ws.write_string(3, c, text, f.header)
        for i, row in enumerate(rows):
            r = 4 + i
            for c, text in enumerate(row):
                ws.write_string(r, c, _check_text(text, SHEET_FEEDBACK),
                                f.code if c == last else f.label)
            ws.set_row(r, 15 * max(_text_lines(t, FEEDBACK_WIDTHS[c]) for c, t in enumerate(row)) + 6)
        ws.freeze_panes(4, 0)
        self._print_setup(ws, landscape=True, header_rows=(3, 3))

    @staticmethod
    def _hidden(ws: Worksheet, hidden: Mapping[str, str]) -> None:
        for row, col, key in hidden_cells():
            ws.write_string(row, col, key)
            ws.write_string(row, col + 1, hidden.get(key, ""))
        ws.very_hidden()

    def _print_setup(self, ws: Worksheet, *, landscape: bool, one_page: bool = False,
                     header_rows: tuple[int, int] | None = None) -> None:
        """A4 print setup (:func:`ogi.workbook.print_setup.setup_print`), the footer naming the agency,
        the year and the sheet. Call it last, after every cell of the sheet is written."""
        setup_print(ws, f"{self._print_title}·{ws.name}", landscape=landscape, one_page=one_page,
                    header_rows=header_rows)




def _number(value: int | Decimal) -> int | float:
    return float(value) if isinstance(value, Decimal) else int(value)


def _cached(value: Value) -> int | float:
    return 0 if value is None else _number(value)


def _parse_date(text: str) -> dt.datetime | None:
    day = parse_date_text(text)
    return dt.datetime(day.year, day.month, day.day) if day else None


def _password_hash(password: str) -> str:
    """Legacy 16-bit hash of ECMA-376 Part 1 §18.2.29 (workbookPassword), as for sheets."""
    digest = 0
    for char in password[::-1]:
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password)
    digest ^= 0xCE4B
    return f"{digest:X}"


def lock_structure(xlsx: bytes, password: str = "") -> bytes:
    """Add ``<workbookProtection lockStructure="1"/>`` to a package (xlsxwriter has no API for it),
    so that sheets cannot be added, deleted, renamed or unhidden without unprotecting the workbook."""
    attrs = ' lockStructure="1"'
    if password:
        attrs = f' workbookPassword="{_password_hash(password)}"' + attrs
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                if "<workbookProtection" not in text:
                    text = text.replace("<bookViews>", f"<workbookProtection{attrs}/><bookViews>", 1)
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def build_workbook(agency: Agency, options: WorkbookOptions) -> bytes:
    """The complete .xlsx file for one agency, as bytes."""
    return WorkbookBuilder(layout_for(options.template_id)).build(agency, options)


def write_workbook(agency: Agency, options: WorkbookOptions, folder: Path, *,
                   overwrite: bool = False, filename: str | None = None) -> Path:
    """Build and atomically write one workbook into ``folder``; returns its path."""
    name = filename or safe_workbook_filename(validate_agency(agency), options.year)
    data = build_workbook(agency, options)
    return atomic_write_bytes(Path(folder) / name, data, overwrite=overwrite)
