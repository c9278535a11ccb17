"""The filter language: parse a query line, then match and rank papers against it.

This module owns the query language shared by the filter bar and ``--filter``, and the index
that answers it. It does no I/O and imports neither Textual nor Rich.

The language
============
Terms are separated by whitespace and must all hold. Any term can be negated with ``-``.

* ``word``: fuzzy over title, authors, AI keywords and abstract (see Matching).
* ``"exact phrase"``: these words in this order, starting at the start of a word; no typos.
* ``title:``, ``author:``, ``kw:`` take a word or a ``"phrase"`` and look in that field only
  (``author:"Full Name"`` is a phrase inside one author's name).
* ``org:NAME`` the organisation's name contains NAME at the start of a word;
  ``tag:NAME`` one of the paper's bookmark tags is NAME (case-insensitive).
* ``is:unread``, ``is:read``, ``is:bookmarked``, ``has:code``, ``has:summary``.
* ``up:``, ``stars:``, ``comments:`` take ``>N``, ``>=N``, ``<N``, ``<=N``, ``=N``, ``N`` (equal)
  or a range ``A..B`` (either end may be left open). A paper without a star count never
  matches ``stars:``.
* ``age:<7d`` counts whole days from the feed day to today; units ``d``, ``w`` (7 days),
  ``m`` (30 days), ``y`` (365 days), days when omitted. Without an operator it means "at most"
  (``age:7d`` is the last week), since nobody wants papers exactly a week old.
* ``date:2026-08-01..2026-08-21`` (inclusive), ``date:2026-08-01..``, ``date:..2026-08-21``,
  ``date:2026-08-21`` (that day), ``date:2026-08`` (that month), ``date:2026`` (that year), and
  ``>``, ``>=``, ``<``, ``<=`` before a date. ``age:`` and ``date:`` use the feed day, or the
  arXiv day for a paper that was never on the feed.

Field names and ``is:``/``has:`` values are case-insensitive; ``keyword:`` and ``upvotes:`` are
aliases. ``foo:bar`` with a field name we do not know is a plain word, so ``arXiv:2406.01234``
or ``16:9`` search as text. A word without a letter or digit (a lone ``-`` or ``&``) is ignored.
A malformed term (``up:>abc``, an unclosed quote, ``is:foo``, ``title:`` with no value, a
backwards range) is ignored and reported in `Query.errors` with its span; it never raises.

Matching
========
Text is folded (casefolded, compatibility-decomposed, accents dropped) and split into words
(runs of letters, digits and ``_``). A query word with punctuation inside (``gpt-4o``) is split
the same way and every part must match. A part matches a text word when it:

* is the word (exact) or begins it (prefix), except that in abstracts a word of 1-2 characters
  must be a whole word: nearly every abstract has a word starting with "a";
* of 4+ characters, occurs inside a word of a title, author or keyword (``llava``, ConvLLaVA);
* of 5+ letters, is within one edit of the start of a word, or of a whole shorter word (two
  edits from 9 letters; swapping two neighbours is one edit). Words with digits get no typo
  tolerance: 2024 is not 2025. Nor do exclusions and phrases.

An exclusion (``-word``) uses exact and prefix matches only, so ``-model`` keeps "modal".

Ranking
=======
Each matched word scores field weight (title 8, author 4, keyword 2, abstract 1) times match
quality (exact 10, prefix 9, inside 8, one typo 7, two typos 6), its best field counting; a
phrase scores as an exact match. The weights make any title match outrank any author match, and
so on down. Scores add up over words; ties keep the collection's order (the feed's rank). A query
with no text to rank (only ``is:``, ``has:``, numbers, dates, ``org:``, ``tag:`` or exclusions)
keeps the collection's order.

Speed
=====
`PaperIndex` does the work once per collection: folded texts, one sorted vocabulary, and for
each field an inverted index whose posting sets are Python ints used as bitsets. Frequent words
and short prefixes keep a ready bitset; rare words keep a list of positions, turned into a
bitset when asked for. A query word becomes a range of the sorted vocabulary (words sharing a
start are neighbours), plus the ranges a typo scan finds among the word starts of its length
(rapidfuzz), plus, for titles, authors and keywords, the words containing it; terms combine with
AND and OR on the bitsets. Each paper's score lives in a 16-bit lane of one more Python int, so
adding scores is one ``+``. Python loops run only over rare words' positions, over the papers
holding all the words of a phrase (to read them), and in the final sort. Each word's result is
remembered, so a keystroke that extends the last word recomputes that word alone.

Threads: numpy is not a dependency, so rapidfuzz's GIL-releasing ``process.cdist`` is out of
reach and everything here holds the GIL. Run `PaperIndex.search` in a thread worker anyway: the
worker hands the GIL back at bytecode boundaries (every 5 ms by default), and the longest
single C calls at 100,000 papers are the typo scan (``process.extract`` over one length's word
starts, 1-3 ms), and, when nearly everything matches, sorting the matches and building the id
tuple (each up to ~10 ms). `PaperIndex` is safe to share between threads.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import sys
import threading
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import compress, repeat
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from paperterm.models import Paper

TextField = Literal["any", "title", "author", "kw", "org", "tag"]
State = Literal["read", "unread", "bookmarked", "code", "summary"]
RangeField = Literal["up", "stars", "comments", "age", "date"]
Span = tuple[int, int]

# ---------------------------------------------------------------------------------------------
# The query


@dataclass(frozen=True, slots=True)
class QueryError:
    """A term that was ignored, where it is in the query text and why."""

    start: int
    end: int
    message: str


@dataclass(frozen=True, slots=True)
class TextTerm:
    """A word or phrase, free (``field="any"``) or in one field. `value` is as typed."""

    field: TextField
    value: str
    phrase: bool
    negated: bool
    span: Span


@dataclass(frozen=True, slots=True)
class StateTerm:
    """``is:`` or ``has:``."""

    state: State
    negated: bool
    span: Span


@dataclass(frozen=True, slots=True)
class RangeTerm:
    """A number or date condition as an inclusive range; None is an open end. Days for
    ``age``, proleptic ordinals (`datetime.date.toordinal`) for ``date``."""

    field: RangeField
    low: int | None
    high: int | None
    negated: bool
    span: Span


Term = TextTerm | StateTerm | RangeTerm


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: the terms that hold, and the ones that were ignored."""

    text: str
    terms: tuple[Term, ...] = ()
    errors: tuple[QueryError, ...] = ()

    @property
    def is_empty(self) -> bool:
        """No term to apply (the text may still hold errors): everything matches."""
        return not self.terms

    @property
    def ranked(self) -> bool:
        """Whether results are ordered by score rather than kept in collection order."""
        return any(
            isinstance(t, TextTerm) and not t.negated and t.field in _SCORED_FIELDS
            for t in self.terms
        )

    @property
    def title_terms(self) -> tuple[str, ...]:
        """The words and phrases, as typed, that can match a title (for highlighting)."""
        return tuple(
            t.value
            for t in self.terms
            if isinstance(t, TextTerm) and not t.negated and t.field in ("any", "title")
        )


