"""Import of paperterm JSON, BibTeX and CSL-JSON (ours and what Zotero, arXiv, Google Scholar,
biblatex and Mendeley write), the merge into existing bookmarks, and round trips."""

from __future__ import annotations

import datetime as dt
import json

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from test_export import ADDED, dino, hostile_bookmarks, real_bookmarks, sample

from paperterm.clean import clean_line
from paperterm.exchange.bibtex import latex_to_text, parse_bibtex
from paperterm.exchange.fields import is_clean_line
from paperterm.exchange.importer import (
    ImportFormatError,
    import_bibtex,
    import_csl_json,
    import_json,
    import_text,
)
from paperterm.exchange.keys import export_keys, keys_to_pin
from paperterm.exchange.merge import merge_bookmarks
from paperterm.exchange.writers import (
    JSON_FORMAT,
    bibtex_escape,
    markdown_escape,
    to_bibtex,
    to_csl_json,
    to_json,
)
from paperterm.models import Bookmark, Paper
from paperterm.records import replace

NOW = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)


def with_state(marks: list[Bookmark]) -> list[Bookmark]:
    """Bookmarks as the state holds them after export: keys pinned, some extra keys."""
    pins = keys_to_pin(marks)
    return [
        replace(
            b,
            cite_key=pins.get(b.id, b.cite_key),
            incomplete=i % 7 == 0,
            extra={"colour": "red", "seen": [1, 2], "nested": {"a": "b"}} if i % 4 == 0 else {},
        )
        for i, b in enumerate(marks)
    ]


# ---------------------------------------------------------------- paperterm JSON


def test_json_round_trip_into_an_empty_state_is_exact() -> None:
    marks = with_state(sample())
    first = to_json(marks)
    result = import_json(first, now=NOW)
    assert result.skipped == 0 and result.format == "json"
    merged = merge_bookmarks([], result.bookmarks)
    assert merged.added == tuple(b.id for b in marks)
    assert to_json(merged.bookmarks) == first


def test_json_import_gives_back_equal_bookmarks() -> None:
    marks = with_state(real_bookmarks())
    back = import_json(to_json(marks), now=NOW).bookmarks
    assert list(back) == marks
    assert [b.extra for b in back] == [b.extra for b in marks]


def test_json_import_through_import_text_too() -> None:
    marks = with_state(real_bookmarks()[:5])
    assert import_text("\ufeff" + to_json(marks), now=NOW).bookmarks == tuple(marks)


def _backup(*rows: object) -> str:
    return json.dumps({"format": JSON_FORMAT, "version": 1, "bookmarks": list(rows)})


def _row(**paper: object) -> dict[str, object]:
    body = {"id": "2501.00001", "title": "T", "authors": ["Ann Lee"], "abstract": "A", **paper}
    return {"paper": body, "added_at": "2026-01-02T03:04:05Z", "tags": ["t"], "note": "n"}


