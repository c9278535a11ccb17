"""The key table (`paperterm.keys`) as Textual bindings, for the node each row names."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from paperterm.keys import Where, keys_for


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
