"""Every number the narrative states, checked against the tables it denotes and against itself.

The most common defect of a published report is a 正文 that contradicts its own tables. This module
finds the quantitative statements of one narrative field and compares each with the table value it
denotes; *what denotes what* is data in the form spec (``[[narrative_values]]`` next to each table,
:class:`ogi.form.spec.NarrativeValues`), so new phrases need no Python. What the module knows is how reports
are written: numbers (Arabic, full-width, Chinese 一百二十三 / 两), their units, the words that make a
number something else (a date, a document or article number, a phone number, a URL, last year's figure,
an approximation or a range), totals with their parts (共 N，其中 A、B) and percentages (占 x%).

Precision first: a finding only where a statement unambiguously names this year's figure of one table
value (or a sum the sentence names: 予以公开和部分公开共 N 件). Anything else is left alone.

Findings (all warnings, codes in :mod:`ogi.form.findings`): ``NARRATIVE-NUMBER`` (a stated number differs
from its table value), ``NARRATIVE-NONE`` (says none while the table has some), ``NARRATIVE-ALL-UPHELD``
(says all upheld while the table has other outcomes), ``NARRATIVE-SUM`` (a total differs from the sum
of the parts it lists), ``NARRATIVE-PERCENT`` (a percentage does not match its count and total).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from .findings import make
from .report import Finding, Value
from .rules import NarrativeNumbersRule, narrative_rules
from .spec import FEE_TABLE, FormSpec, NarrativeTerm, NarrativeValues

# ---- numbers -----------------------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_ZERO = "零〇"
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
#: Full-width digits and signs -> ASCII, one character for one (spans stay valid).
_WIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")


def chinese_number(text: str) -> int | None:
    """``十二`` -> 12, ``一百零五`` -> 105, ``两`` -> 2, ``三万`` -> 30000; digits pass through.
    None for what is not one number (``两三``, a bare ``零``, ``万``)."""
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or text[0] == "万" or all(ch in _CN_ZERO for ch in text):
        return None
    total = section = 0
    current: int | None = None
    for ch in text:
        if ch in _CN_DIGITS:
            if current is not None:
                return None
            current = _CN_DIGITS[ch]
        elif ch in _CN_ZERO:
            current = None
        elif ch in _CN_UNITS:
            section += (1 if current is None else current) * _CN_UNITS[ch]
            current = None
        elif ch == "万":
            total += (section + (current or 0)) * 10000
            section, current = 0, None
        else:
            return None
    return total + section + (current or 0)


_COUNT_UNITS = ("件", "项", "条", "次", "起", "宗", "份")
_MONEY_UNITS = ("万元", "元")
_NUMBER_RE = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,15}(?:\.\d{1,8})?|[零〇一二两三四五六七八九十百千万]{1,12})\s*(?P<approx>余|多|来)?\s*"
    r"(?P<unit>万元|元|件|项|条|次|起|宗|份|%)")
#: Words before a number that make it an approximation or a bound.
_APPROX_BEFORE = re.compile(r"(?:近|约|大约|将近|接近|逾|超过|不足|不到|至少|最多|多达|约为|上百|数)\s*$")
_APPROX_AFTER = re.compile(r"^\s*(?:左右|上下|以上|以下|之多|余|多)")
#: A number that ends a range (3至5件, 3-5件).
_RANGE_BEFORE = re.compile(r"(?:\d|[一二两三四五六七八九十])\s*(?:至|到|-|~|～|—|－|或)\s*$")
#: Chinese numerals inside words (统一, 逐一, 一件事, 一条龙, 一次性).
_CN_WORD_BEFORE = "统唯逐之专单划同第其万"
_CN_WORD_AFTER = re.compile(r"^(?:事|龙|心|线|路|链|窗|网|站|体|套|性)")
#: Spans whose numbers are never statements: URLs, document numbers, phone numbers, titles.
_EXCLUDED = re.compile(
    r"(?:https?://|www\.)[^\s，。；、）)”]+"
    r"|[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号"
    r"|\d{3,4}\s*[-－—]\s*\d{7,8}|(?<!\d)1[3-9]\d{9}(?!\d)"
    r"|《[^》\n]{0,60}》")
#: Clause markers of another period: a clause with one of these is about last year or a change.
_OTHER_PERIOD = re.compile(
    r"同比|环比|上年(?!度?结转)|上一年(?!度结转)|去年|前一年|往年|较上|比上|与上|增长|下降|增加|减少|"
    r"提高|降低|增幅|降幅|翻番|持平")
_YEAR = re.compile(r"(\d{4})\s*年")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CLAUSE_END = re.compile(r"[，,：:。！？!?；;\n]")
_TOTAL_WORDS = re.compile(r"共|合计|总计|累计|总数")
_PARTS_WORD = "其中"
_HEDGES = re.compile(r"等|包括|主要|以上|分别|其余|另有")
_PERCENT_OF = re.compile(r"占")
_NEGATION = re.compile(r"未发生|未收到|未受理|未接到|未曾|没有|未|无(?!论|缝|偿|纸|误|差错|一|需|法|正当)")
_NEGATION_SKIP = re.compile(r"^(?:来|予|能|按|及|经)")
#: Longest sentence read (characters), and most findings per narrative field.
MAX_SENTENCE = 600
MAX_ISSUES_PER_FIELD = 20


@dataclass
class _Token:
    start: int  # span of the number as written (without unit)
    end: int
    unit_end: int
    text: str  # the number as written in the original text
    value: Decimal
    unit: str
    approx: bool

    @property
    def kind(self) -> str:
        return "percent" if self.unit == "%" else "money" if self.unit in _MONEY_UNITS else "count"


@dataclass
class _Hit:
    start: int
    end: int
    block: int
    term: NarrativeTerm
    claim: bool = False  # an all_upheld word


@dataclass
class _Statement:
    token: _Token
    block: int
    dims: dict[str, tuple[str, ...]]
    keys: list[str]


@dataclass
class Issue:
    """One contradiction, before it becomes a Finding."""

    code: str
    start: int
    end: int
    sentence: tuple[int, int]
    stated: str
    fields: dict[str, Any] = field(default_factory=dict)
    keys: tuple[str, ...] = ()
    table_value: str = ""


# ---- the vocabulary of one spec ---------------------------------------------------------------

@dataclass(frozen=True)
class _Vocabulary:
    blocks: tuple[NarrativeValues, ...]
    pattern: re.Pattern[str] | None
    by_word: dict[str, list[tuple[int, NarrativeTerm, bool]]]
    #: per block: every (dims, key) of the spec's cells that fit the key template
    cells: tuple[tuple[tuple[dict[str, str], str], ...], ...]
    upheld_words: tuple[str, ...]
    #: (block, dims, unit kind) -> the cells they denote (see _Field.resolve)
    denoted: dict[tuple[Any, ...], tuple[dict[str, tuple[str, ...]], list[str]] | None]


def _template_regex(block: NarrativeValues) -> re.Pattern[str]:
    """``t4.cases.{group}_{outcome}`` -> a regex with one group per dimension. A dimension's values
    named by terms or defaults are tried first, literally (they may contain ``_``), then ``[^.]+``."""
    known: dict[str, set[str]] = {}
    for term in (*block.terms, *block.all_upheld):
        for dim, values in term.dims:
            known.setdefault(dim, set()).update(values)
    for dim, value in block.defaults:
        known.setdefault(dim, set()).add(value)
    pattern = ""
    for part in re.split(r"(\{\w+\})", block.key):
        m = re.fullmatch(r"\{(\w+)\}", part)
        if not m:
            pattern += re.escape(part)
            continue
        values = sorted(known.get(m.group(1), ()), key=len, reverse=True)
        body = "|".join([*map(re.escape, values), r"[^.]+"])
        pattern += f"(?P<{m.group(1)}>{body})"
    return re.compile(f"^{pattern}$")


#: id(spec) -> (spec, vocabulary): hashing a FormSpec costs more than the whole check.
_VOCABULARIES: dict[int, tuple[FormSpec, _Vocabulary]] = {}


def _vocabulary(spec: FormSpec) -> _Vocabulary:
    cached = _VOCABULARIES.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    vocab = _build_vocabulary(spec)
    if len(_VOCABULARIES) > 8:
        _VOCABULARIES.clear()
    _VOCABULARIES[id(spec)] = (spec, vocab)
    return vocab


def _build_vocabulary(spec: FormSpec) -> _Vocabulary:
    by_word: dict[str, list[tuple[int, NarrativeTerm, bool]]] = {}
    cells = []
    for i, block in enumerate(spec.narrative_values):
        for term in block.terms:
            for w in term.words:
                by_word.setdefault(w, []).append((i, term, False))
        for term in block.all_upheld:
            for w in term.words:
                by_word.setdefault(w, []).append((i, term, True))
        regex = _template_regex(block)
        found = []
        for key in spec.cells:
            m = regex.match(key)
            if m:
                found.append((m.groupdict(), key))
        cells.append(tuple(found))
    words = sorted(by_word, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, words))) if words else None
    upheld = tuple(w for b in spec.narrative_values for t in b.all_upheld for w in t.words)
    return _Vocabulary(spec.narrative_values, pattern, by_word, tuple(cells), upheld, {})


# ---- the checker ----------------------------------------------------------------------------

def _half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _fmt(value: Decimal | int) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


class _Field:
    """One narrative field's text, scanned once."""

    def __init__(self, text: str, spec: FormSpec, values: Mapping[str, Value], year: int | None,
                 usable: Callable[[Iterable[str]], bool]) -> None:
        self.original = text
        self.text = text.translate(_WIDTH)
        self.spec = spec
        self.vocab = _vocabulary(spec)
        self.values = values
        self.year = year
        self.usable = usable
        self.issues: list[Issue] = []
        self.excluded = [m.span() for m in _EXCLUDED.finditer(self.text)]
        self.excluded_starts = [a for a, _ in self.excluded]
        self.sentence_span = (0, len(self.text))

    # -- helpers ---------------------------------------------------------------------------
    def in_excluded(self, start: int, end: int) -> bool:
        i = bisect_left(self.excluded_starts, end)  # spans starting before `end`; they do not overlap
        return i > 0 and self.excluded[i - 1][1] > start

    def other_period(self, start: int, end: int) -> bool:
        """True when the clause around [start, end) speaks of another period."""
        text = self.text
        lo, hi = self.sentence_span
        left = max((m.end() for m in _CLAUSE_END.finditer(text, lo, start)), default=lo)
        m = _CLAUSE_END.search(text, end, hi)
        right = m.start() if m else hi
        clause = text[left:right]
        if _OTHER_PERIOD.search(clause):
            return True
        return self.year is not None and any(int(y) != self.year for y in _YEAR.findall(clause))

    def tokens(self, start: int, end: int) -> list[_Token]:
        out = []
        text = self.text
        for m in _NUMBER_RE.finditer(text, start, end):
            num = m.group("num")
            s, e = m.span("num")
            if num[0].isdigit():
                try:
                    value = Decimal(num.replace(",", ""))
                except ArithmeticError:
                    continue
                chinese = False
            else:
                parsed = chinese_number(num)
                if parsed is None:
                    continue
                value, chinese = Decimal(parsed), True
            before = text[max(start, s - 6):s]
            if before.rstrip().endswith("第") or (chinese and before[-1:] and before[-1] in _CN_WORD_BEFORE):
                continue
            if s > 0 and (text[s - 1].isdigit() or (text[s - 1] in ".," and text[s - 2:s - 1].isdigit())):
                continue  # the tail of a longer number
            after = text[m.end():m.end() + 4]
            if chinese and _CN_WORD_AFTER.match(after):
                continue
            if m.group("unit") == "次" and after.startswith("性"):
                continue
            if self.in_excluded(s, m.end()):
                continue
            approx = bool(m.group("approx") or _APPROX_BEFORE.search(before)
                          or _APPROX_AFTER.match(after) or _RANGE_BEFORE.search(before))
            out.append(_Token(s, e, m.end(), self.original[s:e], value, m.group("unit"), approx))
        return out

    def hits(self, start: int, end: int, sentence: str) -> list[_Hit]:
        if self.vocab.pattern is None:
            return []
        out = []
        for m in self.vocab.pattern.finditer(self.text, start, end):
            if self.in_excluded(*m.span()):
                continue
            for block, term, claim in self.vocab.by_word[m.group(0)]:
                if term.needs and not any(w in sentence for w in term.needs):
                    continue
                out.append(_Hit(m.start(), m.end(), block, term, claim))
        return out

    # -- denotation ------------------------------------------------------------------------
    def resolve(self, block: int, hits: list[_Hit], inherit: Mapping[str, tuple[str, ...]],
                kind: str | None, union: bool) -> tuple[dict[str, tuple[str, ...]], list[str]] | None:
        """The dimension values the hits name (narrowest term wins where one contains another; a
        sum where ``union`` allows it), completed from ``inherit`` and the block's defaults, and the
        cell keys they denote. None when the sentence does not name one value unambiguously."""
        spec_block = self.vocab.blocks[block]
        named: dict[str, list[tuple[str, ...]]] = {}
        for hit in hits:
            for dim, values in hit.term.dims:
                if values not in named.setdefault(dim, []):
                    named[dim].append(values)
        dims: dict[str, tuple[str, ...]] = {}
        for dim, options in named.items():
            sets = [set(o) for o in options]
            narrow = [o for o, s in zip(options, sets, strict=True) if all(s <= t for t in sets)]
            if narrow:
                dims[dim] = narrow[0]
            elif union:  # the narrowest terms named together (a group word that contains them drops)
                minimal = [o for o, so in zip(options, sets, strict=True) if not any(t < so for t in sets)]
                dims[dim] = tuple(dict.fromkeys(v for o in minimal for v in o))
            else:
                return None
        for dim, values in inherit.items():
            dims.setdefault(dim, values)
        for dim, value in spec_block.defaults:
            dims.setdefault(dim, (value,))
        memo = (block, tuple(sorted(dims.items())), kind)
        if memo not in self.vocab.denoted:
            self.vocab.denoted[memo] = self._denoted(block, dims, kind)
        found = self.vocab.denoted[memo]
        return None if found is None else (dict(found[0]), list(found[1]))

    def _denoted(self, block: int, dims: dict[str, tuple[str, ...]], kind: str | None
                 ) -> tuple[dict[str, tuple[str, ...]], list[str]] | None:
        spec_block = self.vocab.blocks[block]
        dims = dict(dims)
        allowed = None if kind is None else (("count",) if kind == "count" else ("wan_yuan", "yuan"))
        groups: dict[tuple[str, ...], list[str]] = {}
        for cell_dims, key in self.vocab.cells[block]:
            if any(cell_dims[d] not in v for d, v in dims.items()):
                continue
            if allowed and self.spec.cells[key].type not in allowed:
                continue
            missing = tuple(cell_dims[d] for d in spec_block.dims if d not in dims)
            groups.setdefault(missing, []).append(key)
        if len(groups) != 1:
            return None
        (missing_values, keys), = groups.items()
        missing_dims = [d for d in spec_block.dims if d not in dims]
        for d, v in zip(missing_dims, missing_values, strict=True):
            dims[d] = (v,)
        return dims, keys

    def table_value(self, keys: list[str]) -> Decimal | None:
        if not keys or not self.usable(keys):
            return None
        total = Decimal(0)
        for k in keys:
            v = self.values.get(k)
            if v is None:
                return None
            total += Decimal(v)
        return total

    def stated_in_cell_unit(self, token: _Token, keys: list[str]) -> Decimal:
        kind = self.spec.cells[keys[0]].type
        if token.unit == "元" and kind == "wan_yuan":
            return token.value / 10000
        if token.unit == "万元" and kind == "yuan":
            return token.value * 10000
        return token.value

    # -- the pass ------------------------------------------------------------------------------
    def run(self) -> list[Issue]:
        paragraph_totals: list[_Token] = []
        pos = 0
        text = self.text
        while pos < len(text) and len(self.issues) < MAX_ISSUES_PER_FIELD:
            m = _SENTENCE_END.search(text, pos)
            end = m.start() if m else len(text)
            # A "sentence" of more than MAX_SENTENCE characters is not prose (a pasted table, a
            # list run together): it is not read, so that a hostile text cannot slow the check.
            if text[pos:end].strip() and end - pos <= MAX_SENTENCE:
                self.sentence_span = (pos, end)
                self.sentence(pos, end, paragraph_totals)
            if m and m.group(0) == "\n":
                paragraph_totals = []
            pos = (m.end() if m else len(text))
        return self.issues[:MAX_ISSUES_PER_FIELD]

    def sentence(self, start: int, end: int, paragraph_totals: list[_Token]) -> None:
        text = self.text
        sentence = text[start:end]
        tokens = self.tokens(start, end)
        if not tokens and not _NEGATION.search(sentence) and \
                not any(w in sentence for w in self.vocab.upheld_words):
            return  # nothing here states a number
        hits = self.hits(start, end, sentence)
        parts_at = text.find(_PARTS_WORD, start, end)
        total_token = None
        if parts_at >= 0:
            before = [t for t in tokens if t.unit_end <= parts_at and t.kind != "percent"]
            total_token = before[-1] if before else None
        statements: list[_Statement] = []
        total_statement: _Statement | None = None
        for i, token in enumerate(tokens):
            prev_end = tokens[i - 1].unit_end if i else start
            clause_start = max((c.end() for c in _CLAUSE_END.finditer(text, start, token.start)),
                               default=start)
            window_start = max(prev_end, clause_start)
            window = text[window_start:token.start]
            is_total = token is total_token or bool(_TOTAL_WORDS.search(window))
            if is_total and token.kind != "percent":
                paragraph_totals.append(token)
            if token.approx or self.other_period(token.start, token.unit_end):
                continue
            if token.kind == "percent":
                if _PERCENT_OF.search(window) and "分别" not in window:
                    self.percent(token, tokens[:i], paragraph_totals, (start, end))
                continue
            own = [h for h in hits if not h.claim and window_start <= h.start and h.end <= token.start]
            if not own:
                m = _CLAUSE_END.search(text, token.unit_end, end)
                stop = min(m.start() if m else end, token.unit_end + 10,
                           tokens[i + 1].start if i + 1 < len(tokens) else end)
                stop = min(stop, text.find("、", token.unit_end, stop) if "、" in text[token.unit_end:stop]
                           else stop)
                own = [h for h in hits if not h.claim and token.unit_end <= h.start and h.end <= stop]
                own = own[:1] and [h for h in own if h.block == own[0].block]
            if not own:
                continue
            block = own[-1].block if own[-1].start < token.start else own[0].block
            own = [h for h in own if h.block == block]
            inherit: dict[str, tuple[str, ...]] = {}
            is_part = parts_at >= 0 and token.start > parts_at and total_statement is not None
            if is_part and total_statement is not None and total_statement.block == block:
                inherit = dict(total_statement.dims)
                for h in own:
                    for dim, _ in h.term.dims:
                        inherit.pop(dim, None)
            else:
                defaults = dict(self.vocab.blocks[block].defaults)
                previous = next((s for s in reversed(statements) if s.block == block), None)
                if previous is not None:
                    named = {d for h in own for d, _ in h.term.dims}
                    inherit = {d: v for d, v in previous.dims.items()
                               if d not in defaults and d not in named}
            union = is_total or _joined(text, own)
            resolved = self.resolve(block, own, inherit, token.kind, union=union)
            if resolved is None and inherit:  # what the sentence said before does not fit this value
                resolved = self.resolve(block, own, {}, token.kind, union=union)
            if resolved is None:
                continue
            dims, keys = resolved
            stmt = _Statement(token, block, dims, keys)
            statements.append(stmt)
            if token is total_token:
                total_statement = stmt
            value = self.table_value(keys)
            if value is None:
                continue
            stated = self.stated_in_cell_unit(token, keys)
            if stated != value:
                unit = _unit_of(self.spec, keys)
                self.issues.append(Issue("NARRATIVE-NUMBER", token.start, token.end, (start, end),
                                         token.text, {"unit": token.unit, "cell_unit": unit},
                                         tuple(keys), _fmt(value)))
        if total_token is not None:
            self.parts_sum(total_token, tokens, statements, parts_at, (start, end))
        self.claims(start, end, hits, tokens, statements)

    def parts_sum(self, total: _Token, tokens: list[_Token], statements: list[_Statement],
                  parts_at: int, sentence: tuple[int, int]) -> None:
        """共 N，其中 A、B: the listed parts must add up to N (when they plainly are all of it)."""
        end = sentence[1]
        if self.other_period(total.start, total.unit_end) or total.approx:
            return
        parts = [t for t in tokens if t.start > parts_at and t.kind != "percent"]
        if len(parts) < 2 or any(t.approx or t.unit != total.unit for t in parts):
            return
        region = self.text[parts_at:end]
        if _HEDGES.search(region):
            return
        by_token = {id(s.token): s for s in statements}
        denoted = [by_token.get(id(t)) for t in parts]
        if any(d is not None for d in denoted):
            if any(d is None for d in denoted) or len({d.block for d in denoted if d}) != 1:
                return
            stmts = [d for d in denoted if d is not None]
            varying = [dim for dim in stmts[0].dims if len({s.dims[dim] for s in stmts}) > 1]
            if len(varying) != 1:
                return
            dim = varying[0]
            covered = {v for s in stmts for v in s.dims[dim]}
            block = self.vocab.blocks[stmts[0].block]
            domain = {c[dim] for c, _ in self.vocab.cells[stmts[0].block]} - {v for d, v in block.defaults
                                                                               if d == dim}
            if sum(len(s.dims[dim]) for s in stmts) != len(covered):
                return  # overlapping parts
            parts_total = sum((t.value for t in parts), Decimal(0))
            if covered != domain and parts_total <= total.value:
                return  # not all of it, and not more than the total
        parts_total = sum((t.value for t in parts), Decimal(0))
        if parts_total != total.value:
            listed = " + ".join(t.text for t in parts)
            self.issues.append(Issue("NARRATIVE-SUM", total.start, total.end, sentence, total.text,
                                     {"parts": listed, "unit": total.unit}, (), _fmt(parts_total)))

    def percent(self, token: _Token, before: list[_Token], totals: list[_Token],
                sentence: tuple[int, int]) -> None:
        """占 x%: the count stated just before, over the total stated before it in the paragraph."""
        counts = [t for t in before if t.kind != "percent"]
        if not counts:
            return
        count = counts[-1]
        base_token = next((t for t in reversed(totals) if t.end <= count.start and t.unit == count.unit),
                          None)
        if base_token is None or count.approx or base_token.approx:
            return
        base = base_token.value
        if base == 0 or count.value > base:
            return
        places = len(token.text.split(".")[1]) if "." in token.text else 0
        computed = _half_up(count.value * 100 / base, places)
        unit = Decimal(1).scaleb(-places)
        if abs(computed - token.value) <= unit:
            return
        self.issues.append(Issue("NARRATIVE-PERCENT", token.start, token.end, sentence,
                                 token.text + "%", {"count": count.text, "base": base_token.text,
                                                    "unit": count.unit}, (), _fmt(computed) + "%"))

    def claims(self, start: int, end: int, hits: list[_Hit], tokens: list[_Token],
               statements: list[_Statement]) -> None:
        text = self.text
        taken = [(h.start, h.end) for h in hits]
        # "none": 没有 / 未 / 无 followed (in the same clause, before any number) by table words.
        for m in _NEGATION.finditer(text, start, end):
            s, e = m.span()
            if any(a <= s < b for a, b in taken) or _NEGATION_SKIP.match(text[e:e + 1]) \
                    or self.in_excluded(s, e) or self.other_period(s, e):
                continue
            c = _CLAUSE_END.search(text, e, end)
            clause_end = c.start() if c else end
            if any(e <= t.start < clause_end for t in tokens):
                continue
            window_end = min(clause_end, e + 30)
            own = [h for h in hits if not h.claim and s <= h.start and h.end <= window_end]
            if not own:
                continue
            block = own[-1].block  # the noun the negation ends on (未收到行政复议申请: 复议)
            own = [h for h in own if h.block == block]
            for group in _split_listed(own):
                resolved = self.resolve(block, group, {}, None, union=False)
                if resolved is None:
                    continue
                _dims, keys = resolved
                value = self.table_value(keys)
                if value is not None and value != 0:
                    self.issues.append(Issue("NARRATIVE-NONE", s, e, (start, end), self.original[s:e],
                                             {"unit": _unit_of(self.spec, keys)}, tuple(keys),
                                             _fmt(value)))
        # "all upheld": 均维持 about the group named before it in the sentence.
        for hit in hits:
            if not hit.claim or self.other_period(hit.start, hit.end):
                continue
            context = next((st for st in reversed(statements)
                            if st.block == hit.block and st.token.start < hit.start), None)
            if context is not None:
                dims = dict(context.dims)
            else:
                before = [h for h in hits if not h.claim and h.block == hit.block and h.end <= hit.start]
                resolved = self.resolve(hit.block, before, {}, None, union=False) if before else None
                if resolved is None:
                    continue
                dims = resolved[0]
            block = self.vocab.blocks[hit.block]
            claim_dims = dict(hit.term.dims)
            total_dims = {**dims, **{d: (dict(block.defaults)[d],) for d in claim_dims
                                     if d in dict(block.defaults)}}
            upheld = self.resolve(hit.block, [], {**dims, **claim_dims}, None, union=False)
            total = self.resolve(hit.block, [], total_dims, None, union=False)
            if upheld is None or total is None:
                continue
            upheld_value, total_value = self.table_value(upheld[1]), self.table_value(total[1])
            if upheld_value is None or total_value is None or total_value == 0:
                continue
            if upheld_value != total_value:
                self.issues.append(Issue(
                    "NARRATIVE-ALL-UPHELD", hit.start, hit.end, (start, end), self.original[hit.start:hit.end],
                    {"upheld": _fmt(upheld_value), "upheld_cell": self.cell_names(upheld[1])},
                    tuple(total[1]), _fmt(total_value)))

    def cell_names(self, keys: Iterable[str]) -> str:
        return cell_names(self.spec, list(keys))


