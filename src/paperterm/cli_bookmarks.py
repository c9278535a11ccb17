"""The state subcommands: `bookmarks`, `bookmark add|remove`, `read`, `unread`, `export`,
`import`.

They share the reader's state file and its guarantees (atomic, locked, merged with a reader
running at the same time). IDs are arXiv ids or Hugging Face / arXiv paper URLs; every one is
checked before anything changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperterm.formats import EXPORT_FORMATS, ExportFormat
from paperterm.models import Bookmark, Paper, paper_id_from_ref
from paperterm.service import PaperService, display_paper

if TYPE_CHECKING:  # the state store, query engine and exporters load with the command using them
    from paperterm.query import QueryError
    from paperterm.state import Operation


class CommandError(Exception):
    """A failure already phrased for the user; `usage` means exit 2, else exit 1."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def add_parsers(commands: argparse._SubParsersAction[Any]) -> None:
    """Register the state subcommands on the main parser."""
    listing = commands.add_parser("bookmarks", help="print the bookmarks")
    listing.add_argument("--json", action="store_true", help="print a JSON array of bookmarks")
    listing.add_argument("--tag", metavar="TAG", help="only bookmarks with this tag")
    listing.add_argument("--filter", metavar="QUERY", help="only bookmarks matching QUERY")

    bookmark = commands.add_parser("bookmark", help="add or remove bookmarks")
    actions = bookmark.add_subparsers(dest="bookmark_action", metavar="ACTION", required=True)
    for name, text in (("add", "bookmark papers"), ("remove", "remove bookmarks")):
        action = actions.add_parser(name, help=text)
        action.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or paper URL")

    for name, text in (("read", "mark papers read"), ("unread", "mark papers unread")):
        marks = commands.add_parser(name, help=text)
        marks.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or paper URL")

    out = commands.add_parser("export", help="export bookmarks (stdout by default)")
    out.add_argument(
        "--format",
        required=True,
        choices=EXPORT_FORMATS,
        metavar="FORMAT",
        help="one of: " + ", ".join(EXPORT_FORMATS),
    )
    out.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    out.add_argument("--force", action="store_true", help="replace FILE if it exists")
    out.add_argument("--tag", metavar="TAG", help="only bookmarks with this tag")
    out.add_argument("--filter", metavar="QUERY", help="only bookmarks matching QUERY")

    into = commands.add_parser("import", help="merge bookmarks from a file")
    into.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="a paperterm JSON backup, BibTeX or CSL-JSON with arXiv ids",
    )


async def run(service: PaperService, args: argparse.Namespace, offline: bool) -> list[str]:
    """Run a state subcommand; returns lines for stderr (notices)."""
    service.load_state()
    if args.command == "bookmarks":
        return _print_bookmarks(service, args)
    if args.command == "export":
        return _export(service, args)
    if args.command == "import":
        return _import(service, args)
    from paperterm.state import MarkRead, MarkUnread, RemoveBookmark

    ids = parse_ids(args.ids)
    if args.command in ("read", "unread"):
        op: Operation = MarkRead(ids) if args.command == "read" else MarkUnread(ids)
        return _apply(service, [op])
    if args.bookmark_action == "remove":
        missing = [i for i in ids if not service.state.state.is_bookmarked(i)]
        ops: list[Operation] = [RemoveBookmark(i) for i in ids if i not in missing]
        return [f"{i} was not bookmarked" for i in missing] + _apply(service, ops)
    return await _add(service, ids, offline)


def parse_ids(refs: Sequence[str]) -> tuple[str, ...]:
    """Versionless ids for `refs`, or a usage error naming every bad one."""
    ids: list[str] = []
    bad: list[str] = []
    for ref in refs:
        paper_id = paper_id_from_ref(ref)
        (ids if paper_id else bad).append(paper_id or ref)
    if bad:
        names = ", ".join(repr(b) for b in bad)
        raise CommandError(f"not an arXiv id or paper URL: {names}", usage=True)
    return tuple(dict.fromkeys(ids))


