"""The form spec against the official tables (a verbatim copy of official_format.md §2 in
tests/fixtures/official_tables.yaml): every label character for character, every key, merge, row order
and column order, and every rule of §3 present and correct."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from ogi.form.layout import Layout
from ogi.form.rules import BalanceRule, SumRule, compute_totals, live_rules, zero_values
from ogi.form.spec import DECIMAL_PLACES, FormSpec, Table, load_spec
from ogi.resources import template_path

FIXTURE = Path(__file__).parents[1] / "fixtures" / "official_tables.yaml"
OFFICIAL: dict[str, Any] = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))

T3_COLUMNS = [c["key"] for c in OFFICIAL["table3"]["value_columns"]]
T3_ROWS = [r["key"] for r in OFFICIAL["table3"]["body"]]
T3_OUTCOMES = T3_ROWS[T3_ROWS.index("granted"):T3_ROWS.index("result_total")]
T4_COLUMNS = OFFICIAL["table4"]["columns"]


def cell(raw: Any) -> tuple[str, int, int]:
    """A fixture cell (a bare string or {text, colspan, rowspan}) as (text, colspan, rowspan)."""
    if isinstance(raw, str):
        return raw, 1, 1
    return raw["text"], int(raw.get("colspan", 1)), int(raw.get("rowspan", 1))


def spec_rows(table: Table) -> list[tuple[str, str, list[tuple[str, int, int]]]]:
    return [(r.kind, r.key, [(c.text, c.colspan, c.rowspan) for c in r.cells]) for r in table.rows]


# ---- 表二 ---------------------------------------------------------------------------------------
def test_table2_rows_labels_and_merges_match_official(spec: FormSpec) -> None:
    official = OFFICIAL["table2"]
    t2 = spec.table("t2")
    assert t2.sheet == "表二" and t2.section == "二、主动公开政府信息情况"
    assert t2.grid_columns == official["grid_columns"] == 4
    expected: list[tuple[str, str, list[tuple[str, int, int]]]] = []
    expected_values: dict[str, list[tuple[str, int]]] = {}
    for block in official["blocks"]:
        expected.append(("caption", "", [(block["caption"], official["grid_columns"], 1)]))
        expected.append(("header", "", [cell(h) for h in block["header"]]))
        width = (official["grid_columns"] - 1) // len(block["columns"])
        for row in block["rows"]:
            expected.append(("data", row["key"], [(row["label"], 1, 1)]))
            expected_values[row["key"]] = [(c, width) for c in block["columns"]]
    assert spec_rows(t2) == expected
    assert len(t2.rows) == OFFICIAL["facts"]["table2_total_rows"] == 14
    assert len(t2.data_rows) == sum(len(b["rows"]) for b in official["blocks"]) == 6
    assert {r.key: [(v.column, v.colspan) for v in r.values] for r in t2.data_rows} == expected_values
    # Each header label names its column: the spec's column labels are the official headers.
    for block in official["blocks"]:
        headers = [cell(h)[0] for h in block["header"]][1:]
        assert [t2.column(c).label for c in block["columns"]] == headers


def test_table2_value_types(spec: FormSpec) -> None:
    types = {k: c.type for k, c in spec.cells.items() if c.table == "t2"}
    assert types.pop("t2.admin_fees.amount_wan_yuan") == "wan_yuan"
    assert set(types.values()) == {"count"}
    assert len(types) == 2 * 3 + 3  # 规章/规范性文件 × 3 columns + 许可/处罚/强制
    assert DECIMAL_PLACES["wan_yuan"] == 6 and DECIMAL_PLACES["count"] == 0


# ---- 表三 ---------------------------------------------------------------------------------------
def test_table3_header_and_body_match_official(spec: FormSpec) -> None:
    official = OFFICIAL["table3"]
    t3 = spec.table("t3")
    assert t3.sheet == "表三" and t3.section == "三、收到和处理政府信息公开申请情况"
    assert t3.grid_columns == OFFICIAL["facts"]["table3_grid_columns"] == 10
    assert t3.label_columns == 3
    assert t3.header_rows == OFFICIAL["facts"]["table3_header_rows"] == 3
    header = [[cell(c) for c in official["header"][f"row{i}"]] for i in (1, 2, 3)]
    body = [(r["key"], [cell(c) for c in r["cells"]]) for r in official["body"]]
    expected = [("header", "", h) for h in header] + [("data", k, cells) for k, cells in body]
    assert spec_rows(t3) == expected
    assert len(t3.data_rows) == OFFICIAL["facts"]["table3_body_rows"] == 25
    assert [(c.key, c.label) for c in t3.columns] == [(c["key"], c["label"]) for c in
                                                      official["value_columns"]]
    # Every data row takes all 7 value columns, in the official order.
    for row in t3.data_rows:
        assert [v.column for v in row.values] == T3_COLUMNS
        assert all(v.colspan == 1 for v in row.values)
    assert {c.type for c in t3.columns} == {"count"}


def test_table3_special_labels_character_for_character(spec: FormSpec) -> None:
    texts = [c.text for r in spec.table("t3").rows for c in r.cells]
    assert "3.危及\u201c三安全一稳定\u201d" in texts  # curly quotes U+201C / U+201D
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in texts
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in texts
    granted = next(r for r in spec.table("t3").rows if r.key == "granted")
    assert (granted.cells[0].text, granted.cells[0].rowspan) == ("三、本年度办理结果", 22)
    assert OFFICIAL["facts"]["table3_results_rowspan"] == 22
    # No subtotal rows for （三）–（六）: the official table has none.
    assert [r.key for r in spec.table("t3").data_rows] == T3_ROWS


# ---- 表四 ---------------------------------------------------------------------------------------
def test_table4_header_and_columns_match_official(spec: FormSpec) -> None:
    official = OFFICIAL["table4"]
    t4 = spec.table("t4")
    assert t4.sheet == "表四" and t4.section == "四、政府信息公开行政复议、行政诉讼情况"
    assert t4.grid_columns == OFFICIAL["facts"]["table4_value_columns"] == 15
    assert t4.header_rows == OFFICIAL["facts"]["table4_header_rows"] == 3
    header = [[cell(c) for c in official["header"][f"row{i}"]] for i in (1, 2, 3)]
    assert spec_rows(t4) == [("header", "", h) for h in header] + [("data", "cases", [])]
    assert [c.key for c in t4.columns] == T4_COLUMNS
    assert [v.column for v in t4.data_rows[0].values] == T4_COLUMNS
    assert len(T4_COLUMNS) == 15


# ---- every label, in general ----------------------------------------------------------------------
def test_labels_use_full_width_punctuation(spec: FormSpec) -> None:
    texts = [c.text for t in spec.tables for r in t.rows for c in r.cells]
    texts += [col.label for t in spec.tables for col in t.columns]
    texts += [n.label for n in spec.narrative] + [n.section for n in spec.narrative]
    texts += [m.label for m in spec.metadata] + [f.label for f in spec.fees]
    for text in texts:
        for half in "():;,\"":
            assert half not in text, f"half-width {half!r} in label {text!r}"
        assert ". " not in text, f"space after a numbered item in {text!r}"
        assert text == text.strip() and "  " not in text


def test_sections_and_narrative_fields(spec: FormSpec) -> None:
    sections = OFFICIAL["sections"]
    assert [t.section for t in spec.tables] == sections[1:4]
    narrative_sections = [n.section for n in spec.narrative]
    assert set(narrative_sections) == {sections[0], sections[4], sections[5]}
    overview = [n.heading for n in spec.narrative if n.section == sections[0] and n.heading]
    assert overview == OFFICIAL["overview_topics"]
    problems = [n.heading for n in spec.narrative if n.section == sections[4]]
    assert problems == ["（一）存在的主要问题", "（二）改进情况"]
    assert [(f.key, f.label, f.type, f.unit) for f in spec.fees] == [
        ("fee.notices_count", "发出收费通知件数", "count", "件"),
        ("fee.notices_amount", "收费通知总金额", "yuan", "元"),
        ("fee.collected_amount", "实际收取金额", "yuan", "元"),
    ]
    meta = {m.label for m in spec.metadata}
    assert {"机关名称", "报告年度", "联系地址", "邮政编码", "联系电话", "电子邮箱", "发布网站",
            "发布日期"} <= meta


def test_cell_keys_are_table_row_column(spec: FormSpec) -> None:
    expected = set()
    for block in OFFICIAL["table2"]["blocks"]:
        expected |= {f"t2.{r['key']}.{c}" for r in block["rows"] for c in block["columns"]}
    expected |= {f"t3.{r}.{c}" for r in T3_ROWS for c in T3_COLUMNS}
    expected |= {f"t4.cases.{c}" for c in T4_COLUMNS}
    expected |= {"fee.notices_count", "fee.notices_amount", "fee.collected_amount"}
    assert set(spec.cells) == expected
    assert len(spec.cells) == 10 + 25 * 7 + 15 + 3


def test_row_labels_name_the_group(spec: FormSpec) -> None:
    cells = spec.cells
    assert cells["t3.deny_law_forbidden.research"].row_label == "（三）不予公开·2.其他法律行政法规禁止公开"
    assert cells["t3.deny_law_forbidden.research"].column_label == "科研机构"
    assert cells["t3.granted.total"].row_label == "（一）予以公开"
    assert cells["t3.new_received.natural_person"].row_label == "一、本年新收政府信息公开申请数量"
    assert cells["t4.cases.review_total"].row_label == "四、政府信息公开行政复议、行政诉讼情况"


# ---- rules (official_format.md §3) -----------------------------------------------------------------
def rules_by_code(spec: FormSpec, code: str) -> dict[str, Any]:
    return {r.id.split(":", 1)[1]: r for r in spec.rules if r.code == code}


def test_r1_balance_for_each_of_the_seven_columns(spec: FormSpec) -> None:
    rules = rules_by_code(spec, "T3-BALANCE")
    assert list(rules) == T3_COLUMNS
    for col, rule in rules.items():
        assert isinstance(rule, BalanceRule) and rule.severity == "error"
        assert rule.left == (f"t3.new_received.{col}", f"t3.carried_over.{col}")
        assert rule.right == (f"t3.result_total.{col}", f"t3.carry_forward.{col}")


def test_r4_row_total_for_each_of_the_25_rows(spec: FormSpec) -> None:
    rules = rules_by_code(spec, "T3-ROW-TOTAL")
    assert list(rules) == T3_ROWS
    for row, rule in rules.items():
        assert isinstance(rule, SumRule)
        assert rule.target == f"t3.{row}.total"
        assert rule.addends == tuple(f"t3.{row}.{c}" for c in T3_COLUMNS[:-1])


def test_r3_result_total_sums_every_outcome_row(spec: FormSpec) -> None:
    assert len(T3_OUTCOMES) == 21  # 2 + 8 + 3 + 5 + 3
    rules = rules_by_code(spec, "T3-RESULT-TOTAL")
    assert list(rules) == T3_COLUMNS[:-1]
    for col, rule in rules.items():
        assert rule.target == f"t3.result_total.{col}"
        assert rule.addends == tuple(f"t3.{r}.{col}" for r in T3_OUTCOMES)


def test_r5_table4_three_totals(spec: FormSpec) -> None:
    rules = rules_by_code(spec, "T4-TOTAL")
    assert list(rules) == ["review", "lit_direct", "lit_after_review"]
    for group, rule in rules.items():
        assert rule.target == f"t4.cases.{group}_total"
        assert rule.addends == tuple(f"t4.cases.{group}_{k}" for k in
                                     ("maintained", "corrected", "other", "pending"))


def test_computed_cells_are_exactly_the_sum_targets(spec: FormSpec) -> None:
    expected = {f"t3.{r}.total" for r in T3_ROWS}
    expected |= {f"t3.result_total.{c}" for c in T3_COLUMNS[:-1]}
    expected |= {f"t4.cases.{g}_total" for g in ("review", "lit_direct", "lit_after_review")}
    assert set(spec.computed_keys) == expected
    assert len(spec.input_keys) == len(spec.cells) - len(expected)


def test_warning_rules_present(spec: FormSpec) -> None:
    assert list(rules_by_code(spec, "PREV-CARRY")) == T3_COLUMNS
    assert list(rules_by_code(spec, "PREV-VALID")) == ["regulations", "normative_docs"]
    assert list(rules_by_code(spec, "NARRATIVE-NUMBERS")) == list(spec.narrative_keys)
    assert spec.rule("NARRATIVE-NUMBERS:on_request").field == "on_request"
    for rule in spec.rules:
        assert rule.severity == ("error" if rule.live else "warning"), rule.id
        assert rule.title and rule.hint
    assert len({r.id for r in spec.rules}) == len(spec.rules)


def test_rules_evaluate_on_values(spec: FormSpec) -> None:
    from conftest import balanced_values

    for seed in range(5):
        values = balanced_values(spec, seed)
        assert all(r.balanced(values) for r in live_rules(spec.rules))
        # The result total of a column is the sum of its 21 outcome rows, by hand.
        col = T3_COLUMNS[seed % 6]
        assert values[f"t3.result_total.{col}"] == sum(values[f"t3.{r}.{col}"] for r in T3_OUTCOMES)
        broken = dict(values)
        broken[f"t3.carry_forward.{col}"] += 1  # type: ignore[operator]
        broken = compute_totals(spec, broken)
        failing = {r.id for r in live_rules(spec.rules) if not r.balanced(broken)}
        assert failing == {f"T3-BALANCE:{col}", "T3-BALANCE:total"}
    zeros = zero_values(spec)
    assert set(zeros.values()) == {0}
    decimal_values = {k: Decimal("0.000001") for k in spec.input_keys}
    assert compute_totals(spec, decimal_values)["t4.cases.review_total"] == Decimal("0.000004")


def test_spec_hash_and_layout_agree(spec: FormSpec, layout: Layout) -> None:
    data = template_path("gov_info_2021.toml").read_bytes()
    assert spec.sha256 == hashlib.sha256(data).hexdigest()
    assert load_spec().sha256 == spec.sha256
    assert (spec.id, spec.version) == ("gov_info_2021", 1)
    assert set(layout.formula_cells()) == set(spec.computed_keys)


# ---- the layout draws the official merges ------------------------------------------------------
def placed(layout: Layout, table: str) -> list[tuple[str, int, int, int, int]]:
    """(text, row, col, rowspan, colspan) relative to the table's first grid row."""
    tl = layout.tables[table]
    top = tl.labels[0].row
    return [(p.text, p.row - top, p.col, p.rowspan, p.colspan) for p in tl.labels]


