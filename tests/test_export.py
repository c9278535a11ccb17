"""Exports and citation keys: every format parsed back with a real parser, on the real fixture
papers and on hostile titles, authors and notes. Importers and the merge: test_export_import.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema
import pytest
from hf_data import collection_items, day_items
from markdown_it import MarkdownIt
from pybtex.database import parse_string

from paperterm.clean import clean_line, clean_text
from paperterm.exchange.bibtex import split_names
from paperterm.exchange.formats import EXPORT_FORMATS
from paperterm.exchange.keys import citation_key, export_keys, is_valid_cite_key, keys_to_pin
from paperterm.exchange.latex import bibtex_title
from paperterm.exchange.names import Name, parse_bibtex_name, parse_name
from paperterm.exchange.ris import name_from_ris
from paperterm.exchange.writers import (
    CSV_COLUMNS,
    JSON_FORMAT,
    JSON_VERSION,
    export,
    to_bibtex,
    to_csl_json,
    to_csv,
    to_json,
    to_markdown,
    to_ris,
)
from paperterm.feed.ingest import ingest_items, paper_from_item
from paperterm.models import Bookmark, Paper
from paperterm.records import replace

FETCHED = dt.datetime(2026, 8, 21, 6, 0, tzinfo=dt.UTC)
ADDED = dt.datetime(2026, 8, 21, 12, 30, 15, tzinfo=dt.UTC)
CSL_SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "csl-data.json").read_text("utf-8"))

HOSTILE = (
    "} , author = {Evil}",
    "100% & #1 costs $5: a_b ^ ~ x",
    r"\input{/etc/passwd} \immediate\write18{rm -rf /}",
    "unbalanced { brace",
    "}}}{{{",
    "trailing backslash \\",
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "<script>alert(1)</script> <!-- hidden --> <img src=x onerror=alert(1)>",
    "[x](javascript:alert(1)) <javascript:alert(2)> &#106;avascript:alert(3)",
    "![pixel](http://evil.example/p.png) mail me: evil@example.com",
    "# heading | a | b | ~~strike~~ *em* _em_ `code` [^1]",
    "emoji 🚀🧠👩‍🔬 and RTL עברית العربية mixed",
    "Pass@k @misc{x, title={y}}",
    "He said \"quotes\" and 'single'",
)
HOSTILE_AUTHORS = (
    "Evil and Hacker",
    "Smith, John",
    "others",
    "Ann {Brace",
    "Zoë Müller-Łukasiewicz",
    "Hal Daumé III",
    "李 雷",
    "Single",
    "=cmd Formula",
    "<b>Bold</b> Person",
    "ÆØ ß\\Name",
)
HOSTILE_NOTES = (
    '=HYPERLINK("http://evil.example")\nsecond line',
    "<script>alert(1)</script>\n# not a heading\n- not a list\n1. not ordered",
    "} , note = {Evil} % comment \\input{x}",
    "[link](javascript:alert(1))\n\n\nafter blank lines",
    "lone surrogate \ud800 here",
    "ER  - \nTY  - JOUR\nTI  - injected",
)


def raw_item(paper_id: str, title: str, authors: tuple[str, ...], **paper: Any) -> dict[str, Any]:
    """An item as the daily feed sends it."""
    body = {
        "id": paper_id,
        "title": title,
        "summary": paper.pop("summary", "An abstract."),
        "authors": [{"name": a} for a in authors],
        "upvotes": paper.pop("upvotes", 3),
        "publishedAt": paper.pop("publishedAt", "2025-01-02T00:00:00.000Z"),
        **paper,
    }
    return {"paper": body, "numComments": 1}


def hostile_bookmarks() -> list[Bookmark]:
    """Hostile titles, authors and notes, the papers going through ingest as feed data does."""
    marks = []
    for i, title in enumerate(HOSTILE):
        authors = HOSTILE_AUTHORS[i % 3 :] + HOSTILE_AUTHORS[: i % 3]
        item = raw_item(
            f"2501.{10000 + i}",
            title,
            authors,
            summary=f"{title}\n\n{title}",
            githubRepo="javascript:alert(1)" if i % 2 else "https://github.com/a/b",
            githubStars=i,
            ai_keywords=[title, "plain"],
        )
        paper = paper_from_item(item, FETCHED, "daily")
        marks.append(
            Bookmark(
                paper,
                ADDED + dt.timedelta(minutes=i),
                tags=(clean_line(title[:20]), "tag two"),
                note=HOSTILE_NOTES[i % len(HOSTILE_NOTES)],
            )
        )
    return marks


@cache
def _day_papers() -> tuple[Paper, ...]:
    return tuple(ingest_items(day_items("2026-08-21"), FETCHED, "daily").papers)


@cache
def _all_papers() -> tuple[Paper, ...]:
    return tuple(ingest_items(collection_items(), FETCHED, "daily").papers)


def real_bookmarks() -> list[Bookmark]:
    """The 2026-08-21 feed day plus every 40th paper of the whole collection (~260)."""
    papers = list(_day_papers()) + [p for p in _all_papers()[::40] if p not in _day_papers()]
    return [
        Bookmark(p, ADDED, tags=("to-read",) if i % 2 else (), note="" if i % 3 else "Read it.")
        for i, p in enumerate(papers)
    ]


def sample() -> list[Bookmark]:
    return real_bookmarks() + hostile_bookmarks()


def dino(**changes: Any) -> Paper:
    """arXiv's own example: https://arxiv.org/bibtex/2411.04983."""
    paper = Paper(
        id="2411.04983",
        title="DINO-WM: World Models on Pre-trained Visual Features enable Zero-shot Planning",
        authors=("Gaoyue Zhou", "Hengkai Pan", "Yann LeCun", "Lerrel Pinto"),
        abstract="We present DINO-WM.",
        published=dt.date(2024, 11, 7),
    )
    return replace(paper, **changes)


