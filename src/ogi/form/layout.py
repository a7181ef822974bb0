"""Where everything sits in an ogi workbook: the ONE place that knows cell addresses.

The writer asks the layout where to put each label, input and formula; the reader asks it where to
find them again and what formula each computed cell must still hold. Addresses are derived from the
spec, so a new template version moves cells here and nowhere else.

Rows and columns are 0-based internally (xlsxwriter's convention); :func:`a1` gives ``D7`` strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .rules import FAIL as FAIL  # the live checks' results, re-exported for the writer and tests
from .rules import INCOMPLETE as INCOMPLETE
from .rules import PASS as PASS
from .rules import BalanceRule, LiveRule, Rule, balance_rules, sum_rules
from .spec import DEFAULT_TEMPLATE, FormSpec, Table, load_spec

SHEET_GUIDE = "填报说明"
SHEET_META = "基本信息"
SHEET_TEXT = "正文"
SHEET_CHECKS = "校验"
SHEET_HIDDEN = "ogi_meta"
#: First sheet of the annotated copy `ogi feedback` sends back; the reader ignores it, so a township
#: may keep or delete it.
SHEET_FEEDBACK = "需要修改的问题"

BY_OGI = "由 ogi check 检查"
#: Report.explanations key of the 校验 sheet's general 说明 cell.
GENERAL_EXPLANATION = "_general"
#: The label of the general 说明 row at the foot of the 校验 sheet (the reader finds the row by it).
GENERAL_EXPLANATION_LABEL = "总体说明"

#: First sheet row of every table's grid (0-based: Excel row 4). Rows above: title, note, blank.
TABLE_TOP = 3
#: Rows of the hidden metadata sheet, in order (column A key, column B value).
HIDDEN_KEYS = ("template_id", "template_version", "spec_sha256", "ogi_version", "agency_id",
               "agency_type", "agency_name", "year", "deadline")


#: How far down the hidden sheet a reader looks for keys (room for rows a later version adds).
HIDDEN_SCAN_ROWS = len(HIDDEN_KEYS) + 19


def hidden_row(key: str) -> int:
    """The 0-based row of the hidden sheet that holds ``key`` (its name in column A, value in B)."""
    return HIDDEN_KEYS.index(key)


def hidden_address(key: str) -> str:
    """The A1 address of ``key``'s value on the hidden sheet (``B1`` for template_id)."""
    return a1(hidden_row(key), 1)


def hidden_cells() -> list[tuple[int, int, str]]:
    """(row, col, text) of the hidden sheet's key column, as the writer writes it."""
    return [(hidden_row(k), 0, k) for k in HIDDEN_KEYS]


def read_hidden(text_at: Callable[[int, int], str], rows: Iterable[int] | None = None) -> dict[str, str]:
    """Key -> value of a hidden sheet, ``text_at(row, col)`` giving a cell's text (0-based). Every
    row with a key in column A counts (``rows``: the rows to look at; default the first
    :data:`HIDDEN_SCAN_ROWS`)."""
    out: dict[str, str] = {}
    for r in range(HIDDEN_SCAN_ROWS) if rows is None else rows:
        key = text_at(r, 0).strip()
        if key:
            out[key] = text_at(r, 1)
    return out


def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


