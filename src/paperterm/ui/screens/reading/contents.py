"""ContentsModal: the paper's table of contents; Enter jumps to the section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from paperterm.paper import Heading


class ContentsModal(ModalScreen[int | None]):
    """Pick a section; dismisses with its index in the table of contents (None: cancel)."""

    DEFAULT_CSS = """
    ContentsModal { align: center middle; }
    ContentsModal > Vertical {
        width: 90; max-width: 95%; height: 80%;
        padding: 1 2; background: $panel; border: tall $primary;
    }
    ContentsModal OptionList { height: 1fr; }
    ContentsModal Label { color: $text-muted; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,t", "dismiss(None)", "Close")]

    def __init__(self, toc: Sequence[Heading], current: int | None) -> None:
        super().__init__()
        self.toc = toc
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content("Contents — Enter jumps to the section, Esc closes"))
            yield OptionList(
                *(
                    Option(Content("  " * max(0, h.level - 2) + h.title), id=str(i))
                    for i, h in enumerate(self.toc)
                ),
                id="contents",
            )

    def on_mount(self) -> None:
        options = self.query_one("#contents", OptionList)
        if self.current is not None:
            options.highlighted = self.current
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)
