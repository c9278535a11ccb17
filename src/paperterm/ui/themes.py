"""Themes: paperterm's own (bundled TOML files) and the user's, as Textual `Theme`s.

One theme per file; keys are `textual.theme.Theme` fields plus a `[variables]` table, where
paperterm's own variables (`paper-unread`, `paper-bookmarked` ...) may be set. A broken file
is reported by name and skipped; it never stops the reader.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

from paperterm.config import read_small_text
from paperterm.records import Record

MAX_THEME_BYTES = 64 * 1024  # a theme is a dozen colours

_COLOR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)


class LoadedThemes(Record, frozen=True):
    themes: tuple[Theme, ...]
    problems: tuple[str, ...]  # one line each, for a notification


def bundled_themes_dir() -> Path:
    """The themes shipped in the package, or the source tree's under an editable install.
    (A path beside this file, not `importlib.resources`: that and the zipfile module it loads
    were 3 ms of the reader's start-up.)"""
    here = Path(__file__).resolve()
    packaged = here.parents[1] / "themes"
    return packaged if packaged.is_dir() else here.parents[3] / "themes"


def load_theme(path: Path, *, trusted: bool = False) -> Theme:
    """One theme file; raises ValueError with a reason for anything wrong in it. `trusted`
    (the bundled themes, which the tests check): without generating its colours to prove
    they can be, half a millisecond a theme at every start."""
    try:
        data = tomllib.loads(read_small_text(path, MAX_THEME_BYTES))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(str(exc)) from None
    data.setdefault("name", path.stem)
    if not isinstance(data["name"], str) or not data["name"].strip():
        raise ValueError("name must be a non-empty string")
    for key in _COLOR_FIELDS:
        if key in data:
            _check_color(key, data[key])
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError("[variables] must be a table")
    for key, value in variables.items():
        _check_color(f"variables.{key}", value)
    try:
        theme = Theme(**data)
        if not trusted:
            theme.to_color_system().generate()
    except (TypeError, ValueError, ColorParseError) as exc:
        raise ValueError(str(exc).replace("Theme.__init__() ", "")) from None
    return theme


def load_themes(*directories: Path) -> LoadedThemes:
    """Every `*.toml` of `directories`, in order (a later file with the same name wins)."""
    themes, problems = list[Theme](), list[str]()
    bundled = bundled_themes_dir()
    for directory in directories:
        for path in sorted(directory.glob("*.toml")) if directory.is_dir() else ():
            try:
                themes.append(load_theme(path, trusted=directory == bundled))
            except (ValueError, FileNotFoundError) as exc:
                problems.append(f"theme {path.name} skipped: {_first_line(exc)}")
    return LoadedThemes(tuple(themes), tuple(problems))


def _check_color(key: str, value: object) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a colour string, got {_short(value)}")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ValueError(f"{key} = {_short(value)} is not a colour") from None


def _short(value: object) -> str:
    """A value as a notification quotes it: one line, at most 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _first_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:199] + "…"
