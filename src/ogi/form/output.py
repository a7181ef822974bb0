"""The one renderer: any :class:`ogi.form.results.Result` as human text, and the one JSON document.

Human output groups each result's findings by sheet in workbook order, each line starting with its
place (``表三 H12（（三）不予公开·2.其他法律行政法规禁止公开｜法律服务机构）``), then what rule failed and
how to fix it; the result type supplies its heading, the lines around the findings and its summary
(:class:`ogi.form.results.Result`'s hooks), so a new command adds a result type, not a renderer. Everything
printed is GBK-encodable text (Chinese Windows consoles), apart from what users typed themselves,
which the CLI writes with replacement.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from .layout import layout_for
from .report import Finding
from .results import Result, Tally, json_document, overall_exit_code

#: Characters ogi itself prints (from the spec's rule titles) that a GBK console cannot show.
_GBK_SAFE = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00a0": " ", "\u2009": " ", "\ufffd": "?"})
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
WORKBOOK_GROUP = "工作簿"


def _sheet_order() -> dict[str, int]:
    return {name: i for i, name in enumerate(layout_for().sheets)}


def _cell_order(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return (int(digits) if digits else 0, col)


def group_by_sheet(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by sheet (workbook order; findings without a sheet first), each group in
    row then column order, errors before warnings at the same cell."""
    order = _sheet_order()
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.sheet or WORKBOOK_GROUP, []).append(f)

    def sheet_key(name: str) -> tuple[int, str]:
        if name == WORKBOOK_GROUP:
            return (-1, "")
        return (order.get(name, len(order)), name)

    out = []
    for name in sorted(groups, key=sheet_key):
        items = sorted(groups[name], key=lambda f: (*_cell_order(f.cell), f.severity != "error"))
        out.append((name, items))
    return out


def severity_label(f: Finding) -> str:
    if f.explained:
        return "已说明"
    return SEVERITY_LABELS.get(f.severity, f.severity)


def finding_line(f: Finding, *, indent: str = "  ") -> str:
    """One finding as lines: place -> what -> how to fix (-> the clerk's 说明)."""
    where = f.where
    head = f"{indent}{severity_label(f)}  {where}：{f.message}" if where else \
        f"{indent}{severity_label(f)}  {f.message}"
    lines = [head]
    pad = indent + " " * 4
    if f.hint:
        lines.append(f"{pad}处理：{f.hint}")
    if f.explanation:
        note = "说明" if f.explained else "说明（错误不能以说明代替修改）"
        lines.append(f"{pad}{note}：{one_line(f.explanation)}")
    return "\n".join(lines)


def one_line(text: str, limit: int = 200) -> str:
    """Text on one line, cut at ``limit`` characters (a clerk's 说明 in a finding list)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def render_result(result: Result) -> str:
    """One result: heading, the lines its type adds, findings grouped by sheet, closing lines."""
    return gbk_safe("\n".join(result_lines(result)))


def result_lines(result: Result) -> list[str]:
    heading = result.heading()
    lines = [f"== {heading}"] if heading is not None else []
    lines.extend(result.intro_lines())
    if result.error:
        lines.append(result.unusable_line())
    else:
        body = result.body_lines()
        if body is None:
            for sheet, items in group_by_sheet(result.findings):
                lines.append(f"【{sheet}】")
                lines.extend(finding_line(f) for f in items)
        else:
            lines.extend(body)
    lines.extend(result.closing_lines())
    return lines


def render_human(results: Sequence[Result], *, totals: bool | None = None) -> str:
    """Every file's findings and summary line; with several files, a closing count."""
    blocks = [render_result(r) for r in results]
    if totals or (totals is None and len(results) > 1):
        blocks.append(totals_line(results, of=type(results[0]) if results else Result))
    return "\n\n".join(blocks) + "\n"


def gbk_safe(text: str) -> str:
    """Replace the few non-GBK characters ogi's own wording uses (the minus sign of a rule title)."""
    return text.translate(_GBK_SAFE)


def totals_line(results: Iterable[Result] | Tally, *, of: type[Result] = Result) -> str:
    """A batch's closing count line, in the words of the result type ``of``."""
    tally = results if isinstance(results, Tally) else Tally(results, of=of)
    return tally.line()


def render_json(command: str, results: Iterable[Result | dict[str, Any]], *,
                exit_code: int | None = None, indent: int | None = 2, ascii_only: bool = False) -> str:
    """The one JSON document (:func:`ogi.form.results.json_document`) as text. ``ascii_only`` escapes every
    non-ASCII character (for a console that is not UTF-8: nothing a clerk typed is lost to a
    replacement character)."""
    return json.dumps(json_document(command, results, exit_code=exit_code), ensure_ascii=ascii_only,
                      indent=indent)


__all__ = [
    "finding_line",
    "gbk_safe",
    "group_by_sheet",
    "one_line",
    "overall_exit_code",
    "render_human",
    "render_json",
    "render_result",
    "result_lines",
    "severity_label",
    "totals_line",
]
