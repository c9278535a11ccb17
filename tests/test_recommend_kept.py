"""The For-you corpus kept between runs: read back it ranks as built; grown by new papers it
ranks them as a fresh build would; a damaged, foreign or stale file is built afresh."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hf_data import NOW
from recommend_data import recent_papers, titled
from test_recommend import VIDEO, precision, service_with

from paperterm.models import FeedSpec, Paper
from paperterm.recommend import Corpus
from paperterm.recommend import corpus as corpus_module
from paperterm.records import replace
from paperterm.service import PaperService
from paperterm.service.recommend import Recommended

LIKED = 5


@pytest.fixture(scope="module")
def built() -> Corpus:
    return Corpus(recent_papers())


def _ranked(corpus: Corpus, liked: list[str]) -> list[tuple[str, float]]:
    ranking = corpus.rank(liked)
    return [(p.id, round(s, 12)) for p, s in zip(ranking.papers, ranking.scores, strict=True)]


def test_a_corpus_read_back_ranks_exactly_as_built(built: Corpus) -> None:
    liked = [p.id for p in titled(VIDEO, LIKED)]
    loaded = Corpus.load(built.dump(), recent_papers())
    assert loaded is not None and len(loaded) == len(built)
    assert _ranked(loaded, liked) == _ranked(built, liked)
    paper = built.rank(liked).papers[0]
    assert loaded.rank(liked).reasons(paper) == built.rank(liked).reasons(paper)


def test_a_grown_corpus_ranks_the_new_papers_as_a_fresh_build_does() -> None:
    papers = recent_papers()
    liked = [p.id for p in titled(VIDEO, LIKED)]
    new = [p for p in papers[-60:] if p.id not in liked]
    old = Corpus([p for p in papers if p not in new])
    twin = replace(titled(VIDEO, LIKED)[0], id="2699.00001")  # a near copy of a liked one
    grown = old.updated([*papers, twin])
    fresh = Corpus([*papers, twin])
    assert grown is not None and len(grown) == len(fresh)
    top = [p.id for p in grown.rank(liked).papers[:20]]
    assert top[0] == twin.id
    fresh_top = [p.id for p in fresh.rank(liked).papers[:20]]
    assert len(set(top) & set(fresh_top)) >= 18  # the old papers keep slightly older weights
    assert precision(list(grown.rank(liked).papers), VIDEO) >= 0.9


def test_a_corpus_too_far_from_the_papers_is_not_grown(built: Corpus) -> None:
    papers = recent_papers()
    assert built.updated(papers[1:]) is None  # a paper it has is gone
    half = Corpus(papers[: len(papers) // 2])
    assert half.updated(papers) is None  # more than a fifth would be new
    assert built.updated(papers) is not None


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # torn
        lambda data: b"",
        lambda data: b"{}\n" + data.partition(b"\n")[2],  # a header of nothing
        lambda data: data.replace(b'"ends":[', b'"ends":["x",', 1),
        lambda data: data.replace(b'"df":[', b'"df":["x",', 1),
        lambda data: data.replace(b"for-you postings 1", b"for-you postings 0", 1),  # older
        lambda data: b"\xff\xfe" + data,
    ],
)
def test_damaged_bytes_read_back_as_nothing(built: Corpus, damage) -> None:  # type: ignore[no-untyped-def]
    assert Corpus.load(damage(built.dump()), recent_papers()) is None


def test_positions_outside_the_papers_are_never_ranked(built: Corpus) -> None:
    # Checked feature by feature as a ranking reads them, not all at once when the file is:
    # a file with a good digest and such positions was not written by `dump`.
    head, _, packed = built.dump().partition(b"\n")
    header = json.loads(head)
    header["ids"] = header["ids"][:10]
    header["n"] = 10
    loaded = Corpus.load(json.dumps(header).encode() + b"\n" + packed, recent_papers())
    assert loaded is not None and len(loaded) == 10
    ranking = loaded.rank(header["ids"][:3])
    assert {p.id for p in ranking.papers} <= set(header["ids"])


# -- the service keeps it on disk ------------------------------------------------------------


def _building(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every corpus built from scratch."""
    builds: list[int] = []
    build = corpus_module.Corpus.__init__

    def counted(self: Corpus, papers) -> None:  # type: ignore[no-untyped-def]
        builds.append(1)
        build(self, papers)

    monkeypatch.setattr(corpus_module.Corpus, "__init__", counted)
    return builds


def _first_run(home: Path, liked: list[str]) -> tuple[Recommended, Path]:
    """A run that ranks For you once and closes: what it ranked, where the corpus is kept."""
    service = service_with(home, tags=dict.fromkeys(liked, ()))
    ranked = service.recommend.ranked(FeedSpec("for-you"))
    service.close()
    return ranked, service.paths.for_you_cache


