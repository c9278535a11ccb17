"""A new user's bad day: odd files where ours should be, a cache locked by another program, a
keymap that clashes, a huge theme, a full or closed stdout, messages that say what happened,
untitled bookmarks, emoji that terminals draw wider, and the feed day of old daily items.

Files we touch, each replaced by a FIFO, a directory or a socket (hazards.md style): every
command returns promptly with one line naming the path, and nothing the user saved is lost.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from appdata import NOW, build_app, fire_timers, make_service, paths_in, trending_papers, until
from fakehf import FakeHF, _json, closed_port, serve
from hf_data import day_items

from paperterm.config import check_endpoint
from paperterm.feed import FeedCache
from paperterm.keys import check_keymap
from paperterm.library import AddBookmark, StateStore
from paperterm.models import FeedSpec, Paper
from paperterm.paths import Paths
from paperterm.ui.themes import load_themes
from paperterm.ui.widgets.paper_list import PaperList


def paperterm(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paperterm", *args], capture_output=True,
                          text=True, timeout=60, input=stdin, env=dict(os.environ))  # fmt: skip


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port())


def make_odd(path: Path, kind: str) -> None:
    """Put a FIFO, a directory or a (bound) socket where a file should be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        # A socket's path must fit in 108 bytes, which a deep tmp_path does not: bind it
        # by its name from inside its directory.
        sock, cwd = socket.socket(socket.AF_UNIX), os.getcwd()
        os.chdir(path.parent)
        try:
            sock.bind(path.name)
        finally:
            os.chdir(cwd)
            sock.close()


