"""IdLines: a search result's ids read by position from the newline-joined text."""

from __future__ import annotations

import pytest

from paperterm.feed.idlines import STEP, IdLines

IDS = [f"2501.{i:05d}" for i in range(3 * STEP + 5)] + ["x", "2501.0001", "ab"]


def test_reads_like_the_list_it_joins() -> None:
    lines = IdLines("\n".join(IDS))
    assert len(lines) == len(IDS) and list(lines) == IDS and lines == IDS
    for at in (0, 1, STEP - 1, STEP, 2 * STEP + 3, len(IDS) - 1, -1, -len(IDS)):
        assert lines[at] == IDS[at]
    for cut in (slice(0, 5), slice(STEP - 2, STEP + 2), slice(3 * STEP, None), slice(7, 3),
                slice(-4, None), slice(1, 40, 3)):  # fmt: skip
        assert lines[cut] == IDS[cut]
    with pytest.raises(IndexError):
        lines[len(IDS)]


def test_finds_a_row_by_its_whole_id_only() -> None:
    lines = IdLines("\n".join(IDS))
    assert [lines.index(i) for i in IDS] == list(range(len(IDS)))
    assert "ab" in lines and "2501.00001" in lines
    for missing in ("a", "b", "2501.000", "0001", "2501.0001\nab", ""):
        assert missing not in lines
        with pytest.raises(ValueError):
            lines.index(missing)


def test_empty_and_prefixed() -> None:
    empty = IdLines("")
    assert len(empty) == 0 and list(empty) == [] and empty == [] and "x" not in empty
    assert empty.prefixed(["a", "b"]) == ["a", "b"]
    assert IdLines("c\nd").prefixed(["a"]) == ["a", "c", "d"]
    assert IdLines("c").prefixed([]) == ["c"]
