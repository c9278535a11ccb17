"""Fields of an imported file, cleaned: every file is untrusted, our own backups included.

Strings are cleaned as ingest cleans feed text, ids validated, dates read only when they are
plainly dates, and unknown keys made fit for the TOML state file. A value of the wrong type
reads as empty; an entry that cannot become a bookmark raises `SkipEntry`, which skips that
entry only. `paperterm.exchange.importer` decides which fields of which format go through these.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from paperterm.clean import ABSTRACT_MAX, clean_abstract, clean_line, clean_text
from paperterm.exchange.text import NOTE_MAX, TAG_MAX
from paperterm.models import normalize_arxiv_id


class SkipEntry(ValueError):
    """One entry that cannot become a bookmark; the message is the reason shown."""


def clean_tags(value: object) -> tuple[str, ...]:
    """Tags from a file: one-line, non-empty, each once, order kept."""
    return unique_lines(value, TAG_MAX)


def clean_note(value: object) -> str:
    """A note from a file: cleaned like feed text but its line breaks kept, capped."""
    note = clean_text(value) if isinstance(value, str) else ""
    return note if len(note) <= NOTE_MAX else note[: NOTE_MAX - 1] + "…"


def clean_extra(value: object, depth: int = 0) -> dict[str, Any]:
    """A bookmark's unknown keys from a file, fit to be written back."""
    # Unknown keys go back into the TOML state file: strings cleaned (no lone surrogates),
    # None dropped (TOML has no null), nesting bounded.
    if not isinstance(value, dict) or depth > 8:
        return {}
    return {
        clean_text(str(k)): v
        for k, v in ((k, _clean_value(v, depth)) for k, v in value.items())
        if v is not None
    }


def _clean_value(value: object, depth: int) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):
        return [v for v in (_clean_value(x, depth + 1) for x in value) if v is not None]
    if isinstance(value, dict):
        return clean_extra(value, depth + 1)
    return None


def unique_lines(value: object, limit: int) -> tuple[str, ...]:
    """The clean, non-empty lines of a list, each once, order kept."""
    seen = dict.fromkeys(line for line in (line_field(v, limit) for v in list_field(value)) if line)
    return tuple(seen)


def paper_id_field(value: object) -> str:
    """The versionless arXiv id `value` holds; raises `SkipEntry` when it holds none."""
    paper_id = normalize_arxiv_id(value) if isinstance(value, str) else None
    if paper_id is None:
        raise SkipEntry(f"bad paper id {str(value)[:40]!r}")
    return paper_id


def line_field(value: object, limit: int) -> str:
    """One clean line of at most `limit` characters; "" for anything but a string."""
    if not isinstance(value, str):
        return ""
    return value if is_clean_line(value, limit) else clean_line(value, limit)


def abstract_field(value: object) -> str:
    """A clean abstract, its paragraphs kept; "" for anything but a string."""
    if not isinstance(value, str):
        return ""
    clean = len(value) <= ABSTRACT_MAX and all(
        p and is_clean_line(p, ABSTRACT_MAX) for p in value.split("\n\n")
    )
    return value if clean or not value else clean_abstract(value)


def is_clean_line(text: str, limit: int) -> bool:
    """Whether `clean_line` would return `text` unchanged. Most of a file we wrote is, and
    this check is several times faster: what cleaning removes or rewrites (controls, format
    characters, surrogates, line and paragraph separators, spaces other than U+0020) is
    all non-printable."""
    return (
        len(text) <= limit
        and text.isprintable()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and unicodedata.is_normalized("NFC", text)
    )


def str_field(value: object) -> str:
    """`value` if it is a string, else ""."""
    return value if isinstance(value, str) else ""


def list_field(value: object) -> list[Any]:
    """`value` if it is a list, else []."""
    return value if isinstance(value, list) else []


def date_field(value: object) -> dt.date | None:
    """A date written as YYYY-MM-DD, or None."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def datetime_field(value: object) -> dt.datetime | None:
    """An ISO date-time (without an offset: UTC), or None."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}[T ]", value):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
