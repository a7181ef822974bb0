"""Read a roster of agencies: a text file (one name per line), a CSV (UTF-8 or GBK, as Excel on
Chinese Windows saves it) or an .xlsx, with a name column and optional 编号, 机关类型 and contact
(联系人, 电话, 邮箱) columns in any order. Every bad row is reported at once, with its number."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from defusedxml import DefusedXmlException

from ..errors import InputError
from ..files.safe_io import check_zip_package, read_capped
from ..form.report import Agency
from ..workbook.xlsx_writer import validate_agency

NAME_HEADERS = ("机关名称", "名称", "单位名称", "机关", "单位", "name", "agency")
ID_HEADERS = ("编号", "机关编号", "代码", "id")
TYPE_HEADERS = ("机关类型", "类型", "type")
CONTACT_HEADERS = ("联系人", "联系人姓名", "contact")
PHONE_HEADERS = ("电话", "联系电话", "phone")
EMAIL_HEADERS = ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail")
#: Common names of the three 机关类型 a county's own list uses.
TYPE_SYNONYMS = {"乡镇": "乡镇街道", "街道": "乡镇街道", "乡": "乡镇街道", "镇": "乡镇街道",
                 "县直部门": "部门", "县直单位": "部门", "部门单位": "部门",
                 "县政府": "政府", "县人民政府": "政府", "人民政府": "政府"}
_EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode 文本" is UTF-16
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
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


#: How many leading rows may hold a title above the header row (an .xlsx often has one).
HEADER_SEARCH_ROWS = 5


def _from_rows(rows: list[list[str]], path: Path, *, has_header_guess: bool,
               unit: str = "行") -> list[Agency]:
    """Agencies from rows of cells. Line numbers in messages are the file's own (1-based), blank
    rows are skipped but still counted, so that a clerk finds the line the message names."""
    numbered = [(i + 1, [(c or "").strip() for c in r]) for i, r in enumerate(rows)]
    numbered = [(n, r) for n, r in numbered if any(r)]
    if not numbered:
        raise InputError("名单是空的，没有任何机关", path=path)
    header_at = next((i for i, (_, r) in enumerate(numbered[:HEADER_SEARCH_ROWS])
                      if _find(r, NAME_HEADERS) is not None), None)
    if header_at is None:
        # Several filled columns but no 机关名称 header: refuse to guess which column is the name.
        if has_header_guess and max(sum(1 for c in r if c) for _, r in numbered[:HEADER_SEARCH_ROWS]) > 1:
            raise InputError("名单应有表头行，并含“机关名称”列（可选“编号”“机关类型”列）；"
                             f"前 {HEADER_SEARCH_ROWS} 行中没有找到“机关名称”", path=path)
        id_col = type_col = contact_col = phone_col = email_col = None
        name_col, body = 0, numbered
    else:
        header = numbered[header_at][1]
        name_col = _find(header, NAME_HEADERS)
        id_col = _find(header, ID_HEADERS)
        type_col = _find(header, TYPE_HEADERS)
        contact_col = _find(header, CONTACT_HEADERS)
        phone_col = _find(header, PHONE_HEADERS)
        email_col = _find(header, EMAIL_HEADERS)
        body = numbered[header_at + 1:]
    agencies: list[Agency] = []
    seen_ids: dict[str, int] = {}
    problems: list[str] = []
    for line, row in body:

        def get(col: int | None, row: list[str] = row) -> str:
            return row[col] if col is not None and col < len(row) else ""

        name = get(name_col)
        if not name:
            problems.append(f"第 {line} {unit}没有机关名称（整行留空可以，只填编号或类型不行）")
            continue
        kind = get(type_col)
        email = get(email_col).replace("；", ";").replace("，", ",")
        emails = [e.strip() for e in re.split(r"[;,\s]+", email) if e.strip()]
        bad = [e for e in emails if not _EMAIL_RE.match(e)]
        if bad:
            problems.append(f"第 {line} {unit}的邮箱“{bad[0]}”不是有效的电子邮件地址")
            continue
        try:
            agency = validate_agency(Agency(name, get(id_col), TYPE_SYNONYMS.get(kind, kind),
                                            contact=get(contact_col), phone=get(phone_col),
                                            email=", ".join(emails)))
        except InputError as exc:
            problems.append(f"第 {line} {unit}：{exc.message}")
            continue
        if agency.id:
            if agency.id in seen_ids:
                problems.append(f"第 {line} {unit}的编号 {agency.id} 与第 {seen_ids[agency.id]} {unit}重复")
                continue
            seen_ids[agency.id] = line
        agencies.append(agency)
    if problems:
        more = f"（共 {len(problems)} 处）" if len(problems) > 1 else ""
        raise InputError(f"名单有误{more}：" + "；".join(problems), path=path)
    if not agencies:
        raise InputError("名单是空的，没有任何机关", path=path)
    return agencies


def roster_agencies(roster: Path | str | list[Agency] | None) -> list[Agency] | None:
    """A roster as a library call takes it: a file (read with :func:`read_roster`), the agencies
    already read, or None (no roster)."""
    return read_roster(Path(roster)) if isinstance(roster, (str, Path)) else roster


def read_roster(path: Path) -> list[Agency]:
    path = Path(path)
    data = read_capped(path, what="机关名单")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data.startswith(b"PK\x03\x04"):
        check_zip_package(data, path, kind="xlsx")
        return _from_rows(_xlsx_rows(data, path), path, has_header_guess=True)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        check_zip_package(data, path, kind="xlsx")  # raises the "另存为 .xlsx" message
    if suffix in (".xls", ".et"):  # e.g. an HTML table a web system saved as .xls
        raise InputError("ogi 不能读取 .xls/.et 格式的名单，请用 WPS/Excel 打开后另存为 .xlsx，"
                         "或另存为 CSV", path=path)
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("名单不是文本、CSV 或 .xlsx 文件（文件内容是二进制数据）", path=path)
    text = _decode(data, path)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "\t" in first:  # pasted from a spreadsheet, or saved as "文本文件（制表符分隔）"
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
        return _from_rows(rows, path, has_header_guess=True)
    if suffix == ".csv" or "," in first:
        rows = list(csv.reader(io.StringIO(text, newline="")))
        return _from_rows(rows, path, has_header_guess=True)
    return _from_rows([[line] for line in text.splitlines()], path, has_header_guess=False)


def _xlsx_rows(data: bytes, path: Path) -> list[list[str]]:
    import openpyxl

    # Normal mode, not read_only: read_only trusts the sheet dimension WPS sometimes writes wrongly.
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(f"名单工作簿无法读取：{_xlsx_problem(data, path, exc)}", path=path) from exc
    ws = wb.worksheets[0]
    return [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]


def _xlsx_problem(data: bytes, path: Path, exc: Exception) -> str:
    """Why openpyxl could not open a roster workbook, in Chinese: the package pass of
    :mod:`ogi.workbook.xlsx_reader` names unsafe XML (DTD/entities: an XML bomb), damaged or missing parts,
    then every XML part is parsed to name the one that is damaged; failing that, a generic
    sentence with the exception's type."""
    # Lazy: the reader costs `ogi new --agency` (no roster) a measurable part of its start-up.
    from ..workbook.xlsx_reader import _open_package, _xml

    try:
        package = _open_package(data, path)
        for name in sorted(package.parts):  # a roster is small: find the part that is damaged
            _xml(package.parts[name], path, name)
    except InputError as problem:
        return problem.message
    except Exception:  # the diagnosis must never hide the original failure
        pass
    if isinstance(exc, DefusedXmlException):
        return "工作簿内部含有不安全的 XML 声明（DTD/实体），拒绝打开"
    if isinstance(exc, (SyntaxError, KeyError, ValueError)):
        return (f"工作簿已损坏（内部 XML 无法解析，{type(exc).__name__}），"
                "请用 WPS/Excel 打开后重新保存，或另存为 CSV")
    return f"工作簿无法打开（{type(exc).__name__}），请用 WPS/Excel 打开后重新保存，或另存为 CSV"


def _cell_text(value: object) -> str:
    """A roster cell as text; an id typed as a number (640425001) stays 640425001, not 640425001.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