_SCORED_FIELDS = ("any", "title", "author", "kw")
_TEXT_FIELD_NAMES: dict[str, TextField] = {
    "title": "title", "author": "author", "kw": "kw", "keyword": "kw", "org": "org", "tag": "tag",
}  # fmt: skip
_RANGE_FIELD_NAMES: dict[str, RangeField] = {
    "up": "up", "upvotes": "up", "stars": "stars", "comments": "comments", "age": "age",
    "date": "date",
}  # fmt: skip
_STATES: dict[str, dict[str, State]] = {
    "is": {"read": "read", "unread": "unread", "bookmarked": "bookmarked"},
    "has": {"code": "code", "summary": "summary"},
}
_FIELD_NAMES = {**_TEXT_FIELD_NAMES, **_RANGE_FIELD_NAMES, "is": "is", "has": "has"}
_FIELD = re.compile(r"([A-Za-z]+):")
_NON_SPACE = re.compile(r"\S")
_SPACE = re.compile(r"\s")
_OP = r"(>=|<=|>|<|=)?"
_NUMBER = re.compile(_OP + r"([0-9]{1,12})")
_NUMBER_RANGE = re.compile(r"([0-9]{0,12})\.\.([0-9]{0,12})")
_AGE = re.compile(_OP + r"([0-9]{1,7})([dwmy]?)", re.IGNORECASE)
_DAY = r"[0-9]{4}(?:-[0-9]{1,2}){0,2}"
_DATE = re.compile(_OP + "(" + _DAY + ")")
_DATE_RANGE = re.compile("(" + _DAY + r")?\.\.(" + _DAY + ")?")
_AGE_UNITS = {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}


def parse_query(text: str) -> Query:
    """Parse a query line. Never raises: bad terms are left out and listed in `Query.errors`."""
    terms: list[Term] = []
    errors: list[QueryError] = []
    pos = 0
    while (found := _NON_SPACE.search(text, pos)) is not None:
        start = pos = found.start()
        negated = text[pos] == "-"
        pos += negated
        name: str | None = None
        prefix = _FIELD.match(text, pos)
        if prefix and prefix.group(1).lower() in _FIELD_NAMES:
            name, pos = _FIELD_NAMES[prefix.group(1).lower()], prefix.end()
        if text.startswith('"', pos):
            close = text.find('"', pos + 1)
            if close < 0:
                errors.append(QueryError(start, len(text), "unclosed quote"))
                break
            value, quoted, pos = text[pos + 1 : close], True, close + 1
        else:
            space = _SPACE.search(text, pos)
            end = space.start() if space else len(text)
            value, quoted, pos = text[pos:end], False, end
        term = _term(name, value, quoted, negated, (start, pos))
        if isinstance(term, QueryError):
            errors.append(term)
        elif term is not None:
            terms.append(term)
    return Query(text, tuple(terms), tuple(errors))


