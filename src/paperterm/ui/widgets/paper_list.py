"""PaperList: the feed as a virtual list over Textual's line API.

Only the rows on screen are ever rendered (`render_line`), each once per look: a rendered row
is cached by what it shows (paper, width, cursor, read, bookmarked, highlight), so moving the
cursor re-renders two rows and scrolling renders only the rows that come into view. Replacing
100,000 rows is a list assignment and a dict build; no widget is mounted per row.

Titles are untrusted text: rows are built from `rich.text.Text` parts, never from markup.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paperterm.models import Paper
from paperterm.ui.keys import bindings
from paperterm.ui.widgets._cells import terminal_text

Spans = tuple[tuple[int, int], ...]
# Drawn rows kept: a few screens. Each is some ten objects every full collection walks.
_ROW_CACHE_SIZE = 128
_META_WIDTH = 9  # "  ❝123 </>": comments and a code marker
_META_MIN_WIDTH = 50


class PaperList(ScrollView, can_focus=True):
    """A keyboard- and mouse-driven list of papers with a cursor."""

    DEFAULT_CSS = """
    PaperList {
        overflow-x: hidden;
        overflow-y: auto;
        height: 1fr;
        background: $surface;
    }
    PaperList > .paper-list--cursor {
        background: $block-cursor-blurred-background;
    }
    PaperList:focus > .paper-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    PaperList > .paper-list--unread { color: $paper-unread; }
    PaperList > .paper-list--bookmarked { color: $paper-bookmarked; }
    PaperList > .paper-list--upvotes { color: $paper-upvotes; }
    PaperList > .paper-list--read { color: $paper-read; }
    PaperList > .paper-list--meta { color: $paper-read; }
    PaperList > .paper-list--match { color: $paper-match; text-style: bold underline; }
    PaperList > .paper-list--empty { color: $text-muted; text-style: italic; }
    PaperList > .paper-list--new { color: $paper-accent; text-style: bold; }
    PaperList > .paper-list--moved { color: $text-muted; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paper-list--cursor",
        "paper-list--unread",
        "paper-list--bookmarked",
        "paper-list--upvotes",
        "paper-list--read",
        "paper-list--meta",
        "paper-list--match",
        "paper-list--empty",
        "paper-list--new",
        "paper-list--moved",
    }

    BINDINGS: ClassVar[list[BindingType]] = bindings("list")

    class Highlighted(Message):
        """The cursor moved onto a paper (None: the list is empty)."""

        def __init__(self, paper: Paper | None) -> None:
            super().__init__()
            self.paper = paper

    class Selected(Message):
        """The user chose the paper under the cursor (Enter, or a click on it)."""

        def __init__(self, paper: Paper) -> None:
            super().__init__()
            self.paper = paper

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._papers: Sequence[Paper] = ()
        self._cursor = 0
        self._read: Collection[str] = frozenset()
        self._marks_known = True
        self._bookmarked: Collection[str] = frozenset()
        self._highlights: Mapping[str, Spans] = {}
        self._movement: Mapping[str, str] = {}
        self._rows: OrderedDict[tuple[object, ...], Strip] = OrderedDict()
        # The list's own style and its parts' (walking the ancestors for each row was a third
        # of drawing a new list): kept until the styles change, as the rows are.
        self._styles: dict[tuple[str, bool], Style] = {}
        self.empty_text = "No papers."

    # -- data in --------------------------------------------------------------------------

    def set_papers(
        self,
        papers: Sequence[Paper],
        *,
        keep: str | None = None,
        highlights: Mapping[str, Spans] | None = None,
    ) -> None:
        """Show `papers`; the cursor stays on `keep` (a paper id) when it is still listed."""
        self._papers = papers
        self._highlights = highlights or {}
        # Rendered rows stay cached across lists: their key says everything they show.
        self._resize(Size(0, len(papers)))
        target = 0
        if keep is not None:
            # Usually the paper kept its row (a refresh, marks changing); else look for it.
            same_row = 0 <= self._cursor < len(papers) and papers[self._cursor].id == keep
            target = self._cursor if same_row else _find(papers, keep)
        self._cursor = -1  # force a Highlighted message even when the index is unchanged
        self.move_cursor(target, center=keep is not None)
        self.refresh()

    def _resize(self, size: Size) -> None:
        """A new number of rows. Not through the `virtual_size` reactive, whose change lays
        out the whole screen (10 ms of each keystroke's result at 100k papers): the scroll
        bar follows here, and a layout happens only when it appears or goes."""
        if size != self.virtual_size:
            self.set_reactive(PaperList.virtual_size, size)
            self._scroll_update(size)

    def set_marks(
        self, read: Collection[str], bookmarked: Collection[str], *, known: bool = True
    ) -> None:
        """Which papers are read and bookmarked (markers and dimming); `known` False while
        the reading state is still loading (no marker is drawn rather than a wrong one)."""
        self._read, self._bookmarked, self._marks_known = read, bookmarked, known
        self._rows.clear()
        self.refresh()

    def set_movement(self, movement: Mapping[str, str]) -> None:
        """What changed since the last look, by paper id: "NEW", "↑3", "↓12". An empty map
        hides the column (a list never seen before, or one that did not change)."""
        if movement != self._movement:
            self._movement = movement
            self._rows.clear()
            self.refresh()

    @property
    def movement(self) -> Mapping[str, str]:
        return self._movement

    # -- data out -------------------------------------------------------------------------

    @property
    def papers(self) -> Sequence[Paper]:
        return self._papers

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def highlighted(self) -> Paper | None:
        """The paper under the cursor."""
        return self._papers[self._cursor] if 0 <= self._cursor < len(self._papers) else None

    # -- cursor ---------------------------------------------------------------------------

    def move_cursor(self, index: int, *, center: bool = False) -> None:
        """Put the cursor on row `index` (clamped) and scroll it into view."""
        index = max(0, min(index, len(self._papers) - 1)) if self._papers else 0
        previous, self._cursor = self._cursor, index
        self._scroll_to_cursor(center=center)
        if previous != index:
            if previous >= 0:
                self.refresh_line(previous)
            self.refresh_line(index)
            self.post_message(self.Highlighted(self.highlighted))

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        top = self._top_for(self._cursor, center=center)
        if top != round(self.scroll_offset.y):
            self.scroll_to(y=top, animate=False)

    def _top_for(self, cursor: int, *, center: bool) -> int:
        """The first row in view once the cursor is on row `cursor` (scrolled as little as
        it takes, or to the middle when `center` and it is out of view)."""
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_offset.y)
        if center and not top <= cursor < top + height:
            return max(0, cursor - height // 2)
        if cursor < top:
            return cursor
        if cursor >= top + height:
            return cursor - height + 1
        return top

    def rows_in_view(self, papers: Sequence[Paper], keep: str | None) -> range:
        """The rows of `papers` that `set_papers(papers, keep=keep)` would show: what a
        search's worker reads and highlights before the list draws them. Safe from another
        thread (it reads the scroll offset and the size, and the ids of a lazy list)."""
        target = _find(papers, keep) if keep is not None else 0
        top = self._top_for(target, center=keep is not None)
        return range(top, min(len(papers), top + self.scrollable_content_region.height))

    @property
    def highlighted_id(self) -> str | None:
        """The id of the paper under the cursor, without reading a lazy list's papers (safe
        from another thread)."""
        papers, cursor = self._papers, self._cursor
        if not 0 <= cursor < len(papers):
            return None
        ids = getattr(papers, "ids", None)  # a list read lazily (`PaperRows`)
        return str(ids[cursor]) if ids is not None else papers[cursor].id

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    # -- actions --------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._papers) - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page())

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page())

    def action_select(self) -> None:
        paper = self.highlighted
        if paper is not None:
            self.post_message(self.Selected(paper))

    # -- events ---------------------------------------------------------------------------

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + round(self.scroll_offset.y)
        if not 0 <= row < len(self._papers):
            return
        if row == self._cursor:
            self.action_select()
        else:
            self.move_cursor(row)

    def _on_focus(self, event: events.Focus) -> None:
        self._rows.clear()
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._rows.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rows.clear()
        self._styles.clear()

    def _style(self, name: str, *, partial: bool = True) -> Style:
        """The rich style of component `name` ("" for the list itself), kept."""
        style = self._styles.get((name, partial))
        if style is None:
            style = (
                self.get_component_rich_style(name, partial=partial) if name else self.rich_style
            )
            self._styles[(name, partial)] = style
        return style

    # -- rendering ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = round(self.scroll_offset.y) + y
        if not self._papers:
            if y == 0:
                style = self.get_component_rich_style("paper-list--empty")
                return Strip([Segment(" " + self.empty_text, style)]).adjust_cell_length(width)
            return Strip.blank(width, self.rich_style)
        if row >= len(self._papers):
            return Strip.blank(width, self.rich_style)
        paper = self._papers[row]
        key = (
            paper.id,
            width,
            row == self._cursor,
            paper.id in self._read,
            paper.id in self._bookmarked,
            self._highlights.get(paper.id),
            self._movement.get(paper.id) if self._movement else None,
        )
        strip = self._rows.get(key)
        if strip is None:
            strip = self._render_row(paper, width, *key[2:5], key[5], key[6])
            self._rows[key] = strip
            if len(self._rows) > _ROW_CACHE_SIZE:
                self._rows.popitem(last=False)
        else:
            self._rows.move_to_end(key)
        return strip

    def _render_row(
        self,
        paper: Paper,
        width: int,
        is_cursor: bool,
        is_read: bool,
        is_bookmarked: bool,
        spans: Spans | None,
        moved: str | None,
    ) -> Strip:
        # Partial: a marker's colour must not bring the list's background over the cursor.
        style = self._style
        base = self._style("")
        muted = style("paper-list--read") if is_read else Style()
        row = Text(style=base, no_wrap=True, end="")
        unread = not is_read and self._marks_known
        row.append("●" if unread else " ", style("paper-list--unread"))
        row.append("★" if is_bookmarked else " ", style("paper-list--bookmarked"))
        if self._movement:
            marker = "paper-list--new" if moved == "NEW" else "paper-list--moved"
            row.append(f" {(moved or '')[:4]:<4}", style(marker))
        row.append(f" ▲{paper.upvotes:>4} ", style("paper-list--upvotes"))
        wide = width >= _META_MIN_WIDTH
        title_width = max(1, width - row.cell_len - (_META_WIDTH + 1 if wide else 0))
        title = Text(terminal_text(paper.title), style=muted, no_wrap=True, end="")
        for start, end in spans or ():
            title.stylize(style("paper-list--match"), start, end)
        title.truncate(title_width, overflow="ellipsis", pad=True)
        row.append_text(title)
        if wide:
            row.append(" " + _meta(paper), style("paper-list--meta"))
        if is_cursor:
            # The cursor's colours win over the markers', as a selection does.
            base += self._style("paper-list--cursor", partial=False)
            row.stylize(base)
        segments = list(row.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, base).simplify()


def _find(papers: Sequence[Paper], paper_id: str) -> int:
    """The row of `paper_id`, else 0 (a scan stops early, unlike building an index)."""
    index_of = getattr(papers, "index_of", None)
    if index_of is not None:  # a list read lazily: look in its ids, not its papers
        try:
            return int(index_of(paper_id))
        except ValueError:
            return 0
    return next((i for i, paper in enumerate(papers) if paper.id == paper_id), 0)


def _meta(paper: Paper) -> str:
    """Comment count and code marker in fixed columns: "  ❝12 </>"."""
    comments = f"❝{min(paper.comments, 999)}" if paper.comments else ""
    pad = " " * (_META_WIDTH - 4 - cell_len(comments))
    return f"{pad}{comments} {'</>' if paper.github else '   '}"
