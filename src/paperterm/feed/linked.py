"""What the Hub links to a paper: the models, datasets and Spaces that cite it, from the
``linked*`` and ``numTotal*`` fields of ``/api/papers/{id}`` (hf-api.md §1.3a).

The counts are the true totals (`numTotal*`); the lists may be truncated by the server, so
only the few most liked of them are kept. Repo ids are untrusted: one that is not a plain
``owner/name`` is dropped, so every Hub link made from one is a safe https URL.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from paperterm.clean import count
from paperterm.records import Record

Kind = Literal["model", "dataset", "space"]
TOP = 5  # repos kept per paper, most liked first
_REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?")
_FIELDS: tuple[tuple[Kind, str, str], ...] = (
    ("model", "linkedModels", "numTotalModels"),
    ("dataset", "linkedDatasets", "numTotalDatasets"),
    ("space", "linkedSpaces", "numTotalSpaces"),
)
_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}


class LinkedRepo(Record, frozen=True):
    kind: Kind
    id: str
    likes: int

    @property
    def url(self) -> str:
        return f"https://huggingface.co/{_PREFIX[self.kind]}{self.id}"


class Linked(Record, frozen=True):
    """How many models, datasets and Spaces cite a paper, and the most liked of them."""

    models: int
    datasets: int
    spaces: int
    top: tuple[LinkedRepo, ...] = ()

    @property
    def summary(self) -> str:
        """ "Cited by 3 models · 1 dataset · 12 Spaces" ("" when nothing cites it)."""
        parts = [
            _count(self.models, "model"),
            _count(self.datasets, "dataset"),
            _count(self.spaces, "Space"),
        ]
        shown = [p for p in parts if p]
        return "Cited by " + " · ".join(shown) if shown else ""

    def to_json(self) -> dict[str, int]:
        return {"models": self.models, "datasets": self.datasets, "spaces": self.spaces}

    def dumps(self) -> str:
        top = [[r.kind, r.id, r.likes] for r in self.top]
        return json.dumps([self.models, self.datasets, self.spaces, top])


def linked_from_answer(raw: object) -> Linked | None:
    """The linked repos of an ``/api/papers/{id}`` answer; None when it has none of the
    fields (an answer from elsewhere, or an older server)."""
    if not isinstance(raw, dict) or not any(total in raw for _, _, total in _FIELDS):
        return None
    counts = []
    repos: list[LinkedRepo] = []
    for kind, listed, total in _FIELDS:
        value = raw.get(listed)
        items = value if isinstance(value, list) else []
        found = [repo for repo in (_repo(kind, item) for item in items[:200]) if repo]
        counts.append(max(count(raw.get(total)) or 0, len(found)))
        repos.extend(found)
    top = tuple(sorted(repos, key=lambda r: (-r.likes, r.kind, r.id))[:TOP])
    return Linked(counts[0], counts[1], counts[2], top)


def linked_loads(text: str) -> Linked | None:
    """What `Linked.dumps` wrote; None when it is not that."""
    try:
        models, datasets, spaces, top = json.loads(text)
        repos = tuple(LinkedRepo(kind, repo, likes) for kind, repo, likes in top)
    except (ValueError, TypeError):
        return None
    if not all(isinstance(n, int) for n in (models, datasets, spaces)):
        return None
    if not all(r.kind in _PREFIX and _REPO_ID.fullmatch(str(r.id)) for r in repos):
        return None
    return Linked(models, datasets, spaces, repos)


def _repo(kind: Kind, item: Any) -> LinkedRepo | None:
    if not isinstance(item, dict):
        return None
    repo_id = item.get("id")
    if not isinstance(repo_id, str) or not _REPO_ID.fullmatch(repo_id) or ".." in repo_id:
        return None
    return LinkedRepo(kind, repo_id, count(item.get("likes")) or 0)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}" if n else ""
