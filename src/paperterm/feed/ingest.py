"""Raw Hugging Face JSON -> `Paper`: validation and the quirks of the API.

Every text field goes through `paperterm.clean` here, once (hard wraps, used until Nov 2025,
are undone there too, and a title's TeX escapes), and only http(s) URLs survive
(`paperterm.links`).

An item that cannot become a paper (bad id, missing title/abstract/authors ...) is skipped and
counted, never fatal to the batch.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from paperterm.clean import (
    AUTHORS_MAX,
    KEYWORDS_MAX,
    NAME_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    clean_abstract,
    clean_line,
    count,
    unescape_tex,
)
from paperterm.links import safe_url
from paperterm.models import Paper, merge_papers, normalize_arxiv_id

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class BadItem(ValueError):
    """An API item that cannot become a paper."""


Source = Literal["daily", "search", "paper"]


@dataclass(slots=True)
class IngestResult:
    """The papers of one response in server order, one per id, and how many items were bad."""

    papers: list[Paper] = field(default_factory=list)
    skipped: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def skipped_note(self) -> str | None:
        if not self.skipped:
            return None
        noun = "item" if self.skipped == 1 else "items"
        return f"{self.skipped} {noun} skipped (bad data)"


def ingest_items(
    items: Iterable[object],
    fetched_at: dt.datetime,
    source: Source,
    *,
    feed_day: dt.date | None = None,
) -> IngestResult:
    """Turn a list of raw API items into papers; duplicates collapse onto the first position.
    `feed_day`: the day whose list these items are (``daily:DAY``), for items that do not say."""
    result = IngestResult()
    position: dict[str, int] = {}
    for item in items:
        try:
            paper = paper_from_item(item, fetched_at, source, feed_day=feed_day)
        except BadItem as exc:
            result.skipped += 1
            if len(result.reasons) < 20:
                result.reasons.append(str(exc))
            continue
        if paper.id in position:
            index = position[paper.id]
            result.papers[index] = merge_papers(result.papers[index], paper)
        else:
            position[paper.id] = len(result.papers)
            result.papers.append(paper)
    return result


def paper_from_item(
    item: object, fetched_at: dt.datetime, source: Source, *, feed_day: dt.date | None = None
) -> Paper:
    """One raw item -> Paper. `source` says which endpoint it came from: a daily-feed item
    (``{"paper": {...}, "numComments": ...}``), a search result (same wrapper, papers that were
    never on the feed allowed, fields may be missing), or the flat ``/api/papers/{id}`` body."""
    if not isinstance(item, dict):
        raise BadItem(f"item is a {type(item).__name__}, not an object")
    wrapped = isinstance(item.get("paper"), dict)
    paper: dict[str, Any] = item["paper"] if wrapped else item
    if source == "daily" and not wrapped:
        raise BadItem("item has no paper object")
    lenient = source == "search"

    paper_id = normalize_arxiv_id(_str(paper.get("id")) or _str(item.get("id")) or "")
    if paper_id is None:
        raise BadItem(f"bad paper id {str(paper.get('id'))[:40]!r}")
    authors, author_count = _authors(paper.get("authors"), required=not lenient, paper_id=paper_id)
    abstract = _str(paper.get("summary")) if "summary" in paper else _str(item.get("summary"))
    if abstract is None and not lenient:
        raise BadItem(f"{paper_id}: no abstract")
    upvotes = count(paper.get("upvotes"))
    if upvotes is None and not lenient:
        raise BadItem(f"{paper_id}: no upvote count")
    published = _day(paper.get("publishedAt"))
    if published is None and source == "daily":
        raise BadItem(f"{paper_id}: no arXiv date")

    return Paper(
        id=paper_id,
        title=_title(paper, item, paper_id),
        authors=authors,
        author_count=author_count,
        abstract=clean_abstract(abstract or ""),
        upvotes=upvotes or 0,
        comments=count(item.get("numComments")) or 0,
        feed_day=_feed_day(paper, item, source, feed_day),
        published=published,
        github=safe_url(paper.get("githubRepo")),
        stars=count(paper.get("githubStars")),
        project_page=safe_url(paper.get("projectPage")),
        ai_summary=_optional_line(paper.get("ai_summary"), SUMMARY_MAX),
        ai_keywords=_keywords(paper.get("ai_keywords")),
        organization=_organization(paper.get("organization") or item.get("organization")),
        submitter=_submitter(item.get("submittedBy"), paper.get("submittedOnDailyBy")),
        fetched_at=fetched_at,
    )


def _title(paper: dict[str, Any], item: dict[str, Any], paper_id: str) -> str:
    # paper.title is arXiv's title; the top-level one is as the submitter typed it (LaTeX kept).
    raw = _str(paper.get("title"))
    if raw is None:
        raw = _str(item.get("title"))
    if raw is None:
        raise BadItem(f"{paper_id}: no title")
    # arXiv titles keep their TeX escapes ("Prefill \& Decode"): shown as what they stand for.
    return unescape_tex(clean_line(raw, TITLE_MAX)) or f"(untitled {paper_id})"


def _authors(value: object, *, required: bool, paper_id: str) -> tuple[tuple[str, ...], int]:
    if value is None and not required:
        return (), 0
    if not isinstance(value, list):
        raise BadItem(f"{paper_id}: authors is not a list")
    names = []
    for entry in value:
        name = _str(entry.get("name")) if isinstance(entry, dict) else None
        cleaned = clean_line(name, NAME_MAX) if name else ""
        if cleaned:
            names.append(cleaned)
    if required and value and not names:
        raise BadItem(f"{paper_id}: no author has a name")
    return tuple(names[:AUTHORS_MAX]), len(names)


def _feed_day(
    paper: dict[str, Any], item: dict[str, Any], source: Source, listed: dt.date | None
) -> dt.date | None:
    # Without submittedOnDailyAt (items before 2025-03), the day whose list was asked for is
    # the feed day; else the top-level publishedAt, which meant "put on Daily Papers" only
    # until 2025-02 (hf-api.md §4.1), is the fallback for those old items.
    day = _day(paper.get("submittedOnDailyAt")) or listed
    if day is None and source == "daily":
        day = _day(item.get("publishedAt"))
    return day


def _keywords(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    seen: dict[str, None] = {}
    for keyword in value:
        cleaned = clean_line(keyword, NAME_MAX) if isinstance(keyword, str) else ""
        if cleaned:
            seen.setdefault(cleaned, None)
    return tuple(seen)[:KEYWORDS_MAX]


def _organization(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    return _optional_line(value.get("fullname"), NAME_MAX) or _optional_line(
        value.get("name"), NAME_MAX
    )


def _submitter(submitted_by: object, on_daily_by: object) -> str | None:
    # submittedBy.name and submittedOnDailyBy.user are both the username (hf-api.md §2.4).
    for person in (submitted_by, on_daily_by):
        if isinstance(person, dict):
            name = _optional_line(person.get("fullname"), NAME_MAX)
            if name:
                return name
            username = person.get("name") or person.get("user")
            if username:
                return _optional_line(username, NAME_MAX)
    return None


def _optional_line(value: object, limit: int) -> str | None:
    return (clean_line(value, limit) or None) if isinstance(value, str) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _day(value: object) -> dt.date | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
