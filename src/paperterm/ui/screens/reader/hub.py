"""HubModal: the models, datasets and Spaces that cite a paper; Enter opens one on the Hub."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from paperterm.service.linked import Linked


class HubModal(ModalScreen[str | None]):
    """Pick a repo; dismisses with its Hub URL (None: cancel)."""

    DEFAULT_CSS = """
    HubModal { align: center middle; }
    HubModal > Vertical {
        width: 80; max-width: 95%; height: auto; max-height: 80%;
        padding: 1 2; background: $panel; border: tall $primary;
    }
    HubModal Label { color: $text-muted; margin-bottom: 1; width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, title: str, linked: Linked) -> None:
        super().__init__()
        self.paper_title = title
        self.linked = linked

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(f"{self.linked.summary} — {self.paper_title}"))
            yield OptionList(
                *(
                    Option(Content(f"{r.kind:<8} {r.id}  ♥ {r.likes}"), id=r.url)
                    for r in self.linked.top
                ),
                id="hub",
            )

    def on_mount(self) -> None:
        self.query_one("#hub", OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
