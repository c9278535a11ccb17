"""The state file's layout: what is written, that it reads back exactly, that it is stable,
that unknown keys survive, and that anything damaged is refused with a reason."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from typing import Any

import pytest
import tomli_w
from hf_data import NOW, fixture_papers
from hypothesis import example, given, settings
from hypothesis import strategies as st

from paperterm.library import AddBookmark, MarkRead, PinCiteKey, SetNote, SetTags, StateStore
from paperterm.library._encoder import Encoder
from paperterm.library.tomlfile import (
    _PAPER_DERIVED,
    _PAPER_KINDS,
    SCHEMA_VERSION,
    DamagedFile,
    NewerSchema,
    bookmark_document,
    decode,
)
from paperterm.models import Bookmark, Paper, ReadingState
from paperterm.paths import Paths


def encode(state: ReadingState) -> bytes:
    return Encoder().encode(state.read, state.bookmarks, state.extra)


def reference(state: ReadingState) -> bytes:
    """The whole document through one plain `tomli_w.dumps` call."""
    doc: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    doc.update((k, state.extra[k]) for k in sorted(state.extra))
    if state.bookmarks:
        doc["bookmarks"] = {
            k: bookmark_document(state.bookmarks[k]) for k in sorted(state.bookmarks)
        }
    if state.read:
        doc["read"] = {k: state.read[k] for k in sorted(state.read)}
    return tomli_w.dumps(doc, multiline_strings=True).encode()


def test_layout() -> None:
    paper = Paper(
        "2403.06634",
        "Stealing Part of a Production Language Model",
        ("N. Carlini", "D. Paleka"),
        "We introduce ...\nSecond paragraph.",
        upvotes=63,
        comments=3,
        feed_day=dt.date(2024, 3, 12),
        published=dt.date(2024, 3, 11),
        github="https://github.com/x/y",
        stars=10,
        fetched_at=NOW,
        author_count=13,
    )
    state, _ = AddBookmark(paper, tags=("security", "llm"), note="Read §4", at=NOW).apply(
        ReadingState()
    )
    state, _ = PinCiteKey(paper.id, "carlini2024stealing").apply(state)
    state, _ = AddBookmark(Paper("2501.00001", "", (), ""), incomplete=True, at=NOW).apply(state)
    state, _ = MarkRead(("2403.06634", "2403.07000"), at=NOW).apply(state)
    expected = '''\
schema_version = 1

[bookmarks."2403.06634"]
added_at = 2026-08-21 15:00:00+00:00
tags = [
    "security",
    "llm",
]
note = "Read §4"
cite_key = "carlini2024stealing"

[bookmarks."2403.06634".paper]
title = "Stealing Part of a Production Language Model"
authors = [
    "N. Carlini",
    "D. Paleka",
]
author_count = 13
abstract = """
We introduce ...
Second paragraph."""
upvotes = 63
comments = 3
feed_day = 2024-03-12
published = 2024-03-11
github = "https://github.com/x/y"
stars = 10
ai_keywords = []
url = "https://huggingface.co/papers/2403.06634"
arxiv_url = "https://arxiv.org/abs/2403.06634"
pdf_url = "https://arxiv.org/pdf/2403.06634"
fetched_at = 2026-08-21 15:00:00+00:00

[bookmarks."2501.00001"]
added_at = 2026-08-21 15:00:00+00:00
tags = []
incomplete = true

[bookmarks."2501.00001".paper]
title = ""
authors = []
author_count = 0
abstract = ""
upvotes = 0
comments = 0
ai_keywords = []
url = "https://huggingface.co/papers/2501.00001"
arxiv_url = "https://arxiv.org/abs/2501.00001"
pdf_url = "https://arxiv.org/pdf/2501.00001"

[read]
"2403.06634" = 2026-08-21 15:00:00+00:00
"2403.07000" = 2026-08-21 15:00:00+00:00
'''
    assert encode(state).decode() == expected
    assert decode(expected.encode()) == (state.read, state.bookmarks, {})


def test_real_papers_read_back_exactly() -> None:
    state = ReadingState()
    for i, paper in enumerate(fixture_papers()):
        state, _ = AddBookmark(paper, tags=(f"t{i}",), at=NOW + dt.timedelta(minutes=i)).apply(
            state
        )
        state, _ = MarkRead((paper.id,), at=NOW).apply(state)
    read, bookmarks, extra = decode(encode(state))
    assert (read, bookmarks, extra) == (state.read, state.bookmarks, {})
    for paper_id, mark in bookmarks.items():
        assert mark.paper == state.bookmarks[paper_id].paper  # every snapshot field
        assert mark.added_at.tzinfo is dt.UTC


def test_every_snapshot_field_has_a_type_to_check() -> None:
    # A field added to Paper.to_json must be added to the reader too, or it would come back
    # as an unknown key instead of a paper field.
    assert set(fixture_papers()[0].to_json()) == set(_PAPER_KINDS) | set(_PAPER_DERIVED)


def test_output_sorted_and_independent_of_insertion_order() -> None:
    ps = fixture_papers()
    forward, backward = ReadingState(), ReadingState()
    for paper in ps:
        forward, _ = AddBookmark(paper, at=NOW).apply(forward)
    for paper in reversed(ps):
        backward, _ = AddBookmark(paper, at=NOW).apply(backward)
    forward, _ = MarkRead(tuple(p.id for p in ps), at=NOW).apply(forward)
    backward, _ = MarkRead(tuple(p.id for p in reversed(ps)), at=NOW).apply(backward)
    text = encode(forward)
    assert text == encode(backward)
    ids = [p.id for p in ps]
    headers = [line for line in text.decode().splitlines() if line.startswith("[bookmarks.")]
    assert headers == [
        h for i in sorted(ids) for h in (f'[bookmarks."{i}"]', f'[bookmarks."{i}".paper]')
    ]


def test_two_saves_differ_only_where_the_state_differs() -> None:
    ps = fixture_papers()
    state = ReadingState()
    for paper in ps:
        state, _ = AddBookmark(paper, at=NOW).apply(state)
    state, _ = MarkRead(tuple(p.id for p in ps[:5]), at=NOW).apply(state)
    encoder = Encoder()
    before = encoder.encode(state.read, state.bookmarks, state.extra).decode().splitlines()
    state, _ = SetNote(ps[3].id, "new note").apply(state)
    state, _ = MarkRead((ps[6].id,), at=NOW).apply(state)
    after = encoder.encode(state.read, state.bookmarks, state.extra).decode().splitlines()
    added = [line for line in after if line not in before]
    assert added == ['note = "new note"', f'"{ps[6].id}" = 2026-08-21 15:00:00+00:00']
    assert [line for line in before if line not in after] == []


def test_the_encoder_cache_gives_what_one_full_dump_gives() -> None:
    ps = fixture_papers()
    encoder = Encoder()
    state = ReadingState(
        extra={"zeta": 1, "alpha": {"nested": [1, 2]}, "tables": [{"a": 1}, {"b": {}}]}
    )
    steps: list[Callable[[ReadingState], ReadingState]] = [
        lambda s: AddBookmark(ps[0], at=NOW).apply(s)[0],
        lambda s: MarkRead((ps[0].id, ps[1].id), at=NOW).apply(s)[0],
        lambda s: AddBookmark(ps[1], tags=("a",), at=NOW).apply(s)[0],
        lambda s: SetTags(ps[0].id, ("b",)).apply(s)[0],
        lambda s: MarkRead((ps[2].id,), at=NOW + dt.timedelta(days=1)).apply(s)[0],
        lambda s: ReadingState({}, s.bookmarks, s.extra),
        lambda s: ReadingState(s.read, {}, {}),
    ]
    for step in steps:
        state = step(state)
        assert encoder.encode(state.read, state.bookmarks, state.extra) == reference(state)


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=300, deadline=None)
@example(note="a\r\nb", tags=["\r"], title="\r\n", key="0000.0000", extra_key="\r")
@given(
    note=_text,
    tags=st.lists(_text, max_size=4),
    title=_text,
    key=st.from_regex(r"\A[0-9]{4}\.[0-9]{4,5}\Z"),
    extra_key=_text,
)
def test_any_text_reads_back(
    note: str, tags: list[str], title: str, key: str, extra_key: str
) -> None:
    paper = Paper(key, title, (title,), note, ai_keywords=tuple(tags), author_count=1)
    state, _ = AddBookmark(paper, tags=tuple(tags), note=note, at=NOW).apply(
        ReadingState(extra={"x" + extra_key: note})
    )
    data = encode(state)
    if "\r" not in note + title + extra_key + "".join(tags):
        assert data == reference(state)
    _, bookmarks, extra = decode(data)
    assert bookmarks[key] == state.bookmarks[key]
    assert bookmarks[key].paper == paper
    assert extra == state.extra


def test_none_and_lone_surrogates_are_cleaned_before_writing() -> None:
    paper = Paper("2501.00001", "bad \ud800 title", ("A \udfff",), "ok", github=None)
    mark = Bookmark(
        paper, NOW, ("t\ud83d",), "note \udc00", extra={"maybe": None, "list": [1, None]}
    )
    data = Encoder().encode({"2501.00002\ud800": NOW}, {paper.id: mark}, {"gone": None})
    text = data.decode("utf-8")  # strict: would fail on a surrogate
    doc = tomllib.loads(text)
    snapshot = doc["bookmarks"]["2501.00001"]["paper"]
    assert snapshot["title"] == "bad \ufffd title"
    assert snapshot["authors"] == ["A \ufffd"]
    assert "github" not in snapshot and "gone" not in doc and "maybe" not in text
    assert doc["bookmarks"]["2501.00001"]["list"] == [1]
    assert list(doc["read"]) == ["2501.00002\ufffd"]


def test_unknown_keys_survive_a_rewrite(paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.state_file.write_text("""\
schema_version = 1
synced_by = "laptop"
top_list = [1, 2]

