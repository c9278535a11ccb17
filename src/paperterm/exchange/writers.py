"""Bookmarks -> BibTeX / RIS / CSL-JSON / Markdown / JSON / CSV text.

Pure functions: a sequence of `Bookmark` in, one `str` out, nothing written anywhere. The
shapes follow what citation managers and arXiv itself emit (docs/export-formats.md); the traps
each format hides (formula injection, BibTeX field injection, live Markdown links, lone
surrogates ...) are docs/hazards.md section E.

Every citation carries the bookmark's pinned key (`paperterm.exchange.keys`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from paperterm.clean import clean_text, replace_surrogates
from paperterm.exchange.formats import ExportFormat
from paperterm.exchange.keys import citation_year, export_keys
from paperterm.exchange.names import split_name
from paperterm.models import Bookmark, Paper

JSON_FORMAT = "paperterm-bookmarks"
JSON_VERSION = 1
NOTE_MAX = 20_000
TAG_MAX = 100

# ---------------------------------------------------------------- text helpers


def _line(text: str) -> str:
    """A one-line field from a cleaned paper string (abstracts keep blank lines)."""
    # str.split() breaks on the same characters as \s, several times faster than re.sub.
    return " ".join(text.split())


def _user_line(text: str) -> str:
    """A one-line field from user text (notes, tags), which ingest has never seen."""
    return " ".join(clean_text(text).split()) if text else ""


def _user_lines(text: str) -> list[str]:
    lines = [" ".join(line.split()) for line in clean_text(text).split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def _finish(text: str) -> str:
    # A lone surrogate would make the caller's UTF-8 write fail half-way (hazards E6).
    return replace_surrogates(text)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- BibTeX

# Every BibTeX/LaTeX special. Braces become text commands, not \{ \}: BibTeX counts an escaped
# brace too, so an unbalanced one would still end the field early (biber #61).
_BIBTEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
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


def bibtex_escape(text: str) -> str:
    """`text` as the inside of a braced BibTeX field: one line, no live LaTeX."""
    return _line(text).translate(_BIBTEX_ESCAPES)


def _bibtex_name(name: str) -> str:
    escaped = bibtex_escape(name)
    words = name.lower().split()
    # BibTeX splits the author list on a bare "and", reads a comma as "Family, Given" and
    # "others" as et al.; braces keep such a name whole.
    if "and" in words or "," in name or name.strip().lower() == "others":
        return "{" + escaped + "}"
    return escaped


def to_bibtex(bookmarks: Sequence[Bookmark]) -> str:
    """arXiv's own ``@misc`` shape, one entry per bookmark, pinned keys."""
    entries = [
        _bibtex_entry(b.paper, key)
        for b, key in zip(bookmarks, export_keys(bookmarks), strict=True)
    ]
    return _finish("".join(entry + "\n\n" for entry in entries))