@dataclass(frozen=True)
class Placed:
    """A cell (possibly merged) on a sheet grid."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str = ""
    kind: str = ""  # header | caption | label | value

    @property
    def address(self) -> str:
        return a1(self.row, self.col)

    @property
    def merged(self) -> bool:
        return self.rowspan > 1 or self.colspan > 1

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


@dataclass(frozen=True)
class TableLayout:
    table: Table
    labels: tuple[Placed, ...]  # header, caption and row-label cells, in reading order
    values: dict[str, Placed]  # cell key -> value cell
    row_of: dict[str, int]  # data row key -> sheet row
    check_row: int  # sheet row of the live balance check (table 三), else -1
    last_row: int  # last sheet row of the grid

    @property
    def sheet(self) -> str:
        return self.table.sheet


def place_table(table: Table, top: int = 0) -> TableLayout:
    """Place a table's rows on a grid, HTML-style: each cell takes the next column not covered by a
    rowspan from above. Data rows put their label cells first, then their value slots."""
    occupied: set[tuple[int, int]] = set()
    labels: list[Placed] = []
    values: dict[str, Placed] = {}
    row_of: dict[str, int] = {}

    def put(r: int, width: int, height: int) -> int:
        c = 0
        while (r, c) in occupied:
            c += 1
        for dr in range(height):
            for dc in range(width):
                occupied.add((r + dr, c + dc))
        return c

    for i, row in enumerate(table.rows):
        r = top + i
        for cell in row.cells:
            kind = row.kind if row.kind != "data" else "label"
            c = put(r, cell.colspan, cell.rowspan)
            labels.append(Placed(r, c, cell.rowspan, cell.colspan, cell.text, kind))
        if row.kind == "data":
            row_of[row.key] = r
            for slot in row.values:
                c = put(r, slot.colspan, 1)
                values[table.cell_key(row.key, slot.column)] = Placed(r, c, 1, slot.colspan,
                                                                        "", "value")
    for p in [*labels, *values.values()]:
        if p.last_col >= table.grid_columns:
            raise ValueError(f"{table.key}: cell at {p.address} runs past the grid")
    last = top + len(table.rows) - 1
    has_balance = any(row.role for row in table.data_rows)  # the applications table (三)
    return TableLayout(table, tuple(labels), values, row_of, last + 2 if has_balance else -1, last)


def contiguous_ranges(cells: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover (row, col) cells with few rectangles (first_row, first_col, last_row, last_col).

    Vertical runs per column first, then neighbouring columns with the same run are joined.
    """
    by_col: dict[int, list[int]] = {}
    for r, c in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        by_col.setdefault(c, []).append(r)
    runs: list[tuple[int, int, int]] = []  # (col, first_row, last_row)
    for c, rows in by_col.items():
        start = prev = rows[0]
        for r in rows[1:]:
            if r != prev + 1:
                runs.append((c, start, prev))
                start = r
            prev = r
        runs.append((c, start, prev))
    rects: list[list[int]] = []
    for c, r0, r1 in sorted(runs, key=lambda x: (x[1], x[2], x[0])):
        for rect in rects:
            if rect[0] == r0 and rect[2] == r1 and rect[3] == c - 1:
                rect[3] = c
                break
        else:
            rects.append([r0, c, r1, c])
    return [tuple(r) for r in rects]  # type: ignore[misc]


def range_ref(rect: tuple[int, int, int, int]) -> str:
    r0, c0, r1, c1 = rect
    first, last = a1(r0, c0), a1(r1, c1)
    return first if first == last else f"{first}:{last}"


@dataclass(frozen=True)
class FieldCell:
    """A labelled input on 基本信息 or 正文: label cell, value cell, hint cell on one row."""

    key: str
    sheet: str
    row: int
    label: str

    @property
    def address(self) -> str:
        return a1(self.row, 1)

    @property
    def label_address(self) -> str:
        return a1(self.row, 0)


@dataclass(frozen=True)
class CheckRow:
    """One rule's row on the 校验 sheet."""

    rule: Rule
    row: int

    @property
    def result_address(self) -> str:
        return a1(self.row, 2)

    @property
    def explanation_address(self) -> str:
        return a1(self.row, 3)


