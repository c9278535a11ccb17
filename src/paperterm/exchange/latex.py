r"""LaTeX in BibTeX fields, both ways: field text to plain Unicode (import), and plain text to
the inside of a braced field (export).

Decoding is pylatexenc's, the library bibtexparser itself uses, loaded with the first field
that needs it: paperterm starts without it, and plain words or grouping braces never reach it.
Its gaps that matter in citations are filled here (``\textless``, ``\par``, ``\TeX``, ``\href``
...). It is fed untrusted text, so whatever it cannot parse falls back to dropping the markup,
never to a failed import.

Encoding writes every special so that BibTeX, biber, pandoc and pylatexenc all read back the
text we meant (docs/hazards.md E2, E3; docs/export-formats.md): braces as ``\{ \}``, which all
of them read, except that BibTeX counts an escaped brace too (biber #61), so a brace without a
partner carries an invisible one (``\{\vphantom{\}}``, Zotero's form) and the field still ends
where it should; a backslash as ``\textbackslash{}``, so no command in a title ever runs; and
``{}`` inside ``--``, ``''``, ``````, ``!``` and ``?``` so they stay the characters they were
rather than becoming dashes and curly quotes.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable

# Something LaTeX makes into other text than itself (grouping braces aside): commands, math,
# specials, ties and the ligatures of dashes and quotes.
_NEEDS_LATEX = re.compile(r"[\\$%&~^_#`]|--|''")
# A raw % would start a comment and a raw & an alignment: in a field, both mean themselves.
_RAW_SPECIAL = re.compile(r"(?<!\\)([%&])")
_ANY_MARKUP = re.compile(r"\\(?:[A-Za-z]+\s*|(.))|[{}$]", re.DOTALL)
# Text for commands pylatexenc drops, gets wrong, or cannot parse (its \href crashes).
_TEXT_MACROS = {
    "textless": "<",
    "textgreater": ">",
    "textasciicircum": "^",
    "textasciitilde": "~",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textbar": "|",
    "textunderscore": "_",
    "textperiodcentered": "\u00b7",
    "par": "\n\n",
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX",
    "XeTeX": "XeTeX",
    "LuaTeX": "LuaTeX",
    "url": "%(1)s",
    "href": "%(2)s",
}
_ARGUMENTS = {"url": "{", "href": "{{"}


def latex_to_text(value: str) -> str:
    """BibTeX field text as plain Unicode: accents composed, symbols and math resolved,
    styling commands and grouping braces dropped, unknown commands dropped with their name."""
    if not _NEEDS_LATEX.search(value):
        return value.replace("{", "").replace("}", "") if "{" in value or "}" in value else value
    return _decode(value)


@functools.lru_cache(maxsize=4096)
def _decode(value: str) -> str:
    value = _RAW_SPECIAL.sub(r"\\\1", value)
    try:
        text = _converter()(value)
    # A third-party parser on untrusted text: whatever it raises, the markup is dropped instead.
    except Exception:
        text = _ANY_MARKUP.sub(lambda m: m.group(1) or "", value)
    return unicodedata.normalize("NFC", text)


@functools.cache
def _converter() -> Callable[[str], str]:
    from pylatexenc import latexwalker, macrospec
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    # pylatexenc reports what it cannot read through logging; the fallback above handles it.
    logging.getLogger("pylatexenc").addHandler(logging.NullHandler())
    logging.getLogger("pylatexenc").propagate = False
    parsing = latexwalker.get_default_latex_context_db()
    parsing.add_context_category(
        "paperterm",
        prepend=True,
        macros=[macrospec.MacroSpec(name, args) for name, args in _ARGUMENTS.items()],
    )
    texts = get_default_latex_context_db()
    texts.add_context_category(
        "paperterm",
        prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=text) for name, text in _TEXT_MACROS.items()],
    )
    to_text = LatexNodes2Text(latex_context=texts)

    def convert(value: str) -> str:
        walker = latexwalker.LatexWalker(value, latex_context=parsing, tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes()
        return str(to_text.nodelist_to_text(nodes))

    return convert


# ---------------------------------------------------------------- plain text -> BibTeX

_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "%": r"\%",
        "&": r"\&",
        "#": r"\#",
        "_": r"\_",
        "$": r"\$",
        "^": r"\textasciicircum{}",
        "~": r"\textasciitilde{}",
        "<": r"\textless{}",
        ">": r"\textgreater{}",
    }
)
_SPECIALS = re.compile(r"[\\%&#_$^~<>{}]|--|''|``|[!?]`")
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=')(?=')|(?<=`)(?=`)|(?<=[!?])(?=`)")
_BRACE = re.compile(r"([{}])")
_LONE_OPEN = r"\{\vphantom{\}}"
_LONE_CLOSE = r"\vphantom{\{}\}"


def bibtex_escape(text: str) -> str:
    """`text` as the inside of a braced BibTeX field: one line, no live LaTeX, read back as
    `text` by BibTeX, biber, pandoc, pylatexenc and `latex_to_text`."""
    text = " ".join(text.split())
    if not _SPECIALS.search(text):
        return text
    if "{" not in text and "}" not in text:
        return _escape_run(text)
    out: list[str] = []
    opened: list[int] = []  # where in `out` each brace still waiting for its partner is
    for piece in _BRACE.split(text):
        if piece == "{":
            opened.append(len(out))
            out.append(_LONE_OPEN)
        elif piece == "}":
            if opened:
                out[opened.pop()] = r"\{"
                out.append(r"\}")
            else:
                out.append(_LONE_CLOSE)
        else:
            out.append(_escape_run(piece))
    return "".join(out)


def bibtex_title(text: str) -> str:
    """`bibtex_escape(text)` with each word that has a capital after its first character
    braced ("{R\\&B}", "{DINO-WM}:", "{LLMs}"), as Better BibTeX does: BibTeX styles lowercase
    titles and pandoc makes them sentence case ("R&b", "x-men"), but never inside braces."""
    escaped = bibtex_escape(text)
    words = " ".join(text.split()).split(" ")
    if not any(map(_later_capital, words)):
        return escaped
    return " ".join(
        f"{{{out}}}" if _later_capital(word) and _balanced(out) else out
        for word, out in zip(words, escaped.split(" "), strict=True)
    )


def _later_capital(word: str) -> bool:
    rest = word[1:]
    return rest != rest.lower()  # in C, where a loop over the characters is not


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth < 0:
            return False
    return depth == 0


def _escape_run(text: str) -> str:
    return _LIGATURE.sub("{}", text.translate(_ESCAPES))
