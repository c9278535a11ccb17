"""BibTeX text -> entries, and the LaTeX inside their fields -> plain Unicode.

A small parser of our own: BibTeX's grammar (braces, quotes, ``#`` and ``@string`` macros)
is simple, and a library would be a runtime dependency for one command. This module reads
syntax only; which entries become bookmarks, and how their text is cleaned, is decided in
`paperterm.exchange.importer`. Bad input never raises: an entry that cannot be read is reported, and
parsing goes on at the next ``@``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One BibTeX entry: lower-case type and field names, raw (still LaTeX) field values."""

    kind: str
    key: str
    fields: dict[str, str]


# ---------------------------------------------------------------- BibTeX syntax

_ENTRY_HEAD = re.compile(r"@\s*([A-Za-z][\w-]*)\s*([{(])")
_ENTRY_KEY = re.compile(r"\s*([^\s,{}()]*)\s*([,})])")
_FIELD_NAME = re.compile(r"\s*([A-Za-z_][\w:.+/-]*)\s*=\s*")
_NUMBER_OR_MACRO = re.compile(r"(\d+)|([A-Za-z_][\w:.+/-]*)")
_BRACES = re.compile(r"[{}]")
_QUOTE_OR_BRACES = re.compile(r'[{}"]')
_MONTH_NAMES = "jan feb mar apr may jun jul aug sep oct nov dec"
_MONTHS = {m: str(i) for i, m in enumerate(_MONTH_NAMES.split(), 1)}


class _BibSyntaxError(ValueError):
    pass


def parse_bibtex(text: str) -> tuple[list[BibEntry], list[str]]:
    """Entries of a BibTeX file and a message per entry that could not be read. Text
    outside entries is ignored, as BibTeX does; ``@string`` macros are expanded."""
    entries: list[BibEntry] = []
    errors: list[str] = []
    macros = dict(_MONTHS)
    pos = 0
    while (at := text.find("@", pos)) >= 0:
        head = _ENTRY_HEAD.match(text, at)
        if head is None:
            pos = at + 1
            continue
        kind, closer = head.group(1).lower(), "}" if head.group(2) == "{" else ")"
        try:
            if kind in ("comment", "preamble"):
                pos = _skip_group(text, head.end())
            elif kind == "string":
                fields, pos = _fields(text, head.end(), closer, macros)
                macros.update((k, v) for k, v in fields.items())
            else:
                entry, pos = _entry(text, head.end(), kind, closer, macros)
                if entry is not None:
                    entries.append(entry)
        except _BibSyntaxError as exc:
            errors.append(f"line {text.count(chr(10), 0, at) + 1}: @{kind}: {exc}")
            pos = head.end()
    return entries, errors


def _skip_group(text: str, pos: int) -> int:
    depth = 1
    for match in _BRACES.finditer(text, pos):
        depth += 1 if match.group() == "{" else -1
        if depth == 0:
            return match.end()
    raise _BibSyntaxError("unbalanced braces")


def _entry(
    text: str, pos: int, kind: str, closer: str, macros: dict[str, str]
) -> tuple[BibEntry | None, int]:
    key = _ENTRY_KEY.match(text, pos)
    if key is None:
        raise _BibSyntaxError("no citation key")
    if key.group(2) != ",":
        return None, key.end()
    fields, end = _fields(text, key.end(), closer, macros)
    return BibEntry(kind, key.group(1), fields), end


def _fields(text: str, pos: int, closer: str, macros: dict[str, str]) -> tuple[dict[str, str], int]:
    fields: dict[str, str] = {}
    while True:
        pos = _skip_space(text, pos)
        if text.startswith(closer, pos):
            return fields, pos + 1
        name = _FIELD_NAME.match(text, pos)
        if name is None:
            raise _BibSyntaxError(f"expected a field name at {text[pos : pos + 20]!r}")
        value, pos = _value(text, name.end(), macros)
        fields.setdefault(name.group(1).lower(), value)  # BibTeX keeps the first of two
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos += 1
        elif not text.startswith(closer, pos):
            raise _BibSyntaxError(f"expected ',' or '{closer}' at {text[pos : pos + 20]!r}")


def _value(text: str, pos: int, macros: dict[str, str]) -> tuple[str, int]:
    pieces = []
    while True:
        pos = _skip_space(text, pos)
        char = text[pos : pos + 1]
        if char in ("{", '"'):
            end = _group_end(text, pos + 1, char)
            pieces.append(text[pos + 1 : end])
            pos = end + 1
        elif word := _NUMBER_OR_MACRO.match(text, pos):
            pieces.append(word.group(1) or macros.get(word.group(2).lower(), ""))
            pos = word.end()
        else:
            raise _BibSyntaxError(f"expected a value at {text[pos : pos + 20]!r}")
        pos = _skip_space(text, pos)
        if not text.startswith("#", pos):
            return "".join(pieces), pos
        pos += 1


