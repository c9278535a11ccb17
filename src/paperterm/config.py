"""config.toml -> Settings, with defaults and collected errors; and the API endpoint setting
($HF_ENDPOINT over config.toml's ``endpoint``).

Every key is declared once, as a `Key` row in `KEYS`: its name in the file, the `Settings`
field it sets, how its value is read, and the comment `paperterm config --default` prints for
it. Every key is optional. An unknown key or a bad value is reported (one line each, naming
the key) and its default used: paperterm always starts. `set_theme` changes one line of the
user's file and keeps everything else, comments included.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from paperterm.models import SAVED_NAME, FeedSpec, FeedSpecError
from paperterm.records import Record, field, replace

TRENDING = FeedSpec("trending")
DEFAULT_THEME = "paperterm-dark"
DEFAULT_ENDPOINT = "https://huggingface.co"


class Settings(Record, frozen=True):
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
    searches: Mapping[str, str] = field(default_factory=dict)  # saved searches: name -> query


class BadValue(ValueError):
    pass


class Key(Record, frozen=True):
    """One config key: `name` in the file sets `Settings.<setting>` to `parse(value)`;
    `doc` (comment lines) and `example` (the commented-out line) are its part of the default
    file."""

    name: str
    setting: str
    parse: Callable[[object], Any]
    doc: str
    example: str


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise BadValue(f"expected a string, got {value!r}")
    return value


def _number(low: float, high: float) -> Callable[[object], float]:
    def parse(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadValue(f"expected a number, got {value!r}")
        if not low <= value <= high:
            raise BadValue(f"expected a number from {low:g} to {high:g}, got {value!r}")
        return float(value)

    return parse


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise BadValue(f"expected true or false, got {value!r}")
    return value


def _feed(value: object) -> FeedSpec:
    try:
        return FeedSpec.parse(_string(value))
    except FeedSpecError as exc:
        raise BadValue(str(exc)) from None


def _theme(value: object) -> str:
    text = _string(value).strip()
    if not text:
        raise BadValue("expected a theme name")
    return text


def _minutes(value: object) -> dt.timedelta:
    return dt.timedelta(minutes=_number(0, 7 * 24 * 60)(value))


def _endpoint(value: object) -> str:
    try:
        return check_endpoint(_string(value))
    except EndpointError as exc:
        raise BadValue(str(exc)) from None


def _path(value: object) -> Path:
    text = _string(value).strip()
    if not text:
        raise BadValue("expected a file path")
    return Path(text).expanduser()


_KEY = r"[A-Za-z0-9_]+(?:\+[A-Za-z0-9_]+)*"  # "R", "ctrl+r", "question_mark"
_KEYS_SYNTAX = re.compile(rf"^\s*{_KEY}(?:\s*,\s*{_KEY})*\s*$")


class PartlyBad(ValueError):
    """A table some of whose entries are bad: `value` holds the good ones."""

    def __init__(self, value: Any, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.value = value
        self.problems = problems


def _keymap(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise BadValue('expected a table of binding id = "keys"')
    keymap, problems = {}, []
    for binding_id, keys in value.items():
        if not isinstance(keys, str) or not _KEYS_SYNTAX.match(keys):
            shown = repr(keys) if len(repr(keys)) <= 40 else repr(keys)[:39] + "…"
            problems.append(
                f'{binding_id}: expected keys such as "R" or "ctrl+r,f5", got {shown} (ignored)'
            )
            continue  # one bad entry drops only itself
        keymap[str(binding_id)] = keys.replace(" ", "")
    if problems:
        raise PartlyBad(keymap, problems)
    return keymap


def _searches(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise BadValue('expected a table of name = "query"')
    good = {str(k): v.strip() for k, v in value.items() if SAVED_NAME.match(str(k)) and isinstance(v, str) and 0 < len(v.strip()) <= 500}  # fmt: skip
    if bad := [name for name in value if name not in good]:
        raise PartlyBad(good, [f'{n!r}: expected name = "query" (name: letters, digits, _ . -) (ignored)' for n in bad])  # fmt: skip
    return good


KEYS: tuple[Key, ...] = (
    Key(
        "default_feed",
        "default_feed",
        _feed,
        "The feed the reader opens: trending, daily, weekly, monthly (the newest the server has),\n"
        "daily:YYYY-MM-DD, weekly:YYYY-Www, monthly:YYYY-MM or search:QUERY.",
        'default_feed = "trending"',
    ),
    Key(
        "theme",
        "theme",
        _theme,
        "A paperterm theme (paperterm-dark, paperterm-light, paperterm-contrast, or one of yours in\n"
        "the themes/ folder next to this file) or any Textual theme (nord, gruvbox, ...).\n"
        'ctrl+p -> "Theme" in the reader changes it and saves the choice here.',
        'theme = "paperterm-dark"',
    ),
    Key(
        "refresh_max_age_minutes",
        "refresh_max_age",
        _minutes,
        "Refresh a feed in the background when its cached copy is older than this (minutes).",
        "refresh_max_age_minutes = 30",
    ),
    Key(
        "auto_read_delay",
        "auto_read_delay",
        _number(0, 3600),
        "A paper becomes read after this many seconds in the detail pane; 0 turns it off.",
        "auto_read_delay = 1.5",
    ),
    Key(
        "confirm_mark_all_read",
        "confirm_mark_all_read",
        _flag,
        'Ask before "mark every paper shown as read" (M).',
        "confirm_mark_all_read = true",
    ),
    Key(
        "hide_read",
        "hide_read",
        _flag,
        "Start with read papers hidden (U toggles).",
        "hide_read = false",
    ),
    Key(
        "endpoint",
        "endpoint",
        _endpoint,
        "The Hugging Face endpoint (a mirror, say). $HF_ENDPOINT wins over this.",
        'endpoint = "https://huggingface.co"',
    ),
    Key(
        "state_file",
        "state_file",
        _path,
        "Where bookmarks and read marks live: put it in a synced folder or a git repository.",
        'state_file = "~/Sync/paperterm/state.toml"',
    ),
    Key(
        "keymap",
        "keymap",
        _keymap,
        "Keys, by binding id: the id is in brackets in the help screen (?). A value may list\n"
        "several keys, comma-separated.",
        '[keymap]\nrefresh = "R"\ntoggle_bookmark = "b,f"',
    ),
    Key(
        "searches",
        "searches",
        _searches,
        "Saved searches, listed like feeds (saved:NAME; v in the reader lists them, V saves\nthe filter): the filter's query language (/), over everything cached and bookmarked.",
        '[searches]\nrl = "kw:rlhf up:>10 -survey"',
    ),
)
_BY_NAME = {key.name: key for key in KEYS}

_HEADER = """\
paperterm configuration. Every key is optional; remove the leading "# " to set one.
Where this file lives: `paperterm paths`."""


def _commented(text: str) -> str:
    return "".join(f"# {line}\n" for line in text.split("\n"))


DEFAULT_CONFIG = "\n".join(
    _commented(text) for text in [_HEADER, *(f"{k.doc}\n{k.example}" for k in KEYS)]
)


def parse_settings(data: Mapping[str, object]) -> tuple[Settings, list[str]]:
    """Settings from a parsed config table, and one message per problem."""
    settings, problems = Settings(), []
    for name, value in data.items():
        key = _BY_NAME.get(name)
        if key is None:
            problems.append(f"unknown setting {name!r} (ignored)")
            continue
        try:
            settings = replace(settings, **{key.setting: key.parse(value)})
        except PartlyBad as exc:
            settings = replace(settings, **{key.setting: exc.value})
            problems.extend(f"{name}: {problem}" for problem in exc.problems)
        except BadValue as exc:
            problems.append(f"{name}: {exc} (using the default)")
    return settings, problems


MAX_CONFIG_BYTES = 256 * 1024  # a config file or a theme is a few KB; this is no such file


def read_small_text(path: Path, limit: int = MAX_CONFIG_BYTES) -> str:
    """The UTF-8 text of a small file we only read (config.toml, a theme); raises
    FileNotFoundError, or ValueError with a one-line reason (a FIFO, a device, a directory,
    a file too large, not UTF-8) — never hangs on a FIFO nor reads /dev/zero forever."""
    from paperterm.files import NotRegular, read_capped  # the first frame needs none of it

    try:
        data = read_capped(path, limit)
    except FileNotFoundError:
        raise
    except NotRegular as exc:
        raise ValueError(f"it is a {exc.kind}, not a regular file") from None
    except OSError as exc:
        raise ValueError(exc.strerror or str(exc)) from None
    if data is None:
        raise ValueError(f"larger than {limit // 1024} KB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None


def load_settings(path: Path) -> tuple[Settings, list[str]]:
    """Read `path` (a missing file means defaults). Never raises for a bad file."""
    try:
        text = read_small_text(path)
    except FileNotFoundError:
        return Settings(), []
    except ValueError as exc:
        return Settings(), [f"could not read {path}: {exc} (using defaults)"]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Settings(), [f"{path} is not valid TOML: {exc} (using defaults)"]
    settings, problems = parse_settings(data)
    return settings, [f"{path.name}: {problem}" for problem in problems]


# -- the endpoint ---------------------------------------------------------------------------


class EndpointError(ValueError):
    """An endpoint setting that is not a usable http(s) base URL."""


def resolve_endpoint(configured: str | None = None) -> str:
    """The API base URL: ``$HF_ENDPOINT`` when set (the one place it is read), else
    `configured` (config.toml's ``endpoint``), else huggingface.co; no trailing /."""
    raw = os.environ.get("HF_ENDPOINT", "").strip()
    if raw:
        return check_endpoint(raw, "HF_ENDPOINT")
    return check_endpoint(configured) if configured else DEFAULT_ENDPOINT


def check_endpoint(raw: str, name: str | None = None) -> str:
    """`raw` as a usable http(s) base URL (no trailing /); raises `EndpointError`, whose
    message starts with ``name=`` when a setting's name is given."""
    raw = raw.strip()
    try:
        parts = urlsplit(raw)
        _ = parts.port
    except ValueError:
        parts = None
    where = f"{name} " if name else ""
    if (
        parts is not None
        and parts.scheme in ("http", "https")
        and parts.hostname
        and (parts.username or parts.password)
    ):
        # Never echo it: the value holds a password.
        raise EndpointError(
            f"{where}has a user name or password in it ({parts.scheme}://…@{parts.hostname}): "
            "paperterm sends no credentials; set a proxy variable if your network needs them"
        )
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
    ):
        where = f"{name}=" if name else ""
        raise EndpointError(f"{where}{raw!r} is not an http(s) URL such as {DEFAULT_ENDPOINT}")
    return raw.rstrip("/")


