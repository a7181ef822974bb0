"""Generate one workbook or a roster's worth, checking every target before writing any."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import InputError, OgiError, OutputError
from ..files.safe_io import (
    InputSet,
    atomic_write_bytes,
    check_target,
    ensure_output_dir,
)
from ..form.layout import layout_for
from ..form.report import Agency, Finding
from ..form.results import Progress, Result, exit_code_for
from ..workbook.xlsx_writer import (
    WorkbookBuilder,
    WorkbookOptions,
    invisible_warning,
    safe_workbook_filename,
    validate_agency,
    validate_year,
)
from .collect import holds_returned_data
from .roster import read_roster

if TYPE_CHECKING:
    from .prefill import PrefillPlan


def plan_files(agencies: list[Agency], year: int, output: Path) -> list[tuple[Agency, Path]]:
    """Pair each agency with a unique, share-safe file name in ``output``."""
    used: set[str] = set()
    plan = []
    for agency in agencies:
        name = safe_workbook_filename(agency, year)
        if name.lower() in used:  # a second agency of the same name: add its id or its position
            suffix = agency.id or str(len(plan) + 1)
            name = safe_workbook_filename(agency, year, f"_{suffix}")
            n = 2
            while name.lower() in used:
                name = safe_workbook_filename(agency, year, f"_{suffix}_{n}")
                n += 1
        used.add(name.lower())
        plan.append((agency, output / name))
    return plan


def resolve_agencies(*, agency: str | None = None, agency_id: str = "", agency_type: str = "",
                     roster: Path | None = None) -> list[Agency]:
    """The agencies to generate for: the roster's, or the one given by name."""
    if roster is not None:
        return read_roster(roster)
    if agency is not None:
        return [validate_agency(Agency(agency, agency_id, agency_type))]
    raise InputError("请提供机关名称（--agency）或机关名单（--roster）")


def generate(*, agency: str | None = None, agency_id: str = "", agency_type: str = "",
             roster: Path | None = None, year: int, output: Path, deadline: str = "",
             password: str = "", overwrite: bool = False,
             progress: Progress | None = None,
             prefills: dict[Agency, Any] | None = None,
             warn: Callable[[str], None] | None = None,
             also_reads: Iterable[Path | None] = (),
             on_error: Callable[[Path, OgiError], None] | None = None) -> list[Path]:
    """Write workbooks for one agency or a roster. Nothing is written if any target is unusable:
    the roster or a file ``also_reads`` names (last year's workbooks), an existing file without
    ``overwrite``, or (whatever the flags) a workbook that holds returned data. A file that cannot
    be written (held open by WPS) goes to ``on_error`` and the others are still written; without
    ``on_error`` the error is raised. ``warn`` receives a Chinese warning per agency name that had
    invisible format characters."""
    validate_year(year)
    agencies = resolve_agencies(agency=agency, agency_id=agency_id, agency_type=agency_type,
                                roster=roster)
    for ag in agencies:
        message = invisible_warning(ag)
        if message and warn is not None:
            warn(message)
    output = ensure_output_dir(output)
    inputs = InputSet([roster, *also_reads])
    plan = plan_files(agencies, year, output)
    builder = WorkbookBuilder(layout_for())

    def build(ag: Agency) -> bytes:
        return builder.build(ag, WorkbookOptions(year=year, password=password, deadline=deadline,
                                                 prefill=(prefills or {}).get(ag)))

    existing = [(ag, p) for ag, p in plan if check_target(p, overwrite=True, protect=inputs)]
    if existing and not overwrite:
        shown = "、".join(p.name for _, p in existing[:3]) + ("等" if len(existing) > 3 else "")
        raise OutputError(f"{len(existing)} 个文件已存在（{shown}），未生成任何文件；"
                          "如需覆盖，请加 --overwrite", path=output)
    built: dict[Path, bytes] = {}
    for ag, p in existing:
        built[p] = build(ag)
        if holds_returned_data(p, built[p]):
            raise OutputError("这个工作簿已经填写过（内容与新生成的空白表不同），--overwrite 也不会覆盖它；"
                              "未生成任何文件。请先把交回的工作簿移到别的文件夹，或换一个输出文件夹", path=p)
    written: list[Path] = []
    items: Iterable[tuple[Agency, Path]] = plan
    if progress is not None:
        items = progress(plan, len(plan))
    for ag, path in items:
        data = built.pop(path, None) or build(ag)
        try:
            written.append(atomic_write_bytes(path, data, overwrite=overwrite, protect=inputs))
        except OutputError as exc:
            if on_error is None:
                raise
            on_error(path, exc)
    return written


@dataclass
class NewResult(Result):
    """What ``ogi new`` wrote: the workbooks and, with last year's workbooks, how they prefilled."""

    result_type: ClassVar[str] = "new"

    path: Path  # the output folder
    written: list[Path] = field(default_factory=list)
    plan: PrefillPlan | None = None
    findings: list[Finding] = field(default_factory=list)
    #: Workbooks that could not be written (held open by WPS ...), the others were: exit code 2.
    failed: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return exit_code_for(unusable=bool(self.failed), errors=self.errors)

    def heading(self) -> None:
        return None

    def closing_lines(self) -> list[str]:
        lines = [f"已生成：{p}" for p in self.written]
        if len(self.written) > 1:
            lines.append(f"共生成 {len(self.written)} 个工作簿，保存在 {self.path}")
        if self.plan is not None:
            lines.extend(self.plan.lines())
        return lines

    def details(self) -> dict[str, Any]:
        return {"workbooks": [str(p) for p in self.written], "failed": list(self.failed),
                "prefilled": len(self.plan.prefills) if self.plan is not None else 0}


def new_workbooks(*, agency: str | None = None, agency_id: str = "", agency_type: str = "",
                  roster: Path | None = None, year: int, output: Path, deadline: str = "",
                  password: str = "", overwrite: bool = False, previous: Path | None = None,
                  progress: Progress | None = None, previous_progress: Progress | None = None,
                  warn: Callable[[str], None] | None = None) -> NewResult:
    """The library call behind ``ogi new``: :func:`generate`, with ``previous`` (last year's
    returned workbooks, a folder or one file) first read and matched to prefill 二、上年结转 and the
    contact fields. Workbooks that cannot be written are listed in ``failed``; the others are."""
    plan = None
    if previous is not None:
        # Lazy: ogi.county.prefill reads last year's workbooks (status, checker, reader); `ogi new` without
        # --previous starts about 120 ms faster without them (measured, cold process).
        from .prefill import build_prefills, load_previous

        agencies = resolve_agencies(agency=agency, agency_id=agency_id, agency_type=agency_type,
                                    roster=roster)
        plan = build_prefills(agencies, load_previous(previous, year=year - 1, roster=agencies,
                                                      progress=previous_progress))
    failed: list[str] = []
    written = generate(agency=agency, agency_id=agency_id, agency_type=agency_type, roster=roster,
                       year=year, output=output, deadline=deadline, password=password,
                       overwrite=overwrite, progress=progress,
                       prefills=plan.prefills if plan is not None else None, warn=warn,
                       also_reads=[previous], on_error=lambda path, exc: failed.append(str(exc)))
    return NewResult(path=output, written=written, plan=plan, failed=failed)
