r"""Untrusted text made safe once: what every text from the feed or an imported file goes through.

Everything downstream — caches, the state file, exports, the screen — sees only what leaves
here (docs/hazards.md A7-A14):

* terminal escape sequences (CSI, OSC, DCS ...), C0/C1 controls, DEL and NUL removed;
* bidi overrides/isolates and zero-width characters removed (ZWJ/ZWNJ kept), NFC;
* lone UTF-16 surrogates replaced by U+FFFD, so later UTF-8 writes cannot fail;
* one-line fields have every run of whitespace (hard wraps included) made one space, and
  abstracts keep their paragraphs (an indented line starts one, as on arXiv);
* lengths capped and marked with "…";
* in titles, the TeX escapes arXiv keeps (``\&``, ``\$``, ``\%``, ``\_``, ``\#``) made the
  characters they stand for (`unescape_tex`); exports escape them again where a format needs it.

The text is still *untrusted*: the UI renders it literally, never as markup.
"""

from __future__ import annotations

import re
import unicodedata

TITLE_MAX = 500
ABSTRACT_MAX = 20_000
NAME_MAX = 200
AUTHORS_MAX = 1_000
KEYWORDS_MAX = 50
SUMMARY_MAX = 2_000
ELLIPSIS = "…"

SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPE_SEQUENCE = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?                      # CSI
    | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC, ended by BEL or ST (or never)
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?        # DCS, SOS, PM, APC strings
    | \x1b.?                                        # any other escape
    | \x9b[0-?]*[ -/]*[@-~]?                        # C1 CSI
    | [\x90\x98\x9d\x9e\x9f][^\x07\x9c]*(?:\x07|\x9c)?  # C1 string introducers
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls but TAB and LF, DEL, C1; bidi embeddings, overrides, isolates and marks;
# zero-width space, word joiner, invisible operators, BOM, Mongolian vowel separator.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\u180e]"
)
_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_WHITESPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*|\n[ \t]+")
# A backslash before one of these (or a space: TeX's control space), itself not escaped
# ("\\&" is a line break and an "&").
_TEX_ESCAPE = re.compile(r"(?<!\\)\\([&$%_# ])")


def clean_text(value: str) -> str:
    """Remove what must never reach a terminal or a file; keep TAB and LF for the caller."""
    value = replace_surrogates(value)
    value = _LINE_BREAK.sub("\n", value)
    value = _ESCAPE_SEQUENCE.sub("", value)
    value = _INVISIBLE.sub("", value)
    return unicodedata.normalize("NFC", value)


def clean_line(value: str, limit: int = TITLE_MAX) -> str:
    """A one-line field: cleaned, every run of whitespace (wraps included) one space, capped."""
    return cap(_WHITESPACE.sub(" ", clean_text(value)).strip(), limit)


def clean_abstract(value: str, limit: int = ABSTRACT_MAX) -> str:
    """An abstract: hard wraps undone, paragraphs kept and separated by a blank line."""
    paragraphs = _PARAGRAPH_BREAK.split(clean_text(value).strip())
    text = "\n\n".join(p for p in (_WHITESPACE.sub(" ", p).strip() for p in paragraphs) if p)
    return cap(text, limit)


def unescape_tex(text: str) -> str:
    r"""`text` with ``\&``, ``\$``, ``\%``, ``\_``, ``\#`` and ``\ `` as the characters they
    stand for (arXiv titles keep their TeX source: "Prefill \& Decode"); other LaTeX is left
    as it is."""
    return _TEX_ESCAPE.sub(r"\1", text) if "\\" in text else text


def replace_surrogates(text: str) -> str:
    """`text` with every lone UTF-16 surrogate replaced by U+FFFD (UTF-8 cannot encode one)."""
    if text.isascii() or not SURROGATE.search(text):
        return text
    return SURROGATE.sub("\ufffd", text)


def cap(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the cut marked with "…"."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def count(value: object) -> int | None:
    """A non-negative integer from untrusted data (capped), or None (bools are not counts)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return min(value, 10**12)
