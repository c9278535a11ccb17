"""Records: paperterm's immutable values (a paper, a bookmark, a feed, a setting).

A record is a frozen `msgspec.Struct`. Python's frozen dataclasses compile six methods each
when their class is made, about half a millisecond apiece: 14 ms for the 28 the reader needs
before its first frame. A struct's class is made in C in microseconds, and its instances are
smaller and quicker to build, compare and hash.

    class Paper(Record, frozen=True):
        id: str
        tags: tuple[str, ...] = ()
        extra: Mapping[str, Any] = field(default_factory=dict)

`frozen=True` is repeated on each record because type checkers read it per class (the
runtime would inherit it). `replace` copies a record with some fields changed. A value that
needs a field outside its equality, or a cache of its own, stays a dataclass.
"""

from __future__ import annotations

from msgspec import Struct, field
from msgspec.structs import astuple, replace

__all__ = ["Record", "astuple", "field", "replace"]


class Record(Struct, frozen=True):
    """The base of every record."""
