"""Exported files -> bookmarks: paperterm JSON, BibTeX and CSL-JSON; and the merge into the state.

Pure functions over text. Every file is untrusted, our own backups included: strings are
cleaned as ingest cleans feed text, ids validated, only http(s) URLs kept. An entry that cannot
become a bookmark (no new-style arXiv id, broken syntax) is skipped with a reason, never fatal
to the rest of the file. BibTeX syntax and the LaTeX in its fields are read by
`paperterm.bibtex_reader`; this module decides what of it becomes a bookmark.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from paperterm.bibtex_reader import (
    BibEntry,
    latex_to_text,
    name_to_text,
    parse_bibtex,
    split_names,
)
from paperterm.export import JSON_FORMAT, JSON_VERSION, NOTE_MAX, TAG_MAX, is_valid_cite_key
from paperterm.ingest import (
    ABSTRACT_MAX,
    AUTHORS_MAX,
    KEYWORDS_MAX,
    NAME_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    clean_abstract,
    clean_line,
    clean_text,
)
from paperterm.links import safe_url
from paperterm.models import Bookmark, Paper, merge_papers, normalize_arxiv_id

# BibEntry, latex_to_text and parse_bibtex live in bibtex_reader; they stay importable here.
__all__ = [
    "REASONS_MAX",
    "BibEntry",
    "ImportFormat",
    "ImportFormatError",
    "ImportResult",
    "MergeResult",
    "clean_note",
    "clean_tags",
    "find_arxiv_id",
    "import_bibtex",
    "import_csl_json",
    "import_json",
    "import_text",
    "latex_to_text",
    "merge_bookmarks",
    "parse_bibtex",
]

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


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The state's bookmarks after an import, and which paper ids it added, updated or left
    unchanged. `dropped_keys`: imported ids whose citation key another paper already holds,
    so the key was not taken over (`export.keys_to_pin` gives them a fresh one)."""

    bookmarks: tuple[Bookmark, ...]
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    dropped_keys: tuple[str, ...] = ()


_T = TypeVar("_T")


class _Skip(ValueError):
    """One entry that cannot become a bookmark; the message is the reason shown."""


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
        except _Skip as exc:
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
        raise _Skip("not an object")
    key = row.get("cite_key")
    incomplete = row.get("incomplete") is True
    return Bookmark(
        paper=_paper_from_json(row.get("paper"), incomplete=incomplete),
        added_at=_datetime(row.get("added_at")) or now,
        tags=clean_tags(row.get("tags")),
        note=clean_note(row.get("note")),
        cite_key=key if isinstance(key, str) and is_valid_cite_key(key) else None,
        incomplete=incomplete,
        extra=_clean_extra(row.get("extra")),
    )