def test_layout_table3_merges(layout: Layout) -> None:
    got = {t: (r, c, rs, cs) for t, r, c, rs, cs in placed(layout, "t3")}
    assert got["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] == (0, 0, 3, 3)
    assert got["申请人情况"] == (0, 3, 1, 7)
    assert got["自然人"] == (1, 3, 2, 1)
    assert got["法人或其他组织"] == (1, 4, 1, 5)
    assert got["总计"] == (1, 9, 2, 1)
    assert [got[t][:2] for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")] == [
        (2, 4), (2, 5), (2, 6), (2, 7), (2, 8)]
    assert got["一、本年新收政府信息公开申请数量"] == (3, 0, 1, 3)
    assert got["二、上年结转政府信息公开申请数量"] == (4, 0, 1, 3)
    assert got["三、本年度办理结果"] == (5, 0, 22, 1)
    assert got["（一）予以公开"] == (5, 1, 1, 2)
    assert got["（三）不予公开"] == (7, 1, 8, 1)
    assert got["1.属于国家秘密"] == (7, 2, 1, 1)
    assert got["8.属于行政查询事项"] == (14, 2, 1, 1)
    assert got["（四）无法提供"] == (15, 1, 3, 1)
    assert got["（五）不予处理"] == (18, 1, 5, 1)
    assert got["（六）其他处理"] == (23, 1, 3, 1)
    assert got["3.其他"] == (25, 2, 1, 1)
    assert got["（七）总计"] == (26, 1, 1, 2)
    assert got["四、结转下年度继续办理"] == (27, 0, 1, 3)
    tl = layout.tables["t3"]
    top = tl.labels[0].row
    for i, row in enumerate(T3_ROWS):
        for j, col in enumerate(T3_COLUMNS):
            p = tl.values[f"t3.{row}.{col}"]
            assert (p.row - top, p.col, p.rowspan, p.colspan) == (3 + i, 3 + j, 1, 1)


def test_layout_table4_merges(layout: Layout) -> None:
    got = placed(layout, "t4")
    assert got[:2] == [("行政复议", 0, 0, 1, 5), ("行政诉讼", 0, 5, 1, 10)]
    assert got[2:7] == [(t, 1, i, 2, 1) for i, t in enumerate(("结果维持", "结果纠正", "其他结果",
                                                                 "尚未审结", "总计"))]
    assert got[7:9] == [("未经复议直接起诉", 1, 5, 1, 5), ("复议后起诉", 1, 10, 1, 5)]
    assert [(r, c) for _, r, c, _, _ in got[9:]] == [(2, c) for c in range(5, 15)]
    tl = layout.tables["t4"]
    assert [tl.values[f"t4.cases.{c}"].col for c in T4_COLUMNS] == list(range(15))


def test_layout_table2_blocks(layout: Layout) -> None:
    got = placed(layout, "t2")
    assert got[0] == ("第二十条第（一）项", 0, 0, 1, 4)
    assert ("本年收费金额（单位：万元）", 12, 1, 1, 3) in got
    tl = layout.tables["t2"]
    top = tl.labels[0].row
    amount = tl.values["t2.admin_fees.amount_wan_yuan"]
    assert (amount.row - top, amount.col, amount.colspan) == (13, 1, 3)
    assert (tl.values["t2.regulations.valid"].row - top, tl.values["t2.regulations.valid"].col) == (2, 3)


@pytest.mark.parametrize("table", ["t2", "t3", "t4"])
def test_layout_covers_every_grid_cell_once(layout: Layout, table: str) -> None:
    tl = layout.tables[table]
    seen: dict[tuple[int, int], str] = {}
    for p in [*tl.labels, *tl.values.values()]:
        for r in range(p.row, p.last_row + 1):
            for c in range(p.col, p.last_col + 1):
                assert (r, c) not in seen, f"{table} {p.text or 'value'} overlaps {seen[(r, c)]}"
                seen[(r, c)] = p.text or "value"
    top = tl.labels[0].row
    grid = {(r, c) for r in range(top, tl.last_row + 1) for c in range(tl.table.grid_columns)}
    assert set(seen) == grid
