"""What an answer's body must be before anything reads it: UTF-8 JSON of the expected shape,
without NaN or Infinity, not nested absurdly deep (docs/hazards.md section C); or, for a
paper's full text, UTF-8 text that is not an HTML page."""

from __future__ import annotations

import json
import math
from typing import Any

from paperterm.clean import clean_line
from paperterm.feed.errors import FetchError


class _NotFinite(ValueError):
    pass


def parse_json(body: bytes, content_type: str, shape: type) -> Any:
    """The JSON value of an answer's body, of the `shape` the endpoint promises (a list or an
    object); raises `FetchError` with a one-line message saying what came back instead."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "text/html":
        raise FetchError(
            "bad-response", "not a JSON feed (got text/html) — captive portal or proxy?"
        )
    if not body.strip():
        raise FetchError("bad-response", "empty answer where a JSON feed was expected")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FetchError(
            "bad-response", f"answer is not UTF-8 text ({kind or 'no content type'})"
        ) from None
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        preview = clean_line(text[:40], 40)
        raise FetchError(
            "bad-response",
            f"answer is not valid JSON ({exc.msg} at char {exc.pos}; starts {preview!r})",
        ) from None
    except _NotFinite:
        raise FetchError(
            "bad-response", "answer contains NaN or Infinity — not a valid feed"
        ) from None
    except RecursionError:
        raise FetchError("bad-response", "answer is nested too deeply to be a feed") from None
    if not isinstance(data, shape):
        expected = "a list" if shape is list else "an object"
        raise FetchError(
            "bad-response", f"unexpected feed format: got {_json_kind(data)}, expected {expected}"
        )
    return data


def parse_text(body: bytes, content_type: str) -> str:
    """A paper's Markdown: refused when it is an HTML page (a 200 from a proxy, a login wall or
    an error page), empty, or not UTF-8. The text is still untrusted: `clean_text` it next."""
    kind = content_type.split(";")[0].strip().lower()
    start = body[:512].lstrip().lower()
    if kind in ("text/html", "application/xhtml+xml") or start.startswith(_HTML_STARTS):
        raise FetchError("bad-response", "an HTML page came back instead of the paper's text")
    if not body.strip():
        raise FetchError("bad-response", "empty answer where the paper's text was expected")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FetchError(
            "bad-response", f"the paper's text is not UTF-8 ({kind or 'no content type'})"
        ) from None


_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")


def _reject_constant(name: str) -> Any:
    raise _NotFinite(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


def _json_kind(data: object) -> str:
    names: dict[type, str] = {
        dict: "a JSON object",
        list: "a list",
        str: "a string",
        type(None): "null",
    }
    return names.get(type(data), f"a JSON {type(data).__name__}")
