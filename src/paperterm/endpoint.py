"""The API endpoint setting and the one error type of talking to it.

Kept apart from `client` so that importing them does not import httpx: the reader's first
frame needs neither the network nor its libraries.
"""

from __future__ import annotations

import os
from typing import Literal
from urllib.parse import urlsplit

DEFAULT_ENDPOINT = "https://huggingface.co"

ErrorKind = Literal["offline", "timeout", "rate-limited", "http", "bad-response", "config"]


class FetchError(Exception):
    """A refresh that did not produce a complete, valid answer. `str()` is a one-line message."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def offline(self) -> bool:
        return self.kind in ("offline", "timeout")


class EndpointError(ValueError):
    """HF_ENDPOINT does not hold a usable http(s) base URL."""


def resolve_endpoint(value: str | None = None) -> str:
    """The API base URL: `value`, else ``$HF_ENDPOINT``, else huggingface.co (no trailing /)."""
    raw = (value if value is not None else os.environ.get("HF_ENDPOINT", "")).strip()
    if not raw:
        return DEFAULT_ENDPOINT
    try:
        parts = urlsplit(raw)
        _ = parts.port
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.query
        or parts.fragment
    ):
        raise EndpointError(f"HF_ENDPOINT={raw!r} is not an http(s) URL such as {DEFAULT_ENDPOINT}")
    return raw.rstrip("/")


def endpoint_warning(endpoint: str) -> str | None:
    """A warning for plain http to anything but this machine."""
    parts = urlsplit(endpoint)
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return f"HF_ENDPOINT {endpoint} uses plain http: traffic is not encrypted"
    return None
