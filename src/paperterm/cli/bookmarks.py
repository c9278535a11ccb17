"""The triage subcommands: `bookmarks`, `bookmark add|remove`, `read`, `unread`.

They share the reader's state file and its guarantees (atomic, locked, merged with a reader
running at the same time). IDs are arXiv ids or Hugging Face / arXiv paper URLs; every one is
checked before anything changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paperterm.cli.output import Failure, query_warnings
from paperterm.models import Bookmark, Paper, paper_id_from_ref
from paperterm.service import PaperService

if TYPE_CHECKING:  # the state store loads with a command that uses it, not for `list`
    from paperterm.service.triage import Change


def add_parsers(commands: argparse._SubParsersAction[Any]) -> None:
    """Register the triage subcommands on the main parser."""
    listing = commands.add_parser("bookmarks", help="print the bookmarks")
    listing.add_argument("--json", action="store_true", help="print a JSON array of bookmarks")
    listing.add_argument("--tag", metavar="TAG", help="only bookmarks with this tag")
    listing.add_argument("--filter", metavar="QUERY", help="only bookmarks matching QUERY")
    listing.add_argument(
        "--updated", action="store_true", help="only bookmarks a later fetch brought news of"
    )

    bookmark = commands.add_parser("bookmark", help="add or remove bookmarks")
    actions = bookmark.add_subparsers(dest="bookmark_action", metavar="ACTION", required=True)
    for name, text in (("add", "bookmark papers"), ("remove", "remove bookmarks")):
        action = actions.add_parser(name, help=text)
        action.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or paper URL")

    for name, text in (("read", "mark papers read"), ("unread", "mark papers unread")):
        marks = commands.add_parser(name, help=text)
        marks.add_argument("ids", nargs="+", metavar="ID", help="arXiv id or paper URL")


async def run(service: PaperService, args: argparse.Namespace, offline: bool) -> list[str]:
    """Run a triage subcommand; returns lines for stderr (notices)."""
    service.load_state()
    if service.triage.unreadable:  # a FIFO, a directory, no permission ...
        raise Failure(service.triage.unreadable)
    if args.command == "bookmarks":
        return _print_bookmarks(service, args)
    triage = service.triage
    ids = parse_ids(args.ids)
    if args.command == "read":
        return _saved(service, [triage.mark_read(ids)])
    if args.command == "unread":
        return _saved(service, [triage.mark_unread(ids)])
    if args.bookmark_action == "remove":
        missing = [i for i in ids if not triage.state.is_bookmarked(i)]
        changes = [triage.remove_bookmark(i) for i in ids if i not in missing]
        return [f"{i} was not bookmarked" for i in missing] + _saved(service, changes)
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
        raise Failure(f"not an arXiv id or paper URL: {names}", usage=True)
    return tuple(dict.fromkeys(ids))


async def _add(service: PaperService, ids: tuple[str, ...], offline: bool) -> list[str]:
    triage = service.triage
    notes, changes = [], []
    for paper_id in ids:
        if triage.state.is_bookmarked(paper_id):
            notes.append(f"{paper_id} is already bookmarked")
            continue
        paper, reason = await service.feeds.find(paper_id, offline=offline)
        if paper is None:
            notes.append(
                f"{paper_id}: stored with its id only ({reason}); details are filled in later"
            )
            changes.append(triage.bookmark(Paper(paper_id, "", (), ""), incomplete=True))
        else:
            changes.append(triage.bookmark(paper))
    return notes + _saved(service, changes)


def _saved(service: PaperService, changes: Sequence[Change]) -> list[str]:
    """Say what changed, save it all at once, and fail if it could not be saved."""
    notices: list[str] = []
    for change in changes:
        notices.extend(change.notices)
        if change.changed:
            print(change.summary[:1].upper() + change.summary[1:])
    triage = service.triage
    if triage.dirty:
        notices.extend(triage.save())
    if triage.problem:
        raise Failure(triage.problem)
    return notices


def bookmark_json(bookmark: Bookmark) -> dict[str, object]:
    from paperterm.service.triage import display_paper

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
    from paperterm.service.triage import display_paper

    marks, errors = service.exchange.select(tag=args.tag, query=args.filter)
    news: dict[str, str] = {}
    if args.updated:
        from paperterm.service.updates import updates

        news = {paper_id: update.text for paper_id, update in updates(service).items()}
        marks = [bookmark for bookmark in marks if bookmark.id in news]
    if args.json:
        rows = [{**bookmark_json(b), **({"updated": news[b.id]} if news else {})} for b in marks]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return query_warnings(args.filter, errors)
    for bookmark in marks:
        tags = " ".join(f"#{tag}" for tag in bookmark.tags)
        title = display_paper(bookmark).title
        sys.stdout.write(
            f"{bookmark.added_at:%Y-%m-%d}  {bookmark.id:<10}  {title}{'  ' + tags if tags else ''}\n"
        )
        if bookmark.id in news:
            sys.stdout.write(f"{'':<24}{news[bookmark.id]}\n")
    return query_warnings(args.filter, errors)
