"""Helpers for the `ogi check` tests: a correctly filled workbook, and damage done the way a clerk,
WPS or a broken mail client does it (openpyxl edits, raw zip/XML edits)."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from conftest import SEED_AGENCY, balanced_values, fill_workbook, input_values
from ogi.form.layout import Layout
from ogi.form.report import Finding, Value
from ogi.form.spec import FormSpec
from ogi.workbook.xlsx_writer import WorkbookOptions, build_workbook

METADATA = {"address": "宁夏彭阳县白阳镇人民路1号", "postcode": "756500", "phone": "0954-1234567",
            "website": "彭阳县人民政府网站", "publish_date": "2024-01-20", "preparer": "马文"}


def narrative_for(spec: FormSpec, values: Mapping[str, Value]) -> dict[str, str]:
    """Plausible narrative in our own words; 依申请公开 states the right count."""
    text = {n.key: f"本镇围绕{n.label.strip('（一二三四五）')}开展工作，按要求落实。\n第二段说明具体做法。"
            for n in spec.narrative}
    text["on_request"] = (f"全年新收政府信息公开申请{values['t3.new_received.total']}件，"
                          "均在法定期限内答复。")
    text["other_matters"] = ""
    return text


def filled(path: Path, layout: Layout, *, seed: int = 3, values: Mapping[str, Value] | None = None,
           narrative: Mapping[str, str] | None = None, **kw: Any) -> dict[str, Value]:
    """Fill a generated workbook completely and correctly, as a careful clerk would.
    Returns the full (recomputed) values."""
    spec = layout.spec
    full = dict(values) if values is not None else balanced_values(spec, seed)
    text = narrative_for(spec, full)
    text.update(narrative or {})
    fill_workbook(path, layout, values=input_values(spec, full), metadata=METADATA, narrative=text,
                  **kw)
    return full


def prefilled_bytes(spec: FormSpec, *, seed: int = 3, year: int = 2023) -> tuple[bytes, dict[str, Value]]:
    """A workbook written by ogi with every value, text and cached total in place (xlsxwriter)."""
    from ogi.form.report import Report

    values = balanced_values(spec, seed)
    report = Report(spec.id, spec.version, metadata=dict(METADATA),
                    values=input_values(spec, values), narrative=narrative_for(spec, values))
    return build_workbook(SEED_AGENCY, WorkbookOptions(year=year, prefill=report)), values


def edit(path: Path, fn: Callable[[Any], None]) -> Path:
    """Open with openpyxl (normal mode), let ``fn`` change the workbook, save over ``path``."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip member holding ``sheet`` (whatever prefix and attribute order the writer used)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    wb = zf.read("xl/workbook.xml").decode()
    rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = ""
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", wb):
        if f'name="{sheet}"' in tag:
            rid = re.search(r'\w+:id="([^"]+)"', tag).group(1)  # type: ignore[union-attr]
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        if f'Id="{rid}"' in tag:
            target = re.search(r'Target="([^"]+)"', tag).group(1)  # type: ignore[union-attr]
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise AssertionError(f"no part for sheet {sheet}")


def rezip(data: bytes, replace: Mapping[str, bytes] | None = None,
          add: Mapping[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = (replace or {}).get(info.filename, src.read(info.filename))
            dst.writestr(info, blob)
        for name, blob in (add or {}).items():
            dst.writestr(name, blob)
    return out.getvalue()


def edit_xml(data: bytes, part: str, fn: Callable[[str], str]) -> bytes:
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part).decode("utf-8")
    changed = fn(xml)
    assert changed != xml, f"edit of {part} changed nothing"
    return rezip(data, replace={part: changed.encode("utf-8")})


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def codes(findings: list[Finding]) -> list[tuple[str, str, str]]:
    """(code, sheet, cell) triples, sorted: what a test asserts."""
    return sorted((f.code, f.sheet, f.cell) for f in findings)


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]
