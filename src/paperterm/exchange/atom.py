"""Papers as an Atom 1.0 feed (RFC 4287), so any feed reader can follow a paperterm view.

Every entry's id is the paper's Hugging Face URL (stable across fetches and machines), its
``updated`` the paper's feed day (the day it was listed), its summary the abstract, with links
to Hugging Face (alternate), arXiv, the PDF, the code and the project page. The text is
written by ElementTree, which escapes ``&``, ``<``, ``>`` and quotes; characters XML 1.0
cannot hold at all (C0 controls, lone surrogates, U+FFFE/FFFF) are dropped first, so no title
can end the document early or make it ill-formed. Only http(s) links are written.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from paperterm.links import safe_url
from paperterm.models import Paper

ATOM = "http://www.w3.org/2005/Atom"
GENERATOR = "paperterm"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` without the characters an XML 1.0 document cannot contain."""
    return _NOT_XML.sub("", text)


def atom_feed(
    papers: Sequence[Paper],
    *,
    title: str,
    feed_id: str,
    updated: dt.datetime,
    link: str | None = None,
) -> bytes:
    """The Atom document (UTF-8) of `papers` in order. `feed_id` is a stable IRI for the view
    (``tag:`` or a URL); `updated` is when its content last changed."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    _text(feed, "updated", _stamp(updated))
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", GENERATOR)  # for entries without
    _text(feed, "generator", GENERATOR)
    if link and safe_url(link):
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=link)
    for paper in papers:
        _entry(feed, paper, updated)
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _entry(feed: ET.Element, paper: Paper, fallback: dt.datetime) -> None:
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", paper.url)
    _text(entry, "title", paper.title or paper.id)
    _text(entry, "updated", _stamp(_day(paper.feed_day) or paper.fetched_at or fallback))
    if paper.published:
        _text(entry, "published", _stamp(_day(paper.published) or fallback))
    for name in paper.authors:
        _text(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", name)
    links = [
        ("alternate", paper.url, "Hugging Face", "text/html"),
        ("related", paper.arxiv_url, "arXiv", "text/html"),
        ("related", paper.pdf_url, "PDF", "application/pdf"),
        ("related", paper.github, "Code", "text/html"),
        ("related", paper.project_page, "Project page", "text/html"),
    ]
    for rel, href, label, kind in links:
        url = safe_url(href) if href else None
        if url:
            ET.SubElement(
                entry, f"{{{ATOM}}}link", rel=rel, href=xml_text(url), title=label, type=kind
            )
    for keyword in paper.ai_keywords:
        ET.SubElement(entry, f"{{{ATOM}}}category", term=xml_text(keyword))
    summary = paper.abstract or paper.ai_summary or ""
    if summary:
        _text(entry, "summary", summary).set("type", "text")


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = xml_text(text)
    return element


def _day(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) if day else None


def _stamp(at: dt.datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
