"""Imported bookmarks merged into the state's: one bookmark per paper, nothing the user
wrote lost, and no citation key taken over from another paper. And a paper looked up on
Hugging Face merged into the snapshot an import made (`enrich_paper`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from paperterm.models import Bookmark, Paper, merge_papers
from paperterm.records import Record, replace


class MergeResult(Record, frozen=True):
    """The state's bookmarks after an import, and which paper ids it added, updated or left
    unchanged. `dropped_keys`: imported ids whose citation key another paper already holds,
    so the key was not taken over (`export.keys_to_pin` gives them a fresh one)."""

    bookmarks: tuple[Bookmark, ...]
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    dropped_keys: tuple[str, ...] = ()


def merge_bookmarks(existing: Sequence[Bookmark], imported: Sequence[Bookmark]) -> MergeResult:
    """The union of `existing` and `imported`, by paper id, existing order first.

    For a paper already bookmarked: its tags are kept and the new ones appended; its note is
    kept and a different imported note appended below it; its pinned key, ``added_at`` and
    extra keys win; a complete imported paper replaces an incomplete snapshot, and two
    complete ones merge as the cache does (newer fetch wins); a citation record fills in a
    snapshot that has only its id. A citation key is never taken over from another paper: the
    imported bookmark loses it instead.
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
    elif old.incomplete and not old.paper.title and new.paper.title:
        paper = new.paper  # an id stored offline, now with what a citation says of it
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
        extra=_extra(old.extra, new.extra, new_paper=paper is new.paper),
    )


def _extra(old: dict[str, Any], new: dict[str, Any], *, new_paper: bool) -> dict[str, Any]:
    # The snapshot's unknown keys (an import's name parts and date) go with the snapshot kept.
    extra = {**{k: v for k, v in new.items() if k != "paper"}, **old}
    snapshot = new.get("paper")
    if new_paper and isinstance(snapshot, dict):
        kept = old.get("paper")
        extra["paper"] = {**kept, **snapshot} if isinstance(kept, dict) else snapshot
    return extra


def enrich_paper(known: Paper, fetched: Paper) -> Paper:
    """`fetched` (a lookup on Hugging Face) with what the bookmark's snapshot already said
    kept: an imported title, authors, abstract and date win, and only what the snapshot left
    empty comes from the lookup, with the counts and links only Hugging Face knows. For a
    snapshot of an id alone, that is `fetched` itself."""
    return replace(
        fetched,
        title=known.title or fetched.title,
        authors=known.authors or fetched.authors,
        author_count=known.author_count if known.authors else fetched.author_count,
        abstract=known.abstract or fetched.abstract,
        published=known.published or fetched.published,
    )
