"""The corpus: every paper as a tf-idf vector, and rankings of it by resemblance to a few.

Building
========
Each paper's features (`paperterm.recommend.features`) are weighted ``(1 + log tf) · log(N/df)``
and the vector scaled to length 1 (`paperterm.recommend.postings`). A feature found in one
paper only is dropped: it can make no two papers alike. The weights are kept as postings —
for each feature, the papers that have it and its weight in each — which is all a ranking
reads. Building counts every feature of every paper (seconds for 10,000 papers); so a built
corpus is kept on disk (`dump`, `load`), and the papers fetched since are added to it
(`updated`) with weights worked out over the grown collection, until a fifth of it is new
and it is built afresh.

Ranking
=======
The papers liked (bookmarks, or one paper) become one profile:

1. their mean vector, each feature then weighed by the square of the share of liked papers that
   have it — what most of them share is what they are about, what one of them happens to
   mention is not;
2. cut to its 100 heaviest features;
3. rebalanced so that every liked paper counts alike: each one's part of the profile is divided
   by how well that part matches the paper itself. Without this a tight topic (one rare phrase
   shared by all its papers) drowns a broad one when the likes span two interests.

A paper's score is the profile's dot product with its vector, divided by the number of liked
papers (about 1 for a paper as close as a liked one is to itself). Only the postings of the
profile's features are ever read.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from itertools import chain, compress, repeat
from operator import gt
from typing import overload

from paperterm.models import Paper
from paperterm.recommend.explain import Reasons, explain
from paperterm.recommend.features import Feature, count_features
from paperterm.recommend.postings import Postings, weighted
from paperterm.records import Record

PROFILE_SIZE = 100
SHARE_POWER = 2.0
MOST_NEW = 0.2  # a corpus grown by more new papers than this share is built afresh


Vector = dict[Feature, float]


class Profile(Record, frozen=True):
    """What a ranking looks for: feature weights, and each liked paper's part of them."""

    weights: dict[Feature, float]
    parts: tuple[tuple[str, dict[Feature, float]], ...]  # (liked paper id, its weights)


