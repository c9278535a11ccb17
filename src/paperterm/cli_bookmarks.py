"""The state subcommands: `bookmarks`, `bookmark add|remove`, `read`, `unread`.

They share the reader's state file and its guarantees (atomic, locked, merged with a reader
running at the same time). IDs are arXiv ids or Hugging Face / arXiv paper URLs; every one is
checked before anything changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from paperterm.models import Bookmark, Paper, paper_id_from_ref
from paperterm.service import PaperService, display_paper
from paperterm.state import AddBookmark, MarkRead, MarkUnread, Operation, RemoveBookmark


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

    bookmark = commands.add_parser("bookmark", help="add or remove bookmarks")
    actions = bookmark.add_subparsers(dest="bookmark_action", metavar="ACTION", required=True)
    for name, text in (("add", "bookmark papers"), ("remove", "remove bookmarks")):
        action = actions.add_parser(name, help=text)
        action.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or paper URL")

    for name, text in (("read", "mark papers read"), ("unread", "mark papers unread")):
        marks = commands.add_parser(name, help=text)
        marks.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or paper URL")


async def run(service: PaperService, args: argparse.Namespace, offline: bool) -> list[str]:
    """Run a state subcommand; returns lines for stderr (notices)."""
    service.load_state()
    if args.command == "bookmarks":
        _print_bookmarks(service, args)
        return []
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


def _print_bookmarks(service: PaperService, args: argparse.Namespace) -> None:
    marks = service.state.state.bookmark_list(args.tag)
    if args.json:
        json.dump([bookmark_json(b) for b in marks], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    for bookmark in marks:
        tags = " ".join(f"#{tag}" for tag in bookmark.tags)
        title = display_paper(bookmark).title
        sys.stdout.write(
            f"{bookmark.added_at:%Y-%m-%d}  {bookmark.id:<10}  {title}{'  ' + tags if tags else ''}\n"
        )
