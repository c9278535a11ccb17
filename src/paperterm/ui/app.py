"""PapertermApp: the Textual application — theme variables, global keys, the command palette.

The feed logic lives in `ReaderScreen`; this class only wires the service in and keeps what is
truly app-wide.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from paperterm.config import Settings
from paperterm.models import FeedSpec
from paperterm.service import PaperService
from paperterm.ui.screens.help import HelpScreen, binding_rows, help_content
from paperterm.ui.screens.reader import ReaderScreen
from paperterm.ui.widgets.detail import DetailPane


class PapertermApp(App[None]):
    """The reader."""

    CSS_PATH = "app.tcss"
    TITLE = "paperterm"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        service: PaperService,
        *,
        start: FeedSpec | None = None,
        offline: bool = False,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        self.service = service
        self.settings = settings or Settings()
        self.start = start or self.settings.default_feed
        self.offline = offline

    def get_default_screen(self) -> Screen[None]:
        return ReaderScreen(self.service, self.start, offline=self.offline, settings=self.settings)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Derived from the theme in use, so every built-in theme gets readable markers;
        # a paperterm theme file can still set each of them in its [variables].
        colors = self.current_theme.to_color_system().generate()
        return {
            "paper-unread": colors["text-primary"],
            "paper-bookmarked": colors["text-warning"],
            "paper-upvotes": colors["text-success"],
            "paper-read": colors["text-muted"],
            "paper-match": colors["text-accent"],
            "paper-accent": colors["text-primary"],
        }

    @property
    def reader(self) -> ReaderScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, ReaderScreen)
        return screen

    def action_help(self) -> None:
        reader = self.reader
        nodes = [self, reader, reader.paper_list, reader.query_one(DetailPane), reader.filter_bar]
        self.push_screen(HelpScreen(help_content(binding_rows(nodes))))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Show every key", self.action_help)
        yield from self.reader.commands()

    async def action_quit(self) -> None:
        self.exit()
