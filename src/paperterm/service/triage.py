"""Triage for both faces: read marks, bookmarks, tags, notes and undo, over the state store.

Each verb applies one operation to the store in memory at once and returns a `Change`; the
CLI saves right away (`save=True`), the reader saves from a worker (`save()`), so the screen
never waits on the disk. The state store keeps the file's guarantees (atomic, locked, merged
with other instances); this part only says what the user asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from paperterm import library
from paperterm.library import StateStore
from paperterm.models import Bookmark, Clock, Paper, ReadingState
from paperterm.records import Record, replace
from paperterm.service.feeds import Feeds

if TYPE_CHECKING:
    from paperterm.library import Operation


class Change(Record, frozen=True):
    """What a triage verb did: `changed` False when there was nothing to do; `summary` says
    what was done in words ("bookmarked 2501.00001"); `notices` are one-line problems."""

    changed: bool
    summary: str
    notices: tuple[str, ...] = ()


# Rewriting a state file of this size takes well under a tenth of a second: the reader folds
# its journal at exit only then; a larger file is folded when the reader is idle, or next time.
QUICK_FOLD_BYTES = 2 * 1024 * 1024


class Completion(Record, frozen=True):
    """What a lookup of the bookmarks stored with only what was known did: `filled` got their
    details from Hugging Face; `not_on_hf` are citations it does not know (answered 404),
    kept as imported and not looked up again."""

    filled: int = 0
    not_on_hf: int = 0

    def __bool__(self) -> bool:
        return bool(self.filled or self.not_on_hf)

    @property
    def messages(self) -> tuple[str, ...]:
        """What to tell the user, one sentence each."""
        out = [f"Details filled in for {self.filled} bookmark(s)"] if self.filled else []
        if self.not_on_hf:
            out.append(self.not_on_hf_notice)
        return tuple(out)

    @property
    def not_on_hf_notice(self) -> str:
        n = self.not_on_hf
        verb = "bookmark is" if n == 1 else "bookmarks are"
        return f"{n} {verb} not on Hugging Face; kept as imported"


class Triage:
    """The reading state of this process. Loads nothing until `load()` or a first change."""

    def __init__(
        self,
        state_file: Path,
        *,
        clock: Clock,
        parse_cache: Path | None,
        interactive: bool = False,
    ) -> None:
        self.store = StateStore(state_file, clock=clock, cache=parse_cache, interactive=interactive)
        self.path = state_file

    # -- reading --------------------------------------------------------------------------

    def load(self) -> tuple[str, ...]:
        """Read the state file and its journal, unless a first change already did; returns
        one-line notices (a damaged file moved aside ...)."""
        return self.store.ensure_loaded()

    @property
    def loaded(self) -> bool:
        return self.store.loaded

    @property
    def quick_to_load(self) -> bool:
        """The state file and its journal are small enough to read before the first frame."""
        return self.store.size_on_disk() <= QUICK_FOLD_BYTES

    @property
    def state(self) -> ReadingState:
        """Read marks and bookmarks now: the file plus this process's changes."""
        return self.store.state

    @property
    def problem(self) -> str | None:
        """A standing problem for the status line: read-only, or the last save failed."""
        return self.store.problem

    @property
    def unreadable(self) -> str | None:
        """Why the state file could not be read (so nothing may be written over it), or None."""
        problem = self.store.problem
        return problem if problem and not self.store.read_only else None

    @property
    def dirty(self) -> bool:
        """Some changes are only in memory."""
        return self.store.dirty

    def bookmarks(self, tag: str | None = None) -> list[Bookmark]:
        """Bookmarks, newest first; only those carrying `tag` when given."""
        return self.store.state.bookmark_list(tag)

    def bookmark_papers(self, tag: str | None = None) -> list[Paper]:
        """The bookmarked papers, newest bookmark first, from their snapshots (offline too)."""
        return [display_paper(b) for b in self.bookmarks(tag)]

    # -- changing -------------------------------------------------------------------------

    def mark_read(self, ids: Sequence[str], *, save: bool = False) -> Change:
        return self._apply(library.MarkRead(tuple(ids)), save)

    def mark_unread(self, ids: Sequence[str], *, save: bool = False) -> Change:
        return self._apply(library.MarkUnread(tuple(ids)), save)

    def bookmark(
        self,
        paper: Paper,
        *,
        tags: Sequence[str] = (),
        note: str = "",
        incomplete: bool = False,
        save: bool = False,
    ) -> Change:
        """Bookmark `paper` with a snapshot of it (a paper already bookmarked stays as it is).
        `incomplete`: only its id is known (added offline); a later lookup fills it in."""
        op = library.AddBookmark(paper, tags=tuple(tags), note=note, incomplete=incomplete)
        return self._apply(op, save)

    def remove_bookmark(self, paper_id: str, *, save: bool = False) -> Change:
        return self._apply(library.RemoveBookmark(paper_id), save)

    def set_tags(self, paper_id: str, tags: Sequence[str], *, save: bool = False) -> Change:
        return self._apply(library.SetTags(paper_id, tuple(tags)), save)

    def set_note(self, paper_id: str, note: str, *, save: bool = False) -> Change:
        return self._apply(library.SetNote(paper_id, note), save)

    def set_position(self, paper_id: str, offset: int, *, save: bool = False) -> Change:
        """Remember where the reading view stopped in a paper (0: at the top). Not a change
        to undo: a place in a paper is not a decision."""
        change = self.store.apply(library.SetPosition(paper_id, offset), save=save, undoable=False)
        return Change(change.changed, "", change.notices)

    def position(self, paper_id: str) -> int:
        """Where the reading view last stopped in a paper (0: never opened, or at the top)."""
        return self.store.state.positions.get(paper_id, 0)

    def undo(self, *, save: bool = False) -> Change:
        """Take back the newest change; `summary` names it ("" when there was none)."""
        change = self.store.undo(save=save)
        if change is None or change.undone is None:
            return Change(False, "")
        return Change(change.changed, change.undone.describe(), change.notices)

    def refresh_snapshot(self, paper: Paper) -> None:
        """Take a newer record of a bookmarked paper into its snapshot (not undoable, saved
        with the next save); its tags, note and citation key stay as they are."""
        if paper.id in self.store.state.bookmarks:
            self.store.apply(library.UpdateSnapshot(paper), save=False, undoable=False)

    def save(self) -> tuple[str, ...]:
        """Make queued changes durable (the journal: a small write, whatever the size of the
        state) and pick up other instances'; safe from a worker thread."""
        return self.store.flush()

    def fold(self) -> tuple[str, ...]:
        """Write the journal into the state file (the whole file: run it in a worker)."""
        return self.store.fold()

    @property
    def fold_is_quick(self) -> bool:
        """Folding now would be quick enough to wait for (a small state file)."""
        return self.store.file_size <= QUICK_FOLD_BYTES

    def close(self) -> tuple[str, ...]:
        """Before the process ends: everything durable, and folded into the file unless that
        would keep the user waiting (then the journal holds it until the next fold)."""
        if not self.store.loaded:
            return ()
        notices = self.store.flush()
        if self.store.unfolded and (self.fold_is_quick or not self.store.interactive):
            notices += self.store.fold()
        return notices

    async def complete_bookmarks(self, feeds: Feeds, *, offline: bool = False) -> Completion:
        """Look up the bookmarks stored with only what was known (an id added offline, a
        citation imported): what Hugging Face knows fills in what they lack, never what they
        say. A citation Hugging Face does not know is kept as imported, and not asked again."""
        from paperterm.exchange.merge import enrich_paper

        filled = missing = 0
        for bookmark in list(self.store.state.bookmarks.values()):
            if not needs_details(bookmark):
                continue
            found = await feeds.look_up(bookmark.id, offline=offline)
            if found.paper is not None and found.paper.title:
                paper = enrich_paper(bookmark.paper, found.paper)
                self.store.apply(library.UpdateSnapshot(paper), save=False, undoable=False)
                filled += 1
            elif found.unknown and bookmark.incomplete and is_citable(bookmark):
                self.store.apply(library.UpdateSnapshot(bookmark.paper), save=False, undoable=False)
                missing += 1
            elif found.unreachable:
                break  # the others would fail the same way, each after its own wait
        return Completion(filled, missing)

    def _apply(self, op: Operation, save: bool) -> Change:
        change = self.store.apply(op, save=save)
        return Change(change.changed, op.describe(), change.notices)


