"""HelpScreen: every key, read from the live bindings (keymap overrides included)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

# Where each action is listed; actions not named here go under "Other".
SECTIONS: dict[str, tuple[str, ...]] = {
    "Move": (
        "cursor_down",
        "cursor_up",
        "page_down",
        "page_up",
        "first",
        "last",
        "select",
        "app.focus_next",
        "focus_next",
        "back",
    ),
    "Feeds": (
        "feed('trending')",
        "feed('daily')",
        "feed('weekly')",
        "feed('monthly')",
        "period(-1)",
        "period(1)",
        "search",
        "refresh",
    ),
    "Paper": ("open('hf')", "open('arxiv')", "open('pdf')", "open('code')", "copy_link"),
    "Triage": (
        "toggle_read",
        "next_unread(1)",
        "next_unread(-1)",
        "mark_all_read",
        "toggle_hide_read",
        "toggle_bookmark",
        "bookmarks",
        "edit_tags",
        "edit_note",
        "undo",
        "export",
    ),
    "Details": ("scroll_down", "scroll_up", "scroll_home", "scroll_end"),
    "Filter": ("filter", "close", "toggle_scope"),
    "App": ("help", "command_palette", "quit"),
}

EXTRA_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Filter", "Enter", "Back to the list, keeping the filter"),
)
# Textual's generic scrolling and selection keys: true, but noise in paperterm's help.
IGNORED = frozenset(
    {
        "scroll_left",
        "scroll_right",
        "page_left",
        "page_right",
        "copy_text",
        "screen.copy_text",
        "app.focus_previous",
        "focus_previous",
    }
)

QUERY_HELP: tuple[tuple[str, str], ...] = (
    ("words", "fuzzy over title, authors, AI keywords, abstract (typos forgiven); all must match"),
    ("-word", "exclude papers with the word"),
    ('"exact phrase"', "the words in this order"),
    ("title: author: kw: org: tag:", 'one field, e.g. author:"Yann LeCun", tag:reading'),
    ("is:unread is:read is:bookmarked", "reading state"),
    ("has:code has:summary", "a GitHub repo / an AI summary"),
    ("up:>50 stars:>=100 comments:>0", "numbers (> >= < <= = or 10..50)"),
    ("age:<7d date:2026-08-01..2026-08-21", "by feed day (d, w, m, y)"),
)
# Better words for Textual's own bindings.
DESCRIPTIONS = {
    "app.focus_next": "Switch between the list and the details",
    "focus_next": "Switch between the list and the details",
    "quit": "Quit",
    "command_palette": "Command palette: every action by name",
    "scroll_down": "Scroll the details down",
    "scroll_up": "Scroll the details up",
    "scroll_home": "Top of the details",
    "scroll_end": "End of the details",
}


Row = tuple[str, str, str]  # keys, description, binding id (for the [keymap] config)


def binding_rows(nodes: Sequence[DOMNode]) -> dict[str, list[Row]]:
    """(keys, description, id) per section, from the bindings of `nodes` as they are now."""
    by_action: dict[str, tuple[list[str], str, str]] = {}
    for node in nodes:
        # The live map: it already holds the user's keymap overrides.
        for key, bindings in node._bindings.key_to_bindings.items():
            for binding in bindings:
                if binding.system or binding.action in IGNORED:
                    continue
                description = (
                    DESCRIPTIONS.get(binding.action) or binding.tooltip or binding.description
                )
                keys, _, _ = by_action.setdefault(
                    binding.action, ([], description, binding.id or "")
                )
                display = _key_name(key)
                if display not in keys:
                    keys.append(display)
    position = {
        action: (name, i) for name, actions in SECTIONS.items() for i, action in enumerate(actions)
    }
    ranked: dict[str, list[tuple[int, str, str, str]]] = {name: [] for name in [*SECTIONS, "Other"]}
    for action, (keys, description, binding_id) in by_action.items():
        section, index = position.get(action, ("Other", 99))
        ranked[section].append((index, " / ".join(keys), description or action, binding_id))
    for section, key, description in EXTRA_KEYS:
        ranked[section].append((50, key, description, ""))
    return {
        name: [(k, d, i) for _, k, d, i in sorted(rows)] for name, rows in ranked.items() if rows
    }


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
