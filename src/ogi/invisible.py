"""Invisible format characters: the ONE definition of what ogi strips from names, titles, file names
and every text it reads from a workbook.

Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the direction marks
(U+200E/U+200F, U+061C), zero-width spaces and joiners (U+200B–U+200D, U+2060, U+FEFF), the soft
hyphen and every other character of Unicode category Cf print nothing, yet a U+202E in an agency
name reverses how the rest of the name, the report title or a file name is *shown*
("…政府\u202excod.exe" looks like "…政府exe.docx"). Hangul fillers are blank letters with the same
effect. None of them belongs in an official name or text, so they are removed and the caller warns.
"""

from __future__ import annotations

import unicodedata

#: Blank letters (category Lo) that render as nothing: Hangul fillers.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def is_invisible(ch: str) -> bool:
    """Whether ``ch`` is an invisible format character ogi strips (category Cf or a blank letter)."""
    return unicodedata.category(ch) == "Cf" or ch in _BLANK_LETTERS


def strip_invisible(text: str) -> tuple[str, list[str]]:
    """``text`` without invisible format characters; returns (text, removed as ``U+202E`` codes, in
    order of appearance, each once)."""
    if text.isascii():
        return text, []
    removed = [ch for ch in text if is_invisible(ch)]
    if not removed:
        return text, []
    kept = "".join(ch for ch in text if not is_invisible(ch))
    return kept, [f"U+{ord(ch):04X}" for ch in dict.fromkeys(removed)]
