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


def compute_totals(spec: FormSpec, values: Mapping[str, Value]) -> dict[str, Value]:
    """A copy of ``values`` with every computed cell recomputed from the inputs."""
    out: dict[str, Value] = {k: values.get(k) for k in spec.cells}
    for rule in sum_rules_in_order(spec):
        out[rule.target] = sum_values(out, rule.addends)
    return out


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
