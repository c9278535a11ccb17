"""The filter language: parsing every form, malformed input, matching, ranking, highlights."""

from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
from collections.abc import Callable
from functools import cache

import pytest
from hf_data import NOW, collection_items, day_items
from hypothesis import given, settings
from hypothesis import strategies as st

from paperterm.feed.ingest import ingest_items
from paperterm.models import Paper
from paperterm.query import (
    PaperIndex,
    Query,
    QueryError,
    RangeTerm,
    SearchContext,
    StateTerm,
    TextTerm,
    highlight_spans,
    parse_query,
)

TODAY = dt.date(2026, 8, 21)


def _day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def _only(text: str) -> object:
    """The single term of a query that must parse cleanly."""
    query = parse_query(text)
    assert query.errors == ()
    assert len(query.terms) == 1
    return query.terms[0]


# ---------------------------------------------------------------------------------------------
# Parsing


def test_free_words_exclusions_and_phrases() -> None:
    query = parse_query('video  -diffusion "large language" -"mixture of"')
    assert query.errors == ()
    assert query.terms == (
        TextTerm("any", "video", False, False, (0, 5)),
        TextTerm("any", "diffusion", False, True, (7, 17)),
        TextTerm("any", "large language", True, False, (18, 34)),
        TextTerm("any", "mixture of", True, True, (35, 48)),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title:diffusion", TextTerm("title", "diffusion", False, False, (0, 15))),
        ("Title:Diffusion", TextTerm("title", "Diffusion", False, False, (0, 15))),
        ("author:lecun", TextTerm("author", "lecun", False, False, (0, 12))),
        ('author:"Yann LeCun"', TextTerm("author", "Yann LeCun", True, False, (0, 19))),
        ("kw:rlhf", TextTerm("kw", "rlhf", False, False, (0, 7))),
        ("keyword:rlhf", TextTerm("kw", "rlhf", False, False, (0, 12))),
        ("org:nvidia", TextTerm("org", "nvidia", False, False, (0, 10))),
        ('org:"Meta AI"', TextTerm("org", "Meta AI", True, False, (0, 13))),
        ("tag:toread", TextTerm("tag", "toread", False, False, (0, 10))),
        ('-title:"world model"', TextTerm("title", "world model", True, True, (0, 20))),
    ],
)
def test_field_terms(text: str, expected: TextTerm) -> None:
    assert _only(text) == expected


@pytest.mark.parametrize(
    ("text", "state", "negated"),
    [
        ("is:unread", "unread", False),
        ("is:read", "read", False),
        ("IS:Bookmarked", "bookmarked", False),
        ("has:code", "code", False),
        ("has:summary", "summary", False),
        ("-is:read", "read", True),
        ("-has:code", "code", True),
    ],
)
def test_state_terms(text: str, state: str, negated: bool) -> None:
    assert _only(text) == StateTerm(state, negated, (0, len(text)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "field", "low", "high"),
    [
        ("up:>50", "up", 51, None),
        ("up:>=50", "up", 50, None),
        ("up:<50", "up", None, 49),
        ("up:<=50", "up", None, 50),
        ("up:=50", "up", 50, 50),
        ("up:50", "up", 50, 50),
        ("upvotes:10..20", "up", 10, 20),
        ("up:10..", "up", 10, None),
        ("up:..20", "up", None, 20),
        ("stars:>=100", "stars", 100, None),
        ("comments:>0", "comments", 1, None),
        ("-Comments:0", "comments", 0, 0),
    ],
)
def test_number_terms(text: str, field: str, low: int | None, high: int | None) -> None:
    term = _only(text)
    assert term == RangeTerm(field, low, high, text.startswith("-"), (0, len(text)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("age:<7d", None, 6),
        ("age:<=7d", None, 7),
        ("age:7d", None, 7),  # no operator: "within"
        ("age:7", None, 7),  # days by default
        ("age:>2w", 15, None),
        ("age:=1w", 7, 7),
        ("age:<1m", None, 29),
        ("age:<=1y", None, 365),
        ("age:<3D", None, 2),
    ],
)
def test_age_terms(text: str, low: int | None, high: int | None) -> None:
    assert _only(text) == RangeTerm("age", low, high, False, (0, len(text)))


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("date:2026-08-01..2026-08-21", _day("2026-08-01"), _day("2026-08-21")),
        ("date:2026-08-01..", _day("2026-08-01"), None),
        ("date:..2026-08-21", None, _day("2026-08-21")),
        ("date:2026-08-21", _day("2026-08-21"), _day("2026-08-21")),
        ("date:2026-02", _day("2026-02-01"), _day("2026-02-28")),
        ("date:2024", _day("2024-01-01"), _day("2024-12-31")),
        ("date:2026-07..2026-08", _day("2026-07-01"), _day("2026-08-31")),
        ("date:>2026-08-20", _day("2026-08-21"), None),
        ("date:>=2026-08", _day("2026-08-01"), None),
        ("date:<2026-08", None, _day("2026-07-31")),
        ("date:<=2026-08-21", None, _day("2026-08-21")),
    ],
)
def test_date_terms(text: str, low: int | None, high: int | None) -> None:
    assert _only(text) == RangeTerm("date", low, high, False, (0, len(text)))


