"""Property tests of the narrative checker: a valid report whose 正文 states its own table values in
random phrasings (Arabic, full-width and Chinese numerals; many wordings; traps between them) gives
no finding; changing one stated number gives at least one finding naming the changed number, and none
naming a number that was left alone.

Pure Python (no workbook), so more examples than the file round trips afford; the number is fixed and
CI's derandomised profile (tests/conftest.py) makes every run the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import balance_table3
from ogi.form.layout import layout_for
from ogi.form.narrative import check_field, chinese_number
from ogi.form.report import Value
from ogi.form.rules import compute_totals

SPEC = layout_for().spec
EXAMPLES = int(os.environ.get("OGI_PROPERTY_EXAMPLES", "60"))
#: No shrinking: a failure prints the whole example (a shrink of these dicts takes minutes).
PROFILE = settings(max_examples=EXAMPLES, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
YEAR = 2023

_DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """12 -> 十二, 105 -> 一百零五, 20315 -> 二万零三百一十五 (n < 10**8)."""
    def section(x: int) -> str:
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // unit % 10
            if d:
                if zero and out:
                    out += "零"
                out += _DIGITS[d] + name
                zero = False
            else:
                zero = True
        return out

    if n < 10000:
        text = section(n)
    else:
        high, low = divmod(n, 10000)
        text = section(high) + "万" + ("零" if 0 < low < 1000 else "") + section(low)
    return text[1:] if text.startswith("一十") else text


def test_to_chinese_round_trips() -> None:
    for n in (*range(1, 1200), 10000, 10010, 20315, 99999, 120000):
        assert chinese_number(to_chinese(n)) == n, (n, to_chinese(n))


_WIDE = str.maketrans("0123456789.", "０１２３４５６７８９．")


def written(n: int, style: int) -> str:
    """A count as a clerk writes it: Arabic, full-width or (not 0) Chinese."""
    if style == 1:
        return str(n).translate(_WIDE)
    if style == 2 and n:
        return to_chinese(n)
    return str(n)


@dataclass
class Statement:
    template: str  # with {0}, {1} ... for the numbers
    numbers: list[str]  # as written

    def text(self) -> str:
        return self.template.format(*self.numbers)


def _t3(row: str, col: str = "total") -> str:
    return f"t3.{row}.{col}"


DENY = [r.key for r in SPEC.table("t3").data_rows if r.key.startswith("deny_")]
UNABLE = [r.key for r in SPEC.table("t3").data_rows if r.key.startswith("unable_")]
NOT_PROCESSED = [r.key for r in SPEC.table("t3").data_rows if r.key.startswith("np_")]

#: (template, value keys per number) — each number states the sum of its keys.
COUNT_PHRASES: list[tuple[str, list[list[str]]]] = [
    ("全年共收到政府信息公开申请{0}件", [[_t3("new_received")]]),
    ("本年度新收政府信息公开申请{0}件，均在法定期限内答复", [[_t3("new_received")]]),
    ("共受理依申请公开事项{0}项", [[_t3("new_received")]]),
    (str(YEAR) + "年收到申请{0}件", [[_t3("new_received")]]),
    ("收到自然人申请{0}件", [[_t3("new_received", "natural_person")]]),
    ("上年结转申请{0}件", [[_t3("carried_over")]]),
    ("本年度办结申请{0}件", [[_t3("result_total")]]),
    ("结转下年度继续办理{0}件", [[_t3("carry_forward")]]),
    ("予以公开{0}件，部分公开{1}件", [[_t3("granted")], [_t3("partial")]]),
    ("经审查，{0}件申请部分公开", [[_t3("partial")]]),
    ("不予公开{0}件", [[_t3(r) for r in DENY]]),
    ("因属于国家秘密不予公开{0}件", [[_t3("deny_state_secret")]]),
    ("无法提供{0}件，不予处理{1}件", [[_t3(r) for r in UNABLE], [_t3(r) for r in NOT_PROCESSED]]),
    ("予以公开和部分公开的申请共{0}件", [[_t3("granted"), _t3("partial")]]),
    ("收到商业企业申请{0}件，其中予以公开{1}件", [[_t3("new_received", "commercial")],
                                                  [_t3("granted", "commercial")]]),
    ("本年度制发行政规范性文件{0}件，废止{1}件，现行有效{2}件",
     [["t2.normative_docs.made"], ["t2.normative_docs.repealed"], ["t2.normative_docs.valid"]]),
    ("作出行政许可决定{0}件", [["t2.licensing.decisions"]]),
    ("全年作出行政处罚决定{0}件，均已公示", [["t2.punishment.decisions"]]),
    ("实施行政强制{0}件", [["t2.coercion.decisions"]]),
    ("发生政府信息公开行政复议{0}件", [["t4.cases.review_total"]]),
    ("行政复议{0}件，其中维持{1}件、纠正{2}件", [["t4.cases.review_total"], ["t4.cases.review_maintained"],
                                                ["t4.cases.review_corrected"]]),
    ("被提起行政诉讼{0}件", [["t4.cases.lit_direct_total", "t4.cases.lit_after_review_total"]]),
    ("发出收费通知{0}件", [["fee.notices_count"]]),
]

TRAPS = ["与上年相比，申请数量增加了{k}件", "咨询电话：0954-7012345", "依据《条例》第二十条第（一）项公开",
         "全年受理群众来电咨询{k}次", "按照彭政办发〔2023〕{k}号文件要求办理", "申请均在20个工作日内答复",
         "全年收到申请近{k}件", "上一年度收到申请{k}件"]


def total(values: dict[str, Value], keys: list[str]) -> int:
    return int(sum(Decimal(values[k] or 0) for k in keys))


@st.composite
def reports(draw: st.DrawFn) -> tuple[dict[str, Value], list[tuple[str, Statement, list[int]]]]:
    """Valid values, and statements of them: (field, statement, the true value of each number)."""
    inputs: dict[str, Value] = {}
    for key in SPEC.input_keys:
        kind = SPEC.cells[key].type
        small = draw(st.integers(0, 3)) == 0
        if kind == "count":
            inputs[key] = 0 if small else draw(st.integers(0, 40))
        else:
            inputs[key] = Decimal(draw(st.integers(0, 10**6))).scaleb(-2 if kind == "yuan" else -4)
    values = compute_totals(SPEC, balance_table3(SPEC, inputs))
    fields = [n.key for n in SPEC.narrative]
    chosen = draw(st.lists(st.sampled_from(COUNT_PHRASES), min_size=2, max_size=8, unique_by=lambda p: p[0]))
    out: list[tuple[str, Statement, list[int]]] = []
    for template, keys in chosen:
        truth = [total(values, k) for k in keys]
        numbers = [written(n, draw(st.integers(0, 2))) for n in truth]
        out.append((draw(st.sampled_from(fields)), Statement(template, numbers), truth))
    fee = values["t2.admin_fees.amount_wan_yuan"]
    if draw(st.booleans()):
        yuan = draw(st.booleans())
        amount = format((Decimal(fee) * 10000).normalize(), "f") if yuan else format(Decimal(fee).normalize(), "f")
        out.append(("proactive", Statement("全年行政事业性收费{0}" + ("元" if yuan else "万元"), [amount]), [-1]))
    new = total(values, [_t3("new_received")])
    granted = total(values, [_t3("granted")])
    if new and draw(st.booleans()):
        pct = (Decimal(granted) * 100 / new).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        out.append(("on_request", Statement("全年共收到申请{0}件，其中予以公开{1}件，占{2}%",
                                            [str(new), str(granted), str(pct)]), [new, granted, -1]))
    for _ in range(draw(st.integers(0, 3))):
        trap = draw(st.sampled_from(TRAPS)).replace("{k}", str(draw(st.integers(1, 99))))
        out.append((draw(st.sampled_from(fields)), Statement(trap.replace("{", "{{").replace("}", "}}"), []), []))
    return values, draw(st.permutations(out))


def narrative_of(statements: list[tuple[str, Statement, list[int]]]) -> tuple[dict[str, str], dict[int, tuple[str, int, int]]]:
    """The fields' texts and, per statement, (field, start, end) of its sentence."""
    texts: dict[str, str] = {}
    where: dict[int, tuple[str, int, int]] = {}
    for i, (field, stmt, _) in enumerate(statements):
        before = texts.get(field, "")
        sentence = stmt.text()
        where[i] = (field, len(before), len(before) + len(sentence))
        texts[field] = before + sentence + "。"
    return texts, where


