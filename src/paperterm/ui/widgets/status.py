"""StatusLine: which feed, how many papers, and how fresh they are — honestly.

The freshness part is one of "updated 3 min ago", "refreshing…" (with a spinner), "offline —
cached 2 h ago", "sample feed (offline)" or "no cached copy (offline)". The screen sets the
facts; this widget only formats them, and re-renders once a minute so ages stay true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

from textual import events
from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget

from paperterm.models import describe_age
from paperterm.records import Record, replace

Freshness = Literal[
    "fresh",
    "refreshing",
    "offline",
    "sample",
    "missing",
    "error",
    "local",
    "busy",
    "ranking",
    "ranked",
    "searched",
]
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Status(Record, frozen=True):
    """What the status line says."""

    feed: str = ""
    shown: int = 0
    total: int = 0
    unread: int = 0
    bookmarked: int | None = 0  # None: a list that leaves bookmarks out (For you)
    freshness: Freshness = "fresh"
    fetched_at: dt.datetime | None = None
    detail: str = ""  # the reason behind "offline"/"error", shown as a tooltip
    problem: str = ""  # a standing problem with the state file (not saved, read-only)
    marks_known: bool = True  # False while the reading state is still loading
    more: bool = False  # the server has more papers than were fetched
    since: str = ""  # "7 new since yesterday 18:02": what changed since the last look


def counts_text(status: Status) -> str:
    shown = (
        f"{status.shown} of {status.total}" if status.shown != status.total else str(status.total)
    )
    noun = "paper" if status.total == 1 else "papers"
    more = "+" if status.more and status.shown == status.total else ""
    if not status.marks_known:
        return f"{shown}{more} {noun} · loading your reading state…"
    counts = f"{shown}{more} {noun} · {status.unread} unread"
    if status.bookmarked is not None:
        counts += f" · {status.bookmarked} bookmarked"
    return f"{counts} · {status.since}" if status.since else counts


def freshness_text(status: Status, now: dt.datetime, frame: int = 0) -> str:
    age = describe_age(now - status.fetched_at) if status.fetched_at else "never"
    if status.fetched_at and status.fetched_at > now:
        age = "just now"
    match status.freshness:
        case "refreshing":
            return f"{SPINNER[frame % len(SPINNER)]} refreshing…"
        case "offline":
            return f"offline — cached {age}"
        case "sample":
            return "sample feed (offline)"
        case "missing":
            return "no cached copy (offline)"
        case "error":
            return f"refresh failed — cached {age}"
        case "local":
            return "saved snapshots"
        case "busy":
            return "cache busy — retrying"
        case "ranking":
            return f"{SPINNER[frame % len(SPINNER)]} ranking…"
        case "ranked":
            return "ranked on this machine"
        case "searched":
            return "searched in the cache"
    return f"updated {age}"


class StatusLine(Widget):
    """The line at the top of the reader: one widget drawing its parts as one line of text
    (an update redraws it; four Statics laid out again on every count change cost more, and
    a fifth of the first frame's composing)."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $text;
    }
    """

    def __init__(self, clock: Callable[[], dt.datetime], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.status = Status()
        self._frame = 0
        self._spinner: Timer | None = None
        self._tips: list[tuple[int, int, str]] = []  # (start, end, tooltip) along the line

    def on_mount(self) -> None:
        self.set_interval(60, self.refresh)

    def show(self, **changes: object) -> None:
        """Change some facts and redraw."""
        self.status = replace(self.status, **changes)
        refreshing = self.status.freshness in ("refreshing", "ranking")
        if refreshing and self._spinner is None:
            self._spinner = self.set_interval(0.1, self._spin)
        elif not refreshing and self._spinner is not None:
            self._spinner.stop()
            self._spinner = None
        self.refresh()

    def _spin(self) -> None:
        self._frame += 1
        self.refresh()

    def render(self) -> Content:
        """The feed, the counts (cropped to what is left), a problem, the freshness."""
        status = self.status
        feed = Content.styled(f" {status.feed} ", "bold $paper-accent")
        fresh_style = (
            "$error" if status.freshness == "error" else
            "$warning" if status.freshness in ("offline", "sample", "missing", "busy") else ""
        )  # fmt: skip
        fresh = Content.styled(
            f" {freshness_text(status, self.clock(), self._frame)} ", fresh_style
        )
        problem = Content.styled(" ⚠ not saved ", "bold $error") if status.problem else Content()
        room = self.size.width - feed.cell_length - problem.cell_length - fresh.cell_length
        counts = Content.styled(f" {counts_text(status)} ", "$text-muted")
        counts = counts.truncate(max(room, 0), ellipsis=True, pad=True)
        start = feed.cell_length + counts.cell_length
        self._tips = [(start, start + problem.cell_length, status.problem)]
        start += problem.cell_length
        self._tips.append((start, start + fresh.cell_length, status.detail))
        return Content.assemble(feed, counts, problem, fresh)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """The problem's and the freshness's reasons, as tooltips."""
        tip = next((t for start, end, t in self._tips if start <= event.x < end and t), None)
        self.tooltip = Content(tip) if tip else None