def display_paper(bookmark: Bookmark) -> Paper:
    """A bookmark's snapshot as shown: one stored offline says what is missing, and one
    without a title (a hand edit, an import) is never a blank row."""
    if bookmark.incomplete and not bookmark.paper.title:
        return replace(bookmark.paper, title=f"arXiv {bookmark.id} (details not fetched yet)")
    if not bookmark.paper.title.strip():
        return replace(bookmark.paper, title=f"(untitled {bookmark.id})")
    return readable(bookmark).paper


def needs_details(bookmark: Bookmark) -> bool:
    """A bookmark a lookup should complete: stored with its id only, or without a title."""
    return bookmark.incomplete or not bookmark.paper.title.strip()


def readable(bookmark: Bookmark) -> Bookmark:
    """`bookmark` with its title's TeX escapes as characters: ingest cleans them since this
    version, and a snapshot taken before is never fetched again."""
    title = bookmark.paper.title
    if "\\" not in title:
        return bookmark
    from paperterm.clean import unescape_tex  # rarely needed: not loaded with the state

    if (clean := unescape_tex(title)) == title:
        return bookmark
    return replace(bookmark, paper=replace(bookmark.paper, title=clean))


def is_citable(bookmark: Bookmark) -> bool:
    """Whether a citation can be written from the bookmark's own snapshot: a looked-up
    paper, or one whose import gave its title and authors."""
    return not bookmark.incomplete or bool(bookmark.paper.title and bookmark.paper.authors)
