"""Settings: what a user can change, with the defaults paperterm ships."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from paperterm.models import FeedSpec

TRENDING = FeedSpec("trending")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting with its default."""

    default_feed: FeedSpec = TRENDING
    refresh_max_age: dt.timedelta = dt.timedelta(minutes=30)
    # A paper counts as read after staying this long in the detail pane (0 turns it off).
    auto_read_delay: float = 1.5
    confirm_mark_all_read: bool = True
    hide_read: bool = False
