"""Why a paper was recommended: the features it shares with the profile that weighed most,
in the paper's own words ("shares: video diffusion, temporal consistency; author: …")."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from paperterm.models import Paper
from paperterm.recommend.features import (
    AUTHOR,
    KEYWORD,
    ORGANIZATION,
    Feature,
    is_phrase,
    surface_forms,
    words_in,
)
from paperterm.records import Record

if TYPE_CHECKING:
    from paperterm.recommend.corpus import Profile

SHARED_SHOWN = 3
AUTHORS_SHOWN = 2
# A single word is shown only when at most one paper in 20 has it: "high" and "image" weigh
# something in the ranking, but explain nothing.
WORD_IDF_SHOWN = math.log(20)
_LOOKED_AT = 24  # the heaviest shared features an explanation picks its words from


class Reasons(Record, frozen=True):
    """What a recommended paper shares with the liked ones, and which liked paper it is
    closest to (when there were several)."""

    shares: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    organization: str | None = None
    closest: str | None = None  # the id of the liked paper it resembles most
    closest_title: str = ""

    @property
    def text(self) -> str:
        """One line: ``shares: a, b; author: X; organization: Y``."""
        parts = []
        if self.shares:
            parts.append("shares: " + ", ".join(self.shares))
        if self.authors:
            noun = "author" if len(self.authors) == 1 else "authors"
            parts.append(f"{noun}: " + ", ".join(self.authors))
        if self.organization:
            parts.append(f"organization: {self.organization}")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "shares": list(self.shares),
            "authors": list(self.authors),
            "organization": self.organization,
            "closest": self.closest,
        }


def explain(
    paper: Paper,
    vector: dict[Feature, float],
    profile: Profile,
    paper_of: Callable[[str], Paper],
    idf: Callable[[Feature], float],
) -> Reasons:
    """The reasons `paper` (with its corpus `vector`) scores under `profile`."""
    weights = profile.weights
    common = weights.keys() & vector.keys()
    # A whole AI keyword reads best (it is a phrase someone chose), so it comes first.
    heaviest = sorted(
        common,
        key=lambda f: weights[f] * vector[f] * (3.0 if f.startswith(KEYWORD) else 1.0),
        reverse=True,
    )[:_LOOKED_AT]
    shown = surface_forms(paper)
    phrases: list[Feature] = []
    authors: list[str] = []
    organization = None
    for feature in heaviest:
        if isinstance(feature, str) and feature.startswith(AUTHOR):
            if len(authors) < AUTHORS_SHOWN:
                authors.append(shown.get(feature, feature[len(AUTHOR) :]))
        elif isinstance(feature, str) and feature.startswith(ORGANIZATION):
            organization = shown.get(feature, feature[len(ORGANIZATION) :])
        elif len(phrases) < SHARED_SHOWN and (is_phrase(feature) or idf(feature) >= WORD_IDF_SHOWN):
            phrases = _with_phrase(phrases, feature)
    closest = _closest(vector, profile)
    return Reasons(
        shares=tuple(dict.fromkeys(shown.get(f, " ".join(words_in(f))) for f in phrases)),
        authors=tuple(authors),
        organization=organization,
        closest=closest,
        closest_title=paper_of(closest).title if closest else "",
    )


def _with_phrase(phrases: list[Feature], feature: Feature) -> list[Feature]:
    """`phrases` with `feature` added, unless a phrase there already says it; a word it
    contains ("diffusion" for "video diffusion") gives way to it."""
    words = set(words_in(feature))
    if not words or any(words <= set(words_in(p)) or _chained(p, feature) for p in phrases):
        return phrases
    kept: list[Feature] = []
    placed = False
    for phrase in phrases:
        if set(words_in(phrase)) <= words:
            if not placed:
                kept.append(feature)
                placed = True
        else:
            kept.append(phrase)
    return kept if placed else [*kept, feature]


def _closest(vector: dict[Feature, float], profile: Profile) -> str | None:
    if len(profile.parts) < 2:
        return None
    best, best_score = None, 0.0
    for paper_id, part in profile.parts:
        score = sum(weight * vector[f] for f, weight in part.items() if f in vector)
        if score > best_score:
            best, best_score = paper_id, score
    return best


def _chained(shown: Feature, feature: Feature) -> bool:
    """Two word pairs that overlap end to start ("video generation", "generation model"):
    the second is mostly the same phrase again."""
    a, b = words_in(shown), words_in(feature)
    return len(a) == len(b) == 2 and (a[1] == b[0] or a[0] == b[1])
