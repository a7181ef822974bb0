"""Invisible format characters: the ONE definition of what ogi strips from names, titles, file names
and every text it reads from a workbook.

Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the direction marks
(U+200E/U+200F, U+061C), zero-width spaces and joiners (U+200B–U+200D, U+2060, U+FEFF), the soft
hyphen and every other character of Unicode category Cf print nothing, yet a U+202E in an agency
name reverses how the rest of the name, the report title or a file name is *shown*
(“…政府” + U+202E + “xcod.exe” shows as “…政府exe.docx”). Hangul fillers are blank letters with the same
effect. None of them belongs in an official name or text, so they are removed and the caller warns.
"""

from __future__ import annotations

import re

#: Every character of Unicode category Cf (format), as ranges (Unicode 15; a test checks them against
#: the running Python's ``unicodedata``), and the Hangul fillers, blank letters (category Lo) that
#: render as nothing. A character class, not a per-character category lookup: a 32,767-character
#: narrative is scanned in well under a millisecond.
INVISIBLE_RE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\u115f\u1160\u3164\uffa0]")


def is_invisible(ch: str) -> bool:
    """Whether ``ch`` is an invisible format character ogi strips."""
    return INVISIBLE_RE.match(ch) is not None


def strip_invisible(text: str) -> tuple[str, list[str]]:
    """``text`` without invisible format characters; returns (text, removed as ``U+202E`` codes, in
    order of appearance, each once)."""
    if text.isascii():
        return text, []
    removed = INVISIBLE_RE.findall(text)
    if not removed:
        return text, []
    return INVISIBLE_RE.sub("", text), [f"U+{ord(ch):04X}" for ch in dict.fromkeys(removed)]
