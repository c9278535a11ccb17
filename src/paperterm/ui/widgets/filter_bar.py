"""FilterBar: the one-line query editor, on the key bar's line while a query is typed.

It only edits text and says what the user wants (`Changed`, `Submitted`, `Closed`,
`ScopeToggled`); the screen runs the search. Bad terms are underlined in the input (the same
parser the search uses marks them at once) and the first problem is named beside it, by the
screen, once typing pauses (`show_problem`).
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.highlighter import Highlighter
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input, Static

from paperterm.ui.keys import bindings


class QueryHighlighter(Highlighter):
    """Underline the terms the parser ignored, dim field names."""

    def highlight(self, text: Text) -> None:
        from paperterm.query import parse_query  # loaded with the first keystroke, not at start

        query = parse_query(text.plain)
        for error in query.errors:
            text.stylize("bold red underline", error.start, error.end)


class QueryInput(Input):
    """An `Input` whose keystroke repaints it alone. `Input` sets its virtual size (its text's
    width) on every change, a reactive that lays the whole screen out: about 9 ms a key beside
    a long list. Its width is fixed by the bar (its scrolling reads the size, not the layout),
    so the size needs no layout here."""

    virtual_size = Reactive(Size(0, 0), layout=False)


class FilterBar(Horizontal):
    """`/` opens it; Esc clears and closes; Enter returns to the list keeping the filter."""

    DEFAULT_CSS = """
    FilterBar {
        height: 1;
        display: none;
        background: $panel;
    }
    FilterBar.-open { display: block; }
    /* While a query is typed, over the key bar (the panes keep their size); once kept, above
       it, so the keys show again. */
    FilterBar:focus-within { dock: bottom; layer: bars; }
    FilterBar > #filter-prompt { width: 2; color: $paper-accent; text-style: bold; padding-left: 1; }
    FilterBar > Input, FilterBar > Input:focus {
        width: 1fr; height: 1; border: none; padding: 0 1; background: $panel;
    }
    FilterBar > Input:focus { background: $boost; }
    FilterBar > #filter-problem { width: auto; max-width: 50%; color: $error; padding: 0 1; }
    FilterBar > #filter-scope { width: auto; color: $text-muted; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("filter")

    class Changed(Message):
        """The query's text changed; `problem`: what its first bad term is, or ""."""

        def __init__(self, query: str, problem: str = "") -> None:
            super().__init__()
            self.query = query
            self.problem = problem

    class Submitted(Message):
        """Enter: back to the list, the filter stays."""

    class Closed(Message):
        """Esc: the filter is cleared."""

    class ScopeToggled(Message):
        """ctrl+a: widen to everything, or back to the current list."""

    def compose(self) -> ComposeResult:
        # Hidden until `/`: its parts (an Input and its styles, about 20 ms) are made once the
        # reader's first frame is drawn (`prepare`), not for that frame.
        yield from ()

    def prepare(self) -> None:
        """Make the bar's parts now (hidden), so that opening it only shows them."""
        self._parts()

    def _parts(self) -> None:
        if self.children:
            return
        self.mount_all(
            [
                Static("/", id="filter-prompt", markup=False),
                QueryInput(
                    placeholder='filter: words, "phrase", -exclude, author:, is:unread, up:>50 …',
                    highlighter=QueryHighlighter(),
                    id="filter-input",
                ),
                Static(id="filter-problem", markup=False),
                Static(id="filter-scope", markup=False),
            ]
        )

    @property
    def input(self) -> Input:
        self._parts()
        return self.query_one("#filter-input", Input)

    @property
    def typing(self) -> bool:
        """The query is being typed (the bar's input has the focus)."""
        return bool(self.children) and self.input.has_focus

    @property
    def value(self) -> str:
        return self.input.value

    def slash(self) -> None:
        """`/`: open the bar; typed in the query (it is a priority key), the character."""
        if self.typing:
            self.input.insert_text_at_cursor("/")
        else:
            self.open()

    def open(self) -> None:
        """Show the bar, its input focused at once (`focus` would wait): the keys typed right
        after `/` are already queued, for the input, not the list."""
        self.add_class("-open")
        self.screen.set_focus(self.input)

    def clear(self) -> None:
        with self.input.prevent(Input.Changed):
            self.input.value = ""
        self.show_problem("")
        self.remove_class("-open")

    def show_scope(self, text: str) -> None:
        self._parts()
        self.query_one("#filter-scope", Static).update(Content(text))

    def show_problem(self, text: str) -> None:
        self._parts()
        problem = self.query_one("#filter-problem", Static)
        content = Content(f"⚠ {text}" if text else "")
        if content != problem.content:  # an update lays the screen out again: not per key
            problem.update(content)

    @on(Input.Changed, "#filter-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        from paperterm.query import parse_query

        query = parse_query(event.value)
        self.post_message(
            self.Changed(event.value, query.errors[0].message if query.errors else "")
        )

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted())

    def action_close(self) -> None:
        self.post_message(self.Closed())

    def action_toggle_scope(self) -> None:
        self.post_message(self.ScopeToggled())

    def action_cycle_sort(self) -> None:
        """The query's order, next of rank, upvotes, hot, newest (a ``sort:`` term, edited in
        the text: what the bar shows is what the filter runs)."""
        self.input.value = cycle_sort(self.input.value)
        self.input.cursor_position = len(self.input.value)


_SORT_TERM = re.compile(r"(?<!\S)sort:(\S*)", re.IGNORECASE)


def cycle_sort(query: str) -> str:
    """`query` with its ``sort:`` term moved to the next order (added as ``sort:upvotes``)."""
    from paperterm.query.parse import SORT_ORDERS  # loaded when first asked, not at start

    found = list(_SORT_TERM.finditer(query))
    if not found:
        return f"{query.rstrip()} sort:upvotes".lstrip()
    last = found[-1]
    names: list[str] = list(SORT_ORDERS)
    current = last.group(1).lower()
    order = names[(names.index(current) + 1) % len(names)] if current in names else "rank"
    return query[: last.start()] + f"sort:{order}" + query[last.end() :]
