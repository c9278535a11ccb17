"""Import as real files are: formats told apart by their structure (or named), RIS from Zotero,
Mendeley and EndNote, arXiv ids wherever tools put them, dates, LaTeX decoded, and imported
citations that export again exactly."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
import rispy
from citations import ADDED, named_bookmarks, pinned
from pybtex.database import parse_string
from test_export import hostile_bookmarks, real_bookmarks

from paperterm.exchange.importer import ImportFormatError, import_text
from paperterm.exchange.latex import bibtex_escape, latex_to_text
from paperterm.exchange.merge import enrich_paper, merge_bookmarks
from paperterm.exchange.names import Name, author_names
from paperterm.exchange.writers import export, to_bibtex, to_csl_json, to_csv, to_ris
from paperterm.models import Bookmark, Paper

NOW = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)

ZOTERO_RIS = """TY  - GEN
TI  - Pass@k is not enough: evaluating code models
AU  - Vaswani, Ashish
AU  - van der Schaar, Mihaela
AU  - Daumé, Hal, III
T2  - arXiv
AB  - We study pass@k.
DA  - 2024/03/05/
PY  - 2024
DO  - 10.48550/arXiv.2403.01234
DP  - arXiv.org
PB  - arXiv
UR  - http://arxiv.org/abs/2403.01234
Y2  - 2024/05/01/14:00:00
N1  - arXiv:2403.01234 [cs]
N1  - <p>My <b>own</b> note &amp; more</p>
KW  - Computer Science - Machine Learning
ER  -{space}

""".format(space=" ")
MENDELEY_RIS = (
    "TY  - JOUR\r\nAU  - Brown, Tom\r\nAU  - Mann, Benjamin\r\nTI  - Language models are\r\n"
    "  few-shot learners\r\nJO  - arXiv preprint arXiv:2005.14165\r\nPY  - 2020\r\n"
    "ID  - Brown2020\r\nER  -\r\n"
)
ENDNOTE_RIS = (
    "TY  - JOUR\nA1  - Knuth, Donald E.\nT1  - Old-style id only\nY1  - 1984///\n"
    "UR  - https://example.org/x\nER  - \nTY  - JOUR\nA1  - Lee, Ann\nT1  - Linked\n"
    "Y1  - 2024/06//\nL1  - https://arxiv.org/pdf/2406.00007v2\nER  - \n"
)


# ---------------------------------------------------------------- formats


def test_an_ris_file_whose_title_has_an_at_sign_is_read_as_ris() -> None:
    """The defect: any "@" made a file BibTeX, and RIS could not be imported at all."""
    result = import_text(ZOTERO_RIS, now=NOW)
    assert result.format == "ris" and result.skipped == 0
    (mark,) = result.bookmarks
    assert mark.id == "2403.01234" and mark.cite_key is None
    assert mark.paper.title == "Pass@k is not enough: evaluating code models"
    assert author_names(mark) == [
        Name("Vaswani", "Ashish"),
        Name("Schaar", "Mihaela", "van der"),
        Name("Daumé", "Hal", suffix="III"),
    ]
    assert mark.paper.published == dt.date(2024, 3, 5)
    assert mark.paper.abstract == "We study pass@k."
    assert mark.note == "My own note & more"  # Zotero's HTML note; its arXiv line dropped


def test_mendeley_and_endnote_ris_are_read() -> None:
    (brown,) = import_text(MENDELEY_RIS, now=NOW).bookmarks
    assert brown.id == "2005.14165" and brown.cite_key == "Brown2020"
    assert brown.paper.title == "Language models are few-shot learners"
    assert brown.paper.authors == ("Tom Brown", "Benjamin Mann")
    assert brown.extra == {"paper": {"issued": "2020"}}
    endnote = import_text(ENDNOTE_RIS, now=NOW)
    assert endnote.format == "ris" and endnote.skipped == 1
    (lee,) = endnote.bookmarks
    assert lee.id == "2406.00007" and lee.extra == {"paper": {"issued": "2024-06"}}
    assert endnote.reasons == ("record 1: no new-style arXiv id",)


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        ("ris", ZOTERO_RIS, "ris"),
        ("bibtex", "@misc{k, eprint={2401.00001}, title={T}}", "bibtex"),
        ("csl-json", '[{"id": "k", "URL": "https://arxiv.org/abs/2401.00001"}]', "csl-json"),
    ],
)
def test_a_format_can_be_named_instead_of_guessed(fmt: str, text: str, expected: str) -> None:
    assert import_text(text, now=NOW, fmt=fmt).format == expected  # type: ignore[arg-type]
    # A file forced into the wrong format reads as nothing (or is refused), never as another.
    other = "bibtex" if fmt != "bibtex" else "ris"
    with contextlib.suppress(ImportFormatError):
        assert import_text(text, now=NOW, fmt=other).bookmarks == ()  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["Pass@k and email@example.com", "TY not a tag", "@misc"])
def test_prose_with_an_at_sign_is_no_format(text: str) -> None:
    with pytest.raises(ImportFormatError, match="RIS or BibTeX"):
        import_text(text, now=NOW)


# ---------------------------------------------------------------- ids, keys and dates


def test_ids_are_found_wherever_tools_put_them() -> None:
    text = r"""
