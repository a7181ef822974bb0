"""`ogi import` of what is really published: label variants (kept as spec data), the agency and year
from every place a report names them, published figures reported as published (a blank total stays
blank, the recomputed sum apart and in a comment on the workbook's formula), the exit codes, `-o` into
a folder, and ogi's own workbooks imported without a false finding. Texts are generated
(tests/report_layouts.py), never copied from a published report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from test_import_layouts import META, report_of

import ogi_json
from conftest import SEED_AGENCY, balance_table3, balanced_values, fill_workbook
from ogi.form.report import Report, Value
from ogi.form.rules import compute_totals
from ogi.importers import build_import_workbook, import_report
from ogi.workbook.xlsx_writer import WorkbookOptions, build_workbook
from report_layouts import SPEC, document, render, tab_table

OTHER = ("other_no_correction", "other_no_fee", "other_other")


def values_with(seed: int = 4, **changes: Value) -> dict[str, Value]:
    values = balanced_values(SPEC, seed=seed)
    values.update(changes)
    return compute_totals(SPEC, balance_table3(SPEC, values))


def write(tmp_path: Path, text: str, name: str = "年报.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ogi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from ogi.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=300)


# ---- labels ------------------------------------------------------------------------------------
VARIANTS = {
    "\t行政规范性文件\t": "\t规范性文件\t",  # without 行政 (t2 is "label<TAB>numbers")
    "1.属于国家秘密": "（1）属于国家秘密",
    "2.其他法律行政法规禁止公开": "②其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”": "3、危及\"三安全一稳定\"",
    "（一）予以公开": "(一) 予以公开",
    "4.保护第三方合法权益": "4) 保护 第三方 合法权益",
    "1.信访举报投诉类申请": "1．信访举报投诉类申请",
}


def test_label_variants_lose_no_row(tmp_path: Path) -> None:
    values = values_with()
    text = render(report_of(values), "tab").replace("\n行政规范性文件\t", "\n规范性文件\t")
    for official, variant in VARIANTS.items():
        assert official in text or official.startswith("\t"), official
        text = text.replace(official, variant)
    result = import_report(write(tmp_path, text))
    assert {k: result.report.values[k] for k in SPEC.cells} == values
    assert not [f for f in result.findings if f.code.startswith("IMPORT-")]


def _single_other_row(table, values, **_):
    """Table 三 with the 2019 wording: one （六）其他处理 row instead of its three sub-rows."""
    lines = tab_table(table, values)
    if table.key != "t3":
        return lines
    out = []
    for line in lines:
        if "申请人无正当理由逾期不补正" in line:
            cells = [str(sum(values[f"t3.{r}.{c.key}"] for r in OTHER)) for c in table.columns]  # type: ignore[misc]
            out.append("\t".join(["（六）其他处理", "", *cells]))
        elif "申请人逾期未按收费通知" in line or line.split("\t")[:2] == ["", "3.其他"]:
            continue
        else:
            out.append(line)
    return out


def test_2019_single_other_row_in_a_2021_report(tmp_path: Path) -> None:
    zero = values_with(**{f"t3.{r}.{c.key}": 0 for r in OTHER for c in SPEC.table("t3").columns})
    result = import_report(write(tmp_path, document(report_of(zero), _single_other_row), "zero.txt"))
    assert {k: result.report.values[k] for k in SPEC.cells} == zero  # all 0: every part 0
    assert not [f for f in result.findings if f.severity == "error"]

    some = values_with(**{f"t3.{r}.{c.key}": 5 if (r, c.key) == ("other_other", "commercial") else 0
                          for r in OTHER for c in SPEC.table("t3").columns})
    result = import_report(write(tmp_path, document(report_of(some), _single_other_row), "some.txt"))
    merged = [f for f in result.findings if f.code == "IMPORT-MERGED-ROW"]
    assert {f.key for f in merged} == {f"t3.{r}.commercial" for r in OTHER} | {f"t3.{r}.total" for r in OTHER}
    assert all("（六）其他处理" in f.message and "5" in f.message for f in merged)
    assert all(result.report.values[f"t3.{r}.commercial"] is None for r in OTHER)
    assert result.report.values["t3.other_other.natural_person"] == 0  # a 0 column still splits
    assert result.exit_code == 1


# ---- agency and year --------------------------------------------------------------------------
NAME = "某某县自然资源局"


@pytest.mark.parametrize(("title", "source"), [
    (f"{NAME}2023年政府信息公开年度报告", "title"),  # without 工作
    (f"# 标题：{NAME}2023年度政府信息公开工作年度报告", "title"),  # markup and a prefix
    (f"**2023年{NAME}政府信息公开工作年度报告**", "title"),
    (f"{NAME}政府信息公开工作2023年度报告", "title"),
])
def test_agency_and_year_from_every_title_form(tmp_path: Path, title: str, source: str) -> None:
    result = import_report(write(tmp_path, render(report_of(values_with(), NAME), "tab", title=title)))
    assert (result.report.agency_name, result.report.year) == (NAME, 2023)
    assert not [f for f in result.findings if f.code.startswith("IMPORT-TITLE")]


def test_agency_from_opening_sentence_signature_html_title_and_file_name(tmp_path: Path) -> None:
    text = render(report_of(values_with(), NAME), "tab", title="政府信息公开工作年度报告")
    opening = text.replace("本报告根据《中华人民共和国政府信息公开条例》编制",
                           f"本报告由{NAME}根据《中华人民共和国政府信息公开条例》编制")
    result = import_report(write(tmp_path, opening, "a.txt"))
    assert (result.report.agency_name, result.report.year) == (NAME, 2023)

    result = import_report(write(tmp_path, text, "b.txt"))  # only the 落款 names it
    assert result.report.agency_name == NAME and result.report.year == 2023  # year: 统计期限

    html = ("<html><head><title>" + f"{NAME}2023年政府信息公开工作年度报告_某某县人民政府" + "</title></head><body>"
            + "".join(f"<p>{line}</p>" for line in text.splitlines()[:-2]) + "</body></html>")
    result = import_report(write(tmp_path, html, "c.html"))
    assert (result.report.agency_name, result.report.year) == (NAME, 2023)

    bare = "\n".join(text.splitlines()[:-2]) + "\n"  # no title, no 落款: the file name, with a warning
    result = import_report(write(tmp_path, bare, f"{NAME}2023年报.txt"))
    assert (result.report.agency_name, result.report.year) == (NAME, 2023)
    assert [f.severity for f in result.findings if f.code == "IMPORT-AGENCY-FROM-FILENAME"] == ["warning"]

    result = import_report(write(tmp_path, bare, "report.txt"))
    assert [f.severity for f in result.findings if f.code == "IMPORT-TITLE-NOT-FOUND"] == ["error"]


# ---- published figures ------------------------------------------------------------------------
def test_published_total_blank_or_wrong_is_reported_and_kept(tmp_path: Path) -> None:
    values = values_with()
    printed: dict[str, Value] = dict(values)
    printed["t3.granted.total"] = None  # blank
    printed["t4.cases.review_total"] = values["t4.cases.review_total"] + 2  # type: ignore[operator]
    path = write(tmp_path, render(report_of(printed), "tab", as_given=True))
    proc = ogi("import", str(path), "--json", "-o", str(tmp_path / "out.xlsx"))
    assert proc.returncode == 1, proc.stderr
    data = ogi_json.loads(proc.stdout, "import")
    item = data["results"][0]
    assert item["report"]["values"]["t3.granted.total"] is None
    assert item["recomputed_totals"]["t3.granted.total"] == values["t3.granted.total"]
    assert item["report"]["values"]["t4.cases.review_total"] == values["t4.cases.review_total"] + 2
    assert item["recomputed_totals"]["t4.cases.review_total"] == values["t4.cases.review_total"]
    blank = [f for f in item["findings"] if f["code"] == "IMPORT-TOTAL-BLANK"]
    assert len(blank) == 1 and str(values["t3.granted.total"]) in blank[0]["message"]
    wrong = [f for f in item["findings"] if f["code"] == "T4-TOTAL"]
    assert len(wrong) == 1 and str(values["t4.cases.review_total"] + 2) in wrong[0]["message"] \
        and str(values["t4.cases.review_total"]) in wrong[0]["message"]

    from ogi.form.layout import layout_for

    layout = layout_for()
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    for key, shown in (("t3.granted.total", "空白"), ("t4.cases.review_total", str(values["t4.cases.review_total"] + 2))):
        sheet, addr = layout.address(key)
        cell = wb[sheet][addr]
        assert str(cell.value).startswith("="), key  # ogi's formula kept
        assert cell.comment is not None and f"原报告此处为 {shown}" in cell.comment.text, key
    sheet, addr = layout.address("t3.new_received.total")
    assert wb[sheet][addr].comment is None  # a total as published: no comment


# ---- exit codes and -o ---------------------------------------------------------------------------
def test_exit_codes(tmp_path: Path) -> None:
    values = values_with()
    clean = write(tmp_path, render(report_of(values), "pipe"), "clean.txt")
    proc = ogi("import", str(clean), "--no-workbook")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "全部数字和正文已读取" in proc.stdout

    text = render(report_of(values), "cells").replace("\n3.要求提供公开出版物\n", "\n")  # a label lost
    proc = ogi("import", str(write(tmp_path, text, "damaged.txt")), "--no-workbook")
    assert proc.returncode == 1
    assert "IMPORT-" in proc.stdout or "找不到" in proc.stdout or "没有找到" in proc.stdout

    proc = ogi("import", str(write(tmp_path, "会议纪要\n今天开会，讨论了食堂的菜单。\n", "memo.txt")), "--no-workbook")
    assert proc.returncode == 2 and "不像一份政府信息公开工作年度报告" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("form", ["existing", "slash"])
def test_output_folder(tmp_path: Path, form: str) -> None:
    source = write(tmp_path, render(report_of(values_with(), NAME), "tab"))
    folder = tmp_path / "新填报表"
    if form == "existing":
        folder.mkdir()
        target = str(folder)
    else:
        target = str(folder) + "/"
    proc = ogi("import", str(source), "--as-previous", "-o", target)
    assert proc.returncode in (0, 1), proc.stderr
    made = list(folder.glob("*.xlsx"))
    assert len(made) == 1 and "2024" in made[0].name and NAME in made[0].name
    assert not (tmp_path / "新填报表.xlsx").exists()


# ---- ogi's own workbooks ------------------------------------------------------------------------
def test_own_workbook_imports_without_a_false_finding(tmp_path: Path, layout) -> None:
    values = values_with()
    narrative = {n.key: f"本年度{n.label}工作情况良好，各项制度落实到位，信息及时公开。" for n in SPEC.narrative}
    report = Report(SPEC.id, SPEC.version, {**META, "publish_date": "2024-01-20"}, values, narrative, {})
    path = tmp_path / "wb.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023, prefill=report)))
    # Saved again by openpyxl, as a clerk's script would: the formulas lose their saved results.
    uncached = fill_workbook(path, layout, values={"t3.granted.natural_person": values["t3.granted.natural_person"]},
                             out=tmp_path / "uncached.xlsx")
    for workbook in (path, uncached):
        result = import_report(workbook)
        assert result.findings == [], [(f.code, f.message) for f in result.findings]
        assert result.exit_code == 0
        assert {k: result.report.values[k] for k in SPEC.input_keys} == {k: values[k] for k in SPEC.input_keys}
        data, _, _ = build_import_workbook(result)
        assert data
