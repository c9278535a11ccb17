"""Real Hugging Face API responses from tests/fixtures/hf-api (see its SOURCES.md)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

from paperterm.feed.ingest import ingest_items
from paperterm.models import Paper

FIXTURES = Path(__file__).parent / "fixtures" / "hf-api"
# The tests' fixed clock: the afternoon of the last feed day in the fixtures.
NOW = dt.datetime(2026, 8, 21, 15, 0, tzinfo=dt.UTC)
COLLECTION = FIXTURES / "collection" / "daily_papers_items.jsonl.gz"


def load(relative: str) -> Any:
    """A fixture file by its path under fixtures/hf-api, parsed."""
    return json.loads((FIXTURES / relative).read_text("utf-8"))


@cache
def _collection() -> tuple[str, ...]:
    with gzip.open(COLLECTION, "rt", encoding="utf-8") as lines:
        return tuple(lines)


def collection_items() -> list[dict[str, Any]]:
    """All 9,881 items of 580 feed days, days ascending, API order within a day."""
    return [json.loads(line) for line in _collection()]


@cache
def day_index() -> dict[str, tuple[int, int]]:
    """feed day -> (first line, count) in the collection."""
    index = load("collection/index.json")
    return {d["date"]: (d["first_line"], d["count"]) for d in index["days"]}


def day_items(day: str) -> list[dict[str, Any]]:
    """A day's items exactly as `?date=DAY` returned them (upvotes descending)."""
    first, count = day_index()[day]
    return [json.loads(line) for line in _collection()[first : first + count]]


def fixture_papers(relative: str = "daily_papers/raw/date_2024-03-12.json") -> list[Paper]:
    """The papers of one fixture response, ingested as fetched at NOW."""
    return ingest_items(load(relative), NOW, "daily").papers


@cache
def _collection_papers() -> tuple[Paper, ...]:
    return tuple(ingest_items(collection_items(), NOW, "daily").papers)


def collection_papers() -> list[Paper]:
    """The collection's 9,877 distinct papers, ingested as fetched at NOW (in day order)."""
    return list(_collection_papers())
