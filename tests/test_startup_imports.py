"""What the reader's start-up loads: the `paperterm` script's path to the first frame imports
the command line and the reader, not the exporters, the digest and Atom writers, the query
engine's in-memory index, the prompts, the state's operations, ingestion or the browser
(each loads when its command, key or first use comes). And the cyclic collector, paused by
the script while start-up makes its long-lived objects, runs again from the first frame (the
reader) or the command itself."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from appdata import build_app
from ptyrun import run_on_pty

from paperterm import cli, pause_collection

PROBE = """
import json, sys, tempfile
from pathlib import Path
import paperterm.cli, paperterm.ui.app, paperterm.service.triage
from paperterm.library import StateStore
with tempfile.TemporaryDirectory() as home:  # a state file and no journal, as after a fold
    (Path(home) / "state.toml").write_text("schema_version = 1")
    assert StateStore(Path(home) / "state.toml").load() == ()
print(json.dumps(sorted(m for m in sys.modules if m.startswith("paperterm"))))
"""
# The reader's own first frame, in a real terminal: what was loaded and made when it was drawn.
FIRST_FRAME = """
import dataclasses, json, os, sys
made, process = [], dataclasses._process_class
def making(cls, init, repr, eq, order, unsafe_hash, frozen, *args):
    if frozen:
        made.append(f"{cls.__module__}.{cls.__qualname__}")
    return process(cls, init, repr, eq, order, unsafe_hash, frozen, *args)
dataclasses._process_class = making
import textual.drivers.linux_driver as driver
from textual._context import active_app
write = driver.LinuxDriver.write
def drawn(self, data):
    write(self, data)
    if "trending" in data and len(data) > 2000:  # the list, the status line, the keys
        widgets = [type(w).__name__ for w in active_app.get().screen.walk_children()]
        with open(sys.argv[1], "w") as out:
            dataclasses = [name for name in made if name.startswith("paperterm.")]
            out.write(json.dumps({"modules": sorted(sys.modules), "widgets": widgets,
                                  "dataclasses": dataclasses}))
        os._exit(0)
driver.LinuxDriver.write = drawn
from paperterm.__main__ import main
main(["--offline"])
"""
NOT_BEFORE_THE_FIRST_FRAME = (
    "argparse",  # a bare `paperterm` reads its options itself
    "paperterm.cli.parser",
    "paperterm.cli.feeds",
    "paperterm.ui.screens.help",
    "paperterm.feed.searchindex",  # loaded with the first search (or store)
    "tomli_w",  # with the first write of the state
    "textual.widgets._footer",  # the key line is one widget
)
NOT_AT_START = (
    "paperterm.exchange.atom",
    "paperterm.exchange.bibtex",
    "paperterm.exchange.digest",
    "paperterm.service.digest",
    "paperterm.service.publish",
    "paperterm.ui.screens.prompt",
    "paperterm.ui.screens.saved",
    "paperterm.query.index",
    "paperterm.library.ops",  # the fourteen operations: no change is made at start
    "paperterm.library.codec",
    "paperterm.feed.ingest",
    "paperterm.feed.sample",
    "paperterm.feed.linked",
    "paperterm.links",
    "paperterm.service.updates",
)


def test_the_start_path_leaves_what_the_first_frame_does_not_use() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert "paperterm.ui.app" in loaded
    assert sorted(loaded.intersection(NOT_AT_START)) == []


def test_the_first_frame_is_drawn_without_the_parser_the_help_or_the_footer(tmp_path: Path) -> None:
    out = tmp_path / "modules.json"
    env = {**os.environ, "TERM": "xterm-256color", "HF_ENDPOINT": "http://127.0.0.1:9"}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name)
    program = [sys.executable, "-c", FIRST_FRAME, str(out)]
    run_on_pty(program, env, seconds=60)  # until the probe ends the reader
    assert out.exists(), "the reader drew no first frame"
    drawn = json.loads(out.read_text())
    loaded, widgets = set(drawn["modules"]), drawn["widgets"]
    assert sorted(loaded.intersection(NOT_BEFORE_THE_FIRST_FRAME)) == []
    assert {"PaperList", "DetailPane", "StatusLine", "KeyBar"} <= set(widgets)
    assert "FilterBar" not in widgets and "Footer" not in widgets  # made when first used
    assert widgets.count("Static") == 1  # the details' text: the status line is one widget
    # Its values are records, made in C: a frozen dataclass compiles six methods at every
    # start, half a millisecond (the 28 records made here were 14 ms of it).
    assert drawn["dataclasses"] == []


@contextmanager
def collection_paused() -> Iterator[None]:
    """As the `paperterm` script starts: the cyclic collector paused (`pause_collection`);
    afterwards this process collects as before, nothing of it left frozen."""
    pause_collection()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


async def test_the_reader_resumes_collecting_garbage_at_its_first_frame(tmp_path: Path) -> None:
    with collection_paused():
        app = build_app(tmp_path)
        async with app.run_test(size=(120, 36)) as pilot:
            assert not gc.isenabled()  # composing and laying out the first screen
            await pilot.pause()
            assert gc.isenabled() and gc.get_freeze_count() > 0


def test_a_command_resumes_collecting_garbage_before_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name))
    with collection_paused():
        assert cli.main(["paths"]) == 0 and gc.isenabled()
    assert "state" in capsys.readouterr().out


# A filtered `list`, answered from the persistent index: what it loaded once it printed.
FILTERED_LIST = """
import json, sys
from paperterm import cli
try:
    code = cli.main(["list", "trending", "--offline", "--filter", "difusion modle"])