def test_json_import_cleans_everything_it_reads() -> None:
    row = _row(
        title="\x1b]52;c;aGk=\x07Evil\u202e title\nwrapped",
        github="javascript:alert(1)",
        project_page=" https://ok.example/p",
        upvotes=-5,
        stars="10",
        published="soon",
        authors=["Ann\x1b[31m Lee", 42, "", "Bo\u200b Li"],
        ai_keywords=["k", "k", 3],
        fetched_at="2026-01-01T00:00:00",
        abstract="para one\nwrapped\n\n\npara two",
    )
    row.update(
        tags=["ok", "", "ok", "a\nb", 7],
        note="bad \ud800 surrogate\x07",
        cite_key="bad key}",
        extra={"keep": "x\ud800", "drop": None, "deep": {"n": [1, None]}},
        incomplete="yes",
    )
    (mark,) = import_json(_backup(row), now=NOW).bookmarks
    paper = mark.paper
    assert paper.title == "Evil title wrapped"
    assert paper.authors == ("Ann Lee", "Bo Li")
    assert paper.github is None and paper.project_page == "https://ok.example/p"
    assert paper.upvotes == 0 and paper.stars is None and paper.published is None
    assert paper.ai_keywords == ("k",)
    assert paper.fetched_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert paper.abstract == "para one wrapped\n\npara two"
    assert mark.tags == ("ok", "a b")
    assert mark.note == "bad \ufffd surrogate"
    assert mark.cite_key is None and mark.incomplete is False
    assert mark.extra == {"keep": "x\ufffd", "deep": {"n": [1]}}
    assert mark.added_at == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def test_json_import_skips_bad_entries_with_reasons_and_keeps_the_rest() -> None:
    text = _backup(
        _row(),
        "not an object",
        {"paper": None},
        _row(id="../../etc/passwd"),
        _row(id="2501.00001v2"),
        {"paper": {"id": "2501.00002", "title": "ok"}},
    )
    result = import_json(text, now=NOW)
    assert [b.id for b in result.bookmarks] == ["2501.00001", "2501.00002"]
    assert result.skipped == 4
    assert result.reasons == (
        "bookmark 2: not an object",
        "bookmark 3: no paper object",
        "bookmark 4: bad paper id '../../etc/passwd'",
        "bookmark 5: 2501.00001 appears earlier in the file",
    )
    assert result.bookmarks[1].added_at == NOW  # the file did not say


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"format": "something-else", "bookmarks": []}', "not a paperterm bookmarks file"),
        (json.dumps({"format": JSON_FORMAT, "version": 2, "bookmarks": []}), "newer paperterm"),
        (
            json.dumps({"format": JSON_FORMAT, "version": "1", "bookmarks": []}),
            "bad format version",
        ),
        (json.dumps({"format": JSON_FORMAT, "version": 1, "bookmarks": {}}), "is not a list"),
    ],
)
def test_json_import_refuses_files_it_cannot_read(text: str, message: str) -> None:
    with pytest.raises(ImportFormatError, match=message):
        import_json(text, now=NOW)
    read_any = import_text if text.startswith("{") else import_csl_json
    with pytest.raises(ImportFormatError, match=message):
        read_any(text, now=NOW)


# ---------------------------------------------------------------- BibTeX

ARXIV_BIBTEX = (  # https://arxiv.org/bibtex/2411.04983, trailing spaces included
    "@misc{zhou2024dinowmworldmodelspretrained,\n"
    "      title={DINO-WM: World Models on Pre-trained Visual Features enable Zero-shot Planning}, \n"
    "      author={Gaoyue Zhou and Hengkai Pan and Yann LeCun and Lerrel Pinto},\n"
    "      year={2024},\n"
    "      eprint={2411.04983},\n"
    "      archivePrefix={arXiv},\n"
    "      primaryClass={cs.RO},\n"
    "      url={https://arxiv.org/abs/2411.04983}, \n"
    "}"
)

ZOTERO_BIBTEX = """
@misc{vaswani_attention_2023,
\ttitle = {Attention {Is} {All} {You} {Need}},
\turl = {http://arxiv.org/abs/1706.03762},
\tdoi = {10.48550/arXiv.1706.03762},
\tabstract = {The dominant sequence transduction models are based on complex recurrent or
convolutional neural networks.},
\turldate = {2024-05-01},
\tpublisher = {arXiv},
\tauthor = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
\tmonth = aug,
\tyear = {2023},
\tnote = {arXiv:1706.03762 [cs]},
\tkeywords = {Computer Science - Computation and Language},
}
"""