_JOINERS = ("", "和", "及", "与", "、", "以及")


def _joined(text: str, hits: list[_Hit]) -> bool:
    """予以公开和部分公开8件: terms of one dimension named together (only a joining word between)."""
    by_dim: dict[str, list[_Hit]] = {}
    for h in hits:
        for dim, _ in h.term.dims:
            by_dim.setdefault(dim, []).append(h)
    for group in by_dim.values():
        if len(group) > 1 and all(text[a.end:b.start] in _JOINERS for a, b in pairwise(group)):
            return True
    return False


def _split_listed(hits: list[_Hit]) -> list[list[_Hit]]:
    """没有制发规章和行政规范性文件: one claim per listed alternative (规章; 行政规范性文件), each with
    the words the alternatives share (制发)."""
    dims_count: dict[str, list[_Hit]] = {}
    for h in hits:
        for dim, _ in h.term.dims:
            dims_count.setdefault(dim, []).append(h)
    listed = next((d for d, hs in dims_count.items()
                   if len(hs) > 1 and all(not (set(dict(a.term.dims)[d]) <= set(dict(b.term.dims)[d])
                                                or set(dict(b.term.dims)[d]) <= set(dict(a.term.dims)[d]))
                                          for a in hs for b in hs if a is not b)), None)
    if listed is None:
        return [hits]
    alternatives = dims_count[listed]
    shared = [h for h in hits if h not in alternatives]
    return [[*shared, h] for h in alternatives]


