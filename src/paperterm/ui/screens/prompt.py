"""SearchModal: ask for a Hugging Face search query."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class SearchModal(ModalScreen[str | None]):
    """A one-line prompt; dismisses with the query, or None on Escape."""

    DEFAULT_CSS = """
    SearchModal { align: center middle; }
    SearchModal > Vertical {
        width: 70; max-width: 90%; height: auto;
        padding: 1 2; background: $panel; border: tall $primary;
    }
    SearchModal Label { margin-bottom: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Search Hugging Face papers (Enter to search, Esc to cancel)", markup=False)
            yield Input(placeholder="e.g. diffusion transformers", max_length=250, id="query")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
