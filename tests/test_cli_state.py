"""`paperterm bookmarks`, `bookmark add|remove`, `read`, `unread` as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator

import pytest
from fakehf import FakeHF, closed_port, serve
from hf_data import day_items

from paperterm.paths import Paths


def paperterm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paperterm", *args], capture_output=True,
                          text=True, timeout=60, env=dict(os.environ))  # fmt: skip


def state_file() -> dict[str, object]:
    return tomllib.loads(Paths.default().state_file.read_text("utf-8"))


@pytest.fixture
def server(fake: FakeHF, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with serve(fake) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        yield url


FIRST = day_items("2026-08-21")[0]["paper"]


def test_bookmark_add_accepts_ids_and_urls_and_looks_papers_up(server: str) -> None:
    result = paperterm("bookmark", "add", FIRST["id"] + "v2", "https://huggingface.co/papers/2608.09888",
                       "https://arxiv.org/pdf/2608.09888v1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"Bookmarked {FIRST['id']}", "Bookmarked 2608.09888"]
    bookmarks = state_file()["bookmarks"]
    assert isinstance(bookmarks, dict)
    assert bookmarks["2608.09888"]["paper"]["title"].startswith("BDH-CQ")  # from /api/papers/{id}
    listed = json.loads(paperterm("bookmarks", "--json").stdout)
    # Newest first, and by id, highest first, within the same second (the two adds may or
    # may not share one on a busy machine).
    assert {b["id"] for b in listed} == {FIRST["id"], "2608.09888"}
    assert listed == sorted(listed, key=lambda b: (b["added_at"], b["id"]), reverse=True)
    assert set(listed[0]) >= {"id", "title", "authors", "added_at", "tags", "note", "url"}
    assert (
        paperterm("bookmark", "add", FIRST["id"]).stderr.strip()
        == f"paperterm: {FIRST['id']} is already bookmarked"
    )


def test_offline_bookmark_is_stored_with_what_is_known_and_filled_in_later(
    fake: FakeHF, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port())
    result = paperterm("bookmark", "add", "2608.09888")
    assert result.returncode == 0
    assert "stored with its id only" in result.stderr
    listed = json.loads(paperterm("bookmarks", "--json").stdout)
    assert (
        listed[0]["incomplete"]
        and listed[0]["title"] == "arXiv 2608.09888 (details not fetched yet)"
    )
    with serve(fake) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        fetched = paperterm("fetch")
    assert "bookmarks: details filled in for 1" in fetched.stdout
    listed = json.loads(paperterm("bookmarks", "--json").stdout)
    assert not listed[0]["incomplete"] and listed[0]["title"].startswith("BDH-CQ")


def test_bookmarks_filter_by_tag_and_remove(server: str) -> None:
    assert paperterm("bookmark", "add", FIRST["id"], "2608.09888").returncode == 0
    plain = paperterm("bookmarks").stdout.splitlines()
    assert len(plain) == 2 and FIRST["id"] in plain[0] + plain[1]
    assert paperterm("bookmarks", "--tag", "nothing").stdout == ""
    removed = paperterm("bookmark", "remove", "2608.09888", "2501.00001")
    assert removed.returncode == 0
    assert removed.stdout == "Removed bookmark 2608.09888\n"
    assert "2501.00001 was not bookmarked" in removed.stderr
    assert list(state_file()["bookmarks"]) == [FIRST["id"]]  # type: ignore[call-overload]


def test_read_and_unread(server: str) -> None:
    assert paperterm("read", "2608.09888", "arXiv:2608.19880").returncode == 0
    assert set(state_file()["read"]) == {"2608.09888", "2608.19880"}  # type: ignore[call-overload]
    assert paperterm("unread", "https://arxiv.org/abs/2608.09888").returncode == 0
    assert set(state_file()["read"]) == {"2608.19880"}  # type: ignore[call-overload]


def test_bad_ids_change_nothing_and_exit_2(server: str) -> None:
    result = paperterm("read", "2608.09888", "../../etc/passwd", "x/y?z")
    assert result.returncode == 2
    assert (
        result.stderr
        == "paperterm: error: not an arXiv id or paper URL: '../../etc/passwd', 'x/y?z'\n"
    )
    assert not Paths.default().state_file.exists()


def test_a_damaged_state_file_is_moved_aside_and_named(server: str) -> None:
    state = Paths.default().state_file
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_bytes(b"\x00\x00\x00 not toml")
    result = paperterm("bookmarks")
    assert result.returncode == 0
    assert "corrupt-" in result.stderr
    aside = list(state.parent.glob("state.toml.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == b"\x00\x00\x00 not toml"
