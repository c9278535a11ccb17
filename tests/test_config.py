"""config.toml, keymaps, themes, and the screenshots the README shows."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from appdata import build_app, paths_in, reader_app
from textual.color import Color
from textual.css.stylesheet import Stylesheet

from paperterm.config import (
    DEFAULT_CONFIG,
    DEFAULT_THEME,
    Settings,
    load_settings,
    parse_settings,
    set_theme,
)
from paperterm.keys import KEYMAP_IDS
from paperterm.models import FeedSpec
from paperterm.ui.themes import bundled_themes_dir, load_theme, load_themes
from paperterm.ui.widgets.detail import DetailPane

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ("paperterm-contrast", "paperterm-dark", "paperterm-light")


# -- settings ----------------------------------------------------------------------------------


def test_every_key_parses() -> None:
    settings, problems = parse_settings({
        "default_feed": "daily", "theme": "nord", "refresh_max_age_minutes": 5,
        "auto_read_delay": 0, "confirm_mark_all_read": False, "hide_read": True,
        "endpoint": "https://hf-mirror.com/", "state_file": "~/Sync/state.toml",
        "keymap": {"refresh": "R", "toggle_bookmark": "b, f"},
    })  # fmt: skip
    assert problems == []
    assert settings == Settings(
        default_feed=FeedSpec("daily"), theme="nord", refresh_max_age=dt.timedelta(minutes=5),
        auto_read_delay=0.0, confirm_mark_all_read=False, hide_read=True,
        endpoint="https://hf-mirror.com", state_file=Path("~/Sync/state.toml").expanduser(),
        keymap={"refresh": "R", "toggle_bookmark": "b,f"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("default_feed", "bogus", "unknown feed"),
        ("default_feed", 3, "expected a string"),
        ("theme", "", "expected a theme name"),
        ("refresh_max_age_minutes", -1, "from 0 to"),
        ("refresh_max_age_minutes", "30", "expected a number"),
        ("auto_read_delay", True, "expected a number"),
        ("confirm_mark_all_read", "yes", "expected true or false"),
        ("hide_read", 1, "expected true or false"),
        ("endpoint", "file:///etc", "not an http(s) URL"),
        ("state_file", "", "expected a file path"),
        ("keymap", "R", "expected a table"),
    ],
)
def test_a_bad_value_is_named_and_the_default_used(key: str, value: Any, message: str) -> None:
    settings, problems = parse_settings({key: value})
    assert settings == Settings()
    assert len(problems) == 1 and problems[0].startswith(f"{key}: ") and message in problems[0]
    assert problems[0].endswith("(using the default)")


@pytest.mark.parametrize("bad", ["ctrl+", 5, "R R"])
def test_one_bad_keymap_entry_drops_only_itself(bad: Any) -> None:
    settings, problems = parse_settings({"keymap": {"refresh": bad, "toggle_bookmark": "f"}})
    assert settings.keymap == {"toggle_bookmark": "f"}
    assert len(problems) == 1 and problems[0].startswith("keymap: refresh: ")
    assert "expected keys such as" in problems[0] and problems[0].endswith("(ignored)")


def test_unknown_keys_are_named_and_ignored() -> None:
    settings, problems = parse_settings({"colour": "red", "hide_read": True})
    assert settings.hide_read and problems == ["unknown setting 'colour' (ignored)"]


def test_a_file_that_is_not_toml_means_defaults_and_one_message(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = [unclosed")
    settings, problems = load_settings(path)
    assert settings == Settings() and len(problems) == 1 and "not valid TOML" in problems[0]
    assert load_settings(tmp_path / "missing.toml") == (Settings(), [])


def test_the_default_file_documents_every_key_and_parses_uncommented() -> None:
    uncommented = "\n".join(
        line[2:]
        if (line.startswith("# ") and "=" in line) or line in ("# [keymap]", "# [searches]")
        else line
        for line in DEFAULT_CONFIG.splitlines()
    )
    data = tomllib.loads(uncommented)
    settings, problems = parse_settings(data)
    assert problems == []
    assert set(data) == {"default_feed", "theme", "refresh_max_age_minutes", "auto_read_delay",
                         "confirm_mark_all_read", "hide_read", "endpoint", "state_file", "keymap", "searches"}  # fmt: skip
    assert set(settings.keymap) <= KEYMAP_IDS


def test_set_theme_changes_one_line_and_keeps_comments(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\nhide_read = true  # yes\n\n[keymap]\nrefresh = "R"\n')
    set_theme(path, "nord")
    assert (
        path.read_text()
        == '# mine\nhide_read = true  # yes\ntheme = "nord"\n\n[keymap]\nrefresh = "R"\n'
    )
    set_theme(path, "paperterm-light")
    assert tomllib.loads(path.read_text())["theme"] == "paperterm-light"
    assert path.read_text().count("theme =") == 1 and "# mine" in path.read_text()
    fresh = tmp_path / "new" / "config.toml"
    set_theme(fresh, "gruvbox")
    assert tomllib.loads(fresh.read_text())["theme"] == "gruvbox"


def test_cli_config_reports_and_prints_the_default(tmp_path: Path) -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "paperterm" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('hide_read = "no"\nwhat = 1\n[keymap]\nnothing = "z"\n')

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "paperterm", *args], capture_output=True,
                              text=True, timeout=60)  # fmt: skip

    checked = run("config")
    assert checked.returncode == 1
    assert "hide_read: expected true or false" in checked.stdout
    assert (
        "unknown setting 'what'" in checked.stdout
        and "no binding with the id 'nothing'" in checked.stdout
    )
    assert run("config", "--default").stdout == DEFAULT_CONFIG
    listed = run("list", "--offline", "--limit", "1")
    assert listed.returncode == 0 and "config.toml: unknown setting 'what'" in listed.stderr


# -- keymap --------------------------------------------------------------------------------------


async def test_keymap_overrides_rebind_keys(tmp_path: Path) -> None:
    app = build_app(tmp_path, settings=Settings(keymap={"toggle_bookmark": "f", "nothing": "z"}))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f")
        assert len(app.service.triage.state.bookmarks) == 1
        await pilot.press("b")  # no longer bound
        assert len(app.service.triage.state.bookmarks) == 1
        assert any("no binding with the id 'nothing'" in n.message for n in app._notifications)


# -- themes ----------------------------------------------------------------------------------------


def test_bundled_themes_load() -> None:
    loaded = load_themes(bundled_themes_dir())
    assert loaded.problems == ()
    for theme in loaded.themes:  # what the reader does not check of its own at each start
        assert load_theme(bundled_themes_dir() / f"{theme.name}.toml").to_color_system().generate()
    names = sorted(t.name for t in loaded.themes)
    assert names == list(BUNDLED)
    light = next(t for t in loaded.themes if t.name == "paperterm-light")
    assert not light.dark and light.variables["paper-unread"] == "#2F5D9E"


def test_user_themes_load_and_a_broken_one_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "mine.toml").write_text(
        'primary = "#ff0000"\n[variables]\npaper-unread = "#00ff00"\n'
    )
    (folder / "typo.toml").write_text('primary = "#ff00zz"\n')
    (folder / "field.toml").write_text('primary = "#ff0000"\ncolour = "x"\n')
    (folder / "junk.toml").write_text("[[[")
    (folder / "badvar.toml").write_text('primary = "#ff0000"\n[variables]\npaper-read = "nope"\n')
    loaded = load_themes(bundled_themes_dir(), folder)
    assert "mine" in [t.name for t in loaded.themes]
    assert sorted(p.split(" ")[1] for p in loaded.problems) == [
        "badvar.toml",
        "field.toml",
        "junk.toml",
        "typo.toml",
    ]
    with pytest.raises(ValueError, match="not a colour"):
        load_theme(folder / "typo.toml")


async def test_themes_in_the_app_unknown_theme_and_persistence(tmp_path: Path) -> None:
    paths = paths_in(tmp_path)
    paths.themes_dir.mkdir(parents=True)
    (paths.themes_dir / "mine.toml").write_text('primary = "#884488"\n')
    (paths.themes_dir / "broken.toml").write_text("nope")
    service = build_app(tmp_path).service
    app = reader_app(
        service, settings=Settings(theme="no-such-theme"), config_file=paths.config_file
    )
    assert app.theme == DEFAULT_THEME
    assert "mine" in app.available_themes and "nord" in app.available_themes
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any("unknown theme 'no-such-theme'" in n for n in notes)
        assert any("theme broken.toml skipped" in n for n in notes)
        app.theme = "paperterm-light"  # what the palette's theme picker does
        await pilot.pause()
    assert tomllib.loads(paths.config_file.read_text())["theme"] == "paperterm-light"


@pytest.mark.parametrize("theme", ["paperterm-light", "nord"])
async def test_the_starting_theme_is_applied_without_parsing_the_css_twice(
    tmp_path: Path, theme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reparses: list[object] = []
    original = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: reparses.append(self) or original(self))
    app = build_app(tmp_path, settings=Settings(theme=theme))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert reparses == []
        dark = app.current_theme.dark
        assert app.has_class(f"-theme-{theme}") and app.has_class("-dark-mode") == dark
        assert app.has_class("-light-mode") != dark
        background = app.screen.query_one(DetailPane).styles.background
        assert background == Color.parse(app.current_theme.surface or "")
        app.theme = "paperterm-dark"  # choosing another one later works as ever
        await pilot.pause()
        assert len(reparses) == 1 and not app.has_class(f"-theme-{theme}")
        assert app.screen.query_one(DetailPane).styles.background != background


def test_the_screenshot_script_regenerates_the_committed_svgs(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    committed = sorted(p.name for p in (ROOT / "screenshots").glob("*.svg"))
    assert sorted(p.name for p in tmp_path.glob("*.svg")) == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (ROOT / "screenshots" / name).read_bytes(), name
