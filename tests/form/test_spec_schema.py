"""The per-row and per-table data of the spec (row roles, label variants, summary kind, print data,
metadata patterns, sections): what the bundled specs say, and that a wrong value fails at load with a
SpecError naming it."""

from __future__ import annotations

import pytest

from ogi.errors import SpecError
from ogi.form.layout import HIDDEN_KEYS, hidden_address, hidden_row, read_hidden
from ogi.form.spec import DEFAULT_TEMPLATE, ROW_ROLES, FormSpec, load_spec, parse_spec
from ogi.resources import template_path

SPEC_TEXT = template_path(f"{DEFAULT_TEMPLATE}.toml").read_text(encoding="utf-8")
RECEIVED = '{ key = "new_received", cells = [{ text = "一、本年新收政府信息公开申请数量", colspan = 3 }], role = "received" }'


def parse(text: str) -> FormSpec:
    return parse_spec(text.encode("utf-8"))


def edited(old: str, new: str) -> str:
    assert SPEC_TEXT.count(old) == 1, old
    return SPEC_TEXT.replace(old, new)


def test_roles_of_table3(spec: FormSpec) -> None:
    t3 = spec.applications_table
    assert t3.key == "t3"
    assert [t3.row_with(r).key for r in ("received", "carried_over", "total", "carried_forward")] == [
        "new_received", "carried_over", "result_total", "carry_forward"]
    outcomes = [r.key for r in t3.rows_with("outcome")]
    assert len(outcomes) == 21 and outcomes[0] == "granted" and outcomes[-1] == "other_other"
    assert {r.role for r in t3.data_rows} == set(ROW_ROLES)
    assert spec.role_key(t3, "received", "total") == "t3.new_received.total"
    assert all(not r.role for t in spec.tables if t is not t3 for r in t.data_rows)
    with pytest.raises(KeyError):
        t3.row_with("outcome")  # many rows: not a single-row role


def test_variants_summary_print_and_pattern(spec: FormSpec) -> None:
    rows = {f"{t.key}.{r.key}": r for t in spec.tables for r in t.data_rows}
    assert rows["t2.normative_docs"].variants == ("规范性文件",)
    assert rows["t3.result_total"].variants == ("（七）合计",)
    assert rows["t3.carry_forward"].variants == ("四、结转下一年度继续办理",)
    assert [t.summary for t in spec.tables] == ["cells", "rows", "totals"]
    assert [t.print.size for t in spec.tables] == ["normal", "small", "small"]
    assert [len(t.print.sheet_widths) for t in spec.tables] == [t.grid_columns for t in spec.tables]
    postcode = spec.meta("postcode")
    assert (postcode.pattern, postcode.pattern_problem) == (r"\d{6}", "不是 6 位数字")


def test_sections_come_from_the_spec(spec: FormSpec) -> None:
    assert [(s.number, s.tables) for s in spec.sections] == [
        (1, ()), (2, ("t2",)), (3, ("t3",)), (4, ("t4",)), (5, ()), (6, ())]
    assert spec.sections[0].narrative[0] == "overview"
    assert spec.sections[1].words == ("主动公开",)
    assert spec.section_of_table("t4").title == "四、政府信息公开行政复议、行政诉讼情况"
    old = load_spec("gov_info_2019")
    assert old.import_only and not spec.import_only
    assert old.applications_table.row_with("total").variants == ("（七）合计",)


@pytest.mark.parametrize(("old", "new", "says"), [
    (RECEIVED, RECEIVED.replace('"received"', '"recieved"'), "行的角色未知：t3.new_received = recieved"),
    ('role = "carried_over" }', 'role = "received" }', "角色为 received 的行应有且只有一行，现有 2 行"),
    (RECEIVED, RECEIVED.replace(', role = "received"', ""), "角色为 received 的行应有且只有一行，现有 0 行"),
    ('summary = "totals"', 'summary = "everything"', "表 t4 的汇总方式未知：everything"),
    ('summary = "totals"', 'summary = "rows"', "表 t4 按行汇总，但没有标出行的角色"),
    ('print = { size = "normal"', 'print = { size = "huge"', "表 t2 的字号未知：huge"),
    ("sheet_widths = [22, 16, 16, 16]", "sheet_widths = [22, 16]", "表 t2 的列宽个数应为 4"),
    (r"pattern = '\d{6}'", "pattern = '[0-9'", "postcode 的格式（pattern）不是正确的正则表达式"),
    ('pattern_fix = "邮政编码应为 6 位数字。"\n', "", "postcode 有格式（pattern）但缺少"),
    ('section = "二、主动公开政府信息情况"', 'section = "主动公开政府信息情况"', "部分标题没有序号：主动公开政府信息情况"),
    ('section = "二、主动公开政府信息情况"', 'section = "三、主动公开政府信息情况"', "序号相同"),
    ('year_fix = "年度报告在次年发布（一般在1月31日前），请核对年份。"\n', "", "publish_date 有 year_offset 但缺少"),
    ('year_problem = "不在报告年度的次年（{year}年）"', 'year_problem = "不在{next}年"',
     "publish_date 的 year_problem 只能使用 {year}"),
    ('key = "preparer"\n', 'key = "preparer"\nyear_offset = 0\n', "preparer 不是日期，不能有 year_offset"),
])
def test_a_wrong_value_fails_at_load(old: str, new: str, says: str) -> None:
    with pytest.raises(SpecError) as exc:
        parse(edited(old, new))
    assert says in str(exc.value)


def test_two_tables_with_roles_fail() -> None:
    text = edited('{ key = "regulations", cells = [{ text = "规章" }],',
                  '{ key = "regulations", role = "outcome", cells = [{ text = "规章" }],')
    with pytest.raises(SpecError, match="只能有一张表标出行的角色：t2、t3"):
        parse(text)


def test_hidden_sheet_addresses_are_the_layouts() -> None:
    assert hidden_address("template_id") == "B1"
    assert [hidden_row(k) for k in HIDDEN_KEYS] == list(range(len(HIDDEN_KEYS)))
    cells = {(hidden_row(k), 0): k for k in HIDDEN_KEYS} | {(hidden_row(k), 1): f"v{k}" for k in HIDDEN_KEYS}
    assert read_hidden(lambda r, c: cells.get((r, c), "")) == {k: f"v{k}" for k in HIDDEN_KEYS}


def test_unknown_template_id_is_a_spec_error() -> None:
    for bad in ("gov_info_1999", "../gov_info_2021", ""):
        with pytest.raises(SpecError, match="找不到表式定义"):
            load_spec(bad)


def test_formats_and_migration_are_spec_data(spec: FormSpec) -> None:
    old = load_spec("gov_info_2019")
    assert spec.import_hints is not None and spec.import_hints.formats == (old.id,)
    assert spec.format_name == "2021 年格式（国办公开办函〔2021〕30号）"
    assert old.format_name == "2019 年格式（国办公开办函〔2019〕60号，试行）"
    assert "本年制发件数" in spec.format_markers and "本年新制作数量" in old.format_markers
    move = old.migrations[spec.id]
    assert "t3" in move.same_keys
    assert dict(move.cells)["t2.regulations.new_made"] == "t2.regulations.made"
    assert dict(move.zero_split)["t3.other_handling"] == ("t3.other_no_correction", "t3.other_no_fee",
                                                          "t3.other_other")
    assert all(t in spec.cells for ts in dict(move.zero_split).values() for t in (f"{x}.total" for x in ts))
