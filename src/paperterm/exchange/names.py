"""Author names taken apart once into given / particle / family / suffix, and written the way
each citation format wants them (docs/export-formats.md, 4d).

Hugging Face gives a name as one string, "Given Family"; `parse_name` splits it, not at the
last space: a trailing ``Jr.``/``III`` is a suffix (``Hal Daumé III`` -> family ``Daumé``),
lowercase particles belong to the family (``Mihaela van der Schaar`` -> ``van der`` +
``Schaar``, cited "van der Schaar"), and a one-word name, an organisation (``Kwai Keye Team``)
or a name in a script without the given/family convention is one literal name. Imported
BibTeX, CSL and RIS names arrive already split and keep their parts (`parse_bibtex_name` and
friends); when the parts differ from what `parse_name` makes of the name's text (a two-word
family, say), an imported bookmark keeps them in its snapshot (`names_extra`), and
`author_names` gives them back.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence

from paperterm.exchange.latex import bibtex_escape, latex_to_text
from paperterm.models import Bookmark
from paperterm.records import Record

SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})
# Lowercase particles that go with the family name (CSL's non-dropping particles).
_PARTICLE_WORDS = """van von der den de del della delle dello degli dei di da das dos du des la
    le lo ten ter te zu zum zur af av op het 't bin ibn ben al el"""
PARTICLES = frozenset(_PARTICLE_WORDS.split())
# Their capitalised forms count too when a lowercase particle follows ("Mark Van der Merwe").
_CAPITALISED = frozenset(p.capitalize() for p in PARTICLES)
# A word that makes a name an organisation's, never taken apart ("Kwai Keye Team").
_ORGANISATION_WORDS = """Team Lab Labs Laboratory Group Consortium Collaboration Project
    Initiative Institute University Foundation Committee Association Corporation Inc Inc. Ltd
    Ltd. LLC GmbH Research Council Society Center Centre Organization Organisation Department
    Community Contributors Developers Alliance Network Agency Academy Company AI"""
ORGANISATION_WORDS = frozenset(_ORGANISATION_WORDS.split())
_NOT_PLAIN = PARTICLES | _CAPITALISED | SUFFIXES | ORGANISATION_WORDS
# Han, kana and Hangul names follow no given/family order we can tell from the string.
_EAST_ASIAN = re.compile(r"^[\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef·.]+$")
NAMES_KEY = "names"  # the snapshot key of an imported bookmark's name parts
_PARTS = ("family", "given", "particle", "suffix", "literal")


class Name(Record, frozen=True):
    """One author. A `literal` name (mononym, organisation) is never taken apart."""

    family: str = ""
    given: str = ""
    particle: str = ""  # "van der": cited with the family name
    suffix: str = ""  # "III", "Jr."
    literal: str = ""

    @property
    def text(self) -> str:
        """The name as Hugging Face writes names: "Given particle Family Suffix"."""
        if self.literal:
            return self.literal
        if not (self.particle or self.suffix):
            return f"{self.given} {self.family}" if self.given else self.family
        return " ".join(p for p in (self.given, self.particle, self.family, self.suffix) if p)

    @property
    def full_family(self) -> str:
        """Particle and family, or the literal name: what a citation shows."""
        return self.literal or " ".join(p for p in (self.particle, self.family) if p)


def make_name(family: str = "", given: str = "", particle: str = "", suffix: str = "") -> Name:
    """A name from parts (whitespace tidied); a family name alone is a literal name."""
    family, given, particle, suffix = (
        " ".join(p.split()) for p in (family, given, particle, suffix)
    )
    if not (given or particle or suffix):
        return Name(literal=family)
    if not family:  # nothing to cite by: keep what there is as one name
        return Name(literal=" ".join(p for p in (given, particle, suffix) if p))
    return Name(family, given, particle, suffix)


# ---------------------------------------------------------------- "Given Family" text


@functools.lru_cache(maxsize=65536)
def parse_name(text: str) -> Name:
    """A name written "Given Family" (Hugging Face, or an imported name without parts)."""
    words = text.split()
    # Most names, and exports parse many: two plain words.
    plain = len(words) == 2 and _plain(words[0]) and _plain(words[1]) and "," not in text
    if plain and (text.isascii() or not _EAST_ASIAN.match(text)):
        return Name(words[1], words[0])
    text = " ".join(words)
    suffix = ""
    if len(words) >= 3 and words[-1] in SUFFIXES:
        suffix = words.pop()
        words[-1] = words[-1].removesuffix(",")  # "Martin Luther King, Jr."
    if _is_literal(words):
        return Name(literal=text)
    family_at, particle_at = _family_start(words, lambda w: w in PARTICLES)
    return make_name(
        " ".join(words[family_at:]),
        " ".join(words[:particle_at]),
        " ".join(words[particle_at:family_at]),
        suffix,
    )


