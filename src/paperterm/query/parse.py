"""Parsing a filter query line into terms (the language is described in `paperterm.query`).

Parsing never raises: a malformed term is left out and reported in `Query.errors`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

from paperterm.query._text import has_word
from paperterm.records import Record

TextField = Literal["any", "title", "author", "kw", "org", "tag"]
Flag = Literal["read", "unread", "bookmarked", "code", "summary"]
RangeField = Literal["up", "stars", "comments", "age", "date"]
SortOrder = Literal["rank", "upvotes", "hot", "newest"]
SORT_ORDERS: tuple[SortOrder, ...] = ("rank", "upvotes", "hot", "newest")
Span = tuple[int, int]


class QueryError(Record, frozen=True):
    """A term that was ignored, where it is in the query text and why."""

    start: int
    end: int
    message: str


class TextTerm(Record, frozen=True):
    """A word or phrase, free (``field="any"``) or in one field. `value` is as typed."""

    field: TextField
    value: str
    phrase: bool
    negated: bool
    span: Span


class StateTerm(Record, frozen=True):
    """``is:`` or ``has:``."""

    state: Flag
    negated: bool
    span: Span


class RangeTerm(Record, frozen=True):
    """A number or date condition as an inclusive range; None is an open end. Days for
    ``age``, proleptic ordinals (`datetime.date.toordinal`) for ``date``."""

    field: RangeField
    low: int | None
    high: int | None
    negated: bool
    span: Span


Term = TextTerm | StateTerm | RangeTerm


class Query(Record, frozen=True):
    """A parsed query: the terms that hold, and the ones that were ignored."""

    text: str
    terms: tuple[Term, ...] = ()
    errors: tuple[QueryError, ...] = ()
    sort: SortOrder | None = None  # ``sort:``; None: by score when ranked, else as listed

    @property
    def is_empty(self) -> bool:
        """No term to apply (the text may still hold errors): everything matches."""
        return not self.terms

    @property
    def ranked(self) -> bool:
        """Whether results are ordered by score rather than kept in collection order."""
        return any(
            isinstance(t, TextTerm) and not t.negated and t.field in _SCORED_FIELDS
            for t in self.terms
        )

    @property
    def title_terms(self) -> tuple[str, ...]:
        """The words and phrases, as typed, that can match a title (for highlighting)."""
        return tuple(
            t.value
            for t in self.terms
            if isinstance(t, TextTerm) and not t.negated and t.field in ("any", "title")
        )


_SCORED_FIELDS = ("any", "title", "author", "kw")
_TEXT_FIELD_NAMES: dict[str, TextField] = {
    "title": "title",
    "author": "author",
    "kw": "kw",
    "keyword": "kw",
    "org": "org",
    "tag": "tag",
}
_RANGE_FIELD_NAMES: dict[str, RangeField] = {
    "up": "up",
    "upvotes": "up",
    "stars": "stars",
    "comments": "comments",
    "age": "age",
    "date": "date",
}
_STATES: dict[str, dict[str, Flag]] = {
    "is": {"read": "read", "unread": "unread", "bookmarked": "bookmarked"},
    "has": {"code": "code", "summary": "summary"},
}
_FIELD_NAMES = {**_TEXT_FIELD_NAMES, **_RANGE_FIELD_NAMES, "is": "is", "has": "has", "sort": "sort"}
_FIELD = re.compile(r"([A-Za-z]+):")
_NON_SPACE = re.compile(r"\S")
_SPACE = re.compile(r"\s")
_OP = r"(>=|<=|>|<|=)?"
_NUMBER = re.compile(_OP + r"([0-9]{1,12})")
_NUMBER_RANGE = re.compile(r"([0-9]{0,12})\.\.([0-9]{0,12})")
_AGE = re.compile(_OP + r"([0-9]{1,7})([dwmy]?)", re.IGNORECASE)
_DAY = r"[0-9]{4}(?:-[0-9]{1,2}){0,2}"
_DATE = re.compile(_OP + "(" + _DAY + ")")
_DATE_RANGE = re.compile("(" + _DAY + r")?\.\.(" + _DAY + ")?")
_AGE_UNITS = {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}


@lru_cache(maxsize=256)
def parse_query(text: str) -> Query:
    """Parse a query line. Never raises: bad terms are left out and listed in `Query.errors`.

    Remembered per text (a `Query` is immutable): the filter bar's highlighter, its problem
    line and the search all ask for the same keystroke's query, and it is parsed once."""
    terms: list[Term] = []
    errors: list[QueryError] = []
    sort: SortOrder | None = None
    pos = 0
    while (found := _NON_SPACE.search(text, pos)) is not None:
        start = pos = found.start()
        negated = text[pos] == "-"
        pos += negated
        name: str | None = None
        prefix = _FIELD.match(text, pos)
        if prefix and prefix.group(1).lower() in _FIELD_NAMES:
            name, pos = _FIELD_NAMES[prefix.group(1).lower()], prefix.end()
        if text.startswith('"', pos):
            close = text.find('"', pos + 1)
            if close < 0:
                errors.append(QueryError(start, len(text), "unclosed quote"))
                break
            value, quoted, pos = text[pos + 1 : close], True, close + 1
        else:
            space = _SPACE.search(text, pos)
            end = space.start() if space else len(text)
            value, quoted, pos = text[pos:end], False, end
        if name == "sort":
            order = _sort(value, negated, (start, pos))
            if isinstance(order, QueryError):
                errors.append(order)
            else:
                sort = order  # the last one wins
            continue
        term = _term(name, value, quoted, negated, (start, pos))
        if isinstance(term, QueryError):
            errors.append(term)
        elif term is not None:
            terms.append(term)
    return Query(text, tuple(terms), tuple(errors), sort)


