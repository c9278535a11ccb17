"""Our citation files read by the tools people cite with: pandoc (``--citeproc``, one run per
format for every key), rispy, citeproc-py, bibtexparser with its LaTeX decoding, pybtex and
the CSL schema. What they render is compared with what the bookmarks say."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from citations import cite_all, named_bookmarks, pinned
from pybtex.database import parse_string
from test_export import CSL_SCHEMA, hostile_bookmarks, real_bookmarks

from paperterm.exchange.keys import export_keys
from paperterm.exchange.writers import to_bibtex, to_csl_json, to_ris
from paperterm.models import Bookmark

WRITERS: dict[str, Callable[[Sequence[Bookmark]], str]] = {
    ".bib": to_bibtex,
    ".json": to_csl_json,
    ".ris": to_ris,
}
# The named fixture as it must come out of pandoc from the .bib and the .csl.json alike:
# key ¦ authors as "Family, Given, Suffix" ¦ year ¦ title.
NAMED_REFERENCES = [
    "daume2024searchingrb5braces ¦ Daumé, Hal, III; van der Schaar, Mihaela ¦ 2024 ¦ "
    "Searching with R&B for $5 in {braces}",
    "king2024studydreams ¦ King, Martin Luther, Jr.; Single ¦ 2024 ¦ A study of dreams",
    "kwaikeyeteam2024agents100budget ¦ Kwai Keye Team ¦ 2024 ¦ Agents with 100% of the budget",
    "vanbeethoven2024prefilldecodeab ¦ van Beethoven, Ludwig ¦ 2024 ¦ Prefill & decode: a_b",
    "vandermerwe2024capitalskept ¦ Van der Merwe, Mark; de la Cruz, Juan, Jr. ¦ 2024 ¦ "
    "Capitals kept",
]
NAMED_CITATIONS = (
    "(Daumé and van der Schaar 2024; King and Single 2024; Kwai Keye Team 2024; "
    "van Beethoven 2024; Van der Merwe and de la Cruz 2024)"
)


@cache
def _marks() -> tuple[Bookmark, ...]:
    return tuple(pinned(named_bookmarks() + hostile_bookmarks() + real_bookmarks()))


@cache
def _rendered(suffix: str, folder: str) -> tuple[str, str]:
    """(stdout, stderr) of pandoc citing every key against our `suffix` file."""
    marks = _marks()
    path = Path(folder) / f"refs{suffix}"
    path.write_text(WRITERS[suffix](marks), "utf-8", newline="")
    done = cite_all(path, export_keys(marks), Path(folder))
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("pandoc"))


def _references(stdout: str) -> dict[str, str]:
    """The bibliography, by key (the test style starts each entry with its key)."""
    entries = [e for e in stdout.split("\n\n")[1:] if e.strip()]
    return {e.split(" ¦ ", 1)[0]: e.strip() for e in entries}


def _without_quotes(text: str) -> str:
    # citeproc makes straight quotes typographic (and moves punctuation into them); in LaTeX
    # a backtick is an opening quote, and no form of it reads back as "`" in both pandoc and
    # pylatexenc, so it is written as itself.
    return re.sub("[\"'`“”‘’]", "", text)


@pytest.mark.parametrize("suffix", [".bib", ".json", ".ris"])
def test_pandoc_cites_every_pinned_key_without_a_warning(suffix: str, folder: str) -> None:
    stdout, stderr = _rendered(suffix, folder)
    assert stderr == ""  # no "citation ... not found", no parse warning
    assert set(_references(stdout)) == set(export_keys(_marks()))


@pytest.mark.parametrize("suffix", [".bib", ".json"])
def test_pandoc_renders_the_names_and_titles_exactly(suffix: str, folder: str) -> None:
    stdout, _ = _rendered(suffix, folder)
    references = _references(stdout)
    assert [references[r.split(" ¦ ")[0]] for r in NAMED_REFERENCES] == NAMED_REFERENCES
    named = stdout.split("\n\n")[0]
    for citation in NAMED_CITATIONS.strip("()").split("; "):
        assert citation in named


@pytest.mark.parametrize("suffix", [".bib", ".json", ".ris"])
def test_pandoc_keeps_every_character_of_the_hostile_titles(suffix: str, folder: str) -> None:
    references = _references(_rendered(suffix, folder)[0])
    hostile = slice(len(named_bookmarks()), len(named_bookmarks()) + len(hostile_bookmarks()))
    marks, keys = _marks()[hostile], export_keys(_marks())[hostile]
    for bookmark, key in zip(marks, keys, strict=True):
        title = references[key].rsplit(" ¦ ", 1)[1]
        # pandoc makes BibTeX titles sentence case (a capital first letter): the case is
        # pandoc's business, the characters are ours.
        expected = _without_quotes(bookmark.paper.title)
        assert _without_quotes(title).lower() == expected.lower(), key


def test_pandoc_reads_our_ris_names_with_its_own_order(folder: str) -> None:
    """pandoc 3.9 reads an RIS name as BibTeX orders one ("Family, Suffix, Given") and every
    particle as a dropping one, where the RIS specification, Zotero and EndNote write and read
    "Family, Given, Suffix". We write the specification's form: the family names still come
    through, and this test says what pandoc makes of the rest."""
    references = _references(_rendered(".ris", folder)[0])
    assert references["daume2024searchingrb5braces"].split(" ¦ ")[1] == (
        "Daumé, III, Hal; Schaar, Mihaela van der"
    )
    assert references["kwaikeyeteam2024agents100budget"].split(" ¦ ")[1] == "Kwai Keye Team"
    assert references["king2024studydreams"].split(" ¦ ")[1] == "King, Jr., Martin Luther; Single"


def test_rispy_reads_every_record_with_its_key_and_authors() -> None:
    marks = _marks()
    records = rispy.loads(to_ris(marks))
    assert [r["id"] for r in records] == export_keys(marks)
    assert records[0]["authors"] == ["Daumé, Hal, III", "van der Schaar, Mihaela"]
    assert [r["title"] for r in records] == [" ".join(b.paper.title.split()) for b in marks]


def test_citeproc_py_renders_the_csl_json() -> None:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    items = json.loads(to_csl_json(_marks()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns about keys it does not use (citation-key)
        source = CiteProcJSON(items)
        style = CitationStylesStyle("harvard-cite-them-right", validate=False)
        bibliography = CitationStylesBibliography(style, source, formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items)
    assert rendered[0].startswith("Daumé, H., III and van der Schaar, M. (2024)")


def test_bibtexparser_decodes_our_latex_back_to_the_titles() -> None:
    marks = _marks()
    library = bibtexparser.parse_string(
        to_bibtex(marks), append_middleware=[LatexDecodingMiddleware()]
    )
    assert library.failed_blocks == []
    titles = [e["title"] for e in library.entries]
    # pylatexenc's defaults drop \textless and \textgreater and write ^ as U+02C6; every
    # other character of every title, braces included, comes back.
    for title, bookmark in zip(titles, marks, strict=True):
        expected = " ".join(bookmark.paper.title.split())
        if not re.search("[<>^]", expected):
            assert title == expected


def test_pybtex_and_the_csl_schema_accept_everything() -> None:
    marks = _marks()
    database = parse_string(to_bibtex(marks), "bibtex")
    assert list(database.entries) == export_keys(marks)
    assert database.entries["daume2024searchingrb5braces"].persons["author"][0].last_names == [
        "Daumé"
    ]
    jsonschema.Draft7Validator(CSL_SCHEMA).validate(json.loads(to_csl_json(marks)))
