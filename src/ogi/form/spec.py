"""Load and validate a form spec (``workbook_templates/<id>.toml``) into frozen dataclasses.

The spec is the single source of truth: the workbook writer, the reader, the rules engine and the
DOCX renderer all derive what they do from a :class:`FormSpec`. Nothing else spells a label or a key.
"""

from __future__ import annotations

import hashlib
import os
import re
import string
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from ..errors import SpecError
from ..resources import template_path
from .rules import Rule, rule_from_toml, rules_problems, totals

DEFAULT_TEMPLATE = "gov_info_2021"
#: ``CellSpec.table`` of the 信息处理费 fields (``fee.<name>``), which belong to no table.
FEE_TABLE = "fee"
#: A folder whose ``<id>.toml`` (and ``<id>.docx``, the Word template built from it by
#: ``docx_templates/build_template.py``) ogi uses instead of the bundled ones: how an edited copy of a
#: spec is tried without touching the installed package (the spec-edit test does exactly that).
SPEC_DIR_ENV = "OGI_SPEC_DIR"

#: Roles of a table's data rows (``role = "..."`` in the spec). A table with roles is an
#: applications table: what came in (received, carried over) equals what went out (the outcome rows,
#: summed in the total row) plus what is carried forward. Each role but ``outcome`` names one row.
ROW_ROLES = ("received", "carried_over", "outcome", "total", "carried_forward")
SINGLE_ROLES = ("received", "carried_over", "total", "carried_forward")
#: How the county summary takes a table: every value cell, the roles' rows in the total column, or
#: only the computed (total) cells.
SUMMARY_KINDS = ("cells", "rows", "totals")

#: ``delta`` is a signed whole number (the 2019 format's 本年增/减 columns); 2021 uses none.
VALUE_TYPES = ("count", "wan_yuan", "yuan", "delta")
#: Decimal places allowed per value type (count is a whole number).
DECIMAL_PLACES = {"count": 0, "wan_yuan": 6, "yuan": 2, "delta": 0}
UNIT_LABELS = {"count": "件", "wan_yuan": "万元", "yuan": "元", "delta": "项"}


@dataclass(frozen=True)
class MetaField:
    key: str
    label: str
    type: str = "text"  # text | year | date
    required: bool = False
    locked: bool = False
    hint: str = ""
    #: The values a clerk picks from (a dropdown in the workbook); empty: free text.
    choices: tuple[str, ...] = ()
    #: A regular expression a filled-in value must match in full (``ogi check`` names the field
    #: otherwise, saying ``pattern_problem`` and ``pattern_fix``); empty: anything.
    pattern: str = ""
    pattern_problem: str = ""
    pattern_fix: str = ""
    #: A date field's year relative to the report year (发布日期: 1, the next year); ``ogi check``
    #: names a date of another year, saying ``year_problem`` (``{year}``: the expected year) and
    #: ``year_fix``. None: any year.
    year_offset: int | None = None
    year_problem: str = ""
    year_fix: str = ""


@dataclass(frozen=True)
class AgencyTypeRule:
    """One rule of 机关类型 inference: an agency whose name matches ``pattern`` (``re.search``) is of
    ``type``. Rules are tried in spec order; the first match wins."""

    pattern: str
    type: str


@dataclass(frozen=True)
class NarrativeField:
    key: str
    section: str
    label: str
    heading: str = ""
    required: bool = False
    hint: str = ""
    #: The 信息处理费 sentence (from the fee fields) follows this field in its section.
    fees: bool = False


@dataclass(frozen=True)
class FeeField:
    key: str
    label: str
    type: str
    unit: str


@dataclass(frozen=True)
class Cell:
    """A label cell of an official table (header, caption or row label)."""

    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str


@dataclass(frozen=True)
class ValueSlot:
    column: str
    colspan: int = 1


