"""The search index: papers prepared once per collection, then matched and ranked per query.

Matching and ranking follow the rules in `paperterm.query`; this module makes them fast.

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

Building takes one step per distinct word of each paper's field (split the folded text, add
the paper to the word's list), and that is most of its time. Those steps, and the vocabulary
tables after them, run inside C loops of the standard library wherever one fits: an ASCII text
is split with `str.translate` and `str.split`, nearly twice as fast as the word pattern, and
offsets, word starts and their ranges come from ``map``, ``compress`` and slices over whole
lists rather than a Python loop per word.

Threads: numpy is not a dependency, so rapidfuzz's GIL-releasing ``process.cdist`` is out of
reach and everything here holds the GIL. Run `PaperIndex.search` in a thread worker anyway: the
worker hands the GIL back at bytecode boundaries (every 5 ms by default), and the longest
single C calls at 100,000 papers are the typo scan (``process.extract`` over one length's word
starts, 1-3 ms), and, when nearly everything matches, sorting the matches and building the id
tuple (each up to ~10 ms). `PaperIndex` is safe to share between threads.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial

from paperterm.models import Paper
from paperterm.query._bitset import Postings, bits_of, lanes_of, positions_by_word, positions_in
from paperterm.query._text import (
    ABSTRACT_PREFIX_MIN,
    FIELD_WEIGHT,
    FIELDS_OF,
    INSIDE_MIN,
    MAX_SCORED_WORDS,
    TEXT_FIELDS,
    TIER_EXACT,
    TIER_INSIDE,
    TIER_PREFIX,
    TIER_TYPO1,
    TIER_TYPO2,
    WORD,
    containing,
    find_at_word_start,
    fold,
    fold_all,
    phrase_text,
)
from paperterm.query._vocab import Vocabulary
from paperterm.query.parse import (
    Flag,
    Query,
    RangeTerm,
    StateTerm,
    Term,
    parse_query,
)
from paperterm.query.results import SearchContext, SearchResult


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
            "title": fold_all(p.title for p in self.papers),
            "author": fold_all("\n".join(p.authors) for p in self.papers),
            "kw": fold_all("\n".join(p.ai_keywords) for p in self.papers),
            "abstract": fold_all(p.abstract for p in self.papers),
        }
        lists = {name: positions_by_word(texts) for name, texts in self._texts.items()}
        inside_words = lists["title"].keys() | lists["author"].keys() | lists["kw"].keys()
        self._vocab = Vocabulary(inside_words | lists["abstract"].keys(), inside_words)
        words = self._vocab.words
        self._postings = {name: Postings(lists[name], words, n) for name in TEXT_FIELDS}
        del lists  # the largest structure of the build; the postings hold it compactly now
        self._keep_short_prefixes()
        self._build_numbers()
        self._code = bits_of([i for i, p in enumerate(self.papers) if p.github], n)
        self._summary = bits_of([i for i, p in enumerate(self.papers) if p.ai_summary], n)
        orgs: defaultdict[str, list[int]] = defaultdict(list)
        for position, paper in enumerate(self.papers):
            if paper.organization:
                orgs[fold(paper.organization)].append(position)
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
        """The papers matching `query`, best first (the rules are in `paperterm.query`)."""
        if isinstance(query, str):
            query = parse_query(query)
        context = context or SearchContext(today=dt.date.today())
        if query.is_empty:
            if query.sort in (None, "rank"):
                return SearchResult(query, self._ids, self._n, self)
            order = self._sorted(list(self._every), query.sort, context)
            return SearchResult(query, tuple(map(self._ids.__getitem__, order)), self._n, self)
        selected, lanes, scored = self._all, 0, 0
        for term in query.terms:
            bits, term_lanes, words = self._term(term, context)
            selected = selected & ~bits if term.negated else selected & bits
            if term_lanes and scored + words <= MAX_SCORED_WORDS:
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
            if query.sort != "rank":
                order = sorted(order, key=scores.__getitem__, reverse=True)
        if query.sort not in (None, "rank"):
            order = self._sorted(order, query.sort, context)
        return SearchResult(query, tuple(map(self._ids.__getitem__, order)), self._n, self)

    def _sorted(self, order: list[int], sort: str, context: SearchContext) -> list[int]:
        """`order` by upvotes, hotness or newest day first; ties keep `order` (stable)."""
        papers = self.papers
        key: Callable[[int], float]
        if sort == "upvotes":
            key = lambda i: papers[i].upvotes  # noqa: E731
        elif sort == "newest":
            key = lambda i: _day_number(papers[i])  # noqa: E731
        else:
            today = context.today.toordinal()
            velocity = context.velocity
            key = lambda i: hotness(papers[i], velocity, today)  # noqa: E731
        return sorted(order, key=key, reverse=True)

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
            name = fold(term.value)
            return self._memo(("org", name), partial(self._org, name))[0], 0, 0
        fields = FIELDS_OF[term.field]
        if term.phrase:
            text = phrase_text(term.value)
            key: tuple[object, ...] = ("phrase", term.field, text)
            bits, lanes = self._memo(key, partial(self._phrase, text, fields))
            return bits, 0 if term.negated else lanes, 1
        words = WORD.findall(fold(term.value))
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
        lo, hi = self._vocab.prefix_range(word)
        exact = lo if lo < hi and self._vocab.words[lo] == word else None
        inside = self._vocab.inside(word) if not strict and len(word) >= INSIDE_MIN else []
        typos = {} if strict else self._vocab.typos(word)
        tiers: defaultdict[int, int] = defaultdict(int)
        for name in fields:
            postings, weight = self._postings[name], FIELD_WEIGHT[name]
            if exact is not None:
                tiers[weight * TIER_EXACT] |= postings.range_bits(exact, exact + 1)
            if name == "abstract" and len(word) < ABSTRACT_PREFIX_MIN:
                continue
            tiers[weight * TIER_PREFIX] |= postings.range_bits(lo, hi)
            if inside and name != "abstract":
                tiers[weight * TIER_INSIDE] |= postings.ids_bits(inside)
            for distance, ranges in typos.items():
                quality = TIER_TYPO1 if distance == 1 else TIER_TYPO2
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
                lanes += value * lanes_of(fresh)
                seen |= fresh
        return seen, lanes

    def _phrase(self, phrase: str, fields: Sequence[str]) -> tuple[int, int]:
        # Narrow with the index, field by field: every word but the last is whole, the last
        # may go on ("language model" in "language models"); then read the texts left.
        bounds = []
        words = WORD.findall(phrase)
        for i, word in enumerate(words):
            whole = i < len(words) - 1 or not phrase.endswith(word)
            bounds.append(
                self._vocab.exact_range(word) if whole else self._vocab.prefix_range(word)
            )
        tiers: dict[int, int] = {}
        found = 0
        for name in fields:  # best field first: a paper found in one is not read in the next
            candidates = self._all & ~found
            for lo, hi in bounds:
                candidates &= self._postings[name].range_bits(lo, hi)
                if not candidates:
                    break
            if words != [phrase]:  # one bare word: the index has already said it all
                hits = containing(self._texts[name], phrase, self._positions_of(candidates))
                candidates = bits_of(hits, self._n)
            if candidates:
                tiers[FIELD_WEIGHT[name] * TIER_EXACT] = candidates
                found |= candidates
        return self._score(tiers)

    def _org(self, name: str) -> tuple[int, int]:
        positions: list[int] = []
        for org, members in self._orgs.items():
            if find_at_word_start(org, name) >= 0:
                positions.extend(members)
        return bits_of(positions, self._n), 0

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
        return (bits_of(positions[start:end], self._n) if end > start else 0), 0

    def _state(self, state: Flag, context: SearchContext) -> int:
        if state == "code":
            return self._code
        if state == "summary":
            return self._summary
        if state == "unread":
            return self._all & ~self._context_set("read", context.read, context)
        ids = context.read if state == "read" else context.bookmarked
        return self._context_set(state, ids, context)

    def _tag(self, tag: str, context: SearchContext) -> int:
        wanted = fold(tag)
        tagged = (i for i, tags in context.tags.items() if any(fold(t) == wanted for t in tags))
        return self._context_set("tag:" + wanted, tagged, context)

    def _context_set(self, key: str, ids: Iterable[str], context: SearchContext) -> int:
        """The bitset of `ids`, remembered for this context (`ids` is read only if needed)."""
        with self._lock:
            self._sync_context(context)
            found = self._context_bits.get(key)
        if found is None:
            position = self._position
            found = bits_of([position[i] for i in ids if i in position], self._n)
            with self._lock:
                self._sync_context(context)
                self._context_bits[key] = found
        return found

    def _sync_context(self, context: SearchContext) -> None:
        if context is not self._context:
            self._context, self._context_bits = context, {}

    # -- building ---------------------------------------------------------------------------

    def _keep_short_prefixes(self) -> None:
        # The first keystrokes of a word select the most papers; have those ranges ready.
        for length, ranges in self._vocab.head_ranges(ABSTRACT_PREFIX_MIN).items():
            for name, postings in self._postings.items():
                if name != "abstract" or length >= ABSTRACT_PREFIX_MIN:
                    postings.keep_ranges(ranges)

    def _build_numbers(self) -> None:
        """Each number column as its values ascending and the positions holding them."""
        days = (p.feed_day or p.published for p in self.papers)
        columns: dict[str, list[int | None]] = {
            "up": [p.upvotes for p in self.papers],
            "comments": [p.comments for p in self.papers],
            "stars": [p.stars for p in self.papers],
            "date": [None if day is None else day.toordinal() for day in days],
        }
        self._columns: dict[str, tuple[list[int], list[int]]] = {}
        for name, column in columns.items():
            positions = [i for i, value in enumerate(column) if value is not None]
            values: list[int] = [value for value in column if value is not None]
            # A stable sort by value: papers with equal values stay in collection order.
            order = sorted(range(len(values)), key=values.__getitem__)
            self._columns[name] = (
                list(map(values.__getitem__, order)),
                list(map(positions.__getitem__, order)),
            )

    def _positions_of(self, bits: int) -> list[int]:
        """The positions in a bitset, ascending."""
        if bits == self._all:
            return list(self._every)
        if not bits:
            return []
        return positions_in(bits, self._every)


def hotness(paper: Paper, velocity: Mapping[str, float], today: int) -> float:
    """Upvotes gained per day: measured from the history when `velocity` has the paper, else
    its upvotes spread over the days since its feed day (at least one)."""
    measured = velocity.get(paper.id)
    if measured is not None:
        return measured
    day = _day_number(paper)
    return paper.upvotes / max(1, today - day) if day else paper.upvotes / 30


def _day_number(paper: Paper) -> int:
    day = paper.feed_day or paper.published
    return day.toordinal() if day else 0
