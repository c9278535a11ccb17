"""The headless CLI, run as a real process against a fake HF server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fakehf import FakeHF, closed_port, serve
from hf_data import day_items

from paperterm.cli import reader_arguments
from paperterm.cli.parser import build_parser
from paperterm.paths import Paths

JSON_FIELDS = {
    "id",
    "title",
    "authors",
    "abstract",
    "upvotes",
    "comments",
    "feed_day",
    "published",
    "github",
    "stars",
    "project_page",
    "ai_summary",
    "ai_keywords",
    "url",
    "fetched_at",
}


def paperterm(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperterm", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def server(fake: FakeHF, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    fake.scenario = None
    with serve(fake) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        yield url


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port())


def titles(stdout: str) -> list[str]:
    return [line.split(None, 3)[3] for line in stdout.splitlines()]


def test_first_run_offline_prints_the_sample_feed_with_a_notice(offline: None) -> None:
    result = paperterm("list")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 40
    assert result.stderr.startswith("paperterm: sample feed (offline)")
    assert "connection refused" in result.stderr
    assert "Traceback" not in result.stderr


def test_fetch_then_list_shows_the_server_order_and_then_works_offline(
    server: str, fake: FakeHF, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched = paperterm("fetch")
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.startswith(
        f"trending: {len(fake.trending)} papers, {len(fake.trending)} new, 0 updated"
    )
    listed = paperterm("list")
    expected = [" ".join(item["paper"]["title"].split()) for item in fake.trending]  # unwrapped
    assert titles(listed.stdout) == expected
    first = listed.stdout.splitlines()[0].split()
    assert first[:3] == [
        "1",
        f"▲{fake.trending[0]['paper']['upvotes']}",
        fake.trending[0]["paper"]["id"],
    ]
    monkeypatch.setenv("HF_ENDPOINT", closed_port())  # the server is gone
    again = paperterm("list", "--offline")
    assert again.returncode == 0 and again.stdout == listed.stdout and again.stderr == ""


def test_list_refreshes_a_stale_feed_and_falls_back_to_the_cache(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert paperterm("fetch", "daily:2026-08-21").returncode == 0
    db = Paths.default().cache_db
    # Make the snapshot two hours old, then take the network away.
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE feeds SET fetched_at = datetime(fetched_at, '-2 hours')")
    monkeypatch.setenv("HF_ENDPOINT", closed_port())
    result = paperterm("list", "daily:2026-08-21")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == len(day_items("2026-08-21"))
    assert "offline — showing daily 2026-08-21 cached 2 h ago" in result.stderr


def test_each_feed_kind_from_the_command_line(server: str) -> None:
    result = paperterm(
        "fetch", "daily", "weekly:2026-W34", "monthly:2026-06", "search:llama 3 herd"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("daily 2026-08-21: 17 papers")
    # 619 items in June 2026, one paper listed on two days: 618 papers.
    assert lines[2].startswith("monthly 2026-06: 618 papers")
    assert lines[3].startswith("search “llama 3 herd”: 11 papers")
    latest = paperterm("list", "daily", "--offline")
    assert titles(latest.stdout) == [
        " ".join(i["paper"]["title"].split()) for i in day_items("2026-08-21")
    ]


def test_list_json_has_the_documented_fields(server: str) -> None:
    result = paperterm("list", "daily:2026-08-21", "--json", "--limit", "3")
    papers = json.loads(result.stdout)
    assert len(papers) == 3
    assert set(papers[0]) >= JSON_FIELDS
    first = day_items("2026-08-21")[0]["paper"]
    assert papers[0]["id"] == first["id"]
    assert papers[0]["authors"] == [a["name"] for a in first["authors"]]
    assert papers[0]["feed_day"] == "2026-08-21"
    assert papers[0]["url"] == f"https://huggingface.co/papers/{first['id']}"


def test_fetch_failure_is_one_line_and_exit_1(server: str, fake: FakeHF) -> None:
    fake.scenario = "html"
    result = paperterm("fetch", "daily:2026-08-21")
    assert result.returncode == 1
    assert result.stderr == (
        "paperterm: error: daily:2026-08-21: not a JSON feed (got text/html) — captive portal or proxy?\n"
    )


def test_list_of_an_uncached_feed_offline_fails_clearly(offline: None) -> None:
    result = paperterm("list", "daily:2026-08-21")
    assert result.returncode == 1
    assert result.stderr.startswith("paperterm: error: no cached copy of daily:2026-08-21")
    assert paperterm("list", "daily", "--offline").returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "bogus"], "unknown feed 'bogus'"),
        (["list", "--limit", "0"], "positive number"),
        (["frobnicate"], "invalid choice"),
        (["list", "daily:2026-02-30"], "bad date for daily"),
        (["--feed", "bogus"], "unknown feed 'bogus'"),
        (["--feed"], "expected one argument"),
        (["--offline", "--frobnicate"], "unrecognized arguments"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = paperterm(*args)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


READER_ARGV = [
    [],
    ["--offline"],
    ["--debug", "--offline"],
    ["--feed", "monthly:2026-06"],
    ["--feed=weekly", "--theme", "paperterm-light"],
    ["--theme=nord", "--offline", "--feed", "search:diffusion models"],
]
NOT_THE_READERS = [
    ["list"],
    ["--offline", "list"],
    ["--feed", "trending", "fetch"],
    ["--fe", "monthly"],  # argparse takes the abbreviation; the quick reading leaves it
    ["--feed", "bogus"],
    ["--feed"],
    ["--feed", "--offline"],
    ["--help"],
    ["--version"],
    ["-h"],
]


@pytest.mark.parametrize("argv", READER_ARGV)
def test_the_readers_options_are_read_as_the_full_parser_reads_them(argv: list[str]) -> None:
    quick = reader_arguments(argv)
    assert quick is not None
    full = vars(build_parser().parse_args(argv))
    assert vars(quick) == {key: full[key] for key in vars(quick)}
    assert full["command"] is None


@pytest.mark.parametrize("argv", NOT_THE_READERS)
def test_anything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    assert reader_arguments(argv) is None


def test_the_reader_starts_without_the_parser_or_the_subcommands() -> None:
    probe = (
        "import sys\n"
        "import paperterm.cli as cli\n"
        "cli._reader = lambda *a: print(sorted(m for m in sys.modules if m == 'argparse'"
        " or m.startswith('paperterm.cli.'))) or 0\n"
        "raise SystemExit(cli.main(['--offline']))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['paperterm.cli.output']"


def test_malformed_hf_endpoint_is_a_clear_error() -> None:
    result = paperterm("list", env={"HF_ENDPOINT": "huggingface.co"})
    assert result.returncode == 1
    assert result.stderr.startswith(
        "paperterm: error: HF_ENDPOINT='huggingface.co' is not an http(s) URL"
    )


def test_paths_and_version() -> None:
    paths = Paths.default()
    result = paperterm("paths")
    assert result.stdout.splitlines() == [
        f"config  {paths.config_file}",
        f"state   {paths.state_file}",
        f"cache   {paths.cache_db}",
    ]
    assert paperterm("--version").stdout.startswith("paperterm ")


def test_output_survives_a_non_utf8_terminal(offline: None) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "paperterm", "list"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        timeout=60,
    )
    assert result.returncode == 0 and b"?" in result.stdout


def test_a_closed_pipe_is_not_an_error(offline: None) -> None:
    shell = f"{sys.executable} -m paperterm list | head -n 1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=60
    )
    assert "error" not in result.stderr and len(result.stdout.splitlines()) == 1


def test_a_damaged_cache_is_rebuilt_with_a_notice(server: str) -> None:
    db = Paths.default().cache_db
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"garbage" * 100)
    result = paperterm("fetch")
    assert result.returncode == 0
    assert "paperterm: cache was damaged" in result.stderr and "corrupt-" in result.stderr
    assert paperterm("list", "--offline").returncode == 0