def _bibtex_entry(paper: Paper, key: str) -> str:
    # Field order and whitespace as arxiv-browse writes them, trailing spaces included.
    # primaryClass is left out: the HF API does not say which category is primary.
    lines = [f"@misc{{{key},", f"      title={{{bibtex_escape(paper.title)}}}, "]
    if paper.authors:
        names = [_bibtex_name(a) for a in paper.authors]
        if paper.authors_total > len(paper.authors):
            names.append("others")
        lines.append(f"      author={{{' and '.join(names)}}},")
    lines += [
        f"      year={{{citation_year(paper)}}},",
        f"      eprint={{{paper.id}}},",
        "      archivePrefix={arXiv},",
        f"      url={{{paper.arxiv_url}}}, ",
        "}",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- RIS


def to_ris(bookmarks: Sequence[Bookmark]) -> str:
    """``TY  - GEN`` records, one ``AU`` per author, CR LF line ends, UTF-8 text."""
    return _finish("".join(_ris_record(b) for b in bookmarks))


def _ris_record(bookmark: Bookmark) -> str:
    paper = bookmark.paper
    tags: list[tuple[str, str]] = [("TY", "GEN"), ("TI", _line(paper.title))]
    tags += [("AU", _ris_name(a)) for a in paper.authors]
    tags.append(("PY", str(citation_year(paper))))
    if paper.published is not None:
        tags.append(("DA", paper.published.strftime("%Y/%m/%d")))
    tags.append(("AB", _line(paper.abstract)))
    tags += [("KW", _line(k)) for k in paper.ai_keywords]
    tags += [
        ("UR", paper.arxiv_url),
        ("DO", f"10.48550/arXiv.{paper.id}"),
        ("DB", "arXiv"),
        ("N1", f"arXiv:{paper.id}"),
        ("N1", _user_line(bookmark.note)),
    ]
    # No blank line inside a record: empty values are left out, not written empty.
    body = "".join(f"{tag}  - {value}\r\n" for tag, value in tags if value)
    return body + "ER  - \r\n\r\n"


def _ris_name(name: str) -> str:
    split = split_name(name)
    if split is None:
        return _line(name)
    given, family, suffix = split
    return f"{family}, {given}, {suffix}" if suffix else f"{family}, {given}"


# ---------------------------------------------------------------- CSL-JSON


def to_csl_json(bookmarks: Sequence[Bookmark]) -> str:
    """An array of CSL ``article`` items (CSL's type for preprints), valid against
    citation-style-language/schema csl-data.json."""
    # One item per line, as in `to_json`: indent= would make this the slowest export.
    rows = ",\n".join(
        json.dumps(_csl_item(b, key), ensure_ascii=False)
        for b, key in zip(bookmarks, export_keys(bookmarks), strict=True)
    )
    return _finish(f"[\n{rows}\n]\n" if rows else "[]\n")


def _csl_item(bookmark: Bookmark, key: str) -> dict[str, Any]:
    paper = bookmark.paper
    item: dict[str, Any] = {
        "id": key,
        "citation-key": key,
        "type": "article",
        "title": _line(paper.title),
        "author": [_csl_name(a) for a in paper.authors],
        "issued": {"date-parts": [_date_parts(paper)]},
        "publisher": "arXiv",
        "number": f"arXiv:{paper.id}",
        "DOI": f"10.48550/arXiv.{paper.id}",
        "URL": paper.arxiv_url,
    }
    if paper.abstract:
        item["abstract"] = paper.abstract
    if paper.ai_keywords:
        item["keyword"] = ", ".join(_line(k) for k in paper.ai_keywords)
    note = "\n".join(_user_lines(bookmark.note))
    if note:
        item["note"] = note
    return item


def _csl_name(name: str) -> dict[str, str]:
    split = split_name(name)
    if split is None:
        return {"literal": _line(name)}
    given, family, suffix = split
    return {"family": family, "given": given, **({"suffix": suffix} if suffix else {})}


def _date_parts(paper: Paper) -> list[int]:
    day = paper.published
    return [day.year, day.month, day.day] if day else [citation_year(paper)]


# ---------------------------------------------------------------- Markdown

# CommonMark punctuation that can start markup mid-line: emphasis, code, links, raw HTML,
# entities, tables, strikethrough, math; '@' stops GFM's e-mail (mailto:) autolinks.
_MARKDOWN_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~&$@"})
# At the start of a note line these would open a heading, a list or a setext underline.
_MARKDOWN_LINE_START = re.compile(r"^(\d*)([#+=.)-])")


def markdown_escape(text: str) -> str:
    """`text` as literal Markdown text: no HTML, no link, no emphasis survives."""
    return text.translate(_MARKDOWN_ESCAPES)


def to_markdown(bookmarks: Sequence[Bookmark]) -> str:
    """A reading list: one item per bookmark, the note as an indented quote below it."""
    return _finish("".join(_markdown_item(b) for b in bookmarks))


def _markdown_item(bookmark: Bookmark) -> str:
    paper = bookmark.paper
    byline = f"{citation_year(paper)}"
    if paper.authors:
        more = " et al." if paper.authors_total > 1 else ""
        byline = f"{markdown_escape(_line(paper.authors[0]))}{more}, {byline}"
    parts = [
        f"- [{markdown_escape(_line(paper.title))}]({paper.url}) — {byline}",
        f"arXiv:{paper.id}",
        f"▲{paper.upvotes}",
    ]
    if paper.stars is not None:
        parts.append(f"★{paper.stars}")
    tags = [markdown_escape(t) for t in (_user_line(t) for t in bookmark.tags) if t]
    if tags:
        parts.append("tags: " + ", ".join(tags))
    lines = [" · ".join(parts)]
    for line in _user_lines(bookmark.note):
        escaped = _MARKDOWN_LINE_START.sub(r"\1\\\2", markdown_escape(line))
        lines.append(f"  > {escaped}" if escaped else "  >")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- JSON (backup)


def bookmark_to_json(bookmark: Bookmark) -> dict[str, Any]:
    """One bookmark as paperterm's JSON backup stores it; `importer.import_json` reads it."""
    return {
        "paper": bookmark.paper.to_json(),
        "added_at": _iso(bookmark.added_at),
        "tags": list(bookmark.tags),
        "note": bookmark.note,
        "cite_key": bookmark.cite_key,
        "incomplete": bookmark.incomplete,
        "extra": bookmark.extra,
    }


def to_json(bookmarks: Sequence[Bookmark]) -> str:
    """The full-fidelity backup: every paper field, tags, notes, pinned keys, a version."""
    # One bookmark per line: C-speed encoding (indent= falls back to pure Python) and diffs
    # that show which bookmark changed.
    rows = ",\n".join(
        json.dumps(bookmark_to_json(b), ensure_ascii=False, default=_json_default)
        for b in bookmarks
    )
    head = f'{{"format": "{JSON_FORMAT}", "version": {JSON_VERSION}, "bookmarks": ['
    return _finish(f"{head}\n{rows}\n]}}\n" if rows else f"{head}]}}\n")


def _json_default(value: object) -> str:
    # `extra` comes from the TOML state file, which has native dates and times.
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__} value")


