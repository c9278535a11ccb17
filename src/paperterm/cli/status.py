"""`paperterm status`: one line for a status bar, from the cache and the state only.

The quick path (`paperterm.__main__`, `paperterm.tally.quick`) answers without this module; this
is the full one, which also leaves the tally ready for the next call.
"""

from __future__ import annotations

import argparse
from typing import Any

from paperterm.cli.output import Failure
from paperterm.config import Settings
from paperterm.models import FeedSpec, FeedSpecError
from paperterm.service import PaperService
from paperterm.service.status import status_counts
from paperterm.tally import DEFAULT_FORMAT, FIELDS, BadFormat, render

EXIT_OK = 0


def add_parsers(commands: argparse._SubParsersAction[Any]) -> None:
    status = commands.add_parser("status", help="one line of counts for a status bar (tmux, i3 …)")
    status.add_argument(
        "--format",
        default=DEFAULT_FORMAT,
        metavar="TEMPLATE",
        help=f"default {DEFAULT_FORMAT!r}; fields: {', '.join('{' + f + '}' for f in FIELDS)}",
    )
    status.add_argument("--feed", default="", metavar="FEED", help="default: the default feed")


def run(service: PaperService, args: argparse.Namespace, settings: Settings) -> int:
    try:
        spec = FeedSpec.parse(args.feed) if args.feed.strip() else settings.default_feed
    except FeedSpecError as exc:
        raise Failure(str(exc), usage=True) from None
    counts = status_counts(service, spec, args.feed.strip())
    try:
        print(render(args.format, counts))
    except BadFormat as exc:
        raise Failure(f"--format: {exc}", usage=True) from None
    return EXIT_OK
