"""A list's papers as rows of the search index, kept for the next keystroke.

Filtering a list keeps the index's matches to the list's papers, in the list's order. Sent
as JSON and looked up by id in every query, a list of 100k papers costs about 100 ms a
keystroke before any word is matched. Instead the list goes once into a temporary table of
the connection (``temp.search_scope``: index row → place in the list), which the queries
join on their matched rows only. A small table beside it says which list that is: a digest
of its ids, and the connection's view of the cache (``PRAGMA data_version``, which any other
connection's commit moves, and the connection's own count of changes), so the table is made
again for another list or once the cache changed (a fetch renumbers nothing, but a rebuilt
index does).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

TABLE = "temp.search_scope"


def scope_rows(db: sqlite3.Connection, ids: Sequence[str]) -> tuple[int, int] | None:
    """Make `TABLE` hold `ids` (unless it does already): each indexed paper's row and its
    first place in `ids`. The range of their rows; None when some id is not indexed."""
    # The table lives as long as the connection, within this process: Python's own string
    # hash (64 bits, keyed at random per process) tells two lists apart without loading
    # hashlib (2 ms of a `list --filter`).
    digest = hash("\n".join(ids))
    version = db.execute("PRAGMA data_version").fetchone()[0]
    try:
        row = db.execute(
            "SELECT digest, version, changes, low, high, missing FROM temp.search_scope_of"
        ).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        # The connection's first list: its temporary tables are kept in memory, never in a
        # file of a temporary directory that may be full or missing.
        db.execute("PRAGMA temp_store = MEMORY")
        db.execute(
            "CREATE TEMP TABLE search_scope_of (digest INTEGER, version INTEGER, changes INTEGER, "
            "low INTEGER, high INTEGER, missing INTEGER)"
        )
        row = None
    if row is None or row[:3] != (digest, version, db.total_changes):
        row = _fill(db, ids, digest, version)
    low, high, missing = row[3:]
    return None if missing else (low, high)


def _fill(
    db: sqlite3.Connection, ids: Sequence[str], digest: int, version: int
) -> tuple[object, ...]:
    # One transaction (its first statement opens it, the schema changes belong to it): a fill
    # that is interrupted (a newer keystroke) leaves the table and its key as they were.
    with db:
        db.execute("DELETE FROM temp.search_scope_of")
        db.execute(f"DROP TABLE IF EXISTS {TABLE}")
        db.execute("CREATE TEMP TABLE search_scope (doc INTEGER PRIMARY KEY, pos INTEGER NOT NULL)")
        found = db.execute(
            f"INSERT INTO {TABLE} (doc, pos) SELECT d.doc, min(CAST(j.key AS INTEGER)) "
            "FROM json_each(?) AS j JOIN search_docs AS d ON d.id = j.value GROUP BY d.doc",
            (json.dumps(list(ids)),),
        ).rowcount
        low, high = db.execute(
            f"SELECT coalesce(min(doc), 0), coalesce(max(doc), -1) FROM {TABLE}"
        ).fetchone()
        # The connection's count of changes once this one row is in (`total_changes` counts
        # each row inserted, updated or deleted).
        row = (digest, version, db.total_changes + 1, low, high, len(set(ids)) - found)
        db.execute("INSERT INTO temp.search_scope_of VALUES (?, ?, ?, ?, ?, ?)", row)
    return row
