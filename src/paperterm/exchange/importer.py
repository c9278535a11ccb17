"""Exported files -> bookmarks: paperterm JSON, BibTeX and CSL-JSON, told apart by content.

Pure functions over text. Every file is untrusted, our own backups included: its fields are
cleaned by `paperterm.exchange.fields` (strings as ingest cleans feed text, ids validated), and
only http(s) URLs are kept. An entry that cannot become a bookmark (no new-style arXiv id,
broken syntax) is skipped with a reason, never fatal to the rest of the file. BibTeX syntax and
the LaTeX in its fields are read by `paperterm.exchange.bibtex`; this module decides what of it
becomes a bookmark. The merge into the state is `paperterm.exchange.merge`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from paperterm.clean import (
    AUTHORS_MAX,
    KEYWORDS_MAX,
    NAME_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    clean_abstract,
    count,
)
from paperterm.exchange.bibtex import (
    BibEntry,
    latex_to_text,
    name_to_text,
    parse_bibtex,
    split_names,
)
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
    str_field,
    unique_lines,
)
from paperterm.exchange.keys import is_valid_cite_key
from paperterm.exchange.writers import JSON_FORMAT, JSON_VERSION
from paperterm.links import safe_url
from paperterm.models import Bookmark, Paper, normalize_arxiv_id

ImportFormat = Literal["json", "bibtex", "csl-json"]
REASONS_MAX = 20


class ImportFormatError(ValueError):
    """A file that is none of the formats paperterm reads, or a newer paperterm's backup."""


@dataclass(frozen=True, slots=True)
class ImportResult:
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


def import_text(text: str, *, now: dt.datetime) -> ImportResult:
    """Read a file of any supported format, told apart by its content. `now` is the
    ``added_at`` of bookmarks whose file does not say when they were added."""
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith(("{", "[")):
        data = _load_json(body)
        if isinstance(data, dict) and "format" in data:
            return _import_json_data(data, now)
        return _import_csl_data(data, now)
    if "@" in body:
        return import_bibtex(text, now=now)
    raise ImportFormatError("not a paperterm JSON, CSL-JSON or BibTeX file")


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
        out.add(f"item {number}", _bookmark_from_csl, item, now)
    return out.result()


# citeproc-js's rich-text tags inside CSL strings.
_CSL_MARKUP = re.compile(r"</?(?:i|b|sc|sup|sub)>|<span(?:\s[^<>]*)?>|</span>")


def _bookmark_from_csl(item: object, now: dt.datetime) -> Bookmark:
    if not isinstance(item, dict):
        raise SkipEntry("not an object")
    mentions_arxiv = any(
        "arxiv" in str_field(item.get(k)).lower()
        for k in ("publisher", "archive", "source", "container-title")
    )
    fields = {
        k: str_field(item.get(k))
        for k in ("number", "DOI", "URL", "id", "note", "container-title", "archive_location")
    }
    paper_id = find_arxiv_id(fields, bare=("number", "archive_location") if mentions_arxiv else ())
    authors = tuple(n for n in map(_csl_name, list_field(item.get("author"))) if n)
    title = line_field(_CSL_MARKUP.sub("", str_field(item.get("title"))), TITLE_MAX)
    key = str_field(item.get("citation-key")) or str_field(item.get("id"))
    return _partial_bookmark(
        paper_id,
        title,
        authors,
        str_field(item.get("abstract")),
        _csl_date(item.get("issued")),
        note=str_field(item.get("note")),
        key=key,
        now=now,
    )


def _csl_name(value: object) -> str:
    if not isinstance(value, dict):
        return ""
    if value.get("literal"):
        return line_field(value.get("literal"), NAME_MAX)
    parts = ("given", "dropping-particle", "non-dropping-particle", "family", "suffix")
    return line_field(" ".join(str_field(value.get(p)) for p in parts), NAME_MAX)


def _csl_date(value: object) -> dt.date | None:
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and len(parts[0]) == 3:
        try:
            return dt.date(*(int(p) for p in parts[0]))
        except (TypeError, ValueError):
            return None
    return date_field(value.get("raw"))


