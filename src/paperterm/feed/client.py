"""Async client for the Hugging Face Papers API (docs/hf-api.md) over httpx.

What it guarantees, whatever the network does (docs/hazards.md section C):

* every request has connect/read timeouts, and a whole refresh has a deadline, so a server
  that drips one byte a second cannot hang us;
* 429 and 5xx are retried a few times with backoff, honouring ``RateLimit``/``Retry-After`` up
  to a cap; a wait longer than the deadline allows fails at once with the wait in the message;
* the decoded body is capped (a gzip bomb is refused), must be UTF-8 JSON of the expected
  top-level shape, without NaN/Infinity, and not nested absurdly deep;
* redirects are followed only to the same host over http(s), at most three times;
* every failure is a `FetchError` with a one-line message saying what came back.

The client returns raw items; `ingest` turns them into papers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import math
import os
import random
import re
import socket
import ssl
import urllib.request
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from paperterm import __version__
from paperterm.clean import clean_line
from paperterm.config import check_endpoint, resolve_endpoint
from paperterm.feed.answers import parse_json, parse_text
from paperterm.feed.errors import FetchError
from paperterm.feed.ingest import ingest_items
from paperterm.models import FeedSpec
from paperterm.records import Record

PAGE_SIZE = 100
SEARCH_LIMIT = 120
# A day never had more than ~60 papers, a month ~630: these bounds are far above real feeds
# and stop a server that ignores `p` from paging us forever.
MAX_PAGES: Mapping[str, int] = {"trending": 3, "daily": 5, "weekly": 10, "monthly": 20}
MAX_BODY_BYTES = 8 * 1024 * 1024
# The real full texts are 43-173 kB (hf-api.md §1.3a): ten times the largest is still a paper.
MAX_TEXT_BYTES = 2 * 1024 * 1024
_TEXT_ACCEPT = {"Accept": "text/markdown, text/plain;q=0.9"}
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 8.0
DEADLINE = 20.0
RETRIES = 2
RETRY_WAIT_CAP = 30.0
MAX_REDIRECTS = 3


class FeedFetch(Record, frozen=True):
    """The raw items of one complete feed answer, `spec` resolved to a concrete period;
    `complete` is False when paging stopped at our cap while the server had more."""

    spec: FeedSpec
    items: list[object]
    pages: int
    complete: bool = True


Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


class HFClient:
    """One client per refresh or per session: ``async with HFClient() as client: ...``."""

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        deadline: float = DEADLINE,
        sleep: Sleep | None = None,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.endpoint = check_endpoint(endpoint) if endpoint else resolve_endpoint()
        self.deadline = deadline
        self._transport = transport
        self._sleep = sleep or asyncio.sleep
        self._max_body = max_body
        self._http: httpx.AsyncClient | None = None
        self._give_up_at = math.inf

    async def __aenter__(self) -> HFClient:
        try:
            self._http = httpx.AsyncClient(
                base_url=self.endpoint,
                headers={"User-Agent": f"paperterm/{__version__}", "Accept": "application/json"},
                timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
                follow_redirects=False,
                transport=self._transport,
                trust_env=True,
            )
        except (ValueError, ImportError, httpx.HTTPError) as exc:
            raise FetchError("config", f"bad proxy setting {_proxy_env_summary()}: {exc}") from None
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._http is not None:
            await self._http.aclose()

    # -- public API -----------------------------------------------------------------------

    async def fetch_feed(self, spec: FeedSpec) -> FeedFetch:
        """Every page of a feed; a "latest" spec is first resolved against the server."""
        return await self._within_deadline(self._fetch_feed(spec))

    async def paper_text(self, paper_id: str) -> str:
        """The paper's full text as Markdown (``/papers/{id}.md``, hf-api.md §1.3a): UTF-8
        text, not an HTML page, at most `MAX_TEXT_BYTES`; a `FetchError` otherwise."""
        limit = min(self._max_body, MAX_TEXT_BYTES)
        path = f"/papers/{paper_id}.md"
        return await self._within_deadline(
            self._get_checked(path, {}, parse_text, _TEXT_ACCEPT, limit)
        )

    async def paper(self, paper_id: str) -> dict[str, Any]:
        """The flat paper object of ``/api/papers/{id}``."""
        data = await self._within_deadline(self._get_json(f"/api/papers/{paper_id}", {}, dict))
        return data  # type: ignore[no-any-return]

    # -- internals ------------------------------------------------------------------------

    async def _within_deadline(self, work: Awaitable[T]) -> T:
        self._give_up_at = asyncio.get_running_loop().time() + self.deadline
        try:
            async with asyncio.timeout(self.deadline):
                return await work
        except TimeoutError:
            raise FetchError(
                "timeout", f"no complete answer from {self._host} within {self.deadline:g} s"
            ) from None

    async def _fetch_feed(self, spec: FeedSpec) -> FeedFetch:
        if spec.kind == "search":
            items = await self._get_json(
                "/api/papers/search", {"q": spec.value, "limit": SEARCH_LIMIT}, list
            )
            return FeedFetch(spec, items, 1)
        if spec.is_latest:
            spec = spec.for_day(await self._latest_feed_day())
        params: dict[str, str] = {}
        if spec.kind == "trending":
            params["sort"] = "trending"
        else:
            params[{"daily": "date", "weekly": "week", "monthly": "month"}[spec.kind]] = str(
                spec.value
            )
        items, pages, complete = await self._pages(params, MAX_PAGES[spec.kind])
        return FeedFetch(spec, items, pages, complete)

    async def _pages(
        self, params: dict[str, str], max_pages: int
    ) -> tuple[list[object], int, bool]:
        items: list[object] = []
        seen: set[str] = set()
        for page in range(max_pages):
            batch = await self._get_json(
                "/api/daily_papers", {**params, "p": str(page), "limit": str(PAGE_SIZE)}, list
            )
            ids = {_item_id(item) for item in batch}
            if page and ids and ids <= seen:
                return items, page, True  # the server ignored `p` and sent the same page again
            seen |= ids
            items.extend(batch)
            if len(batch) < PAGE_SIZE:
                return items, page + 1, True
        return items, max_pages, False

    async def _latest_feed_day(self) -> dt.date:
        items = await self._get_json("/api/daily_papers", {"limit": str(PAGE_SIZE)}, list)
        now = dt.datetime.now(dt.UTC)
        days = [p.feed_day for p in ingest_items(items, now, "daily").papers if p.feed_day]
        if not days:
            raise FetchError("bad-response", f"{self._host} sent a feed with no usable feed day")
        return max(days)

    async def _get_json(self, path: str, params: Mapping[str, Any], shape: type) -> Any:
        return await self._get_checked(
            path, params, lambda body, kind: parse_json(body, kind, shape), {}, self._max_body
        )

    async def _get_checked(
        self,
        path: str,
        params: Mapping[str, Any],
        parse: Callable[[bytes, str], T],
        headers: Mapping[str, str],
        limit: int,
    ) -> T:
        attempt = 0
        while True:
            try:
                status, answer, body, url = await self._get(path, params, headers, limit)
            except _Retryable as exc:
                if attempt >= RETRIES:
                    raise FetchError("offline", str(exc)) from None
                attempt += 1
                await self._sleep(_backoff(attempt))
                continue
            if status == 429 or status >= 500:
                wait = _retry_after(answer, attempt)
                hopeless = attempt >= RETRIES or min(wait, RETRY_WAIT_CAP) > self._time_left()
                if status == 429 and (hopeless or wait > RETRY_WAIT_CAP):
                    raise FetchError(
                        "rate-limited",
                        f"rate limited by {self._host}, retry in {math.ceil(wait)} s",
                    )
                if hopeless:
                    raise FetchError("http", f"{self._host} answered {_status_text(status)}")
                attempt += 1
                await self._sleep(min(wait, RETRY_WAIT_CAP))
                continue
            if status != 200:
                message = f"{self._host} answered {_status_text(status)} for {url}"
                raise FetchError("http", message, status=status)
            return parse(body, answer.get("content-type", ""))

    async def _get(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str],
        limit: int,
    ) -> tuple[int, httpx.Headers, bytes, str]:
        assert self._http is not None, "use HFClient as an async context manager"
        url = path
        for _ in range(MAX_REDIRECTS + 1):
            try:
                request = self._http.stream("GET", url, params=params, headers=headers)
                async with request as response:
                    if response.is_redirect:
                        # The Location carries its own query string.
                        url, params = self._redirect_target(response), None
                        continue
                    body = (
                        await self._read_capped(response, limit)
                        if response.status_code == 200
                        else b""
                    )
                    return response.status_code, response.headers, body, response.url.path
            except httpx.TimeoutException as exc:
                raise _Retryable(
                    f"{self._host} did not answer in time ({type(exc).__name__})"
                ) from None
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise _Retryable(f"connection to {self._host} dropped: {_reason(exc)}") from None
            except httpx.ConnectError as exc:
                raise FetchError("offline", self._connect_message(exc)) from None
            except (httpx.ProxyError, httpx.UnsupportedProtocol) as exc:
                raise FetchError(
                    "config", f"proxy failed {_proxy_env_summary()}: {_reason(exc)}"
                ) from None
            except httpx.HTTPError as exc:
                raise FetchError(
                    "offline", f"request to {self._host} failed: {_reason(exc)}"
                ) from None
        raise FetchError("http", f"{self._host} redirected more than {MAX_REDIRECTS} times")

    async def _read_capped(self, response: httpx.Response, limit: int) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError("bad-response", self._too_big(limit))
        body = bytearray()
        async for chunk in response.aiter_bytes():  # decoded: a gzip bomb is counted unpacked
            body += chunk
            if len(body) > limit:
                raise FetchError("bad-response", self._too_big(limit))
        return bytes(body)

    def _too_big(self, limit: int) -> str:
        return f"{self._host} sent more than {limit // (1024 * 1024)} MB — refused"

    def _redirect_target(self, response: httpx.Response) -> str:
        location = str(response.headers.get("location", ""))
        target = urljoin(str(response.url), location)
        parts, base = urlsplit(target), urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or parts.hostname != base.hostname:
            raise FetchError(
                "http", f"{self._host} redirected to {clean_line(location, 80)!r} — not followed"
            )
        return target

    def _connect_message(self, exc: httpx.ConnectError) -> str:
        reason = _reason(exc)
        causes = list(_chain(exc))
        if (
            any(isinstance(c, ssl.SSLError) for c in causes)
            or "CERTIFICATE_VERIFY_FAILED" in reason
        ):
            return f"TLS check failed for {self._host}: {reason} (SSL_CERT_FILE/SSL_CERT_DIR are honoured)"
        proxy = _proxy_for(self.endpoint)
        if proxy:
            return f"cannot reach the proxy {proxy[1]} (from {proxy[0]}): {reason}"
        if any(isinstance(c, socket.gaierror) for c in causes):
            return f"cannot reach {self._host} (DNS lookup failed) — offline?"
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return f"cannot reach {self._host} (connection refused)"
        return f"cannot reach {self._host}: {reason}"

    def _time_left(self) -> float:
        return self._give_up_at - asyncio.get_running_loop().time()

    @property
    def _host(self) -> str:
        return urlsplit(self.endpoint).netloc


class _Retryable(Exception):
    """A transport failure worth another try (timeouts, dropped connections)."""


_RATELIMIT = re.compile(r'"(\w+)"\s*;\s*r\s*=\s*(\d+)\s*;\s*t\s*=\s*(\d+)')


def _retry_after(headers: httpx.Headers, attempt: int) -> float:
    """Seconds to wait: the RateLimit header's `t`, else Retry-After, else exponential backoff."""
    match = _RATELIMIT.search(headers.get("ratelimit", ""))
    if match:
        return float(match.group(3))
    value = headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
        except (TypeError, ValueError):
            pass
    return _backoff(attempt + 1)


def _backoff(attempt: int) -> float:
    base: float = min(RETRY_WAIT_CAP, 0.5 * 2.0 ** (attempt - 1))
    return base * (1 + random.random() / 4)


def _status_text(status: int) -> str:
    phrase = httpx.codes.get_reason_phrase(status)
    return f"HTTP {status} {phrase}".rstrip()


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return clean_line(text, 200)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _item_id(item: object) -> str:
    if isinstance(item, dict):
        paper = item.get("paper")
        if isinstance(paper, dict):
            return str(paper.get("id"))
    return repr(item)[:50]


def _proxy_for(url: str) -> tuple[str, str] | None:
    """(variable name, proxy URL) of the environment proxy that applies to `url`, if any."""
    parts = urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    proxies = urllib.request.getproxies_environment()
    for key in (parts.scheme, "all"):
        if proxies.get(key):
            return f"{key.upper()}_PROXY", proxies[key]
    return None


def _proxy_env_summary() -> str:
    names = [n for n in os.environ if n.lower() in ("http_proxy", "https_proxy", "all_proxy")]
    return "(" + ", ".join(f"{n}={os.environ[n]}" for n in sorted(names)) + ")" if names else ""
