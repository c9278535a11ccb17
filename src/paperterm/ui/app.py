"""PapertermApp: the Textual application — themes, keymap, global keys, the command palette.

The feed logic lives in `ReaderScreen`; this class only wires the service and settings in and
keeps what is truly app-wide. Problems found in the config or a theme file become
notifications once the reader is on screen; none of them stops it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.color import Color
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from paperterm import resume_collection
from paperterm.config import DEFAULT_THEME, Settings, set_theme
from paperterm.keys import KEYS, check_keymap
from paperterm.models import FeedSpec
from paperterm.records import replace
from paperterm.service import PaperService
from paperterm.ui.keys import bindings
from paperterm.ui.screens.reader import ReaderScreen, Timers
from paperterm.ui.themes import bundled_themes_dir, load_themes
from paperterm.ui.widgets.detail import DetailPane

SIGNAL_EXIT_GRACE = 3.0  # seconds from a stopping signal to a hard exit (see _stop_on_signal)


class PapertermApp(App[None]):
    """The reader."""

    CSS_PATH = "app.tcss"
    TITLE = "paperterm"

    BINDINGS: ClassVar[list[BindingType]] = bindings("app")

    def __init__(
        self,
        service: PaperService,
        *,
        start: FeedSpec | None = None,
        offline: bool = False,
        settings: Settings | None = None,
        problems: Sequence[str] = (),
        config_file: Path | None = None,
        timers: Timers | None = None,
    ) -> None:
        super().__init__()
        self.timers = timers  # None: real timers; tests pass ones they fire themselves
        self.service = service
        self.settings = settings or Settings()
        self.start = start or self.settings.default_feed
        self.offline = offline
        self.config_file = config_file  # where a theme choice is saved (None: nowhere)
        self.problems = list(problems)
        loaded = load_themes(bundled_themes_dir(), service.paths.themes_dir)
        for theme in loaded.themes:
            self.register_theme(theme)
        self.problems += loaded.problems
        self._start_with_theme(self._initial_theme(self.settings.theme))
        self.problems += self._apply_keymap(self.settings.keymap)

    def _start_with_theme(self, name: str) -> None:
        """What setting `theme` does, before any stylesheet is parsed: assigning it would parse
        every stylesheet a second time before the first frame (about 3 ms)."""
        self.set_reactive(App.theme, name)
        dark = self.current_theme.dark
        classes = {f"-theme-{name}": True, "-dark-mode": dark, "-light-mode": not dark}
        self.update_classes(classes, update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())

    def _initial_theme(self, wanted: str | None) -> str:
        if wanted is None or wanted in self.available_themes:
            return wanted or DEFAULT_THEME
        self.problems.append(
            f"unknown theme {wanted!r}: using {DEFAULT_THEME} (ctrl+p → Theme lists them)"
        )
        return DEFAULT_THEME

    def _apply_keymap(self, keymap: Mapping[str, str]) -> list[str]:
        self.keymap, problems = check_keymap(dict(keymap))
        self.set_keymap(self.keymap)
        return problems

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: what it quotes (titles, paths, config keys such
        as ``[searches]``) is never read as markup, whatever the caller passed."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_mount(self) -> None:
        for problem in self.problems:
            self.notify(problem, title="Settings", severity="warning", timeout=10, markup=False)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.call_after_refresh(resume_collection)  # the script paused it for start-up
        # A worker running Python (a search's result made ready) lets the UI thread have the
        # interpreter back within a millisecond, not five: no keystroke waits a frame for it.
        sys.setswitchinterval(0.001)
        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGTERM", "SIGINT"):
            signum = getattr(signal, name, None)  # Windows has no SIGHUP
            with suppress(NotImplementedError, RuntimeError, ValueError):  # nor these handlers
                if signum is not None:
                    loop.add_signal_handler(signum, self._stop_on_signal, signum)

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self.settings.theme:
            self.save_theme(theme.name)

    def save_theme(self, name: str) -> None:
        """Remember the theme in the config file (a problem becomes a notification)."""
        if self.config_file is None:
            return
        try:
            set_theme(self.config_file, name)
        except (OSError, ValueError) as exc:
            self.problems.append(f"could not save the theme in {self.config_file}: {exc}")
            if self.is_running:
                self.notify(self.problems[-1], severity="warning", markup=False)
            return
        self.settings = replace(self.settings, theme=name)

    def get_default_screen(self) -> Screen[None]:
        return ReaderScreen(
            self.service,
            self.start,
            offline=self.offline,
            settings=self.settings,
            timers=self.timers,
        )

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Derived from the theme in use, so every built-in theme gets readable markers;
        # a paperterm theme file can still set each of them in its [variables].
        colors = self.current_theme.to_color_system().generate()
        # A concrete colour for dimmed text: "auto 60%" cannot be drawn without a background.
        muted = Color.parse(colors["background"]).blend(Color.parse(colors["foreground"]), 0.6)
        return {
            "paper-unread": colors["text-primary"],
            "paper-bookmarked": colors["text-warning"],
            "paper-upvotes": colors["text-success"],
            "paper-read": muted.hex,
            "paper-match": colors["text-accent"],
            "paper-accent": colors["text-primary"],
        }

    @property
    def reader(self) -> ReaderScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, ReaderScreen)
        return screen

    def action_help(self) -> None:
        from paperterm.ui.screens.help import HelpScreen, binding_rows, help_content

        reader = self.reader
        nodes = [self, reader, reader.paper_list, reader.query_one(DetailPane), reader.filter_bar]
        self.push_screen(HelpScreen(help_content(binding_rows(self.keymap, nodes))))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key in KEYS:
            if key.palette and key.where == "app":
                yield SystemCommand(
                    key.palette_title, key.help, lambda a=key.action: self.run_action(a)
                )
        yield from self.reader.commands()

    def action_read_paper(self) -> None:
        """The reading view of the highlighted paper (R, or Enter in the details)."""
        from paperterm.ui.screens.reading import ReadingScreen  # loaded when first needed

        reader = self.reader
        if paper := reader._paper():
            reader.triage.mark_read(paper.id)  # opening the full text counts as reading it
            screen = ReadingScreen(self.service, paper, width=self.size.width)
            self.push_screen(screen, lambda _: reader.save_state())

    def action_hub_links(self) -> None:
        """The models, datasets and Spaces citing the highlighted paper (h)."""
        reader = self.reader
        reader.citing.choose(reader._paper())

    async def action_quit(self) -> None:
        self._keep_reading_position()
        self.reader.keeper.quit()

    def _keep_reading_position(self) -> None:
        # A reading view still open says where it stopped before the state is saved.
        for screen in self.screen_stack:
            keep = getattr(screen, "keep_position", None)
            if callable(keep):
                keep()

    def _stop_on_signal(self, signum: int) -> None:
        """SIGHUP (the terminal closed), SIGTERM or SIGINT: every change goes to disk first;
        the journal makes that a small write, whatever the size of the state. Then the
        terminal is given back — which blocks for good when nothing reads it any more (a
        stopped terminal, a multiplexer dropping the session): a reader still there
        `SIGNAL_EXIT_GRACE` seconds later ends at once, its changes already safe."""
        self._keep_reading_position()
        for notice in self.service.triage.save():
            self.problems.append(notice)
        self.exit(return_code=128 + signum)
        stop = threading.Timer(SIGNAL_EXIT_GRACE, os._exit, args=(128 + signum,))
        stop.daemon = True
        stop.start()