class Corpus:
    """Papers prepared for ranking by resemblance. A repeated id keeps its first paper. Safe
    to share between threads: it never changes once made (`updated` makes a new one)."""

    def __init__(self, papers: Iterable[Paper]) -> None:
        unique = _unique(papers)
        counts = [count_features(paper) for paper in unique.values()]
        df = _df(counts)
        postings = _flat_postings(weighted(_taken(counts), df, len(unique)))
        self._set(tuple(unique), unique, df, len(unique), postings)

    def _set(
        self,
        ids: tuple[str, ...],
        papers: Mapping[str, Paper],
        df: dict[Feature, int],
        n: int,
        postings: Postings,
    ) -> None:
        self.ids = ids  # by position
        self._papers = papers  # by id: a mapping that may read them only when asked
        self._position = {paper_id: i for i, paper_id in enumerate(ids)}
        self._df = df
        self._n = n  # the papers the weights were worked out over
        self._postings = postings

    @classmethod
    def _made(
        cls,
        ids: tuple[str, ...],
        papers: Mapping[str, Paper],
        df: dict[Feature, int],
        n: int,
        postings: Postings,
    ) -> Corpus:
        corpus = cls.__new__(cls)
        corpus._set(ids, papers, df, n, postings)
        return corpus

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._position

    @property
    def papers(self) -> Sequence[Paper]:
        """The papers by position, each read when first asked for."""
        return Listed(self.ids, self._papers)

    def paper(self, paper_id: str) -> Paper:
        """The paper with this id (KeyError if it is not in the corpus)."""
        if paper_id not in self._position:
            raise KeyError(paper_id)
        return self._papers[paper_id]

    def updated(
        self, papers: Iterable[Paper] | Mapping[str, Paper], *, most_new: float = MOST_NEW
    ) -> Corpus | None:
        """This corpus over `papers` (their newer copies kept), the ones it lacks added with
        weights worked out now; the papers it already had keep theirs, so a corpus grown by
        a few papers ranks almost as one built afresh. None when that is not close enough:
        a paper of this corpus is missing from `papers`, or more than `most_new` of them
        are new — build a `Corpus` then."""
        unique = _by_id(papers)
        if any(paper_id not in unique for paper_id in self.ids):
            return None
        new = [paper_id for paper_id in unique if paper_id not in self._position]
        if len(new) > most_new * max(1, len(self.ids)):
            return None
        if not new:
            return self._made(self.ids, unique, self._df, self._n, self._postings)
        counts = [count_features(unique[paper_id]) for paper_id in new]
        df = dict(self._df)
        # A feature only one older paper had was left out of it: it counts from now on. Only
        # a feature df did not have can be found in one paper only.
        once = []
        for feature, found in Counter(chain.from_iterable(counts)).items():
            m = df[feature] = df.get(feature, 0) + found
            if m == 1:
                once.append(feature)
        for feature in once:
            del df[feature]
        n = self._n + len(new)
        postings = self._postings.grown(counts, df, n, first=len(self.ids))
        return self._made((*self.ids, *new), unique, df, n, postings)

    def profile(self, liked: Sequence[str]) -> Profile | None:
        """The profile of the liked papers in the corpus; None when none of them has a feature
        another paper shares."""
        known = (i for i in dict.fromkeys(liked) if i in self._position)
        vectors = [(i, v) for i in known if (v := self.vector(i))]
        if not vectors:
            return None
        n = len(vectors)
        mean: defaultdict[Feature, float] = defaultdict(float)
        share: Counter[Feature] = Counter()
        for _, vector in vectors:
            share.update(vector.keys())
            for feature, weight in vector.items():
                mean[feature] += weight
        boost = {f: (count / n) ** SHARE_POWER / n for f, count in share.items()}
        chosen = sorted(mean, key=lambda f: mean[f] * boost[f], reverse=True)[:PROFILE_SIZE]
        weights: defaultdict[Feature, float] = defaultdict(float)
        parts = []
        for paper_id, vector in vectors:
            part = {f: vector[f] * boost[f] for f in chosen if f in vector}
            itself = sum(weight * vector[f] for f, weight in part.items())
            if itself <= 0:
                continue
            part = {f: weight / itself for f, weight in part.items()}
            for feature, weight in part.items():
                weights[feature] += weight
            parts.append((paper_id, part))
        return Profile(dict(weights), tuple(parts)) if parts else None

    def rank(self, liked: Sequence[str], *, exclude: Collection[str] = ()) -> Ranking:
        """Every paper that shares something with the liked ones (those in the corpus), best
        first, leaving out the liked ones and `exclude`."""
        known = [paper_id for paper_id in liked if paper_id in self._position]
        profile = self.profile(known)
        if profile is None:
            return Ranking(self, None, (), ())
        scores = self._scores(profile.weights)
        scale = 1.0 / len(profile.parts)
        for paper_id in (*known, *exclude):
            if paper_id in self._position:
                scores[self._position[paper_id]] = 0.0
        # Scores are never negative: the papers sharing nothing are the zeros.
        order = sorted(compress(range(len(scores)), scores), key=scores.__getitem__, reverse=True)
        return Ranking(
            self,
            profile,
            tuple(self.ids[i] for i in order),
            tuple(scores[i] * scale for i in order),
        )

    def idf(self, feature: Feature) -> float:
        """log(N/df) of a feature two papers or more have; 0 for any other."""
        df = self._df.get(feature)
        return math.log(self._n / df) if df else 0.0

    def vector(self, paper_id: str) -> Vector:
        """The weighted features of a paper of the corpus, read off the postings."""
        position = self._position[paper_id]
        found: Vector = {}
        weight = self._postings.weight
        for feature in count_features(self._papers[paper_id]):
            if (value := weight(feature, position)) is not None:
                found[feature] = value
        return found

    def dump(self) -> bytes:
        """The corpus as bytes, for `Corpus.load` (the papers themselves are not in them)."""
        return self._postings.dump(self.ids, self._df, self._n)

    @classmethod
    def load(cls, data: bytes, papers: Iterable[Paper] | Mapping[str, Paper]) -> Corpus | None:
        """The corpus `dump` made, over the newer copies in `papers` (`updated` adds the
        others); None when `data` is damaged or a paper of it is not in `papers`."""
        loaded = Postings.load(data)
        if loaded is None:
            return None
        ids, df, n, postings = loaded
        unique = _by_id(papers)
        if any(paper_id not in unique for paper_id in ids):
            return None
        return cls._made(tuple(ids), unique, df, n, postings)

    # -- scoring ----------------------------------------------------------------------------

    def _scores(self, weights: dict[Feature, float]) -> list[float]:
        """Each paper's dot product with `weights`, by position."""
        scores = [0.0] * len(self.ids)
        for feature, weight in weights.items():
            positions, values = self._postings.of(feature)
            try:
                for position, value in zip(positions, values, strict=True):
                    scores[position] += weight * value
            except IndexError:  # positions out of order in a file `dump` did not write
                continue
        return scores