def test_the_next_run_ranks_from_the_kept_corpus_without_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = _building(monkeypatch)
    tags = {p.id: () for p in titled(VIDEO, LIKED)}
    ranked, kept = _first_run(tmp_path, list(tags))
    assert builds == [1] and kept.is_file()
    second = service_with(tmp_path, tags=tags)
    again = second.recommend.ranked(FeedSpec("for-you"))
    assert builds == [1]  # read back, not built
    assert [p.id for p in again.papers] == [p.id for p in ranked.papers]
    assert again.scores == pytest.approx(ranked.scores)
    second.close()


def test_papers_fetched_since_are_added_to_the_kept_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = _building(monkeypatch)
    liked = titled(VIDEO, LIKED)
    _first_run(tmp_path, [p.id for p in liked])
    second = service_with(tmp_path, tags={p.id: () for p in liked})
    twin = replace(liked[0], id="2699.00001", title=liked[0].title + " (revisited)")
    daily = FeedSpec("daily", "2026-08-21")
    second.feeds.cache.store_feed(daily, daily, [twin], NOW)
    ranked = second.recommend.ranked(FeedSpec("for-you"))
    assert builds == [1] and ranked.papers[0].id == twin.id
    second.close()
    third = service_with(tmp_path, tags={p.id: () for p in liked})
    third.feeds.cache.store_feed(daily, daily, [twin], NOW)
    assert third.recommend.ranked(FeedSpec("for-you")).papers[0].id == twin.id
    assert builds == [1]  # the grown corpus was kept too
    third.close()


def test_a_damaged_kept_corpus_is_built_afresh_and_kept_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = _building(monkeypatch)
    tags = {p.id: () for p in titled(VIDEO, LIKED)}
    ranked, kept = _first_run(tmp_path, list(tags))
    data = kept.read_bytes()
    kept.write_bytes(data[: len(data) // 3])
    second = service_with(tmp_path, tags=tags)
    again = second.recommend.ranked(FeedSpec("for-you"))
    second.close()
    assert builds == [1, 1]
    assert [p.id for p in again.papers] == [p.id for p in ranked.papers]
    assert kept.read_bytes() == data


def test_a_kept_corpus_that_cannot_be_read_or_written_costs_nothing_but_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tags = {p.id: () for p in titled(VIDEO, LIKED)}
    service = service_with(tmp_path, tags=tags)
    service.paths.for_you_cache.mkdir(parents=True)  # a directory where the file goes
    ranked = service.recommend.ranked(FeedSpec("for-you"))
    service.close()
    assert precision(list(ranked.papers), VIDEO) >= 0.9
    assert service.paths.for_you_cache.is_dir()


def test_a_corpus_built_afresh_over_as_many_papers_is_kept_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read back, then one paper gone from the cache and one new: the same count, but a new
    corpus, kept so that the next run does not build it again."""
    builds = _building(monkeypatch)
    liked = [p.id for p in titled(VIDEO, LIKED)]
    _first_run(tmp_path, liked)
    gone = next(p for p in recent_papers() if p.id not in liked)
    daily = FeedSpec("daily", "2026-08-21")
    twin = replace(titled(VIDEO, LIKED)[0], id="2699.00001")

    def changed(service: PaperService) -> None:
        with service.feeds.cache._connection() as db:
            db.execute("DELETE FROM papers WHERE id = ?", (gone.id,))
        service.feeds.cache.store_feed(daily, daily, [twin], NOW)

    service = service_with(tmp_path, tags=dict.fromkeys(liked, ()))
    service.recommend.ranked(FeedSpec("for-you"))  # read back
    changed(service)
    service.recommend.ranked(FeedSpec("for-you"))
    service.close()
    assert builds == [1, 1]  # a paper was gone: built afresh
    again = service_with(tmp_path, tags=dict.fromkeys(liked, ()))
    changed(again)
    again.recommend.ranked(FeedSpec("for-you"))
    again.close()
    assert builds == [1, 1]  # read back: it was kept


def test_a_corpus_built_in_two_passes_is_the_one_built_at_once(built: Corpus) -> None:
    # The keeper's way (neither the papers nor their counts held), byte for byte.
    papers = recent_papers()
    passes: list[int] = []

    def read() -> list[Paper]:
        passes.append(1)
        return [*papers, papers[0]]  # a repeated id keeps its first paper

    payload, count = corpus_module.built(read)
    assert payload == built.dump() and count == len(built) and len(passes) == 2