# ---------------------------------------------------------------- citation keys


def test_key_follows_arxivs_rule_on_its_own_example() -> None:
    assert citation_key(dino()) == "zhou2024dinowmworldmodelspretrained"


@pytest.mark.parametrize(
    ("title", "authors", "expected"),
    [
        ("On the Use of All You Need", ("A B",), "b2025useneed"),
        ("All of the Above", ("A B",), "b2025"),  # every word a stop word
        ("Attention Is All You Need", ("Ashish Vaswani",), "vaswani2025attentionneed"),
        ("The Model: A Study, of Things", ("Zoë Müller",), "muller2025modelstudythings"),
        ("Łódź Straße Æther Ørsted", ("Jiří Dvořák",), "dvorak2025lodzstrasseaetherorsted"),
        (
            "Transformer^2: Self-adaptive LLMs",
            ("Hal Daumé III",),
            "daume2025transformer2selfadaptivellms",
        ),
        ("大模型 Survey", ("李 雷",), "2025survey"),
    ],
)
def test_key_words_stop_words_and_ascii_folding(
    title: str, authors: tuple[str, ...], expected: str
) -> None:
    paper = Paper("2501.00001", title, authors, "", published=dt.date(2025, 3, 1))
    assert citation_key(paper) == expected
    assert is_valid_cite_key(expected)


def test_key_without_authors_or_date_uses_unknown_and_the_ids_year() -> None:
    paper = Paper("2312.09999", "Some Title", (), "")  # "some" is an arXiv stop word
    assert citation_key(paper) == "unknown2023title"


def test_key_is_the_same_for_v1_and_v2() -> None:
    v1 = paper_from_item(raw_item("2501.00001", "Deep Things", ("Ann Lee",)), FETCHED, "daily")
    v2 = paper_from_item(
        raw_item("2501.00001v2", "Deep Things", ("Ann Lee",), upvotes=99),
        FETCHED + dt.timedelta(days=400),
        "daily",
    )
    assert v2.id == v1.id
    assert citation_key(v1) == citation_key(v2) == "lee2025deepthings"


