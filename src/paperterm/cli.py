"""Command line: the reader by default, plus headless subcommands for scripts.

Exit codes: 0 ok, 1 runtime failure (network, disk), 2 usage. Failures are one line on
stderr; ``--debug`` shows the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import replace
from typing import NoReturn, TextIO

from paperterm import __version__, cli_bookmarks
from paperterm.config import DEFAULT_CONFIG, Settings, load_settings
from paperterm.endpoint import EndpointError, FetchError, endpoint_warning, resolve_endpoint
from paperterm.models import FeedSpec, FeedSpecError, Paper
from paperterm.paths import Paths
from paperterm.service import CacheWriteError, FeedView, PaperService, describe_age

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

JSON_FIELDS = (
    "id",
    "title",
    "authors",
    "abstract",
    "upvotes",
    "comments",
    "feed_day",
    "published",
    "github",
    "stars",
    "project_page",
    "ai_summary",
    "ai_keywords",
    "organization",
    "submitter",
    "url",
    "fetched_at",
)


class UsageError(Exception):
    """Bad command-line input: exit 2."""


class Failure(Exception):
    """A runtime failure already phrased for the user: exit 1."""


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

    fetch = commands.add_parser("fetch", help="refresh feeds into the cache")
    fetch.add_argument("feeds", nargs="*", type=_feed, metavar="FEED", help="default: trending")

    listing = commands.add_parser("list", help="print a feed")
    listing.add_argument("feed", nargs="?", type=_feed, metavar="FEED", help="default: trending")
    listing.add_argument("--json", action="store_true", help="print a JSON array of papers")
    listing.add_argument("--limit", type=_positive, metavar="N", help="print at most N papers")
    listing.add_argument("--offline", action="store_true", help="use the cache only")
    listing.add_argument("--filter", metavar="QUERY", help="only papers matching QUERY, best first")

    commands.add_parser("paths", help="print where config, state and cache live")
    config = commands.add_parser("config", help="check config.toml, or print a commented default")
    config.add_argument("--default", action="store_true", help="print the default config file")
    cli_bookmarks.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``paperterm`` script."""
    _tolerant_streams()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        args = build_parser().parse_args(argv)
        return run(args)
    except UsageError as exc:
        _error(f"{exc} (see paperterm --help)")
        return EXIT_USAGE
    except cli_bookmarks.CommandError as exc:
        _error(str(exc))
        return EXIT_USAGE if exc.usage else EXIT_FAILURE
    except (Failure, FetchError, CacheWriteError, EndpointError) as exc:
        _error(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `paperterm list | head`: the reader went away, which is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if debug:
            traceback.print_exc()
        _error(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")
        return EXIT_FAILURE


def run(args: argparse.Namespace) -> int:
    command = args.command or "reader"
    paths = Paths.default()
    if command == "paths":
        return _paths(paths)
    if command == "config":
        return _config(paths, args)
    settings, problems = load_settings(paths.config_file)
    if command != "reader":  # the reader shows them as notifications
        for problem in problems:
            _note(problem)
    endpoint = resolve_endpoint(
        os.environ.get("HF_ENDPOINT", "").strip() or settings.endpoint or ""
    )
    warning = endpoint_warning(endpoint)
    if warning and not _offline(args):
        _note(warning)
    service = PaperService(
        paths, endpoint=endpoint, max_age=settings.refresh_max_age, state_file=settings.state_file
    )
    try:
        if command == "reader":
            return _reader(service, args, settings, problems)
        if command == "fetch":
            return asyncio.run(_fetch(service, args.feeds or [FeedSpec("trending")]))
        if command == "list":
            spec = args.feed or args.start_feed or settings.default_feed
            return asyncio.run(_list(service, spec, args))
        for line in asyncio.run(cli_bookmarks.run(service, args, _offline(args))):
            _note(line)
        return EXIT_OK
    finally:
        service.close()
        for notice in service.take_notices():
            _note(notice)


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


def _config(paths: Paths, args: argparse.Namespace) -> int:
    if args.default:
        sys.stdout.write(DEFAULT_CONFIG)
        return EXIT_OK
    settings, problems = load_settings(paths.config_file)
    if settings.keymap:
        from paperterm.ui.app import binding_ids  # the ids live with the bindings

        problems += [
            f"keymap: no binding with the id {name!r}"
            for name in sorted(set(settings.keymap) - binding_ids())
        ]
    exists = paths.config_file.exists()
    print(f"{paths.config_file}{'' if exists else ' (not there: every setting has its default)'}")
    for problem in problems:
        print(f"  {problem}")
    if exists and not problems:
        print("  no problems")
    return EXIT_FAILURE if problems else EXIT_OK


async def _fetch(service: PaperService, specs: Sequence[FeedSpec]) -> int:
    failed = 0
    service.load_state()
    completed = await service.complete_bookmarks()
    if completed:
        print(f"bookmarks: details filled in for {completed}")
    for spec in specs:
        try:
            outcome = await service.refresh(spec)
        except FetchError as exc:
            _error(f"{spec}: {exc}")
            failed += 1
            continue
        print(outcome.summary)
        if outcome.cache_error:
            _error(outcome.cache_error)
            failed += 1
    return EXIT_FAILURE if failed else EXIT_OK


async def _list(service: PaperService, spec: FeedSpec, args: argparse.Namespace) -> int:
    view = service.cached(spec)
    if not _offline(args) and service.is_stale(view):
        try:
            outcome = await service.refresh(spec)
        except FetchError as exc:
            _explain_fallback(service, view, str(exc))
            if view.origin == "none":
                return EXIT_FAILURE
        else:
            view = outcome.view
            if outcome.cache_error:
                _note(outcome.cache_error)
    elif view.origin == "sample":
        _note("sample feed (offline): nothing cached yet; run `paperterm fetch` when online")
    elif view.origin == "none":
        raise Failure(f"no cached copy of {spec} (offline)")
    papers = _filter(service, view.papers, args.filter) if args.filter else view.papers
    papers = papers[: args.limit] if args.limit else papers
    if args.json:
        _print_json(papers)
    else:
        _print_table(papers, sys.stdout)
    return EXIT_OK


def _filter(service: PaperService, papers: Sequence[Paper], text: str) -> Sequence[Paper]:
    from paperterm.query import PaperIndex, parse_query  # only `--filter` pays for the index
    from paperterm.transfer import context_for

    service.load_state()
    query = parse_query(text)
    for warning in cli_bookmarks.query_warnings(text, query.errors):
        _note(warning)
    today = service.clock().date()
    return PaperIndex(papers).search(query, context_for(service.state.state, today)).papers


def _explain_fallback(service: PaperService, view: FeedView, reason: str) -> None:
    if view.origin == "cache":
        _note(
            f"offline — showing {view.spec.label} cached {describe_age(service.age(view))} ({reason})"
        )
    elif view.origin == "sample":
        _note(f"sample feed (offline): nothing cached yet and {reason}")
    else:
        _error(f"no cached copy of {view.requested} and {reason}")


def _offline(args: argparse.Namespace) -> bool:
    return bool(args.offline_everywhere or getattr(args, "offline", False))


def _print_table(papers: Sequence[Paper], out: TextIO) -> None:
    for rank, paper in enumerate(papers, 1):
        out.write(f"{rank:>4}  ▲{paper.upvotes:<5} {paper.id:<10}  {paper.title}\n")


def _print_json(papers: Sequence[Paper]) -> None:
    rows = [
        {key: value for key, value in p.to_json().items() if key in JSON_FIELDS} for p in papers
    ]
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _paths(paths: Paths) -> int:
    print(f"config  {paths.config_file}")
    print(f"state   {paths.state_file}")
    print(f"cache   {paths.cache_db}")
    return EXIT_OK


def _feed(text: str) -> FeedSpec:
    try:
        return FeedSpec.parse(text)
    except FeedSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return int(text)


def _tolerant_streams() -> None:
    # A non-UTF-8 terminal or pipe must not turn a paper title into a UnicodeEncodeError.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def _note(message: str) -> None:
    print(f"paperterm: {message}", file=sys.stderr)


def _error(message: str) -> None:
    print(f"paperterm: error: {message}", file=sys.stderr)