def _term(
    name: str | None, value: str, quoted: bool, negated: bool, span: Span
) -> Term | QueryError | None:
    if name is None:
        return TextTerm("any", value, quoted, negated, span) if _has_word(value) else None
    message: str | None = None
    if not value.strip():
        message = "needs a value"
    elif text_field := _TEXT_FIELD_NAMES.get(name):
        if text_field in ("org", "tag"):
            return TextTerm(text_field, value.strip(), quoted, negated, span)
        if _has_word(value):
            return TextTerm(text_field, value, quoted, negated, span)
        message = "needs a letter or digit"
    elif range_field := _RANGE_FIELD_NAMES.get(name):
        bounds = _BOUNDS[range_field](value)
        if not isinstance(bounds, str):
            return RangeTerm(range_field, bounds[0], bounds[1], negated, span)
        message = bounds
    else:
        states = _STATES[name]
        state = states.get(value.strip().lower())
        if state is not None:
            return StateTerm(state, negated, span)
        message = "expects " + ", ".join(states)
    return QueryError(span[0], span[1], f"{name}: {message}")


Bounds = tuple[int | None, int | None]


def _number_bounds(value: str) -> Bounds | str:
    if match := _NUMBER.fullmatch(value):
        return _with_op(match.group(1), int(match.group(2)), int(match.group(2)))
    if (match := _NUMBER_RANGE.fullmatch(value)) and value != "..":
        low, high = (int(g) if g else None for g in match.groups())
        return _ordered(low, high)
    return "expects a number: >50, >=50, <50, <=50, 50 or 10..50"


def _age_bounds(value: str) -> Bounds | str:
    match = _AGE.fullmatch(value)
    if not match:
        return "expects an age: <7d, >2w, <=3m, 1y (units d, w, m, y)"
    days = int(match.group(2)) * _AGE_UNITS[match.group(3).lower()]
    return _with_op(match.group(1) or "<=", days, days)


def _date_bounds(value: str) -> Bounds | str:
    if match := _DATE.fullmatch(value):
        period = _period(match.group(2))
        return period if isinstance(period, str) else _with_op(match.group(1), *period)
    if (match := _DATE_RANGE.fullmatch(value)) and value != "..":
        first = _period(match.group(1)) if match.group(1) else (None, None)
        last = _period(match.group(2)) if match.group(2) else (None, None)
        if isinstance(first, str):
            return first
        if isinstance(last, str):
            return last
        return _ordered(first[0], last[1])
    return "expects a date: 2026-08-21, 2026-08, 2026-08-01..2026-08-21, >2026-08-01"


def _period(text: str) -> tuple[int, int] | str:
    """The first and last day (ordinals) of YYYY, YYYY-MM or YYYY-MM-DD."""
    year, *rest = (int(part) for part in text.split("-"))
    try:
        if len(rest) == 2:
            day = dt.date(year, *rest).toordinal()
            return day, day
        first_month, last_month = (rest[0], rest[0]) if rest else (1, 12)
        first = dt.date(year, first_month, 1)
        last = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    except ValueError:
        return f"no such date {text}"
    return first.toordinal(), last.toordinal()


def _with_op(op: str | None, first: int, last: int) -> Bounds:
    """An operator applied to a value that spans first..last (a month, or one number)."""
    if op == ">":
        return last + 1, None
    if op == ">=":
        return first, None
    if op == "<":
        return None, first - 1
    if op == "<=":
        return None, last
    return first, last


def _ordered(low: int | None, high: int | None) -> Bounds | str:
    if low is not None and high is not None and low > high:
        return "the range ends before it starts"
    return low, high


_BOUNDS: dict[RangeField, Callable[[str], Bounds | str]] = {
    "up": _number_bounds, "stars": _number_bounds, "comments": _number_bounds,
    "age": _age_bounds, "date": _date_bounds,
}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Folding and matching single words (shared by the index and the highlighter)

_WORD = re.compile(r"\w+")
# Marks that NFKD splits off Latin, Greek and Cyrillic letters; other scripts keep theirs,
# the same way on both sides of a comparison.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WEIGHT = {"title": 8, "author": 4, "kw": 2, "abstract": 1}
_EXACT, _PREFIX, _INSIDE, _TYPO1, _TYPO2 = 10, 9, 8, 7, 6
_INSIDE_MIN = 4  # shorter words would match inside far too many words ("gan", organisation)
_ABSTRACT_PREFIX_MIN = 3
_TYPO_MAX_LEN = 32
_TEXT_FIELDS = ("title", "author", "kw", "abstract")
_FIELDS_OF: dict[str, tuple[str, ...]] = {
    "any": _TEXT_FIELDS, "title": ("title",), "author": ("author",), "kw": ("kw",),
}  # fmt: skip


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))


def _has_word(text: str) -> bool:
    return _WORD.search(_fold(text)) is not None