def test_a_pinned_key_survives_a_v2_that_renames_the_paper() -> None:
    pinned = Bookmark(dino(), ADDED, cite_key=citation_key(dino()))
    v2 = replace(
        pinned, paper=dino(title="DINO World Models Revisited", published=dt.date(2024, 11, 7))
    )
    assert citation_key(v2.paper) != pinned.cite_key
    assert keys_to_pin([v2]) == {}
    assert "@misc{zhou2024dinowmworldmodelspretrained," in to_bibtex([v2])


def test_keys_are_unique_never_rename_pins_and_ignore_list_order() -> None:
    twins = [
        Bookmark(Paper(f"2501.0000{i}", "Twin Title", ("Ann Lee",), ""), ADDED) for i in range(4)
    ]
    pinned = Bookmark(
        Paper("2412.00001", "Other", ("Bo Li",), ""), ADDED, cite_key="lee2025twintitle"
    )
    marks = [*twins, pinned]
    pins = keys_to_pin(marks)
    assert pins == {
        "2501.00000": "lee2025twintitlea",
        "2501.00001": "lee2025twintitleb",
        "2501.00002": "lee2025twintitlec",
        "2501.00003": "lee2025twintitled",
    }
    for seed in range(5):
        shuffled = marks[:]
        random.Random(seed).shuffle(shuffled)
        assert keys_to_pin(shuffled) == pins
    assert "2412.00001" not in pins


def test_keys_are_unique_case_insensitively() -> None:
    marks = [
        Bookmark(Paper("2501.00001", "Twin Title", ("Ann Lee",), ""), ADDED),
        Bookmark(Paper("2501.00002", "X", ("Bo Li",), ""), ADDED, cite_key="LEE2025TwinTitle"),
    ]
    assert keys_to_pin(marks) == {"2501.00001": "lee2025twintitlea"}


def test_keys_for_the_whole_collection_are_valid_and_unique() -> None:
    marks = [Bookmark(p, ADDED) for p in _all_papers()]
    pins = keys_to_pin(marks)
    assert len(pins) == len(marks)
    assert len({k.casefold() for k in pins.values()}) == len(pins)
    assert all(is_valid_cite_key(k) and re.fullmatch(r"[a-z0-9]+", k) for k in pins.values())


def test_keys_are_the_same_in_another_process() -> None:
    """Keys cannot depend on hash seeds or list order: a fresh interpreter agrees."""
    marks = [Bookmark(p, ADDED) for p in _day_papers()]
    script = (
        "import datetime as dt, json, sys, random\n"
        "sys.path.insert(0, 'tests')\n"
        "from hf_data import day_items\n"
        "from paperterm.feed.ingest import ingest_items\n"
        "from paperterm.models import Bookmark\n"
        "from paperterm.exchange.keys import keys_to_pin\n"
        "t = dt.datetime(2026, 8, 21, tzinfo=dt.UTC)\n"
        "ps = ingest_items(day_items('2026-08-21'), t, 'daily').papers\n"
        "random.Random(7).shuffle(ps)\n"
        "print(json.dumps(keys_to_pin([Bookmark(p, t) for p in ps])))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).parent.parent,
    )
    assert json.loads(out.stdout) == keys_to_pin(marks)


def test_export_gives_a_duplicate_or_unusable_pinned_key_a_fresh_one() -> None:
    a = Bookmark(dino(), ADDED, cite_key="shared")
    b = Bookmark(dino(id="2411.04984"), ADDED, cite_key="shared")
    c = Bookmark(dino(id="2411.04985"), ADDED, cite_key="bad key, with = comma}")
    assert export_keys([a, b, c]) == [
        "shared",
        "zhou2024dinowmworldmodelspretrained",
        "zhou2024dinowmworldmodelspretraineda",
    ]


