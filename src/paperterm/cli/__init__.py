"""Command line: the reader by default, plus headless subcommands for scripts.

Exit codes: 0 ok, 1 runtime failure (network, disk), 2 usage. Failures are one line on
stderr; ``--debug`` shows the traceback of an unexpected error. Every subcommand is a thin
face over `paperterm.service`: `feeds` (fetch, list), `bookmarks` (bookmarks, bookmark, read,
unread), `transfer` (export, import), `view` (a paper's full text), `setup` (paths, config),
`publish` (atom, digest) and `status` (a status-bar line; `paperterm.__main__` answers it without
this module when the tally is current).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import replace
from typing import NoReturn

from paperterm import __version__, resume_collection
from paperterm.cli import bookmarks, feeds, publish, setup, status, transfer, view
from paperterm.cli.output import Failure, GuardedStdout, StdoutFailed, UsageError, error, note
from paperterm.config import (
    EndpointError,
    Settings,
    endpoint_warning,
    load_settings,
    resolve_endpoint,
)
from paperterm.models import FeedSpec, FeedSpecError
from paperterm.paths import Paths
from paperterm.service import CacheBusy, CacheWriteError, FetchError, PaperService, UnknownSearch

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="paperterm", description="Read the Hugging Face Papers feed in a terminal."
    )
    parser.add_argument("--version", action="version", version=f"paperterm {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    parser.add_argument("--feed", type=_feed, dest="start_feed", help="start on this FEED")
    parser.add_argument(
        "--offline", action="store_true", dest="offline_everywhere", help="never touch the network"
    )
    parser.add_argument("--theme", metavar="NAME", help="use this theme (and remember it)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    feeds.add_parsers(commands, _feed)
    setup.add_parsers(commands)
    bookmarks.add_parsers(commands)
    transfer.add_parsers(commands)
    status.add_parsers(commands)
    publish.add_parsers(commands, feeds.positive)
    view.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``paperterm`` script."""
    if sys.stdout is None:  # started with stdout closed (>&-)
        error("standard output is closed; nothing can be printed")
        return EXIT_FAILURE
    _tolerant_streams()
    stdout = sys.stdout
    sys.stdout = GuardedStdout(stdout)
    try:
        code = _main(argv)
        sys.stdout.flush()
        return code
    except StdoutFailed as exc:
        error(f"could not write to standard output: {exc}")
        _silence_stdout()
        return EXIT_FAILURE
    except BrokenPipeError:
        # `paperterm list | head`: the reader went away, which is not an error.
        _silence_stdout()
        return EXIT_OK
    finally:
        sys.stdout = stdout


def _silence_stdout() -> None:
    # What is still buffered can never be written: drop it, or the interpreter reports the
    # failure again at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except (OSError, ValueError):
        pass


def _main(argv: Sequence[str] | None) -> int:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        args = build_parser().parse_args(argv)
        return run(args)
    except UsageError as exc:
        error(f"{exc} (see paperterm --help)")
        return EXIT_USAGE
    except Failure as exc:
        error(str(exc))
        return EXIT_USAGE if exc.usage else EXIT_FAILURE
    except (FetchError, CacheWriteError, EndpointError) as exc:
        error(str(exc))
        return EXIT_FAILURE
    except UnknownSearch as exc:
        error(str(exc))
        return EXIT_USAGE
    except CacheBusy as exc:
        error(f"{exc}; try again in a moment")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except (BrokenPipeError, StdoutFailed):
        raise
    except Exception as exc:
        if debug:
            traceback.print_exc()
        error(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")
        return EXIT_FAILURE


def run(args: argparse.Namespace) -> int:
    command = args.command or "reader"
    if command != "reader":  # the reader resumes it at its first frame
        resume_collection()
    paths = Paths.default()
    if command == "paths":
        return setup.print_paths(paths)
    if command == "config":
        return setup.check_config(paths, args)
    settings, problems = load_settings(paths.config_file)
    if command != "reader":  # the reader shows them as notifications
        for problem in problems:
            note(problem)
    offline = bool(args.offline_everywhere or getattr(args, "offline", False))
    endpoint = resolve_endpoint(settings.endpoint)
    warning = endpoint_warning(endpoint)
    if warning and not offline:
        note(warning)
    service = PaperService(
        paths,
        endpoint=endpoint,
        max_age=settings.refresh_max_age,
        state_file=settings.state_file,
        interactive=command == "reader",
        searches=settings.searches,
    )
    try:
        if command == "reader":
            return _reader(service, args, settings, problems)
        if command == "fetch":
            return asyncio.run(feeds.fetch(service, args.feeds or [FeedSpec("trending")]))
        if command == "list":
            spec = args.feed or args.start_feed or settings.default_feed
            return asyncio.run(feeds.list_feed(service, spec, args, offline=offline))
        if command == "atom":
            return asyncio.run(
                publish.run_atom(service, args, settings.default_feed, offline=offline)
            )
        if command == "digest":
            return asyncio.run(
                publish.run_digest(service, args, settings.default_feed, offline=offline)
            )
        if command == "status":
            return status.run(service, args, settings)
        if command == "view":
            return asyncio.run(view.run(service, args, offline))
        if command in ("export", "import"):
            lines = transfer.run(service, args)
        else:
            lines = asyncio.run(bookmarks.run(service, args, offline))
        for line in lines:
            note(line)
        return EXIT_OK
    finally:
        service.close()
        for notice in service.take_notices():
            note(notice)


def _reader(
    service: PaperService, args: argparse.Namespace, settings: Settings, problems: list[str]
) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the reader needs a terminal; for scripts use `paperterm list`")
    from paperterm.ui.app import PapertermApp  # Textual loads only for the reader

    if args.theme:
        settings = replace(settings, theme=args.theme)
    app = PapertermApp(
        service,
        start=args.start_feed,
        offline=args.offline_everywhere,
        settings=settings,
        problems=problems,
        config_file=service.paths.config_file,
    )
    if args.theme and app.theme != args.theme:
        raise UsageError(
            f"unknown theme {args.theme!r}; available: {', '.join(sorted(app.available_themes))}"
        )
    if args.theme:
        app.save_theme(args.theme)
    app.run()
    return app.return_code or EXIT_OK


def _feed(text: str) -> FeedSpec:
    try:
        return FeedSpec.parse(text)
    except FeedSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _tolerant_streams() -> None:
    # A non-UTF-8 terminal or pipe must not turn a paper title into a UnicodeEncodeError.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
