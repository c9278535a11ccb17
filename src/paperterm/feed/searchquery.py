"""Answering a filter query from the persistent index (`paperterm.feed.searchindex`), with
the matching and ranking rules of `paperterm.query` and the in-memory `PaperIndex`'s order.

A query becomes one SQL statement, so the work runs in SQLite's C code, which lets go of the
GIL: each query word is a union of FTS5 matches, one per field and match quality (exact,
prefix, inside a word, one or two typos), grouped by paper to its best score; the words join,
the other terms (numbers, dates, states, organisations, tags) are conditions on
``search_docs``, and the rows come back ordered by score, then the collection's order. Python
decides only which words a query word reaches — its typo neighbours (found in the index's
vocabulary rows as stored, `paperterm.feed.searchrows`, read once per change of the cache)
and the words it lies inside — and reads the few texts a phrase must be checked against.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence

from paperterm.feed import searchscope
from paperterm.feed.errors import Interrupted
from paperterm.feed.idlines import IdLines
from paperterm.feed.searchconditions import condition_of
from paperterm.feed.searchindex import texts_of
from paperterm.feed.searchterms import Terms
from paperterm.models import Paper
from paperterm.query._text import (
    ABSTRACT_PREFIX_MIN,
    FIELD_WEIGHT,
    FIELDS_OF,
    INSIDE_MIN,
    MAX_SCORED_WORDS,
    TIER_EXACT,
    TIER_INSIDE,
    TIER_PREFIX,
    TIER_TYPO1,
    TIER_TYPO2,
    WORD,
    containing,
    fold,
    phrase_text,
)
from paperterm.query.parse import Query, TextTerm
from paperterm.query.results import SearchContext

# Up to this many words beginning with a query word are matched one by one (`_longer`).
STARTING_WORDS = 32


class _Sql:
    """A statement being put together: its CTEs, joins, conditions and parameters."""

    # A plain class: `dataclasses` and the making of one cost a `list --filter` 1.5 ms.
    def __init__(self, rows: tuple[int, int] | None) -> None:
        self.ctes: list[str] = []
        self.joins: list[str] = []
        self.where: list[str] = []
        self.scores: list[str] = []
        self.args: list[object] = []  # the CTEs': they come first in the statement's text
        self.where_args: list[object] = []
        self.rows = rows  # the scope's FTS rows (a feed's are mostly together)

    def in_rows(self, rowid: str = "rowid") -> tuple[str, list[object]]:
        """The condition keeping an FTS match within the scope's rows, and its parameters."""
        if self.rows is None:
            return "", []
        return f" AND {rowid} BETWEEN ? AND ?", list(self.rows)

    def cte(self, body: str, args: Sequence[object]) -> str:
        name = f"t{len(self.ctes)}"
        self.ctes.append(f"{name}(doc, s) AS MATERIALIZED ({body})")
        self.args.extend(args)
        return name


