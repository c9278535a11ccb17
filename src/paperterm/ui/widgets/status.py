"""StatusLine: which feed, how many papers, and how fresh they are — honestly.

The freshness part is one of "updated 3 min ago", "refreshing…" (with a spinner), "offline —
cached 2 h ago", "sample feed (offline)" or "no cached copy (offline)". The screen sets the
facts; this widget only formats them, and re-renders once a minute so ages stay true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from paperterm.models import describe_age

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


@dataclass(frozen=True, slots=True)
class Status:
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


class StatusLine(Horizontal):
    """The line at the top of the reader."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $text;
    }
    StatusLine > #status-feed { width: auto; padding: 0 1; text-style: bold; color: $paper-accent; }
    StatusLine > #status-counts { width: 1fr; padding: 0 1; color: $text-muted; }
    StatusLine > #status-fresh { width: auto; padding: 0 1; }
    StatusLine > #status-problem { width: auto; padding: 0 1; color: $error; text-style: bold; }
    StatusLine > #status-problem.-empty { display: none; }
    StatusLine.-offline > #status-fresh { color: $warning; }
    StatusLine.-error > #status-fresh { color: $error; }
    """

    def __init__(self, clock: Callable[[], dt.datetime], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.status = Status()
        self._frame = 0
        self._spinner: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="status-feed", markup=False)
        yield Static(id="status-counts", markup=False)
        yield Static(id="status-problem", markup=False, classes="-empty")
        yield Static(id="status-fresh", markup=False)

    def on_mount(self) -> None:
        self.set_interval(60, self._render_status)
        self._render_status()

    def show(self, **changes: object) -> None:
        """Change some facts and redraw."""
        self.status = replace(self.status, **changes)  # type: ignore[arg-type]
        refreshing = self.status.freshness in ("refreshing", "ranking")
        if refreshing and self._spinner is None:
            self._spinner = self.set_interval(0.1, self._spin)
        elif not refreshing and self._spinner is not None:
            self._spinner.stop()
            self._spinner = None
        self._render_status()

    def _spin(self) -> None:
        self._frame += 1
        self._render_status()

    def _render_status(self) -> None:
        if not self.is_mounted:
            return
        status = self.status
        self.set_class(status.freshness in ("offline", "sample", "missing", "busy"), "-offline")
        self.set_class(status.freshness == "error", "-error")
        _update(self.query_one("#status-feed", Static), status.feed)
        _update(self.query_one("#status-counts", Static), counts_text(status))
        problem = self.query_one("#status-problem", Static)
        _update(problem, "⚠ not saved" if status.problem else "")
        problem.set_class(not status.problem, "-empty")
        problem.tooltip = Content(status.problem) if status.problem else None
        fresh = self.query_one("#status-fresh", Static)
        _update(fresh, freshness_text(status, self.clock(), self._frame))
        fresh.tooltip = Content(status.detail) if status.detail else None


def _update(widget: Static, text: str) -> None:
    """Update only on a change: each update lays the status line out again."""
    if str(widget.content) != text:
        widget.update(Content(text))
