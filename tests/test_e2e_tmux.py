"""End to end: the installed `paperterm` in a real terminal (tmux) against a fake HF server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakehf import FakeHF, serve
from hf_data import day_items

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")


class Terminal:
    """One tmux server of our own, one pane running a command."""

    def __init__(self, socket: str) -> None:
        self.base = [str(TMUX), "-L", socket, "-f", "/dev/null"]

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            [*self.base, *args], capture_output=True, text=True, check=True
        ).stdout

    def start(self, command: str, width: int = 120, height: int = 36) -> None:
        self.tmux("new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height), command,
                  ";", "set-option", "-t", "e2e", "remain-on-exit", "on")  # fmt: skip

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "e2e")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "e2e", *keys)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, check=False)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(f"paperterm-e2e-{os.getpid()}-{tmp_path.name}")
    yield term
    term.kill()


def installed_paperterm() -> str:
    script = Path(sys.executable).parent / "paperterm"
    assert script.exists(), f"paperterm is not installed next to {sys.executable}"
    return str(script)


def test_the_installed_reader_shows_moves_switches_and_quits(
    terminal: Terminal, tmp_path: Path
) -> None:
    fake = FakeHF()
    with serve(fake) as url:
        env = {
            "HF_ENDPOINT": url, "NO_PROXY": "127.0.0.1,localhost", "COLORTERM": "truecolor",
            "TEXTUAL_ANIMATIONS": "none", "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
        }  # fmt: skip
        status_file = tmp_path / "exit-status"
        command = " ".join(f"{k}={v}" for k, v in env.items()) + f" {installed_paperterm()}"
        # The shell records how paperterm ended (tmux's own pane status is racy to read).
        terminal.start(f"sh -c '{command}; echo $? > {status_file}'")
        trending = [" ".join(item["paper"]["title"].split()) for item in fake.trending]
        terminal.wait_for("updated just now")
        screen = terminal.wait_for(trending[0][:40])  # the list repaints a frame after the status
        assert "trending" in screen
        terminal.wait_for(f"{len(trending)} papers")

        terminal.keys("j", "j")
        # The detail pane (right) follows the cursor to the third paper.
        terminal.wait_for(trending[2][:25])

        terminal.keys("2")
        daily = [" ".join(item["paper"]["title"].split()) for item in day_items("2026-08-21")]
        screen = terminal.wait_for("daily 2026-08-21")
        terminal.wait_for(daily[0][:40])
        terminal.wait_for("17 papers")

        terminal.keys("q")
        deadline = time.monotonic() + 15
        while not status_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status_file.exists(), f"paperterm did not quit; the screen was:\n{terminal.screen()}"
        assert status_file.read_text().strip() == "0"
    assert fake.requests[0] == ("/api/daily_papers", {"sort": "trending", "p": "0", "limit": "100"})