@pytest.mark.parametrize(
    ("text", "span", "message"),
    [
        ("up:>abc", (0, 7), "up: expects a number"),
        ("stars:lots", (0, 10), "stars: expects a number"),
        ("up:..", (0, 5), "up: expects a number"),
        ("up:50..10", (0, 9), "up: the range ends before it starts"),
        ("up:1234567890123", (0, 16), "up: expects a number"),
        ("age:<7x", (0, 7), "age: expects an age"),
        ("age:soon", (0, 8), "age: expects an age"),
        ("date:2026-13-01", (0, 15), "date: no such date 2026-13-01"),
        ("date:2026-02-30", (0, 15), "date: no such date 2026-02-30"),
        ("date:2026-00", (0, 12), "date: no such date 2026-00"),
        ("date:0000", (0, 9), "date: no such date 0000"),
        ("date:yesterday", (0, 14), "date: expects a date"),
        ("date:2026-08-21..2026-08-01", (0, 27), "date: the range ends before it starts"),
        ("date:..", (0, 7), "date: expects a date"),
        ("is:foo", (0, 6), "is: expects read, unread, bookmarked"),
        ("has:bugs", (0, 8), "has: expects code, summary"),
        ("title:", (0, 6), "title: needs a value"),
        ('author:""', (0, 9), "author: needs a value"),
        ("kw:+++", (0, 6), "kw: needs a letter or digit"),
        ("org:", (0, 4), "org: needs a value"),
        ('"unclosed phrase', (0, 16), "unclosed quote"),
        ('-"unclosed', (0, 10), "unclosed quote"),
        ('author:"Yann', (0, 12), "unclosed quote"),
    ],
)
def test_malformed_terms_are_reported_and_ignored(
    text: str, span: tuple[int, int], message: str
) -> None:
    query = parse_query(text)
    assert query.terms == ()
    assert query.is_empty
    (error,) = query.errors
    assert (error.start, error.end) == span
    assert error.message.startswith(message)


def test_a_bad_term_does_not_spoil_its_neighbours() -> None:
    query = parse_query('video up:>abc has:code is:nope "open phrase')
    assert [type(t).__name__ for t in query.terms] == ["TextTerm", "StateTerm"]
    assert [(e.start, e.end) for e in query.errors] == [(6, 13), (23, 30), (31, 43)]
    assert query.text[6:13] == "up:>abc" and query.text[23:30] == "is:nope"


def test_unknown_fields_are_plain_words() -> None:
    assert _only("foo:bar") == TextTerm("any", "foo:bar", False, False, (0, 7))
    assert _only("arXiv:2406.01234") == TextTerm("any", "arXiv:2406.01234", False, False, (0, 16))
    assert _only("-16:9") == TextTerm("any", "16:9", False, True, (0, 5))


