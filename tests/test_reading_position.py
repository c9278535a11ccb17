"""Where the reading view stopped in each paper: an operation, a compact table in state.toml,
the journal and the parse cache; a file without positions is written as before."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
import tomli_w
from hf_data import NOW, fixture_papers
from test_state_cache import layout_known, no_toml_parsing

from paperterm.library import AddBookmark, MarkRead, MergeIn, SetPosition, StateStore
from paperterm.library._encoder import Encoder
from paperterm.library.codec import decode_op, encode_op
from paperterm.library.journal import Journal
from paperterm.library.tomlfile import SCHEMA_VERSION, DamagedFile, bookmark_document, decode
from paperterm.models import ReadingState
from paperterm.paths import Paths


def _store(paths: Paths, *, cache: bool = False) -> StateStore:
    return StateStore(
        paths.state_file, clock=lambda: NOW, cache=paths.state_cache if cache else None
    )


def test_a_position_is_set_moved_and_forgotten_with_inverses() -> None:
    state, undo = SetPosition("2501.00001", 1200).apply(ReadingState())
    assert state.positions == {"2501.00001": 1200} and undo == SetPosition("2501.00001", None)
    moved, back = SetPosition("2501.00001", 3400).apply(state)
    assert moved.positions == {"2501.00001": 3400} and back == SetPosition("2501.00001", 1200)
    assert SetPosition("2501.00001", 3400).apply(moved)[0] is moved  # nothing to do
    top, _ = SetPosition("2501.00001", 0).apply(moved)  # the top needs no entry
    assert top.positions == {}


def test_the_journal_form_reads_back() -> None:
    paper = fixture_papers()[0]
    merged = ReadingState(positions={"2501.00001": 7})
    for op in (SetPosition("2501.00001", 99), SetPosition("2501.00001", None), MergeIn(merged)):
        assert decode_op(encode_op(op)) == op
    old_merge = encode_op(MergeIn(ReadingState()))
    del old_merge["positions"]  # written before positions existed
    assert decode_op(old_merge) == MergeIn(ReadingState())
    for bad in (-1, True, "12"):
        with pytest.raises(ValueError):
            decode_op({"op": "position", "id": paper.id, "at": bad})
    state, _ = MergeIn(merged).apply(ReadingState(positions={"2501.00002": 1}))
    assert state.positions == {"2501.00001": 7, "2501.00002": 1}


def test_a_position_survives_the_journal_a_fold_and_a_reload(paths: Paths) -> None:
    store = _store(paths)
    store.load()
    store.apply(SetPosition("2606.16517", 18345), save=False, undoable=False)
    assert not store.can_undo  # a place in a paper is not something to take back
    assert store.flush() == ()
    journal = Journal(paths.state_file, 5.0)
    assert b'"op":"position"' in journal.path.read_bytes()
    assert not paths.state_file.exists()
    from_journal = _store(paths)
    from_journal.load()
    assert from_journal.state.positions == {"2606.16517": 18345}
    assert from_journal.fold() == ()
    assert not journal.path.exists()
    text = paths.state_file.read_text()
    assert '[positions]\n"2606.16517" = 18345\n' in text
    reloaded = _store(paths)
    reloaded.load()
    assert reloaded.state.positions == {"2606.16517": 18345}
    reloaded.apply(SetPosition("2606.16517", None))  # back at the top: the table goes
    assert "positions" not in paths.state_file.read_text()


def test_positions_sit_between_bookmarks_and_read_marks_as_one_dump_would(paths: Paths) -> None:
    papers = fixture_papers()
    state, _ = AddBookmark(papers[0], at=NOW).apply(ReadingState(extra={"zeta": 1}))
    state, _ = MarkRead((papers[1].id,), at=NOW).apply(state)
    encoder = Encoder()
    without = encoder.encode(state.read, state.bookmarks, state.extra)
    state, _ = SetPosition(papers[0].id, 42).apply(state)
    state, _ = SetPosition(papers[1].id, 7).apply(state)
    doc: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "zeta": 1}
    doc["bookmarks"] = {papers[0].id: bookmark_document(state.bookmarks[papers[0].id])}
    doc["positions"] = {papers[1].id: 7, papers[0].id: 42}
    doc["read"] = dict(state.read)
    data = encoder.encode(state.read, state.bookmarks, state.extra, state.positions)
    assert data == tomli_w.dumps(doc, multiline_strings=True).encode()
    assert decode(data).positions == {papers[1].id: 7, papers[0].id: 42}
    assert decode(data) == (state.read, state.bookmarks, state.extra)  # unpacks as before
    # Without positions the file is byte for byte what it was before they existed.
    assert Encoder().encode(state.read, state.bookmarks, state.extra) == without
    assert b"positions" not in without


@pytest.mark.parametrize("value", ["-3", '"12"', "1.5", "true", "[1]"])
def test_a_position_that_is_not_an_offset_is_damage(value: str) -> None:
    with pytest.raises(DamagedFile, match=r"positions\.2501\.00001"):
        decode(f'schema_version = 1\n\n[positions]\n"2501.00001" = {value}\n'.encode())
    with pytest.raises(DamagedFile, match="positions: expected a table"):
        decode(b"schema_version = 1\npositions = 3\n")


def test_the_parse_cache_keeps_positions_and_the_first_save_reuses_the_text(
    paths: Paths,
) -> None:
    papers = fixture_papers()
    store = _store(paths, cache=True)
    store.load()
    store.apply(AddBookmark(papers[0]))
    store.apply(SetPosition(papers[0].id, 500))
    store.apply(SetPosition(papers[2].id, 9000))
    store.apply(MarkRead((papers[1].id,)))
    written = paths.state_file.read_bytes()
    assert layout_known(paths.state_file, paths.state_cache)
    cached = _store(paths, cache=True)
    with no_toml_parsing():
        cached.load()
    assert cached.state == store.state
    assert cached.state.positions == {papers[0].id: 500, papers[2].id: 9000}
    # Nothing changed but one mark: the rewrite is the old text plus that mark.
    cached.apply(MarkRead((papers[3].id,)))
    again = paths.state_file.read_bytes()
    assert again.startswith(written.split(b"\n[read]\n")[0])
    assert tomllib.loads(again.decode())["positions"] == {papers[0].id: 500, papers[2].id: 9000}
    assert layout_known(paths.state_file, paths.state_cache)
    fresh = _store(paths)
    fresh.load()
    assert fresh.state == cached.state
