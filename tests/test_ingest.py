"""Raw API items -> Paper: every quirk of docs/hf-api.md and the text hazards A7-A14."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hf_data import NOW, collection_items, day_items, load

from paperterm.clean import ABSTRACT_MAX, AUTHORS_MAX, TITLE_MAX, clean_abstract, clean_line
from paperterm.feed.ingest import ingest_items, paper_from_item


def _item() -> dict[str, Any]:
    """A real, current-shape item (2026-08-21) to damage in tests."""
    return copy.deepcopy(day_items("2026-08-21")[0])


def test_every_real_fixture_item_is_ingested() -> None:
    items = collection_items()
    result = ingest_items(items, NOW, "daily")
    assert result.skipped == 0
    # 9,881 items hold 9,877 ids: the same paper listed on two feed days becomes one entry.
    assert len(items) == 9881 and len(result.papers) == 9877


def test_current_shape_fields() -> None:
    paper = paper_from_item(_item(), NOW, "daily")
    raw = _item()["paper"]
    assert paper.id == raw["id"]
    assert paper.title == raw["title"]
    assert paper.authors == tuple(a["name"] for a in raw["authors"])
    assert paper.upvotes == raw["upvotes"]
    assert paper.comments == _item()["numComments"]
    assert paper.feed_day == dt.date(2026, 8, 21)
    assert paper.published == dt.date.fromisoformat(raw["publishedAt"][:10])
    assert paper.fetched_at == NOW
    assert paper.url == f"https://huggingface.co/papers/{raw['id']}"


def test_optional_fields_from_the_paper_info_fixture() -> None:
    paper = paper_from_item(load("paper_info/2608.09888.json"), NOW, "paper")
    assert paper.github == "https://github.com/pathwaycom/arc-task-gen"
    assert paper.stars == 11184
    assert paper.project_page is not None and paper.project_page.startswith("https://pathway.com/")
    assert paper.ai_summary and paper.ai_summary.startswith("A 150M-parameter")
    assert "ARC-AGI-1" in paper.ai_keywords
    assert paper.organization == "Pathway"
    assert paper.submitter == "Jan Chorowski"
    assert paper.feed_day == dt.date(2026, 8, 11)


def test_oldest_shape_uses_top_level_published_at_as_feed_day() -> None:
    # 2024 items have no submittedOnDailyAt; the top-level publishedAt was the feed time then.
    items = load("daily_papers/raw/date_2024-03-12.json")
    result = ingest_items(items, NOW, "daily")
    assert result.skipped == 0 and len(result.papers) == len(items)
    assert {p.feed_day for p in result.papers} == {dt.date(2024, 3, 12)}
    first = result.papers[0]
    assert first.github is None and first.stars is None and first.ai_keywords == ()
    assert first.organization is None and first.submitter is None


def test_feed_day_comes_from_submitted_on_daily_not_the_shifted_published_at() -> None:
    # 2025-03…: top-level publishedAt = arXiv time minus the New York offset (often the
    # previous day); the feed day is paper.submittedOnDailyAt.
    for item in load("daily_papers/reserialized/date_2025-03-17.json"):
        paper = paper_from_item(item, NOW, "daily")
        assert paper.feed_day == dt.date(2025, 3, 17)


def test_hard_wrapped_titles_and_abstracts_are_unwrapped_keeping_paragraphs() -> None:
    items = load("daily_papers/reserialized/date_2024-05-27.json")
    wrapped = [i for i in items if "\n" in i["paper"]["title"]]
    assert wrapped, "fixture should hold hard-wrapped titles"
    for item in wrapped:
        paper = paper_from_item(item, NOW, "daily")
        assert "\n" not in paper.title and "  " not in paper.title
    abstract = "First line\nwraps here.\n  A second paragraph\nalso wraps.\n\nThird."
    assert (
        clean_abstract(abstract)
        == "First line wraps here.\n\nA second paragraph also wraps.\n\nThird."
    )


def test_paper_title_is_preferred_over_the_submitters_latex_title() -> None:
    item = _item()
    item["title"] = "$\\mu$LO: the submitter's LaTeX"
    item["paper"]["title"] = "μLO: arXiv's title"
    assert paper_from_item(item, NOW, "daily").title == "μLO: arXiv's title"
    del item["paper"]["title"]
    assert paper_from_item(item, NOW, "daily").title == "$\\mu$LO: the submitter's LaTeX"


def test_project_page_with_leading_space_is_trimmed_and_only_web_links_survive() -> None:
    item = _item()
    item["paper"]["projectPage"] = "  https://example.org/p"
    item["paper"]["githubRepo"] = "javascript:alert(1)"
    paper = paper_from_item(item, NOW, "daily")
    assert paper.project_page == "https://example.org/p"
    assert paper.github is None
    for bad in (
        "file:///etc/passwd",
        "-incognito",
        "//evil.example",
        "https://u:p@x.org",
        "https://x.org/\nrm -rf",
        "data:text/html,x",
        "ssh://host",
    ):
        item["paper"]["projectPage"] = bad
        assert paper_from_item(item, NOW, "daily").project_page is None, bad


def test_relative_avatar_urls_and_unknown_keys_do_not_matter() -> None:
    item = _item()
    item["paper"]["authors"][0]["user"] = {"avatarUrl": "/avatars/x.svg", "user": "someone"}
    item["paper"]["brandNewKey"] = {"nested": [1, 2]}
    item["somethingElse"] = None
    assert paper_from_item(item, NOW, "daily").authors[0] == item["paper"]["authors"][0]["name"]


def test_duplicate_ids_collapse_keeping_the_later_feed_day() -> None:
    first = _item()
    second = copy.deepcopy(first)
    second["paper"]["submittedOnDailyAt"] = "2026-08-27T00:00:00.000Z"
    second["paper"]["upvotes"] = first["paper"]["upvotes"] + 10
    other = day_items("2026-08-21")[1]
    result = ingest_items([first, other, second], NOW, "daily")
    assert [p.id for p in result.papers] == [first["paper"]["id"], other["paper"]["id"]]
    assert result.papers[0].feed_day == dt.date(2026, 8, 27)


def test_version_suffix_is_dropped_from_ids() -> None:
    item = _item()
    item["paper"]["id"] = item["paper"]["id"] + "v2"
    assert paper_from_item(item, NOW, "daily").id == _item()["paper"]["id"]


def _broken(mutate: str) -> Any:
    item = _item()
    paper = item["paper"]
    match mutate:
        case "not-an-object":
            return "2501.00001"
        case "number":
            return 42
        case "null":
            return None
        case "no-paper":
            del item["paper"]
        case "bad-id":
            paper["id"] = "../../etc/passwd"
        case "numeric-id":
            paper["id"] = 2501.2
        case "no-title":
            del paper["title"]
            del item["title"]
        case "no-abstract":
            del paper["summary"]
            item.pop("summary", None)
        case "authors-not-list":
            paper["authors"] = "Someone"
        case "upvotes-string":
            paper["upvotes"] = "12"
        case "no-published":
            del paper["publishedAt"]
    return item


BROKEN = [
    "not-an-object",
    "number",
    "null",
    "no-paper",
    "bad-id",
    "numeric-id",
    "no-title",
    "no-abstract",
    "authors-not-list",
    "upvotes-string",
    "no-published",
]


def test_bad_items_are_skipped_and_counted_never_fatal() -> None:
    good = day_items("2026-08-21")[:3]
    result = ingest_items([*good[:2], *(_broken(m) for m in BROKEN), good[2]], NOW, "daily")
    assert len(result.papers) == 3
    assert result.skipped == len(BROKEN)
    assert result.skipped_note == f"{len(BROKEN)} items skipped (bad data)"


def test_optional_fields_with_wrong_types_are_treated_as_missing() -> None:
    item = _item()
    paper = item["paper"]
    paper.update(
        githubStars="many",
        githubRepo=7,
        ai_keywords="not a list",
        ai_summary=None,
        organization="Org as a string",
    )
    item["numComments"] = -3
    result = paper_from_item(item, NOW, "daily")
    assert (result.stars, result.github, result.ai_keywords, result.ai_summary) == (
        None,
        None,
        (),
        None,
    )
    assert result.organization is None and result.comments == 0


def test_empty_title_gets_a_placeholder() -> None:
    item = _item()
    item["paper"]["title"] = " \n\t "
    paper = paper_from_item(item, NOW, "daily")
    assert paper.title == f"(untitled {paper.id})"


HOSTILE = {
    "csi": ("Clear\x1b[2Jscreen", "Clearscreen"),
    "osc52": ("Copy\x1b]52;c;ZXZpbA==\x1b\\me", "Copyme"),
    "osc52-bel": ("Copy\x1b]52;c;ZXZpbA==\x07me", "Copyme"),
    "osc8": ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),
    "osc0": ("\x1b]0;pwned\x07Title", "Title"),
    "c1-csi": ("a\x9b31mb", "ab"),
    "c1": ("a\x85b\x90c", "a b"),  # NEL is a line break; DCS eats to the end
    "nul-del": ("a\x00b\x7fc", "abc"),
    "bidi": ("exe\u202egnp.exe\u202c \u2066x\u2069", "exegnp.exe x"),
    "zero-width": ("zero\u200bwidth\u2060join\ufeff", "zerowidthjoin"),
    "surrogate": ("lone \ud800 surrogate", "lone \ufffd surrogate"),
    "tabs-newlines": ("a\tb\nc\r\nd", "a b c d"),
    "markup": ("[@click=app.quit]x[/] [CLS] [b]bold", "[@click=app.quit]x[/] [CLS] [b]bold"),
    "keep-zwj": ("👩\u200d💻 and \u200cفارسی", "👩\u200d💻 and \u200cفارسی"),
    "nfc": ("Cafe\u0301", "Café"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_text_is_cleaned_once_at_ingestion(case: str) -> None:
    raw, expected = HOSTILE[case]
    assert clean_line(raw) == expected
    item = _item()
    item["paper"]["title"] = raw
    item["paper"]["authors"][0]["name"] = raw
    item["paper"]["summary"] = raw
    paper = paper_from_item(item, NOW, "daily")
    assert paper.title == expected
    assert paper.authors[0] == expected
    assert paper.abstract == clean_abstract(raw)
    for text in (paper.title, paper.abstract, *paper.authors):
        assert not any(0x80 <= ord(ch) <= 0x9F or (ord(ch) < 0x20 and ch != "\n") for ch in text)
        text.encode("utf-8")  # never a lone surrogate


def test_hostile_items_survive_a_json_round_trip_from_the_wire() -> None:
    wire = json.dumps([{**_item(), "paper": {**_item()["paper"], "title": "a\\ud800b"}}])
    items = json.loads(wire.replace("\\\\ud800", "\\ud800"))
    paper = ingest_items(items, NOW, "daily").papers[0]
    assert paper.title == "a\ufffdb"


def test_absurd_lengths_are_capped_and_marked() -> None:
    item = _item()
    item["paper"]["title"] = "T" * 5000
    item["paper"]["summary"] = "word " * 300_000
    item["paper"]["authors"] = [
        {"_id": "x", "name": f"Author {i}", "hidden": False} for i in range(20_000)
    ]
    paper = paper_from_item(item, NOW, "daily")
    assert len(paper.title) == TITLE_MAX and paper.title.endswith("…")
    assert len(paper.abstract) <= ABSTRACT_MAX and paper.abstract.endswith("…")
    assert len(paper.authors) == AUTHORS_MAX
    assert paper.authors_total == 20_000
    assert paper.author_line(3).endswith("and 19997 more")


def test_search_results_in_both_shapes() -> None:
    result = ingest_items(load("papers_search/q-llama-3-herd_captured-2025-05.json"), NOW, "search")
    assert result.skipped == 0
    assert result.papers[0].title == "The Llama 3 Herd of Models"
    # Search can return papers never featured on Daily Papers: no feed day then.
    assert all(p.feed_day is None or p.feed_day.year >= 2023 for p in result.papers)
    # The 2024 search shape: id, title, thumbnailUrl, source only.
    old = ingest_items(
        [
            {
                "id": "2407.21783",
                "title": "The Llama 3 Herd of Models",
                "thumbnailUrl": "https://x.org/t.png",
                "source": "hf",
            }
        ],
        NOW,
        "search",
    )
    assert old.papers[0].id == "2407.21783" and old.papers[0].authors == ()


@pytest.mark.parametrize(
    ("paper_id", "title"),
    [
        (
            "2508.15881",
            "TPLA: Tensor Parallel Latent Attention for Efficient Disaggregated "
            "Prefill & Decode Inference",
        ),
        ("2603.07980", "$OneMillion-Bench: How Far are Language Agents from Human Experts?"),
        (
            "2604.17388",
            "Back to Repair: A Minimal Denoising Network for Time Series Anomaly Detection",
        ),
    ],
)
def test_arxiv_tex_escapes_in_titles_become_their_characters(paper_id: str, title: str) -> None:
    """The defect: "Prefill \\& Decode" and "\\$OneMillion-Bench" shown and exported as is."""
    (item,) = [i for i in collection_items() if i["paper"]["id"] == paper_id]
    assert paper_from_item(item, NOW, "daily").title == title


def test_only_the_simple_tex_escapes_are_undone() -> None:
    item = _item()
    item["paper"]["title"] = r"$\alpha$-Nets: 100\% \_ a \\& b \# c"
    assert paper_from_item(item, NOW, "daily").title == r"$\alpha$-Nets: 100% _ a \\& b # c"