[bookmarks."2403.06634"]
added_at = 2026-08-20T10:00:00Z
tags = ["x"]
colour = "red"
priority = 2

[bookmarks."2403.06634".paper]
title = "Stealing"
authors = ["N. Carlini"]
abstract = "..."
venue = "ICML"
url = "https://example.invalid/ignored-derived-key"

[bookmarks."2403.06634".reading]
pages = [1, 2]

[read]
"2403.06634" = 2026-08-20T10:00:00Z

[sync]
device = "laptop"
when = 2026-08-20T10:00:00+02:00
""")
    store = StateStore(paths.state_file)
    assert store.load() == ()
    store.apply(SetNote("2403.06634", "hello"))
    store.apply(MarkRead(("2501.00001",)))
    doc = tomllib.loads(paths.state_file.read_text())
    assert doc["synced_by"] == "laptop" and doc["top_list"] == [1, 2]
    assert doc["sync"] == {
        "device": "laptop",
        "when": dt.datetime(2026, 8, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    }
    mark = doc["bookmarks"]["2403.06634"]
    assert (
        mark["colour"] == "red" and mark["priority"] == 2 and mark["reading"] == {"pages": [1, 2]}
    )
    assert mark["note"] == "hello"
    assert mark["paper"]["venue"] == "ICML"
    assert mark["paper"]["url"] == "https://huggingface.co/papers/2403.06634"
    # A second rewrite by a fresh store keeps all of it again.
    again = StateStore(paths.state_file, clock=lambda: NOW)
    again.load()
    again.apply(MarkRead(("2501.00002",)))
    rewritten = tomllib.loads(paths.state_file.read_text())
    assert rewritten["read"].pop("2501.00002") == NOW
    assert rewritten == doc


def test_a_hand_written_bookmark_without_snapshot_is_incomplete() -> None:
    data = b'schema_version = 1\n[bookmarks."2501.00001"]\nadded_at = 2026-08-20T10:00:00\n'
    _, bookmarks, _ = decode(data)
    mark = bookmarks["2501.00001"]
    assert mark.incomplete and mark.paper.title == "" and mark.tags == ()
    assert mark.added_at == dt.datetime(2026, 8, 20, 10, tzinfo=dt.UTC)  # no offset: UTC


def test_a_byte_order_mark_is_accepted() -> None:
    assert decode(b"\xef\xbb\xbfschema_version = 1\n") == ({}, {}, {})


GOOD = (
    'schema_version = 1\n\n[bookmarks."2501.00001"]\nadded_at = 2026-08-20T10:00:00Z\n'
    'tags = ["x"]\n\n[bookmarks."2501.00001".paper]\ntitle = "T"\nauthors = ["A"]\n'
    'abstract = "..."\n\n[read]\n"2501.00001" = 2026-08-20T10:00:00Z\n'
)

DAMAGED = {
    "empty": (b"", "no schema_version"),
    "only whitespace": (b"\n\n  \n", "no schema_version"),
    "truncated mid-value": (GOOD.encode()[: GOOD.index("abstract") + 14], "not valid TOML"),
    "truncated before the version": (b"schema_vers", "not valid TOML"),
    "nul bytes": (b"\0" * 4096, "not valid TOML"),
    "nul inside": (GOOD.encode().replace(b"title", b"ti\0le"), "not valid TOML"),
    "latin-1 byte": (GOOD.replace('"T"', '"Tr\u00e8s"').encode("latin-1"), "not UTF-8: byte 0xe8"),
    "utf-16": (GOOD.encode("utf-16"), "not UTF-8"),
    "not toml": (b"<html><body>502 Bad Gateway</body></html>", "not valid TOML"),
    "json": (b'{"schema_version": 1}', "not valid TOML"),
    "duplicate key": (
        GOOD.replace('tags = ["x"]', 'tags = ["x"]\ntags = ["y"]').encode(),
        "not valid TOML",
    ),
    "duplicate table": (
        (GOOD + '\n[bookmarks."2501.00001"]\nadded_at = 2026-08-20\n').encode(),
        "not valid TOML",
    ),
    "version is text": (b'schema_version = "1"\n', "schema_version is '1'"),
    "version zero": (b"schema_version = 0\n", "not a positive integer"),
    "version bool": (b"schema_version = true\n", "not a positive integer"),
    "no version": (GOOD.replace("schema_version = 1\n", "").encode(), "no schema_version"),
    "read is a list": (b'schema_version = 1\nread = ["2501.00001"]\n', "read: expected a table"),
    "read time is text": (
        b'schema_version = 1\n[read]\n"2501.00001" = "yesterday"\n',
        "read.2501.00001: expected a date-time, found a string",
    ),
    "read time is a date": (
        b'schema_version = 1\n[read]\n"2501.00001" = 2026-08-20\n',
        "expected a date-time, found a date",
    ),
    "bookmarks is a string": (
        b'schema_version = 1\nbookmarks = "x"\n',
        "bookmarks: expected a table",
    ),
    "bookmark is a number": (
        b'schema_version = 1\n[bookmarks]\n"2501.00001" = 3\n',
        "bookmarks.2501.00001: expected a table",
    ),
    "no added_at": (GOOD.replace("added_at = 2026-08-20T10:00:00Z\n", "").encode(), "no added_at"),
    "tags is a string": (GOOD.replace('["x"]', '"x"').encode(), "tags: expected a list of strings"),
    "tags hold numbers": (
        GOOD.replace('["x"]', "[1]").encode(),
        "tags: expected a list of strings",
    ),
    "note is a number": (
        GOOD.replace("tags =", "note = 5\ntags =").encode(),
        "note: expected a string",
    ),
    "cite key is a list": (GOOD.replace("tags =", "cite_key = []\ntags =").encode(), "cite_key"),
    "incomplete is text": (
        GOOD.replace("tags =", 'incomplete = "yes"\ntags =').encode(),
        "incomplete: expected true or false",
    ),
    "paper is a string": (
        b'schema_version = 1\n[bookmarks."2501.00001"]\n'
        b'added_at = 2026-08-20T10:00:00Z\npaper = "T"\n',
        "paper: expected a table",
    ),
    "title is a number": (
        GOOD.replace('title = "T"', "title = 7").encode(),
        "paper.title: expected a string, found an integer",
    ),
    "upvotes is a float": (
        GOOD.replace('title = "T"', 'title = "T"\nupvotes = 1.5').encode(),
        "paper.upvotes: expected an integer, found a float",
    ),
    "upvotes is a bool": (
        GOOD.replace('title = "T"', 'title = "T"\nupvotes = true').encode(),
        "expected an integer, found a boolean",
    ),
    "published is text": (
        GOOD.replace('title = "T"', 'title = "T"\npublished = "2024"').encode(),
        "paper.published: expected a date",
    ),
}


@pytest.mark.parametrize("data, reason", DAMAGED.values(), ids=DAMAGED.keys())
def test_damage_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    assert decode(GOOD.encode())[1]["2501.00001"].tags == ("x",)  # the undamaged form is fine
    with pytest.raises(DamagedFile) as caught:
        decode(data)
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_newer_schema_is_recognised_with_what_can_be_read() -> None:
    with pytest.raises(NewerSchema) as caught:
        decode(GOOD.replace("schema_version = 1", "schema_version = 2").encode())
    assert caught.value.version == 2
    assert caught.value.contents is not None and "2501.00001" in caught.value.contents.bookmarks
    with pytest.raises(NewerSchema) as caught:
        decode(b"schema_version = 7\nread = 3\n")
    assert caught.value.contents is None


def test_the_layout_survives_a_store_round_trip(paths: Paths) -> None:
    ps = fixture_papers()
    store = StateStore(paths.state_file, clock=lambda: NOW)
    for paper in ps[:4]:
        store.apply(AddBookmark(paper, tags=("x",)))
    store.apply(MarkRead(tuple(p.id for p in ps)))
    first = paths.state_file.read_bytes()
    fresh = StateStore(paths.state_file, clock=lambda: NOW)
    fresh.load()
    assert fresh.state == store.state
    fresh.apply(MarkRead((ps[0].id,)))  # nothing to do: not written
    fresh.apply(SetNote(ps[0].id, "n"))
    fresh.apply(SetNote(ps[0].id, ""))
    assert paths.state_file.read_bytes() == first


def test_bookmark_fields_written() -> None:
    paper = fixture_papers()[0]
    mark = Bookmark(paper, NOW, ("a",), "", "key2024", True, {"custom": "kept"})
    doc = bookmark_document(mark)
    assert list(doc) == ["added_at", "tags", "cite_key", "incomplete", "custom", "paper"]
    assert "note" not in doc and "id" not in doc["paper"]
    assert doc["paper"]["feed_day"] == dt.date(2024, 3, 12)
    assert doc["paper"]["fetched_at"] == NOW


_scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    _text,
    st.dates(),
    st.times(),
    st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=-5))])),
    st.datetimes(),
)
_toml_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    top=st.dictionaries(_text, _toml_values, max_size=4),
    inside=st.dictionaries(_text, _toml_values, max_size=3),
    in_paper=st.dictionaries(_text, _toml_values, max_size=3),
)
def test_unknown_values_of_any_toml_type_survive(
    top: dict[str, Any], inside: dict[str, Any], in_paper: dict[str, Any]
) -> None:
    paper = Paper("2501.00001", "T", ("A",), "x", author_count=1)
    known = {"added_at", "tags", "note", "cite_key", "incomplete", "paper"}
    extra: dict[str, Any] = {k: v for k, v in inside.items() if k not in known}
    paper_known = set(_PAPER_KINDS) | set(_PAPER_DERIVED)
    unknown_paper = {k: v for k, v in in_paper.items() if k not in paper_known}
    if unknown_paper:
        extra["paper"] = unknown_paper
    top = {k: v for k, v in top.items() if k not in ("schema_version", "bookmarks", "read")}
    mark = Bookmark(paper, NOW, extra=extra)
    data = Encoder().encode({}, {paper.id: mark}, top)
    _, bookmarks, back = decode(data)
    assert back == top
    assert bookmarks[paper.id].extra == extra
