"""Every file location paperterm uses, in one place (platformdirs; honours the XDG_* variables)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from paperterm.records import Record

APP = "paperterm"


class Paths(Record, frozen=True):
    """Where config, state and cache live. Tests build one over `tmp_path`."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @classmethod
    def default(cls) -> Paths:
        return cls(
            config_dir=platformdirs.user_config_path(APP, appauthor=False),
            data_dir=platformdirs.user_data_path(APP, appauthor=False),
            cache_dir=platformdirs.user_cache_path(APP, appauthor=False),
        )

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def state_file(self) -> Path:
        return self.data_dir / "state.toml"

    @property
    def cache_db(self) -> Path:
        return self.cache_dir / "cache.sqlite3"

    @property
    def for_you_cache(self) -> Path:
        """The For-you corpus as last built, so a ranking can skip building it (disposable)."""
        return self.cache_dir / "for-you.postings"

    @property
    def state_cache(self) -> Path:
        """What `state_file` parses to, so loading it can skip parsing (disposable)."""
        return self.cache_dir / "state-cache.jsonl"
