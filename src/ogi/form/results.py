"""The one result shape every library call behind a command returns, and the exit codes.

Every command's library function returns :class:`Result` objects (a check, an import, a status
run ...). A result knows its findings, counts them (errors, unexplained warnings, explained ones),
computes its exit code here and nowhere else, and serialises to one JSON shape (``to_dict``: the common
fields, plus what its type adds in :meth:`Result.details`). :mod:`ogi.form.output` renders any result for
people, through the hooks a type fills in (:meth:`Result.heading`, :meth:`Result.intro_lines`,
:meth:`Result.body_lines`, :meth:`Result.closing_lines`): a new command adds a result type, not a
renderer.

The JSON document every ``--json`` prints is :func:`json_document`; ``docs/ogi-json.schema.json``
describes it, and the tests validate every command's output against that file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from ..errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE
from .report import Finding, FindingCounts, Report

T = TypeVar("T")

#: Version of the JSON document every ``--json`` prints; raised when a field changes meaning.
SCHEMA_VERSION = 1

#: How a library call reports progress: it hands its items and their count to the callback and
#: iterates over what the callback returns (the CLI wraps them in a progress bar; a web page can
#: count them). ``None`` means no progress.
Progress = Callable[[Iterable[Any], int], Iterator[Any]]


def exit_code_for(*, unusable: bool = False, errors: int = 0) -> int:
    """The documented exit code: 2 unusable input, 1 errors found, 0 clean (warnings allowed)."""
    if unusable:
        return EXIT_UNUSABLE
    return EXIT_FINDINGS if errors else EXIT_OK


def overall_exit_code(results: Iterable[Result]) -> int:
    """A batch's exit code: the highest of its results'."""
    return max((r.exit_code for r in results), default=EXIT_OK)


class Result(FindingCounts):
    """The common base of every result. Subclasses are dataclasses with at least ``path`` and
    ``findings``; ``error`` (the Chinese reason an input could not be used at all) is empty unless
    the type can be unusable."""

    #: The result's type in the JSON document (``check``, ``import``, ``status`` ...), key ``type``.
    result_type: ClassVar[str] = ""
    #: What the batch summary line counts: ``{files}``, ``{clean}``, ``{with_errors}``, ``{unusable}``.
    totals_text: ClassVar[str] = "共 {files} 个文件：{clean} 个无错误，{with_errors} 个有错误"
    unusable_text: ClassVar[str] = "，{unusable} 个无法读取"

    path: Path
    findings: list[Finding]
    error: str = ""
    report: Report | None = None

    @property
    def exit_code(self) -> int:
        return exit_code_for(unusable=bool(self.error), errors=self.errors)

    # ---- JSON ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The result in the JSON document: the common fields, then :meth:`details`."""
        return {
            "type": self.result_type,
            "file": str(self.path),
            "exit_code": self.exit_code,
            "unusable": self.error or None,
            "errors": self.errors,
            "warnings": self.warnings,
            "explained": self.explained,
            "findings": [f.to_dict() for f in self.findings],
            **self.details(),
        }

    def details(self) -> dict[str, Any]:
        """What this type adds to :meth:`to_dict`."""
        return {}

    # ---- human text (ogi.form.output.render_result puts these together) ----------------------------
    def heading(self) -> str | None:
        """The ``== …`` line's text; None for no heading."""
        name = Path(self.path).name
        report = self.report
        if report is not None and (report.agency_name or report.year):
            who = " ".join(p for p in (report.agency_name, f"{report.year}年度" if report.year else "")
                           if p)
            return f"{name}（{who}）"
        return name

    def intro_lines(self) -> list[str]:
        """Lines between the heading and the findings."""
        return []

    def body_lines(self) -> list[str] | None:
        """The result's own body instead of the findings grouped by sheet; None for those."""
        return None

    def unusable_line(self) -> str:
        return f"  无法读取：{self.error}"

    def closing_lines(self) -> list[str]:
        """Lines after the findings (counts, what was written, what to do next)."""
        return []


@dataclass
class Unusable(Result):
    """An input a batch could not use at all (the others go on): only the reason."""

    result_type: ClassVar[str] = "unusable"

    path: Path
    error: str
    findings: list[Finding] = field(default_factory=list)
    #: The verb of the human line: ``无法读取：…`` / ``无法导入：…``.
    action: str = "读取"

    @classmethod
    def from_exception(cls, path: Path, exc: BaseException, *, action: str = "读取") -> Unusable:
        message = getattr(exc, "message", None) or str(exc)
        return cls(path=Path(path), error=message, action=action)

    def heading(self) -> str | None:
        return Path(self.path).name

    def unusable_line(self) -> str:
        return f"  无法{self.action}：{self.error}"


class Tally:
    """What a batch's closing line and exit code need, counted as results stream by, so that a batch
    of 1,000 files does not keep 1,000 results (each with its whole Report)."""

    def __init__(self, results: Iterable[Result] = (), *, of: type[Result] = Result) -> None:
        self.of = of
        self.files = 0
        self.unusable = 0
        self.with_errors = 0
        self.exit_code = EXIT_OK
        for r in results:
            self.add(r)

    def add(self, result: Result) -> None:
        self.files += 1
        if result.error:
            self.unusable += 1
        elif result.errors:
            self.with_errors += 1
        self.exit_code = max(self.exit_code, result.exit_code)

    def line(self) -> str:
        counts = {"files": self.files, "clean": self.files - self.unusable - self.with_errors,
                  "with_errors": self.with_errors, "unusable": self.unusable}
        line = self.of.totals_text.format(**counts)
        if self.unusable:
            line += self.of.unusable_text.format(**counts)
        return line


def json_document(command: str, results: Iterable[Result | dict[str, Any]], *,
                  exit_code: int | None = None) -> dict[str, Any]:
    """The one JSON document of every ``--json``: ``schema_version``, the ``command``, the overall
    ``exit_code`` and each result's :meth:`Result.to_dict` (already made dicts pass through, so a
    long batch can keep dicts instead of results)."""
    items = list(results)
    dicts = [r if isinstance(r, dict) else r.to_dict() for r in items]
    if exit_code is None:
        exit_code = max((d["exit_code"] for d in dicts), default=EXIT_OK)
    return {"schema_version": SCHEMA_VERSION, "command": command, "exit_code": exit_code,
            "results": dicts}


__all__ = ["SCHEMA_VERSION", "Progress", "Result", "Tally", "Unusable", "exit_code_for",
           "json_document", "overall_exit_code"]