finally:
    with open(sys.argv[1], "w") as out:
        json.dump(sorted(sys.modules), out)
raise SystemExit(code)
"""
NOT_FOR_A_FILTERED_LIST = (
    "rapidfuzz",  # the typo look-up reads the stored rows itself (10 ms to load)
    "hashlib",  # the scope's key is Python's own hash
    "dataclasses",
    "paperterm.query.index",  # the in-memory index
    "paperterm.query.highlight",
)


def test_a_filtered_list_loads_no_fuzzy_matcher_or_in_memory_index(tmp_path: Path) -> None:
    from hf_data import NOW, fixture_papers

    from paperterm.feed import FeedCache
    from paperterm.models import FeedSpec

    env = {**os.environ, "HF_ENDPOINT": "http://127.0.0.1:9"}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name)
    cache = FeedCache(tmp_path / "XDG_CACHE_HOME" / "paperterm" / "cache.sqlite3")
    trending = FeedSpec("trending")
    cache.store_feed(trending, trending, fixture_papers(), NOW)
    cache.close()
    modules = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", FILTERED_LIST, str(modules)],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "iffusion" in done.stdout or "odel" in done.stdout  # the typos were matched
    loaded = set(json.loads(modules.read_text()))
    assert "paperterm.feed.searchquery" in loaded  # answered by the persistent index
    assert sorted(loaded.intersection(NOT_FOR_A_FILTERED_LIST)) == []


WARMED = """
import json, sys
from pathlib import Path
from paperterm.feed import FeedCache
cache = FeedCache(Path(sys.argv[1]))
assert cache.index.ready(warm=True)
print(json.dumps(sorted(sys.modules)))
"""


def test_warming_the_index_loads_what_the_first_result_draws_with(tmp_path: Path) -> None:
    # The reader warms the index in a thread once its first list is drawn: the first result's
    # title highlights then find their matcher loaded, not loaded on the UI thread.
    from hf_data import NOW, fixture_papers

    from paperterm.feed import FeedCache
    from paperterm.models import FeedSpec

    cache = FeedCache(tmp_path / "cache.sqlite3")
    trending = FeedSpec("trending")
    cache.store_feed(trending, trending, fixture_papers(), NOW)
    cache.close()
    done = subprocess.run(
        [sys.executable, "-c", WARMED, str(tmp_path / "cache.sqlite3")],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    loaded = set(json.loads(done.stdout))
    assert {"paperterm.feed.searchquery", "paperterm.query.highlight", "rapidfuzz"} <= loaded
