"""Bookmark updates: facts a later fetch brought about a bookmarked paper, until seen.

A bookmark keeps its own snapshot of the paper (``state.toml``); the feed cache keeps the
newest record of it that any fetch brought. When the cache knows something the snapshot does
not — code released (a GitHub repo appeared), a project page, the repo's stars crossing a power
of ten — the bookmark is *updated*. Seeing it (its details in the reader) takes the new
record into the snapshot (`UpdateSnapshot`: the paper only; tags, note and citation key are
never touched), which ends the update. Nothing else is stored. The API carries no arXiv
version, so a new version is not among the facts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from paperterm.models import Paper
from paperterm.records import Record, replace

if TYPE_CHECKING:
    from paperterm.service import PaperService


class Update(Record, frozen=True):
    """What is new about one bookmark, and the record that says so."""

    paper: Paper  # the snapshot with the new facts
    news: tuple[str, ...]  # "code released: github.com/a/b", "project page: …", "★ 1,204 (was 870)"

    @property
    def text(self) -> str:
        return "; ".join(self.news)


def news(old: Paper, new: Paper) -> tuple[str, ...]:
    """What `new` says that the bookmark's snapshot `old` did not."""
    found = []
    if new.github and not old.github:
        found.append("code released: " + new.github.removeprefix("https://"))
    if new.project_page and not old.project_page:
        found.append("project page: " + new.project_page.removeprefix("https://"))
    if new.github and new.stars and new.stars >= 10 and old.github:
        before = old.stars or 0
        if before < 10 or int(math.log10(new.stars)) > int(math.log10(before)):
            found.append(f"★ {new.stars:,} (was {before:,})")
    return tuple(found)


def updates(service: PaperService) -> dict[str, Update]:
    """Every bookmark the cache knows more about, by id (bookmarks in the state's order)."""
    marks = service.triage.state.bookmarks
    known = service.feeds.known(list(marks))
    found = {}
    for paper_id, bookmark in marks.items():
        newer = known.get(paper_id)
        if newer is None or bookmark.incomplete:
            continue
        if said := news(bookmark.paper, newer):
            found[paper_id] = Update(_with_facts(bookmark.paper, newer), said)
    return found


def _with_facts(old: Paper, new: Paper) -> Paper:
    """The snapshot with the facts a fetch keeps current; everything else as it was."""
    return replace(
        old,
        github=new.github or old.github,
        stars=new.stars if new.stars is not None else old.stars,
        project_page=new.project_page or old.project_page,
        upvotes=max(old.upvotes, new.upvotes),
        comments=max(old.comments, new.comments),
    )


def seen(service: PaperService, update: Update) -> None:
    """The user has seen `update`: the bookmark's snapshot becomes the newer record (queued
    with the other changes, saved like them)."""
    service.triage.refresh_snapshot(update.paper)
