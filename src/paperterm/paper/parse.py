"""HF's Markdown of a paper (hf-api.md §1.3a) parsed into blocks, by a small line-based reader
made for the two shapes it comes in, not by a general Markdown parser: the text is untrusted
and its LaTeX, bare `=` lines and flattened tables would mislead one.

* Variant A: `##` headings, `![Image N: …](url)` then `Figure N: …`, `Table N: …` captions
  beside their flattened rows, display equations with a glued number `…(5)`, citations as
  links into `#bib.bibN`, a `## References` list.
* Variant B: a text dump of the whole arXiv page, math one glyph per line. It is detected and
  given back as cleaned plain text under a notice: the arXiv page's own chrome is cut, runs
  of one-glyph lines are joined, nothing is read as structure.
"""

from __future__ import annotations

import re

from paperterm.clean import clean_text
from paperterm.links import safe_url
from paperterm.paper.blocks import Block, Cite, Document, Heading
from paperterm.paper.inline import Inline, inline
from paperterm.paper.latex import to_unicode

# Kept parsed documents made by another version of this parser are parsed again.
PARSER_VERSION = 1
MAX_CHARS = 2_000_000  # ten times the largest real paper; the rest is cut with a notice
CONVERTED_NOTICE = "converted text only: this paper's text came as a page dump, shown as plain text"

_HEADER = re.compile(r"(Title|URL Source|Published Time|Markdown Content):[ \t]*(.*)")
_CHUNKS = re.compile(r"\n[ \t]*\n")
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*)")
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(([^)\s]+)(?:[ \t]+\"[^\"\n]*\")?\)\s*")
_FIGURE = re.compile(r"Figure[ \t]+([A-Z]?\d+(?:\.\d+)?)[:.][ \t]*(.*)", re.DOTALL)
_TABLE = re.compile(r"Table[ \t]+([A-Z]?\d+(?:\.\d+)?)[:.][ \t]*(.*)", re.DOTALL)
_ITEM = re.compile(r"(?:[*+\-]|\d{1,3}\.)[ \t]+(.*)", re.DOTALL)
_ITEM_START = re.compile(r"\n(?=(?:[*+\-]|\d{1,3}\.)[ \t]+)")
_NUMBERED_REF = re.compile(r"\[(\d{1,4})\][ \t]*(.*)", re.DOTALL)
_CITED_BY = re.compile(r"\s*(?:External Links:.*?)?Cited by:.*\Z", re.DOTALL)
_EQ_NUMBER = re.compile(r"\(((?:[A-Z]\.)?\d{1,3}(?:\.\d{1,3})?[a-z]?)\)\s*\Z")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]{2,}")
_WORD = re.compile(r"[A-Za-z]{4,}")
_BULLET_ONLY = re.compile(r"[•◦▪·\-*]\s*")


def parse_paper(raw: str) -> Document:
    """The blocks of a paper's Markdown as HF serves it; safe on any text at all."""
    text = clean_text(raw)
    truncated = len(text) > MAX_CHARS
    if truncated:
        text = text[:MAX_CHARS]
    body, source = _strip_header(text)
    if is_page_dump(body):
        blocks = [Block("notice", CONVERTED_NOTICE), *_plain_blocks(body)]
        return Document(tuple(blocks), converted_only=True, source_url=source, truncated=truncated)
    blocks = _Reader().read(body)
    toc = tuple(Heading(i, b.level, b.text) for i, b in enumerate(blocks) if b.kind == "heading")
    return Document(tuple(blocks), source_url=source, toc=toc, truncated=truncated)


def is_page_dump(body: str) -> bool:
    """True for variant B: the arXiv page's chrome at the top, or no heading and mostly
    one-glyph lines (a lone `=` line there must not become a setext heading)."""
    head = body[:3000]
    if "Back to arXiv" in head and "Report Issue" in head:
        return True
    lines = body.split("\n")
    if any(_HEADING.match(line) for line in lines):
        return False
    tiny = sum(1 for line in lines if 0 < len(line.strip()) <= 2)
    return len(lines) > 50 and tiny > len(lines) / 5


def _strip_header(text: str) -> tuple[str, str | None]:
    source = None
    lines = text.split("\n")
    start = 0
    for index, line in enumerate(lines[:12]):
        match = _HEADER.match(line)
        if match:
            if match.group(1) == "URL Source" and match.group(2).startswith("https://"):
                source = match.group(2).strip()
            start = index + 1
            if match.group(1) == "Markdown Content":
                break
        elif line.strip():
            break
    return "\n".join(lines[start:]), source


