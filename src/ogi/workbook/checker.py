"""Every rule of the form spec, on a plain Report; and `ogi check` on a workbook.

:func:`check_report` needs no workbook: the importer runs it on published reports too. Its findings
carry the cell key, row and column labels, and the sheet and cell where the layout puts that key, so a
county office can find the place in a workbook as well as in a published table.

:func:`check_workbook` reads a returned workbook once (:func:`ogi.workbook.xlsx_reader.read_workbook`), adds
the rules, applies the clerk's 说明 explanations and, with ``strict``, turns every unexplained warning
into an error.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from ..errors import InputError
from ..form.findings import make
from ..form.layout import GENERAL_EXPLANATION, SHEET_CHECKS, Layout, layout_for
from ..form.output import one_line
from ..form.report import Finding, Report, year_text
from ..form.results import Progress, Result
from ..form.rules import BalanceRule, Facts, Stage, format_value
from ..form.spec import FormSpec
from ..form.values import magnitude_problem
from .xlsx_reader import read_workbook

#: Leftover template text in a narrative (warnings).
PLACEHOLDER_RE = re.compile(r"[Xx]{2,}|[×＊*]{2,}|○○|待补充|待填写|待完善|TODO|【[^】\n]{0,40}】")

# ---------------------------------------------------------------------------------------------

@dataclass
class CheckResult(Result):
    """The outcome of checking one workbook (or of failing to read it: ``error`` is then set)."""

    result_type: ClassVar[str] = "check"
    totals_text: ClassVar[str] = "共检查 {files} 个文件：{clean} 个无错误，{with_errors} 个有错误"

    path: Path
    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    strict: bool = False
    error: str = ""  # unusable input: the Chinese message; exit code 2
    #: Key -> (value, data type) as entered, for the cells with a finding of their own
    #: (:attr:`ogi.workbook.xlsx_reader.ReadResult.raw`); not part of the JSON.
    raw: dict[str, tuple[Any, str]] = field(default_factory=dict, repr=False)

    @classmethod
    def unusable(cls, path: Path, exc: Exception) -> CheckResult:
        message = getattr(exc, "message", None) or str(exc)
        return cls(path=Path(path), report=None, error=message)

    @property
    def ok(self) -> bool:
        return not self.error and not self.errors

    def details(self) -> dict[str, object]:
        report = self.report
        return {
            "agency_name": report.agency_name if report else "",
            "agency_id": report.metadata.get("agency_id", "") if report else "",
            "year": year_text(report.year) if report else "",
            "strict": self.strict,
        }

    def closing_lines(self) -> list[str]:
        general = general_explanation(self.report)
        lines = [f"【总体说明】{one_line(general)}"] if general and not self.error else []
        return [*lines, self.summary_line()]

    def summary_line(self) -> str:
        """One line per file: the verdict and the counts."""
        name = Path(self.path).name
        if self.error:
            return f"{name}：无法读取（{self.error}）"
        parts = []
        if self.errors:
            parts.append(f"{self.errors} 个错误")
        if self.warnings:
            parts.append(f"{self.warnings} 个警告")
        if self.explained:
            parts.append(f"{self.explained} 个警告已说明")
        if self.errors:
            verdict = "有错误，请修改后重新交回"
        elif self.warnings:
            verdict = "可以使用，但请核对警告"
        else:
            verdict = "通过"
        suffix = "（--strict：未说明的警告按错误计）" if self.strict and self.errors else ""
        counts = "，".join(parts) if parts else "没有发现问题"
        return f"{name}：{verdict} — {counts}{suffix}"


# ---------------------------------------------------------------------------------------------

class _WorkbookFacts(Facts):
    """The facts of one report, placed in its workbook: findings name the sheet and cell."""

    def __init__(self, checker: _Checker, previous: Report | None) -> None:
        report = checker.report
        super().__init__(checker.spec, checker.values, previous.values if previous is not None else None,
                         report.narrative, report.year, checker.skip_keys)
        self.checker = checker

    def where(self, key: str) -> dict[str, str]:
        return self.checker.where(key)

    def check_cell(self, rule: BalanceRule) -> tuple[str, str] | None:
        return self.checker.check_cells().get(rule.id)

    def locate(self, field_key: str) -> dict[str, str]:
        fc = self.checker.layout.narrative_fields[field_key]
        if fc.sheet in self.checker.skip_sheets:
            return {}
        return {"sheet": fc.sheet, "cell": fc.address, "row_label": fc.label.split("\n")[-1],
                "key": field_key}


class _Checker:
    def __init__(self, report: Report, spec: FormSpec, layout: Layout, skip_keys: Collection[str],
                 skip_sheets: Collection[str]) -> None:
        self.report = report
        self.spec = spec
        self.layout = layout
        self.skip_keys = set(skip_keys)
        self.skip_sheets = set(skip_sheets)
        self.values = report.values
        self.out: list[Finding] = []
        self._check_cells: dict[str, tuple[str, str]] | None = None

    def where(self, key: str) -> dict[str, str]:
        cell = self.spec.cells[key]
        sheet, addr = self.layout.address(key)
        return {"sheet": sheet, "cell": addr, "row_label": cell.row_label,
                "column_label": cell.column_label, "key": key}

    def check_cells(self) -> dict[str, tuple[str, str]]:
        """Rule id -> (sheet, cell) of each balance rule's live check under its table."""
        if self._check_cells is None:
            self._check_cells = {r.id: (sheet, addr) for addr, (sheet, _, r)
                                 in self.layout.balance_check_cells().items()}
        return self._check_cells

    def rules(self, facts: Facts, *stages: Stage) -> None:
        """Every rule of the given stages, stage by stage, in spec order within a stage."""
        for stage in stages:
            for rule in self.spec.rules:
                if rule.stage == stage:
                    self.out += rule.findings(facts)

    # -----------------------------------------------------------------------------------------
    def values_present(self) -> None:
        for key, cell in self.spec.cells.items():
            if key in self.skip_keys:
                continue
            value = self.values.get(key)
            if value is None:
                if not cell.computed:  # a blank total follows from a blank input, reported there
                    self.out.append(make("VALUE-BLANK", **self.where(key)))
                continue
            problem = magnitude_problem(value, cell.type, format_value(value), limit=False)
            if problem is not None:
                code, fields = problem
                if code == "VALUE-PRECISION":
                    fields = {**fields, "finest": "精确到分"}
                self.out.append(make(code, **self.where(key), **fields))
                self.skip_keys.add(key)

    def metadata(self) -> None:
        for m in self.spec.metadata:
            fc = self.layout.meta_fields[m.key]
            if fc.sheet in self.skip_sheets or m.key in self.skip_keys:
                continue
            value = (self.report.metadata.get(m.key) or "").strip()
            if m.required and not value:
                self.out.append(make("META-REQUIRED", sheet=fc.sheet, cell=fc.address,
                                     row_label=m.label, key=m.key, label=m.label))
            elif m.year_offset is not None and self.report.year is not None and \
                    re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and \
                    int(value[:4]) != self.report.year + m.year_offset:
                expected = self.report.year + m.year_offset
                self.out.append(make("META-FORMAT", sheet=fc.sheet, cell=fc.address, row_label=m.label,
                                     key=m.key, label=m.label, found=value,
                                     what=m.year_problem.format(year=expected), fix=m.year_fix))

    def narrative(self) -> None:
        for n in self.spec.narrative:
            fc = self.layout.narrative_fields[n.key]
            if fc.sheet in self.skip_sheets or n.key in self.skip_keys:
                continue
            text = self.report.narrative.get(n.key) or ""
            loc = {"sheet": fc.sheet, "cell": fc.address, "row_label": n.label, "key": n.key}
            if n.required and not text.strip():
                self.out.append(make("NARRATIVE-EMPTY", **loc, label=n.label))
                continue
            found = list(dict.fromkeys(m.group(0) for m in PLACEHOLDER_RE.finditer(text)))
            if found:
                self.out.append(make("NARRATIVE-PLACEHOLDER", **loc, label=n.label,
                                     found="”“".join(found[:5])))
        self.narrative_year()

    def narrative_year(self) -> None:
        """Last year's text copied unchanged: the narrative names last year and never this year."""
        year = self.report.year
        if year is None:
            return
        this, last = f"{year}年", f"{year - 1}年"
        fields = [n for n in self.spec.narrative
                  if self.layout.narrative_fields[n.key].sheet not in self.skip_sheets]
        texts = {n.key: self.report.narrative.get(n.key) or "" for n in fields}
        if any(this in t for t in texts.values()):
            return
        first = next((n for n in fields if last in texts[n.key]), None)
        if first is None:
            return
        fc = self.layout.narrative_fields[first.key]
        count = sum(t.count(last) for t in texts.values())
        self.out.append(make("NARRATIVE-YEAR", sheet=fc.sheet, cell=fc.address, row_label=first.label,
                             key=first.key, count=count, last=last, this=this))

    def previous_year(self, previous: Report) -> None:
        year, prev_year = self.report.year or 0, previous.year or 0
        if year and prev_year and prev_year != year - 1:
            self.out.append(make("PREV-YEAR", found=str(prev_year), expected=str(year - 1)))

    def explain(self) -> list[Finding]:
        """Attach the clerk's 说明 to the findings of its rule (errors keep their severity)."""
        explanations = self.report.explanations
        out = []
        for f in self.out:
            text = explanations.get(f.rule_id) if f.rule_id else None
            out.append(replace(f, explanation=text) if text else f)
        return out


