"""Exported files -> bookmarks: paperterm JSON, BibTeX, RIS and CSL-JSON, told apart by
their structure or named by the caller.

Pure functions over text. Every file is untrusted, our own backups included: its fields are
cleaned by `paperterm.exchange.fields` (strings as ingest cleans feed text, ids validated), and
only http(s) URLs are kept. An entry that cannot become a bookmark (no new-style arXiv id,
broken syntax) is skipped with a reason, never fatal to the rest of the file. Each citation
format's module (`.bibtex`, `.ris`, `.csl`) reads its syntax and says what an entry of it
becomes; this module tells the formats apart and collects. The merge into the state is
`paperterm.exchange.merge`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from paperterm.clean import AUTHORS_MAX, KEYWORDS_MAX, NAME_MAX, SUMMARY_MAX, TITLE_MAX, count
from paperterm.exchange.bibtex import bookmark_from_entry, parse_bibtex
from paperterm.exchange.csl import bookmark_from_csl
from paperterm.exchange.fields import (
    SkipEntry,
    abstract_field,
    clean_extra,
    clean_note,
    clean_tags,
    date_field,
    datetime_field,
    line_field,
    list_field,
    paper_id_field,
    unique_lines,
)
from paperterm.exchange.formats import ImportFormat
from paperterm.exchange.keys import is_valid_cite_key
from paperterm.exchange.ris import RIS_START, bookmark_from_ris, parse_ris
from paperterm.exchange.writers import JSON_FORMAT, JSON_VERSION
from paperterm.links import safe_url
from paperterm.models import Bookmark, Paper
from paperterm.records import Record

REASONS_MAX = 20


class ImportFormatError(ValueError):
    """A file that is none of the formats paperterm reads, or a newer paperterm's backup."""


class ImportResult(Record, frozen=True):
    """The bookmarks read from a file, in file order, one per paper, and what was skipped."""

    format: ImportFormat
    bookmarks: tuple[Bookmark, ...]
    skipped: int = 0
    reasons: tuple[str, ...] = ()  # the first REASONS_MAX of them


_T = TypeVar("_T")


@dataclass(slots=True)
class _Collector:
    """Bookmarks read so far (first of each id wins) and the skipped entries."""

    format: ImportFormat
    bookmarks: dict[str, Bookmark] = field(default_factory=dict)
    skipped: int = 0
    reasons: list[str] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        self.skipped += 1
        if len(self.reasons) < REASONS_MAX:
            self.reasons.append(reason)

    def add(
        self, where: str, make: Callable[[_T, dt.datetime], Bookmark], source: _T, now: dt.datetime
    ) -> None:
        try:
            bookmark = make(source, now)
        except SkipEntry as exc:
            self.skip(f"{where}: {exc}")
            return
        if bookmark.id in self.bookmarks:
            self.skip(f"{where}: {bookmark.id} appears earlier in the file")
        else:
            self.bookmarks[bookmark.id] = bookmark

    def result(self) -> ImportResult:
        return ImportResult(
            self.format, tuple(self.bookmarks.values()), self.skipped, tuple(self.reasons)
        )


# A BibTeX entry's head: "@type{key," or "@type(key," (a "@" in prose is not one).
_BIBTEX_ENTRY = re.compile(r"@\s*[A-Za-z][\w-]*\s*[{(]\s*[^\s,{}()]*\s*,")


def import_text(text: str, *, now: dt.datetime, fmt: ImportFormat | None = None) -> ImportResult:
    """Read a file in format `fmt`, or when None in the format its structure shows: JSON (a
    paperterm backup is an object with a "format"), RIS (its first tag is ``TY  -``), BibTeX
    (entries ``@type{key,``). `now` is the ``added_at`` of bookmarks whose file does not say
    when they were added."""
    body = text.lstrip("\ufeff \t\r\n")
    if fmt is None and body.startswith(("{", "[")):
        data = _load_json(body)
        if isinstance(data, dict) and "format" in data:
            return _import_json_data(data, now)
        return _import_csl_data(data, now)
    if fmt is None:
        fmt = _detect(body)
    if fmt == "bibtex":
        return import_bibtex(text, now=now)
    if fmt == "ris":
        return import_ris(text, now=now)
    data = _load_json(body)
    return _import_json_data(data, now) if fmt == "json" else _import_csl_data(data, now)


def _detect(body: str) -> ImportFormat:
    if RIS_START.match(body):
        return "ris"
    if _BIBTEX_ENTRY.search(body):
        return "bibtex"
    raise ImportFormatError("not a paperterm JSON, CSL-JSON, RIS or BibTeX file")


# ---------------------------------------------------------------- paperterm JSON


def import_json(text: str, *, now: dt.datetime) -> ImportResult:
    """Read a backup written by `export.to_json` (exact round trip for clean data)."""
    return _import_json_data(_load_json(text), now)