OTHER_BIBTEX = r"""
This text outside entries is ignored, as BibTeX ignores it: email@example.com.
@string{arx = "arXiv preprint "}
@comment{ @misc{hidden, eprint = {2401.09999}} }
@preamble{ "\newcommand{\noop}[1]{}" }

@article{scholar2020,
  title={Language models are few-shot learners},
  author={Brown, Tom and Mann, Benjamin and others},
  journal=arx # "arXiv:2005.14165",
  year={2020}
}

@online{Mueller2024,
  title = {{\c{C}}a va: {\ss}ome na\"ive {M{\"u}ller} \emph{models} -- 100\% \& more},
  author = {M{\"u}ller, J{\"o}rg and Dvo\v{r}{\'a}k, Ji{\v r}{\'\i} and de la Cruz, Jr., Juan},
  date = {2024-03-05},
  eprint = {2403.01234v2},
  eprinttype = {arxiv},
  annote = {my own note},
}

@article{mendeley,
  title = "Quoted {Title} here",
  arxivId = {2402.00001},
  month = jan,
}

@misc(paren2024, title = {Parenthesised}, url = {https://huggingface.co/papers/2402.00002})

@book{knuth1984, title = {The {\TeX}book}, author = {Knuth, Donald E.}, year = 1984}
@misc{oldstyle, title = {Old}, eprint = {hep-th/9901001}, archivePrefix = {arXiv}}
@misc{hal, title = {Hal}, eprint = {2402.00003}, eprinttype = {HAL}}
@misc{broken, title = oops here, eprint = {2402.00004}}
@misc{after_broken, title = {Still read}, doi = {https://doi.org/10.48550/ARXIV.2402.00005}}
@misc{pdf, title = {Old PDF link}, url = {http://arxiv.org/pdf/2402.00006v1.pdf}}
@misc{2402.00001dup, title = {Twice}, eprint = {2402.00001}}
"""


def test_bibtex_from_arxiv_is_read_with_its_key() -> None:
    (mark,) = import_bibtex(ARXIV_BIBTEX, now=NOW).bookmarks
    assert mark.id == "2411.04983" and mark.cite_key == "zhou2024dinowmworldmodelspretrained"
    assert mark.paper.title == dino().title and mark.paper.authors == dino().authors
    assert mark.incomplete and mark.added_at == NOW and mark.note == ""


def test_bibtex_from_zotero_is_read() -> None:
    (mark,) = import_bibtex(ZOTERO_BIBTEX, now=NOW).bookmarks
    assert mark.id == "1706.03762" and mark.cite_key == "vaswani_attention_2023"
    assert mark.paper.title == "Attention Is All You Need"
    assert mark.paper.authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")
    assert mark.paper.abstract.startswith("The dominant sequence transduction models are based")
    assert mark.note == ""  # Zotero's "arXiv:ID [cs]" note is not a user note


def test_bibtex_of_other_shapes_is_read_and_the_rest_skipped_with_reasons() -> None:
    result = import_bibtex(OTHER_BIBTEX, now=NOW)
    by_id = {b.id: b for b in result.bookmarks}
    assert list(by_id) == [
        "2005.14165",
        "2403.01234",
        "2402.00001",
        "2402.00002",
        "2402.00005",
        "2402.00006",
    ]
    scholar, mueller, mendeley = by_id["2005.14165"], by_id["2403.01234"], by_id["2402.00001"]
    assert scholar.paper.authors == ("Tom Brown", "Benjamin Mann")
    assert mueller.paper.title == "Ça va: ßome naïve Müller models – 100% & more"
    assert mueller.paper.authors == ("Jörg Müller", "Jiří Dvořák", "Juan de la Cruz Jr.")
    assert mueller.paper.published == dt.date(2024, 3, 5)
    assert mueller.note == "my own note" and mueller.cite_key == "Mueller2024"
    assert mendeley.paper.title == "Quoted Title here"
    assert by_id["2402.00002"].paper.title == "Parenthesised"
    assert by_id["2402.00005"].paper.title == "Still read"
    assert result.skipped == 5
    reasons = "\n".join(result.reasons)
    assert "@misc: expected ',' or '}'" in reasons
    for key in ("knuth1984", "oldstyle", "hal"):
        assert f"{{{key}}}: no new-style arXiv id" in reasons
    assert "@misc{2402.00001dup}: 2402.00001 appears earlier in the file" in reasons