def one_line_error(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and words in errors[0], result.stderr
    assert "Traceback" not in result.stderr


# -- 4. a FIFO (or worse) in place of a file we touch --------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "directory", "socket"])
@pytest.mark.parametrize("command", [["bookmarks"], ["read", "2501.00001"],
                                     ["bookmark", "add", "2501.00001"], ["export", "--format", "json"]])  # fmt: skip
def test_a_state_file_that_is_not_a_file(offline: None, kind: str, command: list[str]) -> None:
    make_odd(Paths.default().state_file, kind)
    one_line_error(paperterm(*command), f"is a {kind.replace('fifo', 'FIFO')}, not a regular file")


@pytest.mark.parametrize("where", ["journal", "journal.lock"])
def test_a_fifo_as_the_journal_is_refused_by_name(offline: None, where: str) -> None:
    state = Paths.default().state_file
    make_odd(state.with_name(f"state.toml.{where}"), "fifo")
    one_line_error(paperterm("read", "2501.00001"), f"state.toml.{where} is a FIFO")


def test_a_fifo_as_the_state_lock_keeps_the_change_in_the_journal(offline: None) -> None:
    state = Paths.default().state_file
    make_odd(state.with_name("state.toml.lock"), "fifo")
    result = paperterm("read", "2501.00001")
    assert result.returncode == 0, result.stderr
    assert "state.toml.lock is a FIFO, not a regular file" in result.stderr
    assert "the changes are safe in state.toml.journal" in result.stderr
    assert state.with_name("state.toml.journal").is_file()


def test_a_fifo_as_the_parse_cache_only_costs_time(offline: None) -> None:
    assert paperterm("--offline", "read", "2501.00001").returncode == 0
    cache = Paths.default().state_cache
    cache.unlink(missing_ok=True)
    make_odd(cache, "fifo")
    result = paperterm("bookmarks")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert paperterm("read", "2501.00002").returncode == 0


def test_a_fifo_as_the_config_file_is_named_and_defaults_used(offline: None) -> None:
    make_odd(Paths.default().config_file, "fifo")
    result = paperterm("list", "--offline")
    assert result.returncode == 0
    assert "config.toml: it is a FIFO, not a regular file (using defaults)" in result.stderr


def test_a_fifo_as_a_theme_is_skipped(tmp_path: Path) -> None:
    make_odd(tmp_path / "mine.toml", "fifo")
    loaded = load_themes(tmp_path)
    assert loaded.problems == ("theme mine.toml skipped: it is a FIFO, not a regular file",)


def test_a_fifo_as_the_feed_cache_works_without_it(offline: None) -> None:
    make_odd(Paths.default().cache_db, "fifo")
    result = paperterm("list", "--offline")
    assert result.returncode == 0, result.stderr
    assert "is a FIFO, not a regular file); working without it" in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_an_import_file_that_is_not_a_file(offline: None, tmp_path: Path, kind: str) -> None:
    make_odd(tmp_path / "in.bib", kind)
    one_line_error(paperterm("import", str(tmp_path / "in.bib")), "not a regular file")


def test_import_of_dev_zero_ends(offline: None) -> None:
    one_line_error(paperterm("import", "/dev/zero"), "character device")


# -- 3. export never replaces a device ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["FIFO", "character device"])
def test_export_force_never_replaces_anything_but_a_file(
    offline: None, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "out"
    if kind == "FIFO":
        os.mkfifo(target)
    else:
        try:  # a private copy of /dev/null
            os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("mknod needs privileges here")
    link = tmp_path / "link"
    link.symlink_to(target)
    for path in (target, link):
        result = paperterm("export", "--format", "json", "-o", str(path), "--force")
        one_line_error(result, f"is a {kind}: only a regular file is replaced")
    mode = os.stat(target).st_mode
    assert stat.S_ISFIFO(mode) if kind == "FIFO" else stat.S_ISCHR(mode)


def test_export_to_dash_is_stdout(offline: None, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "paperterm", "export", "--format", "json",
                             "-o", "-"], capture_output=True, text=True, cwd=tmp_path, timeout=60)  # fmt: skip
    assert result.returncode == 0 and json.loads(result.stdout)["bookmarks"] == []
    assert not (tmp_path / "-").exists()


# -- 5. a cache another program holds locked ---------------------------------------------------


class CacheHolder:
    """Another program in BEGIN EXCLUSIVE on the cache, in rollback-journal mode (what a
    `sqlite3` shell can do), until `release()`."""

    def __init__(self, path: Path) -> None:
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode = DELETE")
        db.close()
        self.process = subprocess.Popen(
            [sys.executable, "-c",
             "import sqlite3, sys\n"
             f"db = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
             "db.execute('BEGIN EXCLUSIVE')\n"
             "print('held', flush=True)\n"
             "sys.stdin.readline()\n"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "held"

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def seeded_cache(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cache = FeedCache(path)
    cache.store_feed(FeedSpec("trending"), FeedSpec("trending"), trending_papers()[:5], NOW)
    cache.close()


def test_a_locked_cache_is_one_line_from_the_cli(offline: None) -> None:
    path = Paths.default().cache_db
    seeded_cache(path)
    holder = CacheHolder(path)
    try:
        result = paperterm("list", "--offline")
    finally:
        holder.release()
    one_line_error(result, "is locked by another program; try again in a moment")
    assert paperterm("list", "--offline").returncode == 0  # and it was not moved aside


async def test_a_locked_cache_is_a_status_and_a_retry_in_the_reader(tmp_path: Path) -> None:
    app = build_app(tmp_path, offline=True)
    app.service.feeds.cache.close()
    holder = CacheHolder(paths_in(tmp_path).cache_db)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            reader = app.reader
            assert reader.status.status.freshness == "busy"
            assert reader.paper_list.papers == () and app.is_running
            fire_timers(app, 1.0)  # tried again while still locked: still busy, no crash
            await pilot.pause()
            assert reader.status.status.freshness == "busy"
            holder.release()
            fire_timers(app, 1.0)
            await until(pilot, lambda: len(reader.paper_list.papers) > 0)
            assert reader.status.status.freshness == "offline"
    finally:
        holder.release()


# -- 8. keymaps ----------------------------------------------------------------------------------


def test_keymap_clashes_are_reported_by_name_and_ignored() -> None:
    accepted, problems = check_keymap({"refresh": "j", "undo": "z", "toggle_bookmark": "z"})
    assert len(accepted) == 1 and set(accepted) <= {"undo", "toggle_bookmark"}  # one keeps z
    assert 'keymap: refresh = "j" is ignored: j is already cursor_down\'s key' in problems
    assert len(problems) == 2 and '"z" is ignored: z is already' in problems[1]


def test_paperterm_config_reports_a_clash(offline: None) -> None:
    config = Paths.default().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[keymap]\nrefresh = "j"\ntoggle_bookmark = "j"\nundo = "R R"\n')
    result = paperterm("config")
    assert result.returncode == 1
    assert "keymap: undo: expected keys" in result.stdout
    assert "is ignored: j is already" in result.stdout
    assert "no problems" not in result.stdout


async def test_help_and_start_show_the_keymap_as_bound(tmp_path: Path) -> None:
    from paperterm.config import Settings
    from paperterm.ui.screens.help import HelpScreen

    app = build_app(tmp_path, settings=Settings(keymap={"toggle_bookmark": "f", "refresh": "j"}))
    async with app.run_test(size=(120, 36)) as pilot:
        assert any('refresh = "j" is ignored' in n.message for n in app._notifications)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("Static").content)  # type: ignore[attr-defined]
        bookmark_line = next(line for line in text.splitlines() if "[toggle_bookmark]" in line)
        assert bookmark_line.split()[0] == "f"
        refresh_line = next(line for line in text.splitlines() if "[refresh]" in line)
        assert refresh_line.split()[0] == "r"


# -- 9. a theme with a huge value ------------------------------------------------------------


def test_a_huge_theme_is_skipped_quickly_with_a_short_message(tmp_path: Path) -> None:
    (tmp_path / "huge.toml").write_text('primary = "' + "x" * 10_000_000 + '"\n')
    (tmp_path / "odd.toml").write_text('primary = "' + "y" * 5_000 + '"\n')
    loaded = load_themes(tmp_path)
    assert loaded.problems[0] == "theme huge.toml skipped: larger than 64 KB"
    assert loaded.problems[1].startswith("theme odd.toml skipped: primary = 'yyy")
    assert all(len(problem) < 120 for problem in loaded.problems)


# -- 10. stdout that cannot be written -----------------------------------------------------------


def test_a_full_stdout_is_one_line_and_exit_1(offline: None) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "paperterm", "list"], stdout=full,
                                stderr=subprocess.PIPE, text=True, timeout=60)  # fmt: skip
    one_line_error(result, "could not write to standard output: No space left on device")
    assert "Exception ignored" not in result.stderr


def test_a_closed_stdout_is_one_line_and_exit_1(offline: None) -> None:
    shell = f"{sys.executable} -m paperterm list >&-"
    result = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=60)
    one_line_error(result, "standard output is closed")


