"""`ogi new --roster`: a county office's list of 50 agencies as a text file, a GBK CSV saved by Excel on
Chinese Windows, and an .xlsx; one workbook each, ids recorded; duplicate and hostile names."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from test_new_workbook import NS, sheet_parts

from ogi.cli import main
from ogi.county.batch_new import generate
from ogi.county.roster import read_roster
from ogi.files.safe_io import MAX_NAME_BYTES, NAME_SUFFIX_ROOM
from ogi.form.layout import HIDDEN_KEYS, SHEET_HIDDEN, layout_for
from ogi.workbook.xlsx_writer import AGENCY_TYPES, Agency

TOWNS = ["白阳", "城阳", "红河", "新集", "古城", "王洼", "孟塬", "小岔", "冯庄", "草庙", "交岔", "罗洼", "长城"]


def fifty() -> list[Agency]:
    out = []
    for i in range(50):
        town = TOWNS[i % len(TOWNS)]
        kind = AGENCY_TYPES[i % 3]
        name = {"政府": f"彭阳县{town}第{i + 1}片区人民政府", "部门": f"彭阳县第{i + 1}号局",
                "乡镇街道": f"彭阳县{town}镇第{i + 1}村民委员会"}[kind]
        out.append(Agency(name, f"6404250{i + 1:02d}", kind))
    return out


def hidden_meta(path: Path) -> dict[str, str]:
    """The very hidden ogi_meta sheet, read straight from the package (fast for 50 files)."""
    with zipfile.ZipFile(path) as zf:
        strings = [("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
                   for si in ET.fromstring(zf.read("xl/sharedStrings.xml"))]
        root = ET.fromstring(zf.read(sheet_parts(zf)[SHEET_HIDDEN]))
        book = zf.read("xl/workbook.xml").decode()
    assert re.search(rf'name="{SHEET_HIDDEN}"[^>]*state="veryHidden"', book)
    cells = {c.get("r"): strings[int(c.find("m:v", NS).text)]  # type: ignore[union-attr,arg-type]
             for c in root.iter(f"{{{NS['m']}}}c") if c.get("t") == "s"}
    return {cells[f"A{i + 1}"]: cells.get(f"B{i + 1}", "") for i in range(len(HIDDEN_KEYS))}


def custom_props(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("docProps/custom.xml"))
    return {p.get("name"): "".join(p.itertext()) for p in root}  # type: ignore[misc]


def write_roster(kind: str, folder: Path, agencies: list[Agency]) -> Path:
    if kind == "txt":
        path = folder / "名单.txt"
        path.write_text("\n".join(a.name for a in agencies) + "\n\n", encoding="utf-8")
    elif kind == "csv":
        path = folder / "名单.csv"
        lines = ["编号,机关名称,机关类型", *(f"{a.id},{a.name},{a.type}" for a in agencies)]
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))  # Excel "CSV (逗号分隔)"
    else:
        path = folder / "名单.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["2023年度政府信息公开年报填报机关名单"])  # a title row above the header
        ws.append(["序号", "机关名称", "编号", "机关类型"])
        for i, a in enumerate(agencies):
            ws.append([i + 1, a.name, int(a.id), a.type])  # ids typed as numbers
        wb.save(path)
    return path


@pytest.mark.parametrize("kind", ["txt", "csv", "xlsx"])
def test_roster_of_fifty_writes_fifty_workbooks(tmp_path: Path, kind: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    agencies = fifty()
    roster = write_roster(kind, tmp_path, agencies)
    before = roster.read_bytes()
    out = tmp_path / "填报表"
    with pytest.raises(SystemExit) as exc:
        main(["new", "--roster", str(roster), "--year", "2023", "-o", str(out),
              "--deadline", "2024年1月20日"])
    assert exc.value.code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "共生成 50 个工作簿" in printed
    assert roster.read_bytes() == before  # the input is never written to
    files = sorted(out.iterdir())
    assert len(files) == 50 and all(f.suffix == ".xlsx" for f in files)
    by_name = {}
    for f in files:
        meta = hidden_meta(f)
        by_name[meta["agency_name"]] = meta
        assert meta["year"] == "2023" and meta["deadline"] == "2024年1月20日"
        assert f.name == f"2023年{meta['agency_name']}政府信息公开工作年度报告填报表.xlsx"
        props = custom_props(f)
        assert props["ogi_agency_name"] == meta["agency_name"]
        assert props["ogi_agency_id"] == (meta["agency_id"] or "-")
    assert set(by_name) == {a.name for a in agencies}
    for a in agencies:
        if kind == "txt":  # a plain list has names only: the type is what the name tells
            assert (by_name[a.name]["agency_id"], by_name[a.name]["agency_type"]) == \
                ("", layout_for().spec.infer_agency_type(a.name))
            if a.type in ("政府", "部门"):  # …片区人民政府, …局
                assert by_name[a.name]["agency_type"] == a.type
        else:
            assert (by_name[a.name]["agency_id"], by_name[a.name]["agency_type"]) == (a.id, a.type)


def test_roster_metadata_visible_in_workbook(tmp_path: Path) -> None:
    roster = write_roster("csv", tmp_path, fifty()[:2])
    [first, _] = generate(roster=roster, year=2024, output=tmp_path / "o")
    wb = openpyxl.load_workbook(first)
    values = [wb["基本信息"].cell(row=r, column=2).value for r in range(4, 8)]
    assert values == ["彭阳县白阳第1片区人民政府", 2024, "640425001", "政府"]


def test_read_roster_forms(tmp_path: Path) -> None:
    utf8 = tmp_path / "a.csv"
    utf8.write_text("\ufeff机关名称,编号\n彭阳县白阳镇人民政府,001\n", encoding="utf-8")
    assert read_roster(utf8) == [Agency("彭阳县白阳镇人民政府", "001", "")]
    tsv = tmp_path / "b.txt"  # Excel "Unicode 文本": UTF-16 with tabs
    tsv.write_bytes("编号\t机关名称\t机关类型\r\n7\t彭阳县教育局\t部门\r\n".encode("utf-16"))
    assert read_roster(tsv) == [Agency("彭阳县教育局", "7", "部门")]
    plain = tmp_path / "c.txt"
    plain.write_text("\n  彭阳县白阳镇人民政府  \n\n彭阳县城阳乡人民政府\n", encoding="gbk")
    assert [a.name for a in read_roster(plain)] == ["彭阳县白阳镇人民政府", "彭阳县城阳乡人民政府"]
    trailing = tmp_path / "d.csv"  # one column of names, Excel's trailing commas, no header
    trailing.write_bytes("彭阳县白阳镇人民政府,,\r\n彭阳县教育局\t,,\r\n".encode("gbk"))
    assert [a.name for a in read_roster(trailing)] == ["彭阳县白阳镇人民政府", "彭阳县教育局"]


def test_duplicate_names_get_distinct_files(tmp_path: Path) -> None:
    roster = tmp_path / "dup.csv"
    roster.write_text("机关名称,编号\n彭阳县白阳镇人民政府,01\n彭阳县白阳镇人民政府,02\n"
                      "彭阳县白阳镇人民政府,\n", encoding="utf-8")
    paths = generate(roster=roster, year=2023, output=tmp_path / "o")
    assert len({p.name for p in paths}) == 3
    assert {hidden_meta(p)["agency_id"] for p in paths} == {"01", "02", ""}
    plain = tmp_path / "dup.txt"
    plain.write_text("彭阳县白阳镇人民政府\n彭阳县白阳镇人民政府\n", encoding="utf-8")
    paths = generate(roster=plain, year=2023, output=tmp_path / "p")
    assert len({p.name.lower() for p in paths}) == 2 and all(p.exists() for p in paths)


def test_hostile_names_stay_inside_the_output_folder(tmp_path: Path) -> None:
    names = ["../../x", "CON", "a:b*c?", "彭阳县" + "某" * 37, "..\\..\\y", "/etc/passwd", "nul.txt", "<局>|\"名\"", "a" * 40]
    roster = tmp_path / "bad.txt"
    roster.write_text("\n".join(names), encoding="utf-8")
    out = tmp_path / "deep" / "out"
    paths = generate(roster=roster, year=2023, output=out)
    assert len(paths) == len(names)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    for p in paths:
        assert p.parent == out and p.resolve().parent == out.resolve()
        assert not re.search(r'[<>:"/\\|?*\x00-\x1f]', p.name), p.name
        # 255 bytes per name on every file system; the cap keeps room for a suffix
        assert p.name.endswith(".xlsx") and len(p.name) <= 100
        assert len(p.name.encode()) <= MAX_NAME_BYTES - NAME_SUFFIX_ROOM
        assert p.name.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}
    assert {hidden_meta(p)["agency_name"] for p in paths} == set(names)  # the real name is kept
    assert sorted(x.name for x in tmp_path.iterdir()) == ["bad.txt", "deep"]


def test_write_workbook_library_call(tmp_path: Path) -> None:
    from ogi.errors import OutputError
    from ogi.workbook.xlsx_writer import WorkbookOptions, write_workbook

    path = write_workbook(Agency("../局:一*"), WorkbookOptions(year=2023), tmp_path)
    assert path.parent == tmp_path and path.name == "2023年.._局_一_政府信息公开工作年度报告填报表.xlsx"
    assert hidden_meta(path)["agency_name"] == "../局:一*"
    with pytest.raises(OutputError, match="已存在"):
        write_workbook(Agency("../局:一*"), WorkbookOptions(year=2023), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
