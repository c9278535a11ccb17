"""Since you last looked: which papers are new on a list, how the others moved, how fast each
gains upvotes, and the marks that remember every look.

A *look* is what the reader showed of a list: its ids in order and when, kept in the feed
cache as the mark ``seen:<list>`` (``seen:trending``, ``seen:daily:2026-08-21``,
``seen:saved:rl``). The next visit compares the list with that mark: a paper not in it is
new, a paper in it moved by the difference of its places. A list never looked at is compared
with its oldest kept snapshot, so papers fetched by cron before the first visit still show
as new.

These marks live in the cache, not in ``state.toml``: they are only meaningful beside the
snapshots they are compared with (which are the cache's), they change on every visit (a state
file kept in git would get a commit's worth of noise a day), and the status line reads them
with one query. Losing the cache loses them along with the history they refer to; the next
visit starts afresh.

Velocity is upvotes gained per day between the oldest and the newest observation of a paper
in the last two days of snapshots (of any list), at least an hour apart.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence

from paperterm.feed import FeedCache
from paperterm.feed.history import Mark, Snapshot
from paperterm.models import Clock
from paperterm.records import Record, field
from paperterm.tally import describe_moment

VELOCITY_WINDOW = dt.timedelta(days=2)
MIN_SPAN = dt.timedelta(hours=1)


class Baseline(Record, frozen=True):
    """What a list looked like at the last look (or, never looked at, at its first fetch)."""

    at: dt.datetime
    ids: tuple[str, ...]
    looked: bool = True  # False: the list's oldest snapshot stands in for a look


class Changes(Record, frozen=True):
    """A list compared with its baseline: the new papers, and places gained (+) or lost (-)."""

    since: dt.datetime | None = None
    new: frozenset[str] = frozenset()
    moved: Mapping[str, int] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return bool(self.new or self.moved)

    def movement(self, paper_id: str) -> str:
        """ "NEW", "↑3", "↓12" or ""."""
        if paper_id in self.new:
            return "NEW"
        step = self.moved.get(paper_id, 0)
        return f"↑{step}" if step > 0 else f"↓{-step}" if step < 0 else ""


def compare(baseline: Baseline | None, ids: Sequence[str]) -> Changes:
    """`ids` (a list in order) against what was seen: new ones, and how far the others moved."""
    if baseline is None:
        return Changes()
    before = {paper_id: place for place, paper_id in enumerate(baseline.ids)}
    new = frozenset(i for i in ids if i not in before)
    moved = {
        paper_id: before[paper_id] - place
        for place, paper_id in enumerate(ids)
        if paper_id in before and before[paper_id] != place
    }
    return Changes(baseline.at, new, moved)


class Velocity(Record, frozen=True):
    """Upvotes gained per day, measured over `hours`."""

    per_day: float
    hours: float

    @property
    def text(self) -> str:
        """ "+42/day over 18 h", "+0.5/day over 2 days"."""
        rate = f"{self.per_day:+.0f}" if abs(self.per_day) >= 10 else f"{self.per_day:+.1f}"
        span = f"{self.hours:.0f} h" if self.hours < 48 else f"{self.hours / 24:.0f} days"
        return f"{rate}/day over {span}"


def velocities(snapshots: Iterable[Snapshot]) -> dict[str, Velocity]:
    """Each paper's velocity between its oldest and newest observation in `snapshots`."""
    first: dict[str, tuple[dt.datetime, int]] = {}
    last: dict[str, tuple[dt.datetime, int]] = {}
    for snap in snapshots:
        for entry in snap.entries:
            seen = (snap.at, entry.upvotes)
            if entry.id not in first or snap.at < first[entry.id][0]:
                first[entry.id] = seen
            if entry.id not in last or snap.at >= last[entry.id][0]:
                last[entry.id] = seen
    found = {}
    for paper_id, (start, up_start) in first.items():
        end, up_end = last[paper_id]
        span = end - start
        if span >= MIN_SPAN:
            days = span.total_seconds() / 86400
            found[paper_id] = Velocity((up_end - up_start) / days, span.total_seconds() / 3600)
    return found


class Since:
    """Looks, baselines and velocities over the feed cache. Methods that say so are safe from
    a worker thread: they read and write through a connection of their own."""

    def __init__(self, cache: FeedCache, clock: Clock) -> None:
        self.cache = cache
        self.clock = clock

    def baseline(self, name: str, *, cache: FeedCache | None = None) -> Baseline | None:
        """What `name` (a list: ``trending``, ``saved:rl`` …) was at the last look; for a feed
        never looked at, its oldest snapshot; None when there is neither."""
        history = (cache or self.cache).history
        mark = history.mark(f"seen:{name}")
        if mark is not None:
            return Baseline(mark.at, mark.ids)
        first = None if name.startswith("saved:") else history.first(name)
        return None if first is None else Baseline(first.at, first.ids, looked=False)

    def mark(self, name: str) -> Mark | None:
        """The last look of list `name`. Safe from a worker thread."""
        with _own(self.cache) as cache:
            return cache.history.mark(f"seen:{name}")

    def look(self, name: str, ids: Sequence[str]) -> None:
        """Remember that `ids` of list `name` were on screen now. Safe from a worker thread.
        A cache that cannot be written (read-only, full) costs the markers of the next visit,
        never the reader: the reason becomes a notice."""
        try:
            with _own(self.cache) as cache:
                cache.history.set_marks([Mark(f"seen:{name}", self.clock(), tuple(ids))])
        except sqlite3.Error as exc:
            self.cache.notices.append(f"could not remember what {name} showed: {exc}")

    def velocity(self) -> dict[str, Velocity]:
        """Every paper's velocity over the last two days of snapshots, of the feeds fetched
        more than once in them (a first fetch of 28 months leaves hundreds of snapshots,
        each alone: they say nothing of movement and would cost 0.1 s a view to read). Safe
        from a worker."""
        with _own(self.cache) as cache:
            recent = cache.history.snapshots(since=self.clock() - VELOCITY_WINDOW, repeated=True)
        return velocities(recent)


class _own:
    """A connection of this thread's own to the same cache, closed afterwards."""

    def __init__(self, cache: FeedCache) -> None:
        self._cache = FeedCache(cache.path, busy_timeout=cache.busy_timeout)
        self._notices = cache.notices

    def __enter__(self) -> FeedCache:
        return self._cache

    def __exit__(self, *exc: object) -> None:
        self._notices.extend(self._cache.notices)
        self._cache.close()


class LazyVelocity(Mapping[str, float]):
    """Upvotes per day by paper id, read from the history on first use: a search context is
    built for every keystroke, and only ``sort:hot`` looks at it. Safe from a worker thread."""

    def __init__(self, since: Since) -> None:
        self._since = since
        self._found: dict[str, float] | None = None

    def _values(self) -> dict[str, float]:
        if self._found is None:
            self._found = {k: v.per_day for k, v in self._since.velocity().items()}
        return self._found

    def __getitem__(self, key: str) -> float:
        return self._values()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())

    def __len__(self) -> int:
        return len(self._values())


def since_text(changes: Changes, now: dt.datetime) -> str:
    """ "7 new since yesterday 18:02" ("" when nothing is new)."""
    if not changes.new or changes.since is None:
        return ""
    return f"{len(changes.new)} new since {describe_moment(changes.since, now)}"
