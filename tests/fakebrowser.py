"""A stand-in for the user's browser in tests."""

from __future__ import annotations


class Browser:
    """A stand-in for the user's graphical browser: records what it is asked to open."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.answers = True  # False: a browser that fails to start

    def open(self, url: str, new: int = 0) -> bool:
        self.opened.append(url)
        return self.answers