def search_ids(
    db: sqlite3.Connection,
    vocab: Callable[[], Terms],
    query: Query,
    context: SearchContext,
    scope: tuple[int, int] | None,
    first: Sequence[str] = (),
    stop: Callable[[], bool] | None = None,
) -> IdLines:
    """The ids matching `query`, best first. `scope`: the range of rows of the collection
    put in `searchscope.TABLE`, searched in its order (None: every indexed paper, `first`
    ids leading, then by id — the cache's "everything" order). `vocab` is asked for only
    when a term has words to look up. `stop()` true: `Interrupted`, before the statement
    runs (an interrupt while no statement runs is not kept by SQLite: a search still
    finding its words when a newer one came would otherwise run its statement all the same)."""
    sql = _Sql(scope)
    scored = 0
    for term in query.terms:
        if isinstance(term, TextTerm) and term.field in FIELDS_OF:
            scored = _text_term(db, vocab(), sql, term, scored)
        else:
            condition = condition_of(db, term, context, sql.where_args)
            sql.where.append(f"NOT coalesce({condition}, 0)" if term.negated else condition)
    if scope is not None:
        # A repeated id keeps its first place, as in `PaperIndex`.
        sql.joins.insert(0, f"JOIN {searchscope.TABLE} AS scope ON scope.doc = d.doc")
        order = ["scope.pos"]
    elif first:
        sql.ctes.append("lead(id, pos) AS (SELECT value, CAST(key AS INTEGER) FROM json_each(?))")
        sql.args.append(json.dumps(list(first)))
        sql.joins.append("LEFT JOIN lead ON lead.id = d.id")
        order = ["coalesce(lead.pos, 1 << 40)", "d.id"]
    else:
        order = ["d.id"]
    if sql.scores:
        order.insert(0, "(" + " + ".join(sql.scores) + ") DESC")
    # One string of every id (an id has no line break) instead of a Python tuple per row: 13 ms
    # less for 100k papers. An aggregate over a subquery with ORDER BY is never flattened into
    # it, so the ids come in the subquery's order.
    statement = (
        ("WITH " + ", ".join(sql.ctes) + " " if sql.ctes else "")
        + "SELECT group_concat(id, char(10)) FROM (SELECT d.id FROM search_docs AS d "
        + " ".join(sql.joins)
        + (" WHERE " + " AND ".join(sql.where) if sql.where else "")
        + " ORDER BY "
        + ", ".join(order)
        + ")"
    )
    if stop is not None and stop():
        raise Interrupted
    ids = db.execute(statement, [*sql.args, *sql.where_args]).fetchone()[0]
    return IdLines(ids or "")  # not split: read by position (`IdLines`)


def _text_term(db: sqlite3.Connection, vocab: Terms, sql: _Sql, term: TextTerm, scored: int) -> int:
    fields = FIELDS_OF[term.field]
    if term.phrase:
        rows = _phrase(db, vocab, phrase_text(term.value), fields, sql)
        name = sql.cte(
            "SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?) AS j", [json.dumps(rows)]
        )
        words = 1
        names = [name]
    else:
        folded = WORD.findall(fold(term.value))
        names = [_word(vocab, sql, word, fields, term.negated) for word in folded]
        words = len(folded)
    if term.negated:
        inner = " INTERSECT ".join(f"SELECT doc FROM {name}" for name in names)
        sql.where.append(f"d.doc NOT IN ({inner})")
        return scored
    for name in names:
        sql.joins.append(f"JOIN {name} ON {name}.doc = d.doc")
    if scored + words <= MAX_SCORED_WORDS:
        sql.scores.extend(f"{name}.s" for name in names)
        scored += words
    return scored


def _word(vocab: Terms, sql: _Sql, word: str, fields: Sequence[str], strict: bool) -> str:
    """A CTE of the papers one folded word matches, each with its best score."""
    exact = vocab.has(word)
    prefix = _longer(vocab, word) if vocab.has_prefix(word) else ""
    inside = vocab.inside(word) if not strict and len(word) >= INSIDE_MIN else []
    typos = [] if strict else [
        (TIER_TYPO1 if distance == 1 else TIER_TYPO2, expression)
        for distance, (starts, whole) in vocab.typos(word).items()
        if (expression := " OR ".join(
            [*(_quote(s) + "*" for s in starts), *map(_quote, whole)]
        ))
    ]  # fmt: skip
    parts: list[tuple[int, str, str]] = []
    for name in fields:
        weight = FIELD_WEIGHT[name]
        if exact:
            parts.append((weight * TIER_EXACT, name, _quote(word)))
        if name == "abstract" and len(word) < ABSTRACT_PREFIX_MIN:
            continue
        if prefix:
            parts.append((weight * TIER_PREFIX, name, prefix))
        if inside and name != "abstract":
            parts.append((weight * TIER_INSIDE, name, " OR ".join(map(_quote, inside))))
        parts += [(weight * quality, name, expression) for quality, expression in typos]
    if not parts:
        return sql.cte("SELECT NULL, NULL WHERE 0", [])
    if strict or len({score for score, _, _ in parts}) <= 2:
        return _scored(sql, parts, strict)
    within, bounds = sql.in_rows()
    union = " UNION ALL ".join(
        f"SELECT rowid AS doc, {score} AS s FROM search_text WHERE search_text MATCH ?{within}"
        for score, _, _ in parts
    )
    args: list[object] = []
    for _, name, expression in parts:
        args += [f"{{{name}}} : ({expression})", *bounds]
    return sql.cte(f"SELECT doc, max(s) FROM ({union}) GROUP BY doc", args)


