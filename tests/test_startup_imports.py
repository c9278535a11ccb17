"""What the reader's start-up loads: the `paperterm` script's path to the first frame imports
the command line and the reader, not the exporters, the digest and Atom writers, the query
engine's in-memory index, the prompts, the state's operations, ingestion or the browser
(each loads when its command, key or first use comes)."""

from __future__ import annotations

import json
import subprocess
import sys

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
NOT_AT_START = (
    "paperterm.exchange.atom",
    "paperterm.exchange.bibtex",
    "paperterm.exchange.digest",
    "paperterm.service.digest",
    "paperterm.service.publish",
    "paperterm.ui.screens.prompt",
    "paperterm.ui.screens.saved",
    "paperterm.query.index",
    "paperterm.library.ops",  # fourteen frozen classes, about 15 ms
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
