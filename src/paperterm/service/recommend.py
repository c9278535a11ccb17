"""For you and more like this, for both faces: the cache ranked by resemblance to the bookmarks.

The corpus (every cached paper plus every bookmark's snapshot, as vectors) is read from the
one kept on disk where papers are stored (`paperterm.service.keeper`), grown by the papers it
lacks, or built when there is none; it is held while the cache holds the same feeds, and a
new bookmark only changes the profile, so
ranking again is a pass over the profile's postings, not a rebuild. Nothing leaves the machine:
this reads the cache and the state file, never the network. Safe to call from a worker thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from paperterm.feed import FeedCache
from paperterm.keyed import read_keyed, write_keyed
from paperterm.models import Bookmark, FeedSpec, Paper
from paperterm.recommend import Corpus, Ranking, Reasons
from paperterm.records import Record
from paperterm.service.feeds import Feeds
from paperterm.service.keeper import KEEP_FROM, KEPT_KIND, Keeper, kept_key
from paperterm.service.rows import PaperRows
from paperterm.service.triage import Triage

START_HINT = (
    "No bookmarks yet. Press b on papers you like (or run `paperterm bookmark add ID`): "
    "For you then ranks every cached paper by how much it resembles them."
)


class Recommended(Record, frozen=True):
    """A ranked list: the papers best first, their scores, what they were ranked by, and a
    `note` saying how to get a list when there is none."""

    spec: FeedSpec
    papers: Sequence[Paper]  # read from the cache as they are shown (`PaperRows`)
    scores: tuple[float, ...]
    liked: tuple[str, ...]  # the papers the ranking was made from
    cached: int  # how many papers were ranked
    note: str = ""
    ranking: Ranking | None = None

    def reasons(self, paper: Paper) -> Reasons:
        """Why `paper` is in the list (empty reasons for a paper that is not)."""
        return self.ranking.reasons(paper) if self.ranking is not None else Reasons()

    def scores_by_id(self) -> dict[str, float]:
        ids = self.ranking.ids if self.ranking is not None else ()
        return dict(zip(ids, self.scores, strict=True))


class Recommend:
    """Rankings by resemblance over the feed cache and the bookmarks."""

    def __init__(
        self, feeds: Feeds, triage: Triage, kept: Path | None = None, keeper: Keeper | None = None
    ) -> None:
        """`kept`: where the built corpus is kept between runs (None: nowhere); `keeper`: what
        may be building it in another process (a first ranking waits for it)."""
        self.feeds = feeds
        self.triage = triage
        self.kept = kept
        self.keeper = keeper
        self._lock = threading.Lock()
        self._corpus: Corpus | None = None
        self._papers = CachedPapers(feeds.cache.path, (), {})  # what the corpus reads from
        self._signature: frozenset[tuple[str, str, int]] | None = None
        self._last: tuple[tuple[object, ...], Recommended] | None = None
        self._saver: threading.Thread | None = None
        self._on_disk: tuple[str, ...] = ()  # the papers of the corpus kept on disk, in order
        self._unkept: Corpus | None = None  # built or grown, to be kept once it has ranked
        # Told how many papers a corpus is being built over, before a ranking waits for it.
        self.announce: Callable[[int], None] | None = None

    def ranked(self, spec: FeedSpec) -> Recommended:
        """``for-you``, ``for-you:TAG`` or ``like:ID``, ranked now."""
        result = self._ranked(spec)
        # A corpus built or grown is kept on disk once the ranking is done: the thread that
        # writes it would otherwise take turns with the ranking.
        with self._lock:
            unkept, self._unkept = self._unkept, None
        if unkept is not None:
            self._keep(unkept)
        return result

    def _ranked(self, spec: FeedSpec) -> Recommended:
        if spec.kind == "like":
            return self._like(spec)
        if spec.kind != "for-you":
            raise ValueError(f"{spec} is not ranked locally")
        marks = self.triage.bookmarks(spec.value)
        usable = tuple(b.id for b in marks if not b.incomplete)
        if not marks:
            note = START_HINT if spec.value is None else _no_tag(spec.value)
            return Recommended(spec, (), (), (), 0, note)
        if not usable:
            note = "Your bookmarks have no details yet (stored offline): `paperterm fetch` fills them in."
            return Recommended(spec, (), (), (), 0, note)
        return self._rank(spec, usable, exclude=tuple(self.triage.state.bookmarks))

    def corpus(self) -> Corpus:
        """Every cached paper and bookmark as vectors, rebuilt only when the cache changed."""
        with self._lock:
            signature = self._cache_signature()
            marks = self.triage.state.bookmarks.values()
            missing = self._corpus is not None and any(
                b.id not in self._corpus for b in marks if not b.incomplete
            )
            if self._corpus is None or signature != self._signature or missing:
                corpus, self._papers = self._made(marks)
                if _ids(corpus) != self._on_disk:
                    self._unkept = corpus
                self._corpus = corpus
                self._signature = signature
                self._last = None
            return self._corpus

    def wait_kept(self) -> None:
        """Until the corpus last built is on disk (tests; the CLI before it exits)."""
        saver = self._saver
        if saver is not None:
            saver.join()

    # -- internals --------------------------------------------------------------------------

    def _made(self, marks: Iterable[Bookmark]) -> tuple[Corpus, CachedPapers]:
        """The corpus over the cache and the bookmarks, and the papers it reads from."""
        snapshots = {b.id: b.paper for b in marks if not b.incomplete}
        papers = CachedPapers(self.feeds.cache.path, self.feeds.everything_ids(), snapshots)
        corpus = self._grown(papers)
        if corpus is None:
            if self.announce is not None and len(papers) >= KEEP_FROM:
                self.announce(len(papers))
            papers = papers.all_read()  # building reads every paper anyway
            corpus = Corpus(papers.values())
        return corpus, papers

    def _grown(self, papers: CachedPapers) -> Corpus | None:
        """The corpus held, else the one kept on disk, grown by the papers it lacks; None
        when neither fits (build afresh)."""
        old = self._corpus
        if old is None and self.kept is not None:
            if self.keeper is not None:
                # A corpus due is built in a process of its own, and one being built is waited
                # for: read it then, rather than build it in this process's memory and loop.
                building = self.keeper.start()  # over this many cached papers
                if building and self.announce is not None:
                    self.announce(building)
                self.keeper.wait()
            data = read_keyed(self.kept, KEPT_KIND, kept_key())
            old = Corpus.load(data, papers) if data is not None else None
            self._on_disk = _ids(old) if old is not None else ()
        return old.updated(papers) if old is not None else None

    def _keep(self, corpus: Corpus) -> None:
        """Write the corpus to disk in a thread of its own: the ranking does not wait."""
        if self.kept is None:
            return
        kept = self.kept

        def write() -> None:
            with contextlib.suppress(OSError):
                about = {"papers": len(corpus)}
                write_keyed(kept, KEPT_KIND, kept_key(), corpus.dump(), about)

        self.wait_kept()
        self._on_disk = _ids(corpus)
        self._saver = threading.Thread(target=write, name="for-you-keep", daemon=True)
        self._saver.start()

    def _like(self, spec: FeedSpec) -> Recommended:
        paper_id = spec.value or ""
        corpus = self.corpus()
        if paper_id not in corpus:
            note = (
                f"{paper_id} is not in the cache or the bookmarks: find it in a feed or with "
                "s (search) first, then ask again."
            )
            return Recommended(spec, (), (), (), len(corpus), note)
        return self._rank(spec, (paper_id,), exclude=())

    def _rank(self, spec: FeedSpec, liked: Sequence[str], exclude: Sequence[str]) -> Recommended:
        corpus = self.corpus()
        key = (spec, tuple(liked), frozenset(exclude), id(corpus))
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        ranking = corpus.rank(liked, exclude=exclude)
        note = ""
        if not ranking.ids:
            note = (
                "Nothing cached resembles these papers yet: open a few feeds (1-4) or run "
                "`paperterm fetch`, then come back."
            )
        rows = PaperRows(ranking.ids, self._papers.many)
        result = Recommended(spec, rows, ranking.scores, ranking.liked, len(corpus), note, ranking)
        self._last = (key, result)
        return result

    def _cache_signature(self) -> frozenset[tuple[str, str, int]]:
        # Every fetch stores a feed snapshot with its time: a changed list means new papers.
        # A connection of its own, as this runs in a worker thread too.
        cache = FeedCache(self.feeds.cache.path)
        try:
            return frozenset((str(spec), at.isoformat(), n) for spec, at, n in cache.feeds())
        finally:
            cache.close()


def _ids(corpus: Corpus) -> tuple[str, ...]:
    return corpus.ids


class CachedPapers(Mapping[str, Paper]):
    """Every cached paper and bookmark snapshot by id (a cached copy first: it is newer), each
    read from the cache when first asked for: a ranking reads only the ids of 10,000 papers,
    and the rows shown read their papers. Safe from any thread (a connection for each)."""

    def __init__(self, path: Path, ids: Sequence[str], snapshots: Mapping[str, Paper]) -> None:
        self._path = path
        self._cached = frozenset(ids)
        self._order = dict.fromkeys([*ids, *snapshots])
        self._snapshots = snapshots
        self._read: dict[str, Paper] = {}
        self._local = threading.local()

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._order

    def __getitem__(self, paper_id: str) -> Paper:
        found = self.many([paper_id]).get(paper_id)
        if found is None:
            raise KeyError(paper_id)
        return found

    def many(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Those of `ids` known here, read in one query where the cache holds them; a paper
        gone from the cache since is its bookmark's snapshot, else left out."""
        wanted = [i for i in ids if i not in self._read and i in self._cached]
        if wanted:
            self._read.update(self._cache().papers(wanted))
        found = {}
        for paper_id in ids:
            paper = self._read.get(paper_id) or self._snapshots.get(paper_id)
            if paper is not None:
                found[paper_id] = paper
        return found

    def all_read(self) -> CachedPapers:
        """These papers, every one of them read now (one query)."""
        self.many(list(self._order))
        return self

    def _cache(self) -> FeedCache:
        cache: FeedCache | None = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = FeedCache(self._path)
        return cache


def _no_tag(tag: str) -> str:
    return (
        f"No bookmarks tagged “{tag}” yet. Press t on a paper to tag it: For you · {tag} then "
        "ranks every cached paper by how much it resembles those."
    )
