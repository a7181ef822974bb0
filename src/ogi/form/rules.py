"""The rules of a form spec as types: each ``[[rules]]`` kind of the TOML is one frozen dataclass.

A rule knows its operands (the cells it compares), its Excel formula for a :class:`~ogi.form.layout.Layout`
(the workbook's live check), whether it holds on the figures of a report (and of last year's report)
and the findings it makes, worded by the spec (the rule's ``message``, checked when the spec loads)
or by the finding catalogue (:mod:`ogi.form.findings`). Nothing outside this module asks a rule for its
kind: the checker loops over the rules, the writer asks the live ones for formulas and cached
results, prefill asks for the pairs that carry over, the importers ask the live ones whether they hold.

TOML ``kind`` -> type:

* ``sum`` -> :class:`SumRule`: a computed cell is the sum of its addends (a formula in the workbook);
* ``balance`` -> :class:`BalanceRule`: Σ left = Σ right (表三's 一+二=三（七）+四, per column);
* ``previous_equal`` -> :class:`CarryOverRule`: this year's cell = last year's cell;
* ``previous_continuity`` -> :class:`ContinuityRule`: current = last year's + plus − minus;
* ``narrative_numbers`` -> :class:`NarrativeNumbersRule`: the numbers a narrative field states.

Sums and balances are :class:`LiveRule` s, evaluated by the workbook itself. :class:`Facts` is what a
rule is evaluated on; :class:`Stage` the order the checker reports them in.

:func:`compute_totals` gives the cached results of the workbook's formulas, and the checker's own
totals (cached values in a returned workbook are never trusted).
"""

from __future__ import annotations

import string
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..errors import SpecError
from .report import Finding, Severity, Value

if TYPE_CHECKING:
    from .layout import Layout
    from .spec import FormSpec

#: What a live check shows in the workbook.
PASS = "通过"
FAIL = "未通过"
INCOMPLETE = "数据不完整"


def format_value(value: Value) -> str:
    """A value as a message quotes it: ``空白`` for a blank, a Decimal without trailing zeros."""
    if value is None:
        return "空白"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() \
            else format(value, "f")
    return str(value)


def sum_values(values: Mapping[str, Value], keys: Iterable[str]) -> int | Decimal:
    """Σ of the values, a blank counting as 0 (as in the spreadsheet; blanks are reported apart)."""
    total: int | Decimal = 0
    for key in keys:
        v = values.get(key)
        if v is not None:
            total += v
    return total


# ---- what a rule is evaluated on ------------------------------------------------------------------

