"""`ogi check` on the workbook's structure and on unusable files: what WPS, a clerk or a mail client
does to the package. Every case is a real file; assertions name exact codes and cells."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from checkcases import codes, edit, edit_xml, filled, only, prefilled_bytes, rezip, sha256, sheet_part
from ogi.errors import InputError
from ogi.form.layout import SHEET_HIDDEN, Layout, hidden_address
from ogi.form.report import Value
from ogi.form.spec import FormSpec
from ogi.workbook.checker import check_workbook
from ogi.workbook.xlsx_reader import read_workbook


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, layout: Layout) -> tuple[Path, dict[str, Value]]:
    from conftest import SEED_AGENCY
    from ogi.workbook.xlsx_writer import WorkbookOptions, build_workbook

    path = tmp_path_factory.mktemp("base") / "base.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023)))
    values = filled(path, layout, seed=5)
    return path, values


@pytest.fixture
def wb(base: tuple[Path, dict[str, Value]], tmp_path: Path) -> Path:
    path = tmp_path / "白阳镇.xlsx"
    shutil.copy(base[0], path)
    return path


def test_removed_sheet_protection_is_a_warning(wb: Path) -> None:
    def fn(book: object) -> None:
        book["表三"].protection.sheet = False  # type: ignore[index]

    edit(wb, fn)
    result = check_workbook(wb)
    assert codes(result.findings) == [("XLSX-UNPROTECTED", "表三", "")]
    assert result.findings[0].severity == "warning" and result.exit_code == 0


def test_removed_structure_protection_is_a_warning(wb: Path) -> None:
    from openpyxl.workbook.protection import WorkbookProtection

    def fn(book: object) -> None:
        book.security = WorkbookProtection(lockStructure=False)  # type: ignore[attr-defined]

    edit(wb, fn)
    result = check_workbook(wb)
    assert codes(result.findings) == [("XLSX-STRUCTURE-UNLOCKED", "", "")]
    assert result.exit_code == 0


def test_inserted_row_in_table_three_is_detected(wb: Path) -> None:
    def fn(book: object) -> None:
        ws = book["表三"]  # type: ignore[index]
        ws.protection.sheet = False
        ws.insert_rows(12)  # before 2.其他法律行政法规禁止公开

    edit(wb, fn)
    result = check_workbook(wb)
    shifted = only(result.findings, "XLSX-ROWS-SHIFTED")
    assert [(f.sheet, f.cell) for f in shifted] == [("表三", "C12")]
    assert "下移了 1 行" in shifted[0].message and "插入" in shifted[0].message
    # The sheet's numbers cannot be trusted by position: no cascade of value findings on 表三.
    assert {f.code for f in result.findings if f.sheet == "表三"} == {"XLSX-ROWS-SHIFTED",
                                                                     "XLSX-UNPROTECTED"}
    assert all(v is None for k, v in result.report.values.items()
               if k.startswith("t3.") and not layout_computed(k))
    assert result.exit_code == 1


def layout_computed(key: str) -> bool:
    from ogi.form.layout import layout_for

    return layout_for().spec.cells[key].computed


def test_deleted_row_in_table_three_is_detected(wb: Path) -> None:
    def fn(book: object) -> None:
        book["表三"].delete_rows(9)  # type: ignore[index]

    edit(wb, fn)
    result = check_workbook(wb)
    shifted = only(result.findings, "XLSX-ROWS-SHIFTED")
    assert len(shifted) == 1 and shifted[0].sheet == "表三"
    assert "上移了 1 行" in shifted[0].message and "删除" in shifted[0].message
    assert result.exit_code == 1


def test_inserted_row_in_table_four_moves_data_off_the_form(wb: Path) -> None:
    def fn(book: object) -> None:
        book["表四"].insert_rows(7)  # type: ignore[index]

    edit(wb, fn)
    result = check_workbook(wb)
    t4 = [(f.code, f.cell) for f in result.findings if f.sheet == "表四"]
    assert ("XLSX-OUTSIDE-TABLE", "A8") in t4
    blanks = sorted(c for code, c in t4 if code == "VALUE-BLANK")
    assert blanks == sorted(["A7", "B7", "C7", "D7", "F7", "G7", "H7", "I7", "K7", "L7", "M7", "N7"])
    assert result.exit_code == 1


def test_changed_label_is_an_error(wb: Path) -> None:
    def fn(book: object) -> None:
        book["表三"]["B9"] = "（一）全部公开"  # type: ignore[index]

    edit(wb, fn)
    result = check_workbook(wb)
    assert codes(result.findings) == [("XLSX-LABEL-CHANGED", "表三", "B9")]
    assert "（一）全部公开" in result.findings[0].message
    assert "（一）予以公开" in result.findings[0].message


def test_renamed_sheet(wb: Path) -> None:
    def fn(book: object) -> None:
        book["表三"].title = "Sheet9"  # type: ignore[index]

    edit(wb, fn)
    result = check_workbook(wb)
    assert codes(result.findings) == [("XLSX-SHEET-EXTRA", "Sheet9", ""),
                                      ("XLSX-SHEET-MISSING", "表三", "")]
    missing = only(result.findings, "XLSX-SHEET-MISSING")[0]
    assert "Sheet9" in missing.message and missing.severity == "error"
    assert result.exit_code == 1


def test_deleted_sheet(wb: Path) -> None:
    def fn(book: object) -> None:
        book.remove(book["表四"])  # type: ignore[attr-defined,index]

    edit(wb, fn)
    result = check_workbook(wb)
    assert codes(result.findings) == [("XLSX-SHEET-MISSING", "表四", "")]
    assert result.exit_code == 1


def test_deleted_guide_sheet_is_only_a_warning(wb: Path) -> None:
    def fn(book: object) -> None:
        book.remove(book["填报说明"])  # type: ignore[attr-defined,index]

    edit(wb, fn)
    result = check_workbook(wb)
    assert codes(result.findings) == [("XLSX-SHEET-MISSING", "填报说明", "")]
    assert result.exit_code == 0


def test_unhidden_meta_sheet(wb: Path) -> None:
    def fn(book: object) -> None:
        book[SHEET_HIDDEN].sheet_state = "visible"  # type: ignore[index]

    edit(wb, fn)
    assert codes(check_workbook(wb).findings) == [("XLSX-SHEET-VISIBLE", SHEET_HIDDEN, "")]


def test_changed_locked_agency_name_keeps_the_generated_one(wb: Path) -> None:
    def fn(book: object) -> None:
        ws = book["基本信息"]  # type: ignore[index]
        ws.protection.sheet = False
        ws["B4"] = "彭阳县红河镇人民政府"

    edit(wb, fn)
    result = check_workbook(wb)
    assert ("XLSX-META-CHANGED", "基本信息", "B4") in codes(result.findings)
    assert result.report.metadata["agency_name"] == "彭阳县白阳镇人民政府"


def test_stale_cached_total_is_a_warning(tmp_path: Path, spec: FormSpec) -> None:
    data, values = prefilled_bytes(spec)
    part = sheet_part(data, "表三")
    path = tmp_path / "stale.xlsx"
    path.write_bytes(data)
    assert check_workbook(path).findings == []  # ogi's own cached totals are right
    total = values["t3.new_received.total"]
    # A tool rewrote the cached result of J7 without recalculating.
    path.write_bytes(edit_xml(data, part, lambda x: x.replace(
        f'<c r="J7" s="13"><f>SUM(D7:I7)</f><v>{total}</v>',
        f'<c r="J7" s="13"><f>SUM(D7:I7)</f><v>{total + 4}</v>')))
    result = check_workbook(path)
    assert codes(result.findings) == [("XLSX-STALE-TOTAL", "表三", "J7")]
    f = result.findings[0]
    assert f.severity == "warning" and str(total + 4) in f.message and str(total) in f.message
    assert result.report.values["t3.new_received.total"] == total
    assert result.exit_code == 0


def test_changed_template_version_names_both_versions(wb: Path, layout: Layout) -> None:
    def fn(book: object) -> None:
        book[SHEET_HIDDEN][hidden_address("template_version")].value = "2"  # type: ignore[index]

    edit(wb, fn)
    with pytest.raises(InputError) as exc:
        check_workbook(wb)
    assert "第 2 版" in exc.value.message and "第 1 版" in exc.value.message
    assert "ogi import" in exc.value.message


def test_workbook_not_made_by_ogi(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "别人的.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "自然人"
    book.save(path)
    with pytest.raises(InputError, match="不是 ogi 生成"):
        read_workbook(path)


# ---- unusable files: InputError, nothing written ------------------------------------------------

def _ole() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _zip_bomb(data: bytes) -> bytes:
    return rezip(data, add={"xl/media/image1.png": bytes(300 * 1024 * 1024)})


def _xml_bomb(data: bytes) -> bytes:
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    xml = bomb + xml.split("?>", 1)[1].replace("<t>", "<t>&lol2;", 1)
    return rezip(data, replace={"xl/sharedStrings.xml": xml.encode()})


def _external_entity(data: bytes) -> bytes:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    xml = ('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           + xml.split("?>", 1)[1].replace("<t>", "<t>&xxe;", 1))
    return rezip(data, replace={"xl/sharedStrings.xml": xml.encode()})


def _macro(data: bytes) -> bytes:
    ct = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    ct = ct.replace("spreadsheetml.sheet.main+xml", "sheet.macroEnabled.main+xml")
    return rezip(data, replace={"[Content_Types].xml": ct.encode()},
                 add={"xl/vbaProject.bin": b"\x00" * 512})


@pytest.mark.parametrize(("name", "make", "words"), [
    ("empty.xlsx", lambda d: b"", "空的"),
    ("notzip.xlsx", lambda d: "这是一份文本".encode(), "不是"),
    ("truncated.xlsx", _truncated, "损坏"),
    ("old.xls", lambda d: _ole(), "WPS/Excel"),
    ("encrypted.xlsx", lambda d: _ole(), "密码"),
    ("macro.xlsx", _macro, ".xlsm"),
    ("macro.xlsm", lambda d: d, ".xlsm"),
    ("bomb.xlsx", _zip_bomb, "压缩"),
    ("xmlbomb.xlsx", _xml_bomb, "不安全"),
    ("xxe.xlsx", _external_entity, "不安全"),
])
def test_unusable_files_raise_input_error(tmp_path: Path, spec: FormSpec, name: str, make: object,
                                          words: str) -> None:
    data, _ = prefilled_bytes(spec)
    path = tmp_path / name
    path.write_bytes(make(data))  # type: ignore[operator]
    before = sha256(path)
    with pytest.raises(InputError) as exc:
        check_workbook(path)
    assert words in exc.value.message
    assert exc.value.path == path
    assert sha256(path) == before


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="找不到"):
        check_workbook(tmp_path / "没有.xlsx")
    with pytest.raises(InputError, match="文件夹"):
        check_workbook(tmp_path)


def test_wrong_sheet_dimension_hides_nothing(tmp_path: Path, spec: FormSpec) -> None:
    """WPS writes <dimension> elements that do not cover the data; openpyxl's read-only mode would
    believe them. A value beyond the stated dimension is still read (and still checked)."""
    import re

    data, values = prefilled_bytes(spec, seed=9)
    part = sheet_part(data, "表三")
    data = edit_xml(data, part, lambda x: re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:C3"/>', x))
    path = tmp_path / "wps.xlsx"
    path.write_bytes(data)
    result = check_workbook(path)
    assert result.findings == []
    assert result.report.values == values


def test_shared_formulas_as_excel_writes_them(tmp_path: Path, spec: FormSpec) -> None:
    data, _ = prefilled_bytes(spec, seed=10)
    part = sheet_part(data, "表三")

    def share(xml: str) -> str:
        xml = xml.replace("<f>SUM(D7:I7)</f>", '<f t="shared" ref="J7:J9" si="0">SUM(D7:I7)</f>', 1)
        xml = xml.replace("<f>SUM(D8:I8)</f>", '<f t="shared" si="0"/>', 1)
        return xml.replace("<f>SUM(D9:I9)</f>", '<f t="shared" si="0"/>', 1)

    path = tmp_path / "shared.xlsx"
    path.write_bytes(edit_xml(data, part, share))
    assert check_workbook(path).findings == []
    # A shared formula that no longer sums its own row is an overwritten formula.
    bad = edit_xml(data, part, lambda x: x.replace(
        "<f>SUM(D8:I8)</f>", '<f t="shared" ref="J8" si="0">SUM(D7:I7)</f>', 1))
    path.write_bytes(bad)
    assert codes(check_workbook(path).findings) == [("XLSX-FORMULA-CHANGED", "表三", "J8")]


def test_inserted_row_in_narrative_sheet(wb: Path) -> None:
    """Narrative cannot be read by position any more: one structural error, no false 未填写."""
    def fn(book: object) -> None:
        book["正文"].insert_rows(6)  # type: ignore[index]

    edit(wb, fn)
    result = check_workbook(wb)
    assert [(f.code, f.sheet) for f in result.findings if f.sheet == "正文"] == \
        [("XLSX-ROWS-SHIFTED", "正文")]
    assert not only(result.findings, "NARRATIVE-EMPTY")
    assert result.exit_code == 1
