"""A parsed paper laid out for a terminal of a given width: lines of plain text, each knowing
its block, its place in the document (an offset that does not depend on the width, so a
reading position survives a resize), its citations and its figure's URL.

Pure and Textual-free: the reading view draws only the lines on screen, and searching,
the table of contents and the current section are lookups in these lists.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from paperterm.paper.blocks import Block, Document
from paperterm.records import Record

Style = str  # "title", "heading", "body", "equation", "figure", "table", "reference", ...


class Line(Record, frozen=True):
    """One line on screen. `cites` are (start, end, target block) in this line's text."""

    text: str
    style: Style
    block: int
    offset: int
    cites: tuple[tuple[int, int, int | None], ...] = ()
    url: str | None = None
    level: int = 0


class Match(Record, frozen=True):
    line: int
    start: int
    end: int


class Layout:
    """`document` wrapped to `width` cells."""

    def __init__(self, document: Document, width: int) -> None:
        self.document = document
        self.width = max(20, width)
        self.lines: list[Line] = []
        self.block_line: list[int] = []  # block index -> its first line
        self._offsets: list[int] = []
        self._lowered: str | None = None
        self._line_starts: list[int] = []
        offset = 0
        for index, block in enumerate(document.blocks):
            self.block_line.append(len(self.lines))
            self._block(index, block, offset)
            offset += len(block.text) + len(block.rows) + 1
        self._offsets = [line.offset for line in self.lines]
        self._headings = [self.block_line[h.block] for h in document.toc]

    # -- lookups ---------------------------------------------------------------------------

    def line_at_offset(self, offset: int) -> int:
        """The first line showing document `offset` (a saved reading position)."""
        found = max(0, bisect_right(self._offsets, offset) - 1)
        return bisect_left(self._offsets, self._offsets[found]) if self._offsets else 0

    def section_at(self, line: int) -> int | None:
        """The index into `document.toc` of the section `line` is in."""
        found = bisect_right(self._headings, line) - 1
        return found if found >= 0 else None

    def heading_lines(self) -> list[int]:
        return list(self._headings)

    def find(self, query: str) -> list[Match]:
        """Every case-insensitive occurrence of `query`, in order (a match does not span two
        lines)."""
        needle = query.lower()
        if not needle:
            return []
        if self._lowered is None:
            starts, pos = [], 0
            for line in self.lines:
                starts.append(pos)
                pos += len(line.text) + 1
            self._line_starts = starts
            self._lowered = "\n".join(line.text for line in self.lines).lower()
        haystack, found = self._lowered, list[Match]()
        at = haystack.find(needle)
        while at >= 0 and len(found) < 10_000:
            row = bisect_right(self._line_starts, at) - 1
            start = at - self._line_starts[row]
            if start + len(needle) <= len(self.lines[row].text):
                found.append(Match(row, start, start + len(needle)))
            at = haystack.find(needle, at + len(needle))
        return found

    # -- laying out --------------------------------------------------------------------------

    def _block(self, index: int, block: Block, offset: int) -> None:
        width = self.width
        kind = block.kind
        if kind == "heading":
            if self.lines:  # a heading has a blank line above
                self._blank(index, offset)
            style = "title" if block.level == 0 else "heading"
            self._wrap(index, block, offset, block.text, width, style, level=block.level)
            self._blank(index, offset)
        elif kind == "equation":
            tag = f"({block.label})" if block.label else ""
            self._wrap(index, block, offset, block.text or " ", width - 4 - len(tag) - 2,
                       "equation", indent="    ")  # fmt: skip
            if tag:
                first = self._first_of(index)
                line = self.lines[first]
                pad = max(2, width - _cells(line.text) - len(tag))
                self.lines[first] = _replace_text(line, line.text + " " * pad + tag)
            self._blank(index, offset)
        elif kind == "figure":
            tag = f"[Figure {block.label}] " if block.label else "[Figure] "
            self._wrap(index, block, offset, block.text, width, "figure", prefix=tag, url=block.url)
            if block.url:
                at = self.lines[-1].offset
                self.lines.append(Line("  ↗ " + block.url, "link", index, at, url=block.url))
            self._blank(index, offset)
        elif kind == "table":
            tag = f"[Table {block.label}] " if block.label else "[Table] "
            self._wrap(index, block, offset, block.text, width, "figure", prefix=tag)
            for number, row in enumerate(block.rows):
                at = offset + len(block.text) + number
                for piece in _hard_wrap(row, width - 2):
                    self.lines.append(Line("  " + piece, "table", index, at))
            self._blank(index, offset)
        elif kind == "item":
            self._wrap(index, block, offset, block.text, width, "body", prefix="• ", indent="  ")
        elif kind == "reference":
            tag = f"[{block.label}] " if block.label else "• "
            self._wrap(index, block, offset, block.text, width, "reference", prefix=tag,
                       indent=" " * min(len(tag), 8))  # fmt: skip
        elif kind == "notice":
            self._wrap(index, block, offset, block.text, width, "notice")
            self._blank(index, offset)
        elif kind == "meta":
            self._wrap(index, block, offset, block.text, width, "meta")
            self._blank(index, offset)
        else:
            self._wrap(index, block, offset, block.text, width, "body")
            self._blank(index, offset)

    def _first_of(self, index: int) -> int:
        return self.block_line[index]

    def _blank(self, index: int, offset: int) -> None:
        # Offsets never go back (a position is found by bisection): a blank line, or a figure's
        # link line, has the offset of the line before it.
        if self.lines and self.lines[-1].text:
            self.lines.append(Line("", "blank", index, max(offset, self.lines[-1].offset)))

    def _wrap(
        self,
        index: int,
        block: Block,
        offset: int,
        text: str,
        width: int,
        style: Style,
        *,
        prefix: str = "",
        indent: str = "",
        url: str | None = None,
        level: int = 0,
    ) -> None:
        width = max(10, width)
        cites = block.cites if text is block.text else ()
        lead = prefix or indent
        for start, piece in _greedy(text, width - len(lead), width - len(indent)):
            shown = (lead if start == 0 else indent) + piece
            shift = len(shown) - len(piece)
            end = start + len(piece)
            here = tuple(
                (c.start - start + shift, min(c.end, end) - start + shift, c.target)
                for c in cites
                if c.start < end and c.end > start and c.start >= start
            )
            self.lines.append(Line(shown, style, index, offset + start, here, url, level))


