"""Every key of the reader, declared once.

Each `Key` row says which keys run which action where, under which id a keymap may rebind
it (config.toml's ``[keymap]``), in which section of the help it stands and how it is
described. The bindings of the app, the reader screen and its widgets, the footer, the help
screen, the command palette and `paperterm config`'s check of keymap ids all read this one
table; nothing else lists keys. Rows without an id describe keys that Textual itself binds
(Tab, ctrl+p ...): they are shown in the help but bound by Textual, not here.

No Textual here: `paperterm config` checks keymap ids without loading the UI.
"""

from __future__ import annotations

from typing import Literal

from paperterm.records import Record

Where = Literal["app", "reader", "list", "details", "filter", "view"]


class Key(Record, frozen=True):
    """One key binding: `keys` (Textual key names, comma-separated) run `action` on the node
    `where` names."""

    id: str  # the keymap id; "" for a key Textual binds itself
    keys: str
    action: str
    where: Where
    group: str  # the help section
    label: str  # the footer's word for it, and its name in the command palette
    help: str  # what it does: the help screen, the palette and tooltips say this
    title: str = ""  # the palette's name when not `label`
    footer: bool = False
    display: str | None = None  # how the footer shows the keys
    palette: bool = True
    priority: bool = False

    @property
    def palette_title(self) -> str:
        return self.title or self.label


def _feed(n: str, kind: str, help: str, *, footer: bool = False, name: str = "") -> Key:
    return Key(
        f"feed_{kind.replace('-', '_')}", n, f"feed('{kind}')", "reader", "Feeds",
        "Feeds" if footer else name or kind, help, title=f"Feed: {name or kind}", footer=footer,
        display="1-5" if footer else None,
    )  # fmt: skip


def _open(key: str, id: str, which: str, name: str, help: str) -> Key:
    return Key(
        id, key, f"open('{which}')", "reader", "Paper", name, help, title=f"Open {name}"
    )  # fmt: skip


