"""The layout stays readable from `ls`: parts as sub-packages, few modules at the root, none long."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "paperterm"
MAX_LINES = 400
ROOT_MODULES = {
    "__init__",
    "__main__",
    "clean",
    "config",
    "files",
    "keyed",
    "keys",
    "links",
    "models",
    "paths",
    "records",
    # The status-bar counts: loaded alone by `paperterm status` (sqlite3 and os, nothing else),
    # so it cannot live in a part whose package would load with it.
    "tally",
}


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these inside their part: {long}"


def test_the_root_holds_only_the_shared_modules() -> None:
    assert {p.stem for p in PACKAGE.glob("*.py")} <= ROOT_MODULES