def _greedy(text: str, first: int, rest: int) -> list[tuple[int, str]]:
    """(start in `text`, line) pairs: words packed greedily, over-long words cut."""
    pieces: list[tuple[int, str]] = []
    width = max(1, first)
    pos, length = 0, len(text)
    simple = text.isascii()
    while pos < length:
        while pos < length and text[pos] == " ":
            pos += 1
        if pos >= length:
            break
        end = pos + width if simple else _fit(text, pos, width)
        if end >= length:
            pieces.append((pos, text[pos:].rstrip()))
            break
        cut = text.rfind(" ", pos, end + 1)
        if cut <= pos:
            cut = end  # a word longer than the line
        pieces.append((pos, text[pos:cut].rstrip()))
        pos = cut
        width = max(1, rest)
    return pieces or [(0, "")]


def _fit(text: str, pos: int, width: int) -> int:
    """The index after the last character of `text[pos:]` that fits in `width` cells."""
    cells = 0
    for index in range(pos, len(text)):
        cells += _char_cells(text[index])
        if cells > width:
            return index
    return len(text)


def _char_cells(char: str) -> int:
    if char < "\u0300":
        return 1
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _cells(text: str) -> int:
    return len(text) if text.isascii() else sum(_char_cells(c) for c in text)


def _hard_wrap(row: str, width: int) -> list[str]:
    width = max(10, width)
    pieces = []
    pos = 0
    while pos < len(row):
        end = _fit(row, pos, width)
        pieces.append(row[pos:end])
        pos = max(end, pos + 1)
    return pieces or [""]


def _replace_text(line: Line, text: str) -> Line:
    return Line(text, line.style, line.block, line.offset, line.cites, line.url, line.level)


def front_matter(title: str, authors: Sequence[str], abstract: str) -> list[Block]:
    """The blocks our own record gives before the paper's text: title, authors, abstract."""
    blocks = [Block("heading", title, level=0)]
    if authors:
        blocks.append(Block("meta", ", ".join(authors)))
    for paragraph in abstract.split("\n\n"):
        if paragraph.strip():
            blocks.append(Block("paragraph", paragraph.strip()))
    return blocks
