"""The rule types of ogi.form.rules, one kind at a time, on real reports of the bundled spec: what each
rule compares, the formula it gives the workbook, whether it holds, and the finding it makes in the
spec's own words. Then what a bad ``[[rules]]`` entry does when the spec loads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import balanced_values
from ogi.errors import SpecError
from ogi.form.layout import FAIL, INCOMPLETE, PASS, SHEET_CHECKS, Layout
from ogi.form.report import Report, Value
from ogi.form.rules import (
    RULE_TYPES,
    BalanceRule,
    CarryOverRule,
    ContinuityRule,
    Facts,
    LiveRule,
    NarrativeNumbersRule,
    SumRule,
    balance_rules,
    carry_pairs,
    column_totals,
    compute_totals,
    live_rules,
    narrative_rules,
    sum_rules,
)
from ogi.form.spec import FormSpec, parse_spec
from ogi.resources import template_path

SPEC_TEXT = template_path("gov_info_2021.toml").read_text(encoding="utf-8")


def report(spec: FormSpec, values: dict[str, Value], narrative: dict[str, str] | None = None) -> Report:
    return Report(spec.id, spec.version, {"agency_name": "某县水务局", "year": "2023"},
                  compute_totals(spec, values), narrative or {}, {})


def facts(spec: FormSpec, this: Report, last: Report | None = None) -> Facts:
    return Facts(spec, this.values, last.values if last is not None else None, this.narrative,
                 this.year)


@pytest.fixture
def values(spec: FormSpec) -> dict[str, Value]:
    return balanced_values(spec, 3)


# ---- every kind has its type; the checker's order ------------------------------------------------

def test_each_kind_of_the_bundled_spec_is_parsed_into_its_type(spec: FormSpec) -> None:
    kinds = {type(r) for r in spec.rules}
    assert kinds == {SumRule, BalanceRule, CarryOverRule, ContinuityRule, NarrativeNumbersRule}
    assert set(RULE_TYPES) == {"sum", "balance", "previous_equal", "previous_continuity",
                               "narrative_numbers"}
    assert {r.id for r in live_rules(spec.rules)} == \
        {r.id for r in (*sum_rules(spec.rules), *balance_rules(spec.rules))}
    assert all(r.live == isinstance(r, LiveRule) for r in spec.rules)
    with pytest.raises(AttributeError):
        spec.rules[0].title = "x"  # type: ignore[misc]  # frozen


# ---- sum -----------------------------------------------------------------------------------------

def test_sum_rule(spec: FormSpec, layout: Layout, values: dict[str, Value]) -> None:
    rule = spec.rule("T3-ROW-TOTAL:granted")
    assert isinstance(rule, SumRule)
    columns = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")
    assert rule.operands == ("t3.granted.total", *(f"t3.granted.{c}" for c in columns))
    assert rule.sides == (("t3.granted.total",), rule.operands[1:])
    assert not rule.column_total and spec.rule("T3-RESULT-TOTAL:research").column_total
    # The target's formula sums its row's six addends, one contiguous run on 表三.
    first, last = layout.address("t3.granted.natural_person")[1], layout.address("t3.granted.other_org")[1]
    assert rule.total_formula(layout) == f"=SUM({first}:{last})"
    target = layout.address("t3.granted.total")[1]
    assert rule.check_formula(layout, "表三") == \
        f'=IF(COUNT({first}:{last})<6,"{INCOMPLETE}",IF({target}=SUM({first}:{last}),"{PASS}","{FAIL}"))'

    good = report(spec, values)
    assert rule.holds(facts(spec, good)) and rule.findings(facts(spec, good)) == []
    assert rule.live_result(spec, good.values) == PASS
    # A published total that disagrees with its parts (the parts add up to one more).
    bad = dict(good.values)
    bad["t3.granted.total"] = good.values["t3.granted.total"] - 1  # type: ignore[operator]
    wrong = Facts(spec, bad)
    assert not rule.holds(wrong) and not rule.balanced(bad)
    assert rule.live_result(spec, bad) == FAIL
    [finding] = rule.findings(wrong)
    total = good.values["t3.granted.total"]
    assert finding.message == (f"总计 = 自然人 + 法人或其他组织各项（（一）予以公开）不成立："
                               f"（一）予以公开·总计为 {total - 1}，各项之和为 {total}")  # type: ignore[operator]
    assert (finding.code, finding.rule_id, finding.severity, finding.key) == \
        ("T3-ROW-TOTAL", rule.id, "error", "t3.granted.total")
    assert finding.hint == rule.hint and "总计列由公式自动计算" in finding.hint
    # A blank addend: the live check says 数据不完整; the rule is not evaluated (blanks are
    # reported apart).
    blank = {**good.values, "t3.granted.research": None}
    assert rule.live_result(spec, blank) == INCOMPLETE
    assert rule.findings(Facts(spec, blank)) == [] and rule.holds(Facts(spec, blank))


# ---- balance -------------------------------------------------------------------------------------

def test_balance_rule(spec: FormSpec, layout: Layout, values: dict[str, Value]) -> None:
    rule = spec.rule("T3-BALANCE:research")
    assert isinstance(rule, BalanceRule)
    assert rule.sides == (("t3.new_received.research", "t3.carried_over.research"),
                          ("t3.result_total.research", "t3.carry_forward.research"))
    assert rule.label == "一+二=三（七）+四"
    # The live check counts every input behind the operands (the 21 outcome rows of （七）总计 too).
    a = {k: layout.address(f"t3.{k}.research")[1]
         for k in ("new_received", "carried_over", "result_total", "carry_forward")}
    formula = rule.check_formula(layout, SHEET_CHECKS)
    assert formula.startswith("=IF(COUNT('表三'!") and "<24," in formula
    assert f"IF('表三'!{a['new_received']}+'表三'!{a['carried_over']}='表三'!{a['result_total']}" \
           f"+'表三'!{a['carry_forward']}," in formula
    assert {r for _, _, r in layout.balance_check_cells().values()} == set(balance_rules(spec.rules))

    good = report(spec, values)
    assert rule.holds(facts(spec, good)) and rule.live_result(spec, good.values) == PASS
    # One more application received than the outcomes and the carry-forward account for.
    broken = dict(values)
    broken["t3.new_received.research"] = values["t3.new_received.research"] + 1  # type: ignore[operator]
    bad = report(spec, broken)
    assert not rule.holds(facts(spec, bad)) and rule.live_result(spec, bad.values) == FAIL
    [finding] = rule.findings(facts(spec, bad))
    v = bad.values
    left = v["t3.new_received.research"] + v["t3.carried_over.research"]  # type: ignore[operator]
    right = v["t3.result_total.research"] + v["t3.carry_forward.research"]  # type: ignore[operator]
    assert finding.message == (
        f"{rule.title}不成立：一、二之和 {v['t3.new_received.research']} + {v['t3.carried_over.research']}"
        f" = {left}，三（七）、四之和 {v['t3.result_total.research']} + {v['t3.carry_forward.research']}"
        f" = {right}，相差 1")
    assert (finding.row_label, finding.column_label) == ("一+二=三（七）+四", "科研机构")


# ---- carry-over and continuity (last year's report) --------------------------------------------

def test_carry_over_rule(spec: FormSpec, values: dict[str, Value]) -> None:
    rule = spec.rule("PREV-CARRY:research")
    assert isinstance(rule, CarryOverRule) and not rule.live
    assert rule.pair == ("t3.carried_over.research", "t3.carry_forward.research")
    assert rule.operands == ("t3.carried_over.research",)
    assert ("t3.carried_over.research", "t3.carry_forward.research") in carry_pairs(spec.rules)
    last_values = balanced_values(spec, 8)
    last = report(spec, last_values)
    this_values = dict(values)
    this_values["t3.carried_over.research"] = last.values["t3.carry_forward.research"]
    this = report(spec, this_values)
    assert rule.holds(facts(spec, this, last)) and rule.findings(facts(spec, this, last)) == []
    assert rule.findings(facts(spec, this)) == []  # no last year: nothing to compare
    this_values["t3.carried_over.research"] = last.values["t3.carry_forward.research"] + 2  # type: ignore[operator]
    this = report(spec, this_values)
    [finding] = rule.findings(facts(spec, this, last))
    assert finding.message == (f"二、上年结转 = 上年报告四、结转下年度（科研机构）不成立：本年“二、上年结转政府信息"
                               f"公开申请数量”为 {this_values['t3.carried_over.research']}，"
                               f"上年报告结转下年度为 {last.values['t3.carry_forward.research']}")
    assert (finding.severity, finding.key) == ("warning", "t3.carried_over.research")


def test_continuity_rule(spec: FormSpec, values: dict[str, Value]) -> None:
    rule = spec.rule("PREV-VALID:regulations")
    assert isinstance(rule, ContinuityRule)
    assert rule.operands == ("t2.regulations.valid", "t2.regulations.made", "t2.regulations.repealed")
    last = report(spec, {**values, "t2.regulations.valid": 20})
    this_values = {**values, "t2.regulations.made": 3, "t2.regulations.repealed": 1,
                   "t2.regulations.valid": 22}
    assert rule.holds(facts(spec, report(spec, this_values), last))
    this_values["t2.regulations.valid"] = 25
    [finding] = rule.findings(facts(spec, report(spec, this_values), last))
    assert finding.message == (f"{rule.title}不成立：上年现行有效 20 + 本年制发 3 - 本年废止 1 = 22，"
                               "本年填写的现行有效件数为 25")


# ---- the narrative's numbers --------------------------------------------------------------------

def test_narrative_numbers_rule(spec: FormSpec, values: dict[str, Value]) -> None:
    rule = spec.rule("NARRATIVE-NUMBERS:on_request")
    assert isinstance(rule, NarrativeNumbersRule) and rule.operands == () and rule.message == ""
    assert {r.field for r in narrative_rules(spec.rules)} == set(spec.narrative_keys)
    received = values["t3.new_received.total"]
    right = report(spec, values, {"on_request": f"2023年共收到政府信息公开申请{received}件。"})
    assert rule.holds(facts(spec, right))
    wrong = report(spec, values, {"on_request": f"2023年共收到政府信息公开申请{received + 5}件。"})  # type: ignore[operator]
    [finding] = rule.findings(facts(spec, wrong))
    # Worded by the catalogue (NARRATIVE-NUMBER), filed under the rule so its 说明 explains it.
    assert (finding.code, finding.rule_id, finding.key) == ("NARRATIVE-NUMBER", rule.id, "on_request")
    assert finding.message.startswith(f"正文写的 {received + 5}件 与")  # type: ignore[operator]


# ---- role accessors ---------------------------------------------------------------------------

def test_column_totals_are_the_result_totals(spec: FormSpec) -> None:
    assert [r.target for r in column_totals(spec.rules)] == \
        [f"t3.result_total.{c}" for c in ("natural_person", "commercial", "research", "social_welfare",
                                          "legal_service", "other_org")]


# ---- the wording is the spec's -----------------------------------------------------------------

def test_a_rule_says_what_the_spec_says(spec: FormSpec, values: dict[str, Value]) -> None:
    old = 'message = "{title}不成立：本年“{row_label}”为 {current}，上年报告结转下年度为 {previous}"'
    assert old in SPEC_TEXT
    changed = parse_spec(SPEC_TEXT.replace(
        old, 'message = "{column_label}的上年结转 {current} 与上年的 {previous} 不同"').encode("utf-8"))
    rule = changed.rule("PREV-CARRY:research")
    last = report(changed, {**values, "t3.carry_forward.research": 4})
    this = report(changed, {**values, "t3.carried_over.research": 6})
    [finding] = rule.findings(facts(changed, this, last))
    assert finding.message == "科研机构的上年结转 6 与上年的 4 不同"


# ---- a bad rule fails when the spec loads ---------------------------------------------------------

BALANCE = 'code = "T3-BALANCE"\nkind = "balance"'
SUM_MESSAGE = 'message = "{title}不成立：{row_label}·{column_label}为 {value}，各项之和为 {total}"'


@pytest.mark.parametrize(("old", "new", "expected"), [
    (BALANCE, BALANCE.replace("balance", "balanse"), "规则 T3-BALANCE:natural_person 的类型未知：balanse"),
    ('target = "t3.{row}.total"\n', "", "规则 T3-ROW-TOTAL:new_received（sum）缺少字段 target"),
    ('left = ["t3.new_received.{column}", "t3.carried_over.{column}"]\n', "",
     "规则 T3-BALANCE:natural_person（balance）缺少字段 left"),
    ('label = "一+二=三（七）+四"\n', "", "缺少字段 label"),
    (SUM_MESSAGE + "\n", "", "规则 T3-ROW-TOTAL:new_received（sum）缺少字段 message"),
    (SUM_MESSAGE, SUM_MESSAGE.replace("{total}", "{totl}"), "未知的占位符“{totl}”"),
    (SUM_MESSAGE, SUM_MESSAGE.replace("{total}", "{total"), "message 写法有误"),
    ('field = "{field}"\n', 'field = "{field}"\nmessage = "{title}"\n', "说法来自问题目录"),
    ('current = "t3.carried_over.{column}"', 'current = "t3.carried_over_x.{column}"',
     "规则 PREV-CARRY:natural_person 引用了不存在的单元：t3.carried_over_x.natural_person"),
    ('previous = "t2.{row}.valid"', 'previous = "t2.{row}.validity"', "引用了不存在的单元：t2.regulations.validity"),
    ('field = "{field}"\n', 'field = "{field}_x"\n', "引用了不存在的正文栏目：overview_x"),
])
def test_a_bad_rule_fails_when_the_spec_loads(old: str, new: str, expected: str) -> None:
    assert old in SPEC_TEXT
    with pytest.raises(SpecError, match="表式定义有误") as info:
        parse_spec(SPEC_TEXT.replace(old, new, 1).encode("utf-8"))
    assert expected in info.value.message


def test_two_sum_rules_for_one_cell_fail_when_the_spec_loads() -> None:
    doubled = SPEC_TEXT.replace('target = "t4.cases.{group}_total"', 'target = "t4.cases.review_total"')
    with pytest.raises(SpecError, match="同一单元被多条求和规则计算"):
        parse_spec(doubled.encode("utf-8"))


def test_decimal_values_are_quoted_without_trailing_zeros(spec: FormSpec) -> None:
    rule = spec.rule("T3-ROW-TOTAL:granted")
    values: dict[str, Value] = {k: Decimal(0) for k in rule.operands}
    values["t3.granted.total"] = Decimal("2.00")
    values["t3.granted.research"] = Decimal("0.25")
    [finding] = rule.findings(Facts(spec, values))
    assert "总计为 2，各项之和为 0.25" in finding.message
