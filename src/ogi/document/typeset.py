"""Where ogi itself places the title's line breaks and the 落款 (GB/T 9704-2012 §7.3.1, §7.3.5.2).

Word, WPS and LibreOffice substitute different fonts and wrap differently, so the renderer's own
wrapping cannot be trusted to keep a title's words whole ("…工作年/度报告"). ogi counts characters in
ems (a CJK character is one em; digits and Latin letters, set in Times New Roman, half an em) and
breaks the title only after the agency name or, inside a long name, after an administrative unit
(省/市/州/县/区/旗/乡/镇/街道/办事处/局/委员会/委/办公室/中心), choosing the fewest lines and then a
trapezoid or diamond shape. The DOCX carries the breaks as explicit line breaks; the HTML page as
one block per line inside the title heading.

The 落款 of a report (no seal): the agency name right-indented two characters, the date on the next
line starting two characters right of the name's first character; a date longer than that is
right-indented two characters and the name moves left to keep the two-character offset.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass

#: 22 pt (2号) on the 156 mm text width (442.2 pt): 20 characters.
TITLE_EMS = 20.0
#: The body's 28 characters per line, less the 落款's two-character right indent.
SIGNATURE_EMS = 26.0

#: Administrative units after which a long agency name may break, longest first.
ADMIN_UNITS = ("街道办事处", "办事处", "委员会", "办公室", "街道", "中心",
               "省", "市", "州", "县", "区", "旗", "乡", "镇", "局", "委")
#: Characters after a unit that show it is part of a word (市场, 区域, 乡村, 委员, 县级, 市直属…).
_WORD_AFTER = {"市": "场政容民级直属辖", "区": "域级划直属", "县": "级直属域", "乡": "村镇级",
               "镇": "级", "省": "级直属", "州": "级", "委": "员", "局": "长", "旗": "级"}
#: Characters before a unit that show it is part of a word (城市, 都市, 城乡, 城镇, 乡镇…).
_WORD_BEFORE = {"市": "城都超", "乡": "城", "镇": "城乡"}

#: The blank date printed for handwriting when 发布日期 is empty (``--force``).
BLANK_DATE = "\u3000\u3000年\u3000月\u3000日"


#: The space Word and LibreOffice put between a CJK character and a digit or Latin letter (Word's
#: "调整中文与数字/西文间距", LibreOffice's "亚洲语言与非亚洲语言文字间距", both on by default and
#: LibreOffice has no way to turn it off from a DOCX): about a fifth of an em, measured.
AUTOSPACE_EMS = 0.22


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def em_width(text: str) -> float:
    """Width in ems: East Asian wide/full-width characters 1, everything else ½ (Times New Roman
    digits are exactly ½ em; Latin letters average about that), plus the automatic space between
    a CJK character and a digit or Latin letter."""
    width = sum(1.0 if _wide(ch) else 0.5 for ch in text)
    for a, b in itertools.pairwise(text):
        if _wide(a) != _wide(b) and (a.isalnum() and b.isalnum()):
            width += AUTOSPACE_EMS
    return width


def name_break_points(name: str) -> list[int]:
    """Offsets inside ``name`` after which a line may break: after an administrative unit that is
    not part of a longer word, leaving at least two characters on each side."""
    points = []
    i = 0
    while i < len(name):
        unit = next((u for u in ADMIN_UNITS if name.startswith(u, i)), "")
        if not unit:
            i += 1
            continue
        end = i + len(unit)
        after = name[end:end + 1]
        before = name[i - 1:i] if i else ""
        single = len(unit) == 1
        word = single and (after in _WORD_AFTER.get(unit, "") or (before and before in _WORD_BEFORE.get(unit, "")))
        if not word and end >= 2 and len(name) - end >= 2:
            points.append(end)
        i = end
    return points


def _valleys(widths: list[float]) -> int:
    """Interior lines clearly shorter than both neighbours (an hourglass, not a trapezoid)."""
    return sum(1 for a, b, c in zip(widths, widths[1:], widths[2:], strict=False)
               if b < a - 1 and b < c - 1)


def _hard_split(token: str, limit: float) -> list[str]:
    """A token wider than a line with no allowed break: balanced chunks (a last resort)."""
    n = max(2, int(-(-em_width(token) // limit)))
    target = em_width(token) / n
    out, cur = [], ""
    for ch in token:
        if cur and em_width(cur + ch) > target + 0.5 and len(out) < n - 1:
            out.append(cur)
            cur = ""
        cur += ch
    return [*out, cur]


#: Pieces up to which every way of breaking is scored (a 40-character name has at most ~14).
_SEARCH_LIMIT = 18


def break_lines(tokens: list[str], limit: float, *, preferred: frozenset[int] = frozenset()) -> list[str]:
    """Join ``tokens`` into lines no wider than ``limit`` ems: fewest lines, then no hourglass, then
    breaks at ``preferred`` token boundaries, then the most even widths."""
    pieces: list[str] = []
    index_map: list[int] = []  # token boundary -> piece boundary
    for tok in tokens:
        index_map.append(len(pieces))
        pieces.extend(_hard_split(tok, limit) if em_width(tok) > limit else [tok])
    preferred_pieces = {index_map[i] for i in preferred if 0 < i < len(index_map)}
    n = len(pieces)
    if n > _SEARCH_LIMIT:  # far beyond a real name (ogi new refuses them): fill lines greedily
        greedy: list[str] = []
        for piece in pieces:
            if greedy and em_width(greedy[-1] + piece) <= limit:
                greedy[-1] += piece
            else:
                greedy.append(piece)
        return greedy
    best: tuple[tuple[float, ...], list[str]] | None = None
    for k in range(n):  # number of breaks
        for breaks in itertools.combinations(range(1, n), k):
            bounds = [0, *breaks, n]
            lines = ["".join(pieces[a:b]) for a, b in itertools.pairwise(bounds)]
            widths = [em_width(line) for line in lines]
            if any(w > limit and b - a > 1 for w, (a, b) in zip(widths, itertools.pairwise(bounds),
                                                                strict=True)):
                continue
            missed = len(preferred_pieces - set(breaks))
            spread = max(widths[:-1] or widths) - min(widths[:-1] or widths)
            score = (float(len(lines)), float(_valleys(widths)), float(missed), spread,
                     -widths[0])
            if best is None or score < best[0]:
                best = (score, lines)
        if best is not None:
            break
    assert best is not None
    return best[1]


def title_lines(title: str, agency_name: str, limit: float = TITLE_EMS) -> list[str]:
    """The report title as printed lines: one when it fits; otherwise broken after the agency name
    (the year and "年政府信息公开工作年度报告" are never split) and, inside a long name, only after
    an administrative unit."""
    if em_width(title) <= limit:
        return [title]
    if not agency_name or not title.startswith(agency_name):
        return break_lines([title], limit)
    points = name_break_points(agency_name)
    bounds = [0, *points, len(agency_name)]
    tokens = [agency_name[a:b] for a, b in itertools.pairwise(bounds)]
    rest = title[len(agency_name):]
    if rest:
        tokens.append(rest)
    return break_lines(tokens, limit, preferred=frozenset({len(tokens) - 1}) if rest else frozenset())


def signature_name_lines(agency_name: str, limit: float = SIGNATURE_EMS) -> list[str]:
    """The 落款's agency name, broken like the title when it is longer than a line."""
    if em_width(agency_name) <= limit:
        return [agency_name]
    points = name_break_points(agency_name)
    bounds = [0, *points, len(agency_name)]
    return break_lines([agency_name[a:b] for a, b in itertools.pairwise(bounds)], limit)


