"""What a paper is made of, for resemblance: its words, word pairs, AI keywords, authors and
organisation, counted.

Text folds the way the filter folds it (`paperterm.query._text`): casefolded, accents dropped,
split into runs of letters and digits. Common English words and bare numbers are dropped, and a
plural "s" is taken off ("models" counts as "model"). A feature is then one of:

* a word (``"diffusion"``) or a pair of neighbouring words (``"video diffusion"``) of the
  title, the abstract or an AI keyword — pairs are what make "temporal consistency" more than
  "temporal" and "consistency";
* a whole AI keyword (``"k:video diffusion model"``);
* an author (``"a:jane doe"``) or the organisation (``"o:nvidia"``).

Counting runs inside the standard library's C loops (`str.split`, ``map``, `Counter.update`)
wherever one fits: it is most of the cost of building a corpus.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import Final

from paperterm.models import Paper
from paperterm.query._text import fold, fold_all, words_of

Feature = str

_JOIN = " ".join

KEYWORD, AUTHOR, ORGANIZATION = "k:", "a:", "o:"
FEATURES_VERSION = 1  # one more whenever the features of a paper change: kept corpora go

STOPWORDS: Final = frozenset(
    """a about above across after again against all also although am among an and another any
    are around as at be been before being below between both but by can could did do does
    doing done down during each either else etc even ever every few for from further had has
    have having he her here hers herself him himself his how however i if in into is it its
    itself just less let like made make makes many may me might more most much must my
    neither no nor not now of off often on once one only onto or other others otherwise our
    ours ourselves out over own per rather same several shall she should since so some such
    than that the their theirs them themselves then there thereby therefore these they this
    those though through thus to too toward towards under until up upon us very via was we
    well were what whatever when where whereas whether which while who whom whose why will
    with within without would yet you your""".split()  # noqa: SIM905 (a word list reads better)
)


class _Stems(dict[str, str]):
    """Folded word -> the word it counts as ("" for a word that does not count), filled as
    words are first seen, so that stemming a text is one C-level ``map``."""

    def __missing__(self, word: str) -> str:
        stem = _stem(word)
        self[word] = stem
        return stem


def _stem(word: str) -> str:
    if len(word) < 2 or word in STOPWORDS or word.isdigit():
        return ""
    # A plural "s" comes off; "ss", "us" and "is" endings are not plurals (loss, corpus, analysis).
    if len(word) > 3 and word[-1] == "s" and word[-2] not in "sui":
        return word[:-1]
    return word


_STEMS = _Stems()


def terms(text: str) -> list[str]:
    """The words of `text` that count, folded and stemmed, in order."""
    return list(filter(None, map(_STEMS.__getitem__, words_of(fold(text)))))


def _pairs(words: list[str]) -> map[str]:
    # Neighbouring words as one string feature (its hash is computed once, unlike a tuple's),
    # paired and joined in C-level loops.
    return map(_JOIN, pairwise(words))


def count_features(paper: Paper) -> Counter[Feature]:
    """How often each feature occurs in `paper`."""
    found: list[Feature] = []
    for text in (paper.title, paper.abstract):
        words = terms(text)
        found += words
        found += _pairs(words)
    for keyword in paper.ai_keywords:
        words = terms(keyword)
        if words:
            found += words
            found += _pairs(words)
            found.append(KEYWORD + " ".join(words))
    if paper.authors:
        found += map(AUTHOR.__add__, filter(None, fold_all(paper.authors)))
    if paper.organization:
        found.append(ORGANIZATION + fold(paper.organization))
    return Counter(found)


def surface_forms(paper: Paper) -> dict[Feature, str]:
    """How each of `paper`'s features reads in the paper itself ("models" for ``model``, an
    author's name as written): what an explanation shows."""
    shown: dict[Feature, str] = {}
    texts = [paper.title, paper.abstract, *paper.ai_keywords]
    for text in texts:
        raw = words_of(fold(text))
        kept = [(w, _STEMS[w]) for w in raw if _STEMS[w]]
        for word, stem in kept:
            shown.setdefault(stem, word)
        for (first, a), (second, b) in pairwise(kept):
            shown.setdefault(f"{a} {b}", f"{first} {second}")
    for keyword in paper.ai_keywords:
        words = terms(keyword)
        if words:
            shown.setdefault(KEYWORD + " ".join(words), keyword)
    for author in paper.authors:
        shown.setdefault(AUTHOR + fold(author), author)
    if paper.organization:
        shown.setdefault(ORGANIZATION + fold(paper.organization), paper.organization)
    return shown


def is_phrase(feature: Feature) -> bool:
    """Two words or a whole keyword: says more than a single word."""
    return " " in feature or feature.startswith(KEYWORD)


def words_in(feature: Feature) -> tuple[str, ...]:
    """The stemmed words a text feature is made of (none for an author or organisation)."""
    if feature.startswith((AUTHOR, ORGANIZATION)):
        return ()
    return tuple(feature.removeprefix(KEYWORD).split())
