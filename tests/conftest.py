"""Shared fixtures: the spec and layout, workbooks generated and filled the way a clerk would, and
access to real applications (LibreOffice) and ../shared.

Tests that need LibreOffice or ../shared skip with a visible reason on a developer machine that lacks
them, and FAIL in CI (where .ci/run sets OGI_REQUIRE_REAL_APPS=1) so a missing install step shows.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from ogi.form.layout import Layout, layout_for
from ogi.form.report import Value
from ogi.form.spec import FormSpec
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

REPO = Path(__file__).resolve().parent.parent


def load_script(relative: str) -> Any:
    """A script of the repository that is not a package module (``docx_templates/build_template.py``,
    ``examples/make_example.py`` ...), freshly loaded from its path and registered under its name."""
    path = REPO / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module
SHARED = REPO.parent / "shared"
REQUIRE_REAL_APPS = os.environ.get("OGI_REQUIRE_REAL_APPS", "") not in ("", "0", "false")

# Property tests: CI runs a derandomised profile (the same examples every run, no example database),
# so five runs in a row give the same result; a developer's run explores new examples each time.
# The number of examples is fixed per test (OGI_PROPERTY_EXAMPLES asks for a deeper run).
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None,
                                     print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile(os.environ.get("OGI_HYPOTHESIS_PROFILE")
                                 or ("ci" if os.environ.get("CI") or REQUIRE_REAL_APPS else "dev"))

SEED_AGENCY = Agency("彭阳县白阳镇人民政府", "640425001", "乡镇街道")


def _missing(what: str) -> None:
    if REQUIRE_REAL_APPS:
        pytest.fail(f"{what} is required in CI (OGI_REQUIRE_REAL_APPS=1) but missing")
    pytest.skip(f"{what} not available on this machine")


@pytest.fixture(scope="session")
def spec() -> FormSpec:
    return layout_for().spec


@pytest.fixture(scope="session")
def layout() -> Layout:
    return layout_for()


@pytest.fixture(scope="session")
def soffice() -> str:
    from ogi.files.libreoffice import find_soffice

    found = find_soffice()
    if not found:
        _missing("LibreOffice (soffice)")
    return found  # type: ignore[return-value]


@pytest.fixture(scope="session")
def pdftotext() -> str:
    import shutil

    found = shutil.which("pdftotext")
    if not found:
        _missing("pdftotext (poppler-utils)")
    return found  # type: ignore[return-value]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's headless Chromium (prints ogi's HTML pages to PDF, as a reader's browser would)."""
    import shutil

    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    _missing("chromium")
    return ""  # unreachable: _missing skips or fails


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "seed").is_dir():
        _missing("../shared/seed (the project's shared design notes and a real published township "
                 "report, kept beside the checkout; CI has it, a plain clone does not)")
    return SHARED


@pytest.fixture
def new_workbook(tmp_path: Path) -> Callable[..., Path]:
    """Generate a workbook as `ogi new` does; returns its path."""
    counter = {"n": 0}

    def make(agency: Agency = SEED_AGENCY, year: int = 2023, name: str | None = None,
             **options: Any) -> Path:
        counter["n"] += 1
        path = tmp_path / (name or f"wb{counter['n']}.xlsx")
        path.write_bytes(build_workbook(agency, WorkbookOptions(year=year, **options)))
        return path

    return make


def write_roster(path: Path, agencies: Iterable[Agency]) -> Path:
    """A roster as a county office keeps it: CSV with 编号, 机关名称, 机关类型."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["编号", "机关名称", "机关类型"])
        writer.writerows([a.id, a.name, a.type] for a in agencies)
    return path


def fill_workbook(path: Path, layout: Layout, *, values: Mapping[str, Value] | None = None,
                  metadata: Mapping[str, Any] | None = None,
                  narrative: Mapping[str, str] | None = None,
                  raw: Mapping[tuple[str, str], Any] | None = None, out: Path | None = None) -> Path:
    """Fill a generated workbook the way a clerk does: openpyxl writing unlocked cells only.

    ``values`` by cell key (``None`` deletes the value), ``metadata`` and ``narrative`` by field key,
    ``raw`` by (sheet, A1) for anything else (text pasted into a number cell, ...).
    """
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for key, value in (values or {}).items():
        sheet, addr = layout.address(key)
        cell = wb[sheet][addr]
        assert cell.protection.locked is False, f"{key} at {sheet}!{addr} is locked"
        cell.value = float(value) if value is not None and not isinstance(value, int) else value
    for key, value in (metadata or {}).items():
        fc = layout.meta_fields[key]
        wb[fc.sheet][fc.address].value = value
    for key, text in (narrative or {}).items():
        fc = layout.narrative_fields[key]
        wb[fc.sheet][fc.address].value = text
    for (sheet, addr), value in (raw or {}).items():
        wb[sheet][addr].value = value
    target = out or path
    wb.save(target)
    return target


def balanced_values(spec: FormSpec, seed: int = 0) -> dict[str, Value]:
    """Random input values that satisfy every rule (四 = 一 + 二 − （七） per column)."""
    import random

    from ogi.form.rules import compute_totals

    rnd = random.Random(seed)
    values: dict[str, Value] = {k: rnd.randint(0, 9) for k in spec.input_keys
                                if spec.cells[k].type == "count"}
    from decimal import Decimal

    for k in spec.input_keys:
        if spec.cells[k].type != "count":
            values[k] = Decimal(rnd.randint(0, 10**8)) / Decimal(10**6 if spec.cells[k].type ==
                                                                 "wan_yuan" else 100)
    return compute_totals(spec, balance_table3(spec, values))


def balance_table3(spec: FormSpec, values: dict[str, Value]) -> dict[str, Value]:
    """Make 一 + 二 = 三（七）+ 四 hold in every column of 表三 (in place, returned): 四 takes the
    difference, and 一 is raised where the difference would go negative."""
    from ogi.form.rules import compute_totals

    for col in (c.key for c in spec.table("t3").columns if c.key != "total"):
        totals = compute_totals(spec, values)
        diff = (totals[f"t3.new_received.{col}"] + totals[f"t3.carried_over.{col}"]  # type: ignore[operator]
                - totals[f"t3.result_total.{col}"])
        if diff < 0:
            values[f"t3.new_received.{col}"] = values[f"t3.new_received.{col}"] - diff  # type: ignore[operator]
            diff = 0
        values[f"t3.carry_forward.{col}"] = diff
    return values


def input_values(spec: FormSpec, values: Mapping[str, Value]) -> dict[str, Value]:
    return {k: values[k] for k in spec.input_keys}


def narrative(*, stated: int | None = None) -> dict[str, str]:
    spec = layout_for().spec
    text = {n.key: f"本机关{n.label}方面按要求开展了工作。" for n in spec.narrative}
    if stated is not None:
        text["on_request"] = f"全年共收到政府信息公开申请{stated}件，均已按期答复。"
    return text
