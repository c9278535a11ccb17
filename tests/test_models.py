"""Feed specs, arXiv ids and the Paper record."""

from __future__ import annotations

import datetime as dt

import pytest

from paperterm.models import (
    Bookmark,
    FeedSpec,
    FeedSpecError,
    Paper,
    merge_papers,
    normalize_arxiv_id,
    paper_id_from_ref,
)
from paperterm.records import replace


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("trending", "trending", None),
        ("daily", "daily", None),
        ("daily:2026-08-21", "daily", "2026-08-21"),
        ("weekly:2026-w34", "weekly", "2026-W34"),
        ("monthly:2026-08", "monthly", "2026-08"),
        ("search:llama 3 herd", "search", "llama 3 herd"),
        ("  Daily:2026-08-21 ", "daily", "2026-08-21"),
    ],
)
def test_feed_specs_parse(text: str, kind: str, value: str | None) -> None:
    spec = FeedSpec.parse(text)
    assert (spec.kind, spec.value) == (kind, value)
    assert FeedSpec.parse(str(spec)) == spec


@pytest.mark.parametrize(
    "text",
    [
        "",
        "bogus",
        "daily:2026-13-01",
        "daily:20260821",
        "weekly:2026-W60",
        "monthly:2026-8",
        "trending:2026-08-21",
        "search:",
        "search:" + "x" * 251,
    ],
)
def test_bad_feed_specs_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(FeedSpecError) as caught:
        FeedSpec.parse(text)
    assert "\n" not in str(caught.value) and str(caught.value)


def test_latest_specs_resolve_to_the_period_of_a_day() -> None:
    day = dt.date(2026, 8, 21)
    assert FeedSpec("daily").for_day(day) == FeedSpec("daily", "2026-08-21")
    assert FeedSpec("weekly").for_day(day) == FeedSpec("weekly", "2026-W34")
    assert FeedSpec("monthly").for_day(day) == FeedSpec("monthly", "2026-08")
    assert FeedSpec("daily").is_latest and not FeedSpec("daily", "2026-08-21").is_latest


def test_previous_and_next_periods() -> None:
    friday = FeedSpec.parse("daily:2026-08-21")
    assert str(friday.shifted(1)) == "daily:2026-08-24"  # the feed has no weekend batches
    assert str(friday.shifted(1).shifted(-1)) == "daily:2026-08-21"
    assert str(FeedSpec.parse("weekly:2026-W01").shifted(-1)) == "weekly:2025-W52"
    assert str(FeedSpec.parse("monthly:2026-12").shifted(1)) == "monthly:2027-01"
    assert str(FeedSpec.parse("monthly:2026-01").shifted(-1)) == "monthly:2025-12"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2501.00001", "2501.00001"),
        ("2501.00001v3", "2501.00001"),
        (" 1409.1234 ", "1409.1234"),
        ("../../etc/passwd", None),
        ("", None),
        ("2501.2", None),
        ("x/y?z", None),
        ("hep-th/9901001", None),
        ("2501.000011", None),
    ],
)
def test_arxiv_ids_are_versionless_or_refused(text: str, expected: str | None) -> None:
    assert normalize_arxiv_id(text) == expected


def _paper(**changes: object) -> Paper:
    base = Paper(
        id="2608.09888",
        title="T",
        authors=("A B", "C D"),
        abstract="x",
        fetched_at=dt.datetime(2026, 8, 21, tzinfo=dt.UTC),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_links_are_built_from_the_id() -> None:
    paper = _paper()
    assert paper.url == "https://huggingface.co/papers/2608.09888"
    assert paper.arxiv_url == "https://arxiv.org/abs/2608.09888"
    assert paper.pdf_url == "https://arxiv.org/pdf/2608.09888"


def test_json_round_trip_is_exact() -> None:
    paper = _paper(
        feed_day=dt.date(2026, 8, 11),
        published=dt.date(2026, 8, 10),
        stars=3,
        ai_keywords=("a", "b"),
        github="https://github.com/a/b",
        author_count=700,
    )
    assert Paper.from_json(paper.to_json()) == paper


def test_author_line_names_the_first_few_and_counts_the_rest() -> None:
    paper = _paper(authors=tuple(f"Author {i}" for i in range(10)), author_count=664)
    assert paper.author_line(2) == "Author 0, Author 1 and 662 more"
    assert _paper().author_line() == "A B, C D"


def test_merge_keeps_newest_metadata_and_latest_feed_day() -> None:
    early = _paper(
        upvotes=5, feed_day=dt.date(2026, 6, 16), fetched_at=dt.datetime(2026, 6, 16, tzinfo=dt.UTC)
    )
    late = _paper(
        upvotes=50,
        feed_day=dt.date(2026, 6, 10),
        fetched_at=dt.datetime(2026, 6, 20, tzinfo=dt.UTC),
    )
    for merged in (merge_papers(early, late), merge_papers(late, early)):
        assert merged.upvotes == 50
        assert merged.feed_day == dt.date(2026, 6, 16)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("2501.00001", "2501.00001"),
        ("2501.00001v2", "2501.00001"),
        ("arXiv:2501.00001", "2501.00001"),
        ("https://huggingface.co/papers/2501.00001", "2501.00001"),
        ("hf.co/papers/2501.00001?x=1", "2501.00001"),
        ("https://arxiv.org/abs/2501.00001v3", "2501.00001"),
        ("https://arxiv.org/pdf/2501.00001v1.pdf", "2501.00001"),
        ("http://export.arxiv.org/abs/2501.00001", "2501.00001"),
        ("https://evil.example/papers/2501.00001", None),
        ("../2501.00001", None),
        ("2501.1", None),
    ],
)
def test_paper_refs_name_a_versionless_id(ref: str, expected: str | None) -> None:
    assert paper_id_from_ref(ref) == expected


def test_records_are_values_that_cannot_change() -> None:
    paper = _paper()
    with pytest.raises(AttributeError):
        paper.title = "Changed"  # type: ignore[misc]
    assert replace(paper, title="Changed").title == "Changed" and paper.title != "Changed"
    assert paper == _paper() and hash(paper) == hash(_paper())
    assert {FeedSpec.parse("daily:2026-08-21"), FeedSpec("daily", "2026-08-21")} == {
        FeedSpec("daily", "2026-08-21")
    }


def test_a_bookmark_is_compared_and_hashed_without_the_keys_paperterm_does_not_know() -> None:
    added = dt.datetime(2026, 8, 21, tzinfo=dt.UTC)
    plain = Bookmark(_paper(), added, tags=("rl",))
    coloured = replace(plain, extra={"colour": "red"})
    assert coloured == plain and hash(coloured) == hash(plain)
    assert coloured.extra == {"colour": "red"}
    assert replace(plain, note="later") != plain and replace(plain, incomplete=True) != plain
    assert plain != plain.paper
