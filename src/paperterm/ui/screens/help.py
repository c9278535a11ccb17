"""HelpScreen: every key from the key table (`paperterm.keys`), as bound now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from paperterm.keys import GROUPS, KEYS

QUERY_HELP: tuple[tuple[str, str], ...] = (
    ("words", "fuzzy over title, authors, AI keywords, abstract (typos forgiven); all must match"),
    ("-word", "exclude papers with the word"),
    ('"exact phrase"', "the words in this order"),
    ("title: author: kw: org: tag:", 'one field, e.g. author:"Yann LeCun", tag:reading'),
    ("is:unread is:read is:bookmarked", "reading state"),
    ("has:code has:summary", "a GitHub repo / an AI summary"),
    ("up:>50 stars:>=100 comments:>0", "numbers (> >= < <= = or 10..50)"),
    ("age:<7d date:2026-08-01..2026-08-21", "by feed day (d, w, m, y)"),
    ("sort:hot sort:upvotes sort:newest", "order: upvotes gained per day, most upvotes, newest"),
)

Row = tuple[str, str, str]  # keys, description, binding id (for the [keymap] config)


def binding_rows(keymap: Mapping[str, str], nodes: Sequence[DOMNode]) -> dict[str, list[Row]]:
    """(keys, description, id) per section, from the key table with the keys as bound now:
    the user's keymap for our keys, the bindings of `nodes` for the keys Textual binds."""
    textual: dict[str, list[str]] = {}
    for node in nodes:
        for key, found in node._bindings.key_to_bindings.items():
            for binding in found:
                if not binding.id:
                    textual.setdefault(binding.action, []).append(key)
    sections: dict[str, list[Row]] = {group: [] for group in GROUPS}
    for entry in KEYS:
        ours = keymap.get(entry.id, entry.keys).split(",") if entry.id else []
        keys = [*textual.get(entry.action, []), *ours] or entry.keys.split(",")
        shown = " / ".join(dict.fromkeys(_key_name(key.strip()) for key in keys if key.strip()))
        sections[entry.group].append((shown, entry.help, entry.id))
    return {group: rows for group, rows in sections.items() if rows}


_KEY_NAMES = {
    "down": "↓",
    "up": "↑",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "enter": "Enter",
    "escape": "Esc",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "slash": "/",
    "tab": "Tab",
}


def _key_name(key: str) -> str:
    return _KEY_NAMES.get(key, key)


def help_content(sections: dict[str, list[Row]]) -> Content:
    """The help text: key sections, then the filter's query language."""
    parts: list[str | tuple[str, str] | Content] = [
        ("Any key can be changed in config.toml's [keymap] by the id in brackets.", "$text-muted"),
        "\n\n",
    ]
    for section, rows in sections.items():
        parts += [(section, "bold $paper-accent"), "\n"]
        for keys, description, binding_id in rows:
            parts += [(f"  {keys:<18}", "bold"), description]
            parts += [(f"  [{binding_id}]", "$text-muted") if binding_id else "", "\n"]
        parts.append("\n")
    parts += [
        ("Filter queries", "bold $paper-accent"),
        "  (terms combine; a bad one is underlined and ignored)\n",
    ]
    for form, meaning in QUERY_HELP:
        parts += [(f"  {form}", "bold"), "\n      ", meaning, "\n"]
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    """The keys, grouped, over the reader."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 95%; height: 90%;
        padding: 1 2; background: $panel; border: tall $primary;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", key_display="Esc"),
    ]

    def __init__(self, content: Content) -> None:
        super().__init__()
        self._content = content

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Content.assemble(("paperterm — keys", "bold"), "\n\n", self._content))

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
