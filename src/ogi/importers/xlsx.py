"""Workbooks: an ogi workbook of another template version, or one damaged past `ogi check` (rows
inserted, formulas overwritten, sheets reordered). Nothing is read by address: every sheet becomes
rows of cells (a cell covered by a merge is ``None``), and the matcher finds values by their labels.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files.safe_io import check_zip_package
from .document import Line, SourceDoc


def _cell_text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f") if value == value else ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _formula(value: Any) -> str:
    return value if isinstance(value, str) and value.startswith("=") else ""


def read_xlsx(data: bytes, path: Path) -> SourceDoc:
    import openpyxl

    check_zip_package(data, path, kind="xlsx")
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        raise InputError(f"工作簿已损坏，无法打开（{type(exc).__name__}）", path=path) from exc
    doc = SourceDoc(path, "xlsx")
    for ws, fws in zip(wb.worksheets, formulas.worksheets, strict=True):
        if ws.sheet_state == "veryHidden":
            continue
        covered: set[tuple[int, int]] = set()
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        covered.add((r, c))
        for row in ws.iter_rows():
            # A formula whose result was never saved (a file written by a program that does not
            # calculate) shows as its formula text, never as a blank.
            cells = tuple(None if (cell.row, cell.column) in covered else
                          _cell_text(cell.value) if cell.value is not None else
                          _formula(fws.cell(cell.row, cell.column).value)
                          for cell in row)
            if not any(cells):
                continue
            where = f"工作表“{ws.title}”第{row[0].row}行"
            doc.lines.append(Line(cells, where, "row", block=ws.title))
    return doc
