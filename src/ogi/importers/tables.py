"""Find the official tables' values in a published report by LABEL, never by position.

Each data row of a spec table is recognised by its own label (``1.属于国家秘密``, ``（七）总计``),
compared after normalisation (full-width and half-width punctuation, spaces, ``1.``/``1、``, quotes),
so that a row that is missing, extra or moved is reported instead of shifting every row below it.
The values of a matched row are the cells after its label: taken as they stand when the source shows
every cell (HTML, Word, TAB text, .xlsx; an empty cell is a blank), and only when their count fits
the row when it does not (PDF text, where an empty cell leaves no trace). Nothing is guessed: a cell
that cannot be placed stays ``None`` and is reported with the label that was looked for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from ..form.report import Value
from ..form.spec import DEFAULT_TEMPLATE, UNIT_LABELS, ImportHints, Row, Table, load_spec
from ..form.values import digit_variants, parse_number
from .document import Line, norm, pipe_cells

_NUMBER = re.compile(r"^[+\-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_UNITS = ("万元", "元", "件", "项", "个", "条", "次", "人")
_PLACEHOLDERS = {"-", "--", "---", "/", "//", "无", "*", "×", "x", "X", "…", "...", "空", "null"}
_PREFIX = re.compile(r"^(?:\([一二三四五六七八九十]{1,2}\)|\d{1,2}\.|[一二三四五六七八九十]{1,2}、)")
_NOTE = re.compile(r"\([^()]*\)$")


def _strip_unit(t: str) -> tuple[str, str]:
    for unit in _UNITS:
        if t.endswith(unit) and len(t) > len(unit):
            return t[: -len(unit)], unit
    return t, ""


def is_value_cell(text: str | None) -> bool:
    """Whether a cell holds a value (a number, a blank, or a placeholder such as ``—``) rather than
    a label."""
    if text is None:
        return False
    t = norm(text)
    if t == "" or t in _PLACEHOLDERS or set(t) <= {"-"} or t.startswith("="):
        return True
    body, _ = _strip_unit(t)
    return bool(_NUMBER.match(body))


def is_number_token(text: str | None) -> bool:
    if not text:
        return False
    body, _ = _strip_unit(norm(text))
    return bool(_NUMBER.match(body))


#: What a printed figure is instead of a value, by the value parser's code (the phrase completes
#: an IMPORT-NOT-NUMBER message; the code stays in the finding's detail as its cause).
PHRASES = {
    "VALUE-FORMULA": "是公式，文件中没有保存计算结果",
    "VALUE-DIGIT-VARIANT": "“{shown}”中有上标、下标等特殊写法的数字（{chars}），无法确定是哪个数",
    "VALUE-PLACEHOLDER": "写的是“{shown}”而不是数字",
    "VALUE-UNIT": "“{shown}”以{unit}为单位，本栏单位是{expected}（ogi 不换算，请核实后填写）",
    "VALUE-TEXT": "“{shown}”不是数字",
    "VALUE-NEGATIVE": "“{shown}”是负数",
    "VALUE-FRACTION": "“{shown}”不是整数",
    "VALUE-PRECISION": "“{shown}”的小数超过 {places} 位",
    "VALUE-TOO-LARGE": "“{shown}”超过上限 {limit}",
}
#: parse_value's phrase for a spreadsheet formula without a saved result.
FORMULA = PHRASES["VALUE-FORMULA"]
#: parse_value's phrase for a blank cell.
BLANK = "blank"


@dataclass(frozen=True)
class ValueProblem:
    """Why a printed figure is not a value: the value parser's code and its fields."""

    code: str
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def phrase(self) -> str:
        """``BLANK`` for a blank, else the Chinese phrase of :data:`PHRASES`."""
        return BLANK if self.code == "VALUE-BLANK" else PHRASES[self.code].format(**self.fields)


