"""`ogi feedback` end to end, on real files.

A returns folder as it arrives: a clean return, a broken one (text in a number cell, 表三 out of
balance, a total typed over, a formula as the 发布日期, a warning with and without 说明), an agency
that sent a broken file and later a clean one (superseded), a return ogi cannot read, an agency whose
name is unsafe as a file name, and a roster agency with no return. The annotated copy is read back
with openpyxl (comments, exact values, 说明), fixed as a clerk would, its problem sheet deleted, and
then `ogi check` passes and the returns folder takes it as the agency's return. Every .eml is parsed
with Python's `email` package.
"""

from __future__ import annotations

import email
import email.header
import os
import re
import subprocess
import sys
from email import policy
from pathlib import Path

import openpyxl
import pytest

from conftest import balanced_values, fill_workbook, input_values
from ogi.county.feedback import finding_cells
from ogi.county.status import collect_status
from ogi.form.layout import SHEET_CHECKS, SHEET_FEEDBACK, layout_for
from ogi.workbook.checker import check_workbook
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

YEAR = 2023
LAYOUT = layout_for()
SPEC = LAYOUT.spec
CONTACT = {"address": "测试县政府大院", "phone": "0954-1234567", "website": "测试县人民政府网站",
           "publish_date": "2024-01-20"}
CLEAN = Agency("测试县清水镇人民政府", "A001", "乡镇街道")
BROKEN = Agency("测试县城关/东区街道办事处", "A002", "乡镇街道")  # "/" is unsafe in a file name
LATER = Agency("测试县后补乡人民政府", "A003", "乡镇街道")
DAMAGED = Agency("测试县坏文件镇人民政府", "A004", "乡镇街道")
MISSING = Agency("测试县未交镇人民政府", "A005", "乡镇街道")
EMAIL = {CLEAN: "qs@example.cn", BROKEN: "cg@example.cn", LATER: "hb@example.cn",
         DAMAGED: "hw@example.cn", MISSING: "wj@example.cn"}
TEXT_KEY = "t3.granted.commercial"  # gets "3件"
EXPLANATION = "本年制发件数含一件上年底印发的文件，已核实无误。"


def narrative(stated: int | None = None) -> dict[str, str]:
    text = {n.key: f"本机关{YEAR}年{n.label}方面按要求开展了工作。" for n in SPEC.narrative}
    if stated is not None:
        text["on_request"] = f"{YEAR}年共收到政府信息公开申请{stated}件。"
    return text


def make_return(folder: Path, agency: Agency, name: str, *, values: dict | None = None,
                raw: dict | None = None, stated: int | None = None, mtime: float | None = None,
                metadata: dict | None = None) -> Path:
    path = folder / name
    path.write_bytes(build_workbook(agency, WorkbookOptions(year=YEAR, deadline="2024年1月20日")))
    fill_workbook(path, LAYOUT, values=values or input_values(SPEC, balanced_values(SPEC, 3)),
                  metadata={**CONTACT, **(metadata or {})}, narrative=narrative(stated), raw=raw)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def broken_values() -> dict:
    values = input_values(SPEC, balanced_values(SPEC, 5))
    values["t3.carry_forward.natural_person"] = values["t3.carry_forward.natural_person"] + 2  # type: ignore[operator]
    return values


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("county")
    returns = root / "交回"
    (returns / "城关").mkdir(parents=True)
    make_return(returns, CLEAN, "清水镇.xlsx")
    checks = LAYOUT.check_rows
    narrative_rule = "NARRATIVE-NUMBERS:on_request"
    make_return(returns / "城关", BROKEN, "城关.xlsx", values=broken_values(), stated=999,
                raw={LAYOUT.address(TEXT_KEY): "3件",
                     (SHEET_CHECKS, checks[narrative_rule].explanation_address): "",
                     (SHEET_CHECKS, checks["T3-BALANCE:commercial"].explanation_address): EXPLANATION,
                     LAYOUT.address("t3.result_total.research"): 77,
                     (LAYOUT.meta_fields["publish_date"].sheet,
                      LAYOUT.meta_fields["publish_date"].address): "=TODAY()"})
    make_return(returns, LATER, "后补乡-第一次.xlsx", values=broken_values(), mtime=1_700_000_000)
    make_return(returns, LATER, "后补乡-第二次.xlsx")
    damaged = make_return(returns, DAMAGED, "坏文件镇.xlsx")
    wb = openpyxl.load_workbook(damaged)  # a workbook of another template version
    hidden = wb["ogi_meta"]
    for row in hidden.iter_rows():
        if row[0].value == "template_version":
            row[1].value = "99"
    wb.save(damaged)
    truncated = (returns / "清水镇.xlsx").read_bytes()[:3000]  # a mail attachment cut short
    (returns / "损坏.xlsx").write_bytes(truncated)
    roster = root / "名单.csv"
    rows = ["机关名称,邮箱,编号,机关类型,联系人,电话"]
    for a in (CLEAN, BROKEN, LATER, DAMAGED, MISSING):
        rows.append(f"{a.name},{EMAIL[a]},{a.id},乡镇,{a.name[3:5]}联系人,0954-{a.id[1:]}")
    roster.write_bytes("\n".join(rows).encode("gbk"))
    out = root / "退改"
    proc = subprocess.run([sys.executable, "-m", "ogi", "feedback", str(returns), "--roster", str(roster),
                           "-o", str(out), "--deadline", "2024年1月25日"],
                          capture_output=True, text=True, check=False)
    return {"root": root, "returns": returns, "roster": roster, "out": out, "proc": proc}  # type: ignore[dict-item]


