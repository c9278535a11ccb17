"""What the reader writes to a real terminal when the feed is hostile (hazards A7-A9, B8).

A fake server serves items whose titles, authors and abstracts carry terminal escapes; the
installed app fetches them and runs on a pseudo-terminal, and every byte it writes is read.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

from fakehf import FakeHF, serve
from hf_data import day_items
from ptyrun import run_on_pty

PAYLOADS = [
    "Clear \x1b[2J\x1b[H screen",
    "Clipboard \x1b]52;c;cm0gLXJmIH4K\x1b\\ write",
    "Clipboard BEL \x1b]52;c;cm0gLXJmIH4K\x07 write",
    "Link \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ here",
    "Title \x1b]0;pwned-window\x07 set",
    "C1 \x9b31m red and \x9d0;pwned-c1\x9c",
    "Bidi exe\u202egnp.exe and NUL\x00 DEL\x7f",
]


def hostile_items() -> list[dict[str, object]]:
    items = copy.deepcopy(day_items("2026-08-21")[: len(PAYLOADS)])
    for item, payload in zip(items, PAYLOADS, strict=True):
        paper = item["paper"]
        assert isinstance(paper, dict)
        paper["title"] = payload
        paper["summary"] = payload + " in the abstract"
        paper["authors"][0]["name"] = payload
        paper["projectPage"] = "https://ok.example/\x1b]8;;https://evil.example/\x1b\\"
    return items


def test_hostile_escapes_never_reach_the_terminal(tmp_path: Path) -> None:
    fake = FakeHF(items=hostile_items())
    fake.trending = fake.items
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "TEXTUAL_ANIMATIONS": "none", "NO_PROXY": "127.0.0.1,localhost",
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}  # fmt: skip
    with serve(fake) as url:
        env["HF_ENDPOINT"] = url
        output, _ = run_on_pty([sys.executable, "-m", "paperterm"], env, seconds=6)
    text = output.decode("utf-8", errors="replace")
    assert "screen" in text and "write" in text  # the papers were drawn
    assert "\x1b]52" not in text, "clipboard write reached the terminal"
    assert "\x1b]8;" not in text, "hyperlink reached the terminal"
    assert "pwned" not in text, "window title reached the terminal"
    assert "\x1b[2J\x1b[H screen" not in text
    for char in ("\x9b", "\x9d", "\x9c", "\u202e", "\x00", "\x7f"):
        assert char not in text, f"{char!r} reached the terminal"
