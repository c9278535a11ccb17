"""What BibTeX, RIS and CSL-JSON records have in common on the way in: the arXiv id they point
to, their dates, and the bookmark a record becomes.

A citation record says who wrote what and when, nothing of what Hugging Face knows (upvotes,
links): its bookmark is marked ``incomplete`` so a later `paperterm fetch` looks it up, and
with a title and authors it is already a complete citation meanwhile. Name parts that its
text alone would not give back (a two-word family name) and a date that is only a year or a
month are kept in the snapshot (`names.NAMES_KEY`, `keys.ISSUED_KEY`), as keys the state file
keeps for any paper table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from paperterm.clean import AUTHORS_MAX, NAME_MAX, TITLE_MAX, clean_abstract, clean_line
from paperterm.exchange.fields import SkipEntry, clean_note, is_clean_line, line_field
from paperterm.exchange.keys import ISSUED_KEY, is_valid_cite_key, issued_extra
from paperterm.exchange.names import NAMES_KEY, Name, make_name, names_extra
from paperterm.models import Bookmark, Paper, normalize_arxiv_id

# An arXiv id inside text: abs/pdf/html URLs (arxiv.org or HF papers pages), arXiv's DataCite
# DOI, and the "arXiv:2401.00001" prefix form (Google Scholar journals, Zotero's number/note).
_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|huggingface\.co/papers/|10\.48550/arxiv\.|arxiv:\s*)"
    r"(\d{4}\.\d{4,5})(?:v\d+)?(?!\d)",
    re.IGNORECASE,
)
_ARXIV_NOTE_LINE = re.compile(r"^\s*arxiv:\s*\S+(?:\s*\[[^\]]*\])?\s*$", re.IGNORECASE)
_DATE = re.compile(r"^\s*(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def find_arxiv_id(fields: Mapping[str, str], *, bare: Sequence[str] = ()) -> str | None:
    """The versionless arXiv id the first of `fields` (in order) points to, or None; the
    fields named in `bare` may also hold just the id (``2401.00001v2``)."""
    for name, value in fields.items():
        if name in bare and (paper_id := normalize_arxiv_id(value)):
            return paper_id
        if match := _ARXIV_IN_TEXT.search(value):
            return match.group(1)
    return None


def date_parts(text: str) -> list[int] | None:
    """[year], [year, month] or [year, month, day] of ``2024``, ``2024-03``, ``2024/03/05/``
    (RIS), ``2024-03-05``; None when it is no such date."""
    match = _DATE.match(text)
    if match is None:
        return None
    parts = [int(p) for p in match.groups() if p]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return parts[:1]
    if len(parts) == 3:
        try:
            dt.date(*parts)
        except ValueError:
            return parts[:2]
    return parts


def month_number(text: str) -> int | None:
    """The month a BibTeX ``month`` field names: ``8``, ``aug``, ``August``."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    return _MONTHS.get(text[:3]) if len(text) >= 3 else None


def cited_bookmark(
    paper_id: str | None,
    title: str,
    names: Sequence[Name],
    *,
    abstract: str,
    issued: Sequence[int] | None,
    note: str,
    key: str,
    now: dt.datetime,
    more_authors: bool = False,
) -> Bookmark:
    """A bookmark from a citation record: only what the record says, marked incomplete so a
    later lookup fills in the rest. Zotero's "arXiv:ID [cs]" note lines are not a note.
    `more_authors`: the list ended with "and others"."""
    if paper_id is None:
        raise SkipEntry("no new-style arXiv id")
    texts = [(n.text, n) for n in names]
    names = [n if is_clean_line(text, NAME_MAX) else _clean_name(n) for text, n in texts]
    names = [n for n in names if n.text][:AUTHORS_MAX]
    note = "\n".join(line for line in note.split("\n") if not _ARXIV_NOTE_LINE.match(line))
    parts = list(issued or ())
    day = dt.date(*parts) if len(parts) == 3 else None
    paper = Paper(
        id=paper_id,
        title=clean_line(title, TITLE_MAX),
        authors=tuple(n.text for n in names),
        abstract=clean_abstract(abstract),
        published=day,
        author_count=len(names) + (1 if more_authors else 0),
    )
    snapshot: dict[str, object] = {}
    if (kept := names_extra(names)) is not None:
        snapshot[NAMES_KEY] = kept
    if parts and (partial := issued_extra(parts)) is not None:
        snapshot[ISSUED_KEY] = partial
    return Bookmark(
        paper=paper,
        added_at=now,
        note=clean_note(note).strip(),
        cite_key=key if is_valid_cite_key(key) else None,
        incomplete=True,
        extra={"paper": snapshot} if snapshot else {},
    )


def _clean_name(name: Name) -> Name:
    # Most names are clean already (checked on their whole text, whose parts are then clean).
    if name.literal:
        return Name(literal=line_field(name.literal, NAME_MAX))
    parts = (name.family, name.given, name.particle, name.suffix)
    clean = tuple(line_field(p, NAME_MAX) for p in parts)
    return name if clean == parts else make_name(*clean)
