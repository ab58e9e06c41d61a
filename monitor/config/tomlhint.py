"""A hint for the commonest TOML mistake, added to tomllib's error: an inline table `{ … }`
spread over several lines (TOML 1.1 allows it; Python's tomllib reads TOML 1.0, which does not).
"""

from __future__ import annotations

import re

_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def hint(text: str, message: str) -> str:
    """'; hint: …' when the error falls inside an inline table opened on an earlier line, else ''."""
    m = _AT.search(message)
    if not m:
        return ""
    line, col = int(m.group(1)), int(m.group(2))
    lines = text.split("\n")
    if line > len(lines):
        return ""
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + col - 1
    opened = _open_brackets(text[:offset])
    # an inline table still open where the error is, with a line break between the two
    tables = [(ln, n) for ch, ln, n in opened if ch == "{" and (ln < line or text[offset:offset + 1] == "\n")]
    if not tables:
        return ""
    first_line = min(ln for ch, ln, _ in opened)
    key = _KEY.match(lines[first_line - 1])
    header = _table_header(lines[: first_line - 1])
    where = "a table"
    if key:
        in_array = opened[0][0] == "["
        base = f"{header}." if header else ""
        where = f"a `[[{base}{key.group(1)}]]` table" if in_array else f"a `[{base}{key.group(1)}]` table"
    return (f"; hint: an inline table {{ … }} must stay on one line (the one opened on line {tables[0][0]}"
            f" is not closed there): write it on one line, or as {where}")


def _table_header(lines: list[str]) -> str:
    """The name of the last [table] or [[array]] header among `lines` ('' for the top level)."""
    for raw in reversed(lines):
        m = _HEADER.match(raw)
        if m:
            return m.group(2).strip()
    return ""


def _open_brackets(text: str) -> list[tuple[str, int, int]]:
    """The `[` and `{` still open at the end of `text` (values only: strings and comments skipped),
    as (bracket, line, column), outermost first."""
    stack: list[tuple[str, int, int]] = []
    i, line, col, n = 0, 1, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line, col = line + 1, 1
            i += 1
            continue
        if c == "#":
            j = text.find("\n", i)
            i, col = (n, col) if j < 0 else (j, col + (j - i))
            continue
        if c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n:
                if quote[0] == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(quote, j):
                    j += len(quote)
                    break
                if text[j] == "\n" and len(quote) == 1:
                    break
                j += 1
            skipped = text[i:j]
            if "\n" in skipped:
                line += skipped.count("\n")
                col = len(skipped) - skipped.rfind("\n")
            else:
                col += len(skipped)
            i = j
            continue
        if c in "[{" and (stack or _is_value_start(text, i)):
            stack.append((c, line, col))
        elif c in "]}" and stack:
            stack.pop()
        i += 1
        col += 1
    return stack


def _is_value_start(text: str, i: int) -> bool:
    """True when the bracket at `i` opens a value (after `key =`), not a [table] header."""
    start = text.rfind("\n", 0, i) + 1
    return "=" in text[start:i]