def _folder(county: dict, agency: Agency) -> Path:
    return county["out"] / agency.name.replace("/", "_")


def _copy(county: dict, agency: Agency) -> Path:
    (path,) = [p for p in _folder(county, agency).glob("*.xlsx") if not p.name.startswith("退改单")]
    return path


def test_screen_lines_and_exit_code(county: dict) -> None:
    proc = county["proc"]
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert BROKEN.name in out and DAMAGED.name in out and "尚未报送" in out
    assert CLEAN.name not in out and LATER.name not in out  # clean, and superseded by a clean file
    lines = [line for line in out.splitlines() if "→" in line]
    assert len(lines) == 4  # one line per agency written for, and the file no agency can be told for
    assert "Traceback" not in proc.stderr


def test_nothing_written_into_the_returns_folder(county: dict) -> None:
    names = sorted(p.relative_to(county["returns"]).as_posix() for p in county["returns"].rglob("*"))
    assert names == ["后补乡-第一次.xlsx", "后补乡-第二次.xlsx", "坏文件镇.xlsx", "城关", "城关/城关.xlsx",
                     "损坏.xlsx", "清水镇.xlsx"]


def test_folders_per_agency(county: dict) -> None:
    out = county["out"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["测试县城关_东区街道办事处", DAMAGED.name, "无法识别的文件-损坏", "催报", "退改汇总.xlsx"])
    broken = sorted(p.name for p in _folder(county, BROKEN).iterdir())
    assert broken == sorted([f"{YEAR}年测试县城关_东区街道办事处政府信息公开工作年度报告填报表（修改）.xlsx",
                             "退改单-测试县城关_东区街道办事处.xlsx", "通知.txt",
                             "邮件-测试县城关_东区街道办事处.eml"])
    damaged = sorted(p.name for p in _folder(county, DAMAGED).iterdir())
    assert damaged == sorted([f"退改单-{DAMAGED.name}.xlsx", "通知.txt", f"邮件-{DAMAGED.name}.eml"])


def test_annotated_copy_keeps_what_the_township_entered(county: dict) -> None:
    original = county["returns"] / "城关" / "城关.xlsx"
    copy = _copy(county, BROKEN)
    wb_o = openpyxl.load_workbook(original)
    wb_c = openpyxl.load_workbook(copy)
    assert wb_c.sheetnames[0] == SHEET_FEEDBACK
    for key in SPEC.input_keys:
        sheet, addr = LAYOUT.address(key)
        assert wb_c[sheet][addr].value == wb_o[sheet][addr].value, key
    sheet, addr = LAYOUT.address(TEXT_KEY)
    assert wb_c[sheet][addr].value == "3件"
    fc = LAYOUT.meta_fields["publish_date"]
    assert wb_c[fc.sheet][fc.address].value == "=TODAY()"  # kept as entered (as text), still an error
    for key, fc in LAYOUT.narrative_fields.items():
        assert wb_c[fc.sheet][fc.address].value == wb_o[fc.sheet][fc.address].value, key
    row = LAYOUT.check_rows["T3-BALANCE:commercial"]
    assert wb_c[SHEET_CHECKS][row.explanation_address].value == EXPLANATION
    # The typed-over total is a formula again.
    sheet, addr = LAYOUT.address("t3.result_total.research")
    assert str(wb_c[sheet][addr].value).startswith("=")


