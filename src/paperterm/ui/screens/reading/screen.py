"""ReadingScreen: one paper's full text, with its contents, citations, figures and search.

The text comes from the service: kept in the cache (opens at once, offline too) or fetched
in a worker while a progress line shows; a failed fetch is one line with the arXiv and PDF
links, never a crash. Parsing runs in a thread; `PaperText` draws only the lines on screen.
The screen remembers where the reader stopped (a document offset, kept by the service) and
reopens there.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from paperterm.models import Paper
from paperterm.paper import Document, Layout, Match
from paperterm.service import CacheBusy, FetchError, PaperService
from paperterm.service.texts import PaperText as KeptText
from paperterm.ui.keys import bindings
from paperterm.ui.links import open_link, paper_link
from paperterm.ui.widgets.key_bar import KeyBar
from paperterm.ui.widgets.paper_text import Link, PaperText


class ReadingScreen(Screen[None]):
    """The reading view of `paper`."""

    DEFAULT_CSS = """
    ReadingScreen #reading-head { height: 1; padding: 0 1; background: $panel; color: $text; }
    ReadingScreen #reading-status { height: auto; padding: 0 1; color: $text-muted; }
    ReadingScreen #reading-status.-failed { color: $error; }
    ReadingScreen #reading-search { dock: bottom; display: none; }
    ReadingScreen #reading-search.-open { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = bindings("view")

    def __init__(self, service: PaperService, paper: Paper, *, width: int = 0) -> None:
        """`width`: the terminal's, when known: a kept text is read, parsed and laid out
        for it in a thread while the screen comes up."""
        super().__init__()
        self.service = service
        self.paper = paper
        self._ready = _at_once(service, paper, width - _MARGIN) or _start(
            lambda: _prepare(service, paper, width - _MARGIN)
        )
        self.document: Document | None = None
        self.back: list[int] = []  # lines a followed citation was left from
        self.matches: list[Match] = []
        self.match_index = -1
        self._section: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(self.paper.title), id="reading-head", markup=False)
        yield Static(Content(""), id="reading-status", markup=False)
        yield PaperText(id="reading-text")
        yield Input(placeholder="Search in the paper", id="reading-search")
        yield KeyBar()

    def on_mount(self) -> None:
        self.text.focus()
        self.load()

    # -- the parts --------------------------------------------------------------------------

    @property
    def text(self) -> PaperText:
        return self.query_one("#reading-text", PaperText)

    def say(self, message: str, *, failed: bool = False) -> None:
        status = self.query_one("#reading-status", Static)
        status.set_class(failed, "-failed")
        status.update(Content(message))

    # -- loading ----------------------------------------------------------------------------

    @work(exclusive=True, group="text", exit_on_error=False)
    async def load(self) -> None:
        """The text from the cache, else fetched (a progress line meanwhile), then parsed."""
        texts = self.service.texts
        ready = (
            await self._ready
            if self._ready
            else await asyncio.to_thread(_prepare, self.service, self.paper, 0)
        )
        if ready is not None:
            found, document, layout = ready
        else:
            host = self.service.endpoint or "huggingface.co"
            self.say(f"Fetching the full text from {host.removeprefix('https://')}…")
            try:
                found = await texts.fetch(self.paper.id)
            except FetchError as exc:
                self.failed(str(exc))
                return
            document, layout = await asyncio.to_thread(texts.document, self.paper, found), None
        self.document = document
        self.text.show(document, self.service.triage.position(self.paper.id), layout)
        notes = [found.cache_error] if found.cache_error else []
        if document.truncated:
            notes.append("the text was cut: it is longer than any paper should be")
        self.say(" · ".join(n for n in notes if n))

    def failed(self, reason: str) -> None:
        paper = self.paper
        self.say(
            f"Could not get the full text ({reason}). "
            f"arXiv: {paper.arxiv_url} · PDF: {paper.pdf_url} (a, p open them)",
            failed=True,
        )

    # -- following the reader ---------------------------------------------------------------

    @on(PaperText.Moved)
    def _moved(self, event: PaperText.Moved) -> None:
        layout, document = self.text.layout_, self.document
        if layout is None or document is None:
            return
        section = layout.section_at(event.line)
        if section != self._section:
            self._section = section
            title = document.toc[section].title if section is not None else ""
            head = self.paper.title if not title else f"{self.paper.title}  —  {title}"
            self.query_one("#reading-head", Static).update(Content(head))

    def keep_position(self) -> None:
        """Tell the service where the reader stopped (the journal saves it)."""
        if self.document is not None:
            self.service.triage.set_position(self.paper.id, self.text.top_offset)

    # -- actions ----------------------------------------------------------------------------

    def action_scroll_lines(self, step: int) -> None:
        self.text.go_to(self.text.top + step)

    def action_scroll_pages(self, step: int) -> None:
        self.text.go_to(self.text.top + step * max(1, self.text.size.height - 1))

    def action_scroll_to_end(self, which: int) -> None:
        self.text.go_to(0 if which < 0 else len(self.text.lines))

    def action_contents(self) -> None:
        from paperterm.ui.screens.reading.contents import ContentsModal

        document, layout = self.document, self.text.layout_
        if document is None or layout is None or not document.toc:
            self.notify("This text has no sections to list.", markup=False)
            return

        def chosen(index: int | None) -> None:
            if index is not None and layout is self.text.layout_:
                self.text.go_to(layout.block_line[document.toc[index].block])

        current = layout.section_at(self.text.top)
        self.app.push_screen(ContentsModal(document.toc, current), chosen)

    def action_search(self) -> None:
        box = self.query_one("#reading-search", Input)
        box.add_class("-open")
        box.focus()

    @on(Input.Submitted, "#reading-search")
    def _searched(self, event: Input.Submitted) -> None:
        event.input.remove_class("-open")
        self.text.focus()
        layout = self.text.layout_
        self.matches = layout.find(event.value) if layout and event.value.strip() else []
        self.text.highlight(self.matches)
        top = self.text.top
        following = [i for i, m in enumerate(self.matches) if m.line >= top]
        self.match_index = (following[0] if following else 0) - 1
        if not self.matches:
            self.say(f"No match for {event.value!r}" if event.value.strip() else "")
            return
        self.action_match(1)

    def action_match(self, step: int) -> None:
        if not self.matches:
            self.notify("No search yet: / searches in the paper.", markup=False)
            return
        self.match_index = (self.match_index + step) % len(self.matches)
        match = self.matches[self.match_index]
        self.text.go_to(match.line - self.text.size.height // 3)
        self.say(f"Match {self.match_index + 1} of {len(self.matches)} (n next, N previous)")

    def action_link(self, step: int) -> None:
        links = self.text.links()
        if not links:
            self.notify("No citation or figure link in this text.", markup=False)
            return
        self.text.select(_next_link(links, self.text.selected, self.text.top, step))

    def action_follow(self) -> None:
        link = self.text.selected
        if link is None:
            self.notify("Select a citation or a figure first: ] and [", markup=False)
            return
        _, _, _, target, url = link
        if url is not None:
            open_link(self, url)
        elif target is not None and self.text.layout_ is not None:
            self.back.append(self.text.top)
            self.text.go_to(self.text.layout_.block_line[target])
            self.say("Backspace goes back to where the citation was.")
        else:
            self.notify("This citation's reference is not in the list.", markup=False)

    def action_jump_back(self) -> None:
        if self.back:
            self.text.go_to(self.back.pop())
            self.say("")

    def action_open(self, which: str) -> None:
        url = paper_link(self, self.paper, which)
        if url is not None:
            open_link(self, url)

    def action_close(self) -> None:
        box = self.query_one("#reading-search", Input)
        if box.has_class("-open"):
            box.remove_class("-open")
            self.text.focus()
            return
        self.keep_position()
        self.dismiss(None)


# Padding (2) and the scrollbar (2) of `PaperText`, and the column its layout keeps free.
_MARGIN = 5
_AT_ONCE_WAIT = 0.02  # seconds: a cache busy for longer is read in the thread
_AT_ONCE_CHARS = 250_000  # a text to parse that is longer is parsed in the thread (~70 ms)
Prepared = tuple[KeptText, Document, Layout | None] | None


def _prepare(service: PaperService, paper: Paper, width: int) -> Prepared:
    """A kept text, parsed and laid out for `width` (when known); None when not kept."""
    texts = service.texts
    found = texts.cached(paper.id)
    if found is None:
        return None
    document = texts.document(paper, found)
    return found, document, Layout(document, width) if width >= 20 else None


def _at_once(service: PaperService, paper: Paper, width: int) -> asyncio.Future[Prepared] | None:
    """A kept text, read, parsed when an older parser kept it, and laid out here and now:
    tens of milliseconds, and the screen's first frame then shows the text (a thread would
    share the interpreter with the screen coming up, and its text would only be drawn in a
    second frame). None for anything slower — a long text to parse, a text to fetch, another
    program holding the cache — which `_prepare` does in a thread."""
    texts = service.texts
    try:
        loop = asyncio.get_running_loop()
        found = texts.cached(paper.id, wait=_AT_ONCE_WAIT)
    except (RuntimeError, sqlite3.Error, CacheBusy, OSError):
        return None
    if found is None or width < 20:
        return None
    if not texts.is_parsed(found) and len(found.text) > _AT_ONCE_CHARS:
        return None
    document = texts.document(paper, found, later=lambda keep: loop.run_in_executor(None, keep))
    ready: asyncio.Future[Prepared] = loop.create_future()
    ready.set_result((found, document, Layout(document, width)))
    return ready


def _start(work: Callable[[], Prepared]) -> asyncio.Future[Prepared] | None:
    try:
        return asyncio.get_running_loop().run_in_executor(None, work)
    except RuntimeError:  # made outside the app's loop: `load` does it then
        return None


def _next_link(links: list[Link], selected: Link | None, top: int, step: int) -> Link:
    """The link after (or before) the selection; with none, the first on screen or below."""
    if selected in links:
        return links[(links.index(selected) + step) % len(links)]
    below = [link for link in links if link[0] >= top]
    if step > 0:
        return below[0] if below else links[0]
    above = [link for link in links if link[0] < top]
    return above[-1] if above else links[-1]