def test_words_without_letters_or_digits_are_ignored_silently() -> None:
    for text in ("-", " - ", "&", "—", '""', "-- ++"):
        assert parse_query(text) == Query(text), text


def test_empty_and_title_terms() -> None:
    assert parse_query("").is_empty and parse_query("   ").is_empty
    assert not parse_query("a").is_empty and not parse_query("is:read").is_empty
    query = parse_query('Diffusion -video "world model" title:Sora author:lecun kw:rl')
    assert query.title_terms == ("Diffusion", "world model", "Sora")


def test_ranked_only_with_positive_text() -> None:
    assert parse_query("diffusion").ranked
    assert parse_query("author:lecun up:>5").ranked
    assert not parse_query("-diffusion is:unread up:>5 org:nvidia tag:x date:2026").ranked


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_parse_never_raises_on_any_text(text: str) -> None:
    query = parse_query(text)
    for error in query.errors:
        assert 0 <= error.start < error.end <= len(text)
    for term in query.terms:
        assert 0 <= term.span[0] < term.span[1] <= len(text)


_PIECES = st.sampled_from(
    ["-", '"', ":", "..", ">", ">=", "<", "=", "title:", "author:", "kw:", "org:", "tag:",
     "is:", "has:", "up:", "stars:", "comments:", "age:", "date:", "read", "code", "7d", "1w",
     "2026", "-08", "-21", "50", "x", "é", " ", "  "]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=12).map("".join))
def test_parse_never_raises_on_query_like_text(text: str) -> None:
    query = parse_query(text)
    assert all(0 <= e.start < e.end <= len(text) for e in query.errors)


# ---------------------------------------------------------------------------------------------
# Matching and ranking on made-up papers, where every field is under control


def _paper(paper_id: str, title: str = "Untitled", **fields: object) -> Paper:
    defaults: dict[str, object] = {"authors": ("A. Person",), "abstract": "Nothing here."}
    return Paper(id=paper_id, title=title, **{**defaults, **fields})  # type: ignore[arg-type]


def test_title_beats_author_beats_keyword_beats_abstract() -> None:
    index = PaperIndex(
        [
            _paper("abstract", abstract="We study the zephyr effect."),
            _paper("keyword", ai_keywords=("zephyr",)),
            _paper("author", authors=("Ann Zephyr",)),
            _paper("title", title="Zephyr: a model"),
            _paper("none", title="Unrelated"),
        ]
    )
    assert index.search("zephyr").ids == ("title", "author", "keyword", "abstract")
    # A typo in the title still outranks an exact match in an author's name.
    index = PaperIndex([_paper("author", authors=("Ann Zephyrus",)), _paper("t", "Zephyrus")])
    assert index.search("zepyhrus").ids == ("t", "author")


def test_exact_beats_prefix_beats_inside_beats_typo_and_ties_keep_order() -> None:
    index = PaperIndex(
        [
            _paper("typo", "Lava flows"),
            _paper("inside", "ConvLLaVA backbones"),
            _paper("prefix2", "LLaVAs everywhere"),
            _paper("exact2", "LLaVA again"),
            _paper("prefix", "LLaVA-HD, LLaVAs"),
            _paper("exact", "LLaVA"),
        ]
    )
    result = index.search("llava")
    assert result.ids[:4] == ("exact2", "prefix", "exact", "prefix2")
    assert result.ids[4:] == ("inside", "typo")  # "Lava" is one edit from "llava"
    assert index.search("llavva").ids[:2] == ("exact2", "prefix")


def test_every_word_must_match_and_scores_add_up() -> None:
    index = PaperIndex(
        [
            _paper("video only", "Video models"),
            _paper("both in abstract", abstract="video diffusion"),
            _paper("both in title", "Video diffusion"),
            _paper("split", "Video", abstract="diffusion"),
        ]
    )
    assert index.search("video diffusion").ids == ("both in title", "split", "both in abstract")


