"""Small modals: search, confirm, tags and note. Each dismisses with its result (None: cancel)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from paperterm.records import Record

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


class Choice(Record, frozen=True):
    """One answer of a `ChoiceModal`: its key, its button, and what it dismisses with."""

    key: str
    label: str
    value: object
    variant: str = "default"


class ChoiceModal(ModalScreen[Any]):
    """A question with a few answers, each a button and a key; Esc gives `escape_value`."""

    DEFAULT_CSS = (
        MODAL_CSS.format(name="ChoiceModal")
        + """
    ChoiceModal Horizontal { height: auto; align-horizontal: right; }
    ChoiceModal Button { margin-left: 2; }
    """
    )

    def __init__(
        self,
        question: Content,
        choices: Sequence[Choice],
        *,
        detail: str = "",
        hint: str = "",
        escape_value: object = None,
    ) -> None:
        super().__init__()
        self.question, self.choices, self.detail, self.hint = question, choices, detail, hint
        self.escape_value = escape_value
        for index, choice in enumerate(choices):
            self._bindings.bind(choice.key, f"answer({index})", choice.label, show=False)
        self._bindings.bind("escape", "answer(-1)", "Cancel", show=False)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            if self.detail:
                yield Label(Content(self.detail))
            with Horizontal():
                for index, choice in enumerate(self.choices):
                    yield Button(
                        f"{choice.label} ({choice.key})",
                        id=f"choice-{index}",
                        variant=choice.variant,  # type: ignore[arg-type]
                    )
            if self.hint:
                yield Label(Content(self.hint), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#choice-0", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_answer(int(str(event.button.id).removeprefix("choice-")))

    def action_answer(self, index: int) -> None:
        self.dismiss(self.escape_value if index < 0 else self.choices[index].value)


class ConfirmModal(ChoiceModal):
    """A yes/no question; y/Enter confirms, n/Esc declines."""

    def __init__(self, question: str) -> None:
        choices = [Choice("y", "Yes", True, "primary"), Choice("n", "No", False)]
        super().__init__(Content(question), choices, escape_value=False)


class UnsavedModal(ChoiceModal):
    """Quitting with changes not on disk: wait (w), retry now (r) or quit anyway (q)."""

    def __init__(self, problem: str) -> None:
        choices = [
            Choice("w", "Wait and quit", "wait", "primary"),
            Choice("r", "Retry", "retry"),
            Choice("q", "Quit anyway", "quit", "error"),
        ]
        question = Content.assemble(("Your latest changes are not saved", "bold"))
        super().__init__(question, choices, detail=problem, hint="Esc stays in the reader.")
        self.problem = problem


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
