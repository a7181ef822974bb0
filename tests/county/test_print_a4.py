"""Every workbook ogi writes for people prints well on A4 (issue 16), proved with real LibreOffice.

A 25-agency county with long agency names and long explanations is generated and filled as clerks
would; ``ogi status -o``, ``ogi summary -o``, ``ogi new`` (blank), ``ogi new --previous``
(prefilled) and ``ogi feedback`` (a 退改单 and the 退改汇总 index) write the workbooks; ONE LibreOffice run converts all of them to PDF. From ``pdftotext`` we check: every non-empty text cell of every
printed sheet appears whole, page counts stay within budget, every page of a list repeats its
header, no table of 全县汇总表 is split from its caption. PNG renders of the first pages are kept in
a temporary folder (its path is printed) for a person to look at.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from test_status_county import CONTACT, figures, narrative

from conftest import fill_workbook, write_roster
from ogi.form.layout import SHEET_CHECKS, layout_for
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook, workbook_filename

N = 25
YEAR = 2023
MISSING = {24, 25}
UNTOUCHED = {23}
BROKEN = {2, 9, 16}  # 表三 out of balance
EXPLAINED = {1, 5, 13, 21}  # 正文 count differs from 表三, explained in 校验
BUDGET = {"status": 6, "summary": 12, "blank": 9, "prefilled": 9, "slip": 2, "feedback_index": 3}
NAMES = (  # up to 39 characters with "测试县第N号": near ogi's limit of 40
    "县人民政府办公室（县政务服务管理局、县大数据发展中心、县外事办）",
    "县发展和改革局（县粮食和物资储备局、县能源局）", "县自然资源局",
    "县住房和城乡建设局（县人民防空办公室）", "县农业农村局（县乡村振兴局、县扶贫开发办公室）",
    "县教育体育局")
EXPLANATION = ("正文中所写的申请件数按本机关受理登记口径统计，包含了转办件和咨询件，与表三按政府信息"
               "公开申请口径统计的数字不同，经核对两者均无误，特此说明。")


def agency(i: int) -> Agency:
    return Agency(f"测试县第{i}号{NAMES[i % len(NAMES)]}", f"A{i:03d}", "部门")


def build_county(root: Path) -> tuple[Path, Path]:
    layout = layout_for()
    folder = root / "交回"
    folder.mkdir(parents=True)
    roster = write_roster(root / "名单.csv", map(agency, range(1, N + 1)))
    for i in range(1, N + 1):
        if i in MISSING:
            continue
        path = folder / workbook_filename(agency(i), YEAR)
        path.write_bytes(build_workbook(agency(i), WorkbookOptions(year=YEAR)))
        if i in UNTOUCHED:
            continue
        raw = {}
        if i in EXPLAINED:
            row = layout.check_rows["NARRATIVE-NUMBERS:on_request"]
            raw[(SHEET_CHECKS, row.explanation_address)] = EXPLANATION
        fill_workbook(path, layout, values=figures(i, broken=i in BROKEN), metadata=CONTACT,
                      narrative=narrative(stated=999 if i in EXPLAINED else None), raw=raw)
    return folder, roster


@dataclass
class Printed:
    xlsx: Path
    title: str  # the footer title before "·<sheet>"
    pages: list[str]  # pdftotext -raw, one string per page, whitespace removed

    def sheet_pages(self, sheet: str) -> list[str]:
        from ogi.workbook.print_setup import footer_title

        mark = squash(footer_title(f"{self.title}·{sheet}"))
        return [p for p in self.pages if mark in p]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def run_cli(args: list[str]) -> None:
    from ogi.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code in (0, 1), args


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The returned workbooks and the roster (built once; tests that change it take a copy)."""
    return build_county(tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="module")