def test_short_words_match_whole_words_in_abstracts_only() -> None:
    index = PaperIndex(
        [
            _paper("abstract prefix", abstract="Reinforcement learning with RLHF."),
            _paper("abstract word", abstract="We use RL here."),
            _paper("title prefix", "RLHF at scale"),
        ]
    )
    assert index.search("rl").ids == ("title prefix", "abstract word")
    assert set(index.search("rlh").ids) == {"title prefix", "abstract prefix"}


def test_words_inside_other_words_need_four_characters() -> None:
    index = PaperIndex([_paper("organ", "Organisation of GANs"), _paper("inside", "StyleGANs")])
    assert index.search("gan").ids == ("organ",)  # GANs, a prefix; not "organisation"
    assert index.search("ganz").ids == ()
    assert index.search("lega").ids == ("inside",)
    assert index.search("ylegan").ids == ("inside",)


def test_digits_get_no_typo_tolerance() -> None:
    index = PaperIndex([_paper("2024", "Results of 20245"), _paper("2025", "Results of 20255")])
    assert index.search("20245").ids == ("2024",)


def test_exclusions_have_no_typo_tolerance_but_match_prefixes() -> None:
    index = PaperIndex(
        [_paper("model", "A model"), _paper("modal", "A modal view"), _paper("models", "Models")]
    )
    assert index.search("-model").ids == ("modal",)
    assert index.search("modle").ids == ("model", "models")  # "modal" is two edits away
    assert index.search("modol").ids == ("model", "modal", "models")  # one edit each: a tie


def test_phrases_match_in_order_at_word_starts() -> None:
    index = PaperIndex(
        [
            _paper("apart", "Language is a model of thought"),
            _paper("inside", "Metalanguage models"),
            _paper("abstract", abstract="Our large language models are better."),
            _paper("title", "Small Language Models"),
            _paper("other field", authors=("Language Models",)),
        ]
    )
    assert index.search('"language model"').ids == ("title", "other field", "abstract")
    assert index.search('-"language model"').ids == ("apart", "inside")
    assert index.search('title:"language model"').ids == ("title",)
    assert index.search('"languag models"').ids == ()  # no typos in a phrase
    assert index.search('"metalang"').ids == ("inside",)  # one word: a word start, no typos
    assert index.search('"anguage"').ids == ()


def test_author_phrase_stays_inside_one_name() -> None:
    index = PaperIndex(
        [
            _paper("across", authors=("Ann Yann", "LeCun Bob")),
            _paper("match", authors=("Jane Doe", "Yann LeCun")),
            _paper("title", "Yann LeCun interview"),
        ]
    )
    assert index.search('author:"yann lecun"').ids == ("match",)
    assert index.search("author:lecun").ids == ("across", "match")


def test_accents_and_case_are_folded() -> None:
    index = PaperIndex([_paper("fur", "FürElise"), _paper("tulu", "TÜLU 3", authors=("Jürgen X",))])
    assert index.search("furelise").ids == ("fur",)
    assert index.search("tülu").ids == ("tulu",)
    assert index.search('author:"jurgen"').ids == ("tulu",)