# -- 11. messages that say what happened -----------------------------------------------------


async def test_a_fresh_feed_that_cannot_be_stored_is_still_shown(
    tmp_path: Path, fake: FakeHF, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(FeedCache, "store_feed", refuse)
    service = make_service(tmp_path, fake.transport())
    outcome = await service.feeds.refresh(FeedSpec.parse("daily:2026-08-21"))
    assert len(outcome.view.papers) == len(day_items("2026-08-21"))
    assert outcome.cache_error is not None and "readonly database" in outcome.cache_error


def test_list_prints_the_feed_and_says_the_cache_was_not_written(fake: FakeHF) -> None:
    blocker = Paths.default().cache_dir
    blocker.parent.mkdir(parents=True, exist_ok=True)
    with serve(fake) as url:
        env = {**os.environ, "HF_ENDPOINT": url}
        # The cache's directory is a file: nothing can be stored, the feed is still printed.
        blocker.write_text("not a directory")
        result = subprocess.run([sys.executable, "-m", "paperterm", "list", "daily:2026-08-21"],
                                capture_output=True, text=True, timeout=60, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(day_items("2026-08-21"))
    assert "cache unavailable" in result.stderr


async def test_a_feed_cut_at_the_paging_cap_says_the_server_has_more(
    tmp_path: Path, fake: FakeHF
) -> None:
    base = day_items("2026-08-21")

    def endless(path: str, params: dict[str, str]) -> object:
        page = int(params.get("p", "0"))
        items = []
        for i in range(100):
            item = copy.deepcopy(base[i % len(base)])
            item["paper"]["id"] = f"2608.{page:02d}{i:03d}"
            items.append(item)
        return _json(items)

    fake.hook = endless  # type: ignore[assignment]
    service = make_service(tmp_path, fake.transport())
    outcome = await service.feeds.refresh(FeedSpec.parse("daily:2026-08-21"))
    assert len(outcome.view.papers) == 500 and not outcome.view.complete
    assert "500 papers (the first 500; the server has more)" in outcome.summary
    assert not service.feeds.cached(FeedSpec.parse("daily:2026-08-21")).complete


async def test_fetching_twice_updates_nothing(tmp_path: Path, fake: FakeHF) -> None:
    service = make_service(tmp_path, fake.transport())
    spec = FeedSpec.parse("daily:2026-08-21")
    first = await service.feeds.refresh(spec)
    again = await service.feeds.refresh(spec)
    assert len(first.new_ids) == len(day_items("2026-08-21"))
    assert again.new_ids == () and again.updated == 0


def test_a_command_that_cannot_save_says_so_and_names_the_lock(offline: None) -> None:
    state = Paths.default().state_file
    state.with_name("state.toml.journal.lock").mkdir(parents=True)
    result = paperterm("read", "2501.00001")
    one_line_error(result, "state.toml.journal.lock is a directory, not a regular file")
    assert "nothing was saved" in result.stderr
    assert "retried" not in result.stderr


def test_an_endpoint_with_a_password_is_named_and_never_echoed() -> None:
    with pytest.raises(ValueError) as caught:
        check_endpoint("https://me:s3cret@hf-mirror.example", "HF_ENDPOINT")
    message = str(caught.value)
    assert "user name or password" in message and "s3cret" not in message
    assert "not an http(s) URL" not in message


# -- 12. untitled bookmarks --------------------------------------------------------------------


def test_an_untitled_bookmark_is_never_blank_and_a_fetch_fills_its_title(fake: FakeHF) -> None:
    paper = Paper.from_json({**trending_papers()[0].to_json(), "title": ""})
    store = StateStore(Paths.default().state_file)
    store.load()
    store.apply(AddBookmark(paper))
    listed = paperterm("bookmarks").stdout
    assert f"(untitled {paper.id})" in listed
    markdown = paperterm("export", "--format", "markdown").stdout
    assert f"[(untitled {paper.id})]" in markdown and "[]" not in markdown
    bibtex = paperterm("export", "--format", "bibtex").stdout
    assert f"title={{(untitled {paper.id})}}" in bibtex
    with serve(fake) as url:
        env = {**os.environ, "HF_ENDPOINT": url}
        subprocess.run([sys.executable, "-m", "paperterm", "fetch", "daily:2026-08-21"],
                       capture_output=True, text=True, timeout=60, env=env, check=True)  # fmt: skip
    assert trending_papers()[0].title in paperterm("bookmarks").stdout


# -- 13. emoji that terminals draw wider -----------------------------------------------------


def terminal_width(text: str) -> int:
    """Columns a terminal without emoji sequences gives `text` (wcwidth's rules)."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufe0e\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


async def test_emoji_sequences_never_make_a_row_too_wide(tmp_path: Path) -> None:
    from paperterm.records import replace

    odd = "Family 👨\u200d👩\u200d👧 hearts ❤️❤️ thumbs 👍🏽👍🏿 flag 🏳️\u200d🌈 end"
    papers = [replace(p, title=odd) if i == 0 else p for i, p in enumerate(trending_papers())]
    service = make_service(tmp_path)
    service.feeds.cache.store_feed(FeedSpec("trending"), FeedSpec("trending"), papers, NOW)
    from appdata import reader_app

    app = reader_app(service)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        plist = app.reader.query_one(PaperList)
        strip = plist.render_line(0)
        assert "\u200d" not in strip.text and "\ufe0f" not in strip.text
        assert terminal_width(strip.text) == plist.scrollable_content_region.width
        detail = str(app.reader.query_one("#detail-text").content)  # type: ignore[attr-defined]
        assert "\u200d" not in detail and "👨 hearts" in detail


# -- 14. the feed day of daily items that do not say ---------------------------------------------


async def test_daily_items_without_a_feed_day_take_the_day_asked_for(
    tmp_path: Path, fake: FakeHF
) -> None:
    day = "2024-11-29"  # one item there has publishedAt 2024-11-28 and no submittedOnDailyAt
    service = make_service(tmp_path, fake.transport())
    outcome = await service.feeds.refresh(FeedSpec.parse(f"daily:{day}"))
    assert {str(p.feed_day) for p in outcome.view.papers} == {day}