def test_every_problem_cell_has_a_comment_and_is_listed(county: dict) -> None:
    copy = _copy(county, BROKEN)
    checked = check_workbook(copy)
    problems = [f for f in checked.findings if f.severity == "error" or not f.explained]
    assert {f.code for f in problems} >= {"VALUE-TEXT", "T3-BALANCE", "TEXT-FORMULA", "NARRATIVE-NUMBER"}
    wb = openpyxl.load_workbook(copy)
    for f in problems:
        cells = finding_cells(f, LAYOUT)
        assert cells, f
        for sheet, addr in cells:
            comment = wb[sheet][addr].comment
            assert comment is not None, (f.code, sheet, addr)
            assert f.message in comment.text
            assert not re.search(r"[A-Z]\d-[A-Z]+|T3-|XLSX-|VALUE-", comment.text), comment.text
            assert not wb[sheet][addr].protection.locked, (sheet, addr)  # a cell a clerk can type into
    # The balance names the 表三 input cells of its column, not the locked check row.
    balance = next(f for f in problems if f.code == "T3-BALANCE")
    cells = finding_cells(balance, LAYOUT)
    assert LAYOUT.address("t3.carry_forward.natural_person") in cells
    assert balance.cell not in {addr for _, addr in cells}
    sheet = wb[SHEET_FEEDBACK]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=5) if r[0].value]
    assert len(rows) == len(problems)
    for row in rows:
        assert not re.search(r"T3-|XLSX-|VALUE-|META-|NARRATIVE-", "".join(str(v) for v in row[:-1]))
    assert {row[-1] for row in rows} == {f.code for f in problems}  # codes only in the last column
    assert not any(re.search(r"\b[A-Z]{1,2}\d+\b", str(row[1])) and "表三 D33" in str(row[1]) for row in rows)


def test_fixed_copy_passes_and_is_taken_as_the_return(county: dict, tmp_path: Path) -> None:
    copy = _copy(county, BROKEN)
    fixed = tmp_path / "交回" / copy.name
    fixed.parent.mkdir()
    values = broken_values()
    values["t3.carry_forward.natural_person"] = values["t3.carry_forward.natural_person"] - 2  # type: ignore[operator]
    wb = openpyxl.load_workbook(copy)
    del wb[SHEET_FEEDBACK]
    wb.save(fixed)
    total = sum(values[k] for k in SPEC.input_keys if k.startswith("t3.new_received"))  # type: ignore[misc]
    fill_workbook(fixed, LAYOUT, values=values,
                  metadata={"publish_date": "2024-01-20"},
                  narrative={"on_request": f"{YEAR}年共收到政府信息公开申请{total}件。"})
    checked = check_workbook(fixed)
    errors = [f for f in checked.findings if f.severity == "error"]
    assert checked.exit_code == 0, errors
    assert not any(f.code == "XLSX-SHEET-EXTRA" for f in checked.findings)
    # Beside the original return, the fixed copy (newer) is the one that counts.
    original = county["returns"] / "城关" / "城关.xlsx"
    old = tmp_path / "交回" / "城关.xlsx"
    old.write_bytes(original.read_bytes())
    os.utime(old, (1_700_000_000, 1_700_000_000))
    status = collect_status(tmp_path / "交回")
    current = [r for r in status.results if r.current]
    assert [r.file.path.name for r in current] == [copy.name]
    assert current[0].identity is not None and current[0].identity.agency_id == BROKEN.id
    assert current[0].status == "通过"


def test_copy_kept_with_problem_sheet_is_still_read(county: dict) -> None:
    checked = check_workbook(_copy(county, BROKEN))
    assert checked.report is not None and checked.report.agency_name == BROKEN.name
    assert not any(f.code.startswith("XLSX-") for f in checked.findings)