def test_fields_states_numbers_and_dates_on_made_up_papers() -> None:
    papers = [
        _paper("old", upvotes=5, comments=0, feed_day=dt.date(2026, 1, 5), stars=None),
        _paper("new", upvotes=80, comments=3, feed_day=dt.date(2026, 8, 20), stars=120,
               github="https://github.com/x/y", ai_summary="Short.", organization="NVIDIA",
               ai_keywords=("RLHF", "reward model")),
        _paper("searched", upvotes=51, published=dt.date(2026, 8, 18), stars=99,
               organization="Meta AI"),
    ]  # fmt: skip
    index = PaperIndex(papers)
    context = SearchContext(
        today=TODAY,
        read=frozenset({"old"}),
        bookmarked=frozenset({"new", "searched"}),
        tags={"new": ("ToRead", "rl"), "searched": ("rl",)},
    )

    def ids(text: str) -> tuple[str, ...]:
        return index.search(text, context).ids

    assert ids("up:>50") == ("new", "searched")
    assert ids("up:>=80") == ("new",) and ids("up:5") == ("old",)
    assert ids("up:..51") == ("old", "searched")
    assert ids("stars:>=100") == ("new",) and ids("stars:<1000") == ("new", "searched")
    assert ids("-stars:>=100") == ("old", "searched")  # no star count: not ">= 100"
    assert ids("comments:>0") == ("new",)
    assert ids("age:<7d") == ("new", "searched")  # the arXiv day stands in for "searched"
    assert ids("age:<2d") == ("new",) and ids("age:>1m") == ("old",)
    assert ids("date:2026-08-19..") == ("new",) and ids("date:2026-01") == ("old",)
    assert ids("date:2026-08-18") == ("searched",)
    assert ids("is:read") == ("old",) and ids("is:unread") == ("new", "searched")
    assert ids("is:bookmarked -is:unread") == ()
    assert ids("has:code") == ("new",) and ids("-has:summary") == ("old", "searched")
    assert ids("tag:rl") == ("new", "searched") and ids("tag:toread") == ("new",)
    assert ids("tag:nothing") == ()
    assert ids("org:nvidia") == ("new",) and ids('org:"meta ai"') == ("searched",)
    assert ids("org:ai") == ("searched",) and ids("org:eta") == ()
    assert ids("kw:reward") == ("new",) and ids('kw:"reward model"') == ("new",)
    assert ids("up:>50 -org:nvidia") == ("searched",)


def test_a_query_without_words_keeps_collection_order() -> None:
    papers = [_paper(f"p{i}", f"Paper {i}", upvotes=i) for i in (3, 9, 1, 7)]
    index = PaperIndex(papers)
    assert index.search("").ids == ("p3", "p9", "p1", "p7")
    assert index.search("up:>2").ids == ("p3", "p9", "p7")
    assert index.search("up:>2 -paper").ids == ()
    assert index.search("up:abc").ids == ("p3", "p9", "p1", "p7")  # the bad term is ignored


def test_repeated_ids_keep_their_first_place_and_empty_index_works() -> None:
    index = PaperIndex([_paper("a", "First"), _paper("b", "Second"), _paper("a", "Again")])
    assert len(index) == 2 and index.paper("a").title == "First"
    assert index.search("again").ids == ()
    empty = PaperIndex([])
    assert empty.search("anything is:read up:>1").ids == () and empty.search("").ids == ()


def test_result_gives_papers_total_and_highlights() -> None:
    index = PaperIndex([_paper("a", "Diffusion models"), _paper("b", "Other")])
    result = index.search("difusion")
    assert len(result) == 1 and result.total == 2
    assert result.papers == [index.paper("a")]
    assert result.highlights("a") == ((0, 9),)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_search_never_raises(text: str) -> None:
    result = _SMALL_INDEX.search(text, SearchContext(today=TODAY, tags={"a": ("x",)}))
    assert set(result.ids) <= {"a", "b", "c"}


_SMALL_INDEX = PaperIndex(
    [
        _paper("a", "Diffusion models for video", ai_keywords=("diffusion",), upvotes=3),
        _paper("b", "Ünïcödé title – with dashes", authors=("Zoë Ω",), stars=4),
        _paper("c", "", authors=(), abstract=""),
    ]
)


def test_concurrent_searches_agree_with_serial_ones() -> None:
    papers = [_paper(f"p{i}", f"Paper {i} on diffusion video models") for i in range(200)]
    index = PaperIndex(papers)
    queries = ["diff", "difusion video", "video -p1", '"video models"', "paper 1"]
    expected = {q: index.search(q).ids for q in queries}
    index.clear_cache()
    failures: list[str] = []

    def run() -> None:
        for _ in range(20):
            for q in queries:
                if index.search(q).ids != expected[q]:
                    failures.append(q)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


