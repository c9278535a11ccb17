"""A few hundred real papers for the recommendation tests, and topics among them."""

from __future__ import annotations

from functools import cache

from hf_data import NOW, day_index, day_items

from paperterm.feed.ingest import ingest_items
from paperterm.models import Paper
from paperterm.query._text import find_at_word_start, fold

DAYS = 40  # the last 40 feed days of the fixtures: 804 papers


@cache
def _papers() -> tuple[Paper, ...]:
    days = sorted(day_index())[-DAYS:]
    items = [item for day in days for item in day_items(day)]
    return tuple(ingest_items(items, NOW, "daily").papers)


def recent_papers() -> list[Paper]:
    """The papers of the last 40 fixture days, in feed order."""
    return list(_papers())


def about(paper: Paper, phrase: str) -> bool:
    """The benchmark's relevance: `phrase` in the paper's AI keywords, title or abstract."""
    wanted = fold(phrase)
    texts = (paper.title, paper.abstract, "\n".join(paper.ai_keywords))
    return any(find_at_word_start(fold(text), wanted) >= 0 for text in texts)


def titled(phrase: str, count: int) -> list[Paper]:
    """The first `count` papers (by id) with `phrase` in their title: clearly about it."""
    wanted = fold(phrase)
    found = sorted((p for p in _papers() if wanted in fold(p.title)), key=lambda p: p.id)
    return found[:count]
