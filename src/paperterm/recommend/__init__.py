"""Recommendations: rank papers by how much they resemble a few liked ones, and say why.

This part is pure — no I/O, neither Textual nor Rich — and loads only when a ranking is first
asked for (the For-you feed, more like this), never for the reader's first frame.

`Corpus` holds every paper as a tf-idf vector over its words, pairs of words, AI keywords,
authors and organisation (`paperterm.recommend.features`); `Corpus.rank` turns the liked papers
(all bookmarks, one tag's, or one paper for "more like this") into a profile and ranks the rest
by it (`paperterm.recommend.corpus` says how); `Ranking.reasons` explains one paper's place
(`paperterm.recommend.explain`).

The method was chosen by measurement (``benchmarks/bench_recommend.py``): a mean of the liked
papers' vectors (Rocchio's centroid) ranks well on one interest, but two changes lift it beyond
a plain centroid and a keyword filter — weighing each feature by the square of the share of
liked papers that have it, and making each liked paper count alike, which keeps a second
interest in view.
"""

from __future__ import annotations

from paperterm.recommend.corpus import Corpus, Profile, Ranking, built
from paperterm.recommend.explain import Reasons
from paperterm.recommend.features import FEATURES_VERSION

__all__ = ["FEATURES_VERSION", "Corpus", "Profile", "Ranking", "Reasons", "built"]
