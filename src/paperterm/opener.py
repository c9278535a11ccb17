"""How to open a web link from a terminal: a graphical browser, a console one, or not at all.

`webbrowser` can block (a console browser runs in the foreground) and returns False silently
when there is no browser, so the reader asks `browser_plan()` first: "console" means suspend
the UI and run the command in the terminal; "none" means show (and copy) the URL instead.
Only URLs that pass `links.safe_url` are ever handed on, and never through a shell.
"""

from __future__ import annotations

import os
import shlex
import sys
import webbrowser
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from paperterm.links import safe_url

CONSOLE_BROWSERS = frozenset(
    {"lynx", "w3m", "links", "links2", "elinks", "www-browser", "browsh", "carbonyl"}
)


@dataclass(frozen=True, slots=True)
class BrowserPlan:
    """How a link will be opened: `argv` is the console browser command for "console"."""

    kind: Literal["gui", "console", "none"]
    argv: tuple[str, ...] = ()


def browser_plan(env: Mapping[str, str] | None = None, platform: str | None = None) -> BrowserPlan:
    """Decide how to open links on this machine."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    chosen = env.get("BROWSER", "").split(os.pathsep)[0].strip()
    if chosen:
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
    try:
        return bool(webbrowser.open(checked, new=2))
    except webbrowser.Error:
        return False
