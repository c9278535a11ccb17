"""The text helpers every writer shares: one-line fields, user text, and the last guard."""

from __future__ import annotations

from paperterm.clean import clean_text, replace_surrogates

NOTE_MAX = 20_000
TAG_MAX = 100


def line(text: str) -> str:
    """A one-line field from a cleaned paper string (abstracts keep blank lines)."""
    # str.split() breaks on the same characters as \s, several times faster than re.sub.
    return " ".join(text.split())


def user_line(text: str) -> str:
    """A one-line field from user text (notes, tags), which ingest has never seen."""
    return " ".join(clean_text(text).split()) if text else ""


def user_lines(text: str) -> list[str]:
    """The lines of user text, each made one clean line, blank ones trimmed at both ends."""
    lines = [" ".join(part.split()) for part in clean_text(text).split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def finish(text: str) -> str:
    """A whole document, safe to write as UTF-8."""
    # A lone surrogate would make the caller's UTF-8 write fail half-way (hazards E6).
    return replace_surrogates(text)