@inproceedings{DBLP:conf/x/Lee24, title={Dblp}, author={Ann Lee}, year={2024},
  ee={http://arxiv.org/abs/2401.00001}}
@misc{_underscore2024, title={Underscore}, author={Ann Lee}, eprint={2401.00002},
  archivePrefix={arXiv}}
@misc{arxivfield, title={Field}, arxiv={2401.00003v3}}
@misc{notefield, title={Note}, note={Preprint at arXiv:2401.00004}}
@misc{howpub, title={How}, howpublished={\url{https://arxiv.org/abs/2401.00005}}}
@misc{doifield, title={Doi}, doi={10.48550/arXiv.2401.00006}}
@misc{monthly, title={Month}, eprint={2401.00007}, year={2023}, month=jun}
@misc{named, title={Named month}, eprint={2401.00008}, year={2023}, month={September}, day={9}}
"""
    result = import_text(text, now=NOW)
    assert result.skipped == 0
    by_key = {b.cite_key: b for b in result.bookmarks}
    assert [b.id for b in result.bookmarks] == [f"2401.0000{i}" for i in range(1, 9)]
    assert "_underscore2024" in by_key  # a key starting with "_" is kept
    assert by_key["monthly"].extra == {"paper": {"issued": "2023-06"}}
    assert by_key["named"].paper.published == dt.date(2023, 9, 9)
    assert by_key["DBLP:conf/x/Lee24"].extra == {"paper": {"issued": "2024"}}
    assert "year={2024}" in to_bibtex([by_key["DBLP:conf/x/Lee24"]])
    (item,) = json.loads(to_csl_json([by_key["monthly"]]))
    assert item["issued"] == {"date-parts": [[2023, 6]]}
    assert "DA  - 2023/06\r\n" in to_ris([by_key["monthly"]])


def test_csl_ids_from_url_doi_and_number() -> None:
    items = [
        {"id": "a", "type": "article", "URL": "https://arxiv.org/abs/2401.00001"},
        {"id": "b", "type": "article", "DOI": "10.48550/arXiv.2401.00002"},
        {"id": "c", "type": "article", "number": "2401.00003", "publisher": "arXiv"},
        {"id": "d", "type": "article", "issued": {"date-parts": [[2020]]},
         "number": "arXiv:2401.00004"},
    ]  # fmt: skip
    result = import_text(json.dumps(items), now=NOW)
    assert [b.id for b in result.bookmarks] == [f"2401.0000{i}" for i in range(1, 5)]
    assert result.bookmarks[3].extra == {"paper": {"issued": "2020"}}


# ---------------------------------------------------------------- LaTeX


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"$D\rightarrow4$ steps", "D→4 steps"),
        (r"Brand\textregistered\ and a\textperiodcentered b", "Brand® and a·b"),
        (r"\textbraceleft{}old\textbraceright{} exports", "{old} exports"),
        (r"\textless{}tag\textgreater{} \textasciicircum{}", "<tag> ^"),
        (r"The {\TeX}book, \emph{so} \href{http://x.org}{linked}", "The TeXbook, so linked"),
        (r"100% raw & text", "100% raw & text"),  # a bare % is no comment in a field
        (r"\unknowncommand{kept} text", "kept text"),
    ],
)
def test_latex_is_decoded_by_pylatexenc(latex: str, text: str) -> None:
    """The defect: unknown commands left their names in the text ("Drightarrow4")."""
    assert " ".join(latex_to_text(latex).split()) == text


def test_a_par_in_a_note_is_a_paragraph() -> None:
    (mark,) = import_text(
        r"@misc{k, eprint={2401.00001}, title={T}, annote={one\par two}}", now=NOW
    ).bookmarks
    assert mark.note == "one\n\ntwo"


@pytest.mark.parametrize("text", ["{", "}", "\\", "$", "\\href{", "{" * 500, "\\'{", "%"])
def test_latex_that_cannot_be_parsed_never_fails_an_import(text: str) -> None:
    assert isinstance(latex_to_text(text), str)
    import_text(f"@misc{{k, eprint={{2401.00001}}, title={{{bibtex_escape(text)}}}}}", now=NOW)


def test_braces_are_written_as_pandoc_and_pylatexenc_read_them() -> None:
    """The defect: \\textbraceleft{} and \\textbraceright{} were dropped by pandoc and
    pylatexenc; an escaped brace must still not end a field early (BibTeX counts it)."""
    assert bibtex_escape("a {b} c") == r"a \{b\} c"
    for title in ("unbalanced { brace", "} , author = {Evil}", "}}}{{{", "a } b { c"):
        bib = f"@misc{{k,\n  title={{{bibtex_escape(title)}}},\n  author={{Ann Lee}},\n}}\n"
        (entry,) = parse_string(bib, "bibtex").entries.values()
        assert set(entry.fields) == {"title"} and len(entry.persons["author"]) == 1
        (parsed,) = bibtexparser.parse_string(bib).entries
        assert parsed["title"] == bibtex_escape(title)
        assert latex_to_text(parsed["title"]) == title


def test_pylatexenc_loads_only_when_a_file_is_imported(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from paperterm.cli import main\n"
        "main(['paths'])\n"
        "assert 'pylatexenc' not in sys.modules, 'loaded at start'\n"
        "import datetime as dt\n"
        "from paperterm.exchange.importer import import_text\n"
        "import_text('@misc{k, eprint={2401.00001}, title={plain {Words}}}', now=dt.datetime.now())\n"
        "assert 'pylatexenc' not in sys.modules, 'loaded for plain words'\n"
        "import_text('@misc{k, eprint={2401.00001}, title={$\\\\alpha$}}', now=dt.datetime.now())\n"
        "assert 'pylatexenc' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- round trips


def test_an_imported_bibtex_file_exports_again_exactly() -> None:
    marks = pinned(named_bookmarks() + hostile_bookmarks() + real_bookmarks())
    first = to_bibtex(marks)
    imported = import_text(first, now=NOW)
    assert imported.skipped == 0
    again = merge_bookmarks([], imported.bookmarks).bookmarks
    assert to_bibtex(again) == first
    titles = [" ".join(b.paper.title.split()) for b in marks]
    items = json.loads(export(again, "csl-json"))
    assert [i["title"] for i in items] == titles
    assert [len(i["author"]) for i in items] == [len(b.paper.authors) for b in marks]
    assert [i["issued"]["date-parts"][0][0] for i in items] == [_year(b) for b in marks]
    records = rispy.loads(export(again, "ris"))
    assert [r["title"] for r in records] == titles
    assert [int(r["year"]) for r in records] == [_year(b) for b in marks]


def _year(bookmark: Bookmark) -> int:
    published = bookmark.paper.published
    return published.year if published else 2000 + int(bookmark.id[:2])


def test_a_compound_family_name_survives_the_round_trip() -> None:
    bib = "@misc{gm, title={T}, author={García Márquez, Gabriel and {van Gogh}}, year={1999},\n"
    (mark,) = import_text(bib + "  eprint={2401.00001}}", now=NOW).bookmarks
    assert mark.paper.authors == ("Gabriel García Márquez", "van Gogh")
    assert author_names(mark)[0] == Name("García Márquez", "Gabriel")
    assert "author={García Márquez, Gabriel and {van Gogh}}," in to_bibtex([mark])
    assert "AU  - García Márquez, Gabriel\r\n" in to_ris([mark])


def test_the_skip_list_knows_how_many_it_left_out() -> None:
    text = "".join(f"@misc{{k{i}, title={{No id {i}}}}}\n" for i in range(25))
    result = import_text(text, now=NOW)
    assert result.skipped == 25 and len(result.reasons) == 20


# ---------------------------------------------------------------- CSV


def test_csv_ids_stay_text_in_a_spreadsheet() -> None:
    """The defect: pandas and spreadsheets read "2405.17430" as the number 2405.1743."""
    paper = Paper("2405.17430", "T", ("Ann Lee",), "", published=dt.date(2024, 5, 27))
    (row,) = csv.DictReader(io.StringIO(to_csv([Bookmark(paper, ADDED)]), newline=""))
    assert row["id"] == "arXiv:2405.17430"
    with pytest.raises(ValueError):
        float(row["id"])


# ---------------------------------------------------------------- merge and lookups


def test_a_citation_fills_in_a_bookmark_stored_with_its_id_only() -> None:
    bare = Bookmark(Paper("2401.00001", "", (), ""), ADDED, tags=("t",), incomplete=True)
    text = "@misc{k, title={García}, author={García Márquez, Gabriel}, year={2020},"
    (cited,) = import_text(text + " eprint={2401.00001}}", now=NOW).bookmarks
    result = merge_bookmarks([bare], [cited])
    (merged,) = result.bookmarks
    assert result.updated == ("2401.00001",)
    assert merged.paper.title == "García" and merged.tags == ("t",) and merged.incomplete
    assert merged.extra["paper"] == {"names": [{"family": "García Márquez", "given": "Gabriel"}],
                                     "issued": "2020"}  # fmt: skip
    # A snapshot with details keeps them, and the citation's name parts do not come along.
    full = Bookmark(Paper("2401.00001", "Kept", ("Ann Lee",), ""), ADDED, cite_key="mine")
    assert merge_bookmarks([full], [cited]).bookmarks == (full,)
    assert merge_bookmarks([full], [cited]).bookmarks[0].extra == {}


def test_a_lookup_fills_in_what_the_import_left_empty_and_nothing_else() -> None:
    imported = Paper("2401.00001", "Imported", ("Ann Lee",), "", author_count=2)
    fetched = Paper(
        "2401.00001", "From HF", ("A. Lee", "B. Bo"), "Abstract.", upvotes=7,
        published=dt.date(2024, 1, 3), github="https://github.com/a/b", fetched_at=NOW,
    )  # fmt: skip
    enriched = enrich_paper(imported, fetched)
    assert (enriched.title, enriched.authors, enriched.author_count) == ("Imported",
                                                                         ("Ann Lee",), 2)  # fmt: skip
    assert enriched.abstract == "Abstract." and enriched.upvotes == 7
    assert enriched.published == dt.date(2024, 1, 3) and enriched.github == fetched.github
    assert enrich_paper(Paper("2401.00001", "", (), ""), fetched) == fetched
