"""Citation keys: arXiv's rule, pinned once per bookmark, unique in every file.

Keys follow arXiv's rule and are meant to be computed once and pinned in the bookmark
(`keys_to_pin`), so a re-export never renames them, even when a v2 changes the title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence

from paperterm.exchange.names import Name, first_author, parse_name
from paperterm.models import Bookmark, Paper

# arXiv's stop words for citation keys, verbatim from arXiv/arxiv-browse
# browse/formatting/cite.py (STOPWORDS), typos ("fify", "thickv") included: keys must match.
_STOPWORD_LIST = """
a about above across after afterwards again against all almost alone along already also
although always am among amongst amoungst amount an and another any anyhow anyone anything
anyway anywhere are around as at back be became because become becomes becoming been before
beforehand behind being below beside besides between beyond bill both bottom but by call can
cannot cant co con could couldnt cry de describe detail do done down due during each eg eight
either eleven else elsewhere empty enough etc even ever every everyone everything everywhere
except few fifteen fify fill find fire first five for former formerly forty found four from
front full further get give go had has hasnt have he hence her here hereafter hereby herein
hereupon hers herself him himself his how however hundred ie if in inc indeed interest into is
it its itself keep last latter latterly least less ltd made many may me meanwhile might mill
mine more moreover most mostly move much must my myself name namely neither never nevertheless
next nine no nobody none noone nor not nothing now nowhere of off often on once one only onto
or other others otherwise our ours ourselves out over own part per perhaps please put rather re
same see seem seemed seeming seems serious several she should show side since sincere six
sixty so some somehow someone something sometime sometimes somewhere still such system take
ten than that the their them themselves then thence there thereafter thereby therefore therein
thereupon these they thickv thin third this those though three through throughout thru thus
to together too top toward towards twelve twenty two un under until up upon us very via was we
well were what whatever when whence whenever where whereafter whereas whereby wherein
whereupon wherever whether which while whither who whoever whole whom whose why will with
within without would yet you your yours yourself yourselves
"""
ARXIV_STOPWORDS = frozenset(_STOPWORD_LIST.split())

# A key that is safe unquoted in BibTeX, pandoc (@key) and Zotero: no spaces, braces, commas,
# quotes, '#', '%' or '='; and never a URL (Zotero's CSL ids are item URLs). A leading "_" is
# fine in all three (pandoc's keys start with a letter, a digit or "_").
_CITE_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_:.+/-]{0,99}$")
ISSUED_KEY = "issued"  # the snapshot key of an imported date that is only a year or a month
_ISSUED = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
# Letters NFKD cannot take apart, folded the way a human would type them in a key.
_ASCII_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
        "ð": "d",
        "\u0131": "i",
    }
)


def citation_year(paper: Paper) -> int:
    """The year a citation shows: the arXiv (v1) date's year; without a date, the year the
    id encodes (``2411.04983`` -> 2024), which is when v1 was submitted."""
    if paper.published is not None:
        return paper.published.year
    return 2000 + int(paper.id[:2])


def cited_date(bookmark: Bookmark) -> list[int]:
    """The date a citation of `bookmark` gives, as CSL date parts: the year or month its
    import said, else the arXiv (v1) date, else the year of the id."""
    issued = _issued(bookmark.extra.get("paper"))
    if issued:
        return issued
    day = bookmark.paper.published
    return [day.year, day.month, day.day] if day else [citation_year(bookmark.paper)]


def issued_extra(parts: Sequence[int]) -> str | None:
    """How an imported year or month is kept in a snapshot (``2024``, ``2024-03``); None for a
    whole day, which is the paper's date itself."""
    if len(parts) == 1:
        return f"{parts[0]:04d}"
    return f"{parts[0]:04d}-{parts[1]:02d}" if len(parts) == 2 else None


def _issued(snapshot: object) -> list[int] | None:
    value = snapshot.get(ISSUED_KEY) if isinstance(snapshot, Mapping) else None
    match = _ISSUED.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    year, month = int(match.group(1)), match.group(2)
    if month is None:
        return [year]
    return [year, int(month)] if 1 <= int(month) <= 12 else [year]


