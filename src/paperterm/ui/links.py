"""Opening and copying a paper's links from the reader.

The decision (graphical browser, console browser, none) is `paperterm.links.browser_plan`; this module
carries it out without freezing the screen: a graphical browser is started from a thread
worker (webbrowser can block), a console browser gets the terminal while the app is
suspended, and with no browser the link is shown and copied instead of failing silently.
"""

from __future__ import annotations

import subprocess
from functools import partial
from typing import Any

from textual.app import SuspendNotSupported
from textual.screen import Screen

from paperterm.models import Paper

# `paperterm.links` (the browser decision, the URL check) loads with the first link asked for.

LINKS = {"hf": "Hugging Face page", "arxiv": "arXiv abstract", "pdf": "PDF", "code": "code"}


def paper_link(screen: Screen[Any], paper: Paper, which: str) -> str | None:
    """The checked URL of one of `paper`'s links; None (and a notification) when there is
    none or it is not a web link."""
    raw = {"hf": paper.url, "arxiv": paper.arxiv_url, "pdf": paper.pdf_url, "code": paper.github}[
        which
    ]
    if raw is None:
        screen.notify(f"No {LINKS[which]} link for this paper.", markup=False)
        return None
    from paperterm.links import safe_url

    url = safe_url(raw)
    if url is None:
        screen.notify(f"Refused to open a non-web link: {raw}", severity="warning", markup=False)
    return url


def open_link(screen: Screen[Any], url: str) -> None:
    """Open a checked URL the best way this machine allows."""
    from paperterm.links import browser_plan, console_command

    plan = browser_plan()
    if plan.kind == "none":
        show_link(screen, url, "No browser available")
    elif plan.kind == "console":
        try:
            with screen.app.suspend():
                subprocess.run(console_command(plan, url), check=False)
        except (SuspendNotSupported, OSError) as exc:
            show_link(screen, url, f"Could not run {plan.argv[0]} ({exc})")
    else:
        screen.run_worker(
            partial(_open_in_thread, screen, url),
            thread=True,
            group="browser",
            exit_on_error=False,
            description="open link",
        )


def _open_in_thread(screen: Screen[Any], url: str) -> None:
    from paperterm.links import open_in_browser

    if not open_in_browser(url):
        screen.app.call_from_thread(show_link, screen, url, "No browser answered")


def show_link(screen: Screen[Any], url: str, why: str) -> None:
    """Say why the link was not opened, show it, and copy it."""
    screen.app.copy_to_clipboard(url)
    screen.notify(f"{why}. Link (also sent to the clipboard): {url}", timeout=15, markup=False)


def copy_link(screen: Screen[Any], url: str) -> None:
    screen.app.copy_to_clipboard(url)
    screen.notify(f"Copied {url} (via the terminal, OSC 52)", markup=False)
