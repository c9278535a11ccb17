"""Saved searches in the reader: a list of them with their counts (v), and saving the current
filter under a name (V), into config.toml's ``[searches]``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from paperterm.models import SAVED_NAME, FeedSpec
from paperterm.service import PaperService
from paperterm.service.saved import SearchCounts
from paperterm.ui.screens.prompt import MODAL_CSS

if TYPE_CHECKING:
    from paperterm.ui.screens.reader.screen import ReaderScreen


class SavedSearchesModal(ModalScreen[str | None]):
    """Pick a saved search; each line says how many papers match, are unread and are new."""

    DEFAULT_CSS = MODAL_CSS.format(name="SavedSearchesModal")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, counts: list[SearchCounts]) -> None:
        super().__init__()
        self.counts = counts

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Saved searches (Enter opens, Esc cancels)", markup=False)
            yield OptionList(*(Option(Content(line(c)), id=c.name) for c in self.counts))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def line(counts: SearchCounts) -> str:
    """ "rl  kw:rlhf up:>10 · 12 matches · 3 unread · 2 new"."""
    return (
        f"{counts.name}  {counts.query} · {counts.total} matches · {counts.unread} unread"
        f" · {counts.new} new"
    )


class NameModal(ModalScreen[str | None]):
    """Ask for a saved search's name."""

    DEFAULT_CSS = MODAL_CSS.format(name="NameModal")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(f"Save “{self.query_text}” as (letters, digits, _ . -):"))
            yield Input(placeholder="e.g. rl", max_length=40, id="name")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if SAVED_NAME.match(name):
            self.dismiss(name)
        else:
            self.notify("A name is letters, digits, _ . - (up to 40).", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)


def saved_search(screen: ReaderScreen, service: PaperService, query: str, *, save: bool) -> None:
    """Save the filter `query` under a name (`save`), or pick a saved search to show."""
    if save:
        save_filter(screen, service, query)
    else:
        choose_saved_search(screen, service)


def choose_saved_search(screen: ReaderScreen, service: PaperService) -> None:
    """Count every saved search's matches in a thread, then let the user pick one."""
    if not service.saved.searches:
        screen.notify("No saved searches: V saves the filter, or add [searches] to config.toml.")
        return

    def counted() -> None:
        counts = service.saved.counts()
        screen.app.call_from_thread(screen.app.push_screen, SavedSearchesModal(counts), chosen)

    def chosen(name: str | None) -> None:
        if name:
            screen.feeds.show(FeedSpec("saved", name))

    screen.run_worker(counted, thread=True, exit_on_error=False, description="saved searches")


def save_filter(screen: ReaderScreen, service: PaperService, query: str) -> None:
    """Ask for a name and save `query` under it (in config.toml and for this session)."""
    if not query.strip():
        screen.notify("No filter to save: / starts one.", markup=False)
        return

    def named(name: str | None) -> None:
        if not name:
            return
        try:
            service.saved.save(name, query)
        except (OSError, ValueError) as exc:
            screen.notify(f"Saved for this session only: {exc}", severity="warning", markup=False)
            return
        screen.notify(f"Saved as saved:{name} (v lists saved searches)", markup=False)

    screen.app.push_screen(NameModal(query), named)