KEYS: tuple[Key, ...] = (
    # Move
    Key("cursor_down", "down,j", "cursor_down", "list", "Move", "Down", "Down", palette=False),
    Key("cursor_up", "up,k", "cursor_up", "list", "Move", "Up", "Up", palette=False),
    Key("page_down", "pagedown", "page_down", "list", "Move", "Page down", "Page down", palette=False),
    Key("page_up", "pageup", "page_up", "list", "Move", "Page up", "Page up", palette=False),
    Key("first", "home,g", "first", "list", "Move", "Top", "First paper", palette=False),
    Key("last", "end,G", "last", "list", "Move", "Bottom", "Last paper", palette=False),
    Key("details", "enter", "select", "list", "Move", "Details", "Read the details of the paper", footer=True, palette=False),
    Key("", "tab", "app.focus_next", "app", "Move", "Switch", "Switch between the list and the details", palette=False),
    Key("back", "escape", "back", "reader", "Move", "Back", "Back to the list", palette=False),
    # Feeds
    _feed("1", "trending", "Trending feed", footer=True),
    _feed("2", "daily", "Daily feed: the newest day"),
    _feed("3", "weekly", "Weekly feed: the newest week"),
    _feed("4", "monthly", "Monthly feed: the newest month"),
    _feed("5", "for-you", "For you: the cache ranked by your bookmarks", name="For you"),
    Key("previous_period", "left_square_bracket", "period(-1)", "reader", "Feeds", "Previous", "Previous day, week or month", title="Previous period"),
    Key("next_period", "right_square_bracket", "period(1)", "reader", "Feeds", "Next", "Next day, week or month", title="Next period"),
    Key("refresh", "r", "refresh", "reader", "Feeds", "Refresh", "Fetch the feed again", footer=True),
    Key("search", "s", "search", "reader", "Feeds", "Search", "Search Hugging Face papers", title="Search Hugging Face", footer=True),
    # Paper
    _open("o", "open_paper", "hf", "Hugging Face page", "Open the paper on Hugging Face"),
    _open("a", "open_arxiv", "arxiv", "arXiv abstract", "Open the arXiv abstract"),
    _open("p", "open_pdf", "pdf", "PDF", "Open the PDF"),
    _open("c", "open_code", "code", "code", "Open the code (GitHub)"),
    Key("copy_link", "y", "copy_link", "reader", "Paper", "Copy link", "Copy the paper's link"),
    Key("read_paper", "R", "app.read_paper", "reader", "Paper", "Read", "Read the paper's full text here", title="Read the full text"),
    Key("hub_links", "h", "app.hub_links", "reader", "Paper", "Hub", "Open a model, dataset or Space that cites the paper", title="Open what cites the paper on the Hub"),
    Key("more_like_this", "l", "more_like_this", "reader", "Paper", "More like this", "Cached papers most like this one"),
    Key("saved_searches", "v", "saved_search(False)", "reader", "Feeds", "Saved", "Saved searches, with their unread and new matches", title="Saved searches"),
    Key("save_filter", "V", "saved_search(True)", "reader", "Filter", "Save filter", "Save the filter as a saved search", title="Save the filter as a search"),
    Key("filter", "slash", "filter", "reader", "Filter", "Filter", "Filter the list as you type", footer=True, display="/", priority=True),
    # Triage
    Key("toggle_read", "m", "toggle_read", "reader", "Triage", "Read", "Mark the paper read or unread", title="Toggle read"),
    Key("next_unread", "n", "next('unread', 1)", "reader", "Triage", "Next unread", "Next unread paper"),
    Key("previous_unread", "N", "next('unread', -1)", "reader", "Triage", "Previous unread", "Previous unread paper"),
    Key("next_new", "w", "next('new', 1)", "reader", "Triage", "Next new", "Next paper new since your last look", title="Next new paper"),
    Key("previous_new", "W", "next('new', -1)", "reader", "Triage", "Previous new", "Previous paper new since your last look", title="Previous new paper"),
    Key("mark_all_read", "M", "mark_all_read", "reader", "Triage", "Mark all read", "Mark every paper shown as read"),
    Key("toggle_hide_read", "U", "toggle_hide_read", "reader", "Triage", "Hide read", "Hide or show read papers", title="Hide read papers"),
    Key("toggle_bookmark", "b", "toggle_bookmark", "reader", "Triage", "Bookmark", "Bookmark the paper, or remove it", footer=True),
    Key("bookmarks", "B", "bookmarks", "reader", "Triage", "Bookmarks", "Show the bookmarks (again: back to the feed)", footer=True),
    Key("edit_tags", "t", "edit_tags", "reader", "Triage", "Tags", "Edit the bookmark's tags", title="Edit tags"),
    Key("edit_note", "e", "edit_note", "reader", "Triage", "Note", "Edit the bookmark's note", title="Edit note"),
    Key("undo", "u", "undo", "reader", "Triage", "Undo", "Undo the last change, step by step"),
    Key("export", "x", "export", "reader", "Triage", "Export", "Export bookmarks to a file", title="Export bookmarks"),
    # Details
    Key("details_down", "j", "scroll_down", "details", "Details", "Scroll down", "Scroll the details down", palette=False),
    Key("details_up", "k", "scroll_up", "details", "Details", "Scroll up", "Scroll the details up", palette=False),
    Key("details_top", "g", "scroll_home", "details", "Details", "Top", "Top of the details", palette=False),
    Key("details_bottom", "G", "scroll_end", "details", "Details", "Bottom", "End of the details", palette=False),
    Key("details_read", "enter", "app.read_paper", "details", "Details", "Read", "Read the paper's full text", palette=False),
    # The reading view
    Key("view_down", "down,j", "scroll_lines(1)", "view", "Reading", "Down", "Scroll down a line", palette=False),
    Key("view_up", "up,k", "scroll_lines(-1)", "view", "Reading", "Up", "Scroll up a line", palette=False),
    Key("view_page_down", "pagedown,space", "scroll_pages(1)", "view", "Reading", "Page down", "Scroll down a page", palette=False),
    Key("view_page_up", "pageup", "scroll_pages(-1)", "view", "Reading", "Page up", "Scroll up a page", palette=False),
    Key("view_top", "home,g", "scroll_to_end(-1)", "view", "Reading", "Top", "The start of the paper", palette=False),
    Key("view_bottom", "end,G", "scroll_to_end(1)", "view", "Reading", "Bottom", "The end of the paper", palette=False),
    Key("view_contents", "t", "contents", "view", "Reading", "Contents", "The table of contents: jump to a section", footer=True),
    Key("view_search", "slash", "search", "view", "Reading", "Search", "Search in the paper", footer=True, display="/"),
    Key("view_next_match", "n", "match(1)", "view", "Reading", "Next match", "The next match of the search"),
    Key("view_previous_match", "N", "match(-1)", "view", "Reading", "Previous match", "The previous match of the search"),
    Key("view_next_link", "right_square_bracket", "link(1)", "view", "Reading", "Next link", "Select the next citation or figure", footer=True, display="[ ]"),
    Key("view_previous_link", "left_square_bracket", "link(-1)", "view", "Reading", "Previous link", "Select the previous citation or figure"),
    Key("view_follow", "enter", "follow", "view", "Reading", "Follow", "Go to the selected citation's reference, or open the figure", footer=True),
    Key("view_back", "backspace", "jump_back", "view", "Reading", "Jump back", "Back to where the last citation was followed from"),
    Key("view_arxiv", "a", "open('arxiv')", "view", "Reading", "arXiv", "Open the arXiv abstract", title="Open arXiv abstract"),
    Key("view_pdf", "p", "open('pdf')", "view", "Reading", "PDF", "Open the PDF", title="Open the PDF"),
    Key("view_close", "escape", "close", "view", "Reading", "Close", "Back to the list", footer=True, palette=False),
    # Filter
    Key("clear_filter", "escape", "close", "filter", "Filter", "Clear filter", "Clear the filter and close the bar", palette=False),
    Key("filter_scope", "ctrl+a", "toggle_scope", "filter", "Filter", "Scope", "Filter this list, or everything cached and bookmarked", priority=True, palette=False),
    Key("filter_sort", "ctrl+o", "cycle_sort", "filter", "Filter", "Sort", "Order the matches by rank, upvotes, hot (gained per day) or newest", priority=True, palette=False),
    Key("", "enter", "submit", "filter", "Filter", "Keep", "Back to the list, keeping the filter", palette=False),
    # App
    Key("quit", "q", "quit", "app", "App", "Quit", "Quit", footer=True, palette=False),
    Key("help", "question_mark", "help", "app", "App", "Help", "Show every key", footer=True, display="?"),
    Key("", "ctrl+p", "command_palette", "app", "App", "Palette", "Command palette: every action by name", palette=False),
)  # fmt: skip