@pytest.mark.parametrize(
    "key",
    [
        "",
        "a b",
        "a,b",
        "x}",
        "{x",
        "a%b",
        "a#b",
        'a"b',
        "a=b",
        "-lead",
        "http://zotero.org/users/1/items/X",
        "x" * 101,
    ],
)
def test_unusable_keys_are_refused(key: str) -> None:
    assert not is_valid_cite_key(key)


# ---------------------------------------------------------------- BibTeX


def test_bibtex_is_arxivs_shape_byte_for_byte() -> None:
    text = to_bibtex([Bookmark(dino(), ADDED, cite_key=citation_key(dino()))])
    assert text == (
        "@misc{zhou2024dinowmworldmodelspretrained,\n"
        # arXiv writes the title bare; a word with a later capital is braced, so that BibTeX
        # styles and pandoc keep its case.
        "      title={{DINO-WM:} World Models on Pre-trained Visual Features enable Zero-shot Planning}, \n"
        "      author={Gaoyue Zhou and Hengkai Pan and Yann LeCun and Lerrel Pinto},\n"
        "      year={2024},\n"
        "      eprint={2411.04983},\n"
        "      archivePrefix={arXiv},\n"
        "      url={https://arxiv.org/abs/2411.04983}, \n"
        "}\n\n"
    )


def _bibtex_fields(bookmark: Bookmark) -> dict[str, str]:
    """What we mean to write, the authors aside (`_bibtex_authors`): the parsed file must hold
    exactly this."""
    paper = bookmark.paper
    fields = {
        "title": bibtex_title(paper.title),
        "year": str(paper.published.year if paper.published else 2000 + int(paper.id[:2])),
        "eprint": paper.id,
        "archivePrefix": "arXiv",
        "url": f"https://arxiv.org/abs/{paper.id}",
    }
    return {k: v for k, v in fields.items() if v}


def _bibtex_authors(field: str) -> list[Name]:
    """The names of an author field, as our reader takes them apart."""
    return [parse_bibtex_name(n) for n in split_names(field)]


def test_bibtex_parses_with_bibtexparser_into_exactly_the_fields_written() -> None:
    marks = sample()
    text = to_bibtex(marks)
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    assert len(library.entries) == len(marks)
    assert [e.key for e in library.entries] == export_keys(marks)
    for entry, bookmark in zip(library.entries, marks, strict=True):
        assert entry.entry_type == "misc"
        fields = {f.key: f.value for f in entry.fields}
        authors = fields.pop("author", "")
        assert fields == _bibtex_fields(bookmark)
        assert _bibtex_authors(authors) == [parse_name(a) for a in bookmark.paper.authors]


def test_bibtex_parses_with_pybtex_into_exactly_the_fields_and_authors_written() -> None:
    marks = sample()
    database = parse_string(to_bibtex(marks), "bibtex")
    assert list(database.entries) == export_keys(marks)
    for entry, bookmark in zip(database.entries.values(), marks, strict=True):
        assert dict(entry.fields) == _bibtex_fields(bookmark)
        assert len(entry.persons.get("author", [])) == len(bookmark.paper.authors)


def test_bibtex_leaves_no_live_latex_or_specials() -> None:
    text = to_bibtex(hostile_bookmarks())
    for line in text.splitlines():
        if line.startswith("      title={"):
            value = line[len("      title={") : -len("}, ")]
            # Every backslash starts one of our escapes; nothing else special is left bare, and
            # the braces left are balanced groups (a word's case kept, a ligature broken).
            escapes = r"\\vphantom\{\\[{}]\}|\\(?:text[a-z]+\{\}|[%&#_${}])"
            stripped = re.sub(escapes, "", value)
            assert not re.search(r"[\\%&#_$^~<>]", stripped), value
            while "{" in stripped or "}" in stripped:
                assert re.search(r"\{[^{}]*\}", stripped), value
                stripped = re.sub(r"\{([^{}]*)\}", r"\1", stripped)
    assert "\\input" not in text and "\\immediate" not in text and "\\write18" not in text