def test_mail_drafts(county: dict) -> None:
    folder = _folder(county, BROKEN)
    (eml,) = folder.glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["X-Unsent"] == "1"
    assert msg["To"] == EMAIL[BROKEN]
    assert BROKEN.name in msg["Subject"]
    body = msg.get_body(("plain",)).get_content()
    notice = (folder / "通知.txt").read_text(encoding="utf-8-sig")
    assert body.replace("\r\n", "\n").strip() == notice.strip()
    attachments = {part.get_filename(): part.get_payload(decode=True) for part in msg.iter_attachments()}
    copy = _copy(county, BROKEN)
    assert attachments[copy.name] == copy.read_bytes()
    slip = folder / f"退改单-{copy.parent.name}.xlsx"
    assert attachments[slip.name] == slip.read_bytes()
    raw = eml.read_bytes().decode("ascii")  # 7-bit clean: every Chinese name encoded
    assert "\r\n" in raw and not re.search(r"[^\r]\n", raw)  # RFC 5322 line ends
    assert max(len(line) for line in raw.split("\r\n")) <= 998
    assert re.search(r"filename\*(0\*)?=utf-8''", raw)  # RFC 2231
    assert re.search(r'name="=\?utf-8\?b\?', raw)  # RFC 2047, for Outlook
    for part in msg.iter_attachments():
        assert str(email.header.make_header(email.header.decode_header(part.get_param("name")))) \
            == part.get_filename()
    # The damaged return: the 退改单 alone, saying why and how to re-save.
    (eml,) = _folder(county, DAMAGED).glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["To"] == EMAIL[DAMAGED] and msg["X-Unsent"] == "1"
    assert [p.get_filename() for p in msg.iter_attachments()] == [f"退改单-{DAMAGED.name}.xlsx"]
    # The agency that sent nothing: a 催报 mail.
    (eml,) = (county["out"] / "催报" / MISSING.name).glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["To"] == EMAIL[MISSING] and msg["X-Unsent"] == "1"
    assert "尚未报送" in msg.get_body(("plain",)).get_content()


def test_notice_and_slip_are_readable_without_codes(county: dict) -> None:
    notice = (_folder(county, BROKEN) / "通知.txt").read_text(encoding="utf-8-sig")
    assert "3件" in notice and "2024年1月25日" in notice
    assert not re.search(r"T3-|XLSX-|VALUE-|META-|NARRATIVE-|[A-Z]\d+-", notice)
    slip = openpyxl.load_workbook(_folder(county, BROKEN) / "退改单-测试县城关_东区街道办事处.xlsx")
    ws = slip.active
    texts = [[str(c.value or "") for c in row] for row in ws.iter_rows()]
    flat = "\n".join("".join(r) for r in texts)
    assert BROKEN.name in flat and "城关.xlsx" in flat and f"{YEAR}年" in flat
    header = next(i for i, r in enumerate(texts) if r[0] == "序号")
    for row in texts[header + 1:]:
        if row[0].isdigit():
            assert row[1] and row[4] and row[5]  # 表, problem with figures, fix
            assert not re.search(r"T3-|XLSX-|VALUE-", "".join(row[:-1]))
    damaged = openpyxl.load_workbook(_folder(county, DAMAGED) / f"退改单-{DAMAGED.name}.xlsx").active
    flat = "\n".join(str(c.value or "") for row in damaged.iter_rows() for c in row)
    assert "坏文件镇.xlsx" in flat and "无法读取" in flat and "另存为" in flat
    unknown = county["out"] / "无法识别的文件-损坏"
    assert sorted(p.name for p in unknown.iterdir()) == sorted(
        ["退改单-无法识别的文件-损坏.xlsx", "通知.txt", "邮件-无法识别的文件-损坏.eml"])
    notice = (unknown / "通知.txt").read_text(encoding="utf-8-sig")
    assert "损坏.xlsx" in notice and "另存为" in notice and "无法读取" in notice


def test_index_workbook_and_reminders(county: dict) -> None:
    wb = openpyxl.load_workbook(county["out"] / "退改汇总.xlsx")
    assert wb.sheetnames == ["退改清单", "催报"]
    listed = [r[1].value for r in wb["退改清单"].iter_rows(min_row=2)]
    assert listed == [BROKEN.name, DAMAGED.name, "无法识别的文件"]
    reminders = [[c.value for c in r] for r in wb["催报"].iter_rows(min_row=2)]
    assert reminders == [["1", MISSING.name, "未交联系人", "0954-005", EMAIL[MISSING], "2024年1月25日"]]
    notice = (county["out"] / "催报" / MISSING.name / "通知.txt").read_text(encoding="utf-8-sig")
    assert MISSING.name in notice and "2024年1月25日" in notice


