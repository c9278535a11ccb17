"""Which URLs paperterm will store, open or copy: absolute http(s) with a plain host, nothing else.

Feed URLs are untrusted. `webbrowser.open` hands any string to the browser command as is
(``javascript:``, ``file:``, ``-incognito``), and a copied URL containing a newline runs as a
second command when pasted into a shell. So the rule is applied once here and used everywhere.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_UNSAFE_CHARS = re.compile(
    r"[\x00-\x20\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
_HOST = re.compile(r"^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$")
MAX_URL_LENGTH = 2048


def safe_url(value: object) -> str | None:
    """`value` as an openable web URL, or None when it is anything else.

    Accepted: ``http``/``https`` with a host name or IP, no user:password part, no whitespace
    or control characters, at most 2048 characters. Leading/trailing whitespace is trimmed
    (the API sends a few project pages with a leading space).
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > MAX_URL_LENGTH or _UNSAFE_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password:
        return None
    host = parts.hostname or ""
    if not host or not _HOST.match(host if ":" not in host else f"[{host}]"):
        return None
    return url
