"""`paperterm fetch` and `paperterm list`: feeds into the cache, and out as text or JSON; the
locally ranked ones (``for-you``, ``like:ID``) with their scores and reasons."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from paperterm.cli.output import Failure, error, note, query_warnings
from paperterm.models import FeedSpec, Paper, describe_age
from paperterm.service import FeedView, FetchError, PaperService

if TYPE_CHECKING:
    from paperterm.service.linked import Linked
    from paperterm.service.recommend import Recommended

EXIT_OK, EXIT_FAILURE = 0, 1

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


def add_parsers(commands: argparse._SubParsersAction[Any], feed: Callable[[str], FeedSpec]) -> None:
    fetch = commands.add_parser("fetch", help="refresh feeds into the cache")
    fetch.add_argument("feeds", nargs="*", type=feed, metavar="FEED", help="default: trending")

    listing = commands.add_parser("list", help="print a feed")
    listing.add_argument("feed", nargs="?", type=feed, metavar="FEED", help="default: trending")
    listing.add_argument("--json", action="store_true", help="print a JSON array of papers")
    listing.add_argument("--limit", type=positive, metavar="N", help="print at most N papers")
    listing.add_argument("--offline", action="store_true", help="use the cache only")
    listing.add_argument("--filter", metavar="QUERY", help="only papers matching QUERY, best first")


async def fetch(service: PaperService, specs: Sequence[FeedSpec]) -> int:
    failed = 0
    service.load_state()
    completed = await service.complete_bookmarks()
    if completed.filled:
        print(f"bookmarks: details filled in for {completed.filled}")
    if completed.not_on_hf:
        note(completed.not_on_hf_notice)
    for spec in specs:
        if spec.is_local:
            error(f"{spec}: ranked on this machine, nothing to fetch (use `paperterm list {spec}`)")
            failed += 1
            continue
        try:
            outcome = await service.feeds.refresh(spec)
        except FetchError as exc:
            error(f"{spec}: {exc}")
            failed += 1
            continue
        print(outcome.summary)
        if outcome.cache_error:
            error(f"{spec}: {outcome.cache_error}")
            failed += 1
    if not service.search.index_ready():
        # A cache from before the index, or one found damaged: a fetch is where indexing
        # belongs, not a search.
        service.search.rebuild_index()
        print("search index rebuilt")
    _keep_for_you(service)
    return EXIT_FAILURE if failed else EXIT_OK


def _keep_for_you(service: PaperService) -> None:
    """Build the For-you corpus when the cache has outgrown the one kept and For you is in use
    (a fetch is where indexing belongs, not the first ranking), in a process that goes on
    after this one."""
    cached = service.keep_for_you(detached=True)
    if cached:
        print(f"for you: learning from {cached} cached papers in the background")


async def list_feed(
    service: PaperService, spec: FeedSpec, args: argparse.Namespace, *, offline: bool
) -> int:
    if spec.kind == "saved":
        return _list_saved(service, spec, args)
    if spec.is_local:
        return _list_ranked(service, spec, args)
    feeds = service.feeds
    view = feeds.cached(spec)
    if not offline and feeds.is_stale(view):
        try:
            outcome = await feeds.refresh(spec)
        except FetchError as exc:
            _explain_fallback(service, view, str(exc))
            if view.origin == "none":
                return EXIT_FAILURE
        else:
            view = outcome.view
            if outcome.cache_error:
                note(f"{outcome.cache_error} (showing the fresh copy)")
    elif view.origin == "sample":
        note("sample feed (offline): nothing cached yet; run `paperterm fetch` when online")
    elif view.origin == "none":
        raise Failure(f"no cached copy of {spec} (offline)")
    if not view.complete:
        note(f"{view.spec.label}: {view.count_text}")
    papers = _filter(service, view.papers, args.filter) if args.filter else view.papers
    papers = papers[: args.limit] if args.limit else papers
    if args.json:
        _print_json(papers, service.citing.known(p.id for p in papers))
    else:
        _print_table(papers, sys.stdout)
    return EXIT_OK


def _list_saved(service: PaperService, spec: FeedSpec, args: argparse.Namespace) -> int:
    """A saved search over everything cached and bookmarked: offline, best first."""
    papers: Sequence[Paper] = service.saved.papers(spec.value or "")
    papers = _filter(service, papers, args.filter) if args.filter else papers
    papers = papers[: args.limit] if args.limit else papers
    if args.json:
        _print_json(papers)
    else:
        _print_table(papers, sys.stdout)
    return EXIT_OK


def _list_ranked(service: PaperService, spec: FeedSpec, args: argparse.Namespace) -> int:
    """For you or more like this: from the cache and the bookmarks, never the network."""
    service.load_state()
    ranked = service.recommend.ranked(spec)
    if ranked.note:
        note(ranked.note)
    papers = _filter(service, ranked.papers, args.filter) if args.filter else ranked.papers
    papers = papers[: args.limit] if args.limit else papers
    if args.json:
        _print_ranked_json(papers, ranked)
    else:
        _print_ranked_table(papers, ranked, sys.stdout)
    return EXIT_OK if ranked.papers or spec.kind == "for-you" else EXIT_FAILURE


def _print_ranked_table(papers: Sequence[Paper], ranked: Recommended, out: TextIO) -> None:
    scores = ranked.scores_by_id()
    for rank, paper in enumerate(papers, 1):
        out.write(f"{rank:>4}  {scores[paper.id]:5.3f}  {paper.id:<10}  {paper.title}\n")
        why = ranked.reasons(paper).text
        if why:
            out.write(f"{'':>23}{why}\n")


def _print_ranked_json(papers: Sequence[Paper], ranked: Recommended) -> None:
    scores = ranked.scores_by_id()
    rows = []
    for paper in papers:
        reasons = ranked.reasons(paper)
        row = {key: value for key, value in paper.to_json().items() if key in JSON_FIELDS}
        row.update(score=round(scores[paper.id], 4), why=reasons.text, reasons=reasons.to_json())
        rows.append(row)
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _filter(service: PaperService, papers: Sequence[Paper], text: str) -> Sequence[Paper]:
    from paperterm.query import parse_query  # only `--filter` pays for the query language
    from paperterm.service.search import needs_state

    query = parse_query(text)
    for warning in query_warnings(text, query.errors):
        note(warning)
    if needs_state(query):
        service.load_state()
    context = service.search.context_for(query, service.clock)
    return service.search.in_list(query, papers, context)


def _explain_fallback(service: PaperService, view: FeedView, reason: str) -> None:
    if view.origin == "cache":
        age = describe_age(service.feeds.age(view))
        note(f"offline — showing {view.spec.label} cached {age} ({reason})")
    elif view.origin == "sample":
        note(f"sample feed (offline): nothing cached yet and {reason}")
    else:
        error(f"no cached copy of {view.requested} and {reason}")


def _print_table(papers: Sequence[Paper], out: TextIO) -> None:
    for rank, paper in enumerate(papers, 1):
        out.write(f"{rank:>4}  ▲{paper.upvotes:<5} {paper.id:<10}  {paper.title}\n")


def _print_json(papers: Sequence[Paper], linked: Mapping[str, Linked] | None = None) -> None:
    linked = linked or {}
    rows = [
        {key: value for key, value in p.to_json().items() if key in JSON_FIELDS}
        | ({"linked": linked[p.id].to_json()} if p.id in linked else {})
        for p in papers
    ]
    json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return int(text)