def test_bibtex_round_trip_keeps_keys_titles_and_authors() -> None:
    marks = with_state(sample())
    result = import_bibtex(to_bibtex(marks), now=NOW)
    assert result.skipped == 0
    back = result.bookmarks
    assert [b.id for b in back] == [b.id for b in marks]
    assert [b.cite_key for b in back] == export_keys(marks)
    assert [b.paper.title for b in back] == [b.paper.title for b in marks]
    assert [b.paper.authors for b in back] == [b.paper.authors for b in marks]


def test_bibtex_parser_agrees_with_bibtexparser_on_our_output() -> None:
    text = to_bibtex(with_state(sample()))
    ours, errors = parse_bibtex(text)
    theirs = bibtexparser.parse_string(text).entries
    assert errors == []
    assert [(e.key, e.fields) for e in ours] == [
        (e.key, {f.key.lower(): f.value for f in e.fields}) for e in theirs
    ]


def test_bibtex_parser_survives_garbage() -> None:
    for text in (
        "@",
        "@misc",
        "@misc{",
        "@misc{k,",
        "@misc{k, title = {",
        '@misc{k, t = "a{"}',
        "@misc{k, = x}",
        "@@@{{{",
        "@misc{k, t = {a} # }",
        "}" * 50 + "@misc{k}",
    ):
        entries, _ = parse_bibtex(text)
        assert all(e.key == "k" for e in entries), text
        assert import_bibtex(text, now=NOW).bookmarks == ()


# ---------------------------------------------------------------- CSL-JSON

ZOTERO_CSL = [
    {
        "id": "http://zotero.org/users/local/a1b2/items/ABCD1234",
        "type": "article",
        "abstract": "We present DINO-WM.",
        "DOI": "10.48550/arXiv.2411.04983",
        "note": "arXiv:2411.04983 [cs]",
        "number": "arXiv:2411.04983",
        "publisher": "arXiv",
        "source": "arXiv.org",
        "title": "DINO-WM: World Models",
        "URL": "http://arxiv.org/abs/2411.04983",
        "author": [
            {"family": "Zhou", "given": "Gaoyue"},
            {"family": "Cruz", "given": "Juan", "non-dropping-particle": "de la", "suffix": "Jr."},
            {"literal": "The Team"},
        ],
        "accessed": {"date-parts": [["2024", 12, 1]]},
        "issued": {"date-parts": [["2024", 11, 7]]},
    },
    {
        "id": "vaswaniAttentionAllYou2017",
        "citation-key": "vaswaniAttentionAllYou2017",
        "type": "article-journal",
        "title": '<i>Attention</i> is all you <span class="nocase">need</span>',
        "container-title": "arXiv:1706.03762 [cs]",
        "issued": {"raw": "2017-06-12"},
    },
    {
        "id": "bare",
        "type": "article",
        "title": "Bare number",
        "number": "2402.00001",
        "publisher": "arXiv",
    },
    {"id": "isbn", "type": "book", "title": "The TeXbook", "number": "2402.00009"},
    42,
]


def test_csl_json_from_zotero_and_others_is_read() -> None:
    result = import_csl_json(json.dumps(ZOTERO_CSL), now=NOW)
    dino_mark, vaswani, bare = result.bookmarks
    assert dino_mark.id == "2411.04983" and dino_mark.cite_key is None  # a URL is not a key
    assert dino_mark.paper.authors == ("Gaoyue Zhou", "Juan de la Cruz Jr.", "The Team")
    assert dino_mark.paper.published == dt.date(2024, 11, 7)
    assert dino_mark.note == "" and dino_mark.paper.abstract == "We present DINO-WM."
    assert vaswani.id == "1706.03762" and vaswani.cite_key == "vaswaniAttentionAllYou2017"
    assert vaswani.paper.title == "Attention is all you need"
    assert vaswani.paper.published == dt.date(2017, 6, 12)
    assert bare.id == "2402.00001"
    assert result.skipped == 2
    assert result.reasons == ("item 4: no new-style arXiv id", "item 5: not an object")