class Ranking:
    """Papers best first with their scores; `reasons` says why one of them is there."""

    def __init__(
        self,
        corpus: Corpus,
        profile: Profile | None,
        ids: tuple[str, ...],
        scores: tuple[float, ...],
    ) -> None:
        self.corpus = corpus
        self.profile = profile
        self.ids = ids
        self.scores = scores

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def papers(self) -> Sequence[Paper]:
        """The papers best first, each read when first asked for."""
        return Listed(self.ids, self.corpus._papers)

    @property
    def liked(self) -> tuple[str, ...]:
        """The liked papers the ranking was made from (those the corpus could use)."""
        return tuple(paper_id for paper_id, _ in self.profile.parts) if self.profile else ()

    def reasons(self, paper: Paper) -> Reasons:
        """What `paper` shares with the liked papers that weighed most."""
        if self.profile is None or paper.id not in self.corpus:
            return Reasons()
        corpus = self.corpus
        return explain(paper, corpus.vector(paper.id), self.profile, corpus.paper, corpus.idf)


class Listed(Sequence[Paper]):
    """Papers in the order of `ids`, looked up in `papers` as they are asked for."""

    def __init__(self, ids: Sequence[str], papers: Mapping[str, Paper]) -> None:
        self.ids = ids
        self._papers = papers

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Paper: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Paper]: ...
    def __getitem__(self, index: int | slice) -> Paper | Sequence[Paper]:
        if isinstance(index, slice):
            return Listed(self.ids[index], self._papers)
        return self._papers[self.ids[index]]


def _by_id(papers: Iterable[Paper] | Mapping[str, Paper]) -> Mapping[str, Paper]:
    return papers if isinstance(papers, Mapping) else _unique(papers)


def _unique(papers: Iterable[Paper]) -> dict[str, Paper]:
    unique: dict[str, Paper] = {}
    for paper in papers:
        unique.setdefault(paper.id, paper)
    return unique


def _df(counts: Sequence[Counter[Feature]]) -> dict[Feature, int]:
    """How many papers have each feature found in two papers or more."""
    return _shared(Counter(chain.from_iterable(counts)))


def _shared(df: Counter[Feature]) -> dict[Feature, int]:
    shared = compress(df.keys(), map(gt, df.values(), repeat(1)))
    return {f: df[f] for f in shared}


def built(read: Callable[[], Iterable[Paper]]) -> tuple[bytes, int]:
    """What ``Corpus(read()).dump()`` is, and how many papers it holds, in two passes over
    the papers `read()` yields that keep neither the papers nor their counts: the first
    counts the papers having each feature, the second counts each paper's features again and
    weighs them. Building a `Corpus` holds every paper's counts at once (a few GB at 100,000
    papers); this holds the document frequencies and the postings only, for one more pass of
    counting (a fifth more time)."""
    ids: dict[str, None] = {}
    having: Counter[Feature] = Counter()
    for paper in _first_of_each(read()):
        ids[paper.id] = None
        having.update(count_features(paper).keys())
    df = _shared(having)
    del having
    counts = map(count_features, _first_of_each(read()))
    postings = _flat_postings(weighted(counts, df, len(ids)))
    return postings.dump(list(ids), df, len(ids)), len(ids)


def _first_of_each(papers: Iterable[Paper]) -> Iterator[Paper]:
    seen: set[str] = set()
    for paper in papers:
        if paper.id not in seen:
            seen.add(paper.id)
            yield paper


def _flat_postings(vectors: Iterable[dict[Feature, float]]) -> Postings:
    """The postings of the papers' weighted `vectors`, by position."""
    found: defaultdict[Feature, tuple[array[int], array[float]]] = defaultdict(
        lambda: (array("i"), array("d"))
    )
    for position, vector in enumerate(vectors):
        for feature, weight in vector.items():
            positions, values = found[feature]
            positions.append(position)
            values.append(weight)
    return Postings.of_lists(found)


def _taken(counts: list[Counter[Feature]]) -> Iterator[Counter[Feature]]:
    """The counts in order, each removed from the list as it is handed out."""
    counts.reverse()
    while counts:
        yield counts.pop()
