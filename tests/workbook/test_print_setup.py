"""ogi.workbook.print_setup decisions on real xlsxwriter sheets, read back with openpyxl (no LibreOffice:
tests/test_print_a4.py proves the printed result)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
import xlsxwriter

from ogi.workbook.print_setup import (
    ACROSS_SCALE,
    FOOTER_WIDTH,
    PrintPlan,
    display_width,
    footer,
    footer_title,
    setup_print,
    shorten,
    wrapped_lines,
)


def sheet(build: Callable[[Any, Any], PrintPlan]) -> tuple[PrintPlan, Any]:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wrap = wb.add_format({"text_wrap": True, "font_size": 10})
    plan = build(wb.add_worksheet("表"), wrap)
    wb.close()
    return plan, openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["表"]


def test_narrow_list_prints_portrait_at_full_size_with_header_repeated() -> None:
    def build(ws: Any, wrap: Any) -> PrintPlan:
        ws.set_column(0, 2, 20)
        for r in range(200):
            for c in range(3):
                ws.write_string(r, c, f"第{r}行", wrap)
        return setup_print(ws, "进度表·表", header_rows=(0, 0))

    plan, ws = sheet(build)
    assert not plan.landscape and plan.fit_width and plan.scale == 100
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_area == "'表'!$A$1:$C$200"
    assert ws.oddFooter.left.text == "进度表·表" and "&P" in ws.oddFooter.right.text
    assert not ws.row_breaks.brk  # a list needs no manual breaks: rows never split


def test_wide_sheet_within_70_percent_fits_the_width() -> None:
    def build(ws: Any, wrap: Any) -> PrintPlan:
        ws.set_column(0, 11, 14)  # about 930 points: landscape at about 80 %
        ws.write_string(0, 11, "末列", wrap)
        return setup_print(ws, "宽表")

    plan, ws = sheet(build)
    assert plan.landscape and plan.fit_width and 70 <= plan.scale < 100
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0


def test_too_wide_sheet_prints_across_with_label_columns_repeated() -> None:
    def build(ws: Any, wrap: Any) -> PrintPlan:
        ws.set_column(0, 0, 30)
        ws.set_column(1, 40, 10)
        ws.write_string(0, 40, "末列", wrap)
        return setup_print(ws, "汇总", header_rows=(0, 0), label_columns=1)

    plan, ws = sheet(build)
    assert not plan.fit_width and plan.scale == ACROSS_SCALE and plan.pages_across >= 3
    assert ws.page_setup.scale == ACROSS_SCALE and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_cols == "$A:$A"
    assert ws.print_options.horizontalCentered is not True
    assert [b.id for b in ws.col_breaks.brk] == plan.column_breaks
    assert all(b > 1 for b in plan.column_breaks)


def test_blocks_are_not_split_and_long_text_gets_its_height() -> None:
    text = "政府信息公开申请办理情况说明" * 20  # 280 CJK characters

    def build(ws: Any, wrap: Any) -> PrintPlan:
        ws.set_column(0, 3, 12)
        ws.write_string(0, 0, text, wrap)
        for r in range(1, 120):
            ws.write_string(r, 0, f"行{r}", wrap)
        return setup_print(ws, "全县汇总表", keep_together=[(30, 70), (71, 110)])

    plan, ws = sheet(build)
    height = ws.row_dimensions[1].height
    assert height >= wrapped_lines(text, 12 * 7 + 5, 10) * 14  # every line shown
    assert plan.row_breaks and all(b not in range(31, 71) and b not in range(72, 111)
                                   for b in plan.row_breaks)
    assert [b.id for b in ws.row_breaks.brk] == plan.row_breaks


def test_one_page_table() -> None:
    def build(ws: Any, wrap: Any) -> PrintPlan:
        ws.set_column(0, 9, 10)
        for r in range(40):
            ws.write_string(r, 0, "项目", wrap)
        return setup_print(ws, "表三", one_page=True, landscape=True, header_rows=(0, 1))

    plan, ws = sheet(build)
    assert plan.pages == 1 and ws.page_setup.fitToHeight in (None, 1)


def test_footer_keeps_the_sheet_name_and_escapes_ampersands() -> None:
    long = "某某县" + "发展和改革局" * 12 + "2023年填报表·校验"
    assert display_width(footer_title(long)) <= FOOTER_WIDTH
    assert footer_title(long).endswith("…·校验")
    assert footer("A&B局·表二").startswith("&LA&&B局·表二&R")
    assert footer("2023年报告·进度").startswith("&L2023年")  # no font code swallows the year


def test_shorten_counts_cjk_twice() -> None:
    assert shorten("测试县人民政府办公室", 10) == "测试县人…"
    assert display_width(shorten("测试县人民政府办公室", 10)) <= 10
    assert shorten("abc", 10) == "abc"