def check_report(report: Report, *, spec: FormSpec | None = None, previous: Report | None = None,
                 skip_keys: Collection[str] = (), skip_sheets: Collection[str] = ()
                 ) -> list[Finding]:
    """Every rule of the spec on a plain Report: blanks, types and signs, sums, balances, metadata,
    narrative (required, placeholders, every number it states) and, with ``previous``, carry-over rules.

    ``skip_keys`` are keys already reported by the reader (unreadable or invalid cells, text and date
    fields that held a formula); ``skip_sheets``
    are sheets whose text could not be read by position.
    """
    if spec is None:
        layout = layout_for(report.template_id) if report.template_id else layout_for()
        spec = layout.spec
    else:
        layout = layout_for(spec.id)
    if report.template_id and (report.template_id != spec.id or
                               report.template_version != spec.version):
        return [make("REPORT-TEMPLATE", found=f"{report.template_id} 第 {report.template_version} 版",
                     expected=f"{spec.id} 第 {spec.version} 版")]
    checker = _Checker(report, spec, layout, skip_keys, skip_sheets)
    checker.values_present()
    facts = _WorkbookFacts(checker, previous)
    checker.rules(facts, Stage.TOTALS, Stage.BALANCES)
    checker.metadata()
    checker.narrative()
    checker.rules(facts, Stage.NARRATIVE)
    if previous is not None:
        checker.previous_year(previous)
        checker.rules(facts, Stage.PREVIOUS)
    return checker.explain()


