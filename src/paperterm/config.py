"""config.toml -> Settings, with defaults and collected errors.

Every key is optional. An unknown key or a bad value is reported (one line each, naming the
key) and its default used: paperterm always starts. `DEFAULT_CONFIG` is the commented file
`paperterm config --default` prints; `set_theme` changes one line of the user's file and keeps
everything else, comments included.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from paperterm.endpoint import EndpointError, resolve_endpoint
from paperterm.models import FeedSpec, FeedSpecError

TRENDING = FeedSpec("trending")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting with its default."""

    default_feed: FeedSpec = TRENDING
    theme: str | None = None  # None: paperterm-dark
    refresh_max_age: dt.timedelta = dt.timedelta(minutes=30)
    # A paper counts as read after staying this long in the detail pane (0 turns it off).
    auto_read_delay: float = 1.5
    confirm_mark_all_read: bool = True
    hide_read: bool = False
    endpoint: str | None = None  # None: $HF_ENDPOINT, else huggingface.co
    state_file: Path | None = None  # None: the platform's data directory
    keymap: Mapping[str, str] = field(default_factory=dict)


DEFAULT_THEME = "paperterm-dark"

DEFAULT_CONFIG = """\
# paperterm configuration. Every key is optional; remove the leading "# " to set one.
# Where this file lives: `paperterm paths`.

# The feed the reader opens: trending, daily, weekly, monthly (the newest the server has),
# daily:YYYY-MM-DD, weekly:YYYY-Www, monthly:YYYY-MM or search:QUERY.
# default_feed = "trending"

# A paperterm theme (paperterm-dark, paperterm-light, paperterm-contrast, or one of yours in
# the themes/ folder next to this file) or any Textual theme (nord, gruvbox, ...).
# ctrl+p -> "Theme" in the reader changes it and saves the choice here.
# theme = "paperterm-dark"

# Refresh a feed in the background when its cached copy is older than this (minutes).
# refresh_max_age_minutes = 30

# A paper becomes read after this many seconds in the detail pane; 0 turns it off.
# auto_read_delay = 1.5

# Ask before "mark every paper shown as read" (M).
# confirm_mark_all_read = true

# Start with read papers hidden (U toggles).
# hide_read = false

# The Hugging Face endpoint (a mirror, say). $HF_ENDPOINT wins over this.
# endpoint = "https://huggingface.co"

# Where bookmarks and read marks live: put it in a synced folder or a git repository.
# state_file = "~/Sync/paperterm/state.toml"

# Keys, by binding id: the id is in brackets in the help screen (?). A value may list
# several keys, comma-separated.
# [keymap]
# refresh = "R"
# toggle_bookmark = "b,f"
"""

_KEYS: dict[str, Callable[[object], Any]] = {}


def _key(name: str) -> Callable[[Callable[[object], Any]], Callable[[object], Any]]:
    def register(parse: Callable[[object], Any]) -> Callable[[object], Any]:
        _KEYS[name] = parse
        return parse

    return register


class BadValue(ValueError):
    pass


@_key("default_feed")
def _feed(value: object) -> FeedSpec:
    try:
        return FeedSpec.parse(_string(value))
    except FeedSpecError as exc:
        raise BadValue(str(exc)) from None


@_key("theme")
def _theme(value: object) -> str:
    text = _string(value).strip()
    if not text:
        raise BadValue("expected a theme name")
    return text


@_key("refresh_max_age_minutes")
def _max_age(value: object) -> dt.timedelta:
    return dt.timedelta(minutes=_number(value, low=0, high=7 * 24 * 60))


@_key("auto_read_delay")
def _delay(value: object) -> float:
    return _number(value, low=0, high=3600)


@_key("confirm_mark_all_read")
@_key("hide_read")
def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise BadValue(f"expected true or false, got {value!r}")
    return value


@_key("endpoint")
def _endpoint(value: object) -> str:
    try:
        return resolve_endpoint(_string(value))
    except EndpointError as exc:
        raise BadValue(str(exc).replace("HF_ENDPOINT=", "")) from None


@_key("state_file")
def _state_file(value: object) -> Path:
    text = _string(value).strip()
    if not text:
        raise BadValue("expected a file path")
    return Path(text).expanduser()


@_key("keymap")
def _keymap(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise BadValue('expected a table of binding id = "keys"')
    keymap = {}
    for binding_id, keys in value.items():
        if not isinstance(keys, str) or not _KEYS_SYNTAX.match(keys):
            raise BadValue(f'{binding_id}: expected keys such as "R" or "ctrl+r,f5", got {keys!r}')
        keymap[str(binding_id)] = keys.replace(" ", "")
    return keymap


_KEY = r"[A-Za-z0-9_]+(?:\+[A-Za-z0-9_]+)*"  # "R", "ctrl+r", "question_mark"
_KEYS_SYNTAX = re.compile(rf"^\s*{_KEY}(?:\s*,\s*{_KEY})*\s*$")
_FIELDS = {
    "default_feed": "default_feed",
    "theme": "theme",
    "refresh_max_age_minutes": "refresh_max_age",
    "auto_read_delay": "auto_read_delay",
    "confirm_mark_all_read": "confirm_mark_all_read",
    "hide_read": "hide_read",
    "endpoint": "endpoint",
    "state_file": "state_file",
    "keymap": "keymap",
}


def parse_settings(data: Mapping[str, object]) -> tuple[Settings, list[str]]:
    """Settings from a parsed config table, and one message per problem."""
    settings, problems = Settings(), []
    for key, value in data.items():
        parse = _KEYS.get(key)
        if parse is None:
            problems.append(f"unknown setting {key!r} (ignored)")
            continue
        try:
            settings = replace(settings, **{_FIELDS[key]: parse(value)})
        except BadValue as exc:
            problems.append(f"{key}: {exc} (using the default)")
    return settings, problems


def load_settings(path: Path) -> tuple[Settings, list[str]]:
    """Read `path` (a missing file means defaults). Never raises for a bad file."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return Settings(), []
    except (OSError, UnicodeDecodeError) as exc:
        return Settings(), [f"could not read {path}: {exc} (using defaults)"]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Settings(), [f"{path} is not valid TOML: {exc} (using defaults)"]
    settings, problems = parse_settings(data)
    return settings, [f"{path.name}: {problem}" for problem in problems]


_THEME_LINE = re.compile(r"^theme\s*=.*$", re.MULTILINE)


def set_theme(path: Path, name: str) -> None:
    """Save the theme choice: replace the top-level `theme = ...` line (or add one), keeping
    every other line. Written atomically; raises OSError or ValueError on failure."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        text = DEFAULT_CONFIG
    line = f"theme = {_toml_string(name)}"
    head, tables = _split_top(text)
    if _THEME_LINE.search(head):
        head = _THEME_LINE.sub(line, head, count=1)
    else:
        head = head.rstrip("\n") + f"\n{line}\n" + ("\n" if tables else "")
    updated = head + tables
    if tomllib.loads(updated).get("theme") != name:
        raise ValueError(f"could not set the theme in {path}")
    from paperterm.atomic import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, updated.encode("utf-8"))


def _split_top(text: str) -> tuple[str, str]:
    """(top-level keys, tables): the text before the first [table] header, and the rest."""
    match = re.search(r"^[ \t]*\[", text, re.MULTILINE)
    return (text, "") if match is None else (text[: match.start()], text[match.start() :])


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise BadValue(f"expected a string, got {value!r}")
    return value


def _number(value: object, *, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue(f"expected a number, got {value!r}")
    if not low <= value <= high:
        raise BadValue(f"expected a number from {low:g} to {high:g}, got {value!r}")
    return float(value)