def _scored(sql: _Sql, parts: list[tuple[int, str, str]], unscored: bool) -> str:
    """The CTE of `_word` as one FTS scan of every part, each row scored by the best part
    holding it, looked up in the rows of the better parts: cheaper than grouping the union
    of the parts' rows when there are two scores (58k papers of `author:li`: 70 ms in all
    against 84), dearer with more (each row is then looked up in up to a dozen).
    `unscored`: the rows only, for a word that excludes papers."""
    within, bounds = sql.in_rows()
    by_score: dict[int, list[str]] = {}
    for score, name, expression in parts:
        by_score.setdefault(score, []).append(f"{{{name}}} : ({expression})")
    ranked = sorted(by_score.items(), reverse=True)
    every = _any_of([e for _, expressions in ranked for e in expressions])
    if len(ranked) == 1 or unscored:
        return sql.cte(
            f"SELECT rowid, {ranked[0][0]} FROM search_text WHERE search_text MATCH ?{within}",
            [every, *bounds],
        )
    cases = " ".join(
        f"WHEN rowid IN (SELECT rowid FROM search_text WHERE search_text MATCH ?{within}) "
        f"THEN {score}"
        for score, _ in ranked[:-1]
    )
    args: list[object] = []
    for _, expressions in ranked[:-1]:
        args += [_any_of(expressions), *bounds]
    return sql.cte(
        f"SELECT rowid, CASE {cases} ELSE {ranked[-1][0]} END FROM search_text "
        f"WHERE search_text MATCH ?{within}",
        [*args, every, *bounds],
    )


def _any_of(expressions: Sequence[str]) -> str:
    return " OR ".join(f"({expression})" for expression in expressions)


def _longer(vocab: Terms, word: str) -> str:
    """The FTS expression for the words longer than `word` that begin with it: the words
    themselves when there are few, so that the index reads their short lists and not the
    word's own (often the longest, and matched by the exact part); "" when there are none."""
    longer = vocab.longer(word, STARTING_WORDS)
    if longer is None:
        return _quote(word) + "*"
    return " OR ".join(map(_quote, longer))


def _phrase(
    db: sqlite3.Connection, vocab: Terms, phrase: str, fields: Sequence[str], sql: _Sql
) -> list[tuple[int, int]]:
    """The papers holding `phrase`, each with its best field's exact score: narrowed by the
    index (every word but the last whole, the last perhaps going on), then read."""
    words = WORD.findall(phrase)
    parts = []
    for i, word in enumerate(words):
        whole = i < len(words) - 1 or not phrase.endswith(word)
        if not (vocab.has(word) if whole else vocab.has_prefix(word)):
            return []
        parts.append(_quote(word) if whole else _quote(word) + "*")
    found: dict[int, int] = {}
    for name in fields:  # best field first: a paper found in one is not read in the next
        rows = db.execute(
            "SELECT t.rowid, d.id FROM search_text AS t JOIN search_docs AS d ON d.doc = t.rowid "
            "WHERE search_text MATCH ?" + sql.in_rows("t.rowid")[0],
            (f"{{{name}}} : ({' AND '.join(parts)})", *sql.in_rows()[1]),
        ).fetchall()
        rows = [(doc, paper_id) for doc, paper_id in rows if doc not in found]
        if words != [phrase] and rows:
            rows = _containing(db, rows, phrase, name)
        for doc, _ in rows:
            found[doc] = FIELD_WEIGHT[name] * TIER_EXACT
    return list(found.items())


def _containing(
    db: sqlite3.Connection, rows: list[tuple[int, str]], phrase: str, field: str
) -> list[tuple[int, str]]:
    data = dict(
        db.execute(
            "SELECT p.id, p.data FROM json_each(?) AS j JOIN papers AS p ON p.id = j.value",
            (json.dumps([paper_id for _, paper_id in rows]),),
        ).fetchall()
    )
    at = ("title", "author", "kw", "abstract").index(field)
    texts = [
        texts_of(Paper.from_json(json.loads(data[i])))[at] if i in data else "" for _, i in rows
    ]
    return [rows[i] for i in containing(texts, phrase, range(len(rows)))]


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'
