"""Author names as Hugging Face gives them ("Given Family"), taken apart for citations."""

from __future__ import annotations

_NAME_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})


def split_name(name: str) -> tuple[str, str, str] | None:
    """(given, family, suffix) of an HF "Given Family" name, split at the last space as
    arXiv's listing does; None when it cannot be split (one word, or already has a comma)."""
    parts = name.split(" ")
    suffix = parts.pop() if len(parts) >= 3 and parts[-1] in _NAME_SUFFIXES else ""
    if len(parts) < 2 or "," in name:
        return None
    return " ".join(parts[:-1]), parts[-1], suffix


def family_name(name: str) -> str:
    split = split_name(name)
    return split[1] if split else name
