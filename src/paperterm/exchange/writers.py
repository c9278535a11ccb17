"""Bookmarks -> BibTeX / RIS / CSL-JSON / Markdown / JSON / CSV text.

Pure functions: a sequence of `Bookmark` in, one `str` out, nothing written anywhere. The
shapes follow what citation managers and arXiv itself emit (docs/export-formats.md); the traps
each format hides (formula injection, BibTeX field injection, live Markdown links, lone
surrogates ...) are docs/hazards.md section E. The citation formats live with their readers
(`.bibtex`, `.ris`, `.csl`); the reading list, the backup and the table are here.

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

from paperterm.exchange.bibtex import to_bibtex
from paperterm.exchange.csl import to_csl_json
from paperterm.exchange.formats import ExportFormat
from paperterm.exchange.keys import cited_date, export_keys
from paperterm.exchange.latex import bibtex_escape
from paperterm.exchange.ris import to_ris
from paperterm.exchange.text import NOTE_MAX, TAG_MAX, finish, line, user_line, user_lines
from paperterm.models import Bookmark

__all__ = [
    "CSV_COLUMNS",
    "JSON_FORMAT",
    "JSON_VERSION",
    "NOTE_MAX",
    "TAG_MAX",
    "bibtex_escape",
    "export",
    "to_bibtex",
    "to_csl_json",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_ris",
]

JSON_FORMAT = "paperterm-bookmarks"
JSON_VERSION = 1


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


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
    return finish("".join(_markdown_item(b) for b in bookmarks))


def _markdown_item(bookmark: Bookmark) -> str:
    paper = bookmark.paper
    byline = f"{cited_date(bookmark)[0]}"
    if paper.authors:
        more = " et al." if paper.authors_total > 1 else ""
        byline = f"{markdown_escape(line(paper.authors[0]))}{more}, {byline}"
    parts = [
        f"- [{markdown_escape(line(paper.title))}]({paper.url}) — {byline}",
        f"arXiv:{paper.id}",
        f"▲{paper.upvotes}",
    ]
    if paper.stars is not None:
        parts.append(f"★{paper.stars}")
    tags = [markdown_escape(t) for t in (user_line(t) for t in bookmark.tags) if t]
    if tags:
        parts.append("tags: " + ", ".join(tags))
    lines = [" · ".join(parts)]
    for note_line in user_lines(bookmark.note):
        escaped = _MARKDOWN_LINE_START.sub(r"\1\\\2", markdown_escape(note_line))
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
    return finish(f"{head}\n{rows}\n]}}\n" if rows else f"{head}]}}\n")


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
    return finish(out.getvalue())


def _csv_row(bookmark: Bookmark, key: str) -> list[str]:
    paper = bookmark.paper
    return [
        # "arXiv:2405.17430", not the bare id, which spreadsheets and pandas read as the number
        # 2405.1743: a prefix is text to every reader, where a "text" hint is the program's own.
        f"arXiv:{paper.id}",
        line(paper.title),
        "; ".join(line(a) for a in paper.authors),
        str(cited_date(bookmark)[0]),
        paper.published.isoformat() if paper.published else "",
        paper.url,
        paper.arxiv_url,
        str(paper.upvotes),
        "" if paper.stars is None else str(paper.stars),
        paper.github or "",
        paper.project_page or "",
        "; ".join(user_line(t) for t in bookmark.tags),
        user_line(bookmark.note),
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
