"""The corpus: every paper as a tf-idf vector, and rankings of it by resemblance to a few.

Building
========
Each paper's features (`paperterm.recommend.features`) are weighted ``(1 + log tf) · log(N/df)``
and the vector scaled to length 1. A feature found in one paper only is dropped: it can make
no two papers alike. Building runs in C loops of the standard library wherever one fits (the
counting, the weighting, the scaling); it is done once per collection.

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
papers (about 1 for a paper as close as a liked one is to itself). Only the features of the
profile are ever looked at: their postings (which papers have them, with what weight) are
collected in one pass over the corpus the first time a feature is asked for, and kept.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import gt, mul

from paperterm.models import Paper
from paperterm.recommend.explain import Reasons, explain
from paperterm.recommend.features import Feature, count_features

PROFILE_SIZE = 100
SHARE_POWER = 2.0
_POSTINGS_KEPT = 20_000  # features whose postings are kept between rankings


class _LogTf(dict[int, float]):
    def __missing__(self, count: int) -> float:
        value = self[count] = 1.0 + math.log(count)
        return value


Vector = dict[Feature, float]


@dataclass(frozen=True, slots=True)
class Profile:
    """What a ranking looks for: feature weights, and each liked paper's part of them."""

    weights: dict[Feature, float]
    parts: tuple[tuple[str, dict[Feature, float]], ...]  # (liked paper id, its weights)


class Corpus:
    """Papers prepared for ranking by resemblance; build one whenever the collection changes.
    A repeated id keeps its first paper. Safe to share between threads."""

    def __init__(self, papers: Iterable[Paper]) -> None:
        unique: dict[str, Paper] = {}
        for paper in papers:
            unique.setdefault(paper.id, paper)
        self.papers: tuple[Paper, ...] = tuple(unique.values())
        self._position = {paper_id: i for i, paper_id in enumerate(unique)}
        counts = [count_features(paper) for paper in self.papers]
        self._idf = _idf(counts, len(self.papers))
        tf = _LogTf()
        self._vectors = [_vector(c, self._idf, tf) for c in counts]
        self._postings: dict[Feature, tuple[Sequence[int], Sequence[float]]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.papers)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._position

    def paper(self, paper_id: str) -> Paper:
        """The paper with this id (KeyError if it is not in the corpus)."""
        return self.papers[self._position[paper_id]]

    def profile(self, liked: Sequence[str]) -> Profile | None:
        """The profile of the liked papers in the corpus; None when none of them has a feature
        another paper shares."""
        known = (i for i in dict.fromkeys(liked) if i in self._position)
        vectors = [(i, v) for i in known if (v := self._vectors[self._position[i]])]
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
            tuple(self.papers[i] for i in order),
            tuple(scores[i] * scale for i in order),
        )

    def idf(self, feature: Feature) -> float:
        """log(N/df) of a feature two papers or more have; 0 for any other."""
        return self._idf.get(feature, 0.0)

    def vector(self, paper_id: str) -> Vector:
        """The weighted features of a paper of the corpus."""
        return self._vectors[self._position[paper_id]]

    # -- scoring ----------------------------------------------------------------------------

    def _scores(self, weights: dict[Feature, float]) -> list[float]:
        """Each paper's dot product with `weights`, by position."""
        postings = self._postings_of(weights.keys())
        scores = [0.0] * len(self.papers)
        for feature, weight in weights.items():
            positions, values = postings[feature]
            for position, value in zip(positions, values, strict=True):
                scores[position] += weight * value
        return scores

    def _postings_of(
        self, features: Collection[Feature]
    ) -> dict[Feature, tuple[Sequence[int], Sequence[float]]]:
        with self._lock:
            missing = {f for f in features if f not in self._postings}
            if missing:
                if len(self._postings) + len(missing) > _POSTINGS_KEPT:
                    self._postings.clear()
                self._postings.update(self._collect(missing))
            return {f: self._postings[f] for f in features}

    def _collect(
        self, features: set[Feature]
    ) -> dict[Feature, tuple[Sequence[int], Sequence[float]]]:
        """One pass over the corpus: which papers have these features, with what weight."""
        found: dict[Feature, tuple[list[int], list[float]]] = {f: ([], []) for f in features}
        for position, vector in enumerate(self._vectors):
            # A set & dict-keys intersection walks the smaller side, in C.
            for feature in features & vector.keys():
                positions, values = found[feature]
                positions.append(position)
                values.append(vector[feature])
        # Packed arrays: read back in order, they are kinder to the memory cache than lists
        # of floats strewn over the heap.
        return {f: (array("i", p), array("d", v)) for f, (p, v) in found.items()}


class Ranking:
    """Papers best first with their scores; `reasons` says why one of them is there."""

    def __init__(
        self,
        corpus: Corpus,
        profile: Profile | None,
        papers: tuple[Paper, ...],
        scores: tuple[float, ...],
    ) -> None:
        self.corpus = corpus
        self.profile = profile
        self.papers = papers
        self.scores = scores

    def __len__(self) -> int:
        return len(self.papers)

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


def _idf(counts: Sequence[Counter[Feature]], n: int) -> dict[Feature, float]:
    """log(N/df) of each feature found in two papers or more."""
    df = Counter(chain.from_iterable(counts))
    table = [0.0, 0.0, *(math.log(n / m) for m in range(2, n + 1))]
    shared = list(compress(df.keys(), map(gt, df.values(), repeat(1))))
    return dict(zip(shared, map(table.__getitem__, map(df.__getitem__, shared)), strict=True))


def _vector(counts: Counter[Feature], idf: dict[Feature, float], tf: _LogTf) -> Vector:
    # A feature no other paper has gets weight 0 here and is left out below.
    weights = list(
        map(mul, map(tf.__getitem__, counts.values()), map(idf.get, counts, repeat(0.0)))
    )
    norm = math.sqrt(sum(map(mul, weights, weights)))
    if not norm:
        return {}
    scaled = map(mul, weights, repeat(1.0 / norm))
    return dict(compress(zip(counts, scaled, strict=True), weights))