def _group_end(text: str, pos: int, opener: str) -> int:
    """Index of the brace or quote that closes a value opened just before `pos`."""
    depth = 0 if opener == '"' else 1
    for match in (_QUOTE_OR_BRACES if opener == '"' else _BRACES).finditer(text, pos):
        token = match.group()
        if token == '"':
            if depth == 0:
                return match.start()
            continue
        depth += 1 if token == "{" else -1
        if depth == 0 and opener == "{":
            return match.start()
        if depth < 0:
            break
    raise _BibSyntaxError("unterminated value")


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


# ---------------------------------------------------------------- names


def split_names(raw: str) -> list[str]:
    """The names of a BibTeX name list (``author``, ``editor``): split on a bare ``and``
    outside braces, as BibTeX does; ``others`` dropped. Each is still LaTeX."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", raw, re.IGNORECASE):
        token = match.group()
        if token in "{}":
            depth += 1 if token == "{" else -1
        elif depth == 0:
            names.append(raw[start : match.start()])
            start = match.end()
    names.append(raw[start:])
    return [n for n in names if n.strip() and n.strip().lower() != "others"]


def name_to_text(raw: str) -> str:
    """A BibTeX name ("Given Family", "Family, Given", "Family, Jr, Given") as plain text
    in the order HF writes names: "Given Family Jr" (not yet cleaned)."""
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"[{},]", raw):
        token = match.group()
        if token == ",":
            if depth == 0:
                parts.append(raw[start : match.start()])
                start = match.end()
        else:
            depth += 1 if token == "{" else -1
    parts.append(raw[start:])
    if len(parts) == 2:
        parts = [parts[1], parts[0]]
    elif len(parts) >= 3:
        parts = [parts[2], parts[0], parts[1]]
    return " ".join(latex_to_text(p) for p in parts)


# ---------------------------------------------------------------- LaTeX -> text

_COMBINING = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
_ACCENT = re.compile(
    r"""\\(['`^"~=.])\s*(?:\{\s*\\?([A-Za-z])\s*\}|\\?([A-Za-z]))"""
    r"|\\([uvHckr])(?:\s*\{\s*\\?([A-Za-z])\s*\}|\s+\\?([A-Za-z]))"
)
_SYMBOLS = {
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textless": "<",
    "textgreater": ">",
    "textasciicircum": "^",
    "textasciitilde": "~",
    "textbar": "|",
    "textunderscore": "_",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "ldots": "…",
    "dots": "…",
    "textquoteleft": "\u2018",
    "textquoteright": "\u2019",
    "textquotedblleft": "\u201c",
    "textquotedblright": "\u201d",
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "\u0131",
    "j": "\u0237",
}
# Commands that only style their argument: dropped, the argument kept.
_STYLE_COMMANDS = """emph textit textbf texttt textsc textrm textsf textsl textup
    textnormal mathrm mathbf mathit mathsf mathtt mathcal mathbb text mbox url uppercase
    MakeUppercase lowercase MakeLowercase ensuremath bm boldsymbol protect relax"""
_STYLE_ONLY = frozenset(_STYLE_COMMANDS.split())
_COMMAND = re.compile(r"\\([A-Za-z]+)(\s*\{\}|\s*)|\\(.)|[{}$~]", re.DOTALL)
_SPACING = {"\\": " ", ",": " ", ";": " ", ":": " ", "!": "", "-": "", "/": "", "@": ""}


def latex_to_text(value: str) -> str:
    """BibTeX field text as plain Unicode: accents composed, escapes and text symbols
    resolved, styling commands and grouping braces dropped, unknown commands by name."""
    if "\\" not in value and "{" not in value and "$" not in value and "~" not in value:
        return value
    value = _ACCENT.sub(_accent, value)
    return unicodedata.normalize("NFC", _COMMAND.sub(_command, value))


def _accent(match: re.Match[str]) -> str:
    mark = match.group(1) or match.group(4)
    letter = match.group(2) or match.group(3) or match.group(5) or match.group(6)
    return letter + _COMBINING[mark]


def _command(match: re.Match[str]) -> str:
    name, symbol = match.group(1), match.group(3)
    if name is not None:
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        # TeX eats the space after a command word; an unknown one is kept as a word.
        space = " " if match.group(2) and "{" not in match.group(2) else ""
        return "" if name in _STYLE_ONLY else name + space
    if symbol is not None:
        return _SPACING.get(symbol, symbol)
    return " " if match.group() == "~" else ""
