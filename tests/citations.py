"""Bookmarks whose citations are easy to get wrong: names with particles, suffixes, mononyms
and organisations, titles with the characters formats escape; and the real tools that read
our files back (pandoc from the pypandoc-binary wheel)."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pypandoc

from paperterm.exchange.keys import keys_to_pin
from paperterm.models import Bookmark, Paper
from paperterm.records import replace

ADDED = dt.datetime(2026, 8, 21, 12, 30, 15, tzinfo=dt.UTC)
STYLE = Path(__file__).parent / "fixtures" / "paperterm-test.csl"

# (title, authors) as Hugging Face sends them: "Given Family".
NAMED = (
    ("Searching with R&B for $5 in {braces}", ("Hal Daumé III", "Mihaela van der Schaar")),
    ("Agents with 100% of the budget", ("Kwai Keye Team",)),
    ("A study of dreams", ("Martin Luther King, Jr.", "Single")),
    ("Capitals kept", ("Mark Van der Merwe", "Juan de la Cruz Jr.")),
    ("Prefill & decode: a_b", ("Ludwig van Beethoven",)),
)


def named_bookmarks() -> list[Bookmark]:
    """One bookmark per `NAMED` title, keys pinned, ids 2401.10000 on."""
    marks = [
        Bookmark(
            Paper(f"2401.{10000 + i}", title, authors, "", published=dt.date(2024, 1, 2 + i)),
            ADDED,
        )
        for i, (title, authors) in enumerate(NAMED)
    ]
    return pinned(marks)


def pinned(marks: Sequence[Bookmark]) -> list[Bookmark]:
    """`marks` with the keys an export pins."""
    pins = keys_to_pin(marks)
    return [replace(b, cite_key=pins.get(b.id, b.cite_key)) for b in marks]


def pandoc(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """pandoc itself, as shipped by pypandoc-binary."""
    command = [pypandoc.get_pandoc_path(), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def cite_all(
    bibliography: Path, keys: Sequence[str], tmp: Path
) -> subprocess.CompletedProcess[str]:
    """A document citing every key, rendered with ``--citeproc`` against `bibliography` in the
    test style (no case changes, particles not demoted): one pandoc run for all keys."""
    document = tmp / "cite-all.md"
    document.write_text("[" + "; ".join(f"@{k}" for k in keys) + "]\n", "utf-8")
    return pandoc(document, "--citeproc", "--csl", STYLE, "--bibliography", bibliography,
                  "-t", "plain", "--wrap=none")  # fmt: skip
