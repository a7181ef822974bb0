"""Report texts in the layouts published reports are found in, generated from a Report (never copied
from a published report): TAB text, markdown pipe tables, one cell per line, and text as a PDF
extractor gives it (columns aligned by spaces, labels wrapped over two lines, numbers on a line of
their own, a row split by a page break). Table 四 can be printed as three separate tables.

Every layout writes the same title, sections and narrative; only the tables differ.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ogi.form.report import Report, Value
from ogi.form.rules import compute_totals
from ogi.form.spec import Row, Table, load_spec
from ogi.importers.tables import leaf_label

SPEC = load_spec()
T4_GROUPS = (("review", "行政复议"), ("lit_direct", "行政诉讼（未经复议直接起诉）"),
             ("lit_after_review", "行政诉讼（复议后起诉）"))
T4_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def number(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    return str(value)


def groups(row: Row) -> list[str]:
    return [c.text for c in row.cells if c.rowspan > 1]


def table_rows(table: Table, values: dict[str, Value]) -> list[tuple[str, str, list[str]]]:
    """(group label shown first in its group else "", the row's own label, its values as text)."""
    out = []
    seen: set[str] = set()
    for row in table.data_rows:
        group = ""
        g = groups(row)
        if g and g[-1] not in seen:
            seen.add(g[-1])
            group = g[-1]
        out.append((group, leaf_label(row),
                    [number(values.get(f"{table.key}.{row.key}.{s.column}")) for s in row.values]))
    return out


def header_cells(table: Table) -> list[str]:
    if table.key == "t3":
        return ["", "", *[c.label for c in table.columns]]
    if table.key == "t4":
        return [f"{g}{r}" for _, g in T4_GROUPS for r in T4_RESULTS]
    return ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]


def t4_parts(values: dict[str, Value]) -> list[tuple[str, list[str], list[str]]]:
    """Table 四 as three tables: (caption, header, values)."""
    cols = [c.key for c in SPEC.table("t4").columns]
    out = []
    for i, (_, caption) in enumerate(T4_GROUPS):
        out.append((caption, list(T4_RESULTS),
                    [number(values.get(f"t4.cases.{c}")) for c in cols[5 * i: 5 * i + 5]]))
    return out


# ---- the document around the tables --------------------------------------------------------------
def document(report: Report, tables: Callable[[Table, dict[str, Value]], list[str]],
             *, title: str | None = None, as_given: bool = False) -> str:
    """The whole report text; totals computed from the values unless ``as_given`` (a report whose
    printed figures do not add up)."""
    values = dict(report.values) if as_given else compute_totals(SPEC, dict(report.values))
    name, year = report.agency_name, report.year
    n = report.narrative
    lines = [title if title is not None else f"{name}{year}年政府信息公开工作年度报告", "",
             f"本报告根据《中华人民共和国政府信息公开条例》编制，统计期限自{year}年1月1日起至{year}年12月31日止。",
             f"如对本报告有疑问，请与本机关联系（地址：{report.metadata.get('address', '某某县人民路8号')}；"
             f"电话：{report.metadata.get('phone', '0954-7012345')}；"
             f"网址：{report.metadata.get('website', 'www.example.gov.cn')}）。",
             "一、总体情况", n.get("overview", "本年度依法做好政府信息公开工作。"),
             "（一）主动公开", n.get("proactive", "主动公开信息30条。"),
             "（二）依申请公开", n.get("on_request", "本年度收到申请件数见表三。"),
             "（三）政府信息管理", n.get("info_management", "严格执行发布审核制度。"),
             "（四）政府信息公开平台建设", n.get("platform", "持续完善政府网站。"),
             "（五）监督保障", n.get("supervision", "本年度未发生责任追究情况。")]
    for table in SPEC.tables:
        lines.append(table.section)
        lines.extend(tables(table, values))
    fee = values.get("fee.collected_amount")
    lines += ["五、存在的主要问题及改进情况",
              "（一）存在的主要问题。" + n.get("problems", "公开内容还不够丰富。"),
              "（二）改进情况。" + n.get("improvements", "下一步将加强培训。"),
              "六、其他需要报告的事项",
              f"本年度发出收费通知{number(values.get('fee.notices_count'))}件，收费通知总金额"
              f"{number(values.get('fee.notices_amount'))}元，实际收取信息处理费{number(fee)}元。",
              name, f"{int(year) + 1}年1月20日"]
    return "\n".join(lines) + "\n"