def _unit_of(spec: FormSpec, keys: list[str]) -> str:
    kind = spec.cells[keys[0]].type
    return {"count": "件", "wan_yuan": "万元", "yuan": "元"}.get(kind, "")


def cell_names(spec: FormSpec, keys: list[str]) -> str:
    """The cells in words: ``表三“一、本年新收政府信息公开申请数量｜总计”``; a group of rows by its
    group label (``（三）不予公开（各项之和）``), several columns listed."""
    cells = [spec.cells[k] for k in keys]
    table = cells[0].table
    sheet = spec.table(table).sheet if table != FEE_TABLE else "正文"
    section = spec.table(table).section if table != FEE_TABLE else ""
    rows = list(dict.fromkeys(c.row_label for c in cells if c.row_label != section))
    cols = list(dict.fromkeys(c.column_label for c in cells))
    if len(rows) > 1:
        prefixes = {r.split("·")[0] for r in rows}
        row = f"{prefixes.pop()}（各项之和）" if len(prefixes) == 1 and all("·" in r for r in rows) \
            else "、".join(rows)
    else:
        row = rows[0] if rows else ""
    col = "、".join(cols) + ("之和" if len(cols) > 1 else "")
    name = "｜".join(p for p in (row, col) if p)
    return f"{sheet}“{name}”"