def parse_value(text: str | None, vtype: str) -> tuple[Value, ValueProblem | None]:
    """(value, problem) for one printed cell, through the one value parser
    (:func:`ogi.form.values.parse_number`): the same limits for a typed and a printed figure. Never turns
    a blank or a dash into 0."""
    t = norm(text or "")
    if t == "":
        return None, ValueProblem("VALUE-BLANK")
    shown = (text or "").strip()
    variants = digit_variants(text or "")
    if variants:  # NFKC reads 1² as 12: a footnote mark or a typo, never a digit to guess
        return None, ValueProblem("VALUE-DIGIT-VARIANT", {"shown": shown, "chars": "".join(variants)})
    if t.startswith("="):
        return None, ValueProblem("VALUE-FORMULA")
    if t in _PLACEHOLDERS or set(t) <= {"-"}:
        return None, ValueProblem("VALUE-PLACEHOLDER", {"shown": shown})
    body, unit = _strip_unit(t)
    if (vtype == "wan_yuan" and unit == "元") or (vtype == "yuan" and unit == "万元"):
        return None, ValueProblem("VALUE-UNIT", {"shown": shown, "unit": unit, "expected": UNIT_LABELS[vtype]})
    if not _NUMBER.match(body):
        return None, ValueProblem("VALUE-TEXT", {"shown": shown})
    negative = vtype == "delta" and body.startswith("-")
    value, problems = parse_number(body[1:] if negative else body, "s", vtype)
    for code, fields in problems:
        if code != "VALUE-NORMALISED":
            return None, ValueProblem(code if code in PHRASES else "VALUE-TEXT", {**fields, "shown": shown})
    if negative and value is not None:
        value = -value
    return value, None


def cell_read(key: str, raw: str | None, vtype: str, where: str, doubt: str = "") -> CellRead:
    """One printed cell read through :func:`parse_value`."""
    value, problem = parse_value(raw, vtype)
    return CellRead(key, value, (raw or "").strip(), problem.phrase if problem else "", where, doubt,
                    cause=problem.code if problem else "")


@dataclass(frozen=True)
class Variants:
    """The ``[import]`` table of a spec: how published reports print its tables (see the TOML)."""

    row_variants: tuple[tuple[str, str], ...] = ()
    numbering: tuple[re.Pattern[str], ...] = ()
    merged_rows: tuple[tuple[str, tuple[str, ...]], ...] = ()
    part_captions: tuple[tuple[str, str, str], ...] = ()


_VARIANTS: dict[tuple[str, ImportHints], Variants] = {}


def variants_for(template_id: str) -> Variants:
    """The spec's rows' label variants and its ``[import]`` hints. A spec without an [import] table
    of its own (the 2019 one) uses the current one's: its tables are printed the same ways, and
    entries naming rows it does not have are never matched."""
    spec = load_spec(template_id)
    hints = spec.import_hints or load_spec(DEFAULT_TEMPLATE).import_hints or ImportHints()
    cache_key = (spec.sha256, hints)
    found = _VARIANTS.get(cache_key)
    if found is None:
        found = _VARIANTS[cache_key] = Variants(
            tuple((f"{t.key}.{row.key}", label) for t in spec.tables for row in t.data_rows
                  for label in row.variants),
            tuple(re.compile(p) for p in hints.numbering),
            hints.merged_rows,
            hints.part_captions)
    return found


