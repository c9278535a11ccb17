"""Exporting from the reader: `ExportModal` asks for the format, destination and scope, and
`ask_and_export` writes the file in a worker and says how it went."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select

from paperterm.records import Record
from paperterm.service import EXPORT_FORMATS, ExportFormat, PaperService
from paperterm.service.exchange import TransferError, default_destination

FORMAT_NAMES: dict[ExportFormat, str] = {
    "bibtex": "BibTeX (.bib)",
    "ris": "RIS (.ris)",
    "csl-json": "CSL-JSON (.json)",
    "markdown": "Markdown reading list (.md)",
    "json": "paperterm JSON backup (.json)",
    "csv": "CSV (.csv)",
}


class ExportRequest(Record, frozen=True):
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


def ask_and_export(
    screen: Screen[None], service: PaperService, query: str, *, then: Callable[[], object]
) -> None:
    """Ask what to export (the current filter is one choice), then render and write it off
    the UI thread; the result is a notification, and `then` runs after a success (the keys
    pinned for it are saved)."""

    def chosen(request: ExportRequest | None) -> None:
        if request is not None:
            screen.run_worker(
                partial(_export, screen, service, request, then),
                thread=True,
                group="export",
                exit_on_error=False,
                description="export",
            )

    modal = ExportModal(len(service.triage.state.bookmarks), service.triage.state.tags(), query)
    screen.app.push_screen(modal, chosen)


def _export(
    screen: Screen[None], service: PaperService, request: ExportRequest, then: Callable[[], object]
) -> None:
    app = screen.app
    try:
        done = service.exchange.render(
            request.format, tag=request.tag, query=request.query, save=False
        )
        written = service.exchange.write(
            request.destination, done.data(request.format), force=request.force
        )
    except TransferError as exc:
        app.call_from_thread(
            screen.notify, str(exc), title="Export failed", severity="error", markup=False
        )
        return
    noun = "bookmark" if done.count == 1 else "bookmarks"
    message = f"Exported {done.count} {noun} to {written}"
    if done.incomplete:
        message += f" ({done.incomplete} without details left out)"
    app.call_from_thread(screen.notify, message, title="Export", markup=False)
    app.call_from_thread(then)