def _plain(word: str) -> bool:
    return word not in _NOT_PLAIN and word.lower() not in ("and", "others")


def _is_literal(words: Sequence[str]) -> bool:
    return (
        len(words) < 2
        or any(w.lower() in ("and", "others") or "," in w for w in words)
        or any(w in ORGANISATION_WORDS for w in words)
        or bool(_EAST_ASIAN.match(" ".join(words)))
    )


def _family_start(words: Sequence[str], lower: Callable[[str], bool]) -> tuple[int, int]:
    """(where the family name starts, where its particle starts) in a "Given Family" list."""
    last = len(words) - 1
    start = last
    while start > 0:
        word = words[start - 1]
        # "de La Fontaine": a capitalised particle after a lowercase one joins the particle.
        if lower(word) or (word in _CAPITALISED and start >= 2 and lower(words[start - 2])):
            start -= 1
        else:
            break
    if last > start > 1 and words[start - 1] in _CAPITALISED and lower(words[start]):
        return start - 1, start - 1  # "Mark Van der Merwe": family "Van der Merwe"
    return last, start


# ---------------------------------------------------------------- BibTeX names


def parse_bibtex_name(raw: str) -> Name:
    """One name of a BibTeX name list, still LaTeX: "Given von Family", "von Family, Given"
    or "von Family, Jr, Given", with BibTeX's rules (a lowercase word starts the von part,
    braces keep words together), plus what arXiv's own BibTeX needs: "Hal Daumé III" has a
    suffix, and "{van der Schaar}" a particle (pandoc reads it so too)."""
    parts = _split_commas(raw)
    if len(parts) == 1:
        return _first_von_last(_words(parts[0]))
    given, suffix = (parts[1], "") if len(parts) == 2 else (", ".join(parts[2:]), parts[1])
    words = _words(parts[0])
    if len(words) == 1 and _fully_braced(words[0]):
        return _braced_family(latex_to_text(words[0]), latex_to_text(given), latex_to_text(suffix))
    von = 0
    if words and _starts_lower(words[0]):
        von = max(i for i, w in enumerate(words[:-1] or words) if _starts_lower(w)) + 1
        von = min(von, len(words) - 1)
    return make_name(
        _text(words[von:]), latex_to_text(given), _text(words[:von]), latex_to_text(suffix)
    )


def _first_von_last(words: list[str]) -> Name:
    two = len(words) == 2 and not _BIBTEX_SPECIAL.search(words[0] + words[1])
    if two and words[0][:1].isupper() and words[1][:1].isupper():  # most names: "Ann Lee"
        return Name(words[1], words[0])
    if len(words) == 1:
        return Name(literal=" ".join(latex_to_text(words[0]).split()))
    suffix = words.pop() if len(words) >= 3 and latex_to_text(words[-1]) in SUFFIXES else ""
    lower = [_starts_lower(w) for w in words[:-1]]
    if not any(lower):
        family_at = particle_at = len(words) - 1
    else:
        first, last = lower.index(True), len(lower) - 1 - lower[::-1].index(True)
        family_at, particle_at = last + 1, first
        if first > 1 and latex_to_text(words[first - 1]) in _CAPITALISED:
            family_at = particle_at = first - 1  # "Mark Van der Merwe"
    return make_name(
        _text(words[family_at:]),
        _text(words[:particle_at]),
        _text(words[particle_at:family_at]),
        latex_to_text(suffix),
    )


def _braced_family(family: str, given: str, suffix: str) -> Name:
    particle, family = split_family(family)
    return make_name(family, given, particle, suffix)


def split_family(text: str) -> tuple[str, str]:
    """(particle, family) of a family name written whole: "van der Schaar" -> ("van der",
    "Schaar"); one that starts with a capital stays whole ("Van der Merwe")."""
    words = text.split()
    if len(words) < 2 or words[0] not in PARTICLES:
        return "", " ".join(words)
    family_at, _ = _family_start(words, lambda w: w in PARTICLES)
    return " ".join(words[:family_at]), " ".join(words[family_at:])


def _split_commas(raw: str) -> list[str]:
    if "{" not in raw:
        return [p.strip() for p in raw.split(",")]
    parts, depth, start = [], 0, 0
    for i, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def _words(raw: str) -> list[str]:
    """The words of a name part at brace depth 0 (spaces and ties separate them)."""
    if "{" not in raw and "}" not in raw:
        return raw.replace("~", " ").split()
    words: list[str] = []
    current: list[str] = []
    depth = 0
    for char in raw:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and (char.isspace() or char == "~"):
            if current:
                words.append("".join(current))
            current = []
            continue
        current.append(char)
    if current:
        words.append("".join(current))
    return words