@dataclass(frozen=True)
class Row:
    """One row of a table. ``key`` is empty for caption and header rows."""

    kind: str  # header | caption | data
    cells: tuple[Cell, ...]
    key: str = ""
    values: tuple[ValueSlot, ...] = ()
    #: What the row means to the county summary and the rules (one of :data:`ROW_ROLES`), or "".
    role: str = ""
    #: Other wordings of the row's own label found in published reports (``ogi import``).
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class TablePrint:
    """How a table is set on paper and on screen (the spec's ``print = {...}`` of a table).

    ``size``: ``normal`` (五号) or ``small`` (小五); ``label_align``: single-row labels ``left`` or
    ``center``; ``sheet_widths``: the workbook's column widths in characters (empty: 10 each);
    ``value_width``: the Word table's value columns in twips (0: every column equal), its label
    columns ``label_widths`` in twips with the last label column taking the rest;
    ``narrow_headers``: value column headers wrap every two characters and the value columns are
    narrow on the web page too.
    """

    size: str = "small"
    label_align: str = "center"
    sheet_widths: tuple[float, ...] = ()
    value_width: int = 0
    label_widths: tuple[int, ...] = ()
    narrow_headers: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    sheet: str
    section: str
    grid_columns: int
    label_columns: int
    header_rows: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    #: How the county summary takes the table (one of :data:`SUMMARY_KINDS`).
    summary: str = "cells"
    print: TablePrint = TablePrint()

    @property
    def data_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.kind == "data")

    def rows_with(self, role: str) -> tuple[Row, ...]:
        """The data rows of one role (:data:`ROW_ROLES`), in table order."""
        return tuple(r for r in self.rows if r.kind == "data" and r.role == role)

    def row_with(self, role: str) -> Row:
        """The one data row of a single role (received, carried_over, total, carried_forward)."""
        rows = self.rows_with(role)
        if len(rows) != 1:
            raise KeyError(role)
        return rows[0]

    def cell_key(self, row: str, column: str) -> str:
        """The key of the value cell in ``row`` and ``column`` (``t3.granted.total``): the one
        place the key format is spelled."""
        return f"{self.key}.{row}.{column}"

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


@dataclass(frozen=True)
class NarrativeTerm:
    """Words of the narrative that name one value (or a group of values) of a table.

    ``dims`` fixes some placeholders of the block's key template (``row = ["granted"]``; several values
    mean their sum, e.g. 不予公开 = its eight reasons); ``needs`` are words one of which the sentence
    must contain for the term to count (收到 names 本年新收 only in a sentence about 申请).
    """

    words: tuple[str, ...]
    dims: tuple[tuple[str, tuple[str, ...]], ...]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class NarrativeValues:
    """What the narrative calls the values of one table (``[[narrative_values]]`` in the spec).

    ``key`` is a template over dimensions (``t3.{row}.{column}``); ``defaults`` fill a dimension the
    sentence does not name (``column = "total"``); ``all_upheld`` terms are claims that every case of
    the context has the given outcome (均维持).
    """

    table: str
    label: str
    key: str
    dims: tuple[str, ...]
    defaults: tuple[tuple[str, str], ...]
    terms: tuple[NarrativeTerm, ...]
    all_upheld: tuple[NarrativeTerm, ...] = ()


@dataclass(frozen=True)
class Section:
    """One numbered section of the report (``二、主动公开政府信息情况``): its narrative fields and tables."""

    number: int  # 1-based, from the title's Chinese numeral
    title: str
    narrative: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    #: Words one of which a published report's heading of this section contains (``ogi import``).
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportHints:
    """The spec's ``[import]`` table: how published reports print the form besides its own wording."""

    numbering: tuple[str, ...] = ()
    merged_rows: tuple[tuple[str, tuple[str, ...]], ...] = ()
    part_captions: tuple[tuple[str, str, str], ...] = ()
    section_words: tuple[tuple[str, ...], ...] = ()
    #: Ids of the older specs a published report may follow (each moved into this one on import).
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Migration:
    """How an older spec's cells move into a newer one (its ``[migration.<newer id>]`` table):
    ``same_keys`` (tables, rows or cells) keep their keys, ``cells`` map one key to another, and
    ``zero_split`` rows of the older form split into several rows of the newer one (all 0 when 0)."""

    same_keys: tuple[str, ...] = ()
    cells: tuple[tuple[str, str], ...] = ()
    zero_split: tuple[tuple[str, tuple[str, ...]], ...] = ()