KEYMAP_IDS: frozenset[str] = frozenset(key.id for key in KEYS if key.id)
# The help screen's sections, in this order; rows keep the table's order within each.
GROUPS: tuple[str, ...] = (
    "Move", "Feeds", "Paper", "Triage", "Details", "Reading", "Filter", "App"
)  # fmt: skip


def keys_for(where: Where) -> tuple[Key, ...]:
    """The rows a node binds itself (Textual's own keys excluded)."""
    return tuple(key for key in KEYS if key.where == where and key.id)


# Widgets that hold the focus one at a time: keys bound in two of them never meet.
_FOCUSED: frozenset[Where] = frozenset({"list", "details", "filter"})


def _meet(a: Where, b: Where) -> bool:
    if (a == "view") != (b == "view"):  # the reading view is a screen of its own
        return "app" in (a, b)
    return a == b or not (a in _FOCUSED and b in _FOCUSED)


def _bound(keymap: dict[str, str]) -> dict[str, list[Key]]:
    by_key: dict[str, list[Key]] = {}
    for key in KEYS:
        keys = keymap.get(key.id, key.keys) if key.id else key.keys
        for name in keys.split(","):
            by_key.setdefault(name.strip(), []).append(key)
    return by_key


def _clashes(keymap: dict[str, str]) -> set[tuple[str, str, str]]:
    """(key, id, other id) for every key that two rows which can be active at once share."""
    found = set()
    for name, rows in _bound(keymap).items():
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                if a.action != b.action and _meet(a.where, b.where):
                    found.add((name, a.id or a.action, b.id or b.action))
    return found


def check_keymap(keymap: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The entries of a user's keymap that can be used, and one line per entry that cannot:
    an unknown id, or a key that another binding active at the same time already has (the
    entry is dropped, so no binding is left without its key). Clashes the default keys
    already have (Escape both goes back and clears the filter) are not the user's doing."""
    problems = [
        f"keymap: no binding with the id {name!r} (the help screen lists them)"
        for name in sorted(set(keymap) - KEYMAP_IDS)
    ]
    accepted = {k: v for k, v in keymap.items() if k in KEYMAP_IDS}
    defaults = _clashes({})
    while True:
        new = _clashes(accepted) - defaults
        culprits = sorted({i for _, a, b in new for i in (a, b) if i in accepted})
        if not culprits:
            return accepted, problems
        name = culprits[0]
        key, other = next((k, b if a == name else a) for k, a, b in sorted(new) if name in (a, b))
        problems.append(
            f'keymap: {name} = "{accepted[name]}" is ignored: {key} is already {other}\'s key'
        )
        del accepted[name]