# -- variant B --------------------------------------------------------------------------


_DUMP_START = re.compile(r"arXiv:\d{4}\.\d{4,5}")
_DUMP_END = "Experimental support, please view the build logs"


def _plain_blocks(body: str) -> list[Block]:
    lines = body.split("\n")
    for index, line in enumerate(lines[:400]):
        if _DUMP_START.match(line):
            lines = lines[index + 1 :]
            break
    for index in range(len(lines) - 1, max(-1, len(lines) - 400), -1):
        if lines[index].startswith(_DUMP_END):
            lines = lines[:index]
            break
    # Math comes one glyph per line, blank lines between some: a short line, a line that
    # starts with a space or punctuation, and the line after a glyph continue the text.
    paragraphs: list[str] = []
    broken = True
    glyph = False
    for line in lines:
        piece = line.strip()
        if not piece:
            broken = True
            continue
        short = len(piece) <= 3
        if paragraphs and (short or glyph or line[0] in _CONTINUES):
            paragraphs[-1] += piece if short or (glyph and not line[0].isspace()) else line.rstrip()
        elif paragraphs and not broken:
            paragraphs[-1] += " " + piece
        else:
            paragraphs.append(piece)
        broken, glyph = False, short
    return [Block("plain", " ".join(p.split())) for p in paragraphs]


_CONTINUES = frozenset(" \t.,;:)]}")


# -- variant A --------------------------------------------------------------------------


