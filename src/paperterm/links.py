"""Links: which URLs paperterm will store, open or copy, and how to open one from a terminal.

Only absolute http(s) URLs with a plain host pass `safe_url`. Feed URLs are untrusted:
`webbrowser.open` hands any string to the browser command as is (``javascript:``, ``file:``,
``-incognito``), and a copied URL containing a newline runs as a second command when pasted into
a shell. So the rule is applied once here and used everywhere.

Opening: `webbrowser` can block (a console browser runs in the foreground) and returns False
silently when there is no browser, so the reader asks `browser_plan()` first: "console" means
suspend the UI and run the command in the terminal; "none" means show (and copy) the URL
instead. Only URLs that pass `safe_url` are ever handed on, and never through a shell.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import PurePath
from typing import Literal
from urllib.parse import urlsplit

from paperterm.records import Record

_UNSAFE_CHARS = re.compile(
    r"[\x00-\x20\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
_HOST = re.compile(r"^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$")
MAX_URL_LENGTH = 2048


def safe_url(value: object) -> str | None:
    """`value` as an openable web URL, or None when it is anything else.

    Accepted: ``http``/``https`` with a host name or IP, no user:password part, no whitespace
    or control characters, at most 2048 characters. Leading/trailing whitespace is trimmed
    (the API sends a few project pages with a leading space).
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > MAX_URL_LENGTH or _UNSAFE_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password:
        return None
    host = parts.hostname or ""
    if not host or not _HOST.match(host if ":" not in host else f"[{host}]"):
        return None
    return url


CONSOLE_BROWSERS = frozenset(
    {"lynx", "w3m", "links", "links2", "elinks", "www-browser", "browsh", "carbonyl"}
)


class BrowserPlan(Record, frozen=True):
    """How a link will be opened: `argv` is the console browser command for "console"."""

    kind: Literal["gui", "console", "none"]
    argv: tuple[str, ...] = ()


def browser_plan(env: Mapping[str, str] | None = None, platform: str | None = None) -> BrowserPlan:
    """Decide how to open links on this machine."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    chosen = env.get("BROWSER", "").split(os.pathsep)[0].strip()
    if chosen:
        import shlex

        try:
            argv = tuple(shlex.split(chosen))
        except ValueError:
            return BrowserPlan("none")
        if argv and PurePath(argv[0]).name in CONSOLE_BROWSERS:
            return BrowserPlan("console", argv)
        return BrowserPlan("gui")
    unix_desktop = platform.startswith("linux") or "bsd" in platform
    if unix_desktop and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return BrowserPlan("none")
    return BrowserPlan("gui")


def console_command(plan: BrowserPlan, url: str) -> list[str]:
    """The argv that opens `url` in a console browser (`%s` in BROWSER is the URL's place)."""
    if any("%s" in part for part in plan.argv):
        return [part.replace("%s", url) for part in plan.argv]
    return [*plan.argv, url]


def open_in_browser(url: str) -> bool:
    """Open a checked URL with `webbrowser`; False when refused or no browser answered."""
    checked = safe_url(url)
    if checked is None:
        return False
    import webbrowser  # loaded with the first link opened: it brings subprocess and more

    try:
        return bool(webbrowser.open(checked, new=2))
    except webbrowser.Error:
        return False
