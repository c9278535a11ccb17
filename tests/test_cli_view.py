"""`paperterm view ID`: the full text as plain lines in a pipe (a closed pipe is a clean
exit), paged on a terminal, from the cache once fetched, a failure as one line with links;
hostile bytes in the text never reach the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakehf import FakeHF, closed_port, serve
from ptyrun import run_on_pty
from test_terminal_bytes import PAYLOADS

BIG = "2606.16517"


def paperterm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperterm", *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
    )  # fmt: skip


@pytest.fixture
def server(fake: FakeHF, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with serve(fake) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        yield url


def test_plain_prints_the_text_then_it_works_offline(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = paperterm("view", BIG, "--plain")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "1 Introduction" in lines and "References" in lines
    assert all(len(line) <= 100 for line in lines if not line.startswith("    "))
    assert "\x1b" not in result.stdout
    monkeypatch.setenv("HF_ENDPOINT", closed_port())  # the network is gone
    again = paperterm("view", BIG, "--plain", "--offline")
    assert again.returncode == 0 and again.stdout == result.stdout


def test_head_on_a_pipe_exits_cleanly(server: str) -> None:
    shell = f"{sys.executable} -m paperterm view {BIG} --plain | head -n 3"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr == ""
    assert len(result.stdout.splitlines()) == 3


def test_a_failed_fetch_is_one_line_with_the_arxiv_and_pdf_links(server: str) -> None:
    result = paperterm("view", "2606.99999", "--plain")
    assert result.returncode == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "HTTP 404" in line
    assert "https://arxiv.org/abs/2606.99999" in line and "https://arxiv.org/pdf/2606.99999" in line


def test_offline_without_the_text_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port())
    result = paperterm("view", BIG, "--offline")
    assert result.returncode == 1 and "not kept here yet" in result.stderr


def test_on_a_terminal_it_goes_through_the_pager_and_no_escape_gets_through(
    tmp_path: Path, fake: FakeHF
) -> None:
    hostile = "\n\n".join(f"## Part {i}\n\n{p} in the text" for i, p in enumerate(PAYLOADS))
    fake.texts["2606.00666"] = f"Title: x\n\nMarkdown Content:\n{hostile}\n".encode()
    env = {**os.environ, "PAGER": "sed s/^/paged:/", "NO_PROXY": "127.0.0.1,localhost",
           "XDG_CACHE_HOME": str(tmp_path / "c"), "XDG_DATA_HOME": str(tmp_path / "d"),
           "XDG_CONFIG_HOME": str(tmp_path / "f")}  # fmt: skip
    with serve(fake) as url:
        env["HF_ENDPOINT"] = url
        output, _ = run_on_pty(
            [sys.executable, "-m", "paperterm", "view", "2606.00666"], env, seconds=20,
            until=b"Part 6",
        )  # fmt: skip
    text = output.decode("utf-8", errors="replace")
    assert "paged:Part 0" in text and "paged:Part 6" in text
    assert "\x1b" not in text and "pwned" not in text
    for char in ("\x9b", "\x9d", "\x9c", "\u202e", "\x00", "\x7f"):
        assert char not in text, f"{char!r} reached the terminal"