# ---------------------------------------------------------------------------------------------
# Highlighting


def _marked(title: str, text: str) -> list[str]:
    return [title[a:b] for a, b in highlight_spans(title, parse_query(text))]


def test_highlight_words_prefixes_typos_inside_and_phrases() -> None:
    title = "ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models"
    assert _marked(title, "hier back") == ["Hier", "Back"]
    assert _marked(title, "llava") == ["LLaVA"]
    assert _marked(title, "multimodl") == ["Multimodal"]
    assert _marked(title, '"large multimodal models"') == ["Large Multimodal Models"]
    assert _marked(title, "-visual author:ge kw:encoder org:x") == []
    assert _marked(title, "title:encoder models") == ["Encoder", "Models"]
    assert _marked(title, "model mode") == ["Model"]  # overlapping matches merge


def test_highlight_offsets_point_into_the_original_title() -> None:
    assert _marked("LLäMmlein: German-Only Models", "llammlein") == ["LLäMmlein"]
    assert _marked("Top-nσ: Not All Logits", "nσ logits") == ["nσ", "Logits"]
    assert _marked("ﬁne-tuning with ﬁles", "fine files") == ["ﬁne", "ﬁles"]
    assert _marked("Straße und Weg", "strasse") == ["Straße"]
    assert _marked("Cafe\u0301 Me\u0301lange", "cafe melange") == ["Cafe\u0301", "Me\u0301lange"]


# ---------------------------------------------------------------------------------------------
# The real fixture papers


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    return ingest_items(collection_items(), NOW, "daily").papers


@pytest.fixture(scope="module")
def index(papers: list[Paper]) -> PaperIndex:
    return PaperIndex(papers)


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def _has_word_start(text: str, word: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(_fold(word)), _fold(text)) is not None


@cache
def _all_text(paper: Paper) -> str:
    return _fold("\n".join((paper.title, *paper.authors, *paper.ai_keywords, paper.abstract)))


def _brute(papers: list[Paper], keep: Callable[[Paper], bool]) -> tuple[str, ...]:
    return tuple(p.id for p in papers if keep(p))


@pytest.mark.parametrize(
    ("text", "paper_id"),
    [
        ("memserve", "2406.17565"),
        ("memsrve", "2406.17565"),
        ("MemSerev", "2406.17565"),
        ("zebralogic", "2502.01100"),
        ("zebarlogic", "2502.01100"),
        ("convllava", "2405.15738"),
        ("convlava", "2405.15738"),
        ("tailbooster", "2608.11951"),
        ("tailboster", "2608.11951"),
        ("snobwalling", "2509.21789"),
        ("ConvLLaVA hierarchical", "2405.15738"),
        ("furelise", "2410.05791"),
    ],
)
def test_a_distinctive_title_word_puts_its_paper_first(
    index: PaperIndex, text: str, paper_id: str
) -> None:
    assert index.search(text).ids[0] == paper_id


def test_a_typo_still_finds_the_titles_with_the_word(
    index: PaperIndex, papers: list[Paper]
) -> None:
    for right, typo in (("diffusion", "difusion"), ("transformer", "trnasformer")):
        result = index.search(typo)
        assert _has_word_start(index.paper(result.ids[0]).title, right)
        in_titles = _brute(papers, lambda p, word=right: _has_word_start(p.title, word))
        assert set(in_titles) <= set(result.ids)


def test_title_matches_come_before_the_rest_on_real_papers(
    index: PaperIndex, papers: list[Paper]
) -> None:
    ids = index.search("diffusion").ids
    in_title = [_has_word_start(index.paper(i).title, "diffusion") for i in ids]
    assert any(in_title) and not all(in_title)
    assert in_title == sorted(in_title, reverse=True)
    # The whole word in the title scores highest, and those ties keep the feed's order.
    whole = _brute(papers, lambda p: "diffusion" in re.findall(r"\w+", p.title.casefold()))
    assert ids[: len(whole)] == whole