def test_output_inside_the_returns_folder_is_refused(county: dict) -> None:
    proc = subprocess.run([sys.executable, "-m", "ogi", "feedback", str(county["returns"]),
                           "-o", str(county["returns"] / "退改")], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 2 and "交回" in proc.stderr and "Traceback" not in proc.stderr
    assert not (county["returns"] / "退改").exists()


def test_pdf_slip_reads_as_the_xlsx(county: dict, soffice: str, pdftotext: str, tmp_path: Path) -> None:
    """--pdf: one LibreOffice run over every 退改单; the PDF says what the xlsx says, on A4."""
    from ogi.county.feedback import prepare, write_feedback

    returns = tmp_path / "交回"
    returns.mkdir()
    (returns / "城关.xlsx").write_bytes((county["returns"] / "城关" / "城关.xlsx").read_bytes())
    result = prepare([returns], deadline="2024年1月25日")
    written = write_feedback(result, tmp_path / "退改", pdf=True)
    (pdf,) = [p for p in written if p.suffix == ".pdf"]
    assert pdf.name == "退改单-测试县城关_东区街道办事处.pdf"
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    squeezed = re.sub(r"\s+", "", text)
    assert "退改单" in squeezed and BROKEN.name in squeezed and "城关.xlsx" in squeezed
    assert "这里应填数字，现在是“3件”" in squeezed
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())  # type: ignore[union-attr]
    assert (round(width), round(height)) == (842, 595)  # A4 landscape


