"""`ogi import` of workbooks damaged past `ogi check` (rows inserted, a formula overwritten, sheets
reordered): values are found by label and moved into a fresh workbook; and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ogi_json
from ogi.form.report import Report
from ogi.form.spec import load_spec
from ogi.importers import build_import_workbook, import_report
from ogi.workbook.checker import check_workbook
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

SPEC = load_spec()
NARRATIVE = {key: f"{key}：本年度相关工作有序开展。" for key in SPEC.narrative_keys}
NARRATIVE |= {"overview": "本年度政务公开工作有序开展。\n全年无重大问题。", "on_request": "全年收到申请若干件。"}
META = {"address": "某某县文化路5号", "phone": "0954-7222222", "website": "某某县人民政府网站",
        "publish_date": "2024-01-20"}


def insert_rows(ws, before: int, count: int) -> None:
    """Insert rows the way Excel does, merged ranges moving with their cells."""
    merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    for r in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(r))
    ws.insert_rows(before, count)
    for r0, c0, r1, c1 in merged:
        shift = count if r0 >= before else 0
        ws.merge_cells(start_row=r0 + shift, start_column=c0, end_row=r1 + shift, end_column=c1)


def damaged_workbook(tmp_path: Path, values) -> Path:
    import openpyxl

    from ogi.form.layout import layout_for

    report = Report(SPEC.id, SPEC.version, dict(META), dict(values), dict(NARRATIVE), {})
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(build_workbook(Agency("某某县文化旅游局", "640425099", "部门"),
                                    WorkbookOptions(year=2023, prefill=report)))
    wb = openpyxl.load_workbook(path)
    insert_rows(wb["表三"], 7, 2)  # two rows inside the table, above “一、本年新收”
    wb["表三"]["A7"] = "（以下为本单位补充说明）"
    insert_rows(wb["表二"], 1, 1)
    sheet, cell = layout_for().address("t3.granted.total")
    wb[sheet][cell].offset(row=2).value = 999  # a formula pasted over with a number
    wb.move_sheet("表四", offset=-3)
    wb.save(path)
    return path


def test_damaged_workbook_values_by_label(tmp_path: Path) -> None:
    from conftest import balanced_values

    values = balanced_values(SPEC, seed=31)
    path = damaged_workbook(tmp_path, values)
    result = import_report(path)
    assert result.kind == "xlsx"
    got = result.report
    assert got.agency_name == "某某县文化旅游局" and got.year == 2023
    for key in SPEC.input_keys:
        assert got.values[key] == values[key], key
    assert got.values["t3.granted.total"] == 999  # as found in the file ...
    sums = [f for f in result.findings if f.code == "T3-ROW-TOTAL" and f.key == "t3.granted.total"]
    assert sums and "999" in sums[0].message  # ... and the audit says it is not the sum
    for key, text in NARRATIVE.items():
        assert got.narrative[key] == text
    for key, value in META.items():
        assert got.metadata[key] == value
    assert not [f for f in result.findings if f.code.startswith("IMPORT-") and f.severity == "error"]
    data, name, _ = build_import_workbook(result)
    fresh = tmp_path / name
    fresh.write_bytes(data)
    checked = check_workbook(fresh)
    assert not [f for f in checked.findings if f.severity == "error"], \
        [f.message for f in checked.findings if f.severity == "error"]
    assert checked.report.values["t3.granted.total"] == values["t3.granted.total"]  # recomputed
    assert checked.report.narrative["overview"] == NARRATIVE["overview"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from ogi.cli import main; main()", "import", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_json_output_folder_and_existing_file(tmp_path: Path) -> None:
    from conftest import balanced_values

    path = damaged_workbook(tmp_path, balanced_values(SPEC, seed=32))
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli(str(path), "-o", str(out), "--json")
    assert proc.returncode == 1, proc.stderr  # the overwritten total is an error of the source
    data = ogi_json.loads(proc.stdout, "import")
    files = data["results"]
    assert files[0]["type"] == "import" and files[0]["workbook"].endswith(".xlsx")
    assert files[0]["kind"] == "xlsx" and files[0]["agency_name"] == "某某县文化旅游局"
    assert "T3-ROW-TOTAL" in {f["code"] for f in files[0]["findings"]}
    written = list(out.glob("*.xlsx"))
    assert [p.name for p in written] == ["2023年某某县文化旅游局政府信息公开工作年度报告填报表.xlsx"]
    again = run_cli(str(path), "-o", str(out))
    assert again.returncode == 2 and "已存在" in again.stderr and "Traceback" not in again.stderr


def test_cli_bad_inputs(tmp_path: Path) -> None:
    missing = run_cli(str(tmp_path / "nope.pdf"))
    assert missing.returncode == 2 and "找不到" in missing.stderr
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert run_cli(str(empty)).returncode == 2
    doc = tmp_path / "old.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    old = run_cli(str(doc))
    assert old.returncode == 2 and "另存为" in old.stderr
    untitled = tmp_path / "untitled.txt"
    untitled.write_text("二、主动公开政府信息情况\n规章\t1\t0\t1\n", encoding="utf-8")
    proc = run_cli(str(untitled), "-o", str(tmp_path / "u.xlsx"))
    assert proc.returncode == 2 and "--agency" in proc.stderr
    ok = run_cli(str(untitled), "-o", str(tmp_path / "u.xlsx"), "--agency", "某某乡人民政府", "--year", "2023")
    assert ok.returncode == 1 and (tmp_path / "u.xlsx").is_file()
    assert "没有找到表三" in ok.stdout
    for p in (doc, untitled):
        assert "Traceback" not in run_cli(str(p)).stderr


def test_cli_several_reports_into_a_folder(tmp_path: Path) -> None:
    """A county office audits a folder of published reports: one bad file does not stop the rest."""
    from conftest import balanced_values

    good = damaged_workbook(tmp_path, balanced_values(SPEC, seed=33))
    text = tmp_path / "文本.txt"
    text.write_text("某某乡人民政府2023年政府信息公开工作年度报告\n二、主动公开政府信息情况\n规章\t1\t0\t1\n",
                    encoding="utf-8")
    broken = tmp_path / "坏.docx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    out = tmp_path / "out"
    out.mkdir()
    proc = run_cli(str(good), str(broken), str(text), "-o", str(out))
    assert proc.returncode == 2, proc.stderr  # the highest code wins: one file was unusable
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "== 坏.docx" in proc.stdout and "无法导入" in proc.stdout
    assert "共导入 3 份报告：0 份无错误，2 份有错误，1 份无法导入" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "2023年某某乡人民政府政府信息公开工作年度报告填报表.xlsx",
        "2023年某某县文化旅游局政府信息公开工作年度报告填报表.xlsx"]
    usage = run_cli(str(good), str(text), "-o", str(tmp_path / "one.xlsx"))
    assert usage.returncode == 2 and "文件夹" in usage.stderr
    folder = run_cli(str(tmp_path), "--no-workbook")  # a folder stands for the reports in it
    assert folder.returncode == 2 and "共导入 3 份报告" in folder.stdout
