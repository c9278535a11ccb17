"""Title highlights: where a query's title words and phrases matched, as offsets into the
original title (folding may change a title's length; the offsets undo that)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz.distance import OSA

from paperterm.query._text import (
    INSIDE_MIN,
    WORD,
    find_at_word_start,
    fold,
    phrase_text,
    typo_budget,
)
from paperterm.query.parse import Query, Span, TextTerm


def highlight_spans(title: str, query: Query) -> tuple[Span, ...]:
    """Character ranges of `title` that the query's title words and phrases matched, sorted
    and merged; offsets index the original string."""
    words, phrases = _title_needles(query)
    if not words and not phrases:
        return ()
    folded, origin = _fold_with_origin(title)
    spans: list[Span] = []
    for match in WORD.finditer(folded):
        token = match.group()
        for word in words:
            found = _word_span_in(token, word, inside=True)
            if found:
                spans.append((match.start() + found[0], match.start() + found[1]))
    for phrase in phrases:
        at = find_at_word_start(folded, phrase)
        while at >= 0:
            spans.append((at, at + len(phrase)))
            at = find_at_word_start(folded, phrase, at + 1)
    if origin is None:
        return _merge(spans)
    return _merge((origin[a], _past_marks(title, origin[b - 1] + 1)) for a, b in spans if b > a)


def _past_marks(text: str, end: int) -> int:
    """`end` moved past the combining marks that folding dropped, so an accent stays lit."""
    while end < len(text) and not fold(text[end]):
        end += 1
    return end


@lru_cache(maxsize=64)
def _title_needles(query: Query) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words: dict[str, None] = {}
    phrases: dict[str, None] = {}
    for term in query.terms:
        if isinstance(term, TextTerm) and not term.negated and term.field in ("any", "title"):
            if term.phrase:
                phrases[phrase_text(term.value)] = None
            else:
                words.update(dict.fromkeys(WORD.findall(fold(term.value))))
    return tuple(words), tuple(p for p in phrases if p)


def _fold_with_origin(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, unless folding kept every offset, each folded char's origin."""
    if text.isascii():
        return text.lower(), None
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = fold(char)
        parts.append(folded)
        origin.extend([index] * len(folded))
    return "".join(parts), origin


def _merge(spans: Iterable[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _word_span_in(token: str, word: str, inside: bool) -> tuple[int, int] | None:
    """Where `word` matches the folded text word `token` (offsets into token), or None."""
    if token.startswith(word):
        return 0, len(word)
    if inside and len(word) >= INSIDE_MIN and (at := token.find(word)) > 0:
        return at, at + len(word)
    budget = typo_budget(word)
    best: tuple[int, int] | None = None
    for length in range(len(word) - budget, len(word) + budget + 1):
        whole_only = length < len(word)
        if length > len(token) or (whole_only and length != len(token)):
            continue
        distance = OSA.distance(word, token[:length], score_cutoff=budget)
        if distance <= budget and (best is None or distance <= best[0]):
            best = distance, length
    return (0, best[1]) if best else None