# ---------------------------------------------------------------- CSV

CSV_COLUMNS = (
    "id",
    "title",
    "authors",
    "year",
    "published",
    "url",
    "arxiv_url",
    "upvotes",
    "stars",
    "github",
    "project_page",
    "tags",
    "note",
    "added_at",
    "cite_key",
)
# Cells a spreadsheet would run as a formula (OWASP CSV injection; full-width forms too,
# which some spreadsheets normalise). Tab and CR cannot occur: whitespace is collapsed.
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")


def _defuse(cell: str) -> str:
    return "'" + cell if cell[:1] in _FORMULA_START else cell


def to_csv(bookmarks: Sequence[Bookmark]) -> str:
    """A header row and one row per bookmark (RFC 4180, CR LF)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for bookmark, key in zip(bookmarks, export_keys(bookmarks), strict=True):
        writer.writerow([_defuse(v) for v in _csv_row(bookmark, key)])
    return _finish(out.getvalue())


def _csv_row(bookmark: Bookmark, key: str) -> list[str]:
    paper = bookmark.paper
    return [
        paper.id,
        _line(paper.title),
        "; ".join(_line(a) for a in paper.authors),
        str(citation_year(paper)),
        paper.published.isoformat() if paper.published else "",
        paper.url,
        paper.arxiv_url,
        str(paper.upvotes),
        "" if paper.stars is None else str(paper.stars),
        paper.github or "",
        paper.project_page or "",
        "; ".join(_user_line(t) for t in bookmark.tags),
        _user_line(bookmark.note),
        _iso(bookmark.added_at),
        key,
    ]


# ---------------------------------------------------------------- dispatch

EXPORTERS: dict[ExportFormat, Callable[[Sequence[Bookmark]], str]] = {
    "bibtex": to_bibtex,
    "ris": to_ris,
    "csl-json": to_csl_json,
    "markdown": to_markdown,
    "json": to_json,
    "csv": to_csv,
}


def export(bookmarks: Sequence[Bookmark], fmt: ExportFormat) -> str:
    """`bookmarks` in format `fmt`; an empty sequence gives a valid empty document."""
    return EXPORTERS[fmt](bookmarks)