class Layout:
    """Addresses of every key, label and formula of one spec's workbook."""

    def __init__(self, spec: FormSpec) -> None:
        self.spec = spec
        self.tables: dict[str, TableLayout] = {
            t.key: place_table(t, TABLE_TOP) for t in spec.tables
        }
        self.sheets: tuple[str, ...] = (SHEET_GUIDE, SHEET_META,
                                        *(t.sheet for t in spec.tables),
                                        SHEET_TEXT, SHEET_CHECKS, SHEET_HIDDEN)
        # 基本信息: title row 1, header row 3, fields from row 4.
        self.meta_fields: dict[str, FieldCell] = {
            m.key: FieldCell(m.key, SHEET_META, 3 + i, m.label) for i, m in enumerate(spec.metadata)
        }
        # 正文: title, two note rows, header on row 4, narrative fields from row 5, then the fees
        # block after one heading row.
        self.narrative_fields: dict[str, FieldCell] = {
            n.key: FieldCell(n.key, SHEET_TEXT, 4 + i, f"{n.section}\n{n.label}")
            for i, n in enumerate(spec.narrative)
        }
        self.fee_heading_row = 4 + len(spec.narrative) + 1
        self.fee_fields: dict[str, FieldCell] = {
            f.key: FieldCell(f.key, SHEET_TEXT, self.fee_heading_row + 1 + i, f.label)
            for i, f in enumerate(spec.fees)
        }
        # 校验: title, note, blank-count and non-number rows, header, one row per rule, general 说明.
        self.blank_count_cell = (SHEET_CHECKS, 3, 2)
        self.text_count_cell = (SHEET_CHECKS, 4, 2)
        self.check_header_row = 6
        self.check_rows: dict[str, CheckRow] = {
            r.id: CheckRow(r, self.check_header_row + 1 + i) for i, r in enumerate(spec.rules)
        }
        self.general_explanation_row = self.check_header_row + len(spec.rules) + 2
        self._address: dict[str, tuple[str, int, int]] = {}
        for tl in self.tables.values():
            for key, placed in tl.values.items():
                self._address[key] = (tl.sheet, placed.row, placed.col)
        for key, fc in self.fee_fields.items():
            self._address[key] = (SHEET_TEXT, fc.row, 1)

    # ---- addresses -------------------------------------------------------------------------
    def cell(self, key: str) -> tuple[str, int, int]:
        """(sheet, row, col) of a numeric cell key."""
        return self._address[key]

    def address(self, key: str) -> tuple[str, str]:
        sheet, r, c = self._address[key]
        return sheet, a1(r, c)

    def ref(self, key: str, from_sheet: str | None = None) -> str:
        """A formula reference to ``key``, qualified with its sheet unless on ``from_sheet``."""
        sheet, r, c = self._address[key]
        return a1(r, c) if sheet == from_sheet else f"{quote_sheet(sheet)}!{a1(r, c)}"

    def input_ranges(self) -> list[tuple[str, str]]:
        """(sheet, A1 range) rectangles covering every numeric input cell."""
        per_sheet: dict[str, list[tuple[int, int]]] = {}
        for key in self.spec.input_keys:
            sheet, r, c = self._address[key]
            per_sheet.setdefault(sheet, []).append((r, c))
        return [(sheet, range_ref(rect)) for sheet, cells in per_sheet.items()
                for rect in contiguous_ranges(cells)]

    # ---- formulas ----------------------------------------------------------------------------
    def sum_expr(self, keys: tuple[str, ...], from_sheet: str | None) -> str:
        """``SUM(D9:D29)`` for a contiguous run on one sheet, else ``a+b+c``."""
        places = [self._address[k] for k in keys]
        sheets = {p[0] for p in places}
        if len(sheets) == 1 and len(keys) > 2:
            sheet = places[0][0]
            rects = contiguous_ranges([(r, c) for _, r, c in places])
            if len(rects) == 1:
                prefix = "" if sheet == from_sheet else f"{quote_sheet(sheet)}!"
                r0, c0, r1, c1 = rects[0]
                return f"SUM({prefix}{a1(r0, c0)}:{prefix}{a1(r1, c1)})"
        return "+".join(self.ref(k, from_sheet) for k in keys)

    def formula_cells(self) -> dict[str, tuple[str, str]]:
        """Cell key -> (sheet, formula) for every computed numeric cell."""
        return {rule.target: (self._address[rule.target][0], rule.total_formula(self))
                for rule in sum_rules(self.spec.rules)}

    def count_refs(self, keys: tuple[str, ...], from_sheet: str | None) -> str:
        """``D6:I28,D30:I30``: the cells of ``keys`` as few rectangles, per sheet, for COUNT."""
        per_sheet: dict[str, list[tuple[int, int]]] = {}
        for k in keys:
            sheet, r, c = self._address[k]
            per_sheet.setdefault(sheet, []).append((r, c))
        refs = []
        for sheet, cells in per_sheet.items():
            prefix = "" if sheet == from_sheet else f"{quote_sheet(sheet)}!"
            for r0, c0, r1, c1 in contiguous_ranges(cells):
                first, last = a1(r0, c0), a1(r1, c1)
                refs.append(f"{prefix}{first}" if first == last else f"{prefix}{first}:{prefix}{last}")
        return ",".join(refs)

    def balance_check_cells(self, *, legacy: bool = False) -> dict[str, tuple[str, str, BalanceRule]]:
        """The live balance row under table 三: A1 address -> (sheet, formula, rule)."""
        out: dict[str, tuple[str, str, BalanceRule]] = {}
        for tl in self.tables.values():
            if tl.check_row < 0:
                continue
            for rule in balance_rules(self.spec.rules):
                if self._address[rule.left[0]][0] != tl.sheet:
                    continue
                col = self._address[rule.left[0]][2]
                out[a1(tl.check_row, col)] = (tl.sheet, rule.check_formula(self, tl.sheet, legacy=legacy),
                                              rule)
        return out

    def blank_count_formula(self) -> str:
        parts = [f"COUNTBLANK({quote_sheet(s)}!{r})" for s, r in self.input_ranges()]
        return "=" + "+".join(parts)

    def text_count_formula(self) -> str:
        parts = [f"SUMPRODUCT(--ISTEXT({quote_sheet(s)}!{r}))" for s, r in self.input_ranges()]
        return "=" + "+".join(parts)

    def all_formulas(self, *, legacy: bool = False) -> dict[tuple[str, str], str]:
        """(sheet, A1) -> formula for every formula cell ogi writes; the reader checks each.
        ``legacy``: the live checks as earlier versions wrote them (see :meth:`ogi.form.rules.LiveRule.check_formula`)."""
        out: dict[tuple[str, str], str] = {}
        for key, (sheet, formula) in self.formula_cells().items():
            out[(sheet, self.address(key)[1])] = formula
        for addr, (sheet, formula, _) in self.balance_check_cells(legacy=legacy).items():
            out[(sheet, addr)] = formula
        for row in self.check_rows.values():
            if isinstance(row.rule, LiveRule):
                out[(SHEET_CHECKS, row.result_address)] = row.rule.check_formula(self, SHEET_CHECKS,
                                                                                 legacy=legacy)
        s, r, c = self.blank_count_cell
        out[(s, a1(r, c))] = self.blank_count_formula()
        s, r, c = self.text_count_cell
        out[(s, a1(r, c))] = self.text_count_formula()
        return out

    def label_cells(self) -> dict[tuple[str, str], str]:
        """(sheet, A1) -> exact text for every fixed label the reader verifies."""
        out: dict[tuple[str, str], str] = {}
        for tl in self.tables.values():
            for p in tl.labels:
                out[(tl.sheet, p.address)] = p.text
        for fc in (*self.meta_fields.values(), *self.narrative_fields.values(),
                   *self.fee_fields.values()):
            out[(fc.sheet, fc.label_address)] = fc.label
        return out


_LAYOUTS: dict[str, Layout] = {}


def layout_for(template_id: str = DEFAULT_TEMPLATE) -> Layout:
    """The layout of a spec by id (see :func:`ogi.form.spec.load_spec`), made once per spec."""
    spec = load_spec(template_id)
    layout = _LAYOUTS.get(spec.sha256)
    if layout is None or layout.spec is not spec:
        layout = _LAYOUTS[spec.sha256] = Layout(spec)
    return layout
