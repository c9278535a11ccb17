"""The counts `paperterm status` prints, kept ready in the feed cache for status bars.

A tmux status line runs `paperterm status` every few seconds. Loading the command line, the
service and the reading state each time would cost many times what Python's start does (a big
state file alone takes seconds), so `status` writes the numbers it computed into the cache's
``tally`` table (`paperterm.service.status`) and the next call reads them back (`quick`, called
by `paperterm.__main__` before anything else is imported). A row says what it was computed from
— the cache's generation (`paperterm.feed.history`), the environment that decides where files
live, the config file's identity, and the size, time and inode of the state file and its
journal — and `quick` answers from a row only while all of that still holds. Otherwise it
answers None and the full command computes the numbers (and writes the row): never a wrong
count, only now and then a slower one.

`quick` loads sqlite3, os and datetime and nothing else: not Textual, httpx, the query engine,
nor even platformdirs, whose rule for the cache directory it follows for Linux and macOS (any
other case is left to the full command)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys

TALLY_TABLE = (
    "CREATE TABLE IF NOT EXISTS tally (feed TEXT PRIMARY KEY, generation INTEGER NOT NULL, "
    "place TEXT NOT NULL, config TEXT NOT NULL, state_file TEXT NOT NULL, state TEXT NOT NULL, "
    "label TEXT NOT NULL, new INTEGER NOT NULL, unread INTEGER NOT NULL, total INTEGER NOT NULL, "
    "updated INTEGER NOT NULL, since INTEGER)"
)
DEFAULT_FORMAT = "{new} new · {unread} unread"
FIELDS = ("new", "unread", "total", "updated", "feed", "since")
_ENVIRONMENT = ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")


class Counts:
    """What a status line can say about one feed."""

    __slots__ = ("label", "new", "since", "total", "unread", "updated")

    def __init__(
        self, label: str, new: int, unread: int, total: int, updated: int, since: int | None
    ) -> None:
        self.label, self.new, self.unread, self.total = label, new, unread, total
        # Unix seconds: of the feed's fetch (0: never), of the last look (None: never looked)
        self.updated, self.since = updated, since

    def values(self) -> dict[str, object]:
        now = dt.datetime.now(dt.UTC)
        since = "" if self.since is None else describe_moment(from_seconds(self.since), now)
        updated = describe_moment(from_seconds(self.updated), now) if self.updated else "never"
        return {"new": self.new, "unread": self.unread, "total": self.total,
                "updated": updated, "feed": self.label, "since": since}  # fmt: skip


class BadFormat(ValueError):
    """A --format with an unknown field or an unmatched brace."""


def render(template: str, counts: Counts) -> str:
    """`template` with ``{new}``, ``{unread}``, ``{total}``, ``{updated}``, ``{feed}`` and
    ``{since}`` filled in (``{{`` and ``}}`` are braces). Nothing but these names is looked up:
    no attribute or index access, whatever the template says."""
    values, out, i = counts.values(), [], 0
    while i < len(template):
        char = template[i]
        if template.startswith(("{{", "}}"), i):
            out.append(char)
            i += 2
        elif char == "{":
            end = template.find("}", i)
            name = template[i + 1 : end] if end > 0 else ""
            if name not in values:
                shown = template[i : end + 1] if end > 0 else template[i:]
                raise BadFormat(f"unknown field {shown!r} (use {', '.join(FIELDS)})")
            out.append(str(values[name]))
            i = end + 1
        elif char == "}":
            raise BadFormat("a single '}' (write '}}' for a brace)")
        else:
            out.append(char)
            i += 1
    return "".join(out)


def file_identity(path: str) -> str:
    """The inode, size and modification time of `path` ("-" when there is none)."""
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def state_identity(state_file: str) -> str:
    """The identity of the state file and its journal files (beside a symlink's target): any
    change of the reading state, by any process, changes it."""
    target = os.path.realpath(state_file)
    return ";".join(
        file_identity(target + suffix) for suffix in ("", ".journal", ".journal.folding")
    )


def place() -> str:
    """What decides where paperterm's files are: the platform, the user, and the variables
    platformdirs reads."""
    uid = os.getuid() if hasattr(os, "getuid") else -1
    return repr((sys.platform, uid, *(os.environ.get(name) for name in _ENVIRONMENT)))


def cache_file() -> str | None:
    """The feed cache's path by platformdirs' rule, for Linux and macOS; None elsewhere or when
    the home directory is not plain (platformdirs has its own fallbacks then)."""
    home = os.environ.get("HOME", "")
    if not os.path.isabs(home):
        return None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if sys.platform.startswith("linux"):
        base = xdg if os.path.isabs(xdg) else os.path.join(home, ".cache")
    elif sys.platform == "darwin":
        base = xdg if os.path.isabs(xdg) else os.path.join(home, "Library", "Caches")
    else:
        return None
    return os.path.join(base, "paperterm", "cache.sqlite3")


def read(db_path: str, feed: str) -> tuple[Counts, str, str, str, str, int, int] | None:
    """The row for `feed` (``""``: the default feed) with what it was computed from: (counts,
    place, config identity with its path, state file, state identity, its generation, the
    cache's generation now). None when there is no cache or no row."""
    if not os.path.isfile(db_path):
        return None
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.2)
    except sqlite3.Error:
        return None
    try:
        row = db.execute(
            "SELECT label, new, unread, total, updated, since, place, config, state_file, state, "
            "generation, (SELECT value FROM meta WHERE key = 'generation') FROM tally WHERE feed = ?",
            (feed,),
        ).fetchone()
    except sqlite3.Error:
        return None  # an older cache without the table, a lock held too long: ask the full way
    finally:
        db.close()
    if row is None:
        return None
    counts = Counts(row[0], row[1], row[2], row[3], row[4], row[5])
    return counts, row[6], row[7], row[8], row[9], row[10], row[11] or 0


def quick(argv: list[str]) -> str | None:
    """The status line for ``paperterm status ARGV`` from the tally alone, or None when that
    cannot be trusted (or the arguments are more than ``--format``/``--feed``): then the full
    command answers."""
    options = _options(argv)
    db_path = cache_file()
    if options is None or db_path is None:
        return None
    template, feed = options
    found = read(db_path, feed)
    if found is None:
        return None
    counts, where, config, state_file, state, generation, now = found
    config_path, _, identity = config.rpartition("\0")
    if (
        generation != now
        or where != place()
        or identity != file_identity(config_path)
        or state != state_identity(state_file)
    ):
        return None
    try:
        return render(template, counts)
    except BadFormat:
        return None  # the full command says what is wrong with it


def _options(argv: list[str]) -> tuple[str, str] | None:
    template, feed = DEFAULT_FORMAT, ""
    args = iter(argv)
    for arg in args:
        name, eq, value = arg.partition("=")
        if name not in ("--format", "--feed"):
            return None
        if not eq:
            value = next(args, "")
            if not value or value.startswith("-"):
                return None
        if name == "--format":
            template = value
        else:
            feed = value.strip()
    return template, feed


def describe_moment(at: dt.datetime, now: dt.datetime) -> str:
    """A past moment in local time, as people say it: "today 09:12", "yesterday 18:02",
    "Mon 18:02", "2026-08-14 18:02"."""
    local, today = at.astimezone(), now.astimezone().date()
    days = (today - local.date()).days
    if days == 0:
        return f"today {local:%H:%M}"
    if days == 1:
        return f"yesterday {local:%H:%M}"
    if 1 < days < 7:
        return f"{local:%a %H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def from_seconds(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, dt.UTC)
