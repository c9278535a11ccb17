"""The inline part of HF's Markdown: links become their label (citations `[[22](…#bib.bib3
"title")]` keep where they are, to jump to the reference), `**` goes, LaTeX becomes Unicode.
No URL from the text survives except as a citation's target; nothing is interpreted."""

from __future__ import annotations

import re

from paperterm.paper.latex import to_unicode
from paperterm.records import Record

# `[label](url "title")`; a label may hold one level of brackets (`[[22](…)]` is a label
# "22" inside literal brackets, which stay).
_LINK = re.compile(
    r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:[ \t]+\"([^\"\n]*)\")?\)"
)
_BIB = re.compile(r"#bib\.bib(\d+)\Z")
_STRONG = re.compile(r"\*\*")


class RawCite(Record, frozen=True):
    start: int
    end: int
    label: str
    title: str
    bib: int | None


class Inline(Record, frozen=True):
    text: str
    cites: tuple[RawCite, ...] = ()


def inline(source: str) -> Inline:
    """`source` as plain text, with the citations in it."""
    parts: list[str] = []
    cites: list[RawCite] = []
    length = 0
    pos = 0
    for match in _LINK.finditer(source):
        before = _plain(source[pos : match.start()])
        parts.append(before)
        length += len(before)
        pos = match.end()
        bang, label, url, title = match.groups()
        shown = "[image]" if bang else (_plain(label) or "link")
        bib = _BIB.search(url)
        if bib and not bang:
            cites.append(
                RawCite(length, length + len(shown), shown, title or "", int(bib.group(1)))
            )
        parts.append(shown)
        length += len(shown)
    parts.append(_plain(source[pos:]))
    return Inline("".join(parts), tuple(cites))


def _plain(text: str) -> str:
    return to_unicode(_STRONG.sub("", text)) if text else text
