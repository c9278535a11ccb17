"""The reader's delayed actions (auto-read after a dwell, details following the cursor) behind
one seam, so a test decides when they fire instead of the wall clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from textual.dom import DOMNode


class Pending(Protocol):
    """A scheduled callback that can still be called off."""

    def stop(self) -> None: ...


class Timers(Protocol):
    """Schedules `callback` after `delay` seconds on `node`'s event loop."""

    def after(self, node: DOMNode, delay: float, callback: Callable[[], object]) -> Pending: ...


class RealTimers:
    """Textual's timers: what the reader uses outside tests."""

    def after(self, node: DOMNode, delay: float, callback: Callable[[], object]) -> Pending:
        return node.set_timer(delay, callback)


class ManualTimers:
    """Timers that fire only when told to (`fire`): for tests, so nothing depends on how
    busy the machine is."""

    def __init__(self) -> None:
        self.pending: list[_Manual] = []

    def after(self, node: DOMNode, delay: float, callback: Callable[[], object]) -> Pending:
        timer = _Manual(delay, callback)
        self.pending.append(timer)
        return timer

    def fire(self, up_to: float = float("inf")) -> int:
        """Run every pending callback whose delay is at most `up_to` seconds; how many ran."""
        due = [t for t in self.pending if t.delay <= up_to and not t.stopped]
        self.pending = [t for t in self.pending if t not in due and not t.stopped]
        for timer in due:
            timer.stopped = True
            timer.callback()
        return len(due)


class _Manual:
    def __init__(self, delay: float, callback: Callable[[], object]) -> None:
        self.delay = delay
        self.callback = callback
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True