def _typo_budget(word: str) -> int:
    if not word.isalpha() or len(word) > _TYPO_MAX_LEN or len(word) < 5:
        return 0
    return 2 if len(word) >= 9 else 1


def _phrase_text(value: str) -> str:
    return " ".join(_fold(value).split())


def _find_at_word_start(text: str, phrase: str, start: int = 0) -> int:
    """The first index >= start where `phrase` occurs not preceded by a word character."""
    pos = text.find(phrase, start)
    if not phrase or not _is_word_char(phrase[0]):
        return pos
    while pos > 0 and _is_word_char(text[pos - 1]):
        pos = text.find(phrase, pos + 1)
    return pos


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _containing(texts: Sequence[str], phrase: str, positions: Iterable[int]) -> list[int]:
    """The positions whose text holds `phrase` at the start of a word."""
    if not phrase or not _is_word_char(phrase[0]):
        return [i for i in positions if phrase in texts[i]]
    # Most phrases follow a space: one fast substring test settles those.
    spaced = " " + phrase
    return [
        i
        for i in positions
        if spaced in (text := texts[i])
        or text.startswith(phrase)
        or (phrase in text and _find_at_word_start(text, phrase) >= 0)
    ]


def _word_span_in(token: str, word: str, inside: bool) -> tuple[int, int] | None:
    """Where `word` matches the folded text word `token` (offsets into token), or None."""
    if token.startswith(word):
        return 0, len(word)
    if inside and len(word) >= _INSIDE_MIN and (at := token.find(word)) > 0:
        return at, at + len(word)
    budget = _typo_budget(word)
    best: tuple[int, int] | None = None
    for length in range(len(word) - budget, len(word) + budget + 1):
        whole_only = length < len(word)
        if length > len(token) or (whole_only and length != len(token)):
            continue
        distance = OSA.distance(word, token[:length], score_cutoff=budget)
        if distance <= budget and (best is None or distance <= best[0]):
            best = distance, length
    return (0, best[1]) if best else None


# ---------------------------------------------------------------------------------------------
# Highlighting


def highlight_spans(title: str, query: Query) -> tuple[Span, ...]:
    """Character ranges of `title` that the query's title words and phrases matched, sorted
    and merged; offsets index the original string."""
    words, phrases = _title_needles(query)
    if not words and not phrases:
        return ()
    folded, origin = _fold_with_origin(title)
    spans: list[Span] = []
    for match in _WORD.finditer(folded):
        token = match.group()
        for word in words:
            found = _word_span_in(token, word, inside=True)
            if found:
                spans.append((match.start() + found[0], match.start() + found[1]))
    for phrase in phrases:
        at = _find_at_word_start(folded, phrase)
        while at >= 0:
            spans.append((at, at + len(phrase)))
            at = _find_at_word_start(folded, phrase, at + 1)
    if origin is None:
        return _merge(spans)
    return _merge((origin[a], _past_marks(title, origin[b - 1] + 1)) for a, b in spans if b > a)


def _past_marks(text: str, end: int) -> int:
    """`end` moved past the combining marks that folding dropped, so an accent stays lit."""
    while end < len(text) and not _fold(text[end]):
        end += 1
    return end


@lru_cache(maxsize=64)
def _title_needles(query: Query) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words: dict[str, None] = {}
    phrases: dict[str, None] = {}
    for term in query.terms:
        if isinstance(term, TextTerm) and not term.negated and term.field in ("any", "title"):
            if term.phrase:
                phrases[_phrase_text(term.value)] = None
            else:
                words.update(dict.fromkeys(_WORD.findall(_fold(term.value))))
    return tuple(words), tuple(p for p in phrases if p)