#: Chinese numerals of section titles (``三、…`` is section 3).
SECTION_NUMERALS = "一二三四五六七八九十"


def section_number(title: str) -> int:
    """The 1-based number of a section title (``三、收到和…`` -> 3); 0 without a numeral."""
    head = title.split("、", 1)[0]
    return SECTION_NUMERALS.index(head) + 1 if len(head) == 1 and head in SECTION_NUMERALS else 0


@dataclass(frozen=True)
class CellSpec:
    """A numeric cell of the form: where it lives and how to label it in a message."""

    key: str
    type: str
    table: str  # t2 / t3 / t4 / fee
    row_label: str
    column_label: str
    computed: bool


@dataclass(frozen=True)
class FormSpec:
    id: str
    version: int
    title: str
    basis: str
    report_title: str
    metadata: tuple[MetaField, ...]
    narrative: tuple[NarrativeField, ...]
    fees: tuple[FeeField, ...]
    tables: tuple[Table, ...]
    rules: tuple[Rule, ...]
    sha256: str
    narrative_values: tuple[NarrativeValues, ...] = ()
    cells: dict[str, CellSpec] = field(default_factory=dict, compare=False, hash=False)
    agency_type_rules: tuple[AgencyTypeRule, ...] = ()
    import_hints: ImportHints | None = None
    #: True for a spec ogi only reads published reports with (2019): no workbook is made from it.
    import_only: bool = False
    #: How a message names the format (``2021 年格式（国办公开办函〔2021〕30号）``).
    format_name: str = ""
    #: Words only this format's report prints (``ogi import`` tells the formats apart by them).
    format_markers: tuple[str, ...] = ()
    #: Newer spec id -> how this spec's cells move into it.
    migrations: dict[str, Migration] = field(default_factory=dict, compare=False, hash=False)

    @property
    def sections(self) -> tuple[Section, ...]:
        """The report's numbered sections in order, from the narrative fields' and tables' titles."""
        titles: dict[str, tuple[list[str], list[str]]] = {}
        for n in self.narrative:
            titles.setdefault(n.section, ([], []))[0].append(n.key)
        for t in self.tables:
            titles.setdefault(t.section, ([], []))[1].append(t.key)
        words = self.import_hints.section_words if self.import_hints else ()
        out = []
        for title in sorted(titles, key=section_number):
            number = section_number(title)
            own = words[number - 1] if 0 < number <= len(words) else ()
            out.append(Section(number, title, tuple(titles[title][0]), tuple(titles[title][1]), own))
        return tuple(out)

    @property
    def fee_field(self) -> NarrativeField:
        """The narrative field the 信息处理费 sentence follows (``fees = true``)."""
        return next(n for n in self.narrative if n.fees)

    def section_of_table(self, table_key: str) -> Section:
        return next(s for s in self.sections if table_key in s.tables)

    @property
    def applications_table(self) -> Table:
        """The table whose rows carry roles (received … carried forward): 表三."""
        for t in self.tables:
            if any(r.role for r in t.data_rows):
                return t
        raise KeyError("role")

    def role_key(self, table: Table, role: str, column: str) -> str:
        """The cell key of a single-role row in one column (``t3.<received row>.total``)."""
        return table.cell_key(table.row_with(role).key, column)

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    @property
    def value_keys(self) -> tuple[str, ...]:
        """Every numeric key in form order: table cells, then fees."""
        return tuple(self.cells)

    @property
    def input_keys(self) -> tuple[str, ...]:
        return tuple(k for k, c in self.cells.items() if not c.computed)

    @property
    def computed_keys(self) -> tuple[str, ...]:
        return tuple(k for k, c in self.cells.items() if c.computed)

    @property
    def metadata_keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.metadata)

    @property
    def narrative_keys(self) -> tuple[str, ...]:
        return tuple(n.key for n in self.narrative)

    def meta(self, key: str) -> MetaField:
        for m in self.metadata:
            if m.key == key:
                return m
        raise KeyError(key)

    @property
    def agency_types(self) -> tuple[str, ...]:
        """The 机关类型 values (政府 / 部门 / 乡镇街道); none in a spec without the field."""
        return next((m.choices for m in self.metadata if m.key == "agency_type"), ())

    def infer_agency_type(self, name: str) -> str:
        """The 机关类型 the spec's ordered rules give an agency's name, or "" when none matches."""
        for rule in self.agency_type_rules:
            if re.search(rule.pattern, name):
                return rule.type
        return ""

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def _cells(raw: list[dict[str, Any]]) -> tuple[Cell, ...]:
    return tuple(Cell(c["text"], int(c.get("colspan", 1)), int(c.get("rowspan", 1))) for c in raw)


