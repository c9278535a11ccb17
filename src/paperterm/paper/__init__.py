"""A paper's full text for reading in a terminal: HF's Markdown (hf-api.md §1.3a) parsed into
blocks, its LaTeX made Unicode, laid out to a width. Pure: no I/O, no Textual or Rich.

Public face:

* `parse_paper` — Markdown to a `Document` of `Block`s (page dumps detected, `converted_only`);
  `document_json`, `read_document_json` — a parsed document kept and read back without parsing;
* `with_front`, `front_matter` — our record's title, authors and abstract before the text;
* `Layout` — the document as `Line`s for a width: table of contents, sections, search;
* `to_unicode` — the LaTeX-to-Unicode table on its own.
"""

from __future__ import annotations

from paperterm.paper.blocks import (
    Block,
    Cite,
    Document,
    Heading,
    document_json,
    read_document_json,
    with_front,
)
from paperterm.paper.latex import to_unicode
from paperterm.paper.layout import Layout, Line, Match, front_matter
from paperterm.paper.parse import CONVERTED_NOTICE, PARSER_VERSION, is_page_dump, parse_paper

__all__ = [
    "CONVERTED_NOTICE",
    "PARSER_VERSION",
    "Block",
    "Cite",
    "Document",
    "Heading",
    "Layout",
    "Line",
    "Match",
    "document_json",
    "front_matter",
    "is_page_dump",
    "parse_paper",
    "read_document_json",
    "to_unicode",
    "with_front",
]