def citation_key(paper: Paper, first: Name | None = None, year: int | None = None) -> str:
    """arXiv's key for `paper`: first author's family name (particle included) + year + the
    first four title words that are not arXiv stop words, alphanumerics only, lower case,
    folded to ASCII (``zhou2024dinowmworldmodelspretrained``). Depends only on the versionless
    snapshot; `first` and `year` are the first author and the year when a bookmark knows them
    better than its paper's strings."""
    if first is None and paper.authors:
        first = parse_name(paper.authors[0])
    family = first.full_family if first is not None else "unknown"
    # arXiv splits on single spaces and compares the raw word, punctuation included.
    words = "".join([w for w in paper.title.split(" ") if w.lower() not in ARXIV_STOPWORDS][:4])
    year = citation_year(paper) if year is None else year
    return _ascii_alnum(f"{family}{year}{words}").lower()


def bookmark_key(bookmark: Bookmark) -> str:
    """`citation_key` of a bookmark, from its names and date as a citation gives them."""
    first = first_author(bookmark) if bookmark.paper.authors else None
    return citation_key(bookmark.paper, first, cited_date(bookmark)[0])


def is_valid_cite_key(key: str) -> bool:
    """Whether `key` can be used as is in BibTeX, CSL-JSON and pandoc."""
    return bool(_CITE_KEY.match(key)) and "://" not in key


def keys_to_pin(
    bookmarks: Iterable[Bookmark], eligible: Callable[[Bookmark], bool] | None = None
) -> dict[str, str]:
    """Keys for the bookmarks that have none (or an unusable one), by paper id; only for the
    `eligible` ones when given (a bookmark without authors and title waits for them).

    Pass every bookmark of the state: the new keys avoid all pinned ones, so keys are unique
    across the state and therefore in any export of part of it. A clash gets the suffix
    ``a``, ``b`` ... ``z``, ``aa`` ... (BibTeX's own disambiguation style), given in order of
    arXiv id so the outcome does not depend on list order. Pinned keys are never touched.
    """
    items = list(bookmarks)
    taken = {key.casefold() for key in map(_pinned, items) if key is not None}
    wanted = (b for b in items if _pinned(b) is None and (eligible is None or eligible(b)))
    return _assign(wanted, taken)


def export_keys(bookmarks: Sequence[Bookmark]) -> list[str]:
    """The key each bookmark gets in one export file: its pinned key, or a computed one when
    it has none, or when its pinned key is unusable or was already used earlier in the file
    (a hand-edited state), so the file never holds a key twice. Pin keys (`keys_to_pin`)
    before exporting so that what the file says is what the state keeps."""
    taken: set[str] = set()
    kept: list[str | None] = []
    for bookmark in bookmarks:
        key = _pinned(bookmark)
        if key is not None and key.casefold() in taken:
            key = None
        if key is not None:
            taken.add(key.casefold())
        kept.append(key)
    pins = _assign((b for b, k in zip(bookmarks, kept, strict=True) if k is None), taken)
    return [k if k is not None else pins[b.id] for b, k in zip(bookmarks, kept, strict=True)]


def _pinned(bookmark: Bookmark) -> str | None:
    key = bookmark.cite_key
    return key if key and is_valid_cite_key(key) else None


def _assign(bookmarks: Iterable[Bookmark], taken: set[str]) -> dict[str, str]:
    pins: dict[str, str] = {}
    for bookmark in sorted(bookmarks, key=lambda b: b.id):
        if bookmark.id not in pins:
            pins[bookmark.id] = _unique(bookmark_key(bookmark), taken)
    return pins


def _unique(base: str, taken: set[str]) -> str:
    key, n = base, 0
    while key.casefold() in taken:
        n += 1
        key = base + _letters(n)
    taken.add(key.casefold())
    return key


def _letters(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa (bijective base 26)."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(97 + rest) + out
    return out


def _ascii_alnum(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return "".join([c for c in decomposed if c.isascii() and c.isalnum()])