def _table(raw: dict[str, Any]) -> Table:
    columns = tuple(Column(c["key"], c["label"], c.get("type", "count")) for c in raw["columns"])
    rows: list[Row] = []
    for r in raw["rows"]:
        if "key" in r:
            slots = r.get("values")
            values = (tuple(ValueSlot(v["column"], int(v.get("colspan", 1))) for v in slots)
                      if slots is not None else tuple(ValueSlot(c.key) for c in columns))
            rows.append(Row("data", _cells(r["cells"]), r["key"], values, str(r.get("role", "")),
                            tuple(str(v) for v in r.get("variants", ()))))
        else:
            rows.append(Row(r.get("kind", "header"), _cells(r["cells"])))
    p = raw.get("print", {})
    printing = TablePrint(str(p.get("size", "small")), str(p.get("label_align", "center")),
                          tuple(p.get("sheet_widths", ())),
                          int(p.get("value_width", 0)), tuple(int(w) for w in p.get("label_widths", ())),
                          bool(p.get("narrow_headers", False)))
    return Table(raw["key"], raw["sheet"], raw["section"], int(raw["grid_columns"]),
                 int(raw["label_columns"]), int(raw["header_rows"]), columns, tuple(rows),
                 str(raw.get("summary", "cells")), printing)


def _import_hints(raw: dict[str, Any] | None) -> ImportHints | None:
    if raw is None:
        return None
    return ImportHints(
        tuple(str(p) for p in raw.get("numbering", ())),
        tuple((str(label), tuple(rows)) for label, rows in raw.get("merged_rows", ())),
        tuple((str(r), str(words), str(col)) for r, words, col in raw.get("part_captions", ())),
        tuple(tuple(str(w) for w in words) for words in raw.get("section_words", ())),
        tuple(str(f) for f in raw.get("formats", ())))


def row_labels(table: Table) -> dict[str, str]:
    """Human label of each data row, as a message names it.

    A numbered sub-item (``2.其他法律行政法规禁止公开``) means nothing without its group, so it is
    prefixed with the innermost rowspanning group label: ``（三）不予公开·2.其他法律行政法规禁止公开``.
    Other rows keep their own label (``（一）予以公开``); a row without any label (table 四) is named
    by its table's section.
    """
    labels: dict[str, str] = {}
    open_groups: list[list[Any]] = []  # [text, rows remaining]
    for row in table.rows:
        open_groups = [g for g in open_groups if g[1] > 0]
        own: list[str] = []
        for c in row.cells:
            if c.rowspan > 1 and row.kind == "data":
                open_groups.append([c.text, c.rowspan])
            else:
                own.append(c.text)
        if row.kind == "data":
            label = "·".join(own) if own else table.section
            if own and own[0][:1].isdigit() and open_groups:
                label = f"{open_groups[-1][0]}·{label}"
            labels[row.key] = label
        for g in open_groups:
            g[1] -= 1
    return labels


