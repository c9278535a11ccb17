"""The reading view: a paper's full text (`ReadingScreen`) and its contents (`ContentsModal`)."""

from __future__ import annotations

from paperterm.ui.screens.reading.screen import ReadingScreen

__all__ = ["ReadingScreen"]