def _number_of(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    if t.isdigit():
        return str(int(t))
    try:
        return str(int(unicodedata.numeric(text)))
    except (TypeError, ValueError):
        return t


def label_norm(text: str, variants: Variants | None = None) -> str:
    """:func:`norm` with every numbering style of sub-rows (``（1）``, ``①``, ``1)``) written ``1.``."""
    t = text or ""
    for rx in (variants or variants_for(DEFAULT_TEMPLATE)).numbering:
        t = rx.sub(lambda m: _number_of(m.group(1)) + ".", t)
    return norm(t)


@dataclass(frozen=True)
class _Leaf:
    key: str
    full: str
    core: str
    bare: str


def leaf_label(row: Row) -> str:
    """A data row's own label: its cells that do not span several rows (group labels such as
    ``（三）不予公开`` are shared, so they identify nothing)."""
    return "".join(c.text for c in row.cells if c.rowspan == 1)


def _leaves(table: Table, variants: Variants) -> list[_Leaf]:
    labels = [(row.key, leaf_label(row)) for row in table.data_rows]
    keys = {key for key, _ in labels}
    labels += [(row.split(".", 1)[1], label) for row, label in variants.row_variants
               if row.split(".", 1)[0] == table.key and row.split(".", 1)[1] in keys]
    out = []
    for key, text in labels:
        full = label_norm(text, variants)
        if not full:
            continue
        core = _NOTE.sub("", full) or full
        bare = _PREFIX.sub("", core)
        out.append(_Leaf(key, full, core, bare))
    # A label without its number identifies a row only when no other row's does the same.
    return [leaf if len(leaf.bare) >= 4 and len({x.key for x in out if x.bare == leaf.bare}) == 1
            else _Leaf(leaf.key, leaf.full, leaf.core, "") for leaf in out]


#: A wrapped group label (``（六）其他`` / ``处理``) read line by line lands inside the row label
#: next to it; up to this many such characters may sit between the label's own characters.
MAX_INTERLEAVED = 8


def _subsequence_window(needle: str, hay: str) -> tuple[int, int] | None:
    """The shortest [start, end) of ``hay`` containing ``needle`` as a subsequence (latest on ties)."""
    best: tuple[int, int] | None = None
    start = hay.find(needle[0])
    while start >= 0:
        j = start
        for ch in needle:
            j = hay.find(ch, j)
            if j < 0:
                return best
            j += 1
        end = j
        k = end - 1  # walk back to the tightest start for this end
        for ch in reversed(needle):
            k = hay.rfind(ch, 0, k + 1)
            k -= 1
        first = k + 1
        if best is None or end - first <= best[1] - best[0]:
            best = (first, end)
        start = hay.find(needle[0], first + 1)
    return best


def _prefix_match(needle: str, hay: str, budget: int = MAX_INTERLEAVED) -> tuple[int, int]:
    """(k, end): the longest start ``needle[:k]`` found in ``hay`` as a subsequence with at most
    ``budget`` foreign characters inside, and where it ends. A label whose numbers were printed
    beside its first lines (the rest of it below them) is recognised by this start."""
    best = (0, 0)
    start = hay.find(needle[0])
    while start >= 0:
        i, j, gaps, last = 1, start + 1, 0, start + 1
        while i < len(needle) and j < len(hay):
            if hay[j] == needle[i]:
                i += 1
                last = j + 1
            else:
                gaps += 1
                if gaps > budget:
                    break
            j += 1
        if (i, last) > best:
            best = (i, last)
        start = hay.find(needle[0], start + 1)
    return best


def match_label(leaves: list[_Leaf], text: str) -> tuple[str | None, int]:
    """The row key whose label ``text`` (normalised) names, and how sure: 3 whole label, 2 label
    without its note, 1 label without its number, 0 a wrapped label's first part. ``(None, -1)``
    when nothing or more than one row fits equally well."""
    if not text:
        return None, -1
    best: list[tuple[tuple[int, int, int], str]] = []
    for leaf in leaves:
        score: tuple[int, int, int] | None = None
        for level, needle in ((3, leaf.full), (2, leaf.core), (1, leaf.bare)):
            if needle and needle in text:
                end = text.rfind(needle) + len(needle)
                score = (level, end, len(needle))
                break
        if score is None and len(leaf.full) >= 6:
            window = _subsequence_window(leaf.full, text)
            if window is not None and window[1] - window[0] - len(leaf.full) <= MAX_INTERLEAVED:
                score = (1, window[1], len(leaf.full))
        if score is None and len(leaf.full) >= 6:
            k, end = _prefix_match(leaf.full, text)
            # A narrow column shows a few characters a line: a start no other row's label shares will do.
            unique = k >= 5 and not any(o.key != leaf.key and o.full.startswith(leaf.full[:k]) for o in leaves)
            if k >= max(6, min(len(leaf.full) // 2, 10)) or unique:
                score = (0, end, k)
        if score is not None:
            best.append((score, leaf.key))
    if not best:
        return None, -1
    best.sort(reverse=True)
    if len(best) > 1 and best[0][0] == best[1][0] and best[0][1] != best[1][1]:
        return None, -1
    return best[0][1], best[0][0][0]


def split_row(cells: tuple[str | None, ...]) -> tuple[str, list[str | None]]:
    """(label text, cells after the label): the label is everything up to the last text cell."""
    last = -1
    for i, c in enumerate(cells):
        if c is not None and not is_value_cell(c):
            last = i
    label = "".join(c for c in cells[: last + 1] if c)
    return label, list(cells[last + 1:])


@dataclass
class CellRead:
    key: str
    value: Value
    raw: str
    problem: str  # "" read, "blank", or why the text is not a value
    where: str
    #: Why the row this value was put in is not certain from the layout alone ("" when it is): the
    #: import keeps it only when the table's arithmetic confirms it.
    doubt: str = ""
    #: A finding code of its own for ``problem`` (a merged row that cannot be split).
    code: str = ""
    #: The value parser's code for ``problem`` (``VALUE-TEXT``, ``VALUE-UNIT`` ...): the cause.
    cause: str = ""


@dataclass
class TableRead:
    """What was found for one table of one spec."""

    table: Table
    cells: dict[str, CellRead] = field(default_factory=dict)
    rows_found: dict[str, str] = field(default_factory=dict)  # row key -> where
    mismatched: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # row -> (where, got, want)
    missing_rows: list[str] = field(default_factory=list)
    extra_rows: list[tuple[str, str]] = field(default_factory=list)  # (label, where)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (row key, where)
    #: Numbers that no row label claims: (the numbers as read, where).
    unpaired: list[tuple[str, str]] = field(default_factory=list)

    @property
    def found_any(self) -> bool:
        return bool(self.rows_found)


def _fit(values: list[str | None], n: int, structured: bool) -> list[str] | None:
    """The ``n`` cells of a row's values, or None when their count does not fit the row."""
    present = [v for v in values if v is not None]
    if structured:
        if len(present) == n:
            return [v or "" for v in present]
        stripped = list(present)
        while stripped and not norm(stripped[-1] or ""):
            stripped.pop()
        while stripped and not norm(stripped[0] or ""):
            stripped.pop(0)
        if len(stripped) == n:
            return [v or "" for v in stripped]
        if not stripped:
            return [""] * n
        return None
    tokens = [v for v in present if norm(v or "")]
    return tokens if len(tokens) == n else None


def _numbers_only(line: Line) -> list[str] | None:
    """The number tokens of a line that holds nothing else (outside a table grid), else None."""
    if line.structured and not line.is_para:
        return None
    tokens = [t for c in line.cells if c for t in c.split()]
    if tokens and all(is_number_token(t) for t in tokens):
        return tokens
    return None


def coalesce(lines: list[Line]) -> list[Line]:
    """Join numbers printed on lines of their own (one cell per line; the numbers of a wrapped label
    below it) into one row of numbers; the label lines before them name its row."""
    from .text import word_line  # (text imports this module)

    def flattened(line: Line) -> Line:
        """A paragraph inside a table's region that is a row flattened to text (a web page whose
        table lost its markup, a markdown table kept as paragraphs): the row, as a text line gives it."""
        if not (line.is_para and line.structured):
            return line
        pipe = pipe_cells(line.text)
        if pipe is not None:
            return Line(pipe, line.where, "row") if pipe else Line(("",), line.where)
        return word_line(line.text, line.where)

    lines = [flattened(line) for line in lines]
    out: list[Line] = []
    i = 0
    while i < len(lines):
        tokens = _numbers_only(lines[i])
        if tokens is None:
            out.append(lines[i])
            i += 1
            continue
        where = lines[i].where
        j = i + 1
        while j < len(lines) and (more := _numbers_only(lines[j])) is not None:
            tokens += more
            j += 1
        out.append(Line(tuple(tokens), where, "row", structured=False, detached=True))
        i = j
    return out


_DOUBT_DETACHED = "数字不与行标签在同一行（每格一行，或数字单独成行），按顺序对应到这一行"
_DOUBT_WRAPPED = "行标签折行，与数字不在同一行"
_DOUBT_CROWDED = "数字之前有多个行标签都没有数字，对应关系可能错位"
_DOUBT_PART = "表格分成几部分印出，没有找到这一部分的标题，按官方顺序对应"


def read_table(table: Table, lines: list[Line], variants: Variants | None = None) -> TableRead:
    """Match the data rows of ``table`` in ``lines`` (the table's region of the document)."""
    variants = variants or variants_for(DEFAULT_TEMPLATE)
    result = TableRead(table)
    leaves = _leaves(table, variants)
    rows = {r.key: r for r in table.data_rows}
    unlabelled = [r for r in table.data_rows if not norm(leaf_label(r))]
    merged = {label_norm(label, variants): tuple(r.split(".", 1)[1] for r in parts)
              for label, parts in variants.merged_rows
              if all(r.split(".", 1)[0] == table.key and r.split(".", 1)[1] in rows for r in parts)}
    captions = [(norm(words), col) for row, words, col in variants.part_captions
                if unlabelled and row == f"{table.key}.{unlabelled[0].key}"]
    got: dict[str, tuple[list[str | None], Line, str]] = {}
    parts: list[tuple[str, list[str | None], Line, str]] = []  # (first column, values, line, doubt)
    merged_got: dict[tuple[str, ...], tuple[list[str | None], Line]] = {}
    label_of = {tuple(r.split(".", 1)[1] for r in rows_): label for label, rows_ in variants.merged_rows}
    buffer = ""
    for line in coalesce(lines):
        if line.is_para:
            if len(norm(line.text)) > 80 or (line.structured and "。" in line.text):
                buffer = ""  # running text, not a label
            else:
                buffer = (buffer + label_norm(line.text, variants))[-240:]
            continue
        label_text, values = split_row(line.cells)
        label = label_norm(label_text, variants)
        if not values:  # labels only (a header row, a label whose numbers follow on another line)
            buffer = (buffer + label)[-240:]
            continue
        has_values = any(v is not None and norm(v) for v in values)
        if label in merged and merged[label] not in merged_got:
            merged_got[merged[label]] = (values, line)
            buffer = ""
            continue
        doubt = ""
        key, level = match_label(leaves, label)
        if (key is None or level < 3) and buffer:
            key2, level2 = match_label(leaves, buffer + label)
            if key2 is not None and level2 >= max(level, 0):
                key, level = key2, level2
                if not line.structured and _complete_labels(leaves, buffer) > 1:
                    doubt = _DOUBT_CROWDED
        if not line.structured and key is not None and level < 2 and not doubt:
            # Only part of the label is next to these numbers: which row they belong to is inferred.
            doubt = _DOUBT_DETACHED if line.detached else _DOUBT_WRAPPED
        if key is None and unlabelled and has_values and len(label) <= 6:
            row = unlabelled[0]
            numbers = sum(1 for v in values if is_number_token(v))
            cells = [v for v in values if v is not None]
            if (numbers >= len(row.values) or (line.structured and len(cells) == len(row.values))) \
                    and row.key not in got:
                key = row.key
            elif captions and numbers >= 1:
                text = buffer + label
                col = next((c for words, c in captions if words in text), "")
                parts.append((col, values, line, "" if col else _DOUBT_PART))
                buffer = ""
                continue
        if key is None:
            shown = [v.strip() for v in values if v and v.strip()]
            if shown and all(v.startswith("=") for v in shown):
                pass  # a workbook's own check row (formulas only): not a row of the report
            elif has_values and label:
                result.extra_rows.append((label_text.strip(), line.where))
            elif has_values:
                result.unpaired.append((" ".join(shown), line.where))
            buffer = ""
            continue
        if level <= 0 and not has_values:
            buffer = (buffer + label)[-240:]
            continue
        if key in got:
            result.duplicates.append((key, line.where))
            buffer = ""
            continue
        got[key] = (values, line, doubt)
        buffer = ""

    for key, row in rows.items():
        if key not in got:
            if parts and any(r.key == key for r in unlabelled) and _read_parts(result, table, row, parts):
                continue
            if any(key in p for p in merged_got):
                continue
            result.missing_rows.append(key)
            continue
        values, line, doubt = got[key]
        result.rows_found[key] = line.where
        fitted = _fit(values, len(row.values), line.structured)
        if fitted is None and line.positions:
            fitted = _by_position(values, line, _anchors(got, len(row.values)))
        if fitted is None:
            present = [v for v in values if v is not None and (norm(v) or line.structured)]
            result.mismatched[key] = (line.where, len(present), len(row.values))
            continue
        for slot, raw in zip(row.values, fitted, strict=True):
            cell_key = table.cell_key(key, slot.column)
            vtype = table.column(slot.column).type
            result.cells[cell_key] = cell_read(cell_key, raw, vtype, line.where, doubt)
    for part_keys, (values, line) in merged_got.items():
        _read_merged(result, table, part_keys, values, line, label_of[part_keys])
    return result


def _value_positions(values: list[str | None], line: Line) -> list[float]:
    return list(line.positions[len(line.positions) - len(values):]) if len(line.positions) >= len(values) \
        else []


def _anchors(got: dict[str, tuple[list[str | None], Line, str]], n: int) -> list[float]:
    """The horizontal centre of each of ``n`` columns, from the rows that show all ``n`` numbers."""
    columns: list[list[float]] = [[] for _ in range(n)]
    for values, line, _ in got.values():
        xs = _value_positions(values, line)
        numbers = [(v, x) for v, x in zip(values, xs, strict=False) if v and norm(v)]
        if xs and len(numbers) == n:
            for i, (_, x) in enumerate(numbers):
                columns[i].append(x)
    if not all(columns):
        return []
    return [sorted(c)[len(c) // 2] for c in columns]


def _by_position(values: list[str | None], line: Line, anchors: list[float]) -> list[str] | None:
    """A PDF row with empty cells: each number placed in the column it sits under (a column with no
    number is a blank). None when a number is not clearly under one column."""
    xs = _value_positions(values, line)
    if not anchors or not xs or len(anchors) < 2:
        return None
    gap = min(b - a for a, b in pairwise(anchors))
    if gap <= 0:
        return None
    out: list[str] = [""] * len(anchors)
    for value, x in zip(values, xs, strict=True):
        if not value or not norm(value):
            continue
        col = min(range(len(anchors)), key=lambda i: abs(anchors[i] - x))
        if abs(anchors[col] - x) > gap / 2 or out[col]:
            return None
        out[col] = value
    return out


def _complete_labels(leaves: list[_Leaf], text: str) -> int:
    return len({leaf.key for leaf in leaves if len(leaf.core) >= 4 and leaf.core in text})


def _read_parts(result: TableRead, table: Table, row: Row,
                parts: list[tuple[str, list[str | None], Line, str]]) -> bool:
    """A row printed in parts (表四 as three tables): each part's values from its caption's column
    on (or, without a caption, in the official order)."""
    columns = [slot.column for slot in row.values]
    size = len(columns) // max(len(parts), 1)
    cursor = 0
    for col, values, line, doubt in parts:
        start = columns.index(col) if col in columns else cursor
        fitted = _fit(values, size, line.structured)
        if fitted is None or start + size > len(columns):
            present = [v for v in values if v is not None and (norm(v) or line.structured)]
            result.mismatched[row.key] = (line.where, len(present), size)
            return True
        for offset, raw in enumerate(fitted):
            column = columns[start + offset]
            cell_key = table.cell_key(row.key, column)
            result.cells[cell_key] = cell_read(cell_key, raw, table.column(column).type, line.where, doubt)
        cursor = start + size
        result.rows_found.setdefault(row.key, line.where)
    return True


def _read_merged(result: TableRead, table: Table, part_keys: tuple[str, ...], values: list[str | None],
                 line: Line, label: str) -> None:
    """One printed row for rows the official table splits (the 2019 （六）其他处理): 0 in a column
    makes every part 0; any other figure cannot be split, and the parts stay blank."""
    first = table.data_rows[[r.key for r in table.data_rows].index(part_keys[0])]
    fitted = _fit(values, len(first.values), line.structured)
    for key in part_keys:
        result.rows_found[key] = line.where
        if key in result.missing_rows:
            result.missing_rows.remove(key)
    if fitted is None:
        present = [v for v in values if v is not None and (norm(v) or line.structured)]
        result.mismatched[part_keys[0]] = (line.where, len(present), len(first.values))
        return
    for slot, raw in zip(first.values, fitted, strict=True):
        vtype = table.column(slot.column).type
        value, problem = parse_value(raw, vtype)
        for key in part_keys:
            cell_key = table.cell_key(key, slot.column)
            if problem or value == 0:
                result.cells[cell_key] = CellRead(cell_key, value, (raw or "").strip(),
                                                  problem.phrase if problem else "", line.where,
                                                  cause=problem.code if problem else "")
            else:
                result.cells[cell_key] = CellRead(
                    cell_key, None, (raw or "").strip(),
                    f"原文只印了一行“{label}”，为 {raw.strip()}，而官方表格把它分成三项，ogi 无法判断如何分配",
                    line.where, code="IMPORT-MERGED-ROW")