def _fold_with_origin(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, unless folding kept every offset, each folded char's origin."""
    if text.isascii():
        return text.lower(), None
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold(char)
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


# ---------------------------------------------------------------------------------------------
# Bitsets: a set of paper positions is a Python int, bit i standing for paper i.

_BYTE_TO_DIGIT = bytes.maketrans(b"\x00\x01", b"01")
_DIGIT_TO_BYTE = bytes.maketrans(b"01", b"\x00\x01")
_SMALL_SET = 48  # below this, shifting bits in beats a pass over a bytearray of n bytes


def _bits_of(positions: Iterable[int], n: int) -> int:
    """The bitset of `positions` (each < n)."""
    seq = positions if isinstance(positions, (list, array)) else list(positions)
    if len(seq) < _SMALL_SET:
        bits = 0
        for position in seq:
            bits |= 1 << position
        return bits
    marks = bytearray(n)
    for position in seq:
        marks[position] = 1
    return int(marks.translate(_BYTE_TO_DIGIT)[::-1], 2)


def _lanes_of(bits: int) -> int:
    """`bits` spread to one 16-bit lane per paper, so scores add up with one `+`."""
    digits = bin(bits)[:1:-1].encode("utf-16-le")
    return int.from_bytes(digits.translate(_DIGIT_TO_BYTE), "little")


def _positions_by_word(texts: Iterable[str]) -> dict[str, list[int]]:
    """For each word, the positions of the texts that contain it, ascending."""
    by_word: defaultdict[str, list[int]] = defaultdict(list)
    # The inner loop runs in C: append `position` to the list of each word of the text.
    get_list, append = by_word.__getitem__, list.append
    for position, text in enumerate(texts):
        deque(map(append, map(get_list, set(_WORD.findall(text))), repeat(position)), 0)
    return by_word


class _Postings:
    """One field's inverted index over the shared sorted vocabulary."""

    __slots__ = ("dense", "dense_ids", "flat", "n", "offsets", "ranges")

    def __init__(self, lists: Mapping[str, list[int]], vocab: Sequence[str], n: int) -> None:
        self.n = n
        self.offsets = array("i", [0])
        self.flat = array("i")
        self.dense: dict[int, int] = {}
        self.dense_ids: list[int] = []
        self.ranges: dict[tuple[int, int], int] = {}
        # A bitset costs n/8 bytes whatever its size; keep one where a list would cost more
        # than an eighth of that, so that common words never go through a Python loop.
        dense_min = max(_SMALL_SET, n // 64)
        for token_id, token in enumerate(vocab):
            positions = lists.get(token)
            if positions is not None and len(positions) >= dense_min:
                self.dense[token_id] = _bits_of(positions, n)
                self.dense_ids.append(token_id)
            elif positions is not None:
                self.flat.extend(positions)
            self.offsets.append(len(self.flat))

    def keep_range(self, lo: int, hi: int) -> None:
        """Keep the bitset of [lo, hi) ready if building it would be slow (a short prefix)."""
        if self.offsets[hi] - self.offsets[lo] >= max(_SMALL_SET, self.n // 16):
            self.ranges[lo, hi] = self.range_bits(lo, hi)

    def range_bits(self, lo: int, hi: int) -> int:
        """Papers holding any word with an id in [lo, hi)."""
        if (kept := self.ranges.get((lo, hi))) is not None:
            return kept
        return self.ranges_bits([(lo, hi)])

    def ranges_bits(self, ranges: Iterable[tuple[int, int]]) -> int:
        """Papers holding any word with an id in any of these ranges."""
        bits = 0
        rare = array("i")
        dense_ids, offsets = self.dense_ids, self.offsets
        for lo, hi in ranges:
            for token_id in dense_ids[bisect_left(dense_ids, lo) : bisect_left(dense_ids, hi)]:
                bits |= self.dense[token_id]
            rare += self.flat[offsets[lo] : offsets[hi]]
        return bits | _bits_of(rare, self.n) if rare else bits

    def ids_bits(self, token_ids: Iterable[int]) -> int:
        """Papers holding any of these words."""
        bits = 0
        rare = array("i")
        for token_id in token_ids:
            if token_id in self.dense:
                bits |= self.dense[token_id]
            else:
                rare.extend(self.flat[self.offsets[token_id] : self.offsets[token_id + 1]])
        return bits | _bits_of(rare, self.n) if rare else bits


# ---------------------------------------------------------------------------------------------
# Searching


@dataclass(frozen=True, slots=True)
class SearchContext:
    """What a search needs that papers do not carry: reading state, tags and today's date.
    Treat it as immutable: the index remembers what it derived from the last one it saw."""

    today: dt.date
    read: frozenset[str] = frozenset()
    bookmarked: frozenset[str] = frozenset()
    tags: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The ids a query selects, best first, out of `total`; title highlights on demand."""

    query: Query
    ids: tuple[str, ...]
    total: int
    index: PaperIndex = field(repr=False, compare=False)
    _highlights: dict[str, tuple[Span, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def papers(self) -> list[Paper]:
        """The selected papers, in rank order."""
        return [self.index.paper(paper_id) for paper_id in self.ids]

    def highlights(self, paper_id: str) -> tuple[Span, ...]:
        """Where the query matched in this paper's title (computed when first asked for,
        since a list only draws a screenful of rows)."""
        spans = self._highlights.get(paper_id)
        if spans is None:
            spans = highlight_spans(self.index.paper(paper_id).title, self.query)
            self._highlights[paper_id] = spans
        return spans


class PaperIndex:
    """Papers prepared for searching; build one whenever the collection changes.

    Papers keep the order given (a repeated id keeps its first place); that order is the
    result order wherever scores tie or nothing is ranked."""

    _CACHE_SIZE = 64

    def __init__(self, papers: Iterable[Paper]) -> None:
        unique: dict[str, Paper] = {}
        for paper in papers:
            unique.setdefault(paper.id, paper)
        self.papers: tuple[Paper, ...] = tuple(unique.values())
        self._ids = tuple(unique)
        self._position = {paper_id: i for i, paper_id in enumerate(self._ids)}
        n = self._n = len(self.papers)
        self._all = (1 << n) - 1
        self._every = tuple(range(n))
        self._texts: dict[str, list[str]] = {
            "title": [_fold(p.title) for p in self.papers],
            "author": [_fold("\n".join(p.authors)) for p in self.papers],
            "kw": [_fold("\n".join(p.ai_keywords)) for p in self.papers],
            "abstract": [_fold(p.abstract) for p in self.papers],
        }
        lists = {name: _positions_by_word(texts) for name, texts in self._texts.items()}
        self._vocab = sorted(set().union(*lists.values()))
        self._postings = {name: _Postings(lists[name], self._vocab, n) for name in _TEXT_FIELDS}
        self._build_inside(lists)
        self._keep_short_prefixes()
        self._build_typo_lists()
        self._build_numbers()
        self._code = _bits_of([i for i, p in enumerate(self.papers) if p.github], n)
        self._summary = _bits_of([i for i, p in enumerate(self.papers) if p.ai_summary], n)
        orgs: defaultdict[str, list[int]] = defaultdict(list)
        for position, paper in enumerate(self.papers):
            if paper.organization:
                orgs[_fold(paper.organization)].append(position)
        self._orgs = dict(orgs)
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[object, ...], tuple[int, int]] = OrderedDict()
        self._context: SearchContext | None = None
        self._context_bits: dict[str, int] = {}

    def __len__(self) -> int:
        return self._n

    def paper(self, paper_id: str) -> Paper:
        """The paper with this id (KeyError if it is not in the index)."""
        return self.papers[self._position[paper_id]]

    def clear_cache(self) -> None:
        """Forget remembered word results (they are rebuilt on demand)."""
        with self._lock:
            self._cache.clear()

    def search(self, query: Query | str, context: SearchContext | None = None) -> SearchResult:
        """The papers matching `query`, best first (see the module docstring for the rules)."""
        if isinstance(query, str):
            query = parse_query(query)
        if query.is_empty:
            return SearchResult(query, self._ids, self._n, self)
        context = context or SearchContext(today=dt.date.today())
        selected, lanes, scored = self._all, 0, 0
        for term in query.terms:
            bits, term_lanes, words = self._term(term, context)
            selected = selected & ~bits if term.negated else selected & bits
            if term_lanes and scored + words <= _MAX_SCORED_WORDS:
                lanes += term_lanes
                scored += words
            if not selected:
                break
        order = self._positions_of(selected)
        if lanes and len(order) > 1:
            scores = array("H")
            scores.frombytes(lanes.to_bytes(2 * self._n, "little"))
            if sys.byteorder == "big":
                scores.byteswap()
            # sorted() is stable with reverse=True too: equal scores keep collection order.
            order = sorted(order, key=scores.__getitem__, reverse=True)
        return SearchResult(query, tuple(map(self._ids.__getitem__, order)), self._n, self)

    # -- terms ----------------------------------------------------------------------------

    def _term(self, term: Term, context: SearchContext) -> tuple[int, int, int]:
        """The papers a term holds for (before negation) and, if it ranks, their scores and
        how many words those scores add up."""
        if isinstance(term, StateTerm):
            return self._state(term.state, context), 0, 0
        if isinstance(term, RangeTerm):
            return self._range_term(term, context.today), 0, 0
        if term.field == "tag":
            return self._tag(term.value, context), 0, 0
        if term.field == "org":
            name = _fold(term.value)
            return self._memo(("org", name), partial(self._org, name))[0], 0, 0
        fields = _FIELDS_OF[term.field]
        if term.phrase:
            text = _phrase_text(term.value)
            key: tuple[object, ...] = ("phrase", term.field, text)
            bits, lanes = self._memo(key, partial(self._phrase, text, fields))
            return bits, 0 if term.negated else lanes, 1
        words = _WORD.findall(_fold(term.value))
        bits, lanes = self._all, 0
        for word in words:
            key = ("word", term.field, word, term.negated)
            word_bits, word_lanes = self._memo(key, partial(self._word, word, fields, term.negated))
            bits &= word_bits
            lanes += word_lanes
        return bits, lanes, len(words)

    def _memo(
        self, key: tuple[object, ...], compute: Callable[[], tuple[int, int]]
    ) -> tuple[int, int]:
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        value = compute()
        with self._lock:
            self._cache[key] = value
            if len(self._cache) > self._CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    def _word(self, word: str, fields: Sequence[str], strict: bool) -> tuple[int, int]:
        """One folded word over some fields: (papers, score lanes); `strict` for exclusions."""
        lo = bisect_left(self._vocab, word)
        hi = bisect_left(self._vocab, word + "\U0010ffff", lo)
        exact = lo if lo < hi and self._vocab[lo] == word else None
        inside = self._inside(word) if not strict and len(word) >= _INSIDE_MIN else []
        typos = {} if strict else self._typos(word)
        tiers: defaultdict[int, int] = defaultdict(int)
        for name in fields:
            postings, weight = self._postings[name], _WEIGHT[name]
            if exact is not None:
                tiers[weight * _EXACT] |= postings.range_bits(exact, exact + 1)
            if name == "abstract" and len(word) < _ABSTRACT_PREFIX_MIN:
                continue
            tiers[weight * _PREFIX] |= postings.range_bits(lo, hi)
            if inside and name != "abstract":
                tiers[weight * _INSIDE] |= postings.ids_bits(inside)
            for distance, ranges in typos.items():
                quality = _TYPO1 if distance == 1 else _TYPO2
                tiers[weight * quality] |= postings.ranges_bits(ranges)
        if strict:
            bits = 0
            for tier in tiers.values():
                bits |= tier
            return bits, 0
        return self._score(tiers)

    def _score(self, tiers: Mapping[int, int]) -> tuple[int, int]:
        """Union of the tiers, and each paper's best tier value as lanes."""
        seen = lanes = 0
        for value in sorted(tiers, reverse=True):
            fresh = tiers[value] & ~seen
            if fresh:
                lanes += value * _lanes_of(fresh)
                seen |= fresh
        return seen, lanes

    def _phrase(self, phrase: str, fields: Sequence[str]) -> tuple[int, int]:
        # Narrow with the index, field by field: every word but the last is whole, the last
        # may go on ("language model" in "language models"); then read the texts left.
        bounds = []
        words = _WORD.findall(phrase)
        for i, word in enumerate(words):
            lo = bisect_left(self._vocab, word)
            if i < len(words) - 1 or not phrase.endswith(word):
                hi = lo + 1 if lo < len(self._vocab) and self._vocab[lo] == word else lo
            else:
                hi = bisect_left(self._vocab, word + "\U0010ffff", lo)
            bounds.append((lo, hi))
        tiers: dict[int, int] = {}
        found = 0
        for name in fields:  # best field first: a paper found in one is not read in the next
            candidates = self._all & ~found
            for lo, hi in bounds:
                candidates &= self._postings[name].range_bits(lo, hi)
                if not candidates:
                    break
            if words != [phrase]:  # one bare word: the index has already said it all
                hits = _containing(self._texts[name], phrase, self._positions_of(candidates))
                candidates = _bits_of(hits, self._n)
            if candidates:
                tiers[_WEIGHT[name] * _EXACT] = candidates
                found |= candidates
        return self._score(tiers)

    def _org(self, name: str) -> tuple[int, int]:
        positions: list[int] = []
        for org, members in self._orgs.items():
            if _find_at_word_start(org, name) >= 0:
                positions.extend(members)
        return _bits_of(positions, self._n), 0

    def _range_term(self, term: RangeTerm, today: dt.date) -> int:
        low, high, column = term.low, term.high, term.field
        if term.field == "age":
            column = "date"
            day = today.toordinal()
            # Older means an earlier day: the age bounds swap ends.
            low, high = (
                None if high is None else day - high,
                None if low is None else day - low,
            )
        key = ("range", column, low, high)
        return self._memo(key, partial(self._column_bits, column, low, high))[0]

    def _column_bits(self, column: str, low: int | None, high: int | None) -> tuple[int, int]:
        values, positions = self._columns[column]
        start = bisect_left(values, low) if low is not None else 0
        end = bisect_right(values, high) if high is not None else len(values)
        return (_bits_of(positions[start:end], self._n) if end > start else 0), 0

    def _state(self, state: State, context: SearchContext) -> int:
        if state == "code":
            return self._code
        if state == "summary":
            return self._summary
        if state == "unread":
            return self._all & ~self._context_set("read", context.read, context)
        ids = context.read if state == "read" else context.bookmarked
        return self._context_set(state, ids, context)

    def _tag(self, tag: str, context: SearchContext) -> int:
        wanted = _fold(tag)
        tagged = (i for i, tags in context.tags.items() if any(_fold(t) == wanted for t in tags))
        return self._context_set("tag:" + wanted, tagged, context)

    def _context_set(self, key: str, ids: Iterable[str], context: SearchContext) -> int:
        """The bitset of `ids`, remembered for this context (`ids` is read only if needed)."""
        with self._lock:
            self._sync_context(context)
            found = self._context_bits.get(key)
        if found is None:
            position = self._position
            found = _bits_of([position[i] for i in ids if i in position], self._n)
            with self._lock:
                self._sync_context(context)
                self._context_bits[key] = found
        return found

    def _sync_context(self, context: SearchContext) -> None:
        if context is not self._context:
            self._context, self._context_bits = context, {}

    # -- vocabulary look-ups ----------------------------------------------------------------

    def _inside(self, word: str) -> list[int]:
        """Ids of title/author/keyword words that contain `word` past their first character."""
        joined, starts, ids = self._inside_text, self._inside_starts, self._inside_ids
        found: dict[int, None] = {}
        at = joined.find(word)
        while at >= 0:
            slot = bisect_right(starts, at) - 1
            if at > starts[slot]:
                found[ids[slot]] = None
            at = joined.find(word, at + 1)
        return list(found)

    def _typos(self, word: str) -> dict[int, list[tuple[int, int]]]:
        """Vocabulary ranges by number of edits, for the words that start within the typo
        budget of `word` (but not with `word` itself: the prefix range has those)."""
        budget = _typo_budget(word)
        found: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
        if not budget:
            return found
        for length in range(len(word), len(word) + budget + 1):
            starts, ranges = self._starts_of_length.get(length, ((), ()))
            for text, distance, slot in process.extract(
                word, starts, scorer=OSA.distance, score_cutoff=budget, limit=None
            ):
                if distance and not text.startswith(word):
                    found[int(distance)].append(ranges[slot])
        for length in range(max(1, len(word) - budget), len(word)):
            words, ids = self._words_of_length.get(length, ((), ()))
            for _, distance, slot in process.extract(
                word, words, scorer=OSA.distance, score_cutoff=budget, limit=None
            ):
                found[int(distance)].append((ids[slot], ids[slot] + 1))
        return found

    # -- building ---------------------------------------------------------------------------

    def _build_inside(self, lists: Mapping[str, Mapping[str, list[int]]]) -> None:
        short_fields = set(lists["title"]) | set(lists["author"]) | set(lists["kw"])
        ids = [i for i, word in enumerate(self._vocab) if word in short_fields]
        self._inside_ids = ids
        self._inside_starts: list[int] = []
        offset = 0
        for token_id in ids:
            self._inside_starts.append(offset)
            offset += len(self._vocab[token_id]) + 1
        self._inside_text = "\n".join(self._vocab[i] for i in ids)

    def _keep_short_prefixes(self) -> None:
        # The first keystrokes of a word select the most papers; have those ranges ready.
        for length in range(1, _ABSTRACT_PREFIX_MIN + 1):
            heads = [word[:length] for word in self._vocab]
            first = dict(zip(reversed(heads), range(len(heads) - 1, -1, -1), strict=True))
            last = dict(zip(heads, range(len(heads)), strict=True))
            for head, lo in first.items():
                for name in _TEXT_FIELDS:
                    if name != "abstract" or length >= _ABSTRACT_PREFIX_MIN:
                        self._postings[name].keep_range(lo, last[head] + 1)

    def _build_typo_lists(self) -> None:
        """For each length: the distinct word starts of that length with their vocabulary
        ranges, and the whole words of that length; the typo scan reads these."""
        vocab = self._vocab
        self._starts_of_length: dict[int, tuple[list[str], list[tuple[int, int]]]] = {}
        self._words_of_length: dict[int, tuple[list[str], list[int]]] = {}
        long_ids = list(range(len(vocab)))
        for length in range(5, _TYPO_MAX_LEN + 3):
            # Words sharing a start are neighbours in the sorted vocabulary, so each start
            # maps to one range; words shorter than `length` drop out as we go.
            long_ids = [i for i in long_ids if len(vocab[i]) >= length]
            heads = [vocab[i][:length] for i in long_ids]
            last = dict(zip(heads, long_ids, strict=True))
            first = dict(zip(reversed(heads), reversed(long_ids), strict=True))
            if last:
                starts = list(last)
                ranges = [(first[head], last[head] + 1) for head in starts]
                self._starts_of_length[length] = (starts, ranges)
        by_length: defaultdict[int, tuple[list[str], list[int]]] = defaultdict(lambda: ([], []))
        for token_id, word in enumerate(vocab):
            if 4 <= len(word) < _TYPO_MAX_LEN:
                words, ids = by_length[len(word)]
                words.append(word)
                ids.append(token_id)
        self._words_of_length = dict(by_length)

    def _build_numbers(self) -> None:
        columns: dict[str, list[tuple[int, int]]] = {
            "up": [(p.upvotes, i) for i, p in enumerate(self.papers)],
            "comments": [(p.comments, i) for i, p in enumerate(self.papers)],
            "stars": [(p.stars, i) for i, p in enumerate(self.papers) if p.stars is not None],
            "date": [
                (day.toordinal(), i)
                for i, p in enumerate(self.papers)
                if (day := p.feed_day or p.published) is not None
            ],
        }
        self._columns: dict[str, tuple[list[int], list[int]]] = {}
        for name, pairs in columns.items():
            pairs.sort()
            self._columns[name] = ([v for v, _ in pairs], [i for _, i in pairs])

    def _positions_of(self, bits: int) -> list[int]:
        """The positions in a bitset, ascending."""
        if bits == self._all:
            return list(self._every)
        if not bits:
            return []
        return list(compress(self._every, bin(bits)[:1:-1].encode().translate(_DIGIT_TO_BYTE)))


# Scores live in 16-bit lanes: at most 80 per word, so this many words cannot overflow one;
# words past it still select, they just stop adding to the score.
_MAX_SCORED_WORDS = 800