def test_csl_json_round_trip_keeps_keys_titles_authors_and_notes() -> None:
    marks = with_state(sample())
    text = to_csl_json(marks)
    back = import_text(text, now=NOW)
    assert back.format == "csl-json" and back.skipped == 0
    assert [b.cite_key for b in back.bookmarks] == export_keys(marks)
    assert [b.paper.title for b in back.bookmarks] == [b.paper.title for b in marks]
    assert [b.paper.authors for b in back.bookmarks] == [b.paper.authors for b in marks]
    assert [b.paper.published for b in back.bookmarks] == [b.paper.published for b in marks]
    assert [b.note for b in back.bookmarks] == [item.get("note", "") for item in json.loads(text)]
    assert (
        back.bookmarks[-len(hostile_bookmarks())].note
        == '=HYPERLINK("http://evil.example")\nsecond line'
    )


def test_a_single_csl_object_is_read_as_one_item() -> None:
    result = import_text(json.dumps(ZOTERO_CSL[0]), now=NOW)
    assert result.format == "csl-json" and [b.id for b in result.bookmarks] == ["2411.04983"]


@pytest.mark.parametrize("text", ["", "just words", "\ufeff  \n"])
def test_import_text_refuses_what_it_cannot_recognise(text: str) -> None:
    with pytest.raises(ImportFormatError):
        import_text(text, now=NOW)


def test_import_text_tells_the_formats_apart() -> None:
    assert import_text(ARXIV_BIBTEX, now=NOW).format == "bibtex"
    assert import_text(json.dumps(ZOTERO_CSL), now=NOW).format == "csl-json"
    assert import_text(to_json([]), now=NOW).format == "json"


# ---------------------------------------------------------------- merge


def _mark(paper_id: str, **changes: object) -> Bookmark:
    paper = Paper(paper_id, f"Title {paper_id}", ("Ann Lee",), "A", fetched_at=ADDED)
    return replace(Bookmark(paper, ADDED), **changes)


def test_merge_adds_new_bookmarks_after_the_existing_ones() -> None:
    existing = [_mark("2501.00001")]
    result = merge_bookmarks(existing, [_mark("2501.00002"), _mark("2501.00003")])
    assert [b.id for b in result.bookmarks] == ["2501.00001", "2501.00002", "2501.00003"]
    assert result.added == ("2501.00002", "2501.00003") and result.updated == ()


def test_merge_keeps_existing_tags_notes_key_and_date_and_adds_new_ones() -> None:
    old = _mark(
        "2501.00001",
        tags=("a", "b"),
        note="mine",
        cite_key="lee2025",
        added_at=ADDED,
        extra={"x": 1},
    )
    new = _mark(
        "2501.00001",
        tags=("b", "c"),
        note="theirs",
        cite_key="other2025",
        added_at=NOW,
        extra={"x": 2, "y": 3},
    )
    result = merge_bookmarks([old], [new])
    (merged,) = result.bookmarks
    assert merged.tags == ("a", "b", "c")
    assert merged.note == "mine\n\ntheirs"
    assert merged.cite_key == "lee2025" and merged.added_at == ADDED
    assert merged.extra == {"x": 1, "y": 3}
    assert result.updated == ("2501.00001",) and result.added == ()


def test_merge_is_idempotent() -> None:
    old = [_mark("2501.00001", tags=("a",), note="mine")]
    new = [_mark("2501.00001", tags=("b",), note="theirs"), _mark("2501.00002")]
    once = merge_bookmarks(old, new)
    twice = merge_bookmarks(once.bookmarks, new)
    assert twice.bookmarks == once.bookmarks
    assert twice.added == () and twice.updated == ()
    assert twice.unchanged == ("2501.00001", "2501.00002")


