"""DetailPane: everything about one paper, as plain wrapped text, scrollable.

Built with `Content.assemble`, where plain strings are literal: a title such as
``[@click=app.quit]x[/]`` shows exactly as typed and does nothing when clicked. Links are shown
as text; the reader opens them with its own keys, through one URL check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from paperterm.models import Bookmark, Paper
from paperterm.ui.keys import bindings
from paperterm.ui.widgets._cells import terminal_text

_AUTHORS_SHOWN = 8


def detail_content(
    paper: Paper,
    *,
    read: bool = False,
    bookmark: Bookmark | None = None,
    why: str = "",
    velocity: str = "",
    update: str = "",
    linked: Sequence[str] = (),
) -> Content:
    """The detail text of a paper (with its bookmark's tags and note, when bookmarked, `why`
    it was recommended, in a ranked list, and its upvote `velocity` from the feed history);
    emoji sequences simplified so the pane keeps its width in every terminal."""
    bookmarked, tags = bookmark is not None, bookmark.tags if bookmark else ()
    parts: list[str | tuple[str, str] | Content] = [(paper.title, "bold $text"), "\n"]
    parts += [(paper.author_line(_AUTHORS_SHOWN) or "(no authors listed)", "$text-muted"), "\n\n"]
    if why:
        parts += [("Why  ", "bold $paper-accent"), (why, "italic"), "\n\n"]
    marks = [("● unread" if not read else "read"), *(["★ bookmarked"] if bookmarked else [])]
    facts = [
        ("Paper", paper.id),
        ("Feed day", _day(paper.feed_day)),
        ("arXiv", _day(paper.published)),
        ("Upvotes", f"▲ {paper.upvotes}"),
        ("Velocity", velocity),
        ("Comments", str(paper.comments)),
        ("Organization", paper.organization or ""),
        ("Submitted by", paper.submitter or ""),
        ("Code", _code(paper)),
        ("Stars", f"★ {paper.stars}" if paper.github and paper.stars is not None else ""),
        ("Project", paper.project_page or ""),
        ("Status", "  ".join(marks)),
        ("Updated", update),
        ("Tags", ", ".join(tags)),
        ("On the Hub", linked[0] if linked else ""),
    ]
    for label, value in facts:
        if value:
            parts += [(f"{label:<13}", "$text-muted"), value, "\n"]
    for repo in linked[1:]:
        parts += [(f"{'':<13}", "$text-muted"), (repo, "$text-muted"), "\n"]
    if paper.ai_summary:
        parts += ["\n", ("AI summary  ", "bold $paper-accent"), paper.ai_summary, "\n"]
    if paper.ai_keywords:
        parts += [
            ("Keywords  ", "bold $paper-accent"),
            (", ".join(paper.ai_keywords), "italic"),
            "\n",
        ]
    if bookmark is not None and bookmark.note:
        parts += ["\n", ("Note", "bold $paper-bookmarked"), "\n", bookmark.note, "\n"]
    parts += ["\n", ("Abstract", "bold $paper-accent"), "\n", paper.abstract or "(no abstract)"]
    return Content.assemble(
        *(terminal_text(part) if isinstance(part, str) else _simplified(part) for part in parts)
    )


def _simplified(part: tuple[str, str] | Content) -> tuple[str, str] | Content:
    return (terminal_text(part[0]), part[1]) if isinstance(part, tuple) else part


def _code(paper: Paper) -> str:
    if not paper.github:
        return ""
    return paper.github.removeprefix("https://").removeprefix("http://")


def _day(value: object) -> str:
    return str(value) if value else ""


class DetailPane(VerticalScroll, can_focus=True):
    """Scrollable details of the highlighted paper."""

    ALLOW_MAXIMIZE = True  # a narrow terminal shows the details full-screen on Enter

    DEFAULT_CSS = """
    DetailPane {
        height: 1fr;
        padding: 0 1;
        scrollbar-gutter: stable;  /* a long abstract is laid out once, not again narrower */
        background: $surface;
    }
    DetailPane > #detail-text { width: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("details")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paper: Paper | None = None
        self._shown: tuple[Any, ...] | None = None

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="detail-text")  # blank until the first paper (or none) is shown

    def show(
        self,
        paper: Paper | None,
        *,
        read: bool = False,
        bookmark: Bookmark | None = None,
        why: str = "",
        velocity: str = "",
        update: str = "",
        linked: Sequence[str] = (),
    ) -> None:
        """Show `paper` (None: an empty pane), scrolled to the top when the paper changed;
        `why` says why a recommended paper is listed, `velocity` how fast it gains upvotes."""
        shown = (paper, read, bookmark, why, velocity, update, tuple(linked))
        if shown == self._shown:
            return  # laying out a long abstract again costs more than a frame
        self._shown = shown
        text = self.query_one("#detail-text", Static)
        if paper is None:
            text.update(Content("Nothing to show."))
        else:
            text.update(
                detail_content(
                    paper,
                    read=read,
                    bookmark=bookmark,
                    why=why,
                    velocity=velocity,
                    update=update,
                    linked=linked,
                )
            )
        if paper is not self.paper:
            self.scroll_home(animate=False)
        self.paper = paper
