"""`paperterm import` of real citation files, then `export` and `fetch`, end to end: imported
entries are complete bookmarks, offline too, and a lookup enriches them without undoing them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import rispy
from fakehf import FakeHF, closed_port, serve
from hf_data import day_items
from pybtex.database import parse_string

from paperterm.paths import Paths

KNOWN = day_items("2026-08-21")[0]["paper"]  # a paper the fake Hugging Face knows
ZOTERO_BIB = f"""
@misc{{vaswani_attention_2017,
\ttitle = {{Attention {{Is}} {{All}} {{You}} {{Need}}}},
\turl = {{http://arxiv.org/abs/1706.03762}},
\tauthor = {{Vaswani, Ashish and van der Schaar, Mihaela and García Márquez, Gabriel}},
\tmonth = jun,
\tyear = {{2017}},
\tnote = {{arXiv:1706.03762 [cs]}},
}}

@article{{daume_known,
\ttitle = {{Imported title of a known paper}},
\tauthor = {{Daum{{\\'e}}, III, Hal and {{Kwai Keye Team}}}},
\tabstract = {{An imported abstract.}},
\tyear = {{2026}},
\teprint = {{{KNOWN["id"]}}},
\tarchivePrefix = {{arXiv}},
}}

@inproceedings{{DBLP:conf/x/King24,
\ttitle = {{Dreams {{\\&}} schemes}},
\tauthor = {{Martin Luther King Jr.}},
\tyear = {{2024}},
\tee = {{http://arxiv.org/abs/2401.99999}},
}}
"""


def paperterm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paperterm", *args], capture_output=True,
                          text=True, timeout=60, env=dict(os.environ))  # fmt: skip


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port())


@pytest.fixture
def refs(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(ZOTERO_BIB, "utf-8")
    return path


def snapshots() -> dict[str, dict[str, object]]:
    data = tomllib.loads(Paths.default().state_file.read_text("utf-8"))
    return {paper_id: b["paper"] for paper_id, b in data["bookmarks"].items()}


def test_an_offline_import_exports_in_every_citation_format(offline: None, refs: Path) -> None:
    """The defect: imported entries were stored "without details", left out of every
    citation export, and the export was an empty document."""
    imported = paperterm("import", str(refs))
    assert imported.stdout == f"{refs}: 3 added, 0 updated, 0 skipped (bibtex)\n"
    bib = paperterm("export", "--format", "bibtex")
    assert bib.returncode == 0 and bib.stderr == ""  # nothing left out
    entries = parse_string(bib.stdout, "bibtex").entries  # newest first: by id when equal
    assert list(entries) == ["daume_known", "DBLP:conf/x/King24", "vaswani_attention_2017"]
    assert [str(p) for p in entries["daume_known"].persons["author"]] == [
        "Daumé, III, Hal",
        "{Kwai Keye Team}",
    ]
    assert {e.fields["year"] for e in entries.values()} == {"2017", "2026", "2024"}
    records = rispy.loads(paperterm("export", "--format", "ris").stdout)
    assert [r["id"] for r in records] == list(entries)
    assert [r["title"] for r in records] == [
        "Imported title of a known paper",
        "Dreams & schemes",
        "Attention Is All You Need",
    ]
    assert records[2]["authors"][1:] == ["van der Schaar, Mihaela", "García Márquez, Gabriel"]
    items = json.loads(paperterm("export", "--format", "csl-json").stdout)
    assert [i["issued"]["date-parts"] for i in items] == [[[2026]], [[2024]], [[2017, 6]]]
    assert items[1]["author"] == [{"family": "King", "given": "Martin Luther", "suffix": "Jr."}]
    listed = paperterm("bookmarks").stdout
    assert "Attention Is All You Need" in listed and "details not fetched" not in listed


def test_our_bibtex_imported_elsewhere_exports_byte_for_byte(
    offline: None, refs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert paperterm("import", str(refs)).returncode == 0
    ours = tmp_path / "ours.bib"
    assert paperterm("export", "--format", "bibtex", "-o", str(ours)).returncode == 0
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "another-machine"))
    assert paperterm("import", str(ours)).returncode == 0
    assert paperterm("export", "--format", "bibtex").stdout == ours.read_text("utf-8")
    # The name parts the authors' text would lose are in the state file, as the TOML it keeps.
    (vaswani,) = [p for p in snapshots().values() if p["title"] == "Attention Is All You Need"]
    assert vaswani["names"][2] == {"family": "García Márquez", "given": "Gabriel"}  # type: ignore[index]
    assert "García Márquez, Gabriel" in paperterm("export", "--format", "bibtex").stdout


def test_fetch_enriches_imports_and_says_once_which_hf_does_not_know(
    fake: FakeHF, refs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", closed_port())
    assert paperterm("import", str(refs)).returncode == 0
    before = snapshots()
    with serve(fake) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        first = paperterm("fetch")
        asked = [path for path, _ in fake.requests if path.startswith("/api/papers/")]
        second = paperterm("fetch")
    assert first.returncode == 0, first.stderr
    assert "bookmarks: details filled in for 1" in first.stdout
    assert "paperterm: 2 bookmarks are not on Hugging Face; kept as imported" in first.stderr
    assert "not on Hugging Face" not in second.stderr and "filled in" not in second.stdout
    assert sorted(asked) == sorted(f"/api/papers/{i}" for i in ("1706.03762", KNOWN["id"],
                                                                  "2401.99999"))  # fmt: skip
    after = snapshots()
    known = after[KNOWN["id"]]
    # What the import said stays; what only Hugging Face knows is added.
    for field in ("title", "authors", "abstract"):
        assert known[field] == before[KNOWN["id"]][field]
    assert known["upvotes"] == KNOWN["upvotes"] and "fetched_at" in known
    assert after["2401.99999"] == before["2401.99999"]
    exported = parse_string(paperterm("export", "--format", "bibtex").stdout, "bibtex")
    assert len(exported.entries) == 3


def test_ris_is_imported_by_its_structure_or_by_name(offline: None, tmp_path: Path) -> None:
    ris = tmp_path / "zotero.txt"
    ris.write_text(
        "TY  - GEN\nTI  - Pass@k for agents\nAU  - Lee, Ann\nPY  - 2024\n"
        "UR  - http://arxiv.org/abs/2403.01234\nER  - \n",
        "utf-8",
    )
    auto = paperterm("import", str(ris))
    assert auto.stdout == f"{ris}: 1 added, 0 updated, 0 skipped (ris)\n"
    forced = paperterm("import", "--format", "bibtex", str(ris))
    assert forced.stdout == f"{ris}: 0 added, 0 updated, 0 skipped (bibtex)\n"
    again = paperterm("import", "--format", "ris", str(ris))
    assert again.stdout == f"{ris}: 0 added, 0 updated, 1 skipped (ris)\n"
    bad = paperterm("import", "--format", "endnote", str(ris))
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_the_skip_list_says_when_it_stops(offline: None, tmp_path: Path) -> None:
    bib = tmp_path / "books.bib"
    bib.write_text("".join(f"@book{{b{i}, title={{Book {i}}}}}\n" for i in range(25)), "utf-8")
    result = paperterm("import", str(bib))
    lines = result.stderr.splitlines()
    assert len(lines) == 21
    assert lines[0] == "paperterm: skipped: @book{b0}: no new-style arXiv id"
    assert lines[-1] == "paperterm: skipped: … and 5 more"


def test_titles_bookmarked_before_the_tex_fix_are_shown_and_exported_clean(
    tmp_path: Path,
) -> None:
    from appdata import make_service

    from paperterm.models import Paper

    service = make_service(tmp_path)
    service.load_state()
    service.triage.bookmark(Paper("2501.00001", r"Prefill \& Decode", ("Ann Lee",), ""))
    assert service.triage.bookmark_papers()[0].title == "Prefill & Decode"
    assert "TI  - Prefill & Decode\r\n" in service.exchange.render("ris", save=False).text
    assert r"Prefill \& Decode" in service.exchange.render("bibtex", save=False).text


async def test_only_imported_citations_are_reported_as_not_on_hugging_face(
    fake: FakeHF, tmp_path: Path
) -> None:
    from appdata import make_service

    from paperterm.models import Paper

    service = make_service(tmp_path, transport=fake.transport())
    service.load_state()
    service.triage.bookmark(Paper("2401.99998", "", ("Ann Lee",), ""))  # a hand edit, no title
    service.triage.bookmark(Paper("2401.99999", "Cited", ("Ann Lee",), ""), incomplete=True)
    first = await service.complete_bookmarks()
    assert (first.filled, first.not_on_hf) == (0, 1)
    assert first.messages == ("1 bookmark is not on Hugging Face; kept as imported",)
    again = await service.complete_bookmarks()
    assert not again and again.messages == ()
