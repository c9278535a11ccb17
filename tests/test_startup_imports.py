"""What the reader's start-up loads: the `paperterm` script's path to the first frame imports
the command line and the reader, not the exporters, the digest and Atom writers, the query
engine's in-memory index or the prompts (each loads when its command or key is used)."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import paperterm.cli, paperterm.ui.app
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
)


def test_the_start_path_leaves_what_the_first_frame_does_not_use() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert "paperterm.ui.app" in loaded
    assert sorted(loaded.intersection(NOT_AT_START)) == []
