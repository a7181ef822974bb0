"""Human and JSON views of check results, shared by `ogi check`, `ogi fill` and `ogi status`.

Human output groups each file's findings by sheet in workbook order, each line starting with its place
(``表三 H12（（三）不予公开·2.其他法律行政法规禁止公开｜法律服务机构）``), then what rule failed and how to
fix it, and ends each file with one summary line. Everything printed is GBK-encodable text (Chinese
Windows consoles), apart from what users typed themselves, which the CLI writes with replacement.

Results are duck-typed: anything with ``path``, ``findings``, ``report`` (may be None), ``error``
(unusable input message, may be empty), ``errors``, ``warnings``, ``explained`` and ``exit_code``,
as :class:`ogi.checker.CheckResult` has.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .report import Finding

JSON_FORMAT = "ogi-check/1"
#: Characters ogi itself prints (from the spec's rule titles) that a GBK console cannot show.
_GBK_SAFE = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00a0": " ", "\u2009": " "})
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
WORKBOOK_GROUP = "工作簿"


def _sheet_order() -> dict[str, int]:
    from .layout import layout_for

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
        lines.append(f"{pad}{note}：{_one_line(f.explanation)}")
    return "\n".join(lines)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def describe(result: Any) -> str:
    """``文件名（机关 年度）``."""
    name = Path(result.path).name
    report = getattr(result, "report", None)
    if report is not None and (report.agency_name or report.year):
        who = " ".join(p for p in (report.agency_name, f"{report.year}年度" if report.year else "") if p)
        return f"{name}（{who}）"
    return name


def summary_line(result: Any) -> str:
    """One line per file: the verdict and the counts."""
    name = Path(result.path).name
    if getattr(result, "error", ""):
        return f"{name}：无法读取（{result.error}）"
    parts = []
    if result.errors:
        parts.append(f"{result.errors} 个错误")
    if result.warnings:
        parts.append(f"{result.warnings} 个警告")
    if result.explained:
        parts.append(f"{result.explained} 个警告已说明")
    if result.errors:
        verdict = "有错误，请修改后重新交回"
    elif result.warnings:
        verdict = "可以使用，但请核对警告"
    else:
        verdict = "通过"
    suffix = "（--strict：未说明的警告按错误计）" if getattr(result, "strict", False) and result.errors else ""
    counts = "，".join(parts) if parts else "没有发现问题"
    return f"{name}：{verdict} — {counts}{suffix}"


def render_result(result: Any) -> str:
    """One file: heading, findings grouped by sheet, summary line."""
    return gbk_safe(_render_result(result))


def _render_result(result: Any) -> str:
    lines = [f"== {describe(result)}"]
    if getattr(result, "error", ""):
        lines.append(f"  无法读取：{result.error}")
    else:
        for sheet, items in group_by_sheet(result.findings):
            lines.append(f"【{sheet}】")
            lines.extend(finding_line(f) for f in items)
        report = getattr(result, "report", None)
        general = report.explanations.get("_general", "").strip() if report is not None else ""
        if general:
            lines.append(f"【总体说明】{_one_line(general)}")
    lines.append(summary_line(result))
    return "\n".join(lines)


def render_human(results: Sequence[Any], *, totals: bool | None = None) -> str:
    """Every file's findings and summary line; with several files, a closing count."""
    blocks = [render_result(r) for r in results]
    if totals or (totals is None and len(results) > 1):
        blocks.append(totals_line(results))
    return "\n\n".join(blocks) + "\n"


def gbk_safe(text: str) -> str:
    """Replace the few non-GBK characters ogi's own wording uses (the minus sign of a rule title)."""
    return text.translate(_GBK_SAFE)


class Tally:
    """What the closing line and the exit code of a batch need, counted as results stream by, so
    that a batch of 1,000 files does not keep 1,000 results (each with its whole Report)."""

    def __init__(self, results: Iterable[Any] = ()) -> None:
        self.files = 0
        self.unusable = 0
        self.with_errors = 0
        self.exit_code = 0
        for r in results:
            self.add(r)

    def add(self, result: Any) -> None:
        self.files += 1
        if getattr(result, "error", ""):
            self.unusable += 1
        elif result.errors:
            self.with_errors += 1
        self.exit_code = max(self.exit_code, result.exit_code)

    def line(self) -> str:
        clean = self.files - self.unusable - self.with_errors
        line = f"共检查 {self.files} 个文件：{clean} 个无错误，{self.with_errors} 个有错误"
        if self.unusable:
            line += f"，{self.unusable} 个无法读取"
        return line


def totals_line(results: Sequence[Any] | Tally) -> str:
    tally = results if isinstance(results, Tally) else Tally(results)
    return tally.line()


def exit_code(results: Iterable[Any]) -> int:
    """The highest exit code over all files (0 clean, 1 errors, 2 unusable)."""
    return max((r.exit_code for r in results), default=0)


def result_dict(result: Any) -> dict[str, Any]:
    if hasattr(result, "to_dict"):
        return result.to_dict()
    return {"file": str(result.path), "exit_code": result.exit_code,
            "findings": [f.to_dict() for f in result.findings]}


def render_json(results: Sequence[Any], *, indent: int | None = 2, ascii_only: bool = False) -> str:
    """The machine form: ``{"format": "ogi-check/1", "exit_code": n, "files": [...]}``.
    ``ascii_only`` escapes every non-ASCII character (for a console that is not UTF-8: nothing a
    clerk typed is lost to a replacement character)."""
    return render_json_files([result_dict(r) for r in results], exit_code(results), indent=indent,
                             ascii_only=ascii_only)


def render_json_files(files: Sequence[dict[str, Any]], code: int, *, indent: int | None = 2,
                      ascii_only: bool = False) -> str:
    """:func:`render_json` from the files' dicts (:func:`result_dict`) kept while checking a batch:
    the findings without the Reports they came from."""
    data = {"format": JSON_FORMAT, "exit_code": code, "files": list(files)}
    return json.dumps(data, ensure_ascii=ascii_only, indent=indent)
