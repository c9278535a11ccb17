"""Postings: for each feature, the papers that have it (by position) and its weight in each,
packed in two flat arrays; and the weighting that fills them.

A paper's weights are ``(1 + log tf) · log(N/df)`` for each feature two papers or more have,
scaled so that its vector has length 1. The arrays are what a ranking reads (the profile's
features only) and what is kept on disk between runs: loading them is one read and two
copies, where building them means counting every feature of every paper again.

A grown set keeps the old arrays and adds, for each feature the new papers have, its whole
list again in a small side table; the papers already in keep the weights they were given.
"""

from __future__ import annotations

import json
import math
import sys
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from operator import mul
from typing import Any

from paperterm.recommend.features import Feature

FORMAT = "paperterm for-you postings 1"
_EMPTY: tuple[Sequence[int], Sequence[float]] = (array("i"), array("d"))

Vector = dict[Feature, float]


class _LogTf(dict[int, float]):
    def __missing__(self, count: int) -> float:
        value = self[count] = 1.0 + math.log(count)
        return value


def weighted(
    counts: Iterable[Counter[Feature]], df: Mapping[Feature, int], n: int
) -> Iterator[Vector]:
    """Each paper's vector, from its feature counts and the document frequencies over `n`
    papers; a feature not in `df` (one paper only) weighs nothing and is left out."""
    table = [0.0, 0.0, *(math.log(n / m) for m in range(2, n + 1))]
    tf = _LogTf()
    get = df.get
    for count in counts:
        weights = list(
            map(
                mul,
                map(tf.__getitem__, count.values()),
                map(table.__getitem__, map(get, count, repeat(0))),
            )
        )
        norm = math.sqrt(sum(map(mul, weights, weights)))
        if not norm:
            yield {}
            continue
        scaled = map(mul, weights, repeat(1.0 / norm))
        yield (
            dict(zip(count, scaled, strict=True))
            if all(weights)
            else {f: w for f, w in zip(count, scaled, strict=True) if w}
        )


class Postings:
    """Which papers have each feature, with its weight in each; never changed once made."""

    def __init__(
        self,
        spans: dict[Feature, tuple[int, int]],
        positions: array[int],
        values: array[float],
        side: dict[Feature, tuple[array[int], array[float]]] | None = None,
        bound: int | None = None,
    ) -> None:
        """`bound`: the number of papers, when the positions came from a file (each feature's
        are checked against it as they are read, not all of them when the file is)."""
        self._spans = spans
        self._positions = positions
        self._values = values
        self._side = side or {}
        self._bound = bound

    @classmethod
    def of_lists(cls, found: Mapping[Feature, tuple[Sequence[int], Sequence[float]]]) -> Postings:
        """From each feature's positions (ascending) and weights."""
        positions, values = array("i"), array("d")
        spans: dict[Feature, tuple[int, int]] = {}
        for feature, (at, weights) in found.items():
            start = len(positions)
            positions.extend(at)
            values.extend(weights)
            spans[feature] = (start, len(positions))
        return cls(spans, positions, values)

    def of(self, feature: Feature) -> tuple[Sequence[int], Sequence[float]]:
        """The positions (ascending) of the papers with `feature`, and its weight in each."""
        side = self._side.get(feature)
        if side is not None:
            return side
        span = self._spans.get(feature)
        if span is None:
            return _EMPTY
        start, end = span
        at = self._positions[start:end]
        # Ascending, as `dump` wrote them: the ends say whether all are papers' positions.
        if self._bound is not None and at and not (at[0] >= 0 and at[-1] < self._bound):
            return _EMPTY  # read from a file that is not what `dump` wrote: rank by nothing
        return at, self._values[start:end]

    def weight(self, feature: Feature, position: int) -> float | None:
        """The feature's weight in the paper at `position`; None when it has none."""
        side = self._side.get(feature)
        if side is not None:
            at, values = side
            index = bisect_left(at, position)
            return values[index] if index < len(at) and at[index] == position else None
        span = self._spans.get(feature)
        if span is None:
            return None
        index = bisect_left(self._positions, position, *span)
        if index < span[1] and self._positions[index] == position:
            return self._values[index]
        return None

    def features(self) -> Iterator[Feature]:
        yield from self._spans.keys() | self._side.keys()

    def grown(
        self, counts: Sequence[Counter[Feature]], df: Mapping[Feature, int], n: int, first: int
    ) -> Postings:
        """These postings and the papers of `counts`, at positions `first` on."""
        side = dict(self._side)
        for offset, vector in enumerate(weighted(counts, df, n)):
            for feature, weight in vector.items():
                if feature not in side:
                    at, values = self.of(feature)
                    side[feature] = (array("i", at), array("d", values))
                side[feature][0].append(first + offset)
                side[feature][1].append(weight)
        return Postings(self._spans, self._positions, self._values, side, self._bound)

    # -- kept on disk -----------------------------------------------------------------------

    def dump(self, ids: Sequence[str], df: Mapping[Feature, int], n: int) -> bytes:
        """The postings with what they were made over: paper ids (positions), document
        frequencies and N."""
        if self._side or len(self._spans) != len(df):
            return self._packed(df).dump(ids, df, n)
        # Spans are contiguous, in the order of the features: their ends say it all.
        features = list(self._spans)
        head = {
            "format": FORMAT,
            "byteorder": sys.byteorder,
            "ids": list(ids),
            "n": n,
            "features": features,
            "df": [df[f] for f in features],
            "ends": [self._spans[f][1] for f in features],
        }
        text = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode()
        return text + b"\n" + self._positions.tobytes() + self._values.tobytes()

    def _packed(self, df: Mapping[Feature, int]) -> Postings:
        """The same postings in two flat arrays again, one span for each feature of `df`."""
        positions, values = array("i"), array("d")
        spans: dict[Feature, tuple[int, int]] = {}
        for feature in df:
            at, weights = self.of(feature)
            start = len(positions)
            positions.extend(at)
            values.extend(weights)
            spans[feature] = (start, len(positions))
        return Postings(spans, positions, values)

    @staticmethod
    def load(data: bytes) -> tuple[list[str], dict[Feature, int], int, Postings] | None:
        """What `dump` wrote; None for anything else (damaged, older, another machine's).
        The checks are those that keep a ranking from failing on a file that is not ours;
        that its bytes are the ones written is the caller's to check (a digest)."""
        text, newline, packed = data.partition(b"\n")
        try:
            head: Any = json.loads(text)
            if not newline or head.get("format") != FORMAT or head["byteorder"] != sys.byteorder:
                return None
            ids, n = head["ids"], head["n"]
            features, df, ends = head["features"], head["df"], head["ends"]
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None
        positions, values = array("i"), array("d")
        count = len(packed) // (positions.itemsize + values.itemsize)
        if not (
            isinstance(ids, list)
            and isinstance(n, int)
            and n >= len(ids)
            and isinstance(features, list)
            and isinstance(df, list)
            and isinstance(ends, list)
            and len(features) == len(df) == len(ends)
            and len(packed) == count * (positions.itemsize + values.itemsize)
            and (not ends or ends[-1] == count)
            and set(map(type, df)) <= {int}
        ):
            return None
        positions.frombytes(packed[: count * positions.itemsize])
        values.frombytes(packed[count * positions.itemsize :])
        try:
            spans = dict(zip(features, zip([0, *ends[:-1]], ends, strict=True), strict=True))
            frequencies = dict(zip(features, df, strict=True))
        except TypeError:  # a feature that is not a string
            return None
        return ids, frequencies, n, Postings(spans, positions, values, bound=len(ids))
