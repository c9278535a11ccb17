"""`paperterm atom`: a feed (optionally filtered) as an Atom 1.0 file for any feed reader."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from paperterm.cli.output import Failure, note
from paperterm.models import FeedSpec, FeedSpecError
from paperterm.service import PaperService
from paperterm.service.publish import OutputError, Selection, atom, current, select, write_output

EXIT_OK = 0


def add_parsers(commands: argparse._SubParsersAction[Any], positive: Callable[[str], int]) -> None:
    feed = commands.add_parser("atom", help="write a feed as Atom 1.0, for other feed readers")
    feed.add_argument("feed", nargs="?", metavar="FEED", help="default: the default feed")
    feed.add_argument("--filter", metavar="QUERY", help="only papers matching QUERY, best first")
    feed.add_argument("--limit", type=positive, metavar="N", help="at most N entries")
    feed.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE (- for stdout)"
    )
    feed.add_argument("--offline", action="store_true", help="use the cache only")


async def selection(
    service: PaperService, text: str | None, default: FeedSpec, query: str | None, *, offline: bool
) -> Selection:
    """The papers a FEED argument and a --filter name, with their notes said on stderr."""
    try:
        spec = FeedSpec.parse(text) if text else default
    except FeedSpecError as exc:
        raise Failure(str(exc), usage=True) from None
    if spec.is_local:
        raise Failure(f"{spec}: ranked on this machine; use `paperterm list {spec}`", usage=True)
    view, notes = await current(service, spec, offline=offline)
    chosen = select(service, view, query or "")
    for line in (*notes, *chosen.problems):
        note(line)
    return chosen


async def run_atom(
    service: PaperService, args: argparse.Namespace, default: FeedSpec, *, offline: bool
) -> int:
    chosen = await selection(service, args.feed, default, args.filter, offline=offline)
    data = atom(chosen, args.limit)
    emit(data, args.output)
    return EXIT_OK


def emit(data: bytes, output: Path | None) -> None:
    """Write `data` to standard output, or whole to `output`."""
    if output is None or str(output) == "-":
        sys.stdout.write(data.decode("utf-8"))
        return
    try:
        write_output(output, data)
    except OutputError as exc:
        raise Failure(str(exc)) from None
