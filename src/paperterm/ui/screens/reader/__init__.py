"""The reader's main screen (`ReaderScreen`) and the collaborators it owns: the feed loader,
the filter controller, the triage controller, and the timers they wait on."""

from __future__ import annotations

from paperterm.ui.screens.reader.screen import ReaderScreen
from paperterm.ui.screens.reader.timers import ManualTimers, RealTimers, Timers

__all__ = ["ManualTimers", "ReaderScreen", "RealTimers", "Timers"]