def _quote(original: str, sentence: tuple[int, int], start: int, end: int) -> str:
    s, e = sentence
    text = original[s:start] + "【" + original[start:end] + "】" + original[end:e]
    text = text.strip()
    return text if len(text) <= 160 else text[:157] + "……"


def check_field(text: str, spec: FormSpec, values: Mapping[str, Value], *, year: int | None = None,
                usable: Callable[[Iterable[str]], bool] | None = None) -> list[Issue]:
    """The contradictions of one narrative field's text with ``values`` (and with itself)."""
    if not text or not spec.narrative_values:
        return []
    return _Field(text, spec, values, year, usable or (lambda keys: True)).run()


def field_findings(rule: NarrativeNumbersRule, text: str, spec: FormSpec, values: Mapping[str, Value],
                   *, year: int | None, where: Mapping[str, str],
                   usable: Callable[[Iterable[str]], bool] | None = None) -> list[Finding]:
    """The findings of one ``narrative_numbers`` rule on its field's ``text``, placed at ``where``."""
    label = next((n.label for n in spec.narrative if n.key == rule.field), rule.field)
    return [_finding(issue, rule.id, label, text, spec, dict(where))
            for issue in check_field(text, spec, values, year=year, usable=usable)]


def narrative_findings(narrative: Mapping[str, str], spec: FormSpec, values: Mapping[str, Value], *,
                       year: int | None, locate: Callable[[str], dict[str, str]],
                       usable: Callable[[Iterable[str]], bool] | None = None) -> list[Finding]:
    """Findings for every ``narrative_numbers`` rule of the spec: one rule per narrative field, so
    that the field's 说明 cell on the 校验 sheet explains its findings. ``locate(field)`` gives the
    sheet/cell/label of a field (None-like empty dict skips it)."""
    out: list[Finding] = []
    for rule in narrative_rules(spec.rules):
        where = locate(rule.field)
        if where:
            out += field_findings(rule, narrative.get(rule.field) or "", spec, values, year=year,
                                  where=where, usable=usable)
    return out


def _finding(issue: Issue, rule_id: str, label: str, text: str, spec: FormSpec,
             where: dict[str, str]) -> Finding:
    quote = _quote(text, issue.sentence, issue.start, issue.end)
    fields: dict[str, Any] = {"label": label, "quote": quote, "stated": issue.stated,
                              "value": issue.table_value, **issue.fields}
    if issue.keys:
        fields["cell_name"] = cell_names(spec, list(issue.keys))
    s, e = issue.sentence
    detail = {"statement": text[s:e].strip(), "span": [issue.start, issue.end], "stated": issue.stated,
              "table_key": "+".join(issue.keys), "table_keys": list(issue.keys),
              "table_value": issue.table_value}
    return make(issue.code, rule_id=rule_id, facts=detail, **where, **fields)


__all__ = ["Issue", "cell_names", "check_field", "chinese_number", "field_findings", "narrative_findings"]
