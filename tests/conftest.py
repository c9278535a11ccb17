"""Shared test setup: every path under tmp_path, no proxies, no real network."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakebrowser import Browser
from fakehf import FakeHF

from paperterm.paths import Paths


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """Point config, state and cache at tmp_path; drop proxy and endpoint settings."""
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HF_ENDPOINT",
        "TEXTUAL_THEME",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return Paths.default()


@pytest.fixture(scope="session")
def fake_api() -> FakeHF:
    """The fake HF API over the 9,881 fixture papers (built once: loading takes a second)."""
    return FakeHF()


@pytest.fixture
def fake(fake_api: FakeHF) -> FakeHF:
    """The fake API, with no fault, hook or recorded request left from another test."""
    fake_api.scenario = None
    fake_api.hook = None
    fake_api.trending = fake_api.first_trending
    fake_api.texts.clear()
    fake_api.papers.clear()
    fake_api.requests.clear()
    return fake_api


@pytest.fixture
def paths(isolated_home: Paths) -> Paths:
    return isolated_home


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Browser:
    """A desktop session (a display, no $BROWSER) whose browser is recorded, not started."""
    fake = Browser()
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("BROWSER", raising=False)
    monkeypatch.setattr("webbrowser.open", fake.open)
    return fake
