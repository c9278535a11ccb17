"""RIS both ways: bookmarks to ``TY  - GEN`` records, and RIS files (ours, Zotero's,
Mendeley's, EndNote's) to the bookmarks their records with an arXiv id stand for.

The shape written is docs/export-formats.md 4b, with ``ID  - <pinned key>`` so that pandoc
cites a ``.ris`` by the same keys as the ``.bib`` and ``.csl.json``. Reading is lenient where
tools differ (``A1`` or ``AU``, ``T1`` or ``TI``, ``Y1`` or ``PY``, ``ER  -`` without its
space, values wrapped onto lines without a tag, Zotero's HTML notes) and never raises.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence

from paperterm.exchange.keys import cited_date, export_keys
from paperterm.exchange.names import (
    SUFFIXES,
    Name,
    author_names,
    make_name,
    parse_name,
    split_family,
)
from paperterm.exchange.records import cited_bookmark, date_parts, find_arxiv_id
from paperterm.exchange.text import finish, line, user_line
from paperterm.models import Bookmark

RisRecord = list[tuple[str, str]]

# ---------------------------------------------------------------- bookmarks -> RIS


def to_ris(bookmarks: Sequence[Bookmark]) -> str:
    """``TY  - GEN`` records, one ``AU`` per author, CR LF line ends, UTF-8 text."""
    records = [
        _ris_record(b, key) for b, key in zip(bookmarks, export_keys(bookmarks), strict=True)
    ]
    return finish("".join(records))


def _ris_record(bookmark: Bookmark, key: str) -> str:
    paper = bookmark.paper
    date = cited_date(bookmark)
    tags: list[tuple[str, str]] = [("TY", "GEN"), ("ID", key), ("TI", line(paper.title))]
    tags += [("AU", ris_name(n)) for n in author_names(bookmark)]
    tags.append(("PY", str(date[0])))
    if len(date) > 1:
        tags.append(("DA", "/".join(f"{p:02d}" for p in date)))
    tags.append(("AB", line(paper.abstract)))
    tags += [("KW", line(k)) for k in paper.ai_keywords]
    tags += [
        ("UR", paper.arxiv_url),
        ("DO", f"10.48550/arXiv.{paper.id}"),
        ("DB", "arXiv"),
        ("N1", f"arXiv:{paper.id}"),
        ("N1", user_line(bookmark.note)),
    ]
    # No blank line inside a record: empty values are left out, not written empty.
    body = "".join(f"{tag}  - {value}\r\n" for tag, value in tags if value)
    return body + "ER  - \r\n\r\n"


# ---------------------------------------------------------------- RIS -> records

_TAG = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|)$")
# The first tag of a record: what tells an RIS file from anything else.
RIS_START = re.compile(r"^TY {1,2}- ?\S")


def parse_ris(text: str) -> tuple[list[RisRecord], list[str]]:
    """The records of an RIS file, each a list of (tag, value) in file order, and a message
    per record that was cut short. A line without a tag continues the value above it."""
    records: list[RisRecord] = []
    errors: list[str] = []
    current: RisRecord | None = None
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), 1):
        text_line = raw.rstrip()
        match = _TAG.match(text_line)
        if match is None:
            if text_line.strip() and current:
                tag, value = current[-1]
                current[-1] = (tag, f"{value}\n{text_line.strip()}")
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if current is not None:
                errors.append(f"line {number}: a record without ER before it")
                records.append(current)
            current = [(tag, value)]
        elif tag == "ER":
            if current is not None:
                records.append(current)
            current = None
        elif current is not None:
            current.append((tag, value))
    if current is not None:
        records.append(current)
    return records, errors


# ---------------------------------------------------------------- records -> bookmarks

# Where a record may name the arXiv paper, in the order they are trusted.
_ID_TAGS = ("UR", "DO", "L1", "L2", "L3", "M1", "M3", "AN", "N1", "JO", "JF", "JA", "J2", "T2",
            "IS", "VL", "SN", "ST")  # fmt: skip
_HTML_BREAK = re.compile(r"<br\s*/?>|</p>\s*|</div>\s*|</h\d>\s*", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]*>")


def bookmark_from_ris(record: RisRecord, now: dt.datetime) -> Bookmark:
    """The bookmark a record stands for; raises `SkipEntry` without an arXiv id."""
    values: dict[str, list[str]] = {}
    for tag, value in record:
        if value:
            values.setdefault(tag, []).append(value)

    def first(*tags: str) -> str:
        return next((values[t][0] for t in tags if t in values), "")

    ids = {f"{tag}{i}": v for tag in _ID_TAGS for i, v in enumerate(values.get(tag, []))}
    authors = [v for tag, v in record if tag in ("AU", "A1") and v]
    return cited_bookmark(
        find_arxiv_id(ids),
        " ".join(first("TI", "T1", "CT").split()),
        [name_from_ris(a) for a in authors],
        abstract=first("AB", "N2"),
        issued=_issued(first("DA"), first("PY", "Y1")),
        note="\n\n".join(_note(v) for v in values.get("N1", [])),
        key=first("ID"),
        now=now,
    )


def _issued(date: str, year: str) -> list[int] | None:
    """DA when it says more than the year (and agrees with PY), else PY."""
    by_date, by_year = date_parts(date), date_parts(year)
    if by_date and len(by_date) > 1 and (not by_year or by_year[0] == by_date[0]):
        return by_date
    return by_year or by_date


def _note(value: str) -> str:
    # Zotero writes its notes as HTML.
    if not value.lstrip().lower().startswith(("<p", "<div", "<h1", "<h2", "<h3")):
        return value
    return html.unescape(_HTML_TAG.sub("", _HTML_BREAK.sub("\n", value))).strip()


def ris_name(name: Name) -> str:
    """An RIS ``AU`` value: "Family, Given[, Suffix]" as the RIS specification writes it; a
    literal name of several words ends with a comma, EndNote's mark of a corporate author."""
    if name.literal:
        one_word = len(name.literal.split()) == 1
        return name.literal if one_word or "," in name.literal else name.literal + ","
    family = name.full_family
    if name.suffix:
        return f"{family}, {name.given}, {name.suffix}"
    return f"{family}, {name.given}" if name.given else family


def name_from_ris(value: str) -> Name:
    """An RIS author: "Family, Given, Suffix" (also "Family, Suffix, Given" as pandoc and
    BibTeX order them), "Family, Given", "Organisation," or "Given Family"."""
    parts = [" ".join(p.split()) for p in value.split(",")]
    if len(parts) == 1:
        return parse_name(parts[0])
    family, given = parts[0], parts[1]
    suffix = ", ".join(p for p in parts[2:] if p)
    if given in SUFFIXES and suffix and suffix not in SUFFIXES:
        given, suffix = suffix, given
    if not (given or suffix):
        return Name(literal=family)
    particle, family = split_family(family)
    return make_name(family, given, particle, suffix)