def _expand(raw: dict[str, Any], tables: dict[str, Table],
            narrative: dict[str, str] | None = None) -> list[Rule]:
    loops: dict[str, list[str]] = raw.get("for_each", {}) or {}
    names = list(loops)
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [{**c, name: v} for c in combos for v in loops[name]]
    label_map: dict[str, str] = raw.get("labels", {})
    out: list[Rule] = []
    for combo in combos:
        def sub(text: str, combo: dict[str, str] = combo) -> str:
            return _PLACEHOLDER.sub(lambda m: combo.get(m.group(1), m.group(0)), text)

        labels = {}
        for name, value in combo.items():
            label = label_map.get(value)
            if label is None and name == "field" and narrative:
                label = narrative.get(value)
            if label is None:
                label = _label_for(name, value, tables)
            labels[f"{name}_label"] = label
        title = _PLACEHOLDER.sub(lambda m, labels=labels: labels.get(m.group(1), m.group(0)),
                                 raw["title"])
        suffix = ":" + ".".join(combo.values()) if combo else ""
        out.append(rule_from_toml(raw, id=raw["code"] + suffix, title=title, sub=sub))
    return out


def _label_for(name: str, value: str, tables: dict[str, Table]) -> str:
    for table in tables.values():
        if name == "column":
            for col in table.columns:
                if col.key == value:
                    return col.label
        if name == "row":
            labels = row_labels(table)
            if value in labels:
                return labels[value]
    return value


def _cell_specs(tables: tuple[Table, ...], fees: tuple[FeeField, ...],
                rules: list[Rule]) -> dict[str, CellSpec]:
    computed = set(totals(rules))
    cells: dict[str, CellSpec] = {}
    for table in tables:
        labels = row_labels(table)
        for row in table.data_rows:
            for slot in row.values:
                col = table.column(slot.column)
                key = table.cell_key(row.key, col.key)
                if key in cells:
                    raise SpecError(f"表格单元重复定义：{key}")
                cells[key] = CellSpec(key, col.type, table.key, labels[row.key], col.label,
                                      key in computed)
    for fee in fees:
        cells[fee.key] = CellSpec(fee.key, fee.type, FEE_TABLE, "信息处理费", fee.label, False)
    return cells


def _validate(spec: FormSpec) -> None:
    problems: list[str] = []
    for table in spec.tables:
        for row in table.rows:
            if row.kind == "data" and not _KEY.match(row.key):
                problems.append(f"行键不合法：{table.key}.{row.key}")
        for col in table.columns:
            if col.type not in VALUE_TYPES:
                problems.append(f"列类型未知：{table.key}.{col.key} = {col.type}")
    for fee in spec.fees:
        if fee.type not in VALUE_TYPES:
            problems.append(f"收费字段类型未知：{fee.key} = {fee.type}")
    problems += rules_problems(spec)
    types = {m.key: m.choices for m in spec.metadata}.get("agency_type", ())
    for t in spec.agency_type_rules:
        try:
            re.compile(t.pattern)
        except re.error:
            problems.append(f"机关类型规则的正则表达式有误：{t.pattern}")
        if t.type not in types:
            problems.append(f"机关类型规则给出的类型“{t.type}”不在机关类型的可选值中")
    problems += _narrative_value_problems(spec)
    problems += _form_problems(spec)
    if problems:
        raise SpecError("表式定义有误：" + "；".join(problems))