def endpoint_warning(endpoint: str) -> str | None:
    """A warning for plain http to anything but this machine."""
    parts = urlsplit(endpoint)
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return f"HF_ENDPOINT {endpoint} uses plain http: traffic is not encrypted"
    return None


_THEME_LINE = re.compile(r"^theme\s*=.*$", re.MULTILINE)


def set_theme(path: Path, name: str) -> None:
    """Save the theme choice: replace the top-level `theme = ...` line (or add one), keeping
    every other line. Written atomically; raises OSError or ValueError on failure."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        text = DEFAULT_CONFIG
    line = f"theme = {toml_string(name)}"
    head, tables = _split_top(text)
    if _THEME_LINE.search(head):
        head = _THEME_LINE.sub(line, head, count=1)
    else:
        head = head.rstrip("\n") + f"\n{line}\n" + ("\n" if tables else "")
    updated = head + tables
    if tomllib.loads(updated).get("theme") != name:
        raise ValueError(f"could not set the theme in {path}")
    from paperterm.files import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, updated.encode("utf-8"))


def _split_top(text: str) -> tuple[str, str]:
    """(top-level keys, tables): the text before the first [table] header, and the rest."""
    match = re.search(r"^[ \t]*\[", text, re.MULTILINE)
    return (text, "") if match is None else (text[: match.start()], text[match.start() :])


def toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
