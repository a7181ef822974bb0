"""The county office's year through `ogi serve` in a real headless Chromium (Playwright).

A real `ogi serve` subprocess on a free port over a temporary year folder made by `ogi init`; Debian's
chromium driven through Playwright (never a downloaded browser). The walk: roster (a bad one first)
→ forms → zip download → returns filled from the downloaded forms as a clerk fills them, uploaded
at once (clean, broken, superseded, a neighbour's copy, an .ods, a zip attachment, the same file
twice) → the states the page shows are `ogi status`'s → one agency's problems → a fixed return →
reports generated and downloaded (the DOCX read back holds the agency's figures) → summary →
archive zip whose manifest verifies. A PNG of every page is saved for a person to look at.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import fill_workbook, narrative
from ogi.county import year as yearmod
from ogi.form.layout import layout_for
from ogi.workbook.xlsx_writer import Agency
from serve_helpers import Server, start  # also skips without the serve extra

YEAR = 2024
CONTACT = {"address": "彭阳县政府大院", "phone": "0954-1234567", "website": "彭阳县人民政府网站",
           "publish_date": "2025-01-20"}
AGENCIES = [Agency("彭阳县白阳镇人民政府", "A01", "乡镇街道"), Agency("彭阳县王洼镇人民政府", "A02", "乡镇街道"),
            Agency("彭阳县古城镇人民政府", "A03", "乡镇街道"), Agency("彭阳县交岔乡人民政府", "A04", "乡镇街道"),
            Agency("彭阳县教育局", "A05", "部门"), Agency("彭阳县卫生健康局", "A06", "部门"),
            *(Agency(f"彭阳县第{i}街道办事处", f"B{i:02d}", "乡镇街道") for i in range(1, 13))]
EXTRA = range(6, len(AGENCIES))  # plain clean returns, so that the walk uploads 20 files
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SLOW = 300_000  # ms: report generation converts PDFs with LibreOffice when it is present


def figures(i: int, *, broken: bool = False) -> dict[str, int]:
    n1, c1 = 3 + i, i % 2
    granted = n1 // 2
    return {"t3.new_received.natural_person": n1, "t3.carried_over.natural_person": c1,
            "t3.granted.natural_person": granted,
            "t3.carry_forward.natural_person": n1 + c1 - granted + (1 if broken else 0),
            "t2.normative_docs.valid": 100 + i, "t2.regulations.made": i}


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def year_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    root = tmp_path_factory.mktemp("serve_year")
    r = subprocess.run([sys.executable, "-m", "ogi", "init", str(YEAR), str(root / "2024年度"),
                        "--deadline", "2025年1月20日"], capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 0, r.stderr
    server = start(root / "2024年度")
    yield server, root / "2024年度"
    _code, out = server.stop()
    assert "已停止" in out and "Traceback" not in out, out
    assert not (root / "2024年度" / yearmod.LOCK_FILE).exists()


def ogi_status(folder: Path) -> dict[str, str]:
    r = subprocess.run([sys.executable, "-m", "ogi", "status", str(folder / "交回"), "--roster",
                        str(folder / "机关名单.csv"), "--year", str(YEAR), "--json"],
                       capture_output=True, text=True, encoding="utf-8")
    return {f"{row['agency']}|{row['file']}": row["status"] for row in json.loads(r.stdout)["results"][0]["rows"]}


def page_status(page: object) -> dict[str, str]:
    rows = page.locator("#status-table tr").all()[1:]  # type: ignore[attr-defined]
    out = {}
    for row in rows:
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        out[f"{cells[0] if cells[0] != '（无法识别）' else ''}|{cells[4]}"] = cells[1]
    return out


def test_the_year_in_the_browser(browser: object, year_server: tuple[Server, Path],
                                 tmp_path_factory: pytest.TempPathFactory) -> None:
    server, folder = year_server
    expect = pytest.importorskip("playwright.sync_api").expect  # waits and retries, unlike count()
    work = tmp_path_factory.mktemp("clerk")
    shots = tmp_path_factory.mktemp("screenshots")
    context = browser.new_context(accept_downloads=True, locale="zh-CN",  # type: ignore[attr-defined]
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def shot(name: str) -> None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    def nav(label: str) -> None:
        page.click(f"nav >> text={label}")
        page.wait_for_load_state()

    def run_job(button: str) -> None:
        # The page posts the job, polls it and reloads when it ends; the reloaded page shows the
        # finished job once its own first poll returns (asynchronously: wait for it, never sample).
        with page.expect_navigation(timeout=SLOW):
            page.click(f"button:text('{button}')")
        page.wait_for_load_state()
        expect(page.locator("#job.done")).to_have_count(1, timeout=SLOW)

    page.goto(server.url)
    assert "上传机关名单" in page.inner_text("#next-step")
    shot("01-总览-空")

    # ---- roster: a bad one is shown with its row number and not saved; then the real one --------
    nav("名单与填报表")
    bad = work / "名单有误.csv"
    bad.write_text("机关名称,编号\n彭阳县白阳镇人民政府,A01\n,A02\n", encoding="gbk")
    page.set_input_files("#roster-file", str(bad))
    page.click("#roster-preview")
    assert "第 3 行" in page.inner_text("#roster-problem")
    assert yearmod.open_year(folder).roster_file is None
    shot("02-名单-有误")
    good = work / "机关名单.csv"
    with good.open("w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "机关名称", "机关类型"])
        w.writerows([a.id, a.name, a.type] for a in AGENCIES)
    page.set_input_files("#roster-file", str(good))
    assert page.inner_text("#roster-name") == "机关名单.csv"
    page.click("#roster-preview")
    page.wait_for_load_state()
    expect(page.locator("#roster-pending tr")).to_have_count(len(AGENCIES) + 1)
    shot("03-名单-预览")
    page.click("#roster-confirm")
    page.wait_for_load_state()
    assert f"当前名单：{len(AGENCIES)} 个机关" in page.inner_text("main")
    assert (folder / "机关名单.csv").read_bytes() == good.read_bytes()

    # ---- forms, downloaded as one zip ------------------------------------------------------------
    run_job("为名单中的每个机关生成填报表")
    assert page.locator("#forms li").count() == len(AGENCIES)
    shot("04-填报表")
    with page.expect_download() as dl:
        page.click("#forms-zip")
    forms_zip = work / "填报表.zip"
    dl.value.save_as(forms_zip)
    forms = work / "填报表"
    with zipfile.ZipFile(forms_zip) as zf:
        zf.extractall(forms)
    assert len(list(forms.glob("*.xlsx"))) == len(AGENCIES)

    def form_of(a: Agency) -> Path:
        return next(p for p in forms.glob("*.xlsx") if a.name in p.name)

    layout = layout_for()
    returns = work / "收件"
    returns.mkdir()

    def filled(i: int, name: str, *, broken: bool = False, source: Agency | None = None,
               metadata: dict[str, str] | None = None) -> Path:
        out = returns / name
        shutil.copy(form_of(source or AGENCIES[i]), out)
        return fill_workbook(out, layout, values=figures(i, broken=broken),
                             metadata={**CONTACT, **(metadata or {})}, narrative=narrative())

    clean = filled(0, "白阳镇年报.xlsx")
    broken = filled(1, "王洼镇.xlsx", broken=True)
    old = filled(2, "古城镇（第一次）.xlsx", broken=True)
    time.sleep(1.1)  # the workbook's own save time (seconds) decides which return counts
    newer = filled(2, "古城镇（修改后）.xlsx")
    # 交岔乡 took 教育局's workbook and changed only the visible name.
    copied = filled(3, "交岔乡.xlsx", source=AGENCIES[4], metadata={"agency_name": AGENCIES[3].name})
    attachment = returns / "教育局附件.zip"
    with zipfile.ZipFile(attachment, "w") as zf:
        zf.write(filled(4, "教育局.xlsx"), "教育局.xlsx")
    ods = returns / "卫生健康局.ods"
    ods.write_bytes(_ods_of(filled(5, "卫生健康局-原.xlsx"), work))
    plain = [filled(i, f"{AGENCIES[i].name}.xlsx") for i in EXTRA]
    uploads = [clean, broken, old, newer, copied, attachment, ods, *plain, clean]  # clean twice: one copy
    assert len(uploads) == 20

    # ---- upload them all at once -----------------------------------------------------------------
    nav("交回")
    shot("05-交回-空")
    with page.expect_navigation(timeout=SLOW):
        page.set_input_files("#files", [str(p) for p in uploads])
    received = sorted(p.name for p in (folder / "交回").iterdir())
    assert len(received) == len(uploads) - 1  # the second 白阳镇 upload was the same bytes
    assert received == sorted({p.name for p in uploads})
    for p in uploads:
        assert (folder / "交回" / p.name).read_bytes() == p.read_bytes()
    shown = page_status(page)
    assert shown == ogi_status(folder), "the page and `ogi status` must say the same"
    assert shown[f"{AGENCIES[0].name}|白阳镇年报.xlsx"] in ("通过", "有警告")
    assert shown[f"{AGENCIES[1].name}|王洼镇.xlsx"] == "有错误"
    old_row = page.locator("#status-table tr", has_text="古城镇（第一次）.xlsx")
    assert "不计入" in old_row.inner_text() and "old" in (old_row.get_attribute("class") or "")
    # The ledger's answers: the zip attachment's member is 教育局's return; the neighbour's copy
    # counts for nobody and names both agencies; the .ods is 卫生健康局's return with the fix.
    assert shown[f"{AGENCIES[4].name}|教育局附件.zip/教育局.xlsx"] in ("通过", "有警告")
    copied_row = page.locator("#status-table tr.notcounted", has_text="交岔乡.xlsx").inner_text()
    assert "不计入" in copied_row and AGENCIES[4].name in copied_row and AGENCIES[3].name in copied_row
    assert "另存为 .xlsx" in page.locator("#status-table tr", has_text="卫生健康局.ods").inner_text()
    assert page.locator("#other-files li").count() == 0
    for link in page.locator("#status-table a[href^='/download/']").all():  # every file downloads
        got = page.request.get(server.url.rstrip("/") + (link.get_attribute("href") or ""))
        assert got.status == 200 and got.headers["content-disposition"].startswith("attachment")
    shot("06-交回-已上传")

    # ---- one agency's problems; the 催报 list ---------------------------------------------------
    nav("机关")
    assert AGENCIES[3].name in page.inner_text("#remind-list")  # sent only a copy of 教育局's
    run_job("生成退改材料（修改表、退改单、邮件草稿、催报通知）")
    shot("07-机关-催报")
    page.click(f"#status-table a:text('{AGENCIES[1].name}')")
    page.wait_for_load_state()
    assert "需要修改的问题" in page.inner_text("main") and "表三" in page.inner_text("main")
    names = page.inner_text("#feedback-files")
    assert ".eml" in names and "通知.txt" in names
    with page.expect_download() as dl:
        page.locator("#feedback-files a", has_text=".xlsx").first.click()
    annotated = work / dl.value.suggested_filename
    dl.value.save_as(annotated)
    import openpyxl

    book = openpyxl.load_workbook(annotated)
    assert any(c.comment is not None for ws in book.worksheets for row in ws.iter_rows() for c in row)
    shot("08-机关-王洼镇")

    # ---- the fixed return -----------------------------------------------------------------------
    fixed = filled(1, "王洼镇（已改）.xlsx")
    nav("交回")
    with page.expect_navigation(timeout=SLOW):
        page.set_input_files("#files", str(fixed))
    shown = page_status(page)
    assert shown == ogi_status(folder)
    assert shown[f"{AGENCIES[1].name}|王洼镇（已改）.xlsx"] in ("通过", "有警告")

    # ---- reports ---------------------------------------------------------------------------------
    nav("年报")
    run_job("生成年报")
    shot("09-年报")
    rows = page.locator("#reports tr").all()[1:]
    assert len(rows) >= 3
    with page.expect_download() as dl:
        page.locator("#reports tr", has_text="白阳镇").locator("a:text('Word')").click()
    docx = work / dl.value.suggested_filename
    dl.value.save_as(docx)
    assert docx.name == f"{YEAR}年彭阳县白阳镇人民政府政府信息公开工作年度报告.docx"
    import docx as python_docx

    document = python_docx.Document(str(docx))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text.strip() for t in document.tables for r in t.rows for c in r.cells]
    assert "彭阳县白阳镇人民政府" in text
    assert str(figures(0)["t2.normative_docs.valid"]) in cells
    from ogi.importers import import_report

    read_back = import_report(docx).report
    for key, value in figures(0).items():
        assert read_back.values[key] == value, key
    page.locator("#reports tr", has_text="白阳镇").locator("a.preview").click()
    assert page.is_visible("#preview")
    frame = page.frame(name="preview")
    assert frame is not None
    frame.wait_for_load_state()
    assert "彭阳县白阳镇人民政府" in frame.inner_text("body")
    shot("10-年报-预览")

    # ---- summary ---------------------------------------------------------------------------------
    nav("汇总")
    run_job("生成汇总表（汇总.xlsx）")
    from ogi.county.summary import build_summary

    library = build_summary(folder / "交回", yearmod.open_year(folder).read_roster(), year=YEAR)
    assert page.locator("#chart rect").count() == len(library.rows) >= 3
    county = page.inner_text("#county")
    assert "三、收到和处理政府信息公开申请情况" in county and "（七）总计" in county
    for key in ("t2.normative_docs.valid", "t3.new_received.total", "t3.carry_forward.natural_person"):
        assert f"\t{library.totals[key]}" in county or f"{library.totals[key]}\t" in county, key
    with page.expect_download() as dl:
        page.click("#summary-download")
    summary = work / dl.value.suggested_filename
    dl.value.save_as(summary)
    assert summary.name == "汇总.xlsx"
    wb = openpyxl.load_workbook(summary)
    assert "汇总" in wb.sheetnames
    shot("11-汇总")

    # ---- archive ---------------------------------------------------------------------------------
    nav("归档")
    run_job("生成归档")
    assert "核对无误" in page.inner_text("#archives")
    with page.expect_download() as dl:
        page.locator("#archives a").first.click()
    archive = work / "归档.zip"
    dl.value.save_as(archive)
    r = subprocess.run([sys.executable, "-m", "ogi", "archive", "--verify", str(archive)],
                       capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 0, r.stdout
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
    assert {"机关名单.csv", "汇总.xlsx", "交回/王洼镇（已改）.xlsx", f"年报/{docx.name}"} <= names
    shot("12-归档")

    nav("总览")
    shot("13-总览")
    assert not page.is_visible("#old-browser")
    # Opened in an old IE mode (document.documentMode set, as IE and 360/QQ 兼容模式 do): the page says so.
    old = context.new_page()
    old.add_init_script("Object.defineProperty(document, 'documentMode', {value: 7})")
    old.goto(server.url)
    assert old.is_visible("#old-browser") and "极速模式" in old.inner_text("#old-browser")
    old.close()
    assert not errors, errors
    print(f"\nscreenshots: {shots}")
    context.close()


def _ods_of(xlsx: Path, work: Path) -> bytes:
    """The workbook as LibreOffice saves it (.ods) when LibreOffice is here; otherwise a minimal
    OpenDocument package (the page keeps it as received either way)."""
    from ogi.files.libreoffice import LibreOfficeError, convert, find_soffice

    if find_soffice():
        try:
            return convert([xlsx], "ods", work / "ods")[0].read_bytes()
        except LibreOfficeError:
            pass
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    return buffer.getvalue()