def _form_problems(spec: FormSpec) -> list[str]:
    """Row roles, summary kinds, print data, metadata patterns and sections."""
    problems: list[str] = []
    for table in spec.tables:
        counts: dict[str, int] = {}
        for row in table.data_rows:
            if row.role and row.role not in ROW_ROLES:
                problems.append(f"行的角色未知：{table.key}.{row.key} = {row.role}"
                                f"（可用：{'、'.join(ROW_ROLES)}）")
            counts[row.role] = counts.get(row.role, 0) + 1
        if any(counts.get(role) for role in ROW_ROLES):
            for role in SINGLE_ROLES:
                if counts.get(role, 0) != 1:
                    problems.append(f"表 {table.key} 中角色为 {role} 的行应有且只有一行，"
                                    f"现有 {counts.get(role, 0)} 行")
            if not counts.get("outcome"):
                problems.append(f"表 {table.key} 中没有角色为 outcome 的行")
        if table.summary not in SUMMARY_KINDS:
            problems.append(f"表 {table.key} 的汇总方式未知：{table.summary}")
        if table.summary == "rows" and not counts.get("total"):
            problems.append(f"表 {table.key} 按行汇总，但没有标出行的角色")
        if table.print.size not in ("normal", "small"):
            problems.append(f"表 {table.key} 的字号未知：{table.print.size}")
        if table.print.label_align not in ("left", "center"):
            problems.append(f"表 {table.key} 的对齐方式未知：{table.print.label_align}")
        if table.print.sheet_widths and len(table.print.sheet_widths) != table.grid_columns:
            problems.append(f"表 {table.key} 的列宽个数应为 {table.grid_columns}")
        if table.print.label_widths and len(table.print.label_widths) >= max(table.label_columns, 1):
            problems.append(f"表 {table.key} 的标签列宽应少于标签列数（最后一列取余下宽度）")
        if section_number(table.section) == 0:
            problems.append(f"表 {table.key} 的部分标题没有序号：{table.section}")
    roles = [t.key for t in spec.tables if any(r.role for r in t.data_rows)]
    if len(roles) > 1:
        problems.append("只能有一张表标出行的角色：" + "、".join(roles))
    with_fees = [n.key for n in spec.narrative if n.fees]
    if len(with_fees) > 1 or (spec.fees and not with_fees):
        problems.append("信息处理费应跟在一个（且只一个）正文栏目之后（fees = true）")
    for n in spec.narrative:
        if section_number(n.section) == 0:
            problems.append(f"正文栏目 {n.key} 的部分标题没有序号：{n.section}")
    numbers = [s.number for s in spec.sections]
    if len(numbers) != len(set(numbers)):
        problems.append("有两个部分标题的序号相同")
    for m in spec.metadata:
        if m.pattern:
            try:
                re.compile(m.pattern)
            except re.error:
                problems.append(f"基本信息 {m.key} 的格式（pattern）不是正确的正则表达式")
            if not (m.pattern_problem and m.pattern_fix):
                problems.append(f"基本信息 {m.key} 有格式（pattern）但缺少 pattern_problem 或 pattern_fix")
        if m.year_offset is not None:
            if m.type != "date":
                problems.append(f"基本信息 {m.key} 不是日期，不能有 year_offset")
            if not (m.year_problem and m.year_fix):
                problems.append(f"基本信息 {m.key} 有 year_offset 但缺少 year_problem 或 year_fix")
            elif {n for _, n, _, _ in string.Formatter().parse(m.year_problem) if n} - {"year"}:
                problems.append(f"基本信息 {m.key} 的 year_problem 只能使用 {{year}}")
    if spec.import_hints:
        for p in spec.import_hints.numbering:
            try:
                re.compile(p)
            except re.error:
                problems.append(f"导入编号样式不是正确的正则表达式：{p}")
    return problems


def narrative_value_keys(block: NarrativeValues, dims: dict[str, tuple[str, ...]]) -> list[str]:
    """Every key of the block's template for the given dimension values (all combinations)."""
    keys = [block.key]
    for dim in block.dims:
        keys = [k.replace("{" + dim + "}", v) for k in keys for v in dims[dim]]
    return keys