def test_inserted_row_gives_one_problem_not_a_blank_per_cell(tmp_path: Path) -> None:
    """Rows inserted in 表三: its numbers cannot be read by position; the copy leaves them blank and
    says so once, with the sheet, instead of listing every blank cell."""
    from ogi.county.feedback import annotate

    path = make_return(tmp_path, CLEAN, "插入行.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["表三"].protection.sheet = False
    wb["表三"].insert_rows(8)
    wb.save(path)
    data, problems, _repaired, checked = annotate(path)
    assert any(f.code == "XLSX-ROWS-SHIFTED" for f in checked.findings)
    shifted = [p for p in problems if p.finding.code == "XLSX-ROWS-SHIFTED"]
    assert len(shifted) == 1 and "重新填入" in shifted[0].fix
    assert not any(p.finding.code == "VALUE-BLANK" and p.finding.sheet == "表三" for p in problems)
    assert len(problems) < 10
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(data)
    first = openpyxl.load_workbook(copy)[SHEET_FEEDBACK]
    assert any("重新填入" in str(c.value) for row in first.iter_rows() for c in row)


def test_check_sees_exactly_the_townships_values(county: dict) -> None:
    """The copy's check says what the original's says, except what the rebuild repaired (the
    typed-over total, which is a formula again, and the problems that followed from it)."""
    original = check_workbook(county["returns"] / "城关" / "城关.xlsx")
    copy = check_workbook(_copy(county, BROKEN))
    assert copy.report is not None and original.report is not None
    assert copy.report.values == original.report.values
    assert copy.report.narrative == original.report.narrative
    assert copy.report.explanations == original.report.explanations
    assert {k: v for k, v in copy.report.metadata.items()} == original.report.metadata

    def essence(result: object) -> set[tuple[str, str, str]]:
        return {(f.code, f.key, f.message) for f in result.findings  # type: ignore[attr-defined]
                if not f.code.startswith("XLSX-")}

    assert essence(copy) == essence(original)


def test_json_carries_the_codes(county: dict, tmp_path: Path) -> None:
    """`--json` is the one document every command prints (validated against the schema), its one
    result the round: every agency's problems with their codes and cells."""
    import ogi_json

    proc = subprocess.run([sys.executable, "-m", "ogi", "feedback", str(county["returns"]), "--roster",
                           str(county["roster"]), "-o", str(tmp_path / "退改"), "--json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    document = ogi_json.loads(proc.stdout, "feedback")
    assert document["exit_code"] == 1
    (data,) = document["results"]
    assert data["type"] == "feedback" and data["file"] == str(tmp_path / "退改")
    assert data["errors"] == sum(a["errors"] for a in data["agencies"]) > 0
    broken = next(a for a in data["agencies"] if a["agency"] == BROKEN.name)
    assert broken["email"] == EMAIL[BROKEN]
    codes = {p["code"] for p in broken["problems"]}
    assert {"VALUE-TEXT", "T3-BALANCE"} <= codes
    balance = next(p for p in broken["problems"] if p["code"] == "T3-BALANCE")
    assert "表三!" + LAYOUT.address("t3.carry_forward.natural_person")[1] in balance["cells"]
    assert [r["agency"] for r in data["not_returned"]] == [MISSING.name]
    assert CLEAN.name in data["passed"]


def test_second_run_into_the_same_folder_refuses_before_writing(county: dict) -> None:
    before = sorted(p for p in county["out"].rglob("*"))
    stamps = {p: p.stat().st_mtime_ns for p in before if p.is_file()}
    argv = [sys.executable, "-m", "ogi", "feedback", str(county["returns"]), "--roster",
            str(county["roster"]), "-o", str(county["out"])]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "已存在" in proc.stderr and "--overwrite" in proc.stderr
    assert sorted(p for p in county["out"].rglob("*")) == before
    assert all(p.stat().st_mtime_ns == t for p, t in stamps.items())


def test_names_that_become_one_file_name_get_two_folders(tmp_path: Path) -> None:
    from ogi.county.feedback import prepare, write_feedback

    returns = tmp_path / "交回"
    returns.mkdir()
    a, b = Agency("测试县甲/乙镇人民政府", "B1"), Agency("测试县甲_乙镇人民政府", "B2")
    make_return(returns, a, "a.xlsx", values=broken_values())
    make_return(returns, b, "b.xlsx", values=broken_values())
    result = prepare([returns])
    assert sorted(fb.folder for fb in result.sent) == ["测试县甲_乙镇人民政府", "测试县甲_乙镇人民政府_2"]
    written = write_feedback(result, tmp_path / "退改", protect=[returns])
    assert len({p.parent for p in written if p.suffix == ".eml"}) == 2


def test_last_years_workbook_and_an_xls_are_sent_back_with_their_fix(tmp_path: Path) -> None:
    """An agency whose only file is last year's workbook is told it cannot be used and to fill this
    year's; an .xls named after a roster agency gets the save-as fix."""
    from ogi.county.feedback import prepare

    returns = tmp_path / "交回"
    returns.mkdir()
    (returns / "清水镇.xlsx").write_bytes(build_workbook(CLEAN, WorkbookOptions(year=YEAR - 1)))
    make_return(returns, LATER, "后补乡.xlsx")
    (returns / f"{BROKEN.name.replace('/', '')}.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    roster = [CLEAN, LATER, Agency(BROKEN.name.replace("/", ""), "A002")]
    result = prepare([returns], roster, year=YEAR)
    by_name = {fb.agency.name: fb for fb in result.sent}
    old = by_name[CLEAN.name]
    assert old.refused and old.verdict == "不能采用" and f"{YEAR - 1}" in old.unreadable
    assert f"{YEAR} 年度填报表" in old.notice and "不能采用" in old.notice
    xls = by_name[BROKEN.name.replace("/", "")]
    assert not xls.refused and "另存为" in xls.notice and ".xls" in xls.notice
    assert result.passed == [LATER.name] and not result.reminders


def test_return_inside_a_zip_attachment(county: dict, tmp_path: Path) -> None:
    """A return forwarded as a zip attachment: its copy is rebuilt from the member's bytes."""
    import zipfile

    from ogi.county.feedback import prepare

    returns = tmp_path / "交回"
    returns.mkdir()
    with zipfile.ZipFile(returns / "附件.zip", "w") as zf:
        zf.writestr("城关.xlsx", (county["returns"] / "城关" / "城关.xlsx").read_bytes())
    result = prepare([returns])
    (fb,) = result.sent
    assert fb.agency.name == BROKEN.name and fb.workbook is not None
    assert str(fb.source).endswith("附件.zip/城关.xlsx")
    assert {p.finding.code for p in fb.problems} >= {"VALUE-TEXT", "T3-BALANCE"}


def test_checks_sheet_shows_rules_in_words_and_ids_only_in_the_office_column(tmp_path: Path) -> None:
    path = tmp_path / "新表.xlsx"
    path.write_bytes(build_workbook(CLEAN, WorkbookOptions(year=YEAR)))
    ws = openpyxl.load_workbook(path)[SHEET_CHECKS]
    assert ws.column_dimensions["A"].hidden  # the ids the reader keys rows by
    header = LAYOUT.check_header_row + 1
    assert ws.cell(header, 5).value == "代码（县级用）"
    visible = "BCD"
    for rule_id, row in LAYOUT.check_rows.items():
        assert ws.cell(row.row + 1, 2).value == SPEC.rule(rule_id).title
        assert ws.cell(row.row + 1, 5).value == rule_id
        assert not any(rule_id in str(ws[f"{c}{row.row + 1}"].value or "") for c in visible)
    assert ws.cell(header, 5).font.sz and ws.cell(header + 1, 5).font.sz == 8
