"""Read a roster of agencies: a text file (one name per line), a CSV (UTF-8 or GBK, as Excel on
Chinese Windows saves it) or an .xlsx, with a name column and optional 编号 and 机关类型 columns."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import InputError
from .safe_io import check_zip_package, read_capped
from .xlsx_writer import Agency, validate_agency

NAME_HEADERS = ("机关名称", "名称", "单位名称", "机关", "单位", "name", "agency")
ID_HEADERS = ("编号", "机关编号", "代码", "id")
TYPE_HEADERS = ("机关类型", "类型", "type")


def _decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("名单文件的文字编码无法识别（应为 UTF-8 或 GBK）", path=path)


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    norm = [h.strip().lower() for h in header]
    for name in names:
        if name.lower() in norm:
            return norm.index(name.lower())
    return None


def _from_rows(rows: list[list[str]], path: Path, *, has_header_guess: bool) -> list[Agency]:
    rows = [[(c or "").strip() for c in r] for r in rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise InputError("名单是空的，没有任何机关", path=path)
    header = rows[0]
    name_col = _find(header, NAME_HEADERS)
    if name_col is None:
        if has_header_guess and len(header) > 1:
            raise InputError("名单第一行应为表头，并有“机关名称”列（可选“编号”“机关类型”列）",
                             path=path)
        id_col = type_col = None
        name_col, body, first_line = 0, rows, 1
    else:
        id_col = _find(header, ID_HEADERS)
        type_col = _find(header, TYPE_HEADERS)
        body, first_line = rows[1:], 2
    agencies: list[Agency] = []
    seen_ids: dict[str, int] = {}
    for offset, row in enumerate(body):
        line = first_line + offset

        def get(col: int | None, row: list[str] = row) -> str:
            return row[col] if col is not None and col < len(row) else ""

        name = get(name_col)
        if not name:
            raise InputError(f"第 {line} 行没有机关名称", path=path)
        try:
            agency = validate_agency(Agency(name, get(id_col), get(type_col)))
        except InputError as exc:
            raise InputError(f"第 {line} 行：{exc.message}", path=path) from exc
        if agency.id:
            if agency.id in seen_ids:
                raise InputError(f"第 {line} 行的编号 {agency.id} 与第 {seen_ids[agency.id]} 行重复",
                                 path=path)
            seen_ids[agency.id] = line
        agencies.append(agency)
    if not agencies:
        raise InputError("名单是空的，没有任何机关", path=path)
    return agencies


def read_roster(path: Path) -> list[Agency]:
    path = Path(path)
    data = read_capped(path, what="机关名单")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04"):
        check_zip_package(data, path, kind="xlsx")
        return _from_rows(_xlsx_rows(data, path), path, has_header_guess=True)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        check_zip_package(data, path, kind="xlsx")  # raises the "另存为 .xlsx" message
    text = _decode(data, path)
    if suffix == ".csv" or ("," in text.splitlines()[0] if text.strip() else False):
        rows = list(csv.reader(io.StringIO(text)))
        return _from_rows(rows, path, has_header_guess=True)
    return _from_rows([[line] for line in text.splitlines()], path, has_header_guess=False)


def _xlsx_rows(data: bytes, path: Path) -> list[list[str]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(f"名单工作簿无法读取（{type(exc).__name__}）", path=path) from exc
    try:
        ws = wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append(["" if v is None else str(v).strip() for v in row])
        return rows
    finally:
        wb.close()
