"""`paperterm atom`: a feed (optionally filtered) as an Atom 1.0 file for any feed reader;
`paperterm digest`: what is new since the last digest, for cron to mail (nothing new: no
output, exit 0)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperterm.cli.output import Failure, note
from paperterm.models import FeedSpec, FeedSpecError
from paperterm.service import DIGEST_FORMATS, PaperService

if TYPE_CHECKING:
    from paperterm.service.publish import Selection

# `paperterm.service.digest` and `.publish` load in the functions that use them: with the
# Atom writer and the digest renderers they cost the reader's start-up ~20 ms otherwise.

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

    digest = commands.add_parser(
        "digest", help="what is new since the last digest of the same name (for cron)"
    )
    digest.add_argument("feeds", nargs="*", metavar="FEED", help="default: the default feed")
    digest.add_argument(
        "--since", default="last", metavar="WHEN", help="last (default), 24h, 7d, 2w or a date"
    )
    digest.add_argument("--format", choices=DIGEST_FORMATS, default="text")
    digest.add_argument("--limit", type=positive, default=25, metavar="N", help="default 25")
    digest.add_argument("--name", metavar="NAME", help="which digest (default: its feeds)")
    digest.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    digest.add_argument("--offline", action="store_true", help="use the cache only")


async def selection(
    service: PaperService, text: str | None, default: FeedSpec, query: str | None, *, offline: bool
) -> Selection:
    """The papers a FEED argument and a --filter name, with their notes said on stderr."""
    from paperterm.service.publish import current, select

    try:
        spec = FeedSpec.parse(text) if text else default
    except FeedSpecError as exc:
        raise Failure(str(exc), usage=True) from None
    if spec.is_local and spec.kind != "saved":
        raise Failure(f"{spec}: ranked on this machine; use `paperterm list {spec}`", usage=True)
    view, notes = await current(service, spec, offline=offline)
    chosen = select(service, view, query or "")
    for line in (*notes, *chosen.problems):
        note(line)
    return chosen


async def run_atom(
    service: PaperService, args: argparse.Namespace, default: FeedSpec, *, offline: bool
) -> int:
    from paperterm.service.publish import atom

    chosen = await selection(service, args.feed, default, args.filter, offline=offline)
    data = atom(chosen, args.limit)
    emit(data, args.output)
    return EXIT_OK


def emit(data: bytes, output: Path | None) -> None:
    """Write `data` to standard output, or whole to `output`."""
    from paperterm.service.publish import OutputError, write_output

    if output is None or str(output) == "-":
        sys.stdout.write(data.decode("utf-8"))
        return
    try:
        write_output(output, data)
    except OutputError as exc:
        raise Failure(str(exc)) from None


async def run_digest(
    service: PaperService, args: argparse.Namespace, default: FeedSpec, *, offline: bool
) -> int:
    from paperterm.service.digest import DigestError, prepare, record, render_digest

    try:
        specs = [FeedSpec.parse(text) for text in args.feeds] or [default]
    except FeedSpecError as exc:
        raise Failure(str(exc), usage=True) from None
    if local := [spec for spec in specs if spec.is_local and spec.kind != "saved"]:
        raise Failure(f"{local[0]}: ranked on this machine, not a feed to digest", usage=True)
    name = args.name or "+".join(str(spec) for spec in specs)
    try:
        prepared = await prepare(
            service, specs, name=name, since=args.since, limit=args.limit, offline=offline
        )
    except DigestError as exc:
        raise Failure(str(exc), usage=True) from None
    for line in prepared.notes:
        note(line)
    if not prepared.digest.items:
        return EXIT_OK  # nothing new: no output, so cron sends no mail
    emit(render_digest(prepared.digest, args.format).encode("utf-8"), args.output)
    sys.stdout.flush()  # a failed write raises here, before anything is recorded as sent
    record(service, prepared)
    return EXIT_OK