# ---------------------------------------------------------------- BibTeX


def import_bibtex(text: str, *, now: dt.datetime) -> ImportResult:
    """Read the BibTeX entries that carry an arXiv id (arXiv's, Zotero's, Google Scholar's,
    biblatex ``eprinttype``, Mendeley ``arxivid`` ...)."""
    entries, errors = parse_bibtex(text)
    out = _Collector("bibtex")
    for error in errors:
        out.skip(error)
    for entry in entries:
        out.add(f"@{entry.kind}{{{entry.key[:40]}}}", _bookmark_from_bibtex, entry, now)
    return out.result()


_BIB_FIELDS_WITH_IDS = (
    "eprint", "arxivid", "arxiv", "doi", "url", "number", "journal", "note", "howpublished",
)  # fmt: skip


def _bookmark_from_bibtex(entry: BibEntry, now: dt.datetime) -> Bookmark:
    fields = {k: latex_to_text(v) for k, v in entry.fields.items()}
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower()
    bare = ("eprint", "arxivid", "arxiv") if prefix == "arxiv" else ("arxivid", "arxiv")
    paper_id = find_arxiv_id({k: fields.get(k, "") for k in _BIB_FIELDS_WITH_IDS}, bare=bare)
    names = split_names(entry.fields.get("author", ""))
    authors = tuple(n for n in (line_field(name_to_text(raw), NAME_MAX) for raw in names) if n)
    return _partial_bookmark(
        paper_id,
        line_field(fields.get("title"), TITLE_MAX),
        authors,
        fields.get("abstract", ""),
        date_field(fields.get("date")),
        note=fields.get("annote") or fields.get("note", ""),
        key=entry.key,
        now=now,
    )


# ---------------------------------------------------------------- shared by BibTeX and CSL

# An arXiv id inside text: abs/pdf/html URLs (arxiv.org or HF papers pages), arXiv's DataCite
# DOI, and the "arXiv:2401.00001" prefix form (Google Scholar journals, Zotero's number/note).
_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|10\.48550/arxiv\.|arxiv:\s*)"
    r"(\d{4}\.\d{4,5})(?:v\d+)?(?!\d)",
    re.IGNORECASE,
)


def find_arxiv_id(fields: dict[str, str], *, bare: Sequence[str] = ()) -> str | None:
    """The versionless arXiv id the first of `fields` (in order) points to, or None; the
    fields named in `bare` may also hold just the id (``2401.00001v2``)."""
    for name, value in fields.items():
        if name in bare and (paper_id := normalize_arxiv_id(value)):
            return paper_id
        if match := _ARXIV_IN_TEXT.search(value):
            return match.group(1)
    return None


_ARXIV_NOTE_LINE = re.compile(r"^\s*arxiv:\s*\S+(?:\s*\[[^\]]*\])?\s*$", re.IGNORECASE)


def _partial_bookmark(
    paper_id: str | None,
    title: str,
    authors: tuple[str, ...],
    abstract: str,
    published: dt.date | None,
    *,
    note: str,
    key: str,
    now: dt.datetime,
) -> Bookmark:
    """A bookmark from a citation record: only what the record says, marked incomplete so a
    later lookup fills in the rest. Zotero's "arXiv:ID [cs]" note lines are not a note."""
    if paper_id is None:
        raise SkipEntry("no new-style arXiv id")
    note = "\n".join(line for line in note.split("\n") if not _ARXIV_NOTE_LINE.match(line))
    paper = Paper(
        id=paper_id,
        title=title or f"(untitled {paper_id})",
        authors=authors[:AUTHORS_MAX],
        abstract=clean_abstract(abstract),
        published=published,
        author_count=len(authors),
    )
    return Bookmark(
        paper=paper,
        added_at=now,
        note=clean_note(note).strip(),
        cite_key=key if is_valid_cite_key(key) else None,
        incomplete=True,
    )