def test_merge_takes_a_key_only_when_none_is_pinned_and_nobody_else_has_it() -> None:
    existing = [_mark("2501.00001"), _mark("2501.00002", cite_key="taken")]
    imported = [
        _mark("2501.00001", cite_key="fresh"),
        _mark("2501.00003", cite_key="TAKEN"),
        _mark("2501.00004", cite_key="fresh"),
    ]
    result = merge_bookmarks(existing, imported)
    keys = {b.id: b.cite_key for b in result.bookmarks}
    assert keys == {
        "2501.00001": "fresh",
        "2501.00002": "taken",
        "2501.00003": None,
        "2501.00004": None,
    }
    assert result.dropped_keys == ("2501.00003", "2501.00004")
    assert set(keys_to_pin(result.bookmarks)) == {"2501.00003", "2501.00004"}


def test_merge_fills_an_incomplete_snapshot_but_never_degrades_a_complete_one() -> None:
    full = _mark("2501.00001", note="kept")
    partial = _mark("2501.00001", incomplete=True, paper=Paper("2501.00001", "Partial", (), ""))
    upgraded = merge_bookmarks([partial], [full]).bookmarks[0]
    assert upgraded.paper == full.paper and not upgraded.incomplete and upgraded.note == "kept"
    kept = merge_bookmarks([full], [partial])
    assert kept.bookmarks[0] == full and kept.unchanged == ("2501.00001",)


def test_merge_of_two_complete_snapshots_keeps_the_newer_fetch() -> None:
    old = _mark("2501.00001")
    newer = replace(old, paper=replace(old.paper, upvotes=50, fetched_at=NOW))
    older = replace(
        old, paper=replace(old.paper, upvotes=1, fetched_at=ADDED - dt.timedelta(days=9))
    )
    assert merge_bookmarks([old], [newer]).bookmarks[0].paper.upvotes == 50
    assert merge_bookmarks([old], [older]).bookmarks[0].paper.upvotes == 0


def test_bibtex_import_merged_into_a_state_keeps_its_keys_and_notes() -> None:
    marks = with_state(real_bookmarks()[:20])
    imported = import_bibtex(to_bibtex(marks), now=NOW).bookmarks
    result = merge_bookmarks(marks, imported)
    assert result.bookmarks == tuple(marks)  # nothing new in a citation record
    assert result.unchanged == tuple(b.id for b in marks)
    into_empty = merge_bookmarks([], imported)
    assert [b.cite_key for b in into_empty.bookmarks] == [b.cite_key for b in marks]


# ---------------------------------------------------------------- properties

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_fast_clean_check_never_skips_a_needed_cleaning(text: str) -> None:
    if is_clean_line(text, 500):
        assert clean_line(text, 500) == text


def test_fast_clean_check_agrees_on_every_bmp_character() -> None:
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = f"a{chr(code)}b"
        if is_clean_line(text, 500):
            assert clean_line(text, 500) == text, hex(code)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_any_title_survives_bibtex_escaping_exactly(text: str) -> None:
    title = clean_line(text)
    escaped = bibtex_escape(title)
    (entry,) = bibtexparser.parse_string(f"@misc{{k,\n  title={{{escaped}}},\n}}\n").entries
    assert entry.fields_dict["title"].value == escaped
    assert latex_to_text(escaped) == title


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_any_title_is_literal_text_in_markdown(text: str) -> None:
    title = clean_line(text)
    tokens = MarkdownIt("commonmark", {"html": True}).parseInline(
        f"[{markdown_escape(title)}](https://example.org/x)"
    )
    children = tokens[0].children or []
    if not title:
        return
    types = [c.type for c in children]
    assert types[:1] == ["link_open"] and types.count("link_open") == 1
    assert "html_inline" not in types
    end = next(i for i, c in enumerate(children) if c.type == "link_close")
    assert "".join(c.content for c in children[1:end]) == title