def printed(county: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory, soffice: str,
            pdftotext: str, pytestconfig: pytest.Config) -> dict[str, Printed]:
    from ogi.files.libreoffice import convert

    folder, roster = county
    root = tmp_path_factory.mktemp("print")
    out = root / "out"
    out.mkdir()
    run_cli(["status", str(folder), "--roster", str(roster), "-o", str(out / "status.xlsx")])
    run_cli(["summary", str(folder), "--roster", str(roster), "-o", str(out / "summary.xlsx"), "-q"])
    blank_agency = agency(0)
    run_cli(["new", "--agency", blank_agency.name, "--year", str(YEAR), "-o", str(root), "-q"])
    (root / workbook_filename(blank_agency, YEAR)).rename(out / "blank.xlsx")
    # Next year's form of agency 1, prefilled from the workbook it returned this year.
    last_year = folder / workbook_filename(agency(1), YEAR)
    run_cli(["new", "--agency", agency(1).name, "--agency-id", agency(1).id, "--year",
             str(YEAR + 1), "--previous", str(last_year), "-o", str(root), "-q"])
    (root / workbook_filename(agency(1), YEAR + 1)).rename(out / "prefilled.xlsx")
    # ogi feedback: the 退改单 of an agency whose 表三 is out of balance, and the index (退改清单, 催报).
    run_cli(["feedback", str(folder), "--roster", str(roster), "-o", str(root / "feedback"), "-q"])
    slips = sorted((root / "feedback").rglob("退改单-*.xlsx"))
    slip = next(p for p in slips if f"第{min(BROKEN)}号" in p.name)
    shutil.copy(slip, out / "slip.xlsx")
    shutil.copy(root / "feedback" / "退改汇总.xlsx", out / "feedback_index.xlsx")
    names = ("status", "summary", "blank", "prefilled", "slip", "feedback_index")
    pdfs = convert([out / f"{n}.xlsx" for n in names], "pdf", root / "pdf")
    renders = Path(tempfile.mkdtemp(prefix="ogi-print-a4-"))
    titles = {"status": f"{YEAR}年政府信息公开工作年度报告交回进度",
              "summary": f"{YEAR}年政府信息公开工作年度报告汇总",
              "blank": f"{blank_agency.name}{YEAR}年政府信息公开工作年度报告填报表",
              "prefilled": f"{agency(1).name}{YEAR + 1}年政府信息公开工作年度报告填报表",
              "slip": agency(min(BROKEN)).name, "feedback_index": f"{YEAR}年退改汇总"}
    result = {}
    for name, pdf in zip(names, pdfs, strict=True):
        text = subprocess.run([pdftotext, "-raw", str(pdf), "-"], capture_output=True, check=True,
                              text=True, encoding="utf-8").stdout
        pages = [squash(p) for p in text.split("\f")]
        if pages and not pages[-1]:
            pages.pop()
        result[name] = Printed(out / f"{name}.xlsx", titles[name], pages)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-l", "4", str(pdf), str(renders / name)],
                       check=True)
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\nPNG renders of the first pages: {renders}")
    return result


def printed_sheets(path: Path) -> list[openpyxl.worksheet.worksheet.Worksheet]:
    wb = openpyxl.load_workbook(path)
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible"]


def hidden_columns(ws: openpyxl.worksheet.worksheet.Worksheet) -> set[str]:
    """Letters of the hidden columns (the 校验 sheet's rule ids): never printed."""
    out = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden:
            out.update(openpyxl.utils.get_column_letter(c) for c in range(dim.min, dim.max + 1))
    return out


def test_page_counts_within_budget(printed: dict[str, Printed]) -> None:
    for name, budget in BUDGET.items():
        assert 0 < len(printed[name].pages) <= budget, (name, len(printed[name].pages))
    prefilled = openpyxl.load_workbook(printed["prefilled"].xlsx)["基本信息"]
    assert any(c.value == CONTACT["address"] for row in prefilled.iter_rows() for c in row)


def test_every_page_has_footer_with_title_and_page_number(printed: dict[str, Printed]) -> None:
    for name, p in printed.items():
        total = len(p.pages)
        for n, page in enumerate(p.pages, start=1):
            assert squash(p.title)[:20] in page, (name, n)
            assert f"第{n}页/共{total}页" in page, (name, n)
        for ws in printed_sheets(p.xlsx):
            assert p.sheet_pages(ws.title), (name, ws.title)


