"""What every subcommand shares: its two kinds of failure, and how it talks on stderr."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperterm.query import QueryError


class UsageError(Exception):
    """Bad command-line input: exit 2."""


class Failure(Exception):
    """A failure already phrased for the user: exit 1, or 2 when it is about the input."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def note(message: str) -> None:
    print(f"paperterm: {message}", file=sys.stderr)


def error(message: str) -> None:
    print(f"paperterm: error: {message}", file=sys.stderr)


def query_warnings(query: str | None, errors: Sequence[QueryError]) -> list[str]:
    """One line per ignored term of a filter query."""
    return [
        f"ignored {query[e.start : e.end]!r} in the filter: {e.message}" for e in errors if query
    ]
