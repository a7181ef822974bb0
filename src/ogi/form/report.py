"""The plain data every part of ogi exchanges: a :class:`Report` and its :class:`Finding` records.

A Report is what a workbook, a published report or a JSON file *says*: metadata, numeric values by cell
key, narrative by field key, and the clerk's explanations by rule id. Blank is not zero: a value the
source left blank is ``None`` and stays ``None`` through every step. A Report serialises to JSON
losslessly (Decimals as strings, so 5949.088667 never becomes a float).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Literal

Value = int | Decimal | None
Severity = Literal["error", "warning"]

JSON_FORMAT = "ogi-report/1"


_BLANKS = re.compile(r"[\s\u200b\ufeff]+")


def fold(text: str) -> str:
    """The form two agency names (or two labels) are compared in: NFKC (full-width letters and
    digits become ASCII) and no white space at all, zero-width included (``彭阳县 白阳镇人民政府`` and
    ``彭阳县白阳镇人民政府`` are the same agency)."""
    return _BLANKS.sub("", unicodedata.normalize("NFKC", text or ""))


def year_number(text: object) -> int | None:
    """The report year as a number, from the text metadata keeps it in (``"2023"``, ``" 2023 "``),
    or None when the text is not a year. The one place a year string becomes a number."""
    try:
        year = int(str(text if text is not None else "").strip())
    except ValueError:
        return None
    return year if year >= 0 else None


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def year_text(year: int | None) -> str:
    """A typed year as the JSON documents and sheets show it: its digits, or "" for none."""
    return "" if year is None else str(year)


def parse_date_text(text: str) -> dt.date | None:
    """A date as clerks type it (2024-01-20, 2024/1/20, 2024.1.20, 2024年1月20日, full-width digits),
    or None. Report metadata keeps dates as YYYY-MM-DD."""
    m = _DATE_TEXT.fullmatch(unicodedata.normalize("NFKC", text or "").strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


@dataclass(frozen=True)
class Agency:
    """One agency to generate a workbook for. ``id`` is the county's stable 编号 (may be empty).

    ``removed`` lists the invisible format characters :func:`validate_agency` took out of the name
    (``U+202E`` ...), for the caller's warning. ``contact``, ``phone`` and ``email`` are the
    roster's optional 联系人、电话、邮箱 (`ogi feedback` addresses its mail with them)."""

    name: str
    id: str = ""
    type: str = ""
    removed: tuple[str, ...] = field(default=(), compare=False)
    contact: str = field(default="", compare=False)
    phone: str = field(default="", compare=False)
    email: str = field(default="", compare=False)


@dataclass
class Report:
    template_id: str
    template_version: int
    metadata: dict[str, str] = field(default_factory=dict)
    values: dict[str, Value] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    explanations: dict[str, str] = field(default_factory=dict)

    @property
    def agency_name(self) -> str:
        return self.metadata.get("agency_name", "")

    @property
    def year(self) -> int | None:
        """The report year, typed: None when the workbook's year is missing or not a number.
        ``metadata["year"]`` keeps the text as it was typed, for messages that quote it."""
        return year_number(self.metadata.get("year"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": JSON_FORMAT,
            "template_id": self.template_id,
            "template_version": self.template_version,
            "metadata": dict(self.metadata),
            "values": {k: _value_to_json(v) for k, v in self.values.items()},
            "narrative": dict(self.narrative),
            "explanations": dict(self.explanations),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            template_id=data["template_id"],
            template_version=int(data["template_version"]),
            metadata=dict(data.get("metadata", {})),
            values={k: _value_from_json(v) for k, v in data.get("values", {}).items()},
            narrative=dict(data.get("narrative", {})),
            explanations=dict(data.get("explanations", {})),
        )

    @classmethod
    def from_json(cls, text: str) -> Report:
        return cls.from_dict(json.loads(text))


def _value_to_json(value: Value) -> int | str | None:
    if isinstance(value, Decimal):
        return str(value)
    return value


def _value_from_json(value: Any) -> Value:
    if value is None or isinstance(value, int):
        return value
    return Decimal(str(value))


@dataclass(frozen=True)
class Finding:
    """One problem, located as precisely as the source allows.

    ``code`` is stable (``T3-BALANCE``, ``XLSX-FORMULA-CHANGED``) and is what tests and scripts match
    on; ``message`` and ``hint`` are Chinese sentences for people. ``explanation`` holds the clerk's
    说明 when a warning has been explained in the 校验 sheet.
    """

    code: str
    severity: Severity
    message: str
    hint: str = ""
    sheet: str = ""
    cell: str = ""
    row_label: str = ""
    column_label: str = ""
    key: str = ""
    rule_id: str = ""
    file: str = ""
    explanation: str = ""
    #: Machine-readable facts of the finding (the narrative checker: statement, span, table key and
    #: both values); carried by ``--json``, not part of equality.
    detail: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def explained(self) -> bool:
        return bool(self.explanation) and self.severity == "warning"

    @property
    def where(self) -> str:
        """``表三 H12（（三）不予公开·2.其他法律行政法规禁止公开｜法律服务机构）``."""
        place = " ".join(p for p in (self.sheet, self.cell) if p)
        labels = "｜".join(p for p in (self.row_label, self.column_label) if p)
        if labels:
            place = f"{place}（{labels}）" if place else labels
        return place

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["explained"] = self.explained
        return data


class FindingCounts:
    """How every result (check, import, status) counts its ``findings``: errors, warnings the clerk
    has not explained in the 校验 sheet, and explained warnings apart."""

    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning" and not f.explained)

    @property
    def explained(self) -> int:
        return sum(1 for f in self.findings if f.explained)
