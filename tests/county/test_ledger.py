"""The returns ledger: one answer to "which file is this agency's return", used by every command.

One folder as a county office gets it from its mailbox, table-driven (:data:`CASES`): two returns of
one agency whose save times disagree with both file-name order and modification time, an identical
re-send, a newer file the office put under 作废/, a renamed file in a subfolder, a neighbour's
workbook copied with only the visible 机关名称 changed, an .ods made by real LibreOffice, an .xls, a
zip attachment with a GBK member name, a .rar, another county's workbook and five roster agencies
who never returned. ``ogi status``, ``check``, ``fill``, ``summary`` and ``new --previous`` are run
on it and must name the same file for every agency; the DOCX of the agency with two returns holds
the newer return's text, and no superseded or copied return reaches a DOCX, the summary or 问题清单.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from conftest import fill_workbook
from ogi.files.safe_io import OLE_MAGIC
from ogi.form.layout import SHEET_META, layout_for
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook, workbook_filename
from ogi_json import loads

YEAR = 2023
CONTACT = {"address": "测试县政府大院", "phone": "0954-1234567", "website": "测试县人民政府网站",
           "publish_date": "2024-01-20"}


def ag(key: str) -> Agency:
    return Agency(f"台账县{key}镇人民政府", f"L{ord(key) % 1000:03d}", "乡镇街道")


NEVER = ["子", "丑", "寅", "卯", "辰"]  # on the roster, never returned
ROSTER = [ag(k) for k in ("甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸", *NEVER)]


@dataclass(frozen=True)
class Case:
    """One agency of the folder: which file must count (relative path; "" = 未提交) and the
    status every command must agree on."""

    key: str
    counts: str
    status: str


CASES = [
    Case("甲", "甲镇（修改稿）.xlsx", "通过"),  # newer save time, older mtime, sorts second
    Case("乙", "乙镇.xlsx", "通过"),  # the same file sent twice (转发/乙镇 (1).xlsx)
    Case("丙", "丙镇.xlsx", "通过"),  # a newer file lies under 作废/
    Case("丁", "第二批/随便起的名字.xlsx", "通过"),  # renamed, in a subfolder
    Case("戊", "戊镇.xlsx", "通过"),  # its workbook was copied by 己
    Case("己", "", "未提交"),  # sent only 戊's workbook with 机关名称 changed to 己
    Case("庚", "庚镇.ods", "无法读取"),  # saved as .ods
    Case("辛", f"{workbook_filename(ag('辛'), YEAR)[:-5]}.xls", "无法读取"),  # saved as .xls
    Case("壬", "邮件/附件.zip/壬镇年报.xlsx", "通过"),  # in a zip, GBK member name
    Case("癸", "癸镇.xlsx", "通过"),
    *[Case(k, "", "未提交") for k in NEVER],
]
BY_KEY = {c.key: c for c in CASES}
UNASSIGNED = {"材料.rar": "请解压后再放入", "外县.xlsx": "不在机关名单中",
              "己镇.xlsx": "这份工作簿是为 台账县戊镇人民政府 生成的，但机关名称改成了 台账县己镇人民政府"}


def values(n: int, *, broken: bool = False) -> dict[str, int]:
    """Balanced figures; ``broken`` puts 表三 out of balance (an error the newer return fixed)."""
    return {"t3.new_received.natural_person": n, "t3.granted.natural_person": n,
            "t3.carry_forward.natural_person": 1 if broken else 0, "t2.normative_docs.valid": 10 + n}


def narrative(tag: str) -> dict[str, str]:
    return {n.key: f"{tag}：本机关{n.label}方面按要求开展了工作。" for n in layout_for().spec.narrative}


def set_saved(path: Path, when: str) -> None:
    """Give a workbook the save time Excel/WPS would write (docProps/core.xml dcterms:modified)."""
    with zipfile.ZipFile(path) as zf:
        parts = [(i, zf.read(i)) for i in zf.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
            out.writestr(info, data)
    tmp.replace(path)


def workbook(path: Path, agency: Agency, *, n: int, tag: str, saved: str, mtime: int,
             broken: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_workbook(agency, WorkbookOptions(year=YEAR)))
    fill_workbook(path, layout_for(), values=values(n, broken=broken), metadata=CONTACT,
                  narrative=narrative(tag))
    set_saved(path, saved)
    os.utime(path, (mtime, mtime))
    return path


class GbkName(zipfile.ZipInfo):
    """A member name written as Windows zip tools write it: GBK bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


