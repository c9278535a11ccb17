"""PaperText: a paper's full text, drawn a line at a time from its layout.

Only the lines on screen are turned into segments (`render_line`), so a 170k-character paper
costs its layout once and a screenful per frame, never a widget per paragraph. Every piece of
text is a plain `Segment`: nothing from the paper is read as markup. The widget keeps the
selection (a citation or a figure) and the search matches to highlight; it posts `Moved`
when the top line changes, and the screen decides what that means.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paperterm.paper import Document, Layout, Line, Match

# A link on screen: (line, start, end, target block or None, figure URL or None).
Link = tuple[int, int, int, int | None, str | None]

_COMPONENTS = {
    "title": "paper-text--title",
    "heading": "paper-text--heading",
    "equation": "paper-text--equation",
    "figure": "paper-text--figure",
    "link": "paper-text--link",
    "table": "paper-text--table",
    "reference": "paper-text--reference",
    "notice": "paper-text--notice",
    "meta": "paper-text--meta",
}


class PaperText(ScrollView, can_focus=True, inherit_bindings=False):
    """The laid-out text of one paper. Its keys are the reading view's (`paperterm.keys`)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *_COMPONENTS.values(),
        "paper-text--cite",
        "paper-text--selected",
        "paper-text--match",
    }

    DEFAULT_CSS = """
    PaperText { height: 1fr; padding: 0 1; background: $surface; overflow-x: hidden; overflow-y: scroll; }
    PaperText > .paper-text--title { text-style: bold; color: $text; }
    PaperText > .paper-text--heading { text-style: bold; color: $paper-accent; }
    PaperText > .paper-text--equation { color: $text; }
    PaperText > .paper-text--figure { color: $text-muted; text-style: italic; }
    PaperText > .paper-text--link { color: $text-muted; }
    PaperText > .paper-text--table { color: $text-muted; }
    PaperText > .paper-text--reference { color: $text; }
    PaperText > .paper-text--notice { color: $warning; text-style: bold; }
    PaperText > .paper-text--meta { color: $text-muted; }
    PaperText > .paper-text--cite { color: $paper-accent; }
    PaperText > .paper-text--selected { text-style: reverse; }
    PaperText > .paper-text--match { background: $warning 40%; text-style: bold; }
    """

    class Moved(Message):
        """The top line changed (scrolling, a jump)."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.document: Document | None = None
        self.layout_: Layout | None = None
        self.selected: Link | None = None
        self.matches: list[Match] = []
        self._match_lines: dict[int, list[Match]] = {}
        self._pending: int | None = None  # an offset to show once laid out and sized
        self._prepared: Layout | None = None

    # -- what the screen tells it ---------------------------------------------------------

    def show(self, document: Document, offset: int = 0, layout: Layout | None = None) -> None:
        """Show `document`, its top at document `offset` (a saved reading position); `layout`
        is used when it was made for this widget's width (laid out off the UI thread)."""
        self.document = document
        self.layout_ = None
        self.selected = None
        self.matches, self._match_lines = [], {}
        self._pending = offset
        self._prepared = layout
        if self.size.width or layout is not None:
            # Not sized yet (just mounted): the layout made for the terminal's width is
            # taken as it is, so the first frame draws the text; a resize checks it.
            self._lay_out()

    @property
    def settled(self) -> bool:
        """Laid out and scrolled to where it was asked to show."""
        return self.layout_ is not None and self._pending is None

    @property
    def lines(self) -> list[Line]:
        return self.layout_.lines if self.layout_ else []

    @property
    def top(self) -> int:
        return int(self.scroll_y)

    @property
    def top_offset(self) -> int:
        """The document offset of the top line: what a reading position is."""
        lines = self.lines
        return lines[min(self.top, len(lines) - 1)].offset if lines else 0

    def go_to(self, line: int) -> None:
        # Forced: right after a layout the scrollbars are not known yet.
        self.scroll_to(y=max(0, line), animate=False, immediate=True, force=True)

    def highlight(self, matches: list[Match]) -> None:
        self.matches = matches
        self._match_lines = {}
        for match in matches:
            self._match_lines.setdefault(match.line, []).append(match)
        self.refresh()

    def links(self) -> list[Link]:
        """Every citation and figure link, in reading order."""
        found: list[Link] = []
        for number, line in enumerate(self.lines):
            for start, end, target in line.cites:
                found.append((number, start, end, target, None))
            if line.url and line.style == "link":
                found.append((number, 4, len(line.text), None, line.url))
        return found

    def select(self, link: Link | None) -> None:
        self.selected = link
        if link is not None and not (self.top <= link[0] < self.top + self.size.height):
            self.go_to(link[0] - self.size.height // 3)
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------

    def on_resize(self) -> None:
        if self.document is None:
            return
        if self.layout_ is not None and self.layout_.width == self._width():
            return  # only the height changed: the same lines
        if self._pending is None:
            self._pending = self.top_offset
        self._lay_out()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if int(old) != int(new):
            self.post_message(self.Moved(int(new)))

    def render_line(self, y: int) -> Strip:
        number = self.top + y
        lines = self.lines
        width = self.scrollable_content_region.width
        if number >= len(lines):
            return Strip.blank(width, self.rich_style)
        line = lines[number]
        base = self._style(line.style)
        marks = self._marks(number, line)
        if not marks:
            return Strip([Segment(line.text, base)]).adjust_cell_length(width, self.rich_style)
        # Later marks win: a citation, then a search match, then the selection.
        styles: list[Style | None] = [None] * len(line.text)
        for start, end, style in marks:
            for index in range(max(0, start), min(end, len(styles))):
                styles[index] = style
        segments, run = [], 0
        for index in range(1, len(styles) + 1):
            if index == len(styles) or styles[index] is not styles[run]:
                mark = styles[run]
                segments.append(Segment(line.text[run:index], base + mark if mark else base))
                run = index
        return Strip(segments).adjust_cell_length(width, self.rich_style)

    def _marks(self, number: int, line: Line) -> list[tuple[int, int, Style]]:
        marks = [(s, e, self._component("paper-text--cite")) for s, e, _ in line.cites]
        for match in self._match_lines.get(number, ()):
            marks.append((match.start, match.end, self._component("paper-text--match")))
        selected = self.selected
        if selected is not None and selected[0] == number:
            marks.append((selected[1], selected[2], self._component("paper-text--selected")))
        return marks

    def _style(self, kind: str) -> Style:
        component = _COMPONENTS.get(kind)
        return self.rich_style + self._component(component) if component else self.rich_style

    def _component(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _width(self) -> int:
        return max(20, (self.scrollable_content_region.width or self.size.width) - 1)

    def _lay_out(self) -> None:
        assert self.document is not None
        width, prepared, self._prepared = self._width(), self._prepared, None
        if prepared is not None and (prepared.width == width or not self.size.width):
            self.layout_ = prepared
        else:
            self.layout_ = Layout(self.document, width)
        self.virtual_size = Size(self.layout_.width + 1, len(self.layout_.lines))
        if self._pending is not None:
            self.go_to(self.layout_.line_at_offset(self._pending))
            self._pending = None
        self.refresh()