def issues_of(values: dict[str, Value], texts: dict[str, str]) -> dict[str, list]:  # type: ignore[type-arg]
    return {f: check_field(t, SPEC, values, year=YEAR) for f, t in texts.items()}


@PROFILE
@given(reports())
def test_a_narrative_stating_its_own_values_gives_no_finding(
        report: tuple[dict[str, Value], list[tuple[str, Statement, list[int]]]]) -> None:
    values, statements = report
    texts, _ = narrative_of(statements)
    found = {f: [(i.code, i.stated, i.keys) for i in issues] for f, issues in issues_of(values, texts).items()
             if issues}
    assert not found, (texts, found)


@PROFILE
@given(reports(), st.data())
def test_one_changed_number_is_named_and_only_it(
        report: tuple[dict[str, Value], list[tuple[str, Statement, list[int]]]], data: st.DataObject) -> None:
    values, statements = report
    changeable = [(i, j) for i, (_, stmt, _) in enumerate(statements) for j in range(len(stmt.numbers))]
    i, j = data.draw(st.sampled_from(changeable))
    field, stmt, truth = statements[i]
    old = stmt.numbers[j]
    delta = data.draw(st.integers(1, 9))
    # an amount or a percentage (truth -1, written in ASCII) or a count
    new = format(Decimal(old) + delta, "f") if truth[j] < 0 else str(truth[j] + delta)
    changed = Statement(stmt.template, [*stmt.numbers[:j], new, *stmt.numbers[j + 1:]])
    statements = [*statements[:i], (field, changed, truth), *statements[i + 1:]]
    texts, where = narrative_of(statements)
    issues = issues_of(values, texts)
    _, start, end = where[i]
    named = [x for x in issues[field] if start <= x.start < end]
    others = {f: [(x.code, x.stated) for x in xs if f != field or not start <= x.start < end]
              for f, xs in issues.items()}
    assert named, (texts[field][start:end], issues[field])
    assert any(x.stated.rstrip("%") == new for x in named) or \
        any(x.code in ("NARRATIVE-SUM", "NARRATIVE-PERCENT") for x in named), (new, named)
    assert not any(others.values()), others

