"""The command line's grammar: the options and every subcommand's (each subcommand module
loads with it). A bare ``paperterm`` starting the reader does not load it
(`paperterm.cli.reader_arguments`)."""

from __future__ import annotations

import argparse
from typing import NoReturn

from paperterm import __version__
from paperterm.cli.output import UsageError
from paperterm.models import FeedSpec, FeedSpecError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    from paperterm.cli import bookmarks, feeds, publish, setup, status, transfer, view

    parser = _Parser(
        prog="paperterm", description="Read the Hugging Face Papers feed in a terminal."
    )
    parser.add_argument("--version", action="version", version=f"paperterm {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    parser.add_argument("--feed", type=feed_argument, dest="start_feed", help="start on this FEED")
    parser.add_argument(
        "--offline", action="store_true", dest="offline_everywhere", help="never touch the network"
    )
    parser.add_argument("--theme", metavar="NAME", help="use this theme (and remember it)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    feeds.add_parsers(commands, feed_argument)
    setup.add_parsers(commands)
    bookmarks.add_parsers(commands)
    transfer.add_parsers(commands)
    status.add_parsers(commands)
    publish.add_parsers(commands, feeds.positive)
    view.add_parsers(commands)
    return parser


def feed_argument(text: str) -> FeedSpec:
    try:
        return FeedSpec.parse(text)
    except FeedSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