class _Reader:
    """Chunks (text between blank lines) to blocks, then citations to their references."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.inlines: dict[int, Inline] = {}
        self.images: list[tuple[str, str | None]] = []  # (alt, url) awaiting a caption
        self.in_references = False
        self.pending_rows: list[str] | None = None  # a rows chunk that may precede a caption

    def read(self, body: str) -> list[Block]:
        for chunk in _CHUNKS.split(body):
            chunk = chunk.strip("\n")
            if chunk.strip():
                self._chunk(chunk)
        self._flush_images()
        self._flush_rows()
        return _resolve(self.blocks, self.inlines)

    def _chunk(self, chunk: str) -> None:
        first = chunk.lstrip()
        heading = _HEADING.match(first)
        if heading and "\n" not in first:
            self._flush()
            title = inline(heading.group(2).strip().strip("#").strip()).text
            self.in_references = title.lower() in ("references", "bibliography")
            self.blocks.append(Block("heading", title or "…", level=len(heading.group(1))))
            return
        image = _IMAGE.fullmatch(first)
        if image:
            self._flush_rows()
            self.images.append((image.group(1), _http(image.group(2))))
            return
        figure = _FIGURE.match(first)
        if figure:
            self._flush_rows()
            self._figure(figure.group(1), figure.group(2))
            return
        self._flush_images()
        table = _TABLE.match(first)
        if table:
            rows = self.pending_rows or []
            self.pending_rows = None
            caption = self._inline(table.group(2))
            self.blocks.append(Block("table", caption.text, label=table.group(1), rows=tuple(rows)))
            return
        if _ITEM.match(first):
            for item in _ITEM_START.split(first):
                if item.strip():
                    self._text(item.strip(), [item.strip()])
            return
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        numbered = _EQ_NUMBER.search(lines[-1]) is not None
        if (
            len(lines) >= 2
            and not _is_equation(" ".join(lines), numbered)
            and _looks_like_rows(lines)
        ):
            self._rows(lines)
            return
        self._flush_rows()
        self._text(first, lines)

    def _text(self, first: str, lines: list[str]) -> None:
        item = _ITEM.match(first)
        if item:
            text = " ".join(line for line in item.group(1).split("\n") if line.strip())
            if _BULLET_ONLY.fullmatch(text.split(" ", 1)[0] + " "):
                text = text.split(" ", 1)[1] if " " in text else ""
            if self.in_references:
                self._reference(text)
            elif text.strip():
                self._add("item", self._inline(text))
            return
        joined = " ".join(lines)
        number = _EQ_NUMBER.search(joined)
        if joined.startswith("(") and number and number.start() == 0:
            self._number_last_equation(number.group(1))
            return
        if _is_equation(joined, number is not None):
            body = joined[: number.start()] if number else joined
            self.blocks.append(
                Block("equation", to_unicode(body).strip(), label=number.group(1) if number else "")
            )
            return
        self._add("paragraph", self._inline(joined))

    def _figure(self, label: str, caption_text: str) -> None:
        url = next((u for _, u in self.images if u), None)
        self.images = []
        caption = self._inline(" ".join(caption_text.split()))
        self._add("figure", caption, label=label, url=url)

    def _reference(self, text: str) -> None:
        text = _CITED_BY.sub("", text).strip()
        numbered = _NUMBERED_REF.match(text)
        label = numbered.group(1) if numbered else ""
        entry = self._inline(numbered.group(2) if numbered else text)
        self.blocks.append(Block("reference", entry.text, label=label))

    def _rows(self, lines: list[str]) -> None:
        previous = self.blocks[-1] if self.blocks else None
        if previous is not None and previous.kind == "table" and not previous.rows:
            rows = tuple(to_unicode(line) for line in lines)
            self.blocks[-1] = Block("table", previous.text, label=previous.label, rows=rows)
            return
        self._flush_rows()
        self.pending_rows = [to_unicode(line) for line in lines]

    def _number_last_equation(self, label: str) -> None:
        last = self.blocks[-1] if self.blocks else None
        if last is not None and last.kind in ("equation", "paragraph") and not last.label:
            self.blocks[-1] = Block("equation", last.text, label=label)
        else:
            self.blocks.append(Block("equation", "", label=label))

    def _flush(self) -> None:
        self._flush_images()
        self._flush_rows()

    def _flush_images(self) -> None:
        for alt, url in self.images:
            self.blocks.append(Block("figure", inline(alt).text, url=url))
        self.images = []

    def _flush_rows(self) -> None:
        if self.pending_rows:
            self.blocks.append(Block("table", "", rows=tuple(self.pending_rows)))
        self.pending_rows = None

    def _inline(self, text: str) -> Inline:
        return inline(text)

    def _add(self, kind: str, content: Inline, *, label: str = "", url: str | None = None) -> None:
        self.inlines[len(self.blocks)] = content
        self.blocks.append(Block(kind, content.text, label=label, url=url))  # type: ignore[arg-type]


def _is_equation(text: str, numbered: bool) -> bool:
    commands = len(_LATEX_COMMAND.findall(text))
    if "\\displaystyle" in text:
        return True
    if not (commands or "=" in text or "^" in text or "_{" in text):
        return False
    # Prose has words; a display equation has few, and no sentence of them.
    words = len(_WORD.findall(_LATEX_COMMAND.sub("", text)))
    return (numbered and words <= 8) or (commands >= 2 and words <= 3 and len(text) < 600)


def _looks_like_rows(lines: list[str]) -> bool:
    digits = sum(1 for line in lines if re.search(r"\d", line))
    return digits * 2 >= len(lines) and max(len(line) for line in lines) < 400


def _http(url: str) -> str | None:
    return safe_url(url)


def _resolve(blocks: list[Block], inlines: dict[int, Inline]) -> list[Block]:
    """Point every citation at its reference: by number when the list is numbered, else by
    the cited title, else by the position of `bib.bibN` in the list."""
    references = [i for i, b in enumerate(blocks) if b.kind == "reference"]
    by_label = {blocks[i].label: i for i in references if blocks[i].label}
    lowered = [(i, blocks[i].text.lower()) for i in references]
    found: dict[str, int | None] = {}

    def target(label: str, title: str, bib: int | None) -> int | None:
        if by_label and label in by_label:
            return by_label[label]
        key = title.lower()[:60]
        if key and len(key) >= 8:
            if key not in found:
                found[key] = next((i for i, t in lowered if key in t), None)
            if found[key] is not None:
                return found[key]
        if bib is not None and not by_label and 0 < bib <= len(references):
            return references[bib - 1]
        return None

    for index, content in inlines.items():
        if not content.cites:
            continue
        cites = tuple(Cite(c.start, c.end, target(c.label, c.title, c.bib)) for c in content.cites)
        old = blocks[index]
        blocks[index] = Block(old.kind, old.text, old.level, old.label, old.url, old.rows, cites)
    return blocks


__all__ = [
    "CONVERTED_NOTICE", "MAX_CHARS", "PARSER_VERSION", "Heading", "is_page_dump", "parse_paper"
]  # fmt: skip