def _paper_from_json(data: object, *, incomplete: bool = False) -> Paper:
    if not isinstance(data, dict):
        raise _Skip("no paper object")
    paper_id = _arxiv_id(data.get("id"))
    authors = tuple(a for a in (_line(x, NAME_MAX) for x in _list(data.get("authors"))) if a)
    authors = authors[:AUTHORS_MAX]
    count = _count(data.get("author_count")) or 0
    return Paper(
        id=paper_id,
        # A bookmark stored offline has no title yet, and must read back exactly so.
        title=_line(data.get("title"), TITLE_MAX)
        or ("" if incomplete else f"(untitled {paper_id})"),
        authors=authors,
        abstract=_abstract(data.get("abstract")),
        upvotes=_count(data.get("upvotes")) or 0,
        comments=_count(data.get("comments")) or 0,
        feed_day=_date(data.get("feed_day")),
        published=_date(data.get("published")),
        github=safe_url(data.get("github")),
        stars=_count(data.get("stars")),
        project_page=safe_url(data.get("project_page")),
        ai_summary=_line(data.get("ai_summary"), SUMMARY_MAX) or None,
        ai_keywords=_unique_lines(data.get("ai_keywords"), NAME_MAX)[:KEYWORDS_MAX],
        organization=_line(data.get("organization"), NAME_MAX) or None,
        submitter=_line(data.get("submitter"), NAME_MAX) or None,
        fetched_at=_datetime(data.get("fetched_at")),
        author_count=max(count, len(authors)),
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
        raise _Skip("not an object")
    mentions_arxiv = any(
        "arxiv" in _str(item.get(k)).lower()
        for k in ("publisher", "archive", "source", "container-title")
    )
    fields = {
        k: _str(item.get(k))
        for k in ("number", "DOI", "URL", "id", "note", "container-title", "archive_location")
    }
    paper_id = find_arxiv_id(fields, bare=("number", "archive_location") if mentions_arxiv else ())
    authors = tuple(n for n in map(_csl_name, _list(item.get("author"))) if n)
    title = _line(_CSL_MARKUP.sub("", _str(item.get("title"))), TITLE_MAX)
    key = _str(item.get("citation-key")) or _str(item.get("id"))
    return _partial_bookmark(
        paper_id,
        title,
        authors,
        _str(item.get("abstract")),
        _csl_date(item.get("issued")),
        note=_str(item.get("note")),
        key=key,
        now=now,
    )


def _csl_name(value: object) -> str:
    if not isinstance(value, dict):
        return ""
    if value.get("literal"):
        return _line(value.get("literal"), NAME_MAX)
    parts = ("given", "dropping-particle", "non-dropping-particle", "family", "suffix")
    return _line(" ".join(_str(value.get(p)) for p in parts), NAME_MAX)


def _csl_date(value: object) -> dt.date | None:
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and len(parts[0]) == 3:
        try:
            return dt.date(*(int(p) for p in parts[0]))
        except (TypeError, ValueError):
            return None
    return _date(value.get("raw"))


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
    authors = tuple(n for n in (_line(name_to_text(raw), NAME_MAX) for raw in names) if n)
    return _partial_bookmark(
        paper_id,
        _line(fields.get("title"), TITLE_MAX),
        authors,
        fields.get("abstract", ""),
        _date(fields.get("date")),
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
        raise _Skip("no new-style arXiv id")
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


# ---------------------------------------------------------------- merge


def merge_bookmarks(existing: Sequence[Bookmark], imported: Sequence[Bookmark]) -> MergeResult:
    """The union of `existing` and `imported`, by paper id, existing order first.

    For a paper already bookmarked: its tags are kept and the new ones appended; its note is
    kept and a different imported note appended below it; its pinned key, ``added_at`` and
    extra keys win; a complete imported paper replaces an incomplete snapshot, and two
    complete ones merge as the cache does (newer fetch wins). A citation key is never taken
    over from another paper: the imported bookmark loses it instead.
    """
    result = list(existing)
    where = {b.id: i for i, b in enumerate(result)}
    owners = {b.cite_key.casefold(): b.id for b in result if b.cite_key}
    added: dict[str, None] = {}
    updated: dict[str, None] = {}
    unchanged: dict[str, None] = {}
    dropped: list[str] = []
    for new in imported:
        key = new.cite_key
        clash = bool(key) and owners.get((key or "").casefold(), new.id) != new.id
        if clash:
            key = None
        if new.id not in where:
            where[new.id] = len(result)
            result.append(replace(new, cite_key=key))
            added[new.id] = None
        else:
            old = result[where[new.id]]
            merged = _merge_one(old, replace(new, cite_key=key))
            if merged != old or merged.extra != old.extra:
                result[where[new.id]] = merged
                if new.id not in added:
                    updated[new.id] = None
            elif new.id not in added and new.id not in updated:
                unchanged[new.id] = None
            key = merged.cite_key
        if clash and not key:
            dropped.append(new.id)
        if key:
            owners.setdefault(key.casefold(), new.id)
    return MergeResult(
        tuple(result),
        tuple(added),
        tuple(updated),
        tuple(i for i in unchanged if i not in updated),
        tuple(dropped),
    )


def _merge_one(old: Bookmark, new: Bookmark) -> Bookmark:
    paper, incomplete = old.paper, old.incomplete
    if not new.incomplete:
        paper = new.paper if old.incomplete else merge_papers(old.paper, new.paper)
        incomplete = False
    note = old.note
    if new.note.strip() and new.note.strip() not in old.note:
        note = f"{old.note.rstrip()}\n\n{new.note.strip()}" if old.note.strip() else new.note
    return replace(
        old,
        paper=paper,
        incomplete=incomplete,
        tags=old.tags + tuple(t for t in new.tags if t not in old.tags),
        note=note,
        cite_key=old.cite_key or new.cite_key,
        extra={**new.extra, **old.extra},
    )


# ---------------------------------------------------------------- cleaning


def clean_tags(value: object) -> tuple[str, ...]:
    """Tags from a file: one-line, non-empty, each once, order kept."""
    return _unique_lines(value, TAG_MAX)


def clean_note(value: object) -> str:
    """A note from a file: cleaned like feed text but its line breaks kept, capped."""
    note = clean_text(value) if isinstance(value, str) else ""
    return note if len(note) <= NOTE_MAX else note[: NOTE_MAX - 1] + "…"


def _clean_extra(value: object, depth: int = 0) -> dict[str, Any]:
    # Unknown keys go back into the TOML state file: strings cleaned (no lone surrogates),
    # None dropped (TOML has no null), nesting bounded.
    if not isinstance(value, dict) or depth > 8:
        return {}
    return {
        clean_text(str(k)): v
        for k, v in ((k, _clean_value(v, depth)) for k, v in value.items())
        if v is not None
    }


def _clean_value(value: object, depth: int) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):
        return [v for v in (_clean_value(x, depth + 1) for x in value) if v is not None]
    if isinstance(value, dict):
        return _clean_extra(value, depth + 1)
    return None


def _unique_lines(value: object, limit: int) -> tuple[str, ...]:
    seen = dict.fromkeys(line for line in (_line(v, limit) for v in _list(value)) if line)
    return tuple(seen)


def _arxiv_id(value: object) -> str:
    paper_id = normalize_arxiv_id(value) if isinstance(value, str) else None
    if paper_id is None:
        raise _Skip(f"bad paper id {str(value)[:40]!r}")
    return paper_id


def _line(value: object, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    return value if _is_clean_line(value, limit) else clean_line(value, limit)


def _abstract(value: object) -> str:
    if not isinstance(value, str):
        return ""
    clean = len(value) <= ABSTRACT_MAX and all(
        p and _is_clean_line(p, ABSTRACT_MAX) for p in value.split("\n\n")
    )
    return value if clean or not value else clean_abstract(value)


def _is_clean_line(text: str, limit: int) -> bool:
    """Whether `clean_line` would return `text` unchanged. Most of a file we wrote is, and
    this check is several times faster: what cleaning removes or rewrites (controls, format
    characters, surrogates, line and paragraph separators, spaces other than U+0020) is
    all non-printable."""
    return (
        len(text) <= limit
        and text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and unicodedata.is_normalized("NFC", text)
    )


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return min(value, 10**12)


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _datetime(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}[T ]", value):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