def _template_matches(template: str, fixed: dict[str, tuple[str, ...]], keys: Iterable[str]) -> bool:
    """Some key fits ``template`` with each dimension one of ``fixed``'s values (any when empty)."""
    pattern = ""
    for part in re.split(r"(\{\w+\})", template):
        m = re.fullmatch(r"\{(\w+)\}", part)
        if m is None:
            pattern += re.escape(part)
        else:
            values = fixed.get(m.group(1), ())
            pattern += "(?:" + "|".join(map(re.escape, values)) + ")" if values else ".+"
    regex = re.compile(f"^{pattern}$")
    return any(regex.match(k) for k in keys)


def _narrative_value_problems(spec: FormSpec) -> list[str]:
    problems: list[str] = []
    for block in spec.narrative_values:
        where = f"正文数字对照 {block.table}"
        if block.table not in {t.key for t in spec.tables} | {FEE_TABLE}:
            problems.append(f"{where}：没有这张表")
        if not block.dims:
            problems.append(f"{where}：key 中没有维度")
        seen: dict[str, NarrativeTerm] = {}
        for term in (*block.terms, *block.all_upheld):
            if not term.words or any(not w for w in term.words):
                problems.append(f"{where}：有词语为空的条目")
            for dim, values in term.dims:
                if dim not in block.dims:
                    problems.append(f"{where}：“{term.words[:1]}”使用了 key 中没有的维度 {dim}")
                elif not values:
                    problems.append(f"{where}：“{term.words[:1]}”的维度 {dim} 没有取值")
            if any(dim not in block.dims for dim, _ in term.dims):
                continue
            # Every value the term names must be a real cell with the term's other values (any value,
            # or the default, for the dimensions it leaves open).
            given = dict(term.dims)
            for dim, values in given.items():
                for v in values:
                    fixed = {d: (v,) if d == dim else given.get(d, ()) for d in block.dims}
                    if not _template_matches(block.key, fixed, spec.cells):
                        problems.append(f"{where}：“{term.words[0]}”对应的单元不存在：{dim} = {v}")
            if term in block.all_upheld:
                continue
            for word in term.words:
                other = seen.get(word)
                if other is not None and other.dims != term.dims:
                    problems.append(f"{where}：词语“{word}”同时对应两个不同的数值")
                seen[word] = term
        for dim, _value in block.defaults:
            if dim not in block.dims:
                problems.append(f"{where}：默认值使用了 key 中没有的维度 {dim}")
    return problems


def _narrative_values(raw: list[dict[str, Any]], sheets: dict[str, str]) -> tuple[NarrativeValues, ...]:
    def term(t: dict[str, Any]) -> NarrativeTerm:
        dims = tuple((k, tuple(v)) for k, v in t.items() if k not in ("words", "needs"))
        return NarrativeTerm(tuple(t["words"]), dims, tuple(t.get("needs", ())))

    out = []
    for b in raw:
        key = b["key"]
        out.append(NarrativeValues(
            table=b["table"], label=b.get("label") or sheets.get(b["table"], b["table"]), key=key,
            dims=tuple(_PLACEHOLDER.findall(key)),
            defaults=tuple((k, str(v)) for k, v in (b.get("defaults") or {}).items()),
            terms=tuple(term(t) for t in b["terms"]),
            all_upheld=tuple(term(t) for t in b.get("all_upheld", ())),
        ))
    return tuple(out)


