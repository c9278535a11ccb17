"""Regenerate screenshots/*.svg by driving the real app on fixture data with a fixed clock.

python scripts/screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from appdata import NOW, build_app  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

Steps = Callable[[Pilot[None]], Awaitable[None]]


async def nothing(pilot: Pilot[None]) -> None:
    await pilot.pause()


async def help_screen(pilot: Pilot[None]) -> None:
    await pilot.press("question_mark")
    await pilot.pause(0.3)


async def moved(pilot: Pilot[None]) -> None:
    await pilot.press("j", "j", "j")
    await pilot.pause()


SHOTS: dict[str, tuple[tuple[int, int], Steps]] = {
    "main": ((120, 36), moved),
    "narrow": ((80, 24), nothing),
    "help": ((120, 36), help_screen),
}


async def shoot(name: str, size: tuple[int, int], steps: Steps, out: Path, home: Path) -> None:
    app = build_app(home)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await steps(pilot)
        app.save_screenshot(f"{name}.svg", path=str(out))
    print(f"wrote {out / name}.svg")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for name, (size, steps) in SHOTS.items():
        with tempfile.TemporaryDirectory() as home:
            await shoot(name, size, steps, out, Path(home))


if __name__ == "__main__":
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    del dt, NOW
    asyncio.run(main())
