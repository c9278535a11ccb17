"""`paperterm export` and `paperterm import`: bookmarks to citation files and back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from paperterm.cli.output import Failure, query_warnings
from paperterm.service import EXPORT_FORMATS, IMPORT_FORMATS, ExportFormat, PaperService


def add_parsers(commands: argparse._SubParsersAction[Any]) -> None:
    out = commands.add_parser("export", help="export bookmarks (stdout by default)")
    out.add_argument(
        "--format",
        required=True,
        choices=EXPORT_FORMATS,
        metavar="FORMAT",
        help="one of: " + ", ".join(EXPORT_FORMATS),
    )
    out.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE (- for stdout)"
    )
    out.add_argument("--force", action="store_true", help="replace FILE if it exists")
    out.add_argument("--tag", metavar="TAG", help="only bookmarks with this tag")
    out.add_argument("--filter", metavar="QUERY", help="only bookmarks matching QUERY")

    into = commands.add_parser("import", help="merge bookmarks from a file")
    into.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="a paperterm JSON backup, or BibTeX, RIS or CSL-JSON with arXiv ids",
    )
    into.add_argument(
        "--format",
        choices=IMPORT_FORMATS,
        metavar="FORMAT",
        help="read FILE as one of: " + ", ".join(IMPORT_FORMATS) + " (default: by its content)",
    )


def run(service: PaperService, args: argparse.Namespace) -> list[str]:
    """Run `export` or `import`; returns lines for stderr (notices)."""
    service.load_state()
    if service.triage.unreadable:  # a FIFO, a directory, no permission ...
        raise Failure(service.triage.unreadable)
    return _export(service, args) if args.command == "export" else _import(service, args)


def _export(service: PaperService, args: argparse.Namespace) -> list[str]:
    from paperterm.service.exchange import TransferError

    fmt: ExportFormat = args.format
    try:
        done = service.exchange.render(fmt, tag=args.tag, query=args.filter)
        notes = query_warnings(args.filter, done.errors)
        if done.incomplete:
            notes.append(
                f"left out {done.incomplete} bookmark(s) stored without details; "
                "`paperterm fetch` fills them in"
            )
        if done.count == 0:
            notes.append("no bookmarks to export: wrote an empty document")
        if args.output is None or str(args.output) == "-":
            sys.stdout.write(done.text)
            return notes
        written = service.exchange.write(args.output, done.data(fmt), force=args.force)
    except TransferError as exc:
        raise Failure(str(exc)) from None
    noun = "bookmark" if done.count == 1 else "bookmarks"
    return [*notes, f"exported {done.count} {noun} to {written}"]


def _import(service: PaperService, args: argparse.Namespace) -> list[str]:
    from paperterm.service.exchange import TransferError

    try:
        result = service.exchange.import_file(args.file, fmt=args.format)
    except TransferError as exc:
        raise Failure(str(exc)) from None
    print(f"{args.file}: {result.summary} ({result.format})")
    problem = service.triage.problem
    if problem:
        raise Failure(problem)
    return result.skip_lines
