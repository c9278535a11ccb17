"""CSL-JSON both ways: bookmarks to an array of CSL ``article`` items (CSL's type for
preprints, valid against citation-style-language/schema csl-data.json), and CSL-JSON items
(ours, Zotero's, citation.js's, manubot's ...) to the bookmarks of those with an arXiv id.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from paperterm.exchange.fields import SkipEntry, list_field, str_field
from paperterm.exchange.keys import cited_date, export_keys
from paperterm.exchange.names import Name, author_names, make_name
from paperterm.exchange.records import cited_bookmark, date_parts, find_arxiv_id
from paperterm.exchange.text import finish, line, user_lines
from paperterm.models import Bookmark

# ---------------------------------------------------------------- bookmarks -> CSL-JSON


def to_csl_json(bookmarks: Sequence[Bookmark]) -> str:
    """An array of CSL ``article`` items, one per line, pinned keys as ``id``."""
    # One item per line, as in the JSON backup: indent= would make this the slowest export.
    rows = ",\n".join(
        json.dumps(_csl_item(b, key), ensure_ascii=False)
        for b, key in zip(bookmarks, export_keys(bookmarks), strict=True)
    )
    return finish(f"[\n{rows}\n]\n" if rows else "[]\n")


def _csl_item(bookmark: Bookmark, key: str) -> dict[str, Any]:
    paper = bookmark.paper
    item: dict[str, Any] = {
        "id": key,
        "citation-key": key,
        "type": "article",
        "title": line(paper.title),
        "author": [csl_name(n) for n in author_names(bookmark)],
        "issued": {"date-parts": [cited_date(bookmark)]},
        "publisher": "arXiv",
        "number": f"arXiv:{paper.id}",
        "DOI": f"10.48550/arXiv.{paper.id}",
        "URL": paper.arxiv_url,
    }
    if paper.abstract:
        item["abstract"] = paper.abstract
    if paper.ai_keywords:
        item["keyword"] = ", ".join(line(k) for k in paper.ai_keywords)
    note = "\n".join(user_lines(bookmark.note))
    if note:
        item["note"] = note
    return item


# ---------------------------------------------------------------- CSL-JSON -> bookmarks

# citeproc-js's rich-text tags inside CSL strings.
_CSL_MARKUP = re.compile(r"</?(?:i|b|sc|sup|sub)>|<span(?:\s[^<>]*)?>|</span>")
_ID_FIELDS = ("number", "DOI", "URL", "id", "note", "container-title", "archive_location")


def bookmark_from_csl(item: object, now: dt.datetime) -> Bookmark:
    """The bookmark a CSL item stands for; raises `SkipEntry` without an arXiv id."""
    if not isinstance(item, dict):
        raise SkipEntry("not an object")
    mentions_arxiv = any(
        "arxiv" in str_field(item.get(k)).lower()
        for k in ("publisher", "archive", "source", "container-title")
    )
    fields = {k: str_field(item.get(k)) for k in _ID_FIELDS}
    paper_id = find_arxiv_id(fields, bare=("number", "archive_location") if mentions_arxiv else ())
    key = str_field(item.get("citation-key")) or str_field(item.get("id"))
    return cited_bookmark(
        paper_id,
        _CSL_MARKUP.sub("", str_field(item.get("title"))),
        [n for n in map(_name, list_field(item.get("author"))) if n is not None],
        abstract=str_field(item.get("abstract")),
        issued=_issued(item.get("issued")),
        note=str_field(item.get("note")),
        key=key,
        now=now,
    )


def _name(value: object) -> Name | None:
    return name_from_csl(value) if isinstance(value, dict) else None


def _issued(value: object) -> list[int] | None:
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            numbers = [int(p) for p in parts[0][:3]]
        except (TypeError, ValueError):
            return None
        return date_parts("-".join(f"{n:02d}" for n in numbers)) if numbers[0] > 0 else None
    raw = value.get("raw") or value.get("literal")
    return date_parts(raw) if isinstance(raw, str) else None


def csl_name(name: Name) -> dict[str, str]:
    """A CSL-JSON name object: ``family``/``given``/``non-dropping-particle``/``suffix``, or
    ``literal``."""
    if name.literal:
        return {"literal": name.literal}
    item = {"family": name.family}
    if name.given:
        item["given"] = name.given
    if name.particle:
        item["non-dropping-particle"] = name.particle
    if name.suffix:
        item["suffix"] = name.suffix
    return item


def name_from_csl(value: Mapping[str, Any]) -> Name:
    """A CSL-JSON name object read back (either particle goes with the family)."""

    def part(key: str) -> str:
        item = value.get(key)
        return item if isinstance(item, str) else ""

    if part("literal"):
        return Name(literal=" ".join(part("literal").split()))
    particle = " ".join(p for p in (part("dropping-particle"), part("non-dropping-particle")) if p)
    return make_name(part("family"), part("given"), particle, part("suffix"))