def test_every_word_must_match_on_real_papers(index: PaperIndex, papers: list[Paper]) -> None:
    ids = index.search("video diffusion").ids
    assert len(ids) > 100
    for paper_id in ids[:300]:
        text = _all_text(index.paper(paper_id))
        assert _has_word_start(text, "video") and _has_word_start(text, "diffusion")


def test_exclusion_on_real_papers(index: PaperIndex, papers: list[Paper]) -> None:
    expected = _brute(papers, lambda p: not _has_word_start(_all_text(p), "diffusion"))
    assert index.search("-diffusion").ids == expected
    both = index.search("video -diffusion").ids
    assert both and set(both) <= set(expected)


def test_phrase_on_real_papers(index: PaperIndex, papers: list[Paper]) -> None:
    expected = _brute(papers, lambda p: _has_word_start(_all_text(p), "mixture of experts"))
    assert sorted(index.search('"mixture of experts"').ids) == sorted(expected)
    assert 20 < len(expected) < len(index.search("mixture of experts").ids)


def test_fields_on_real_papers(index: PaperIndex, papers: list[Paper]) -> None:
    def same(text: str, keep: Callable[[Paper], bool]) -> None:
        assert sorted(index.search(text).ids) == sorted(_brute(papers, keep)), text

    same('author:"Yann LeCun"', lambda p: "Yann LeCun" in p.authors)
    assert len(index.search('author:"Yann LeCun"')) == 8
    same("org:nvidia", lambda p: _has_word_start(p.organization or "", "nvidia"))
    same('title:"world model"', lambda p: _has_word_start(p.title, "world model"))
    same('kw:"direct preference optimization"',
         lambda p: any(_has_word_start(k, "direct preference optimization") for k in p.ai_keywords))  # fmt: skip


def test_numbers_states_and_dates_on_real_papers(index: PaperIndex, papers: list[Paper]) -> None:
    read = frozenset(p.id for p in papers[::3])
    marked = frozenset(p.id for p in papers[::50])
    context = SearchContext(today=TODAY, read=read, bookmarked=marked, tags={papers[0].id: ("x",)})

    def same(text: str, keep: Callable[[Paper], bool]) -> None:
        # Without words to rank, the result is in collection order: compare as sequences.
        assert index.search(text, context).ids == _brute(papers, keep), text

    same("up:>50", lambda p: p.upvotes > 50)
    same("stars:>=100", lambda p: p.stars is not None and p.stars >= 100)
    same("comments:>0", lambda p: p.comments > 0)
    same("up:10..20 comments:0", lambda p: 10 <= p.upvotes <= 20 and p.comments == 0)
    same("has:code", lambda p: p.github is not None)
    same("has:summary -has:code", lambda p: bool(p.ai_summary) and p.github is None)
    same("is:read", lambda p: p.id in read)
    same("is:unread is:bookmarked", lambda p: p.id not in read and p.id in marked)
    same("tag:X", lambda p: p.id == papers[0].id)
    same("age:<7d", lambda p: (TODAY - p.feed_day).days < 7)  # type: ignore[operator]
    same("date:2026-08-01..2026-08-21",
         lambda p: dt.date(2026, 8, 1) <= p.feed_day <= TODAY)  # type: ignore[operator]  # fmt: skip
    same("date:2026-08-21", lambda p: p.feed_day == TODAY)
    assert len(index.search("date:2026-08-21", context)) == len(day_items("2026-08-21"))


def test_real_title_highlights(index: PaperIndex) -> None:
    result = index.search("difusion models")
    title = index.paper(result.ids[0]).title
    marked = [title[a:b].casefold() for a, b in result.highlights(result.ids[0])]
    assert "diffusion" in marked and any(m.startswith("model") for m in marked)


def test_query_errors_are_records() -> None:
    assert parse_query("is:x").errors == (QueryError(0, 4, "is: expects read, unread, bookmarked"),)
