"""The bundled sample feed: real papers shown on a first run without network."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib.resources import files

from paperterm.feed.ingest import ingest_items
from paperterm.models import Paper


@cache
def sample_feed() -> tuple[tuple[Paper, ...], dt.datetime]:
    """The sample's papers and when they were captured."""
    raw = json.loads((files("paperterm.feed") / "sample_feed.json").read_text("utf-8"))
    captured = dt.datetime.fromisoformat(raw["captured_at"].replace("Z", "+00:00"))
    return tuple(ingest_items(raw["items"], captured, "daily").papers), captured
