"""The records of a paper's text once parsed: a `Document` is a flat tuple of blocks, each a
frozen record holding only plain, cleaned text (never markup) and http(s) URLs."""

from __future__ import annotations

import json
from typing import Any, Literal

from paperterm.records import Record

Kind = Literal[
    "heading",
    "paragraph",
    "equation",
    "figure",
    "table",
    "item",
    "reference",
    "notice",
    "plain",
    "meta",
]


class Cite(Record, frozen=True):
    """A citation inside a block's text: characters `start`..`end`, pointing at the block
    index of its reference (None when the reference list does not have it)."""

    start: int
    end: int
    target: int | None


class Block(Record, frozen=True):
    """One block of the paper.

    * heading: `text` is the title, `level` 1-6;
    * paragraph, item, plain, notice: `text` reflows to the width (plain keeps its lines);
    * equation: `text` is the Unicode form, `label` its number ("5") if it has one;
    * figure: `label` its number, `text` the caption, `url` the image (http(s) only);
    * table: `label` its number, `text` the caption, `rows` preformatted lines;
    * reference: `label` its number or key, `text` the entry.
    """

    kind: Kind
    text: str
    level: int = 0
    label: str = ""
    url: str | None = None
    rows: tuple[str, ...] = ()
    cites: tuple[Cite, ...] = ()


class Heading(Record, frozen=True):
    """An entry of the table of contents: the heading's block index."""

    block: int
    level: int
    title: str


class Document(Record, frozen=True):
    """A paper's text as blocks. `converted_only` is set for the page-dump variant, shown as
    cleaned plain text under a notice, never parsed for structure."""

    blocks: tuple[Block, ...]
    converted_only: bool = False
    source_url: str | None = None
    toc: tuple[Heading, ...] = ()
    truncated: bool = False

    @property
    def references(self) -> tuple[int, ...]:
        return tuple(i for i, b in enumerate(self.blocks) if b.kind == "reference")


def with_front(front: tuple[Block, ...], document: Document) -> Document:
    """`document` with `front` (our record's title, authors, abstract) before its blocks, after
    its notice if it has one; citation targets and the table of contents follow."""
    head = document.blocks[:1] if document.converted_only else ()
    rest = document.blocks[len(head) :]
    shift = len(head) + len(front)
    moved = tuple(
        Block(b.kind, b.text, b.level, b.label, b.url, b.rows,
              tuple(Cite(c.start, c.end, None if c.target is None else c.target + len(front))
                    for c in b.cites))
        if b.cites else b
        for b in rest
    )  # fmt: skip
    blocks = (*head, *front, *moved)
    toc = tuple(Heading(h.block + len(front), h.level, h.title) for h in document.toc)
    if not document.converted_only and front and front[0].kind == "heading":
        toc = (Heading(len(head), 0, front[0].text), *toc)
    del shift
    return Document(blocks, document.converted_only, document.source_url, toc, document.truncated)


def document_json(document: Document) -> str:
    """`document` as compact JSON (kept beside the text, so a kept paper opens without
    being parsed again); `read_document_json` reads it back exactly."""
    blocks = [
        [b.kind, b.text, b.level, b.label, b.url, list(b.rows),
         [[c.start, c.end, c.target] for c in b.cites]]
        for b in document.blocks
    ]  # fmt: skip
    toc = [[h.block, h.level, h.title] for h in document.toc]
    head = [document.converted_only, document.source_url, document.truncated]
    return json.dumps([head, toc, blocks], ensure_ascii=False, separators=(",", ":"))


def read_document_json(text: str) -> Document:
    """The document `document_json` wrote; ValueError (or KeyError, TypeError) if it is not."""
    data: Any = json.loads(text)
    (converted, source, truncated), toc, rows = data
    blocks = tuple(
        Block(kind, body, level, label, url, tuple(lines),
              tuple(Cite(start, end, target) for start, end, target in cites))
        for kind, body, level, label, url, lines, cites in rows
    )  # fmt: skip
    headings = tuple(Heading(block, level, title) for block, level, title in toc)
    if not all(isinstance(b.text, str) for b in blocks):
        raise ValueError("not a document")
    return Document(blocks, bool(converted), source, headings, bool(truncated))