def _import_json_data(data: object, now: dt.datetime) -> ImportResult:
    if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
        raise ImportFormatError('not a paperterm bookmarks file (no "format" field)')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportFormatError(f"bad format version {str(version)[:20]!r}")
    if version > JSON_VERSION:
        raise ImportFormatError(f"written by a newer paperterm (format version {version})")
    rows = data.get("bookmarks")
    if not isinstance(rows, list):
        raise ImportFormatError('"bookmarks" is not a list')
    out = _Collector("json")
    for number, row in enumerate(rows, 1):
        out.add(f"bookmark {number}", _bookmark_from_json, row, now)
    return out.result()


def _load_json(text: str) -> Any:
    try:
        return json.loads(text.lstrip("\ufeff"))
    except ValueError as exc:
        raise ImportFormatError(f"not valid JSON: {exc}") from None
    except RecursionError:  # "[[[[…" nested deeper than the json module can follow
        raise ImportFormatError("not valid JSON: nested too deeply") from None


def _bookmark_from_json(row: object, now: dt.datetime) -> Bookmark:
    if not isinstance(row, dict):
        raise SkipEntry("not an object")
    key = row.get("cite_key")
    incomplete = row.get("incomplete") is True
    return Bookmark(
        paper=_paper_from_json(row.get("paper"), incomplete=incomplete),
        added_at=datetime_field(row.get("added_at")) or now,
        tags=clean_tags(row.get("tags")),
        note=clean_note(row.get("note")),
        cite_key=key if isinstance(key, str) and is_valid_cite_key(key) else None,
        incomplete=incomplete,
        extra=clean_extra(row.get("extra")),
    )


def _paper_from_json(data: object, *, incomplete: bool = False) -> Paper:
    if not isinstance(data, dict):
        raise SkipEntry("no paper object")
    paper_id = paper_id_field(data.get("id"))
    authors = tuple(
        a for a in (line_field(x, NAME_MAX) for x in list_field(data.get("authors"))) if a
    )
    authors = authors[:AUTHORS_MAX]
    authors_total = count(data.get("author_count")) or 0
    return Paper(
        id=paper_id,
        # A bookmark stored offline has no title yet, and must read back exactly so.
        title=line_field(data.get("title"), TITLE_MAX)
        or ("" if incomplete else f"(untitled {paper_id})"),
        authors=authors,
        abstract=abstract_field(data.get("abstract")),
        upvotes=count(data.get("upvotes")) or 0,
        comments=count(data.get("comments")) or 0,
        feed_day=date_field(data.get("feed_day")),
        published=date_field(data.get("published")),
        github=safe_url(data.get("github")),
        stars=count(data.get("stars")),
        project_page=safe_url(data.get("project_page")),
        ai_summary=line_field(data.get("ai_summary"), SUMMARY_MAX) or None,
        ai_keywords=unique_lines(data.get("ai_keywords"), NAME_MAX)[:KEYWORDS_MAX],
        organization=line_field(data.get("organization"), NAME_MAX) or None,
        submitter=line_field(data.get("submitter"), NAME_MAX) or None,
        fetched_at=datetime_field(data.get("fetched_at")),
        author_count=max(authors_total, len(authors)),
    )


# ---------------------------------------------------------------- CSL-JSON


def import_csl_json(text: str, *, now: dt.datetime) -> ImportResult:
    """Read the CSL-JSON items that carry an arXiv id (ours, Zotero's, citation.js ...)."""
    return _import_csl_data(_load_json(text), now)


def _import_csl_data(data: object, now: dt.datetime) -> ImportResult:
    items = data if isinstance(data, list) else [data]
    out = _Collector("csl-json")
    for number, item in enumerate(items, 1):
        out.add(f"item {number}", bookmark_from_csl, item, now)
    return out.result()


# ---------------------------------------------------------------- BibTeX and RIS


def import_bibtex(text: str, *, now: dt.datetime) -> ImportResult:
    """Read the BibTeX entries that carry an arXiv id (arXiv's, Zotero's, Google Scholar's,
    dblp's, biblatex ``eprinttype``, Mendeley ``arxivid`` ...)."""
    entries, errors = parse_bibtex(text)
    out = _Collector("bibtex")
    for error in errors:
        out.skip(error)
    for entry in entries:
        out.add(f"@{entry.kind}{{{entry.key[:40]}}}", bookmark_from_entry, entry, now)
    return out.result()


def import_ris(text: str, *, now: dt.datetime) -> ImportResult:
    """Read the RIS records that carry an arXiv id (ours, Zotero's, Mendeley's, EndNote's)."""
    records, errors = parse_ris(text)
    out = _Collector("ris")
    for error in errors:
        out.skip(error)
    for number, record in enumerate(records, 1):
        out.add(f"record {number}", bookmark_from_ris, record, now)
    return out.result()
