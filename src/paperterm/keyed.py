"""Keyed files: caches trusted only for the exact input they were made from.

A keyed file (`write_keyed`, `read_keyed`) is one header line naming what it is, the key it is
valid for and the SHA-256 of the rest, then the payload. Anything that does not check out
(another program's file, another version's, a torn write, a stale key) reads as missing, so
losing or damaging one costs time, never data: it is written atomically but not fsynced. The
header can also carry a few facts about the payload (`keyed_about` reads them without it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from paperterm.files import atomic_write, open_regular, read_bytes


def write_keyed(
    path: Path, kind: str, key: str, payload: bytes, about: Mapping[str, object] | None = None
) -> None:
    """Replace `path` with `payload`, labelled as a `kind` file valid for `key` only, with a
    few facts `about` it that `keyed_about` reads without the payload. Raises OSError; the
    caller decides whether that matters (for a cache it does not)."""
    digest = hashlib.sha256(payload).hexdigest()
    header: dict[str, object] = {"kind": kind, "key": key, "sha256": digest}
    if about:
        header["about"] = dict(about)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(header).encode() + b"\n" + payload, durable=False)


def read_keyed(path: Path, kind: str, key: str) -> bytes | None:
    """The payload `write_keyed` stored for exactly this `kind` and `key`; None for a missing,
    unreadable, foreign, stale or damaged file."""
    try:
        found = read_bytes(path)
    except OSError:
        return None
    if found is None:
        return None
    head, newline, payload = found[0].partition(b"\n")
    try:
        header = json.loads(head)
    except (ValueError, RecursionError):
        return None
    if not (newline and isinstance(header, dict)):
        return None
    if header.get("kind") != kind or header.get("key") != key:
        return None
    if header.get("sha256") != hashlib.sha256(payload).hexdigest():
        return None
    return payload


def keyed_about(path: Path, kind: str) -> tuple[str, dict[str, object]] | None:
    """The key and the facts `write_keyed` stored about a `kind` file, read from its first
    line only (the payload is neither read nor checked); None for a missing, unreadable or
    foreign file."""
    try:
        with open(open_regular(path), "rb") as handle:
            head = handle.readline(_HEADER_MAX)
    except OSError:
        return None
    try:
        header = json.loads(head)
    except (ValueError, RecursionError):
        return None
    if not isinstance(header, dict) or header.get("kind") != kind:
        return None
    key, about = header.get("key"), header.get("about", {})
    return (key, about) if isinstance(key, str) and isinstance(about, dict) else None


_HEADER_MAX = 64 * 1024
