"""Whether a text or date cell holds a formula: formula source must never reach a published report.

A formula cell (openpyxl's data type ``f``) is one whatever it says: typed or pasted, or text a clerk
started with ``-`` or ``+`` that Excel turned into a formula. Text stored as a string (a
text-formatted cell, a paste of text) is formula source when it starts with ``=`` and parses as an
Excel expression, or with ``+``, ``-``, ``@`` and parses as one that refers to a cell, a function or
joins strings: "-表三!J7" is formula source, "-本年度共收到申请5件。" (a dash before a sentence)
is text. The parser is a small recursive-descent reading of Excel's formula syntax.
"""

from __future__ import annotations

import re
from typing import Any

_FORMULA_TOKEN_RE = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"]|"")*")
  | (?P<dde>[A-Za-z]\w*\|'(?:[^']|'')*'!\S+)
  | (?P<ref>(?:(?:'(?:[^']|'')+'|[^\s!'"(),:;&=<>+\-*/^%{}\[\]|]+)!)?
        (?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}
          |\$?\d+:\$?\d+)(?![\w(]))
  | (?P<func>[A-Za-z_][A-Za-z0-9_.]*\()
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<error>\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A))
  | (?P<name>[^\W\d][\w.]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>])
  | (?P<punct>[(),;%])
""", re.X)


def _formula_tokens(text: str) -> list[tuple[str, str]] | None:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _FORMULA_TOKEN_RE.match(text, pos)
        if m is None:
            return None
        if m.lastgroup != "space":
            kind = m.lastgroup or ""
            tokens.append((kind if kind != "punct" else m.group(0), m.group(0)))
        pos = m.end()
    return tokens


def _parses_as_formula(text: str) -> tuple[bool, bool]:
    """(whether ``text`` is an Excel expression, whether it refers to anything: a cell, a function,
    a string joined with ``&``). A small recursive-descent parser of Excel's formula syntax."""
    tokens = _formula_tokens(text)
    if not tokens:
        return False, False
    pos = 0
    refers = False

    def peek() -> str:
        return tokens[pos][0] if pos < len(tokens) else ""

    def primary() -> bool:
        nonlocal pos, refers
        kind = peek()
        if kind in ("number", "string", "error", "name", "ref", "dde"):
            refers = refers or kind in ("ref", "dde")
            pos += 1
            return True
        if kind == "func":
            refers = True
            pos += 1
            if peek() == ")":
                pos += 1
                return True
            while True:
                if peek() in (",", ";"):  # an empty argument: IF(a,,b)
                    pos += 1
                    continue
                if not expr():
                    return False
                if peek() in (",", ";"):
                    pos += 1
                    continue
                if peek() == ")":
                    pos += 1
                    return True
                return False
        if kind == "(":
            pos += 1
            if not expr() or peek() != ")":
                return False
            pos += 1
            return True
        return False

    def term() -> bool:
        nonlocal pos
        while peek() == "op" and tokens[pos][1] in "+-":
            pos += 1
        if not primary():
            return False
        while peek() == "%":
            pos += 1
        return True

    def expr() -> bool:
        nonlocal pos, refers
        if not term():
            return False
        while peek() == "op":
            refers = refers or tokens[pos][1] == "&"
            pos += 1
            if not term():
                return False
        return True

    return expr() and pos == len(tokens), refers


def formula_source(raw: Any, data_type: str) -> str | None:
    """The formula source a text or date cell holds (``raw`` as openpyxl reads it, ``data_type``
    its data type), or None (see the module documentation)."""
    if raw is None:
        return None
    if data_type == "f":
        return str(getattr(raw, "text", raw))
    if not isinstance(raw, str) or len(raw) < 2 or raw[0] not in "=+-@":
        return None
    body = raw[1:] if raw[0] in "=@" else raw
    if len(body) > 2000:  # no formula is that long; a long text is a text
        return None
    ok, refers = _parses_as_formula(body)
    if ok and (refers or raw[0] == "="):
        return raw
    return None