def test_bibtex_closes_the_author_list_with_others_when_it_was_capped() -> None:
    paper = replace(dino(), author_count=40)
    entry = parse_string(to_bibtex([Bookmark(paper, ADDED)]), "bibtex").entries
    persons = next(iter(entry.values())).persons["author"]
    assert [str(p) for p in persons][-1] == "others"
    assert len(persons) == 5


def test_bibtex_of_a_paper_without_authors_has_no_author_field() -> None:
    paper = replace(dino(), authors=())
    assert "author=" not in to_bibtex([Bookmark(paper, ADDED)])


# ---------------------------------------------------------------- RIS


def read_ris(text: str) -> list[list[tuple[str, str]]]:
    """A strict RIS reader: CR LF only, 'XY  - value' lines, TY first, ER last, a blank line
    only between records."""
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    records: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] | None = None
    for line in text.split("\r\n"):
        if current is None:
            if line == "":
                continue
            match = re.fullmatch(r"TY  - (\S+)", line)
            assert match, f"record does not start with TY: {line!r}"
            current = [("TY", match.group(1))]
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "ER":
            assert value == ""
            records.append(current)
            current = None
        else:
            assert tag != "TY" and value == value.strip() and value
            current.append((tag, value))
    assert current is None, "last record has no ER"
    return records


def test_ris_records_follow_the_spec_and_carry_every_field() -> None:
    marks = sample()
    records = read_ris(to_ris(marks))
    assert len(records) == len(marks)
    for record, bookmark in zip(records, marks, strict=True):
        paper = bookmark.paper
        tags = [t for t, _ in record]
        values = dict(record)
        assert record[0] == ("TY", "GEN")
        assert values["TI"] == " ".join(paper.title.split())
        authors = [name_from_ris(v) for t, v in record if t == "AU"]
        assert len(authors) == len(paper.authors)
        # RIS has no escape for a comma inside one name ("Smith, John" from the feed).
        written = [(n, parse_name(a)) for n, a in zip(authors, paper.authors, strict=True)]
        assert all(n == name for n, name in written if "," not in name.text)
        assert values["PY"] == str(paper.published.year) if paper.published else True
        assert values["DA"] == paper.published.strftime("%Y/%m/%d") if paper.published else True
        assert values["UR"] == f"https://arxiv.org/abs/{paper.id}"
        assert values["DO"] == f"10.48550/arXiv.{paper.id}"
        assert values["DB"] == "arXiv"
        assert [v for t, v in record if t == "KW"] == list(paper.ai_keywords)
        assert tags.count("N1") == (2 if bookmark.note.strip() else 1)
        assert ("N1", f"arXiv:{paper.id}") in record
        assert values["AB"] == " ".join(paper.abstract.split())


def test_ris_cannot_be_broken_by_a_newline_in_a_note() -> None:
    mark = Bookmark(dino(), ADDED, note="fine\r\nER  - \r\nTY  - JOUR\nTI  - injected\u2028x")
    (record,) = read_ris(to_ris([mark]))
    assert ("N1", "fine ER - TY - JOUR TI - injected x") in record
    assert to_ris([mark]).endswith("ER  - \r\n\r\n")


# ---------------------------------------------------------------- CSL-JSON


