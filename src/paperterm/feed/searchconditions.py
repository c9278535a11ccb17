"""The terms of a filter query that do not rank — numbers, dates, states, organisations,
tags — as conditions on the search index's ``search_docs`` (`paperterm.feed.searchquery`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection

from paperterm.query._text import find_at_word_start, fold
from paperterm.query.parse import RangeTerm, StateTerm, TextTerm
from paperterm.query.results import SearchContext

_COLUMN = {"up": "up", "comments": "comments", "stars": "stars", "date": "day"}


def condition_of(
    db: sqlite3.Connection,
    term: RangeTerm | StateTerm | TextTerm,
    context: SearchContext,
    args: list[object],
) -> str:
    """A condition on ``search_docs`` (as ``d``) for a term that does not rank, before
    negation; its parameters are added to `args`."""
    if isinstance(term, StateTerm):
        if term.state in ("code", "summary"):
            return f"d.{term.state} = 1"
        ids: Collection[str] = context.bookmarked if term.state == "bookmarked" else context.read
        args.append(json.dumps(sorted(ids)))
        test = "IN" if term.state != "unread" else "NOT IN"
        return f"d.id {test} (SELECT value FROM json_each(?))"
    if isinstance(term, RangeTerm):
        return _range(term, context, args)
    wanted = fold(term.value)
    if term.field == "tag":
        tagged = [i for i, tags in context.tags.items() if any(fold(t) == wanted for t in tags)]
        args.append(json.dumps(sorted(tagged)))
        return "d.id IN (SELECT value FROM json_each(?))"
    orgs = [
        org
        for (org,) in db.execute("SELECT DISTINCT org FROM search_docs WHERE org IS NOT NULL")
        if find_at_word_start(org, wanted) >= 0
    ]
    args.append(json.dumps(orgs))
    return "d.org IN (SELECT value FROM json_each(?))"


def _range(term: RangeTerm, context: SearchContext, args: list[object]) -> str:
    low, high = term.low, term.high
    column = _COLUMN.get(term.field, "day")
    if term.field == "age":
        day = context.today.toordinal()
        low, high = (None if high is None else day - high, None if low is None else day - low)
    tests = [f"d.{column} IS NOT NULL"]
    if low is not None:
        tests.append(f"d.{column} >= ?")
        args.append(low)
    if high is not None:
        tests.append(f"d.{column} <= ?")
        args.append(high)
    return "(" + " AND ".join(tests) + ")"
