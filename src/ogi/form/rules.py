"""Evaluate a spec's rules on plain values: the Python back end of every rule.

The workbook writer uses :func:`compute_totals` for the cached results of its formulas, the checker
uses it to recompute every total itself (cached values in a returned workbook are never trusted), and
:func:`rule_holds` decides each live rule the way the workbook's check formulas do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from .report import Value
from .spec import FormSpec, Rule


def sum_values(values: Mapping[str, Value], keys: Iterable[str]) -> int | Decimal:
    """Σ of the values, a blank counting as 0 (as in the spreadsheet; blanks are reported apart)."""
    total: int | Decimal = 0
    for key in keys:
        v = values.get(key)
        if v is not None:
            total += v
    return total


def sum_rules_in_order(spec: FormSpec) -> list[Rule]:
    """Sum rules ordered so that every addend is computed before the rule that reads it."""
    pending = [r for r in spec.rules if r.kind == "sum"]
    targets = {r.target for r in pending}
    done: set[str] = set()
    ordered: list[Rule] = []
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
    addends = {r.target: r.addends for r in spec.rules if r.kind == "sum"}
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


def rule_operands(rule: Rule) -> tuple[str, ...]:
    """The cells a live rule compares (sum: target and addends; balance: both sides)."""
    if rule.kind == "sum":
        return (rule.target, *rule.addends)
    if rule.kind == "balance":
        return (*rule.left, *rule.right)
    raise ValueError(f"rule {rule.id} is not a live rule")


def live_state(spec: FormSpec, rule: Rule, values: Mapping[str, Value]) -> str:
    """What the workbook's live check of ``rule`` shows: ``incomplete`` when an input behind it is
    blank, else ``pass`` or ``fail`` (:func:`rule_holds`)."""
    if any(values.get(k) is None for k in input_operands(spec, rule_operands(rule))):
        return "incomplete"
    return "pass" if rule_holds(rule, values) else "fail"


def rule_holds(rule: Rule, values: Mapping[str, Value]) -> bool:
    """Whether a sum or balance rule holds on (already recomputed) values."""
    if rule.kind == "sum":
        return sum_values(values, (rule.target,)) == sum_values(values, rule.addends)
    if rule.kind == "balance":
        return sum_values(values, rule.left) == sum_values(values, rule.right)
    raise ValueError(f"rule {rule.id} is not a live rule")


def zero_values(spec: FormSpec) -> dict[str, Value]:
    """Every numeric input at 0 (what `ogi new` writes), totals computed."""
    return compute_totals(spec, {k: 0 for k in spec.input_keys})
