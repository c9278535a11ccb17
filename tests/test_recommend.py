"""Recommendations on real papers: the ranking, its reasons, the feed specs, the service and
the command line (offline: nothing here may touch the network)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from appdata import make_service
from hf_data import NOW
from recommend_data import about, recent_papers, titled
from test_cli import paperterm

from paperterm.models import FeedSpec, FeedSpecError, Paper
from paperterm.paths import Paths
from paperterm.recommend import Corpus
from paperterm.records import replace
from paperterm.service import PaperService
from paperterm.service.recommend import START_HINT

VIDEO, MOE = "video generation", "mixture-of-experts"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(recent_papers())


def precision(papers: list[Paper], topic: str, k: int = 20) -> float:
    return sum(about(p, topic) for p in papers[:k]) / k


# -- the ranking ---------------------------------------------------------------------------


def test_the_papers_of_a_topic_rank_first_where_popularity_and_chance_do_not(
    corpus: Corpus,
) -> None:
    liked = titled(VIDEO, 5)
    ranking = corpus.rank([p.id for p in liked])
    rest = [p for p in recent_papers() if p not in liked]
    popular = sorted(rest, key=lambda p: -p.upvotes)
    shuffled = random.Random(3).sample(rest, len(rest))
    assert precision(list(ranking.papers), VIDEO) >= 0.9
    assert precision(popular, VIDEO) <= 0.2 and precision(shuffled, VIDEO) <= 0.2
    assert ranking.scores == tuple(sorted(ranking.scores, reverse=True))
    assert all(score > 0 for score in ranking.scores)


def test_the_liked_and_the_excluded_papers_are_never_listed(corpus: Corpus) -> None:
    liked = [p.id for p in titled(VIDEO, 5)]
    excluded = [p.id for p in titled(MOE, 2)]
    ranking = corpus.rank(liked, exclude=excluded)
    listed = {p.id for p in ranking.papers}
    assert not listed & {*liked, *excluded}
    assert set(ranking.liked) == set(liked)


def test_a_user_with_two_interests_sees_both_at_the_top(corpus: Corpus) -> None:
    liked = [p.id for p in titled(VIDEO, 3) + titled(MOE, 3)]
    top = list(corpus.rank(liked).papers[:10])
    assert sum(about(p, VIDEO) for p in top) >= 3
    assert sum(about(p, MOE) for p in top) >= 3


def test_reasons_name_what_the_paper_shares(corpus: Corpus) -> None:
    liked = titled(VIDEO, 5)
    ranking = corpus.rank([p.id for p in liked])
    first = ranking.papers[0]
    reasons = ranking.reasons(first)
    assert "video generation" in reasons.shares
    assert reasons.text.startswith("shares: ") and "video generation" in reasons.text
    assert reasons.closest in {p.id for p in liked}
    assert reasons.to_json()["closest"] == reasons.closest


def test_shared_authors_and_organisation_are_reasons_too() -> None:
    # Two liked papers of one author on different subjects: the author is what they share.
    base = recent_papers()
    lab = {"authors": ("Ada Quill", "Bo Rune"), "organization": "Quill Lab"}
    liked = [replace(base[0], id="2699.00000", **lab), replace(base[2], id="2699.00001", **lab)]
    twin = replace(
        base[1], id="2699.00002", authors=("Cy Dale", "Ada Quill"), organization="Quill Lab"
    )
    ranking = Corpus([*base, *liked, twin]).rank([p.id for p in liked])
    reasons = ranking.reasons(twin)
    assert reasons.authors == ("Ada Quill",)
    assert reasons.organization == "Quill Lab"
    assert "author: Ada Quill" in reasons.text and "organization: Quill Lab" in reasons.text
    assert ranking.papers.index(twin) < ranking.papers.index(base[1])


def test_more_like_this_finds_a_near_copy_first(corpus: Corpus) -> None:
    paper = titled(MOE, 1)[0]
    copy = replace(paper, id="2699.00003", title=paper.title + " (extended)", upvotes=0)
    ranking = Corpus([*recent_papers(), copy]).rank([paper.id])
    assert ranking.papers[0].id == copy.id
    assert ranking.reasons(copy).closest is None  # one liked paper: nothing to choose from


def test_nothing_liked_or_unknown_ranks_nothing(corpus: Corpus) -> None:
    assert len(corpus.rank([])) == 0
    assert len(corpus.rank(["2699.99999"])) == 0
    assert corpus.profile([]) is None


# -- the feed specs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value", "label"),
    [
        ("for-you", "for-you", None, "for you"),
        ("For-You:reading", "for-you", "reading", "for you · reading"),
        ("like:2406.12345", "like", "2406.12345", "more like 2406.12345"),
        ("like:https://arxiv.org/abs/2406.12345v2", "like", "2406.12345", "more like 2406.12345"),
    ],
)
def test_local_feed_specs_parse(text: str, kind: str, value: str | None, label: str) -> None:
    spec = FeedSpec.parse(text)
    assert (spec.kind, spec.value, spec.label) == (kind, value, label)
    assert spec.is_local and not spec.is_dated and not spec.is_latest
    assert FeedSpec.parse(str(spec)) == spec
    assert not FeedSpec.parse("trending").is_local


@pytest.mark.parametrize("text", ["like:", "like:bogus", "like:12345"])
def test_like_needs_a_paper(text: str) -> None:
    with pytest.raises(FeedSpecError, match="arXiv id"):
        FeedSpec.parse(text)


# -- the service ---------------------------------------------------------------------------


def service_with(home: Path, *, tags: dict[str, tuple[str, ...]] | None = None) -> PaperService:
    """A service over a cache of the 804 recent papers; `tags` bookmarks papers with tags."""
    service = make_service(home)
    papers = recent_papers()
    spec = FeedSpec("trending")
    service.feeds.cache.store_feed(spec, spec, papers, NOW)
    service.load_state()
    known = {p.id: p for p in papers}
    for paper_id, paper_tags in (tags or {}).items():
        service.triage.bookmark(known[paper_id], tags=paper_tags)
    return service


def test_for_you_without_bookmarks_says_how_to_start(tmp_path: Path) -> None:
    ranked = service_with(tmp_path).recommend.ranked(FeedSpec("for-you"))
    assert ranked.papers == () and ranked.note == START_HINT
    tagged = service_with(tmp_path).recommend.ranked(FeedSpec("for-you", "nothing"))
    assert "No bookmarks tagged “nothing”" in tagged.note


def test_for_you_of_a_tag_learns_from_that_tag_only(tmp_path: Path) -> None:
    tags = {p.id: ("video",) for p in titled(VIDEO, 4)}
    tags |= {p.id: ("moe",) for p in titled(MOE, 4)}
    recommend = service_with(tmp_path, tags=tags).recommend
    video = recommend.ranked(FeedSpec("for-you", "video"))
    moe = recommend.ranked(FeedSpec("for-you", "moe"))
    assert precision(list(video.papers), VIDEO) >= 0.8 > precision(list(video.papers), MOE)
    assert precision(list(moe.papers), MOE) >= 0.6 > precision(list(moe.papers), VIDEO)
    everything = recommend.ranked(FeedSpec("for-you"))
    assert not {p.id for p in everything.papers} & set(tags)  # bookmarks are not recommended
    assert len(everything.liked) == 8


def test_the_corpus_is_kept_until_the_cache_changes(tmp_path: Path) -> None:
    service = service_with(tmp_path, tags={p.id: () for p in titled(VIDEO, 3)})
    first = service.recommend.corpus()
    assert service.recommend.corpus() is first
    again = service.recommend.ranked(FeedSpec("for-you"))
    assert service.recommend.ranked(FeedSpec("for-you")) is again  # nothing changed at all
    service.triage.bookmark(titled(VIDEO, 4)[3])
    assert service.recommend.corpus() is first  # a new bookmark only changes the profile
    assert len(service.recommend.ranked(FeedSpec("for-you")).liked) == 4
    daily = FeedSpec("daily", "2026-08-21")
    service.feeds.cache.store_feed(daily, daily, recent_papers()[:5], NOW)
    assert service.recommend.corpus() is not first


def test_more_like_a_paper_nobody_has_says_so(tmp_path: Path) -> None:
    ranked = service_with(tmp_path).recommend.ranked(FeedSpec("like", "2699.99999"))
    assert ranked.papers == () and "not in the cache or the bookmarks" in ranked.note


# -- the command line ----------------------------------------------------------------------


def test_list_for_you_as_json_has_scores_and_reasons_offline(tmp_path: Path, paths: object) -> None:
    liked = titled(VIDEO, 5)
    _fill_real_home({p.id for p in liked})
    done = paperterm("--offline", "list", "for-you", "--json", "--limit", "20")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 20
    assert sum(about(_paper(row["id"]), VIDEO) for row in rows) >= 18
    assert rows[0]["score"] >= rows[-1]["score"] > 0
    assert "video generation" in rows[0]["reasons"]["shares"]
    assert rows[0]["why"].startswith("shares: ")
    assert rows[0]["reasons"]["closest"] in {p.id for p in liked}


def test_list_like_prints_a_reason_under_each_paper(tmp_path: Path, paths: object) -> None:
    _fill_real_home(set())
    paper = titled(MOE, 1)[0]
    done = paperterm("list", f"like:{paper.id}", "--limit", "3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 6 and lines[0].lstrip().startswith("1  ")
    assert all(line.strip().startswith("shares: ") for line in lines[1::2])
    unknown = paperterm("list", "like:2699.99999")
    assert unknown.returncode == 1 and "not in the cache" in unknown.stderr


def test_list_for_you_without_bookmarks_says_how_to_start(paths: object) -> None:
    _fill_real_home(set())
    done = paperterm("list", "for-you")
    assert done.returncode == 0 and done.stdout == ""
    assert "No bookmarks yet" in done.stderr


def test_fetch_refuses_a_local_feed(paths: object) -> None:
    done = paperterm("fetch", "for-you")
    assert done.returncode == 1 and "nothing to fetch" in done.stderr


def _paper(paper_id: str) -> Paper:
    return next(p for p in recent_papers() if p.id == paper_id)


def _fill_real_home(bookmarked: set[str]) -> None:
    """The cache and state the CLI will find (the test's XDG directories)."""
    service = PaperService(Paths.default(), clock=lambda: NOW)
    spec = FeedSpec("trending")
    service.feeds.cache.store_feed(spec, spec, recent_papers(), NOW)
    service.load_state()
    for paper in recent_papers():
        if paper.id in bookmarked:
            service.triage.bookmark(paper)
    service.close()
