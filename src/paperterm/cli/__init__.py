"""Command line: the reader by default, plus headless subcommands for scripts.

A bare ``paperterm`` reads its few options itself (`reader_arguments`); everything else goes
to the full grammar in `paperterm.cli.parser`, which loads the subcommands' modules.

Exit codes: 0 ok, 1 runtime failure (network, disk), 2 usage. Failures are one line on
stderr; ``--debug`` shows the traceback of an unexpected error. Every subcommand is a thin
face over `paperterm.service`: `feeds` (fetch, list), `bookmarks` (bookmarks, bookmark, read,
unread), `transfer` (export, import), `view` (a paper's full text), `setup` (paths, config),
`publish` (atom, digest) and `status` (a status-bar line; `paperterm.__main__` answers it without
this module when the tally is current).
"""

from __future__ import annotations

import asyncio
import os
import sys
import traceback
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from paperterm import resume_collection
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
from paperterm.records import replace
from paperterm.service import CacheBusy, CacheWriteError, FetchError, PaperService, UnknownSearch

if TYPE_CHECKING:
    import argparse

    Arguments = argparse.Namespace | SimpleNamespace

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
_READER_FLAGS = {"--offline": "offline_everywhere", "--debug": "debug"}
_READER_VALUES = ("--feed", "--theme")


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
        args = reader_arguments(sys.argv[1:] if argv is None else argv)
        if args is None:  # a subcommand, --help, or anything the full grammar must read
            from paperterm.cli.parser import build_parser

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


def reader_arguments(argv: Sequence[str]) -> Arguments | None:
    """What the full parser makes of `argv` when it only starts the reader: no subcommand, and
    only ``--offline``, ``--debug``, ``--feed FEED`` and ``--theme NAME`` (or ``--feed=FEED``),
    spelled out; None for anything else, a bad feed included, which the full parser reads and
    reports as ever. The reader is the start-up a user waits for, and argparse and the seven
    subcommand modules are about 5 ms of it."""
    args = SimpleNamespace(
        command=None, debug=False, offline_everywhere=False, start_feed=None, theme=None
    )
    rest = list(argv)
    while rest:
        word = rest.pop(0)
        name, equals, value = word.partition("=")
        if word in _READER_FLAGS:
            setattr(args, _READER_FLAGS[word], True)
            continue
        if name not in _READER_VALUES:
            return None
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        if name == "--theme":
            args.theme = value
            continue
        try:
            args.start_feed = FeedSpec.parse(value)
        except FeedSpecError:
            return None
    return args


def run(args: Arguments) -> int:
    command = args.command or "reader"
    if command != "reader":  # the reader resumes it at its first frame
        resume_collection()
    paths = Paths.default()
    if command in ("paths", "config"):
        from paperterm.cli import setup

        if command == "paths":
            return setup.print_paths(paths)
        return setup.check_config(paths, cast("argparse.Namespace", args))
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
        return _command(service, command, cast("argparse.Namespace", args), settings, offline)
    finally:
        service.close()
        for notice in service.take_notices():
            note(notice)


def _command(
    service: PaperService, command: str, args: argparse.Namespace, settings: Settings, offline: bool
) -> int:
    """A subcommand (read by the full parser, which loaded its module)."""
    from paperterm.cli import bookmarks, feeds, publish, status, transfer, view

    if command == "fetch":
        return asyncio.run(feeds.fetch(service, args.feeds or [FeedSpec("trending")]))
    if command == "list":
        spec = args.feed or args.start_feed or settings.default_feed
        return asyncio.run(feeds.list_feed(service, spec, args, offline=offline))
    if command == "atom":
        return asyncio.run(publish.run_atom(service, args, settings.default_feed, offline=offline))
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


def _reader(service: PaperService, args: Arguments, settings: Settings, problems: list[str]) -> int:
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


def _tolerant_streams() -> None:
    # A non-UTF-8 terminal or pipe must not turn a paper title into a UnicodeEncodeError.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