@dataclass(frozen=True)
class Signature:
    """The 落款 in ems: the name's lines (right-aligned at ``name_right``) and the date, either
    left-aligned at ``date_left`` (anchored to the name's first character, so that its position
    does not depend on how wide a renderer's digits are) or, when it is longer than that allows,
    right-aligned at ``date_right``."""

    name_lines: tuple[str, ...]
    date: str
    name_right: float  # right indent of every name line
    date_right: float  # right indent of the date when it is right-aligned (date_left is None)
    date_left: float | None  # left indent of the date when it is left-aligned

    @property
    def name_start(self) -> float:
        """Distance of the (last) name line's first character from the right edge, in ems."""
        return self.name_right + em_width(self.name_lines[-1]) if self.name_lines else self.name_right


def signature(agency_name: str, date: str, line_ems: float) -> Signature:
    """GB/T 9704 §7.3.5.2 without a seal, on a line ``line_ems`` wide: the name right-indented 2;
    the date starting 2 characters right of the name's first character, or, when it is longer than
    the name allows, right-indented 2 with the name moved left to keep the offset."""
    lines = tuple(signature_name_lines(agency_name)) if agency_name else ()
    date = date or BLANK_DATE
    name_w = em_width(lines[-1]) if lines else 0.0
    date_w = em_width(date)
    if date_w + 2 <= name_w:
        name_right = 2.0
        return Signature(lines, date, name_right, name_right + name_w - 2 - date_w,
                         line_ems - (name_right + name_w) + 2)
    date_right = 2.0
    return Signature(lines, date, date_right + date_w + 2 - name_w, date_right, None)
