"""KeyBar: the keys of the focused part on the bottom line, drawn as one line of text.

It shows what Textual's `Footer` shows, with its colours: each binding marked `show` as its key
and label, disabled ones dimmed, the command palette's key on the right; a click presses the
key, the pointer over a key shows its help. The `Footer` is a container with a widget per key,
composed again whenever the bindings change (each move of the focus): 15-20 ms each time, and
three times before the reader's first frame settles. This widget only draws itself again.
"""

from __future__ import annotations

from typing import NamedTuple

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget


class _Shown(NamedTuple):
    start: int  # first cell of the key on the line
    end: int  # one past its last
    key: str  # what pressing it sends
    enabled: bool
    tooltip: str


class KeyBar(Widget, can_focus=False):
    """The key line at the bottom of a screen."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--separator"}  # noqa: RUF012
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--separator { color: $foreground 20%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: list[_Shown] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def render(self) -> Content:
        app, width = self.app, self.size.width
        key_style = self.get_visual_style("key-bar--key", partial=True)
        label_style = self.get_visual_style("key-bar--description", partial=True)
        parts: list[Content] = []
        shown: list[_Shown] = []
        palette, at = None, 0
        seen: set[str] = set()  # one key per action, as the Footer shows them
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = active
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            dim = "" if active.enabled else "dim"
            item = Content.assemble(
                Content.styled(f" {app.get_key_display(binding)} ", key_style).stylize(dim),
                Content.styled(f"{binding.description} ", label_style).stylize(dim),
            )
            parts.append(item)
            tooltip = active.tooltip or binding.tooltip or binding.description
            shown.append(_Shown(at, at + item.cell_length, binding.key, active.enabled, tooltip))
            at += item.cell_length
        line = Content.assemble(*parts)
        if palette is not None:  # on the right, over whatever does not fit
            binding = palette.binding
            tail = Content.assemble(
                Content.styled("▏", self.get_visual_style("key-bar--separator", partial=True)),
                Content.styled(app.get_key_display(binding), key_style),
                Content.styled(f" {binding.description}", label_style),
            )
            start = max(0, width - tail.cell_length)
            line = Content.assemble(line.truncate(start, pad=True), tail)
            shown = [item for item in shown if item.end <= start]
            tooltip = binding.tooltip or binding.description
            shown.append(_Shown(start + 1, line.cell_length, binding.key, palette.enabled, tooltip))
        self._shown = shown
        return line

    def _at(self, x: int) -> _Shown | None:
        return next((item for item in self._shown if item.start <= x < item.end), None)

    def on_click(self, event: events.Click) -> None:
        item = self._at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._at(event.x)
        self.tooltip = item.tooltip if item else None