def parse_spec(data: bytes) -> FormSpec:
    """Parse the bytes of a spec file. Raises :class:`SpecError` on any structural problem."""
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"表式文件无法解析：{exc}") from exc
    try:
        tables = tuple(_table(t) for t in raw["tables"])
        fees = tuple(FeeField(f["key"], f["label"], f["type"], f["unit"]) for f in raw.get("fees", []))
        rules: list[Rule] = []
        by_key = {t.key: t for t in tables}
        narrative_labels = {n["key"]: n["label"] for n in raw["narrative"]}
        for r in raw.get("rules", []):
            rules.extend(_expand(r, by_key, narrative_labels))
        tmpl = raw["template"]
        spec = FormSpec(
            id=tmpl["id"],
            version=int(tmpl["version"]),
            title=tmpl["title"],
            basis=tmpl.get("basis", ""),
            report_title=tmpl.get("report_title", "{agency_name}{year}年政府信息公开工作年度报告"),
            metadata=tuple(MetaField(m["key"], m["label"], m.get("type", "text"),
                                     bool(m.get("required", False)), bool(m.get("locked", False)),
                                     m.get("hint", ""), tuple(m.get("choices", ())),
                                     str(m.get("pattern", "")), str(m.get("pattern_problem", "")),
                                     str(m.get("pattern_fix", "")),
                                     year_offset=int(m["year_offset"]) if "year_offset" in m else None,
                                     year_problem=str(m.get("year_problem", "")),
                                     year_fix=str(m.get("year_fix", "")))
                           for m in raw["metadata"]),
            narrative=tuple(NarrativeField(n["key"], n["section"], n["label"], n.get("heading", ""),
                                           bool(n.get("required", False)), n.get("hint", ""),
                                           bool(n.get("fees", False)))
                            for n in raw["narrative"]),
            fees=fees,
            tables=tables,
            rules=tuple(rules),
            sha256=hashlib.sha256(data).hexdigest(),
            narrative_values=_narrative_values(raw.get("narrative_values", []),
                                               {t.key: t.sheet for t in tables}),
            cells=_cell_specs(tables, fees, rules),
            agency_type_rules=tuple(AgencyTypeRule(t["pattern"], t["type"])
                                    for t in raw.get("agency_type_rules", [])),
            import_hints=_import_hints(raw.get("import")),
            import_only=bool(tmpl.get("import_only", False)),
            format_name=str(tmpl.get("format_name", "")) or tmpl["id"],
            format_markers=tuple(str(m) for m in tmpl.get("format_markers", ())),
            migrations={target: Migration(tuple(m.get("same_keys", ())),
                                          tuple((str(k), str(v)) for k, v in m.get("cells", {}).items()),
                                          tuple((str(k), tuple(v)) for k, v in m.get("zero_split", {}).items()))
                        for target, m in raw.get("migration", {}).items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecError(f"表式文件缺少或写错了字段：{exc}") from exc
    _validate(spec)
    return spec


def spec_override(template_id: str, suffix: str = ".toml") -> Path | None:
    """A spec's file (``.toml``) or its Word template (``.docx``) in the folder named by
    ``$OGI_SPEC_DIR``, when that folder has one."""
    folder = os.environ.get(SPEC_DIR_ENV)
    if folder:
        candidate = Path(folder) / f"{template_id}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def spec_path(template_id: str) -> Path:
    """The file of a spec: the ``$OGI_SPEC_DIR`` one when there is one, else the bundled one."""
    return spec_override(template_id) or template_path(f"{template_id}.toml")


def load_spec(template_id: str = DEFAULT_TEMPLATE) -> FormSpec:
    """Load a spec by id (``gov_info_2021``): from ``$OGI_SPEC_DIR`` if it holds one, else the bundled
    one; each file is read once per process."""
    return _load_id(template_id, os.environ.get(SPEC_DIR_ENV, ""))


@lru_cache(maxsize=16)
def _load_id(template_id: str, spec_dir: str) -> FormSpec:
    if not _KEY.match(template_id):
        raise SpecError(f"找不到表式定义：{template_id}")
    path = spec_path(template_id)
    if not path.is_file():
        raise SpecError(f"找不到表式定义：{template_id}")
    return _load_path(path)


@lru_cache(maxsize=16)
def _load_path(path: Path) -> FormSpec:
    return parse_spec(path.read_bytes())


def load_spec_file(path: Path) -> FormSpec:
    return parse_spec(Path(path).read_bytes())
