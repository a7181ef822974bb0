"""Generate one workbook or a roster's worth, checking every target before writing any."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import InputError, OutputError
from .layout import layout_for
from .roster import read_roster
from .safe_io import atomic_write_bytes, ensure_output_dir
from .xlsx_writer import (
    Agency,
    WorkbookBuilder,
    WorkbookOptions,
    invisible_warning,
    safe_workbook_filename,
    validate_agency,
    validate_year,
)

Progress = Callable[[Iterable[Any], int], Iterator[Any]]


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
             warn: Callable[[str], None] | None = None) -> list[Path]:
    """Write workbooks for one agency or a roster. Nothing is written if any target is unusable.
    ``warn`` receives a Chinese warning per agency name that had invisible format characters."""
    validate_year(year)
    agencies = resolve_agencies(agency=agency, agency_id=agency_id, agency_type=agency_type,
                                roster=roster)
    for ag in agencies:
        message = invisible_warning(ag)
        if message and warn is not None:
            warn(message)
    output = ensure_output_dir(output)
    plan = plan_files(agencies, year, output)
    if not overwrite:
        existing = [p for _, p in plan if p.exists()]
        if existing:
            shown = "、".join(p.name for p in existing[:3]) + ("等" if len(existing) > 3 else "")
            raise OutputError(f"{len(existing)} 个文件已存在（{shown}），未生成任何文件；"
                              "如需覆盖，请加 --overwrite", path=output)
    builder = WorkbookBuilder(layout_for())
    written: list[Path] = []
    items: Iterable[tuple[Agency, Path]] = plan
    if progress is not None:
        items = progress(plan, len(plan))
    for ag, path in items:
        options = WorkbookOptions(year=year, password=password, deadline=deadline,
                                  prefill=(prefills or {}).get(ag))
        data = builder.build(ag, options)
        written.append(atomic_write_bytes(path, data, overwrite=overwrite))
    return written
