"""The counts `paperterm status` prints, computed the full way and kept in the cache's tally.

`paperterm.tally.quick` answers a status bar from a row of the ``tally`` table while what it
was computed from still holds; when it cannot, the command line comes here: the feed from the
cache (never the network), what is new since the last look of it (`paperterm.service.since`),
what is unread by the reading state, and then the row is written for the next call. The row
is written only when the state file did not change while it was counted, so a row never holds
a count older than the identities it carries.
"""

from __future__ import annotations

import sqlite3
from contextlib import suppress

from paperterm import tally
from paperterm.feed.history import seconds
from paperterm.models import FeedSpec
from paperterm.service import CacheBusy, FeedView, PaperService
from paperterm.service.since import compare


def status_counts(service: PaperService, spec: FeedSpec, feed_arg: str = "") -> tally.Counts:
    """The counts of `spec` (given on the command line as `feed_arg`, "" for the default feed),
    stored in the tally for `tally.quick`."""
    cache = service.feeds.cache
    generation = cache.history.generation()
    state_file = str(service.state_file)
    state_before = tally.state_identity(state_file)
    config = str(service.paths.config_file)
    config_identity = tally.file_identity(config)
    if spec.kind == "saved":  # over everything cached: the tally's generation covers it
        found = service.saved.papers(spec.value or "")
        view = FeedView(spec, spec, tuple(found), service.clock(), "cache")
    else:
        view = service.feeds.cached(spec)
    ids = [paper.id for paper in view.papers] if view.origin == "cache" else []
    baseline = service.since.baseline(str(view.spec)) if ids else None
    changes = compare(baseline, ids)
    service.load_state()
    read = service.triage.state.read
    updated = seconds(view.fetched_at) if view.fetched_at and view.origin == "cache" else 0
    counts = tally.Counts(
        view.spec.label,
        len(changes.new),
        sum(1 for paper_id in ids if paper_id not in read),
        len(ids),
        updated,
        seconds(baseline.at) if baseline else None,
    )
    if tally.state_identity(state_file) == state_before:
        row = (
            feed_arg, generation, tally.place(), f"{config}\0{config_identity}", state_file,
            state_before, counts.label, counts.new, counts.unread, counts.total, counts.updated,
            counts.since,
        )  # fmt: skip

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO tally (feed, generation, place, config, state_file, "
                "state, label, new, unread, total, updated, since) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

        # A cache that cannot be written: the line is still right, the next call computes it too.
        with suppress(sqlite3.Error, CacheBusy):
            cache.write(write)
    return counts