def test_csl_json_is_valid_against_the_citation_style_language_schema() -> None:
    assert (
        CSL_SCHEMA["$id"]
        == "https://resource.citationstyles.org/schema/v1.0/input/json/csl-data.json"
    )
    marks = sample()
    items = json.loads(to_csl_json(marks))
    jsonschema.Draft7Validator(CSL_SCHEMA).validate(items)
    assert len(items) == len(marks)
    for item, bookmark, key in zip(items, marks, export_keys(marks), strict=True):
        paper = bookmark.paper
        assert item["type"] == "article"
        assert item["id"] == item["citation-key"] == key
        assert item["title"] == paper.title
        assert item["number"] == f"arXiv:{paper.id}"
        assert item["DOI"] == f"10.48550/arXiv.{paper.id}"
        assert item["URL"] == f"https://arxiv.org/abs/{paper.id}"
        assert item["publisher"] == "arXiv"
        assert item["issued"] == {
            "date-parts": [[paper.published.year, paper.published.month, paper.published.day]]
        }
        assert len(item["author"]) == len(paper.authors)
        lines = (" ".join(line.split()) for line in clean_text(bookmark.note).split("\n"))
        assert item.get("note", "") == "\n".join(lines).strip("\n")


def test_the_schema_check_would_catch_a_bad_item() -> None:
    validator = jsonschema.Draft7Validator(CSL_SCHEMA)
    good = json.loads(to_csl_json([Bookmark(dino(), ADDED)]))
    assert validator.is_valid(good)
    assert not validator.is_valid([{**good[0], "type": "preprint"}])
    assert not validator.is_valid([{**good[0], "eprint": "2411.04983"}])


def test_csl_names_split_at_the_last_space_or_stay_literal() -> None:
    paper = replace(dino(), authors=("Gaoyue Zhou", "Single", "Hal Daumé III", "Smith, John"))
    (item,) = json.loads(to_csl_json([Bookmark(paper, ADDED)]))
    assert item["author"] == [
        {"family": "Zhou", "given": "Gaoyue"},
        {"literal": "Single"},
        {"family": "Daumé", "given": "Hal", "suffix": "III"},
        {"literal": "Smith, John"},
    ]


# ---------------------------------------------------------------- Markdown


def _render(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)


def test_markdown_renders_no_html_and_only_web_links() -> None:
    marks = sample()
    html = _render(to_markdown(marks))
    for bad in ("<script", "<img", "<!--", "<b>", "<h1", "<table", "<del", "<em", "<code"):
        assert bad not in html, bad
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert len(hrefs) == len(marks)
    assert all(h.startswith("https://huggingface.co/papers/") for h in hrefs)


def test_markdown_link_text_is_the_title_verbatim() -> None:
    marks = sample()
    tokens = MarkdownIt("commonmark").parse(to_markdown(marks))
    items = [t for t in tokens if t.type == "list_item_open" and t.level == 1]
    assert len(items) == len(marks)
    inlines = [t for t in tokens if t.type == "inline" and t.level == 3]
    titles = []
    for inline in inlines:
        children = inline.children or []
        if children and children[0].type == "link_open":
            end = next(i for i, c in enumerate(children) if c.type == "link_close")
            titles.append("".join(c.content for c in children[1:end]))
    assert titles == [" ".join(b.paper.title.split()) for b in marks]


def test_markdown_item_shape() -> None:
    mark = Bookmark(
        replace(dino(), upvotes=12, stars=345),
        ADDED,
        tags=("world models", "rl"),
        note="Compare with V-JEPA.\n\n# keep as text",
    )
    assert to_markdown([mark]) == (
        "- [DINO-WM: World Models on Pre-trained Visual Features enable Zero-shot Planning]"
        "(https://huggingface.co/papers/2411.04983) — Gaoyue Zhou et al., 2024 · arXiv:2411.04983"
        " · ▲12 · ★345 · tags: world models, rl\n"
        "  > Compare with V-JEPA.\n"
        "  >\n"
        "  > \\# keep as text\n"
    )
    solo = Bookmark(replace(dino(), authors=("Ann Lee",)), ADDED)
    assert "— Ann Lee, 2024 · arXiv:2411.04983 · ▲0\n" in to_markdown([solo])