def test_every_text_cell_prints_whole(printed: dict[str, Printed]) -> None:
    """No clipped cell: LibreOffice draws only the lines of a wrapped text that fit its row, so a
    cut text is missing its end in the PDF."""
    checked = 0
    for name, p in printed.items():
        for ws in printed_sheets(p.xlsx):
            text = "".join(p.sheet_pages(ws.title))
            hidden = hidden_columns(ws)
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.strip() \
                            and not cell.value.startswith("=") and cell.column_letter not in hidden:
                        assert squash(cell.value) in text, (name, ws.title, cell.coordinate,
                                                            cell.value)
                        checked += 1
    assert checked > 500


def test_list_pages_start_with_their_header(printed: dict[str, Printed]) -> None:
    """Every page of a sheet with title rows shows them (no page starts with bare data rows)."""
    seen = 0
    for name, p in printed.items():
        for ws in printed_sheets(p.xlsx):
            titles = ws.print_title_rows
            if not titles:
                # Sheets of blocks kept whole (tables, charts) need none; lists over pages do.
                assert len(p.sheet_pages(ws.title)) == 1 or ws.title in ("全县汇总表", "图表"), \
                    (name, ws.title)
                continue
            first, last = (int(x) for x in re.findall(r"\d+", titles)[:2])
            # With pages across, the repeated label columns' headers are on every page.
            across = openpyxl.utils.column_index_from_string(
                re.findall(r"[A-Z]+", ws.print_title_cols)[-1]) if ws.print_title_cols else None
            hidden = hidden_columns(ws)
            header = [squash(str(c.value))
                      for r in ws.iter_rows(min_row=first, max_row=last, max_col=across)
                      for c in r if c.value is not None and str(c.value).strip()
                      and c.column_letter not in hidden]
            pages = p.sheet_pages(ws.title)
            assert header and pages, (name, ws.title)
            for k, page in enumerate(pages):
                for h in header:
                    assert h in page, (name, ws.title, k, h)
            seen += len(pages)
    assert seen >= 8


def test_county_tables_are_not_split_from_their_captions(printed: dict[str, Printed]) -> None:
    layout = layout_for()
    pages = printed["summary"].sheet_pages("全县汇总表")
    for tl in layout.tables.values():
        caption = squash(tl.table.section)
        last_label = squash(tl.labels[-1].text)
        holding = [p for p in pages if caption in p]
        assert len(holding) == 1, tl.table.key
        assert last_label in holding[0], (tl.table.key, last_label)


def test_wide_sheets_print_across_with_labels_repeated(printed: dict[str, Printed]) -> None:
    """汇总 is too wide for one page at 70 %: its pages go across, each with the agency names."""
    pages = printed["summary"].sheet_pages("汇总")
    assert len(pages) >= 2
    ws = openpyxl.load_workbook(printed["summary"].xlsx)["汇总"]
    assert ws.print_title_cols == "$A:$B"
    assert all("测试县第" in p for p in pages)


def test_terminal_status_table_fits_100_columns(county: tuple[Path, Path], tmp_path: Path) -> None:
    from ogi.county.roster import read_roster
    from ogi.county.status import collect_status, format_table
    from ogi.workbook.print_setup import display_width

    folder = Path(shutil.copytree(county[0], tmp_path / "交回"))
    roster = county[1]
    # Agency 3 sent its workbook twice: the long note goes whole on lines of its own.
    newest = folder / workbook_filename(agency(3), YEAR)
    old = folder / "旧" / newest.name
    old.parent.mkdir()
    old.write_bytes(newest.read_bytes())
    os.utime(old, (1_700_000_000, 1_700_000_000))
    table = format_table(collect_status(folder, read_roster(roster), keep="counts"))
    lines = table.splitlines()
    assert max(display_width(line) for line in lines) <= 100, table
    notes = "".join(line.strip() for line in lines if line.startswith("    "))
    # (a byte-identical re-send: the ledger calls it one return sent twice, issue 14)
    assert "内容相同（重复发送），以" + newest.name + "为准" in notes.replace(" ", "")
    assert "缩短" in lines[-1]
    first = next(line for line in lines if line.startswith("测试县第1号"))
    assert first.split()[0].endswith("…")  # the whole name is in the workbook and --json


def test_each_chart_prints_on_a_page_of_its_own(printed: dict[str, Printed]) -> None:
    pages = printed["summary"].sheet_pages("图表")
    assert len(pages) == 2
    assert "收到申请与办理情况（件）" in pages[0] and "办理结果构成（件）" in pages[1]
