"""`ogi import` of plain text: the real seed report (read from ../shared at test time), truncated and
reworded copies of it, spacing/punctuation variants, GBK, --as-previous and oversized narrative."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ogi.form.spec import load_spec
from ogi.importers import build_import_workbook, import_report, next_year_report
from ogi.importers.document import norm
from ogi.importers.tables import leaf_label

SPEC = load_spec()

# The seed's table 三, as published (彭阳县白阳镇人民政府 2023): row key -> the 7 columns
# 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
SEED_T3 = """
new_received          0 0 0 0 0 1 1
carried_over          0 0 0 0 0 0 0
granted               0 0 0 0 0 0 0
partial               0 0 0 0 0 0 0
deny_state_secret     0 0 0 0 0 0 0
deny_law_forbidden    0 0 0 0 0 1 1
deny_three_safety     0 0 0 0 0 0 0
deny_third_party      0 0 0 0 0 0 0
deny_internal         0 0 0 0 0 0 0
deny_process          0 0 0 0 0 0 0
deny_enforcement_file 0 0 0 0 0 0 0
deny_admin_query      0 0 0 0 0 0 0
unable_not_held       0 0 0 0 0 0 0
unable_need_create    0 0 0 0 0 0 0
unable_unclear        0 0 0 0 0 0 0
np_petition           0 0 0 0 0 0 0
np_duplicate          0 0 0 0 0 0 0
np_publication        0 0 0 0 0 0 0
np_mass_repeat        0 0 0 0 0 0 0
np_confirm            0 0 0 0 0 0 0
other_no_correction   0 0 0 0 0 0 0
other_no_fee          0 0 0 0 0 0 0
other_other           0 0 0 0 0 0 0
result_total          0 0 0 0 0 1 1
carry_forward         0 0 0 0 0 0 0
"""
T3_COLUMNS = [c.key for c in SPEC.table("t3").columns]
SEED_T2 = {
    "t2.regulations.made": 0, "t2.regulations.repealed": 0, "t2.regulations.valid": 0,
    "t2.normative_docs.made": 0, "t2.normative_docs.repealed": 0, "t2.normative_docs.valid": 0,
    "t2.licensing.decisions": 0, "t2.punishment.decisions": 6, "t2.coercion.decisions": 0,
    "t2.admin_fees.amount_wan_yuan": Decimal("0"),
}
T4_REVIEW = ["review_maintained", "review_corrected", "review_other", "review_pending", "review_total"]
T4_LIT = [c.key for c in SPEC.table("t4").columns if not c.key.startswith("review")]


def seed_t3() -> dict[str, int]:
    out = {}
    for line in SEED_T3.strip().splitlines():
        row, *numbers = line.split()
        for col, n in zip(T3_COLUMNS, numbers, strict=True):
            out[f"t3.{row}.{col}"] = int(n)
    return out


@pytest.fixture(scope="module")
def seed_file(shared_dir: Path) -> Path:
    files = sorted((shared_dir / "seed").glob("*.txt"))
    assert files, "no seed report in ../shared/seed"
    return files[0]


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


def test_seed_every_table_number(seed_file: Path) -> None:
    result = import_report(seed_file)
    values = result.report.values
    assert result.source_format == "gov_info_2021"
    assert result.report.agency_name == "彭阳县白阳镇人民政府"
    assert result.report.year == 2023
    for key, expected in SEED_T2.items():
        assert values[key] == expected, key
    t3 = seed_t3()
    assert len(t3) == 25 * 7
    for key, expected in t3.items():
        assert values[key] == expected, key
        assert type(values[key]) is int, key
    for col in T4_REVIEW:
        assert values[f"t4.cases.{col}"] is None, col  # blank in the seed, never made 0
    for col in T4_LIT:
        assert values[f"t4.cases.{col}"] == 0, col


def test_seed_blank_table_four_cells_reported(seed_file: Path, layout) -> None:
    result = import_report(seed_file)
    blanks = [f for f in result.findings if f.code == "IMPORT-BLANK"]
    assert [(f.sheet, f.cell, f.key) for f in blanks] == [
        ("表四", layout.address(f"t4.cases.{col}")[1], f"t4.cases.{col}") for col in T4_REVIEW[:4]]
    assert all(f.severity == "error" and "空白（不是 0）" in f.message for f in blanks)
    assert {f.column_label for f in blanks} == {f"行政复议·{x}" for x in ("结果维持", "结果纠正", "其他结果",
                                                                          "尚未审结")}
    # The blank published total is reported as such, and stays blank in what the import reports.
    total = [f for f in result.findings if f.code == "IMPORT-TOTAL-BLANK"]
    assert [(f.cell, f.key) for f in total] == [(layout.address("t4.cases.review_total")[1],
                                                 "t4.cases.review_total")]
    assert result.report.values["t4.cases.review_total"] is None
    # ogi check's own blank finding is not repeated for the same cells.
    assert not [f for f in result.findings if f.code == "VALUE-BLANK" and f.key.startswith("t4.")]
    # Nothing else in the tables is reported: every row was found by its label.
    assert not {"IMPORT-NOT-FOUND", "IMPORT-ROW-MISMATCH", "IMPORT-EXTRA-ROW",
                "IMPORT-TABLE-NOT-FOUND"} & set(codes(result))
    assert result.exit_code == 1


def test_seed_narrative_and_sections(seed_file: Path) -> None:
    result = import_report(seed_file)
    text = result.report.narrative
    assert not [f for f in result.findings if f.code.startswith("IMPORT-SECTION")]
    assert set(text) == {"overview", "proactive", "on_request", "info_management", "platform",
                         "supervision", "problems", "improvements", "other_matters"}
    assert text["on_request"].startswith("2023年") and text["on_request"].endswith("1项。")
    assert not text["problems"].startswith("(一)")  # the inline sub-heading is not narrative
    assert "信息处理费" not in text["other_matters"]  # the fee paragraphs became fee figures
    assert result.report.values["fee.collected_amount"] == 0
    assert result.report.values["fee.notices_count"] is None  # not stated: not assumed 0
    assert "IMPORT-FEE-NOT-FOUND" in codes(result)


def test_seed_workbook_keeps_blanks_blank(seed_file: Path, tmp_path: Path, layout) -> None:
    from ogi.workbook.checker import check_workbook

    result = import_report(seed_file)
    data, name, extra = build_import_workbook(result)
    assert name == "2023年彭阳县白阳镇人民政府政府信息公开工作年度报告填报表.xlsx" and not extra
    path = tmp_path / name
    path.write_bytes(data)
    checked = check_workbook(path)
    values = checked.report.values
    for key, expected in {**SEED_T2, **seed_t3()}.items():
        assert values[key] == expected, key
    inputs = [c for c in T4_REVIEW if not SPEC.cells[f"t4.cases.{c}"].computed]
    assert len(inputs) == 4
    for col in inputs:  # written as empty cells; the 总计 cell holds its formula
        assert values[f"t4.cases.{col}"] is None
    blank_cells = sorted(f.cell for f in checked.findings if f.code == "VALUE-BLANK" and f.sheet == "表四")
    assert blank_cells == sorted(layout.address(f"t4.cases.{c}")[1] for c in inputs)
    assert checked.report.narrative["on_request"] == result.report.narrative["on_request"]


def test_truncated_in_table_three(seed_file: Path, tmp_path: Path) -> None:
    text = seed_file.read_text(encoding="utf-8")
    cut = text.index("\t\t5. 属于三类内部事务信息")
    truncated = tmp_path / "cut.txt"
    truncated.write_text(text[:cut], encoding="utf-8")
    result = import_report(truncated)
    values = result.report.values
    t3 = seed_t3()
    found_rows = ["new_received", "carried_over", "granted", "partial", "deny_state_secret",
                  "deny_law_forbidden", "deny_three_safety", "deny_third_party"]
    for key, expected in t3.items():
        row = key.split(".")[1]
        if row in found_rows:
            assert values[key] == expected, key
        elif not SPEC.cells[key].computed:
            assert values[key] is None, key
    missing = [f for f in result.findings if f.code == "IMPORT-NOT-FOUND"]
    missing_rows = {f.key.split(".")[1] for f in missing}
    expected_missing = [r.key for r in SPEC.table("t3").data_rows if r.key not in found_rows]
    assert missing_rows == set(expected_missing)
    assert any("5.属于三类内部事务信息" in f.message for f in missing)
    assert "IMPORT-TABLE-NOT-FOUND" in codes(result)  # table 四
    assert {f.message for f in result.findings if f.code == "IMPORT-SECTION-NOT-FOUND"} >= {
        "没有找到第四部分的标题“四、政府信息公开行政复议、行政诉讼情况”"}
    data, _, _ = build_import_workbook(result)  # a workbook with what was found
    assert data[:2] == b"PK"
    for key, value in SEED_T2.items():
        assert values[key] == value


def test_truncated_cli_exit_one_no_traceback(seed_file: Path, tmp_path: Path) -> None:
    text = seed_file.read_text(encoding="utf-8")
    truncated = tmp_path / "cut.txt"
    truncated.write_text(text[: text.index("(四) 无法提供")], encoding="utf-8")
    out = tmp_path / "out.xlsx"
    before = truncated.read_bytes()
    proc = subprocess.run([sys.executable, "-c", "from ogi.cli import main; main()",
                           "import", str(truncated), "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "没有找到表三“（四）无法提供·1.本机关不掌握相关政府信息”这一行" in proc.stdout
    assert "没有找到表四（四、政府信息公开行政复议、行政诉讼情况）的任何一行" in proc.stdout
    assert out.is_file() and truncated.read_bytes() == before


def _variant_text(values: dict[str, int], *, fullwidth: bool) -> str:
    """Table 三 written with the spacing and punctuation variants real pages have."""
    t3 = SPEC.table("t3")
    lines = ["某某县某某局2023年政府信息公开工作年度报告", "", "三、收到和处理政府信息公开申请情况", ""]
    lines.append("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t申请人情况")
    lines.append("\t\t自然人\t法人或其他组织\t\t\t\t\t总计")
    lines.append("\t\t\t商业 企业\t科研 机构\t社会公益 组织\t法律服务 机构\t其他")
    for i, row in enumerate(t3.data_rows):
        label = leaf_label(row)
        variant = i % 4
        if variant == 0:
            label = label.replace("（", "(").replace("）", ") ")
        elif variant == 1 and label[:1].isdigit():
            label = label.replace(".", "、", 1)
        elif variant == 2 and label[:1].isdigit():
            label = label.replace(".", ". ", 1)
        elif variant == 3:
            label = label.replace("，", ", ").replace("“", '"').replace("”", '"')
        nums = [str(values[f"t3.{row.key}.{c}"]) for c in T3_COLUMNS]
        if fullwidth:
            nums = [n.translate(str.maketrans("0123456789", "０１２３４５６７８９")) for n in nums]
        lines.append("\t".join(["", label, *nums]))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("encoding,fullwidth", [("utf-8", False), ("gb18030", True), ("utf-8-sig", True)])
def test_variants_and_encodings(tmp_path: Path, encoding: str, fullwidth: bool) -> None:
    from conftest import balanced_values

    values = balanced_values(SPEC, seed=7)
    path = tmp_path / "v.txt"
    path.write_bytes(_variant_text(values, fullwidth=fullwidth).encode(encoding))
    result = import_report(path)
    assert result.report.agency_name == "某某县某某局"
    for key in SPEC.cells:
        if key.startswith("t3."):
            assert result.report.values[key] == values[key], key
    assert not {"IMPORT-NOT-FOUND", "IMPORT-ROW-MISMATCH", "IMPORT-BLANK"} & set(codes(result))


def test_extra_and_missing_rows_are_reported_not_shifted(tmp_path: Path) -> None:
    from conftest import balanced_values

    values = balanced_values(SPEC, seed=3)
    lines = _variant_text(values, fullwidth=False).splitlines()
    dropped = next(i for i, line in enumerate(lines) if "2.重复申请" in norm(line))
    del lines[dropped]
    lines.insert(dropped, "\t\t小计\t9\t9\t9\t9\t9\t9\t54")
    path = tmp_path / "x.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_report(path)
    extra = [f for f in result.findings if f.code == "IMPORT-EXTRA-ROW"]
    assert len(extra) == 1 and "小计" in extra[0].message
    missing = [f for f in result.findings if f.code == "IMPORT-NOT-FOUND"]
    assert [f.key for f in missing] == ["t3.np_duplicate.natural_person"]
    for key in SPEC.cells:
        if key.startswith("t3.") and ".np_duplicate." not in key:
            assert result.report.values[key] == values[key], key
        elif key.startswith("t3.np_duplicate.") and not SPEC.cells[key].computed:
            assert result.report.values[key] is None


def test_as_previous_carries_over(seed_file: Path, tmp_path: Path) -> None:
    from conftest import balanced_values

    values = balanced_values(SPEC, seed=11)
    text = _variant_text(values, fullwidth=False)
    preamble = ("根据条例，现发布本报告。联系地址：某某县人民路1号，邮编：756500，联系电话：0954-1234567，"
                "电子邮箱：gk@example.gov.cn。\n")
    lines = text.splitlines()
    lines[1:1] = [preamble, "一、总体情况", "本年度工作情况良好。", "（一）主动公开", "主动公开信息12条。"]
    path = tmp_path / "prev.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = import_report(path)
    assert result.report.metadata["address"] == "某某县人民路1号"
    assert result.report.metadata["postcode"] == "756500"
    assert result.report.metadata["phone"] == "0954-1234567"
    assert result.report.metadata["email"] == "gk@example.gov.cn"
    nxt, findings = next_year_report(result)
    assert nxt.year == 2024 and not findings
    for col in T3_COLUMNS:
        assert nxt.values[f"t3.carried_over.{col}"] == values[f"t3.carry_forward.{col}"], col
        assert nxt.values[f"t3.new_received.{col}"] == 0
    assert nxt.metadata["phone"] == "0954-1234567"
    assert nxt.narrative["proactive"].startswith("【草稿")
    assert nxt.narrative["proactive"].endswith("主动公开信息12条。")
    data, name, _ = build_import_workbook(result, as_previous=True)
    assert name.startswith("2024年")
    out = tmp_path / name
    out.write_bytes(data)
    from ogi.workbook.checker import check_workbook

    checked = check_workbook(out)
    for col in T3_COLUMNS:
        assert checked.report.values[f"t3.carried_over.{col}"] == values[f"t3.carry_forward.{col}"]
    assert "NARRATIVE-PLACEHOLDER" in [f.code for f in checked.findings]  # the draft mark is flagged


def test_narrative_over_cell_limit_is_refused_not_cut(tmp_path: Path) -> None:
    long = "本年度持续推进政务公开工作。" * 8000  # 112,000 characters in one section
    text = "\n".join(["某某县某某局2023年政府信息公开工作年度报告", "一、总体情况", "概述。",
                      "（一）主动公开", long, "（二）依申请公开", "未收到申请。"])
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    result = import_report(path)
    too_long = [f for f in result.findings if f.code == "IMPORT-TEXT-TOO-LONG"]
    assert len(too_long) == 1 and str(len(long)) in too_long[0].message
    assert "proactive" not in result.report.narrative
    assert result.overflow["proactive"] == long  # kept whole, never cut
    assert result.report.narrative["on_request"] == "未收到申请。"
    from ogi.errors import InputError

    with pytest.raises(InputError, match="32767"):  # refused whole, never written cut or emptied
        build_import_workbook(result)
    out = tmp_path / "long.xlsx"
    proc = subprocess.run([sys.executable, "-c", "from ogi.cli import main; main()", "import", str(path),
                           "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "正文过长" in proc.stderr and not out.exists()
    audit = subprocess.run([sys.executable, "-c", "from ogi.cli import main; main()", "import", str(path),
                            "--no-workbook"], capture_output=True, text=True, timeout=120)
    assert audit.returncode == 1 and "IMPORT" not in audit.stdout and "超过 Excel 单元格上限" in audit.stdout


def test_as_previous_from_truncated_report_lists_missing_carry_over(seed_file: Path, tmp_path: Path) -> None:
    text = seed_file.read_text(encoding="utf-8")
    path = tmp_path / "cut.txt"
    path.write_text(text[: text.index("(七) 总计")], encoding="utf-8")
    result = import_report(path)
    nxt, findings = next_year_report(result)
    inputs = [c for c in T3_COLUMNS if not SPEC.cells[f"t3.carried_over.{c}"].computed]
    assert sorted(f.key for f in findings) == sorted(f"t3.carried_over.{c}" for c in inputs)
    assert all(f.code == "IMPORT-PREV-CARRY-BLANK" and f.sheet == "表三" for f in findings)
    for col in inputs:
        assert nxt.values[f"t3.carried_over.{col}"] is None  # blank, not 0
    assert nxt.values["t3.new_received.natural_person"] == 0  # a fresh year starts at 0


def test_hard_wrapped_text_keeps_numbers_at_line_ends(tmp_path: Path) -> None:
    """Text saved from a PDF: a wrapped line may end in a number (“共计 120”); it is narrative."""
    text = "\n".join([
        "某某县某某局2023年政府信息公开工作年度报告", "一、总体情况",
        "  本年度我局严格落实条例要求，全年累计主动公开政府信息共计 120",
        "条，其中政策解读 15 篇，回应关切 8",
        "次。全年未发生泄密事件，信息发布审核制度执行到位，群众满意度",
        "持续提升，工作取得了较好成效，得到了上级部门的充分肯定和表扬。",
        "- 2 -",
        "  第二段从这里开始，继续推进平台建设和监督保障各项工作，确保实效。"])
    path = tmp_path / "wrapped.txt"
    path.write_text(text, encoding="utf-8")
    result = import_report(path)
    assert result.report.narrative["overview"] == (
        "本年度我局严格落实条例要求，全年累计主动公开政府信息共计120条，其中政策解读15篇，回应关切8次。"
        "全年未发生泄密事件，信息发布审核制度执行到位，群众满意度持续提升，工作取得了较好成效，"
        "得到了上级部门的充分肯定和表扬。\n第二段从这里开始，继续推进平台建设和监督保障各项工作，确保实效。")
