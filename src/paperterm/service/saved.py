"""Saved searches as feeds: ``saved:NAME`` is the filter query NAME names, over everything
cached and bookmarked (`PaperService.everything`), the same function the reader's filter runs
in its "everything" scope and `paperterm list saved:NAME` prints. Offline by nature: nothing
is fetched.

The searches come from config.toml's ``[searches]`` (`paperterm.config`); the reader adds to
them when it saves its filter under a name. Counts: unread (by the reading state) and new
(not in the last look of the list, ``seen:saved:NAME``; every match, for a search never
looked at).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from paperterm.config import DEFAULT_CONFIG, toml_string
from paperterm.files import atomic_write
from paperterm.models import SAVED_NAME, Paper
from paperterm.records import Record

if TYPE_CHECKING:
    from paperterm.service import PaperService


def valid_search(name: str, query: str) -> bool:
    """A name and a query config.toml's ``[searches]`` accepts (`paperterm.config`)."""
    return bool(SAVED_NAME.match(name)) and 0 < len(query.strip()) <= 500


class UnknownSearch(KeyError):
    """A ``saved:NAME`` with no search of that name."""

    def __str__(self) -> str:
        return f"no saved search named {self.args[0]!r} (see [searches] in config.toml)"


class SearchCounts(Record, frozen=True):
    name: str
    query: str
    total: int
    unread: int
    new: int


class SavedSearches:
    """The saved searches of one service."""

    def __init__(self, service: PaperService, searches: Mapping[str, str]) -> None:
        self._service = service
        self.searches = dict(searches)

    def query(self, name: str) -> str:
        try:
            return self.searches[name]
        except KeyError:
            raise UnknownSearch(name) from None

    def add(self, name: str, query: str) -> None:
        """Remember a search for this session only."""
        self.searches[name] = query.strip()

    def save(self, name: str, query: str) -> None:
        """Remember a search, and save it in config.toml's ``[searches]`` (raises OSError or
        ValueError when it cannot be saved; it is remembered for the session all the same)."""
        self.add(name, query)
        save_search(self._service.paths.config_file, name, query)

    def papers(self, name: str, everything: list[Paper] | None = None) -> list[Paper]:
        """The matches of search `name`, best first. Safe from a worker thread."""
        from paperterm.query import PaperIndex

        service = self._service
        if not service.triage.loaded:
            service.load_state()
        papers = everything if everything is not None else service.everything()
        return list(PaperIndex(papers).search(self.query(name), service.search_context()).papers)

    def counts(self) -> list[SearchCounts]:
        """Every search with its matches, unread and new ones. Safe from a worker thread."""
        everything = self._service.everything()
        read = self._service.triage.state.read
        found = []
        for name in sorted(self.searches):
            ids = [p.id for p in self.papers(name, everything)]
            mark = self._service.since.mark(f"saved:{name}")
            seen = set(mark.ids) if mark else set()
            found.append(
                SearchCounts(
                    name,
                    self.searches[name],
                    len(ids),
                    sum(1 for i in ids if i not in read),
                    sum(1 for i in ids if i not in seen),
                )
            )
        return found


def save_search(path: Path, name: str, query: str) -> None:
    """Add (or replace) ``name = "query"`` in the ``[searches]`` table, keeping every other
    line. Written atomically; raises OSError or ValueError (a bad name or query)."""
    if not valid_search(name, query):
        raise ValueError(f"cannot save {name!r}: a name is letters, digits, _ . -")
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        text = DEFAULT_CONFIG
    line = f"{name} = {toml_string(query.strip())}"
    header = re.search(r"^[ \t]*\[searches\][ \t]*$", text, re.MULTILINE)
    if header is None:
        updated = text.rstrip("\n") + f"\n\n[searches]\n{line}\n"
    else:
        start = header.end()
        following = re.search(r"^[ \t]*\[", text[start:], re.MULTILINE)
        end = start + following.start() if following else len(text)
        table = re.sub(
            rf"^[ \t]*{re.escape(name)}[ \t]*=.*\n?", "", text[start:end], flags=re.MULTILINE
        )
        updated = (
            text[:start]
            + f"\n{line}"
            + table.rstrip("\n")
            + "\n"
            + ("\n" if following else "")
            + text[end:]
        )
    if tomllib.loads(updated).get("searches", {}).get(name) != query.strip():
        raise ValueError(f"could not save the search in {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, updated.encode("utf-8"))
