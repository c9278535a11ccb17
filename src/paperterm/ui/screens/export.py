"""ExportModal: format, destination and scope of a bookmark export. Dismisses with an
`ExportRequest` (the reader does the writing, in a worker) or None."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select

from paperterm.export import EXPORT_FORMATS, ExportFormat
from paperterm.transfer import default_destination

FORMAT_NAMES: dict[ExportFormat, str] = {
    "bibtex": "BibTeX (.bib)",
    "ris": "RIS (.ris)",
    "csl-json": "CSL-JSON (.json)",
    "markdown": "Markdown reading list (.md)",
    "json": "paperterm JSON backup (.json)",
    "csv": "CSV (.csv)",
}


@dataclass(frozen=True, slots=True)
class ExportRequest:
    format: ExportFormat
    destination: Path
    tag: str | None = None
    query: str | None = None
    force: bool = False


class ExportModal(ModalScreen[ExportRequest | None]):
    """Ask what to export and where."""

    DEFAULT_CSS = """
    ExportModal { align: center middle; }
    ExportModal > Vertical {
        width: 76; max-width: 95%; height: auto; max-height: 95%;
        padding: 1 2; background: $panel; border: tall $primary;
    }
    ExportModal Label { margin-top: 1; }
    ExportModal #title { margin-top: 0; text-style: bold; }
    ExportModal RadioSet { width: 1fr; }
    ExportModal #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    ExportModal Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, count: int, tags: Sequence[str], query: str | None) -> None:
        super().__init__()
        self.count = count
        self.tags = tags
        self.filter_text = query or None
        self._suggested = str(default_destination("bibtex"))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(f"Export bookmarks ({self.count})"), id="title")
            yield Label(Content("Format"))
            yield Select(
                [(name, fmt) for fmt, name in FORMAT_NAMES.items()],
                value="bibtex",
                allow_blank=False,
                id="format",
            )
            yield Label(Content("Destination"))
            yield Input(self._suggested, id="destination")
            yield Checkbox("Replace the file if it exists", id="force")
            yield Label(Content("Which bookmarks"))
            with RadioSet(id="scope"):
                yield RadioButton("All bookmarks", value=True, id="scope-all")
                yield RadioButton("With the tag below", id="scope-tag", disabled=not self.tags)
                label = (
                    f"Matching the filter “{self.filter_text}”"
                    if self.filter_text
                    else "Matching the filter (none set)"
                )
                yield RadioButton(Content(label), id="scope-filter", disabled=not self.filter_text)
            if self.tags:
                yield Select(
                    [(Content(tag), tag) for tag in self.tags],
                    value=self.tags[0],
                    allow_blank=False,
                    id="tag",
                )
            with Horizontal(id="buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        # Follow the format with the suggested file name, unless the user typed another.
        field = self.query_one("#destination", Input)
        if event.value in EXPORT_FORMATS and field.value == self._suggested:
            self._suggested = field.value = str(default_destination(event.value))

    @on(Input.Submitted, "#destination")
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        destination = self.query_one("#destination", Input).value.strip()
        if not destination:
            self.notify("Choose a destination file.", severity="warning", markup=False)
            return
        scope = self.query_one("#scope", RadioSet).pressed_button
        scope_id = scope.id if scope else "scope-all"
        tag = str(self.query_one("#tag", Select).value) if scope_id == "scope-tag" else None
        self.dismiss(
            ExportRequest(
                format=self.query_one("#format", Select).value,  # type: ignore[arg-type]
                destination=Path(destination).expanduser(),
                tag=tag,
                query=self.filter_text if scope_id == "scope-filter" else None,
                force=self.query_one("#force", Checkbox).value,
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
