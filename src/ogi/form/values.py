"""The one value parser: what a number typed in a workbook cell or printed in a published table is.

:func:`parse_number` reads a workbook cell (:mod:`ogi.workbook.xlsx_reader`), :func:`ogi.importers.tables.parse_value`
a printed figure through it, and :func:`magnitude_problem` is the one rule for signs, fractions,
precision and size that the parser and :mod:`ogi.workbook.checker` share. Problems are finding codes
(``VALUE-NEGATIVE``, ``VALUE-TEXT`` ...) with their fields, never sentences: the caller words them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from .report import Value
from .spec import DECIMAL_PLACES, UNIT_LABELS

MAX_VALUE = Decimal(10) ** 9
_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")

#: A problem with a value: (finding code, its message fields).
Problem = tuple[str, dict[str, Any]]


def short(value: Any, limit: int = 30) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "…"


def magnitude_problem(d: Decimal | int, kind: str, found: str, *, limit: bool = True) -> Problem | None:
    """What is wrong with a number of cell type ``kind`` (negative, a fraction of a count, more
    decimals than the unit allows, beyond :data:`MAX_VALUE` with ``limit``), or None.
    ``found`` is the number as shown in the message."""
    d = Decimal(d)
    if d < 0:
        return ("VALUE-NEGATIVE", {"found": found})
    if limit and d > MAX_VALUE:
        return ("VALUE-TOO-LARGE", {"found": found, "limit": f"{MAX_VALUE:,.0f}"})
    places = DECIMAL_PLACES[kind]
    exponent = d.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if kind == "count":
        if decimals:
            return ("VALUE-FRACTION", {"found": found})
    elif decimals > places:
        finest = "精确到分" if kind in ("wan_yuan", "yuan") else ""
        return ("VALUE-PRECISION", {"found": found, "unit": UNIT_LABELS[kind], "places": places,
                                    "finest": finest})
    return None


def _decimal_from_float(value: float) -> Decimal:
    """Excel keeps 15 significant digits; a stored 5949.0886670000004 is the typed 5949.088667."""
    return Decimal(format(value, ".15g"))


def as_value(d: Decimal, kind: str) -> int | Decimal:
    if kind == "count":
        return int(d)
    if d == d.to_integral_value():
        return Decimal(int(d))
    return d.normalize()


_FULL_WIDTH_DIGITS = frozenset("０１２３４５６７８９")


def digit_variants(text: str) -> list[str]:
    """Characters of ``text`` that are digits, or that NFKC would turn into digits, other than the
    ASCII and full-width digits: ``²`` (NFKC: ``2``, so ``1²`` would read as 12), ``₃``, ``①``,
    ``½``, ``𝟒``, Arabic-Indic ``٣``. Which number such a cell means is a guess: an error, never
    normalised."""
    if text.isascii():
        return []
    out = [ch for ch in text if not ch.isascii() and ch not in _FULL_WIDTH_DIGITS and
           (ch.isdigit() or
            any(c.isdigit() for c in unicodedata.normalize("NFKC", ch)))]
    return list(dict.fromkeys(out))


def parse_number(raw: Any, data_type: str, kind: str) -> tuple[Value, list[Problem]]:
    """Parse one numeric cell. Returns (value or None, [(code, fields)...]).

    ``None`` with no problems means blank. Harmless variants give a value and a VALUE-NORMALISED
    warning; anything else gives ``None`` and an error code.
    """
    unit = UNIT_LABELS[kind]
    if raw is None:
        return None, []
    if data_type == "f":
        return None, [("VALUE-FORMULA", {"found": short(raw, 60)})]
    what: list[str] = []
    if isinstance(raw, bool | dt.datetime | dt.date | dt.time | dt.timedelta):
        return None, [("VALUE-TEXT", {"found": short(raw), "unit": unit})]
    if isinstance(raw, int):
        d = Decimal(raw)
        shown = str(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return None, [("VALUE-TEXT", {"found": short(raw), "unit": unit})]
        d = _decimal_from_float(raw)
        shown = format(raw, ".15g")
    else:
        text = str(raw)
        if not unicodedata.normalize("NFKC", text).strip():
            return None, []
        if data_type == "e":
            return None, [("VALUE-TEXT", {"found": short(text), "unit": unit})]
        variants = digit_variants(text)
        if variants:
            return None, [("VALUE-DIGIT-VARIANT", {"found": short(text.strip()),
                                                   "chars": "".join(variants)})]
        norm = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
        if norm != text and norm.strip() != text.strip():
            what.append("使用了全角字符")
        stripped = norm.strip()
        if stripped != norm:
            what.append("前后有空格")
        if _GROUPED_RE.match(stripped):
            stripped = stripped.replace(",", "")
            what.append("带有千位分隔符")
        if not _NUMBER_RE.match(stripped):
            return None, [("VALUE-TEXT", {"found": short(text.strip() or text), "unit": unit})]
        what.append("以文本形式保存")
        try:
            d = Decimal(stripped)
        except InvalidOperation:  # pragma: no cover - the regular expression admits only numbers
            return None, [("VALUE-TEXT", {"found": short(text), "unit": unit})]
        shown = text
    problem = magnitude_problem(d, kind, short(shown))
    if problem is not None:
        return None, [problem]
    if kind == "count" and d.as_tuple().exponent < 0 and isinstance(raw, str):
        what.append("写成了小数")
    value = as_value(d, kind)
    if what:
        return value, [("VALUE-NORMALISED", {"found": short(shown), "what": "、".join(what),
                                             "value": value})]
    return value, []
