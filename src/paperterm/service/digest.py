"""`paperterm digest`: what is new on some feeds since the last digest of the same name.

A digest's memory is one mark per feed in the feed cache, ``digest:NAME:FEED`` (the feed as
asked for, so ``daily`` compares each new day with what was sent before): the ids already
told and when. `prepare` works out what is new without recording anything; the command
writes the output, and only then `record`s the marks, so a digest that could not be written
(a full disk, a closed pipe) is sent again next time rather than lost.

``--since`` overrides the memory: ``24h``, ``7d`` (papers in no snapshot of the feed taken
that long ago or earlier), a date (``2026-08-20``: in none taken before that day, UTC).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Sequence

from paperterm.exchange.digest import Digest, DigestItem, render_digest
from paperterm.exchange.formats import DIGEST_FORMATS
from paperterm.feed.history import Mark
from paperterm.models import FeedSpec
from paperterm.records import Record
from paperterm.service import CacheBusy, CacheWriteError, PaperService
from paperterm.service.publish import current
from paperterm.tally import describe_moment

__all__ = ["DIGEST_FORMATS", "DigestError", "PreparedDigest", "prepare", "record", "render_digest"]

MARK_MAX = 5000  # ids remembered per feed: more than any feed lists, fewer than a year's
_DURATION = re.compile(r"^(\d{1,4})([hdw])$")


class DigestError(ValueError):
    """A --since that is neither ``last``, a duration nor a date."""


class PreparedDigest(Record, frozen=True):
    """What to send, and the marks to record once it is sent."""

    digest: Digest
    marks: tuple[Mark, ...]
    notes: tuple[str, ...] = ()


def since_moment(text: str, now: dt.datetime) -> dt.datetime | None:
    """The moment `--since TEXT` means; None for ``last`` (the digest's own memory)."""
    text = text.strip().lower()
    if text in ("", "last"):
        return None
    if match := _DURATION.match(text):
        hours = {"h": 1, "d": 24, "w": 168}[match.group(2)] * int(match.group(1))
        return now - dt.timedelta(hours=hours)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise DigestError(
            f"--since: expected last, a duration (24h, 7d, 2w) or a date, got {text!r}"
        ) from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


async def prepare(
    service: PaperService,
    specs: Sequence[FeedSpec],
    *,
    name: str,
    since: str = "last",
    limit: int | None = None,
    offline: bool = False,
) -> PreparedDigest:
    """What is new on `specs` for the digest `name`, best first (most upvotes); nothing is
    recorded (see `record`)."""
    now = service.clock()
    moment = since_moment(since, now)
    history = service.feeds.cache.history
    items: dict[str, DigestItem] = {}
    listed: list[tuple[str, tuple[str, ...], list[str]]] = []  # mark, told before, listed now
    notes: list[str] = []
    told_at: list[dt.datetime] = []
    for spec in specs:
        view, feed_notes = await current(service, spec, offline=offline)
        notes += feed_notes
        key = f"digest:{name}:{view.requested}"
        previous = history.mark(key)
        if moment is None:
            told = set(previous.ids) if previous else set()
            if previous:
                told_at.append(previous.at)
        else:
            told = history.seen_until(moment, [str(view.spec)])
        for place, paper in enumerate(view.papers, 1):
            if paper.id not in told and paper.id not in items:
                items[paper.id] = DigestItem(paper, view.spec.label, place)
        listed.append((key, previous.ids if previous else (), [p.id for p in view.papers]))
    ranked = sorted(items.values(), key=lambda item: -item.paper.upvotes)[:limit]
    # Told: what was told before, and what is listed now except the new papers left out by
    # --limit (they are still new next time).
    left_out = set(items) - {item.paper.id for item in ranked}
    marks = []
    for key, before, ids in listed:
        kept = [*before, *(i for i in ids if i not in left_out)]
        newest_first = list(dict.fromkeys(reversed(kept)))[:MARK_MAX]
        marks.append(Mark(key, now, tuple(reversed(newest_first))))
    if moment is not None:
        when = f"since {describe_moment(moment, now)}"
    elif told_at:
        when = f"since the last digest ({describe_moment(min(told_at), now)})"
    else:
        when = "(first digest)"
    labels = ", ".join(str(spec) for spec in specs)
    digest = Digest(f"paperterm digest: {labels}", when, tuple(ranked))
    return PreparedDigest(digest, tuple(marks), tuple(notes))


def record(service: PaperService, prepared: PreparedDigest) -> None:
    """Remember that `prepared` was sent (all its feeds in one transaction). Raises
    `CacheWriteError` when the cache cannot be written: the next digest repeats this one."""
    try:
        service.feeds.cache.history.set_marks(prepared.marks)
    except (sqlite3.Error, CacheBusy) as exc:
        raise CacheWriteError(f"the digest was written but not recorded as sent: {exc}") from None