def test_markdown_note_is_a_quote_inside_its_item() -> None:
    mark = hostile_bookmarks()[1]  # note: "<script>…", "# not a heading", "- not a list" …
    html = _render(to_markdown([mark]))
    assert html.count("<li>") == 1 and "<blockquote>" in html
    assert "<h1>" not in html and "<ol>" not in html and html.count("<ul>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ---------------------------------------------------------------- JSON


def test_json_holds_every_field_and_a_format_version() -> None:
    mark = Bookmark(
        dino(github="https://github.com/x/y", stars=5, ai_keywords=("k",)),
        ADDED,
        tags=("a",),
        note="n",
        cite_key="k1",
        incomplete=True,
        extra={"colour": "red", "when": dt.date(2026, 1, 2)},
    )
    document = json.loads(to_json([mark]))
    assert document["format"] == JSON_FORMAT and document["version"] == JSON_VERSION
    (row,) = document["bookmarks"]
    assert row == {
        "paper": mark.paper.to_json(),
        "added_at": "2026-08-21T12:30:15Z",
        "tags": ["a"],
        "note": "n",
        "cite_key": "k1",
        "incomplete": True,
        "extra": {"colour": "red", "when": "2026-01-02"},
    }
    assert set(row["paper"]) >= {f for f in Paper.__struct_fields__ if f != "author_count"}


def test_json_is_valid_utf8_even_with_a_lone_surrogate() -> None:
    text = to_json([Bookmark(dino(), ADDED, note="bad \ud800 note")])
    text.encode("utf-8")
    assert json.loads(text)["bookmarks"][0]["note"] == "bad \ufffd note"


# ---------------------------------------------------------------- CSV


def test_csv_parses_back_one_row_per_bookmark_and_defuses_formulas() -> None:
    marks = sample()
    text = to_csv(marks)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == len(marks) + 1
    assert text.count("\r\n") == len(rows)  # newlines collapsed: one physical line per row
    keys = export_keys(marks)
    for row, bookmark, key in zip(rows[1:], marks, keys, strict=True):
        cells = dict(zip(CSV_COLUMNS, row, strict=True))
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r", " "), cell
        assert cells["id"] == f"arXiv:{bookmark.id}" and cells["cite_key"] == key
        assert cells["title"].removeprefix("'") == " ".join(bookmark.paper.title.split())
        assert cells["added_at"] == bookmark.added_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_csv_formula_cells_get_a_leading_quote() -> None:
    mark = Bookmark(
        replace(dino(), title='=HYPERLINK("http://x")'),
        ADDED,
        tags=("@SUM(A1)", "-1+1"),
        note="  +cmd|' /C calc'!A0\nnext",
    )
    (row,) = list(csv.DictReader(io.StringIO(to_csv([mark]), newline="")))
    assert row["title"] == '\'=HYPERLINK("http://x")'
    assert row["note"] == "'+cmd|' /C calc'!A0 next"
    assert row["tags"] == "'@SUM(A1); -1+1"


# ---------------------------------------------------------------- all formats


def test_no_bookmarks_give_valid_empty_documents() -> None:
    assert export([], "bibtex") == "" and bibtexparser.parse_string("").entries == []
    assert export([], "ris") == "" and read_ris("") == []
    assert json.loads(export([], "csl-json")) == []
    jsonschema.Draft7Validator(CSL_SCHEMA).validate(json.loads(export([], "csl-json")))
    assert export([], "markdown") == ""
    assert json.loads(export([], "json")) == {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "bookmarks": [],
    }
    assert list(csv.reader(io.StringIO(export([], "csv")))) == [list(CSV_COLUMNS)]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_every_format_is_utf8_and_deterministic(fmt: Any) -> None:
    marks = sample()
    first = export(marks, fmt)
    assert first == export(list(marks), fmt)
    first.encode("utf-8")
    assert "\x1b" not in first and "\u202e" not in first