# ---- table layouts ------------------------------------------------------------------------------
def tab_table(table: Table, values: dict[str, Value], *, t4_split: bool = False) -> list[str]:
    if table.key == "t4" and t4_split:
        out = []
        for caption, header, cells in t4_parts(values):
            out += [caption, "\t".join(header), "\t".join(cells)]
        return out
    out = ["\t".join(header_cells(table))]
    for group, label, cells in table_rows(table, values):
        labels = [group, label] if table.key == "t3" else ([label] if table.key == "t2" else [])
        out.append("\t".join([*labels, *cells]))
    return out


def pipe_table(table: Table, values: dict[str, Value], *, t4_split: bool = False) -> list[str]:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    if table.key == "t4" and t4_split:
        out = []
        for caption, header, cells in t4_parts(values):
            out += [f"#### {caption}", "", row(header), row(["---"] * len(header)), row(cells), ""]
        return out
    header = header_cells(table)
    out = []
    rows = table_rows(table, values)
    if table.key == "t3":  # a row label repeated as a heading just before the table
        out += [f"### {rows[0][1]}", ""]
    out += [row(header), row(["---"] * len(header))]
    for group, label, cells in rows:
        labels = [group, label] if table.key == "t3" else ([label] if table.key == "t2" else [])
        out.append(row([*labels, *cells]))
    return [*out, ""]


def cell_lines(table: Table, values: dict[str, Value], *, t4_split: bool = False) -> list[str]:
    """One table cell per line, labels and numbers interleaved (text taken from a web page)."""
    if table.key == "t4" and t4_split:
        out = []
        for caption, header, cells in t4_parts(values):
            out += [caption, *header, *cells]
        return out
    out = [h for h in header_cells(table) if h]
    for group, label, cells in table_rows(table, values):
        out += [x for x in (group, label) if x]
        out += cells
    return out


def wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def pdf_text(table: Table, values: dict[str, Value], *, t4_split: bool = False, width: int = 14,
             page_break_after: str = "deny_internal") -> list[str]:
    """What a PDF's text layer gives for a table without rulings: one line per printed line, columns
    separated by spaces, a long label wrapped over two lines (its numbers beside the first line, the
    last line, or on a line of their own), and the table broken across a page (page number and a
    running header between a row's label and its numbers)."""
    if table.key == "t4":
        if t4_split:
            out = []
            for caption, header, cells in t4_parts(values):
                out += [caption, " ".join(header), "  ".join(cells)]
            return out
        return ["行政复议 行政诉讼", " ".join(T4_RESULTS) + " 未经复议直接起诉 复议后起诉",
                " ".join(T4_RESULTS * 2), "  ".join(table_rows(table, values)[0][2])]
    out = ["信息内容 本年制发件数 本年废止件数 现行有效件数"] if table.key == "t2" else \
        ["（本列数据的勾稽关系为：第一项加第二项之和， 申请人情况",
         "等于第三项加第四项之和） 自然人 法人或其他组织 总计",
         "商业企业 科研机构 社会公益组织 法律服务机构 其他"]
    i = -1  # wrapped labels so far: each takes the next of the three ways
    for row, (group, label, cells) in zip(table.data_rows, table_rows(table, values), strict=True):
        numbers = "  ".join(cells)
        parts = wrap(label, width)
        if group:
            out.append(group)
        if row.key == page_break_after:  # the page ends between the label and its numbers
            out += [*parts, "- 3 -", "某某政务公开", numbers]
            continue
        if len(parts) == 1:
            out.append(f"{label}  {numbers}")
            continue
        i += 1
        if i % 3 == 0:  # numbers beside the last line
            out += [*parts[:-1], f"{parts[-1]}  {numbers}"]
        elif i % 3 == 1:  # numbers beside the first line
            out += [f"{parts[0]}  {numbers}", *parts[1:]]
        else:  # numbers on a line of their own, after the label
            out += [*parts, numbers]
    return out


def numbers_detached(table: Table, values: dict[str, Value], **_: object) -> list[str]:
    """Damaged layout: every label first, then every row's numbers (labels detached from numbers)."""
    if table.key != "t3":
        return tab_table(table, values)
    rows = table_rows(table, values)
    out = [label for _, label, _ in rows]
    out += ["  ".join(cells) for _, _, cells in rows]
    return out


LAYOUTS: dict[str, Callable[..., list[str]]] = {
    "tab": tab_table, "pipe": pipe_table, "cells": cell_lines, "pdf_text": pdf_text,
}


def render(report: Report, layout: str, *, t4_split: bool = False, title: str | None = None,
           as_given: bool = False) -> str:
    fn = LAYOUTS[layout]
    return document(report, lambda t, v: fn(t, v, t4_split=t4_split), title=title, as_given=as_given)