@dataclass
class Facts:
    """The figures (and text) a rule is evaluated on: one report's values, optionally last year's,
    the narrative and the year. ``skip`` are keys already reported elsewhere (unreadable or invalid):
    a rule over them is not evaluated, so one bad cell gives one finding, not a cascade.

    Findings name a place with :meth:`where`, :meth:`check_cell` and :meth:`locate`; this base class
    names cells by their labels only, the checker's subclass adds the workbook's sheets and cells."""

    spec: FormSpec
    values: Mapping[str, Value]
    previous: Mapping[str, Value] | None = None
    narrative: Mapping[str, str] = field(default_factory=dict)
    year: int | None = None
    skip: Collection[str] = ()
    _addends: dict[str, tuple[str, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._addends = totals(self.spec.rules)

    def usable(self, keys: Iterable[str]) -> bool:
        """Every key (and every input a computed key sums) present and not skipped."""
        return all(k not in self.skip and self.values.get(k) is not None
                   and self.usable(self._addends.get(k, ())) for k in keys)

    def where(self, key: str) -> dict[str, str]:
        cell = self.spec.cells[key]
        return {"row_label": cell.row_label, "column_label": cell.column_label, "key": key}

    def check_cell(self, rule: BalanceRule) -> tuple[str, str] | None:
        """(sheet, cell) of a balance rule's own live check in the workbook, if it has one."""
        return None

    def locate(self, field_key: str) -> dict[str, str]:
        """Where a narrative field's findings go; an empty dict skips the field."""
        label = next((n.label for n in self.spec.narrative if n.key == field_key), field_key)
        return {"row_label": label, "key": field_key}


class Stage(IntEnum):
    """The order in which the checker reports rules (spec order within a stage): the tables' totals,
    their balances, the narrative's numbers, then the rules that need last year's report."""

    TOTALS = 0
    BALANCES = 1
    NARRATIVE = 2
    PREVIOUS = 3


# ---- the rule types ------------------------------------------------------------------------------

R = TypeVar("R", bound="Rule")


@dataclass(frozen=True, kw_only=True)
class Rule(ABC):
    """One concrete rule, after ``for_each`` expansion.

    ``id`` is unique and stable (``T3-BALANCE:natural_person``); ``code`` names the rule family and is
    what findings carry. ``message`` is the spec's wording of a failure, a ``str.format`` template over
    ``title`` and the type's :attr:`message_fields` (empty for a rule worded by the catalogue)."""

    #: The ``kind`` of the TOML entry this type is parsed from.
    kind: ClassVar[str]
    #: Cell keys of the TOML entry (one key each), and lists of keys.
    key_fields: ClassVar[tuple[str, ...]] = ()
    list_fields: ClassVar[tuple[str, ...]] = ()
    #: The fields a ``message`` may use besides ``title``; a type without any takes no message.
    message_fields: ClassVar[tuple[str, ...]] = ()
    stage: ClassVar[Stage]
    #: True when the workbook itself evaluates the rule (a :class:`LiveRule`).
    live: ClassVar[bool] = False

    id: str
    code: str
    severity: Severity
    title: str
    hint: str
    message: str = ""

    @property
    @abstractmethod
    def operands(self) -> tuple[str, ...]:
        """The cells of this year's report the rule compares, in the order a message names them."""

    def references(self) -> tuple[str, ...]:
        """Every cell key the rule names (last year's included): each must be a cell of the spec."""
        return self.operands

    def problems(self, spec: FormSpec) -> list[str]:
        """What is wrong with the rule in ``spec`` (for the spec's validation)."""
        return [f"规则 {self.id} 引用了不存在的单元：{k}" for k in self.references() if k not in spec.cells]

    @abstractmethod
    def findings(self, facts: Facts) -> list[Finding]:
        """The rule's findings on ``facts``; none when it holds or cannot be evaluated."""

    def holds(self, facts: Facts) -> bool:
        """Whether the rule holds on ``facts`` (as far as it can be evaluated: a rule over a blank
        cell, or over last year's figures without them, holds; blanks are reported apart)."""
        return not self.findings(facts)

    def finding(self, fields: Mapping[str, str], where: Mapping[str, str]) -> Finding:
        """A finding of this rule, worded by the spec's ``message``."""
        return Finding(code=self.code, severity=self.severity,
                       message=self.message.format(title=self.title, **fields), hint=self.hint,
                       rule_id=self.id, **where)

    # ---- parsing --------------------------------------------------------------------------------
    @classmethod
    def from_toml(cls: type[R], raw: Mapping[str, Any], *, id: str, title: str,
                  sub: Callable[[str], str]) -> R:
        """The rule of one ``for_each`` combination of a TOML entry; ``sub`` fills its placeholders.
        A missing or misspelt field, or a message using a field this type does not give, is a
        :class:`SpecError` naming the rule."""
        fields: dict[str, Any] = {}
        for name in cls.key_fields:
            if not isinstance(raw.get(name), str) or not raw[name]:
                raise SpecError(f"表式定义有误：规则 {id}（{cls.kind}）缺少字段 {name}")
            fields[name] = sub(raw[name])
        for name in cls.list_fields:
            keys = raw.get(name)
            if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
                raise SpecError(f"表式定义有误：规则 {id}（{cls.kind}）缺少字段 {name}（单元列表）")
            fields[name] = tuple(sub(k) for k in keys)
        message = raw.get("message", "")
        if cls.message_fields:
            if not isinstance(message, str) or not message:
                raise SpecError(f"表式定义有误：规则 {id}（{cls.kind}）缺少字段 message（未通过时的说法）")
            _check_message(id, message, ("title", *cls.message_fields))
            fields["message"] = message
        elif message:
            raise SpecError(f"表式定义有误：规则 {id}（{cls.kind}）的说法来自问题目录，不能写 message")
        return cls(id=id, code=raw["code"], severity=raw.get("severity", "error"), title=title,
                   hint=raw.get("hint", ""), **fields, **cls.extra_fields(raw, id))

    @classmethod
    def extra_fields(cls, raw: Mapping[str, Any], id: str) -> dict[str, Any]:
        """Fields of the type beyond cell keys and the message (:class:`BalanceRule`'s label)."""
        return {}


def _check_message(rule_id: str, message: str, allowed: tuple[str, ...]) -> None:
    """A message may use only ``allowed`` fields, each by name: a typo fails when the spec loads
    rather than printing ``{valeu}`` to a clerk."""
    usable = "、".join("{" + a + "}" for a in allowed)
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(message) if name is not None]
    except ValueError as exc:
        raise SpecError(f"表式定义有误：规则 {rule_id} 的 message 写法有误（{exc}），"
                        f"可用的占位符：{usable}") from exc
    for name in names:
        if name not in allowed:
            raise SpecError(f"表式定义有误：规则 {rule_id} 的 message 用了未知的占位符“{{{name}}}”，"
                            f"可用的占位符：{usable}")


@dataclass(frozen=True, kw_only=True)
class LiveRule(Rule):
    """A rule the workbook evaluates itself: Σ left = Σ right, shown live as 通过 / 未通过 / 数据不完整."""

    live: ClassVar[bool] = True

    @property
    @abstractmethod
    def sides(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The two sides the rule compares, each a sum of cells."""

    def balanced(self, values: Mapping[str, Value]) -> bool:
        """Σ left = Σ right on (already recomputed) values, a blank counting as 0 as in the workbook."""
        left, right = self.sides
        return sum_values(values, left) == sum_values(values, right)

    def holds(self, facts: Facts) -> bool:
        return not facts.usable(self.operands) or self.balanced(facts.values)

    def live_result(self, spec: FormSpec, values: Mapping[str, Value]) -> str:
        """What the workbook's live check shows for ``values``: :data:`INCOMPLETE` when an input
        behind it is blank, else :data:`PASS` or :data:`FAIL` (the formula's cached result)."""
        if any(values.get(k) is None for k in input_operands(spec, self.operands)):
            return INCOMPLETE
        return PASS if self.balanced(values) else FAIL

    def check_formula(self, layout: Layout, from_sheet: str, *, legacy: bool = False) -> str:
        """The live 通过/未通过/数据不完整 formula on ``from_sheet``. ``legacy``: as ogi wrote it
        before it counted the inputs behind a total (workbooks already sent out still hold it)."""
        left, right = self.sides
        # Every input behind the operands (a total's own addends too): a blank one anywhere makes
        # the check 数据不完整, in the 总计 column as in the others.
        inputs = input_operands(layout.spec, (*left, *right))
        refs = layout.count_refs(inputs, from_sheet)
        if legacy:
            inputs = tuple(k for k in (*left, *right) if not layout.spec.cells[k].computed)
            refs = ",".join(layout.ref(k, from_sheet) for k in inputs)
        lhs = layout.sum_expr(left, from_sheet)
        rhs = layout.sum_expr(right, from_sheet)
        test = f'IF({lhs}={rhs},"{PASS}","{FAIL}")'
        if inputs:
            test = f'IF(COUNT({refs})<{len(inputs)},"{INCOMPLETE}",{test})'
        return "=" + test


@dataclass(frozen=True, kw_only=True)
class SumRule(LiveRule):
    """``target`` = Σ ``addends``: the target is a computed cell (a formula in the workbook)."""

    kind: ClassVar[str] = "sum"
    key_fields: ClassVar[tuple[str, ...]] = ("target",)
    list_fields: ClassVar[tuple[str, ...]] = ("addends",)
    message_fields: ClassVar[tuple[str, ...]] = ("row_label", "column_label", "value", "total")
    stage: ClassVar[Stage] = Stage.TOTALS

    target: str
    addends: tuple[str, ...]

    @property
    def operands(self) -> tuple[str, ...]:
        return (self.target, *self.addends)

    @property
    def sides(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (self.target,), self.addends

    @property
    def column_total(self) -> bool:
        """True when the target totals its own column (``t3.result_total.research`` = Σ rows of
        ``research``), not its row."""
        table, _, column = _key_parts(self.target)
        return all(_key_parts(a)[0] == table and _key_parts(a)[2] == column for a in self.addends)

    def total_formula(self, layout: Layout) -> str:
        """The formula ogi writes into the target cell (with the leading ``=``)."""
        sheet = layout.cell(self.target)[0]
        return "=" + layout.sum_expr(self.addends, sheet)

    def findings(self, facts: Facts) -> list[Finding]:
        if not facts.usable(self.operands):
            return []
        value, total = facts.values[self.target], sum_values(facts.values, self.addends)
        if value == total:
            return []
        cell = facts.spec.cells[self.target]
        return [self.finding({"row_label": cell.row_label, "column_label": cell.column_label,
                              "value": format_value(value), "total": format_value(total)},
                             facts.where(self.target))]


@dataclass(frozen=True, kw_only=True)
class BalanceRule(LiveRule):
    """Σ ``left`` = Σ ``right`` over input and computed cells (表三: 一+二 = 三（七）+四, per column).
    ``label`` is the short form of the equation that names the rule's live check row."""

    kind: ClassVar[str] = "balance"
    list_fields: ClassVar[tuple[str, ...]] = ("left", "right")
    message_fields: ClassVar[tuple[str, ...]] = ("column_label", "left_parts", "left", "right_parts",
                                                 "right", "difference")
    stage: ClassVar[Stage] = Stage.BALANCES

    left: tuple[str, ...]
    right: tuple[str, ...]
    label: str

    @classmethod
    def extra_fields(cls, raw: Mapping[str, Any], id: str) -> dict[str, Any]:
        label = raw.get("label")
        if not isinstance(label, str) or not label:
            raise SpecError(f"表式定义有误：规则 {id}（{cls.kind}）缺少字段 label（校验行的简称）")
        return {"label": label}

    @property
    def operands(self) -> tuple[str, ...]:
        return (*self.left, *self.right)

    @property
    def sides(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.left, self.right

    def findings(self, facts: Facts) -> list[Finding]:
        if not facts.usable(self.operands):
            return []
        left, right = sum_values(facts.values, self.left), sum_values(facts.values, self.right)
        if left == right:
            return []
        key = self.left[0]
        column = facts.spec.cells[key].column_label
        where = facts.where(key)
        place = facts.check_cell(self)
        if place is not None:
            where = {**where, "sheet": place[0], "cell": place[1]}
        where = {**where, "row_label": self.label, "column_label": column}
        return [self.finding({
            "column_label": column,
            "left_parts": " + ".join(format_value(facts.values[k]) for k in self.left),
            "left": format_value(left),
            "right_parts": " + ".join(format_value(facts.values[k]) for k in self.right),
            "right": format_value(right), "difference": format_value(abs(left - right)),
        }, where)]


@dataclass(frozen=True, kw_only=True)
class CarryOverRule(Rule):
    """This year's ``current`` = last year's ``previous`` (二、上年结转 = 上年四、结转下年度)."""

    kind: ClassVar[str] = "previous_equal"
    key_fields: ClassVar[tuple[str, ...]] = ("current", "previous")
    message_fields: ClassVar[tuple[str, ...]] = ("row_label", "column_label", "current", "previous")
    stage: ClassVar[Stage] = Stage.PREVIOUS

    current: str
    previous: str

    @property
    def operands(self) -> tuple[str, ...]:
        return (self.current,)

    def references(self) -> tuple[str, ...]:
        return (self.current, self.previous)

    @property
    def pair(self) -> tuple[str, str]:
        """(this year's key, last year's key): what carries over."""
        return self.current, self.previous

    def findings(self, facts: Facts) -> list[Finding]:
        prev = facts.previous
        if prev is None or not facts.usable(self.operands) or prev.get(self.previous) is None:
            return []
        current, before = facts.values[self.current], prev[self.previous]
        if current == before:
            return []
        cell = facts.spec.cells[self.current]
        return [self.finding({"row_label": cell.row_label, "column_label": cell.column_label,
                              "current": format_value(current), "previous": format_value(before)},
                             facts.where(self.current))]


@dataclass(frozen=True, kw_only=True)
class ContinuityRule(Rule):
    """This year's ``current`` = last year's ``previous`` + ``plus`` − ``minus`` (现行有效件数)."""

    kind: ClassVar[str] = "previous_continuity"
    key_fields: ClassVar[tuple[str, ...]] = ("current", "previous", "plus", "minus")
    message_fields: ClassVar[tuple[str, ...]] = ("row_label", "column_label", "previous", "plus",
                                                 "minus", "expected", "current")
    stage: ClassVar[Stage] = Stage.PREVIOUS

    current: str
    previous: str
    plus: str
    minus: str

    @property
    def operands(self) -> tuple[str, ...]:
        return (self.current, self.plus, self.minus)

    def references(self) -> tuple[str, ...]:
        return (*self.operands, self.previous)

    def findings(self, facts: Facts) -> list[Finding]:
        prev = facts.previous
        if prev is None or not facts.usable(self.operands) or prev.get(self.previous) is None:
            return []
        values = facts.values
        current = values[self.current]
        expected = prev[self.previous] + values[self.plus] - values[self.minus]  # type: ignore[operator]
        if current == expected:
            return []
        cell = facts.spec.cells[self.current]
        return [self.finding({"row_label": cell.row_label, "column_label": cell.column_label,
                              "previous": format_value(prev[self.previous]),
                              "plus": format_value(values[self.plus]),
                              "minus": format_value(values[self.minus]),
                              "expected": format_value(expected), "current": format_value(current)},
                             facts.where(self.current))]


@dataclass(frozen=True, kw_only=True)
class NarrativeNumbersRule(Rule):
    """Every number the narrative field ``field`` states agrees with the tables and with itself
    (:mod:`ogi.form.narrative`; its findings are worded by the catalogue, ``NARRATIVE-NUMBER`` …)."""

    kind: ClassVar[str] = "narrative_numbers"
    key_fields: ClassVar[tuple[str, ...]] = ("field",)
    stage: ClassVar[Stage] = Stage.NARRATIVE

    field: str

    @property
    def operands(self) -> tuple[str, ...]:
        return ()

    def problems(self, spec: FormSpec) -> list[str]:
        if self.field not in spec.narrative_keys:
            return [f"规则 {self.id} 引用了不存在的正文栏目：{self.field}"]
        return []

    def findings(self, facts: Facts) -> list[Finding]:
        from .narrative import field_findings  # narrative reads the spec, which parses rules

        where = facts.locate(self.field)
        if not where:
            return []
        return field_findings(self, facts.narrative.get(self.field) or "", facts.spec, facts.values,
                              year=facts.year, where=where, usable=facts.usable)


#: TOML ``kind`` -> rule type.
RULE_TYPES: dict[str, type[Rule]] = {t.kind: t for t in (SumRule, BalanceRule, CarryOverRule,
                                                          ContinuityRule, NarrativeNumbersRule)}


def rule_from_toml(raw: Mapping[str, Any], *, id: str, title: str,
                   sub: Callable[[str], str]) -> Rule:
    """Parse one expanded ``[[rules]]`` entry into its type; an unknown kind is a :class:`SpecError`."""
    kind = raw.get("kind")
    rule_type = RULE_TYPES.get(kind) if isinstance(kind, str) else None
    if rule_type is None:
        raise SpecError(f"表式定义有误：规则 {id} 的类型未知：{kind}"
                        f"（可用的类型：{'、'.join(RULE_TYPES)}）")
    return rule_type.from_toml(raw, id=id, title=title, sub=sub)


def rules_problems(spec: FormSpec) -> list[str]:
    """What is wrong with the spec's rules as a whole: each rule's own problems, repeated ids, a
    cell computed by two sum rules."""
    problems = [p for rule in spec.rules for p in rule.problems(spec)]
    ids = [r.id for r in spec.rules]
    if len(ids) != len(set(ids)):
        problems.append("规则编号重复")
    targets = [r.target for r in sum_rules(spec.rules)]
    if len(targets) != len(set(targets)):
        problems.append("同一单元被多条求和规则计算")
    return problems


# ---- role accessors -------------------------------------------------------------------------------

def _key_parts(key: str) -> tuple[str, str, str]:
    table, _, rest = key.partition(".")
    row, _, column = rest.rpartition(".")
    return table, row, column


def _of_type(rules: Iterable[Rule], rule_type: type[R]) -> tuple[R, ...]:
    return tuple(r for r in rules if isinstance(r, rule_type))


def sum_rules(rules: Iterable[Rule]) -> tuple[SumRule, ...]:
    return _of_type(rules, SumRule)


def balance_rules(rules: Iterable[Rule]) -> tuple[BalanceRule, ...]:
    return _of_type(rules, BalanceRule)


def live_rules(rules: Iterable[Rule]) -> tuple[LiveRule, ...]:
    """The rules the workbook evaluates itself (sums and balances)."""
    return _of_type(rules, LiveRule)


def narrative_rules(rules: Iterable[Rule]) -> tuple[NarrativeNumbersRule, ...]:
    return _of_type(rules, NarrativeNumbersRule)


def carry_pairs(rules: Iterable[Rule]) -> tuple[tuple[str, str], ...]:
    """(this year's key, last year's key) of every carry-over rule, in spec order."""
    return tuple(r.pair for r in _of_type(rules, CarryOverRule))


def totals(rules: Iterable[Rule]) -> dict[str, tuple[str, ...]]:
    """Computed cell -> the cells its sum rule adds up."""
    return {r.target: r.addends for r in sum_rules(rules)}


def column_totals(rules: Iterable[Rule]) -> tuple[SumRule, ...]:
    """The sum rules that total a column (``（七）总计`` = Σ outcome rows), in spec order."""
    return tuple(r for r in sum_rules(rules) if r.column_total)


# ---- totals -------------------------------------------------------------------------------------

def sum_rules_in_order(spec: FormSpec) -> list[SumRule]:
    """Sum rules ordered so that every addend is computed before the rule that reads it."""
    pending = list(sum_rules(spec.rules))
    targets = {r.target for r in pending}
    done: set[str] = set()
    ordered: list[SumRule] = []
    while pending:
        ready = [r for r in pending if all(a not in targets or a in done for a in r.addends)]
        if not ready:
            raise ValueError("circular sum rules: " + ", ".join(r.id for r in pending))
        for r in ready:
            ordered.append(r)
            done.add(r.target)
        pending = [r for r in pending if r not in ready]
    return ordered


def compute_totals(spec: FormSpec, values: Mapping[str, Value], *,
                   keep_blank: bool = False) -> dict[str, Value]:
    """A copy of ``values`` with every computed cell recomputed from the inputs.

    By default a blank addend counts as 0, as the workbook's SUM does (the writer's cached results).
    With ``keep_blank`` a total with any blank addend is blank itself: a report never shows a total
    of incomplete data (the reader's Report, which ``ogi fill --force`` prints)."""
    out: dict[str, Value] = {k: values.get(k) for k in spec.cells}
    for rule in sum_rules_in_order(spec):
        if keep_blank and any(out.get(k) is None for k in rule.addends):
            out[rule.target] = None
        else:
            out[rule.target] = sum_values(out, rule.addends)
    return out


def input_operands(spec: FormSpec, keys: Iterable[str]) -> tuple[str, ...]:
    """The input cells behind ``keys``: each computed key replaced by the inputs its sum rules
    add up (recursively), in first-seen order without repeats. A live check is 数据不完整 when any
    of them is blank."""
    addends = totals(spec.rules)
    out: dict[str, None] = {}

    def walk(key: str) -> None:
        if key in addends:
            for k in addends[key]:
                walk(k)
        else:
            out[key] = None

    for key in keys:
        walk(key)
    return tuple(out)


def zero_values(spec: FormSpec) -> dict[str, Value]:
    """Every numeric input at 0 (what `ogi new` writes), totals computed."""
    return compute_totals(spec, {k: 0 for k in spec.input_keys})