def _promote(findings: list[Finding]) -> list[Finding]:
    return [replace(f, severity="error") if f.severity == "warning" and not f.explained else f
            for f in findings]


def check_workbook(path: Path, *, previous: Path | None = None, strict: bool = False,
                   previous_report: Report | None = None, data: bytes | None = None) -> CheckResult:
    """Read and check one returned workbook. Raises :class:`InputError` when it cannot be used.

    ``previous`` is last year's workbook (read once per call; pass ``previous_report`` to reuse an
    already read one across many files). ``data``: the workbook's bytes when already read.
    """

    path = Path(path)
    if previous_report is None and previous is not None:
        previous_report = read_previous(previous)
    read = read_workbook(path, data)
    findings = list(read.findings)
    findings += check_report(read.report, spec=read.layout.spec, previous=previous_report,
                             skip_keys=read.unreadable | read.invalid, skip_sheets=read.broken_sheets)
    findings = [replace(f, file=str(path)) for f in findings]
    if strict:
        findings = _promote(findings)
    return CheckResult(path=path, report=read.report, findings=findings, strict=strict, raw=read.raw)


def read_previous(path: Path) -> Report:
    """Last year's workbook as a Report (its own findings are not this year's business)."""

    try:
        return read_workbook(Path(path)).report
    except InputError as exc:
        raise InputError(f"上年工作簿无法使用：{exc.message}", path=exc.path) from exc


def check_workbooks(paths: Iterable[Path], *, previous: Path | None = None, strict: bool = False,
                    progress: Progress | None = None) -> Iterator[CheckResult]:
    """Check several workbooks, one result at a time (a batch of 1,000 never holds 1,000 Reports).
    An unusable workbook gives a result with ``error`` set, not an exception; an unusable
    ``previous`` raises :class:`InputError` (it concerns every file) before the first result."""
    paths = list(paths)
    previous_report = read_previous(previous) if previous is not None else None
    items: Iterable[Path] = progress(paths, len(paths)) if progress is not None else paths
    for p in items:
        try:
            yield check_workbook(p, strict=strict, previous_report=previous_report)
        except InputError as exc:
            yield CheckResult.unusable(Path(p), exc)


def general_explanation(report: Report | None) -> str:
    return (report.explanations.get(GENERAL_EXPLANATION, "") if report else "").strip()


__all__ = ["SHEET_CHECKS", "CheckResult", "check_report", "check_workbook", "check_workbooks",
           "general_explanation"]
