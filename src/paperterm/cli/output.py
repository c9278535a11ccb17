"""What every subcommand shares: its two kinds of failure, and how it talks on stderr."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

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


class StdoutFailed(Exception):
    """Standard output could not be written (a full disk, a closed descriptor ...)."""


class GuardedStdout:
    """Standard output that turns a failed write into `StdoutFailed`, so the command ends
    with one line on stderr instead of Python's "Exception ignored" at exit. A closed pipe
    (`| head`) stays a BrokenPipeError: the reader went away, which is not a failure."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutFailed(exc.strerror or str(exc)) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutFailed(exc.strerror or str(exc)) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
