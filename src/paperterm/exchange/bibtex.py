"""BibTeX both ways: bookmarks to arXiv's own ``@misc`` entries, and BibTeX files to the
bookmarks their entries with an arXiv id stand for.

The reader is a small parser of our own. BibTeX's grammar (braces, quotes, ``#`` and
``@string`` macros) is simple, and measured on 119 real files (14,000 entries: TeX Live's
bibliographies, pybtex's and bibtexparser's test files) it reads everything bibtexparser 2.1
reads and more: entries with a repeated field (BibTeX keeps the first), ``@type(`` on its own
line, macros joined with ``#``, a quote inside braces in a quoted value. Bad input never
raises: an entry that cannot be read is reported, and parsing goes on at the next ``@``. The
LaTeX inside fields is `paperterm.exchange.latex`'s, the names `paperterm.exchange.names`'.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from paperterm.exchange.fields import SkipEntry
from paperterm.exchange.keys import cited_date, export_keys
from paperterm.exchange.latex import bibtex_title, latex_to_text
from paperterm.exchange.names import author_names, bibtex_name, parse_bibtex_name
from paperterm.exchange.records import cited_bookmark, date_parts, find_arxiv_id, month_number
from paperterm.exchange.text import finish
from paperterm.models import Bookmark
from paperterm.records import Record

__all__ = ["BibEntry", "latex_to_text", "parse_bibtex", "split_names", "to_bibtex"]


class BibEntry(Record, frozen=True):
    """One BibTeX entry: lower-case type and field names, raw (still LaTeX) field values."""

    kind: str
    key: str
    fields: dict[str, str]


# ---------------------------------------------------------------- BibTeX syntax

_ENTRY_HEAD = re.compile(r"@\s*([A-Za-z][\w-]*)\s*([{(])")
_ENTRY_KEY = re.compile(r"\s*([^\s,{}()]*)\s*([,})])")
_IDENTIFIER = r"[^\s\"#%'(),={}0-9][^\s\"#%'(),={}]*"
_FIELD_NAME = re.compile(rf"\s*({_IDENTIFIER})\s*=\s*")
_NUMBER_OR_MACRO = re.compile(rf"(\d+)|({_IDENTIFIER})")
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
    if key.group(2) != ",":  # an entry with a key and no fields
        return (BibEntry(kind, key.group(1), {}) if key.group(1) else None), key.end()
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
    return [n for n in _name_list(raw) if n.strip().lower() != "others"]


def _name_list(raw: str) -> list[str]:
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", raw, re.IGNORECASE):
        token = match.group()
        if token in "{}":
            depth += 1 if token == "{" else -1
        elif depth == 0:
            names.append(raw[start : match.start()])
            start = match.end()
    names.append(raw[start:])
    return [n for n in names if n.strip()]


def name_to_text(raw: str) -> str:
    """A BibTeX name ("Given Family", "Family, Given", "Family, Jr, Given") as plain text
    in the order HF writes names: "Given Family Jr"."""
    return parse_bibtex_name(raw).text


# ---------------------------------------------------------------- entries -> bookmarks

# Where an entry may say which arXiv paper it is, in the order they are trusted; dblp writes
# the arXiv page as `ee`. These are not decoded as LaTeX: URLs and ids are verbatim.
_ID_FIELDS = (
    "eprint", "arxivid", "arxiv", "doi", "url", "ee", "number", "journal", "note",
    "howpublished",
)  # fmt: skip


def bookmark_from_entry(entry: BibEntry, now: dt.datetime) -> Bookmark:
    """The bookmark an entry stands for (arXiv's, Zotero's, Google Scholar's, dblp's,
    biblatex ``eprinttype``, Mendeley ``arxivid`` ...); raises `SkipEntry` without an id."""
    raw = entry.fields
    verbatim = {k: raw.get(k, "").replace("{", "").replace("}", "") for k in _ID_FIELDS}
    prefix = latex_to_text(raw.get("archiveprefix") or raw.get("eprinttype") or "arxiv")
    bare = (
        ("eprint", "arxivid", "arxiv")
        if prefix.strip().lower() == "arxiv"
        else ("arxivid", "arxiv")
    )
    paper_id = find_arxiv_id(verbatim, bare=bare)
    if paper_id is None:  # before any LaTeX is decoded: most of a real library has no id
        raise SkipEntry("no new-style arXiv id")
    names = _name_list(raw.get("author", ""))
    return cited_bookmark(
        paper_id,
        latex_to_text(raw.get("title", "")),
        [parse_bibtex_name(n) for n in names if n.strip().lower() != "others"],
        abstract=latex_to_text(raw.get("abstract", "")),
        issued=_issued(raw),
        note=latex_to_text(raw.get("annote") or raw.get("note", "")),
        key=entry.key,
        now=now,
        more_authors=any(n.strip().lower() == "others" for n in names),
    )


def _issued(fields: dict[str, str]) -> list[int] | None:
    """The entry's date: biblatex ``date``, else BibTeX ``year`` (and ``month``, ``day``)."""
    if fields.get("date", "").strip():
        return date_parts(latex_to_text(fields["date"]))
    year = re.match(r"\s*(\d{4})\b", latex_to_text(fields.get("year", "")))
    if year is None:
        return None
    month = month_number(latex_to_text(fields.get("month", "")))
    if month is None:
        return [int(year.group(1))]
    day = latex_to_text(fields.get("day", "")).strip()
    parts = date_parts(
        f"{year.group(1)}-{month}-{day}" if day.isdigit() else f"{year.group(1)}-{month}"
    )
    return parts


# ---------------------------------------------------------------- bookmarks -> BibTeX


def to_bibtex(bookmarks: Sequence[Bookmark]) -> str:
    """arXiv's own ``@misc`` shape, one entry per bookmark, pinned keys."""
    entries = [
        _bibtex_entry(b, key) for b, key in zip(bookmarks, export_keys(bookmarks), strict=True)
    ]
    return finish("".join(entry + "\n\n" for entry in entries))


def _bibtex_entry(bookmark: Bookmark, key: str) -> str:
    # Field order and whitespace as arxiv-browse writes them, trailing spaces included.
    # primaryClass is left out: the HF API does not say which category is primary.
    paper = bookmark.paper
    lines = [f"@misc{{{key},", f"      title={{{bibtex_title(paper.title)}}}, "]
    if paper.authors:
        names = [bibtex_name(n) for n in author_names(bookmark)]
        if paper.authors_total > len(paper.authors):
            names.append("others")
        lines.append(f"      author={{{' and '.join(names)}}},")
    lines += [
        f"      year={{{cited_date(bookmark)[0]}}},",
        f"      eprint={{{paper.id}}},",
        "      archivePrefix={arXiv},",
        f"      url={{{paper.arxiv_url}}}, ",
        "}",
    ]
    return "\n".join(lines)
