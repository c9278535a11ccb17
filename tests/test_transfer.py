"""`paperterm export` / `import` and the reader's export dialog, end to end."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from appdata import fill_cache, make_service, reader_app, trending_papers
from fakehf import FakeHF, serve
from hf_data import day_items
from pybtex.database import parse_string
from textual.pilot import Pilot

from paperterm.config import Settings
from paperterm.files import WriteRefused, write_new
from paperterm.library import AddBookmark, StateStore, UpdateSnapshot
from paperterm.paths import Paths
from paperterm.records import replace
from paperterm.ui.app import PapertermApp
from paperterm.ui.screens.export import ExportModal

IDS = [item["paper"]["id"] for item in day_items("2026-08-21")[:4]]


def paperterm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paperterm", *args], capture_output=True,
                          text=True, timeout=60, env=dict(os.environ))  # fmt: skip


@pytest.fixture
def bookmarked(fake: FakeHF, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    with serve(fake) as url:
        monkeypatch.setenv("HF_ENDPOINT", url)
        assert paperterm("bookmark", "add", *IDS).returncode == 0
        yield IDS


def pinned_keys() -> dict[str, str]:
    data = tomllib.loads(Paths.default().state_file.read_text("utf-8"))
    return {paper_id: b["cite_key"] for paper_id, b in data["bookmarks"].items()}


def test_bibtex_export_parses_and_pins_its_keys(bookmarked: list[str]) -> None:
    result = paperterm("export", "--format", "bibtex")
    assert result.returncode == 0, result.stderr
    entries = parse_string(result.stdout, "bibtex").entries
    assert {e.fields["eprint"] for e in entries.values()} == set(bookmarked)
    keys = pinned_keys()
    assert set(entries) == set(keys.values())
    again = parse_string(paperterm("export", "--format", "bibtex").stdout, "bibtex").entries
    assert set(again) == set(entries)


def test_keys_survive_a_new_version_of_the_paper(bookmarked: list[str]) -> None:
    assert paperterm("export", "--format", "bibtex").returncode == 0
    before = pinned_keys()
    store = StateStore(Paths.default().state_file)
    store.load()
    paper = store.state.bookmarks[bookmarked[0]].paper
    v2 = replace(paper, title="A Completely Different Title for v2",
                 published=dt.date(2027, 1, 5), fetched_at=dt.datetime(2027, 1, 6, tzinfo=dt.UTC))  # fmt: skip
    store.apply(UpdateSnapshot(v2))
    assert paperterm("export", "--format", "ris").returncode == 0
    assert pinned_keys() == before


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json", "markdown", "json", "csv"])
def test_every_format_to_a_file_and_never_over_an_existing_one(
    bookmarked: list[str], tmp_path: Path, fmt: str
) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / f"out.{fmt}"
    first = paperterm("export", "--format", fmt, "-o", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stderr.strip() == f"paperterm: exported 4 bookmarks to {out}"
    written = out.read_bytes()
    assert written
    out.write_text("keep me")
    refused = paperterm("export", "--format", fmt, "-o", str(out))
    assert refused.returncode == 1
    assert refused.stderr == f"paperterm: error: {out} exists; use --force to replace it\n"
    assert out.read_text() == "keep me"
    assert paperterm("export", "--format", fmt, "-o", str(out), "--force").returncode == 0
    assert out.read_bytes() == written
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temp files left


def test_csv_and_ris_file_encodings(bookmarked: list[str], tmp_path: Path) -> None:
    assert paperterm("export", "--format", "csv", "-o", str(tmp_path / "b.csv")).returncode == 0
    assert (tmp_path / "b.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
    assert paperterm("export", "--format", "ris", "-o", str(tmp_path / "b.ris")).returncode == 0
    raw = (tmp_path / "b.ris").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_missing_directory_is_one_line_and_writes_nothing(
    bookmarked: list[str], tmp_path: Path
) -> None:
    result = paperterm("export", "--format", "bibtex", "-o", str(tmp_path / "nope" / "x.bib"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "does not exist" in result.stderr


def test_a_full_disk_leaves_no_partial_file(bookmarked: list[str], tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "big.json"

    def small_files() -> None:  # in the child: files may not grow past 100 bytes
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))

    result = subprocess.run([sys.executable, "-m", "paperterm", "export", "--format", "json", "-o", str(out)],
                            capture_output=True, text=True, timeout=60, preexec_fn=small_files)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.endswith(f"paperterm: error: cannot write {out}: File too large\n")
    assert list(out.parent.iterdir()) == []


def test_no_bookmarks_is_a_valid_empty_document_and_a_note() -> None:
    bibtex = paperterm("export", "--format", "bibtex")
    assert bibtex.returncode == 0 and len(parse_string(bibtex.stdout, "bibtex").entries) == 0
    csl = paperterm("export", "--format", "csl-json")
    assert json.loads(csl.stdout) == []
    backup = paperterm("export", "--format", "json")
    assert json.loads(backup.stdout)["bookmarks"] == []
    for result in (bibtex, csl, backup):
        assert "no bookmarks to export" in result.stderr


def test_tag_and_filter_narrow_an_export(bookmarked: list[str]) -> None:
    store = StateStore(Paths.default().state_file)
    store.load()
    from paperterm.library import SetTags

    store.apply(SetTags(bookmarked[1], ("rl",)))
    tagged = json.loads(paperterm("export", "--format", "csl-json", "--tag", "rl").stdout)
    assert [item["URL"].rsplit("/", 1)[-1] for item in tagged] == [bookmarked[1]]
    title_word = day_items("2026-08-21")[2]["paper"]["title"].split(":")[0]
    filtered = json.loads(
        paperterm("export", "--format", "csl-json", "--filter", title_word).stdout
    )
    assert filtered and filtered[0]["URL"].endswith(bookmarked[2])
    warned = paperterm("export", "--format", "csl-json", "--filter", "up:>abc")
    assert warned.returncode == 0 and "ignored 'up:>abc' in the filter" in warned.stderr


def test_json_round_trip_through_an_empty_state_is_exact(
    bookmarked: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = tmp_path / "backup.json"
    assert paperterm("export", "--format", "json", "-o", str(backup)).returncode == 0
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))
    imported = paperterm("import", str(backup))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == f"{backup}: 4 added, 0 updated, 0 skipped (json)\n"
    assert paperterm("export", "--format", "json").stdout == backup.read_text("utf-8")
    again = paperterm("import", str(backup))
    assert again.stdout == f"{backup}: 0 added, 0 updated, 4 skipped (json)\n"


def test_bibtex_import_merges_by_arxiv_id(bookmarked: list[str], tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@misc{mine2026, title={Something}, author={Ann Author}, year={2026},\n"
        f"  eprint={{{bookmarked[0]}}}, archivePrefix={{arXiv}}, keywords={{x}}, annote={{my note}}}}\n"
        "@article{new, title={New One}, author={B Author}, journal={J}, year={2026},\n"
        "  url={https://arxiv.org/abs/2608.09888v2}}\n"
        "@book{noarxiv, title={A Book}, author={C Author}, year={2001}}\n",
        "utf-8",
    )
    result = paperterm("import", str(bib))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{bib}: 1 added, 1 updated, 1 skipped (bibtex)\n"
    data = tomllib.loads(Paths.default().state_file.read_text("utf-8"))["bookmarks"]
    assert data[bookmarked[0]]["note"] == "my note" and "2608.09888" in data


@pytest.mark.parametrize(
    "content", [b"\xff\xfe not utf8", b"just some text", b'{"format": "other"}']
)
def test_an_unreadable_import_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = paperterm("import", str(bad))
    assert result.returncode == 1 and result.stderr.startswith("paperterm: error: ")
    assert result.stderr.count("\n") == 1
    assert paperterm("import", str(tmp_path / "missing.json")).returncode == 1


def test_write_file_follows_a_symlink_and_refuses_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "real.bib"
    target.write_text("old")
    link = tmp_path / "link.bib"
    link.symlink_to(target)
    write_new(link, b"new", force=True)
    assert link.is_symlink() and target.read_text() == "new"
    with pytest.raises(WriteRefused, match="is a directory"):
        write_new(tmp_path, b"x", force=True)


# -- the reader's export dialog ---------------------------------------------------------------


def reader_with_bookmarks(home: Path, *bookmarks: AddBookmark) -> PapertermApp:
    service = make_service(home)
    fill_cache(service)
    service.load_state()
    for bookmark in bookmarks:
        service.triage.store.apply(bookmark)
    return reader_app(service, settings=Settings(auto_read_delay=0))


async def export_dialog(pilot: Pilot[None]) -> ExportModal:
    """Press x and return the dialog it opens."""
    await pilot.press("x")
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, ExportModal)
    return modal


async def press_export(pilot: Pilot[None]) -> None:
    await pilot.click("#export")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_x_exports_from_the_reader(tmp_path: Path) -> None:
    app = reader_with_bookmarks(tmp_path, *(AddBookmark(p) for p in trending_papers()[:3]))
    destination = tmp_path / "reading.md"
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await export_dialog(pilot)
        modal.query_one("#format").value = "markdown"  # type: ignore[attr-defined]
        await pilot.pause()
        field = modal.query_one("#destination")
        assert str(field.value).endswith("paperterm-bookmarks.md")  # type: ignore[attr-defined]
        field.value = str(destination)  # type: ignore[attr-defined]
        await press_export(pilot)
        assert f"Exported 3 bookmarks to {destination}" in [n.message for n in app._notifications]
    text = destination.read_text("utf-8")
    assert all(f"arXiv:{p.id}" in text for p in trending_papers()[:3])
    assert all(b.cite_key for b in app.service.triage.state.bookmarks.values())


async def test_an_export_that_fails_is_a_notification(tmp_path: Path) -> None:
    app = reader_with_bookmarks(tmp_path, AddBookmark(trending_papers()[0]))
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await export_dialog(pilot)
        modal.query_one("#destination").value = str(tmp_path / "missing" / "x.bib")  # type: ignore[attr-defined]
        await press_export(pilot)
        assert any(
            "does not exist" in n.message and n.severity == "error" for n in app._notifications
        )
        assert app.is_running


def test_render_keeps_the_offline_bookmarks_in_the_backup_only(tmp_path: Path) -> None:
    from paperterm.models import Paper

    service = make_service(tmp_path)
    service.load_state()
    service.triage.bookmark(Paper("2501.00001", "", (), ""), incomplete=True, save=True)
    service.triage.bookmark(trending_papers()[0], save=True)
    render = service.exchange.render
    assert render("bibtex").count == 1
    assert render("bibtex").incomplete == 1
    assert render("json").count == 2
    assert service.triage.state.bookmarks["2501.00001"].cite_key is None  # no key before details


def test_json_round_trip_keeps_a_bookmark_stored_offline(tmp_path: Path) -> None:
    from paperterm.exchange.importer import import_text
    from paperterm.models import Paper

    service = make_service(tmp_path)
    service.load_state()
    service.triage.bookmark(Paper("2501.00001", "", (), ""), incomplete=True, save=True)
    backup = service.exchange.render("json").text
    imported = import_text(backup, now=dt.datetime(2026, 8, 21, tzinfo=dt.UTC))
    assert imported.bookmarks == tuple(service.triage.state.bookmarks.values())


async def test_the_export_dialog_takes_tags_that_look_like_markup(tmp_path: Path) -> None:
    app = reader_with_bookmarks(
        tmp_path, AddBookmark(trending_papers()[0], tags=("[/]", "[b]bold"))
    )
    destination = tmp_path / "tagged.bib"
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await export_dialog(pilot)
        modal.query_one("#scope-tag").value = True  # type: ignore[attr-defined]
        modal.query_one("#tag").value = "[/]"  # type: ignore[attr-defined]
        modal.query_one("#destination").value = str(destination)  # type: ignore[attr-defined]
        await press_export(pilot)
        assert app.is_running
    assert len(parse_string(destination.read_text("utf-8"), "bibtex").entries) == 1
