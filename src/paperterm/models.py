"""The records paperterm passes around: papers, feed specs, bookmarks, the reading state, and
the clock every part takes its time from. No I/O here.

Every string inside a `Paper` has already been cleaned by `ingest` (or came back from our own
cache, which only ever stores cleaned papers), so the rest of the program can trust it to be
free of control sequences, bidi overrides and absurd lengths. It is still *untrusted text*:
the UI renders it literally, never as markup.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from paperterm.records import Record, astuple, field, replace

ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?$")
HF_PAPER_URL = "https://huggingface.co/papers/{id}"
ARXIV_ABS_URL = "https://arxiv.org/abs/{id}"
ARXIV_PDF_URL = "https://arxiv.org/pdf/{id}"


def normalize_arxiv_id(text: str) -> str | None:
    """The versionless new-style arXiv id in `text` (``2501.00001v2`` -> ``2501.00001``), or None."""
    match = ARXIV_ID.match(text.strip())
    return match.group(1) if match else None


_PAPER_URL = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/papers/(?P<hf>[^/?#]+)"
    r"|^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<arxiv>[^/?#]+?)(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)


def paper_id_from_ref(text: str) -> str | None:
    """The arXiv id named by `text`: an id (``2501.00001``, ``2501.00001v2``, ``arXiv:2501.00001``)
    or a Hugging Face / arXiv paper URL. None when it names no paper."""
    ref = text.strip()
    match = _PAPER_URL.match(ref)
    if match:
        ref = match.group("hf") or match.group("arxiv") or ""
    elif ref.lower().startswith("arxiv:"):
        ref = ref[6:]
    return normalize_arxiv_id(ref)


class Paper(Record, frozen=True):
    """One paper as paperterm knows it: cleaned, versionless id, links derived from the id."""

    id: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    upvotes: int = 0
    comments: int = 0
    feed_day: dt.date | None = None
    published: dt.date | None = None
    github: str | None = None
    stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    organization: str | None = None
    submitter: str | None = None
    fetched_at: dt.datetime | None = None
    # How many authors the paper really has; more than len(authors) when the list was capped.
    author_count: int = 0

    @property
    def url(self) -> str:
        return HF_PAPER_URL.format(id=self.id)

    @property
    def arxiv_url(self) -> str:
        return ARXIV_ABS_URL.format(id=self.id)

    @property
    def pdf_url(self) -> str:
        return ARXIV_PDF_URL.format(id=self.id)

    @property
    def authors_total(self) -> int:
        return max(self.author_count, len(self.authors))

    def author_line(self, first: int = 3) -> str:
        """ "A, B, C and 12 more" — the first few names and a count of the rest."""
        shown = ", ".join(self.authors[:first])
        rest = self.authors_total - min(first, len(self.authors))
        if rest > 0:
            return f"{shown} and {rest} more" if shown else f"{rest} authors"
        return shown

    def to_json(self) -> dict[str, Any]:
        """The paper as a JSON-ready dict; `from_json` reads it back exactly."""
        return {
            "id": self.id,
            "title": self.title,
            "authors": list(self.authors),
            "author_count": self.authors_total,
            "abstract": self.abstract,
            "upvotes": self.upvotes,
            "comments": self.comments,
            "feed_day": _iso(self.feed_day),
            "published": _iso(self.published),
            "github": self.github,
            "stars": self.stars,
            "project_page": self.project_page,
            "ai_summary": self.ai_summary,
            "ai_keywords": list(self.ai_keywords),
            "organization": self.organization,
            "submitter": self.submitter,
            "url": self.url,
            "arxiv_url": self.arxiv_url,
            "pdf_url": self.pdf_url,
            "fetched_at": _iso(self.fetched_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Paper:
        """Rebuild a paper written by `to_json` (our own cache and files, not the HF API)."""
        return cls(
            id=data["id"],
            title=data["title"],
            authors=tuple(data["authors"]),
            abstract=data["abstract"],
            upvotes=data.get("upvotes", 0),
            comments=data.get("comments", 0),
            feed_day=_date(data.get("feed_day")),
            published=_date(data.get("published")),
            github=data.get("github"),
            stars=data.get("stars"),
            project_page=data.get("project_page"),
            ai_summary=data.get("ai_summary"),
            ai_keywords=tuple(data.get("ai_keywords", ())),
            organization=data.get("organization"),
            submitter=data.get("submitter"),
            fetched_at=_datetime(data.get("fetched_at")),
            author_count=data.get("author_count", len(data["authors"])),
        )


def merge_papers(old: Paper, new: Paper) -> Paper:
    """The newer metadata wins, but a paper listed on two feed days keeps the later day."""
    if (old.fetched_at or _EPOCH) > (new.fetched_at or _EPOCH):
        old, new = new, old
    feed_day = max((d for d in (old.feed_day, new.feed_day) if d), default=None)
    return replace(new, feed_day=feed_day)


FeedKind = Literal["trending", "daily", "weekly", "monthly", "search", "for-you", "like", "saved"]
FEED_KINDS: tuple[FeedKind, ...] = (
    "trending", "daily", "weekly", "monthly", "search", "for-you", "like", "saved"
)  # fmt: skip
# Ranked on this machine from the cache and the bookmarks: nothing to fetch.
LOCAL_KINDS: tuple[FeedKind, ...] = ("for-you", "like", "saved")
SAVED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


class FeedSpecError(ValueError):
    """A FEED argument that does not name a feed."""


_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class FeedSpec(Record, frozen=True):
    """A named list of papers: ``trending``, ``daily[:DATE]``, ``weekly[:WEEK]``,
    ``monthly[:MONTH]`` or ``search:QUERY`` from the server; ``for-you[:TAG]`` (the cache
    ranked by the bookmarks, or by one tag's) and ``like:ID`` (papers most like one), ranked
    locally. Without a date a dated kind means the latest day, week or month the server has."""

    kind: FeedKind
    value: str | None = None

    @classmethod
    def parse(cls, text: str) -> FeedSpec:
        kind, sep, value = text.strip().partition(":")
        kind = kind.strip().lower()
        if kind not in FEED_KINDS:
            raise FeedSpecError(
                f"unknown feed {text!r}: use trending, daily[:YYYY-MM-DD], weekly[:YYYY-Www], "
                "monthly[:YYYY-MM], search:QUERY, for-you[:TAG], like:ID or saved:NAME"
            )
        value = value.strip()
        if kind == "for-you":
            return cls("for-you", value or None)
        if kind == "like":
            paper_id = paper_id_from_ref(value)
            if paper_id is None:
                raise FeedSpecError(f"like needs an arXiv id (like:2406.12345), got {text!r}")
            return cls("like", paper_id)
        if kind == "saved":
            if not SAVED_NAME.match(value):
                raise FeedSpecError(f"saved needs a search's name (saved:rl), got {text!r}")
            return cls("saved", value)
        if kind == "trending":
            if value:
                raise FeedSpecError(f"trending takes no date: {text!r}")
            return cls("trending")
        if kind == "search":
            if not value:
                raise FeedSpecError("search needs a query: search:QUERY")
            if len(value) > 250:
                raise FeedSpecError("search query is longer than 250 characters")
            return cls("search", value)
        if not sep or not value:
            return cls(kind)
        return cls(kind, _check_period(kind, value))

    @property
    def is_latest(self) -> bool:
        """A dated kind without a date: resolved against the server's newest feed day."""
        return self.kind in ("daily", "weekly", "monthly") and self.value is None

    @property
    def is_dated(self) -> bool:
        return self.kind in ("daily", "weekly", "monthly") and self.value is not None

    @property
    def is_local(self) -> bool:
        """Ranked here from the cache and the bookmarks, never fetched."""
        return self.kind in LOCAL_KINDS

    def __str__(self) -> str:
        return self.kind if self.value is None else f"{self.kind}:{self.value}"

    @property
    def label(self) -> str:
        """How the feed is named on screen: ``trending``, ``daily 2026-08-21``."""
        if self.kind == "search":
            return f"search “{self.value}”"
        if self.kind == "for-you":
            return "for you" if self.value is None else f"for you · {self.value}"
        if self.kind == "like":
            return f"more like {self.value}"
        if self.kind == "saved":
            return f"saved:{self.value}"
        return self.kind if self.value is None else f"{self.kind} {self.value}"

    def for_day(self, day: dt.date) -> FeedSpec:
        """This kind of feed for the period containing `day`."""
        if self.kind == "daily":
            return FeedSpec("daily", day.isoformat())
        if self.kind == "weekly":
            year, week, _ = day.isocalendar()
            return FeedSpec("weekly", f"{year}-W{week:02d}")
        if self.kind == "monthly":
            return FeedSpec("monthly", f"{day.year}-{day.month:02d}")
        return self

    def first_day(self) -> dt.date:
        """The first calendar day of a dated feed's period."""
        if self.value is None or not self.is_dated:
            raise ValueError(f"{self} has no date")
        return _period_start(self.kind, self.value)

    def shifted(self, steps: int) -> FeedSpec:
        """The previous (-1) or next (+1) day, week or month; days skip weekends (no batches)."""
        start = self.first_day()
        if self.kind == "daily":
            day = start
            for _ in range(abs(steps)):
                day += dt.timedelta(days=1 if steps > 0 else -1)
                while day.weekday() >= 5:
                    day += dt.timedelta(days=1 if steps > 0 else -1)
            return self.for_day(day)
        if self.kind == "weekly":
            return self.for_day(start + dt.timedelta(weeks=steps))
        months = start.year * 12 + start.month - 1 + steps
        return self.for_day(dt.date(months // 12, months % 12 + 1, 1))


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PERIOD_SHAPES = {
    "daily": (_DAY, "YYYY-MM-DD"),
    "weekly": (_WEEK, "YYYY-Www"),
    "monthly": (_MONTH, "YYYY-MM"),
}


def _period_start(kind: str, value: str) -> dt.date:
    pattern, shape = _PERIOD_SHAPES[kind]
    match = pattern.match(value)
    if not match:
        raise ValueError(f"bad date for {kind}: {value!r} (expected {shape})")
    numbers = [int(part) for part in match.groups()]
    try:
        if kind == "weekly":
            return dt.date.fromisocalendar(numbers[0], numbers[1], 1)
        return dt.date(numbers[0], numbers[1], numbers[2] if kind == "daily" else 1)
    except ValueError:
        raise ValueError(f"bad date for {kind}: {value!r} (expected {shape})") from None


def _check_period(kind: str, value: str) -> str:
    value = value.upper() if kind == "weekly" else value
    try:
        _period_start(kind, value)
    except ValueError as exc:
        raise FeedSpecError(str(exc)) from None
    return value


class Bookmark(Record, frozen=True):
    """A bookmarked paper with its own snapshot of the paper, so it outlives feed and cache."""

    paper: Paper
    added_at: dt.datetime
    tags: tuple[str, ...] = ()
    note: str = ""
    cite_key: str | None = None
    # Stored with only what was known (an id added offline); filled in on a later lookup.
    incomplete: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # keys paperterm does not know

    @property
    def id(self) -> str:
        return self.paper.id

    def __eq__(self, other: object) -> bool:  # `extra`, the last field, is not compared
        return isinstance(other, Bookmark) and astuple(self)[:-1] == astuple(other)[:-1]

    def __hash__(self) -> int:
        return hash(astuple(self)[:-1])


class ReadingState(Record, frozen=True):
    """Read marks (id -> when), bookmarks, unknown top-level keys, places read (id -> offset)."""

    read: Mapping[str, dt.datetime] = field(default_factory=dict)
    bookmarks: Mapping[str, Bookmark] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    positions: Mapping[str, int] = field(default_factory=dict)

    def is_read(self, paper_id: str) -> bool:
        return paper_id in self.read

    def is_bookmarked(self, paper_id: str) -> bool:
        return paper_id in self.bookmarks

    def unread_count(self, ids: Iterable[str]) -> int:
        """How many of `ids` (the papers shown) are unread."""
        return sum(1 for paper_id in ids if paper_id not in self.read)

    def bookmark_list(self, tag: str | None = None) -> list[Bookmark]:
        """Bookmarks, newest first; only those carrying `tag` when given."""
        marks = [b for b in self.bookmarks.values() if tag is None or tag in b.tags]
        return sorted(marks, key=lambda b: (b.added_at, b.id), reverse=True)

    def tags(self) -> list[str]:
        """Every tag in use, sorted (for completion)."""
        return sorted({tag for b in self.bookmarks.values() for tag in b.tags})


Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The real clock (every part takes a `Clock`, so tests can fix the time)."""
    return dt.datetime.now(dt.UTC)


def describe_age(age: dt.timedelta | None) -> str:
    """ "just now", "3 min ago", "2 h ago", "4 days ago"."""
    if age is None:
        return "never"
    seconds = int(age.total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