def _sort(value: str, negated: bool, span: Span) -> SortOrder | QueryError:
    order = value.strip().lower()
    if negated:
        return QueryError(span[0], span[1], "sort: cannot be negated")
    for known in SORT_ORDERS:
        if order == known:
            return known
    return QueryError(span[0], span[1], "sort: expects " + ", ".join(SORT_ORDERS))


def _term(
    name: str | None, value: str, quoted: bool, negated: bool, span: Span
) -> Term | QueryError | None:
    if name is None:
        return TextTerm("any", value, quoted, negated, span) if has_word(value) else None
    message: str | None = None
    if not value.strip():
        message = "needs a value"
    elif text_field := _TEXT_FIELD_NAMES.get(name):
        if text_field in ("org", "tag"):
            return TextTerm(text_field, value.strip(), quoted, negated, span)
        if has_word(value):
            return TextTerm(text_field, value, quoted, negated, span)
        message = "needs a letter or digit"
    elif range_field := _RANGE_FIELD_NAMES.get(name):
        bounds = _BOUNDS[range_field](value)
        if not isinstance(bounds, str):
            return RangeTerm(range_field, bounds[0], bounds[1], negated, span)
        message = bounds
    else:
        states = _STATES[name]
        state = states.get(value.strip().lower())
        if state is not None:
            return StateTerm(state, negated, span)
        message = "expects " + ", ".join(states)
    return QueryError(span[0], span[1], f"{name}: {message}")


Bounds = tuple[int | None, int | None]


def _number_bounds(value: str) -> Bounds | str:
    if match := _NUMBER.fullmatch(value):
        return _with_op(match.group(1), int(match.group(2)), int(match.group(2)))
    if (match := _NUMBER_RANGE.fullmatch(value)) and value != "..":
        low, high = (int(g) if g else None for g in match.groups())
        return _ordered(low, high)
    return "expects a number: >50, >=50, <50, <=50, 50 or 10..50"


def _age_bounds(value: str) -> Bounds | str:
    match = _AGE.fullmatch(value)
    if not match:
        return "expects an age: <7d, >2w, <=3m, 1y (units d, w, m, y)"
    days = int(match.group(2)) * _AGE_UNITS[match.group(3).lower()]
    return _with_op(match.group(1) or "<=", days, days)


def _date_bounds(value: str) -> Bounds | str:
    if match := _DATE.fullmatch(value):
        period = _period(match.group(2))
        return period if isinstance(period, str) else _with_op(match.group(1), *period)
    if (match := _DATE_RANGE.fullmatch(value)) and value != "..":
        first = _period(match.group(1)) if match.group(1) else (None, None)
        last = _period(match.group(2)) if match.group(2) else (None, None)
        if isinstance(first, str):
            return first
        if isinstance(last, str):
            return last
        return _ordered(first[0], last[1])
    return "expects a date: 2026-08-21, 2026-08, 2026-08-01..2026-08-21, >2026-08-01"


def _period(text: str) -> tuple[int, int] | str:
    """The first and last day (ordinals) of YYYY, YYYY-MM or YYYY-MM-DD."""
    year, *rest = (int(part) for part in text.split("-"))
    try:
        if len(rest) == 2:
            day = dt.date(year, *rest).toordinal()
            return day, day
        first_month, last_month = (rest[0], rest[0]) if rest else (1, 12)
        first = dt.date(year, first_month, 1)
        after = dt.date(year + 1, 1, 1) if last_month == 12 else dt.date(year, last_month + 1, 1)
        last = after - dt.timedelta(days=1)
    except ValueError:
        return f"no such date {text}"
    return first.toordinal(), last.toordinal()


def _with_op(op: str | None, first: int, last: int) -> Bounds:
    """An operator applied to a value that spans first..last (a month, or one number)."""
    if op == ">":
        return last + 1, None
    if op == ">=":
        return first, None
    if op == "<":
        return None, first - 1
    if op == "<=":
        return None, last
    return first, last


def _ordered(low: int | None, high: int | None) -> Bounds | str:
    if low is not None and high is not None and low > high:
        return "the range ends before it starts"
    return low, high


_BOUNDS: dict[RangeField, Callable[[str], Bounds | str]] = {
    "up": _number_bounds,
    "stars": _number_bounds,
    "comments": _number_bounds,
    "age": _age_bounds,
    "date": _date_bounds,
}