def _fully_braced(word: str) -> bool:
    if not (word.startswith("{") and word.endswith("}")) or word.startswith("{\\"):
        return False
    depth = 0
    for i, char in enumerate(word):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and i < len(word) - 1:
            return False
    return True


def _starts_lower(word: str) -> bool:
    # A braced word is "caseless" in BibTeX and never starts the von part.
    if word.startswith("{") and not word.startswith("{\\"):
        return False
    letters = [c for c in latex_to_text(word) if c.isalpha()]
    return bool(letters) and letters[0].islower()


def _text(words: Sequence[str]) -> str:
    return " ".join(latex_to_text(" ".join(words)).split())


def bibtex_name(name: Name) -> str:
    """A name for a BibTeX name list: "Given Family" when BibTeX reads that right, else
    "{van der Schaar}, Mihaela", "Daumé, III, Hal"; a literal name braced whole."""
    if _simple(name):  # most names: one check instead of the rules below
        return f"{name.given} {name.family}"
    if name.literal:
        escaped = bibtex_escape(name.literal)
        return (
            escaped
            if len(name.literal.split()) == 1 and not _risky(name.literal)
            else f"{{{escaped}}}"
        )
    family = bibtex_escape(name.family)
    if name.particle:
        family = f"{{{bibtex_escape(name.particle)} {family}}}"
    elif _risky(name.family) or (
        len(name.family.split()) > 1 and any(map(_lower_word, name.family.split()))
    ):
        family = f"{{{family}}}"
    given = bibtex_escape(name.given)
    if _risky(name.given):
        given = f"{{{given}}}"
    simple = not name.particle and not name.suffix and len(name.family.split()) == 1
    if (
        simple
        and given
        and not _lower_word(name.family)
        and not any(map(_lower_word, name.given.split()))
    ):
        return f"{given} {family}"
    if name.suffix:
        return f"{family}, {bibtex_escape(name.suffix)}, {given}".rstrip()
    return f"{family}, {given}" if given else family


_BIBTEX_SPECIAL = re.compile(r"[\\%&#_$^~<>{},]")


def _simple(name: Name) -> bool:
    """Given names and a one-word family, each word capitalised, nothing to escape."""
    if name.literal or name.particle or name.suffix or not name.given or " " in name.family:
        return False
    if not name.family[:1].isupper() or _BIBTEX_SPECIAL.search(name.given + name.family):
        return False
    return all(w[:1].isupper() and w.lower() not in ("and", "others") for w in name.given.split())


def _lower_word(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and letters[0].islower()


def _risky(text: str) -> bool:
    """Whether BibTeX would take this part apart: a bare "and", "others", or a comma."""
    return "," in text or any(w.lower() in ("and", "others") for w in text.split())


# ---------------------------------------------------------------- names kept in a bookmark


def names_extra(names: Sequence[Name]) -> list[dict[str, str]] | None:
    """The name parts to keep in an imported bookmark's snapshot, or None when every name
    reads back the same from its text."""
    if all(parse_name(n.text) == n for n in names):
        return None
    return [{k: getattr(n, k) for k in _PARTS if getattr(n, k)} for n in names]


def author_names(bookmark: Bookmark) -> list[Name]:
    """The bookmark's authors taken apart: the parts its import kept, for each name whose text
    still matches, else the name's text parsed."""
    authors = bookmark.paper.authors
    kept = _kept_names(bookmark.extra.get("paper"), len(authors))
    names = []
    for i, text in enumerate(authors):
        name = kept[i] if kept else None
        names.append(name if name is not None and name.text == text else parse_name(text))
    return names


def first_author(bookmark: Bookmark) -> Name | None:
    """`author_names(bookmark)[0]`, without taking the other names apart (citation keys)."""
    authors = bookmark.paper.authors
    if not authors:
        return None
    kept = _kept_names(bookmark.extra.get("paper"), len(authors))
    name = kept[0] if kept else None
    return name if name is not None and name.text == authors[0] else parse_name(authors[0])


def _kept_names(snapshot: object, count: int) -> list[Name | None]:
    if not isinstance(snapshot, Mapping):
        return []
    stored = snapshot.get(NAMES_KEY)
    if not isinstance(stored, list) or len(stored) != count:
        return []
    return [_stored_name(item) for item in stored]


def _stored_name(item: object) -> Name | None:
    if not isinstance(item, Mapping) or not all(isinstance(item.get(k, ""), str) for k in _PARTS):
        return None
    return Name(**{k: item.get(k, "") for k in _PARTS})