@dataclass
class Folder:
    root: Path
    folder: Path
    roster: Path


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory, soffice: str) -> Folder:
    from ogi.files.libreoffice import convert

    root = tmp_path_factory.mktemp("ledger")
    f = root / "交回"
    roster = root / "名单.csv"
    with roster.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "机关名称"])
        w.writerows([a.id, a.name] for a in ROSTER)
    # 甲: the revised return has the newer save time, but sorts second and was downloaded first.
    workbook(f / "甲镇.xlsx", ag("甲"), n=3, tag="甲旧稿", saved="2024-01-10T09:00:00Z", mtime=1_706_000_900,
             broken=True)
    workbook(f / "甲镇（修改稿）.xlsx", ag("甲"), n=5, tag="甲新稿", saved="2024-01-15T09:00:00Z",
             mtime=1_706_000_100)
    # 乙: sent twice, identical.
    workbook(f / "乙镇.xlsx", ag("乙"), n=2, tag="乙", saved="2024-01-11T09:00:00Z", mtime=1_706_000_000)
    (f / "转发").mkdir()
    shutil.copy2(f / "乙镇.xlsx", f / "转发" / "乙镇 (1).xlsx")
    # 丙: the office voided a newer file.
    workbook(f / "丙镇.xlsx", ag("丙"), n=4, tag="丙有效", saved="2024-01-12T09:00:00Z", mtime=1_706_000_000)
    workbook(f / "作废" / "丙镇.xlsx", ag("丙"), n=6, tag="丙作废", saved="2024-01-19T09:00:00Z",
             mtime=1_706_009_000, broken=True)
    # 丁: renamed, in a subfolder.
    workbook(f / "第二批" / "随便起的名字.xlsx", ag("丁"), n=1, tag="丁", saved="2024-01-12T09:00:00Z",
             mtime=1_706_000_000)
    # 戊 and the copy 己 made of 戊's workbook (only the visible 机关名称 changed).
    workbook(f / "戊镇.xlsx", ag("戊"), n=2, tag="戊", saved="2024-01-12T09:00:00Z", mtime=1_706_000_000)
    copy = f / "己镇.xlsx"
    shutil.copy2(f / "戊镇.xlsx", copy)
    wb = openpyxl.load_workbook(copy)
    wb[SHEET_META][layout_for().meta_fields["agency_name"].address].value = ag("己").name
    wb.save(copy)
    fill_workbook(copy, layout_for(), values=values(7), narrative=narrative("己抄"))
    set_saved(copy, "2024-01-18T09:00:00Z")
    # 庚: saved as .ods by LibreOffice.
    src = workbook(root / "ods" / "庚镇.xlsx", ag("庚"), n=2, tag="庚", saved="2024-01-12T09:00:00Z",
                   mtime=1_706_000_000)
    shutil.copy2(convert([src], "ods", root / "ods-out")[0], f / "庚镇.ods")
    # 辛: saved as .xls (an OLE file ogi cannot read), under the file name ogi gave it.
    (f / BY_KEY["辛"].counts).write_bytes(OLE_MAGIC + b"\x00" * 504)
    # 壬: a zip attachment whose member name is GBK, as Windows zip tools write it.
    member = workbook(root / "zip" / "x.xlsx", ag("壬"), n=3, tag="壬", saved="2024-01-12T09:00:00Z",
                      mtime=1_706_000_000)
    (f / "邮件").mkdir()
    with zipfile.ZipFile(f / "邮件" / "附件.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(GbkName("壬镇年报.xlsx", date_time=(2024, 1, 12, 9, 0, 0)), member.read_bytes())
    # 癸: an ordinary return. A .rar, another county's workbook.
    workbook(f / "癸镇.xlsx", ag("癸"), n=1, tag="癸", saved="2024-01-12T09:00:00Z", mtime=1_706_000_000)
    (f / "材料.rar").write_bytes(b"Rar!\x1a\x07\x00" + b"\x00" * 64)
    workbook(f / "外县.xlsx", Agency("外县某局", "Z999", "部门"), n=2, tag="外县",
             saved="2024-01-12T09:00:00Z", mtime=1_706_000_000)
    return Folder(root, f, roster)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from ogi.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return int(exc.value.code or 0), out.out


@pytest.fixture(scope="module")
def ledger(box: Folder):  # type: ignore[no-untyped-def]
    from ogi.county.ledger import build_ledger
    from ogi.county.roster import read_roster

    return build_ledger(box.folder, read_roster(box.roster))


def test_ledger_names_the_return_that_counts_for_every_agency(ledger) -> None:  # type: ignore[no-untyped-def]
    got = {rec.agency.name: (rec.current.file.rel if rec.current else "", rec.status)
           for rec in ledger.records}
    assert got == {ag(c.key).name: (c.counts, c.status) for c in CASES}
    reasons = {u.result.file.rel: u.reason for u in ledger.unassigned}
    assert set(reasons) == set(UNASSIGNED)
    for rel, words in UNASSIGNED.items():
        assert words in reasons[rel], rel
    by_name = {rec.agency.name: rec for rec in ledger.records}
    # 甲: the older return is listed with its save time and why; the disagreement is said.
    (old,) = by_name[ag("甲").name].superseded
    assert old.result.file.rel == "甲镇.xlsx" and "较旧" in old.reason and "保存于" in old.reason
    assert any("按保存时间" in n and "按文件修改时间" in n for n in by_name[ag("甲").name].current.notes)
    # 乙: an identical re-send is one return, not a conflict.
    (dup,) = by_name[ag("乙").name].superseded
    assert dup.result.file.rel == "转发/乙镇 (1).xlsx" and "内容相同" in dup.reason
    assert not any("共有" in n for n in by_name[ag("乙").name].current.notes)
    (void,) = by_name[ag("丙").name].superseded
    assert void.result.file.rel == "作废/丙镇.xlsx" and "作废" in void.reason
    # The copy never counts, and both agencies are told.
    assert any("己镇.xlsx" in n for n in by_name[ag("戊").name].notes)
    assert any("己镇.xlsx" in n for n in by_name[ag("己").name].notes)
    # .ods, .xls: that agency's return with the fix, never "damaged".
    for key in ("庚", "辛"):
        problem = by_name[ag(key).name].current.problem
        assert "另存为 .xlsx 再交" in problem and "损坏" not in problem, key


def test_status_agrees_and_keeps_superseded_findings_out(box: Folder, ledger, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "进度.xlsx"
    code, text = run(["status", str(box.folder), "--roster", str(box.roster), "--json", "-q",
                      "-o", str(out)], capsys)
    assert code == 1  # 庚 and 辛 cannot be read
    (data,) = loads(text, "status")["results"]
    current = {r["agency"]: (r["file"], r["status"]) for r in data["rows"]
               if r["agency"] in {a.name for a in ROSTER} and r["current"] and r["status"] != "不计入"}
    assert current == {ag(c.key).name: (c.counts, c.status) for c in CASES}
    wb = openpyxl.load_workbook(out)
    files = {row[2] for row in wb["问题清单"].iter_rows(min_row=2, values_only=True)}
    # The superseded 甲镇.xlsx and 作废/丙镇.xlsx have errors: not in 问题清单, not colouring 甲/丙.
    assert files == {"庚镇.ods", BY_KEY["辛"].counts, "材料.rar"}
    rows = {(r[1], r[7]): r[3] for r in wb["进度"].iter_rows(min_row=2, values_only=True)}
    assert rows[(ag("甲").name, "甲镇.xlsx")] == "不计入"
    assert rows[(ag("甲").name, "甲镇（修改稿）.xlsx")] == "通过"


def test_check_and_fill_agree_and_render_the_newer_return(box: Folder, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import docx

    code, text = run(["check", str(box.folder), "--roster", str(box.roster), "--json", "-q"], capsys)
    assert code == 2  # the .rar and the .ods/.xls cannot be read
    results = loads(text, "check")["results"]
    ledger = results[-1]
    assert ledger["type"] == "ledger"
    checked = {a["agency"]: a["file"] for a in ledger["agencies"] if a["file"]}
    assert checked == {ag(c.key).name: c.counts for c in CASES if c.counts}
    # one check result per return that counts, none for a superseded or copied file
    assert sorted(r["agency_name"] for r in results[:-1]) == sorted(checked)
    assert all(r["type"] == "check" for r in results[:-1])
    out = tmp_path / "年报"
    code, text = run(["fill", str(box.folder), "--roster", str(box.roster), "-o", str(out), "-q"], capsys)
    assert code == 2
    made = sorted(p.name for p in out.glob("*.docx"))
    assert made == sorted(f"{YEAR}年{ag(c.key).name}政府信息公开工作年度报告.docx" for c in CASES
                          if c.status == "通过")
    texts = {p.name: "\n".join(par.text for par in docx.Document(str(p)).paragraphs)
             for p in out.glob("*.docx")}
    jia = texts[f"{YEAR}年{ag('甲').name}政府信息公开工作年度报告.docx"]
    assert "甲新稿" in jia and "甲旧稿" not in jia
    assert "丙有效" in texts[f"{YEAR}年{ag('丙').name}政府信息公开工作年度报告.docx"]
    assert not any("己抄" in t or "丙作废" in t or "外县" in t for t in texts.values())
    assert "请解压后再放入" in text and "可能复制了别的机关的表" in text


def test_summary_and_new_previous_agree(box: Folder, ledger, tmp_path: Path,  # type: ignore[no-untyped-def]
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from ogi.county.prefill import build_prefills, load_previous
    from ogi.county.roster import read_roster
    from ogi.county.summary import build_summary

    roster = read_roster(box.roster)
    summary = build_summary(box.folder, roster, include_errors=True)
    summed = {row.agency.name: row.result.file.rel for row in summary.rows}
    assert summed == {ag(c.key).name: c.counts for c in CASES if c.status == "通过"}
    assert summary.totals["t3.new_received.natural_person"] == sum(
        {"甲": 5, "乙": 2, "丙": 4, "丁": 1, "戊": 2, "壬": 3, "癸": 1}.values())
    plan = build_prefills(roster, load_previous(box.folder, year=YEAR, roster=roster))
    assert {a.name: f for a, f in plan.sources.items()} == summed
    assert {a.name for a in plan.missing} == {ag(c.key).name for c in CASES if c.status != "通过"}
    code, text = run(["new", "--roster", str(box.roster), "--year", str(YEAR + 1), "--previous",
                      str(box.folder), "-o", str(tmp_path / "新表"), "-q"], capsys)
    assert code == 0
    for c in CASES:
        if c.status != "通过":
            assert f"  {ag(c.key).name}" in text, c.key
    # 甲's new workbook carries the newer return's carry-forward and 戊 is not 己's.
    assert f"已按上年工作簿预填 {len(summed)} 个机关" in text


def test_previous_file_pairs_only_with_its_own_agency(box: Folder,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """``--previous X.xlsx`` over a folder is 甲's last year only: the other agencies are named as
    having none, and none of them gets 甲's carry-over warnings."""
    code, text = run(["check", str(box.folder), "--roster", str(box.roster), "-q",
                      "--previous", str(box.folder / "甲镇（修改稿）.xlsx")], capsys)
    assert code == 2  # the .rar, .ods and .xls, as without --previous
    line = next(x for x in text.splitlines() if "没有找到上年的工作簿" in x)
    named = set(line.split("：", 1)[1].split("、"))
    assert named == {ag(k).name for k in ("乙", "丙", "丁", "戊", "壬", "癸")}
    blocks = text.split("== ")
    assert not any("PREV-" in b or "上年" in b.split("\n", 1)[-1] for b in blocks
                   if not b.startswith("甲镇（修改稿）.xlsx") and "没有找到上年" not in b)


def test_summary_names_every_file_left_out(box: Folder) -> None:
    from ogi.county.roster import read_roster
    from ogi.county.summary import build_summary

    left = {item.file: (item.name, item.reason) for item in
            build_summary(box.folder, read_roster(box.roster)).left_out if item.file}
    assert left[BY_KEY["辛"].counts][0] == ag("辛").name and "另存为 .xlsx" in left[BY_KEY["辛"].counts][1]
    assert "可能复制了别的机关的表" in left["己镇.xlsx"][1]
    assert "作废" in left["作废/丙镇.xlsx"][1] and "内容相同" in left["转发/乙镇 (1).xlsx"][1]


def test_a_copied_workbook_alone_is_an_error(box: Folder, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Not a warning with exit 0: status and check fail on a copied neighbour's workbook, and 戊
    keeps its own return."""
    inbox = tmp_path / "交回"
    inbox.mkdir()
    for name in ("戊镇.xlsx", "己镇.xlsx"):
        shutil.copy2(box.folder / name, inbox / name)
    code, text = run(["status", str(inbox), "--roster", str(box.roster), "-q"], capsys)
    assert code == 1 and "1 个疑似复制别的机关的工作簿" in text
    row = next(line for line in text.splitlines() if line.startswith(ag("戊").name))
    assert "通过" in row and "戊镇.xlsx" in row
    code, text = run(["check", str(inbox), "-q"], capsys)
    assert code == 1 and "可能复制了别的机关的表" in text
