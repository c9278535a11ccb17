"""Views for other readers and for the inbox: the papers of a feed (fetched when stale, unless
offline) optionally filtered, as an Atom feed; output files written whole or not at all.

`paperterm atom` and `paperterm digest` call these; the formats are `paperterm.exchange`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from paperterm.exchange.atom import atom_feed
from paperterm.files import NotRegular, atomic_write, check_regular
from paperterm.models import FeedSpec, Paper
from paperterm.records import Record
from paperterm.service import FeedView, FetchError, PaperService


class OutputError(Exception):
    """An output file that could not be written; `str()` names the path and the reason."""


class Selection(Record, frozen=True):
    """The papers of one view, and what the user should hear about where they came from."""

    view: FeedView
    papers: tuple[Paper, ...]
    query: str = ""
    notes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # the query's errors, worded for the user

    @property
    def title(self) -> str:
        label = self.view.spec.label
        return f"paperterm: {label}" + (f" ({self.query})" if self.query else "")


async def current(
    service: PaperService, spec: FeedSpec, *, offline: bool
) -> tuple[FeedView, list[str]]:
    """The feed from the cache, refreshed first when stale (not `offline`); a refresh that
    fails falls back to the cache with a note. Raises `FetchError` when there is nothing,
    `UnknownSearch` for a ``saved:NAME`` that is not saved. A saved search is never fetched:
    it runs over everything cached."""
    if spec.kind == "saved":
        papers = tuple(service.saved.papers(spec.value or ""))
        return FeedView(spec, spec, papers, service.clock(), "cache"), []
    view, notes = service.feeds.cached(spec), []
    if not offline and service.feeds.is_stale(view):
        try:
            outcome = await service.feeds.refresh(spec)
        except FetchError as exc:
            if view.origin == "none":
                raise
            notes.append(f"showing the cached {view.spec.label} ({exc})")
        else:
            view = outcome.view
            if outcome.cache_error:
                notes.append(outcome.cache_error)
    if view.origin == "none":
        raise FetchError("offline", f"no cached copy of {spec} (offline)")
    return view, notes


def select(service: PaperService, view: FeedView, query: str = "") -> Selection:
    """`view`'s papers matching `query` (best first; all, in the feed's order, without one)."""
    if not query.strip():
        return Selection(view, view.papers)
    from paperterm.query import PaperIndex, parse_query

    service.load_state()
    parsed = parse_query(query)
    found = PaperIndex(view.papers).search(parsed, service.search_context()).papers
    problems = tuple(
        f"ignored {query[e.start : e.end]!r} in the filter: {e.message}" for e in parsed.errors
    )
    return Selection(view, tuple(found), query.strip(), problems=problems)


def atom(selection: Selection, limit: int | None = None) -> bytes:
    """The selection as an Atom 1.0 document."""
    view = selection.view
    feed_id = f"tag:paperterm,2026:{view.spec}"
    if selection.query:
        feed_id += "?filter=" + selection.query
    updated = view.fetched_at or dt.datetime.now(dt.UTC)
    papers: Sequence[Paper] = selection.papers[:limit] if limit else selection.papers
    link = f"https://huggingface.co/papers/{'trending' if view.spec.kind == 'trending' else ''}"
    return atom_feed(
        papers, title=selection.title, feed_id=feed_id, updated=updated, link=link.rstrip("/")
    )


def write_output(path: Path, data: bytes) -> Path:
    """Replace `path` with `data` so a reader sees the old file or the new one, never a part."""
    path = path.expanduser()
    target = path.resolve() if path.is_symlink() else path
    try:
        check_regular(target)
        if not target.parent.is_dir():
            raise OutputError(f"cannot write {path}: the directory {target.parent} does not exist")
        atomic_write(target, data)
    except NotRegular as exc:
        raise OutputError(f"{path} is a {exc.kind}: only a regular file is replaced") from None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return target
