"""Small modals: search, confirm, tags and note. Each dismisses with its result (None: cancel)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 72; max-width: 95%; height: auto; max-height: 90%;
    padding: 1 2; background: $panel; border: tall $primary;
}}
{name} Label {{ margin-bottom: 1; width: 1fr; }}
{name} .hint {{ color: $text-muted; margin: 1 0 0 0; }}
"""


def split_tags(text: str) -> tuple[str, ...]:
    """Tags typed as "a, b c": split on commas and spaces, trimmed, without repeats."""
    parts = (part.strip().lstrip("#") for part in text.replace(",", " ").split())
    return tuple(dict.fromkeys(part for part in parts if part))


class SearchModal(ModalScreen[str | None]):
    """Ask for a Hugging Face search query."""

    DEFAULT_CSS = MODAL_CSS.format(name="SearchModal")
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


class ConfirmModal(ModalScreen[bool]):
    """A yes/no question; y/Enter confirms, n/Esc declines."""

    DEFAULT_CSS = (
        MODAL_CSS.format(name="ConfirmModal")
        + """
    ConfirmModal Horizontal { height: auto; align-horizontal: right; }
    ConfirmModal Button { margin-left: 2; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self.question))
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TagsModal(ModalScreen[tuple[str, ...] | None]):
    """Edit a bookmark's tags as one line."""

    DEFAULT_CSS = MODAL_CSS.format(name="TagsModal")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, tags: Sequence[str], known: Sequence[str]) -> None:
        super().__init__()
        self.paper_title = title
        self.tags = tags
        self.known = known

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content.assemble("Tags for ", (self.paper_title, "bold")))
            yield Input(" ".join(self.tags), placeholder="e.g. rl reading-group", id="tags")
            hint = "Separate tags with spaces or commas. Enter saves, Esc cancels."
            if self.known:
                hint += "\nIn use: " + " ".join(self.known[:30])
            yield Label(Content(hint), classes="hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(split_tags(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteModal(ModalScreen[str | None]):
    """Edit a bookmark's note; ctrl+s saves, Esc cancels."""

    DEFAULT_CSS = (
        MODAL_CSS.format(name="NoteModal")
        + """
    NoteModal TextArea { height: 12; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.paper_title = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content.assemble("Note on ", (self.paper_title, "bold")))
            yield TextArea(self.note, id="note", soft_wrap=True, show_line_numbers=False)
            yield Label(Content("ctrl+s saves, Esc cancels."), classes="hint")

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class UnsavedModal(ModalScreen[str | None]):
    """Quitting with changes not on disk: wait (w), retry now (r) or quit anyway (q)."""

    DEFAULT_CSS = (
        MODAL_CSS.format(name="UnsavedModal")
        + """
    UnsavedModal Horizontal { height: auto; align-horizontal: right; }
    UnsavedModal Button { margin-left: 2; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "answer('wait')", "Wait"),
        Binding("r", "answer('retry')", "Retry"),
        Binding("q", "answer('quit')", "Quit anyway"),
        Binding("escape", "answer(None)", "Stay"),
    ]

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content.assemble(("Your latest changes are not saved", "bold")))
            yield Label(Content(self.problem))
            with Horizontal():
                yield Button("Wait and quit (w)", id="wait", variant="primary")
                yield Button("Retry (r)", id="retry")
                yield Button("Quit anyway (q)", id="quit", variant="error")
            yield Label(Content("Esc stays in the reader."), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#wait", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)