async def _add(service: PaperService, ids: tuple[str, ...], offline: bool) -> list[str]:
    from paperterm.state import AddBookmark

    notes, ops = [], []
    for paper_id in ids:
        if service.state.state.is_bookmarked(paper_id):
            notes.append(f"{paper_id} is already bookmarked")
            continue
        paper, reason = await service.find_paper(paper_id, offline=offline)
        if paper is None:
            notes.append(
                f"{paper_id}: stored with its id only ({reason}); details are filled in later"
            )
            ops.append(AddBookmark(Paper(paper_id, "", (), ""), incomplete=True))
        else:
            ops.append(AddBookmark(paper))
    return notes + _apply(service, ops)


def _apply(service: PaperService, ops: Sequence[Operation]) -> list[str]:
    notices: list[str] = []
    for op in ops:
        change = service.state.apply(op, save=False)
        notices.extend(change.notices)
        if change.changed:
            print(op.describe()[:1].upper() + op.describe()[1:])
    if service.state.dirty:
        notices.extend(service.state.sync())
    problem = service.state.problem
    if problem:
        raise CommandError(problem)
    return notices


def bookmark_json(bookmark: Bookmark) -> dict[str, object]:
    paper = display_paper(bookmark)
    return {
        "id": bookmark.id,
        "title": paper.title,
        "authors": list(paper.authors),
        "added_at": bookmark.added_at.isoformat().replace("+00:00", "Z"),
        "tags": list(bookmark.tags),
        "note": bookmark.note,
        "url": paper.url,
        "cite_key": bookmark.cite_key,
        "incomplete": bookmark.incomplete,
    }


def _print_bookmarks(service: PaperService, args: argparse.Namespace) -> list[str]:
    from paperterm.transfer import select_bookmarks

    today = service.clock().date()
    marks, errors = select_bookmarks(
        service.state.state, tag=args.tag, query=args.filter, today=today
    )
    if args.json:
        json.dump([bookmark_json(b) for b in marks], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return query_warnings(args.filter, errors)
    for bookmark in marks:
        tags = " ".join(f"#{tag}" for tag in bookmark.tags)
        title = display_paper(bookmark).title
        sys.stdout.write(
            f"{bookmark.added_at:%Y-%m-%d}  {bookmark.id:<10}  {title}{'  ' + tags if tags else ''}\n"
        )
    return query_warnings(args.filter, errors)


def query_warnings(query: str | None, errors: Sequence[QueryError]) -> list[str]:
    """One line per ignored term of a filter query."""
    return [
        f"ignored {query[e.start : e.end]!r} in the filter: {e.message}" for e in errors if query
    ]


def _export(service: PaperService, args: argparse.Namespace) -> list[str]:
    from paperterm.transfer import TransferError, encoded, render, write_file

    fmt: ExportFormat = args.format
    try:
        done = render(
            service.state, fmt, tag=args.tag, query=args.filter, today=service.clock().date()
        )
        notes = query_warnings(args.filter, done.errors)
        if done.incomplete:
            notes.append(
                f"left out {done.incomplete} bookmark(s) stored without details; "
                "`paperterm fetch` fills them in"
            )
        if done.count == 0:
            notes.append("no bookmarks to export: wrote an empty document")
        if args.output is None:
            sys.stdout.write(done.text)
            return notes
        written = write_file(args.output, encoded(done.text, fmt), force=args.force)
    except TransferError as exc:
        raise CommandError(str(exc)) from None
    noun = "bookmark" if done.count == 1 else "bookmarks"
    return [*notes, f"exported {done.count} {noun} to {written}"]


def _import(service: PaperService, args: argparse.Namespace) -> list[str]:
    from paperterm.transfer import TransferError, import_file

    try:
        result = import_file(service.state, args.file, now=service.clock())
    except TransferError as exc:
        raise CommandError(str(exc)) from None
    print(f"{args.file}: {result.summary} ({result.format})")
    problem = service.state.problem
    if problem:
        raise CommandError(problem)
    return [f"skipped: {reason}" for reason in result.reasons]
