"""The feed cache's schema: its application id, and each version's statements
(`paperterm.feed.cache` says what each table holds; the search index's are in
`paperterm.feed.searchschema`)."""

from __future__ import annotations

from paperterm.feed import searchschema
from paperterm.tally import TALLY_TABLE

APPLICATION_ID = 0x50545043  # "PTPC"
# Each version's statements, run in order on a new cache (from 1) or an older one (every step
# above its version): a cache is migrated in place, never thrown away for being old. Numbers
# are reserved per branch, so a step may be missing (a gap is skipped, not an error).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE IF NOT EXISTS papers (id TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, data TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS feeds (spec TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, ids TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS latest (kind TEXT PRIMARY KEY, spec TEXT NOT NULL)",
    ),
    2: ("ALTER TABLE feeds ADD COLUMN complete INTEGER NOT NULL DEFAULT 1",),
    3: (
        "CREATE TABLE IF NOT EXISTS history (spec TEXT NOT NULL, at INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (spec, at))",
        "CREATE TABLE IF NOT EXISTS marks (name TEXT PRIMARY KEY, at INTEGER NOT NULL, ids TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        TALLY_TABLE,
    ),
    4: (
        "CREATE TABLE IF NOT EXISTS paper_texts (id TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, "
        "body BLOB NOT NULL, parsed BLOB, parser INTEGER NOT NULL DEFAULT 0)",
        "CREATE TABLE IF NOT EXISTS linked (id TEXT PRIMARY KEY, fetched_at TEXT NOT NULL, data TEXT NOT NULL)",
    ),
    5: searchschema.MIGRATION_5,  # the search index
    6: searchschema.MIGRATION_6,  # its vocabulary appended at each store
    7: searchschema.MIGRATION_7,  # and kept by word length
}
SCHEMA_VERSION = max(MIGRATIONS)
