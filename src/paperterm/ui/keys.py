"""The key table (`paperterm.keys`) as Textual bindings, for the node each row names."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.widget import Widget

from paperterm.keys import KEYS, Where, keys_for


def bindings(where: Where) -> list[BindingType]:
    """The bindings `where` declares in its `BINDINGS`."""
    return [
        Binding(
            key.keys,
            key.action,
            key.label,
            show=key.footer,
            key_display=key.display,
            tooltip=key.help,
            id=key.id,
            priority=key.priority,
        )
        for key in keys_for(where)
    ]


def palette_commands(node: Widget, where: Where) -> Iterator[SystemCommand]:
    """The actions `where` binds, for the command palette, each run on `node`."""
    for key in KEYS:
        if key.palette and key.where == where:
            yield SystemCommand(
                key.palette_title, key.help, lambda a=key.action: node.run_action(a)
            )
