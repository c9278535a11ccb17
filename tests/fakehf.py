"""A fake Hugging Face Papers API serving the real fixture collection.

`FakeHF.respond()` answers like the real endpoints (docs/hf-api.md): `/api/daily_papers` with
`date`/`week`/`month`/`sort`/`p`/`limit`, `/api/papers/search`, `/api/papers/{id}`, and
`/papers/{id}.md` (the 19 real Markdown bodies in `fixtures/hf-api/paper_md/`, or `texts`;
an unknown id gets HTML 404 page, as the real site sends). The same
object serves tests in-process (`FakeHF.transport()`, an `httpx.MockTransport`) and over a real
socket (`serve(fake)`, a threaded HTTP server on 127.0.0.1) for the end-to-end tests and for
the network faults that need real timing (slow drip, resets).

No real `sort=trending` response was ever captured, so trending is synthesised the way the
server is documented to rank it: by GitHub-star activity of recent papers (papers with a repo,
most stars first), which also brings in older papers.

`scenario` injects one fault from docs/hazards.md section C into every answer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gzip
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from hf_data import FIXTURES, collection_items, load

LATEST_DAY = "2026-08-21"
TRENDING_SIZE = 150


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    # For the socket server: write the body slowly, or cut the connection.
    drip_seconds: float = 0.0
    cut_after: int | None = None


def _json(data: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))


@functools.cache
def _gzip_bomb() -> bytes:
    """About 100 KB that unpacks to 100 MB."""
    return gzip.compress(b" " * (100 * 1024 * 1024), 9)


def _feed_day(item: dict[str, Any]) -> str:
    paper = item["paper"]
    return str(paper.get("submittedOnDailyAt") or item["publishedAt"])[:10]


class FakeHF:
    """The HF Papers API over fixture data. Records every request it answers."""

    def __init__(self, items: list[dict[str, Any]] | None = None) -> None:
        self.items = items if items is not None else collection_items()
        self.by_day: dict[str, list[dict[str, Any]]] = {}
        for item in self.items:
            self.by_day.setdefault(_feed_day(item), []).append(item)
        self.trending = self._synthesise_trending()
        self.first_trending = self.trending
        self.scenario: str | None = None
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.hook: Callable[[str, dict[str, str]], Reply | None] | None = None
        self.texts: dict[str, bytes] = {}  # paper id -> a Markdown body served instead
        self.papers: dict[str, dict[str, Any]] = {}  # paper id -> an /api/papers/{id} answer

    # -- the API --------------------------------------------------------------------------

    def respond(self, path: str, params: dict[str, str]) -> Reply:
        self.requests.append((path, params))
        if self.hook is not None:
            hooked = self.hook(path, params)
            if hooked is not None:
                return hooked
        if self.scenario is not None:
            faulty = self._fault(self.scenario, path, params)
            if faulty is not None:
                return faulty
        if path == "/api/daily_papers":
            return self._daily(params)
        if path == "/api/papers/search":
            return self._search(params.get("q", ""))
        if path.startswith("/api/papers/"):
            return self._paper(path.rsplit("/", 1)[-1])
        if path.startswith("/papers/") and path.endswith(".md"):
            return self._text(path[len("/papers/") : -len(".md")])
        return _json({"error": "Not found"}, 404)

    def _daily(self, params: dict[str, str]) -> Reply:
        if "date" in params:
            try:
                dt.date.fromisoformat(params["date"])
            except ValueError:
                return _json({"error": "Invalid date"}, 400)
            items = self.by_day.get(params["date"], [])
        elif "week" in params:
            items = self._period(
                lambda d: f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}", params["week"]
            )
        elif "month" in params:
            items = self._period(lambda d: d.strftime("%Y-%m"), params["month"])
        elif params.get("sort") == "trending":
            items = self.trending
        else:  # newest feed day first, as the default feed does
            days = sorted(self.by_day)[-2:][::-1]
            items = [item for day in days for item in self.by_day[day]]
        limit = int(params.get("limit", 50))
        page = int(params.get("p", 0))
        return _json(items[page * limit : (page + 1) * limit])

    def _period(self, key: Callable[[dt.date], str], value: str) -> list[dict[str, Any]]:
        days = [d for d in self.by_day if key(dt.date.fromisoformat(d)) == value]
        items = [item for day in sorted(days) for item in self.by_day[day]]
        return sorted(items, key=lambda item: -int(item["paper"]["upvotes"]))

    def _search(self, query: str) -> Reply:
        if "kazakh" in query.lower():
            return _json(load("papers_search/q-kazakh_captured-2025-05.json"))
        if "llama 3 herd" in query.lower():
            return _json(load("papers_search/q-llama-3-herd_captured-2025-05.json"))
        words = query.lower().split()
        hits = [i for i in self.items if all(w in i["paper"]["title"].lower() for w in words)]
        return _json(hits[:120])

    def _paper(self, paper_id: str) -> Reply:
        if paper_id in self.papers:
            return _json(self.papers[paper_id])
        if paper_id == "2608.09888":
            return _json(load("paper_info/2608.09888.json"))
        for item in self.items:
            if item["paper"]["id"] == paper_id:
                return _json(item["paper"])
        return _json({"error": "Paper not found"}, 404)

    def _text(self, paper_id: str) -> Reply:
        markdown = {"content-type": "text/markdown; charset=utf-8"}
        if paper_id in self.texts:
            return Reply(200, self.texts[paper_id], markdown)
        path = FIXTURES / "paper_md" / f"{paper_id}.md"
        if "/" not in paper_id and path.is_file():
            return Reply(200, path.read_bytes(), markdown)
        page = b"<!DOCTYPE html><html><head><title>404</title></head><body>Not found</body></html>"
        return Reply(404, page, {"content-type": "text/html; charset=utf-8"})

    def reorder_trending(self, *, leave: int = 3, enter: int = 3, gain: int = 0) -> None:
        """A later trending answer: the last `leave` papers gone, `enter` others at the top,
        each pair of the rest swapped, and every paper `gain` upvotes richer (as the next
        day's fetch would be)."""
        kept = [dict(item) for item in self.first_trending[: len(self.first_trending) - leave]]
        for i in range(0, len(kept) - 1, 2):
            kept[i], kept[i + 1] = kept[i + 1], kept[i]
        shown = {item["paper"]["id"] for item in self.first_trending}
        newcomers = [i for i in self.items if i["paper"]["id"] not in shown][:enter]
        reordered = []
        for item in [*newcomers, *kept]:
            paper = dict(item["paper"])
            paper["upvotes"] = int(paper.get("upvotes") or 0) + gain
            reordered.append({**item, "paper": paper})
        self.trending = reordered

    def _synthesise_trending(self) -> list[dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for item in self.items:
            if item["paper"].get("githubStars") is not None:
                latest[item["paper"]["id"]] = item
        ranked = sorted(latest.values(), key=lambda item: -int(item["paper"]["githubStars"]))
        return ranked[:TRENDING_SIZE]

    # -- faults (docs/hazards.md section C) -----------------------------------------------

    def _fault(self, scenario: str, path: str, params: dict[str, str]) -> Reply | None:
        good = self._daily(params).body if path == "/api/daily_papers" else b"[]"
        faults: dict[str, Callable[[], Reply]] = {
            "429": lambda: Reply(429, b"{}", {"retry-after": "1"}),
            "429-date": lambda: Reply(429, b"{}", {"retry-after": "Wed, 21 Oct 2099 07:28:00 GMT"}),
            "429-huge": lambda: Reply(429, b"{}", {"retry-after": "999999"}),
            "500": lambda: Reply(500, b"oops", {"content-type": "text/plain"}),
            "502": lambda: Reply(502, b"<html>bad gateway</html>", {"content-type": "text/html"}),
            "503": lambda: Reply(503, b"", {"content-type": "text/plain"}),
            "404": lambda: _json({"error": "Not found"}, 404),
            "redirect-file": lambda: Reply(302, b"", {"location": "file:///etc/passwd"}),
            "redirect-other-host": lambda: Reply(
                302, b"", {"location": "https://evil.example/api"}
            ),
            "redirect-loop": lambda: Reply(302, b"", {"location": path}),
            "html": lambda: Reply(
                200,
                b"<html><body>Log in to the Wi-Fi</body></html>",
                {"content-type": "text/html; charset=utf-8"},
            ),
            "wrong-ct": lambda: Reply(200, good, {"content-type": "text/plain"}),
            "truncated": lambda: Reply(200, good[: len(good) // 2]),
            "empty": lambda: Reply(200, b""),
            "latin1": lambda: Reply(200, '[{"paper": {"title": "Caf\u00e9"}}]'.encode("latin-1")),
            "bom": lambda: Reply(200, b"\xef\xbb\xbf" + good),
            "object": lambda: _json({"papers": []}),
            "null": lambda: Reply(200, b"null"),
            "nan": lambda: Reply(200, b'[{"paper": {"upvotes": NaN}}]'),
            "huge-number": lambda: Reply(200, b'[{"paper": {"upvotes": 1e400}}]'),
            "deep": lambda: Reply(200, b"[" * 100_000 + b"]" * 100_000),
            "big": lambda: Reply(200, b"[" + b'"x",' * (3 * 1024 * 1024) + b'"x"]'),
            "gzip-bomb": lambda: Reply(
                200, _gzip_bomb(), {"content-type": "application/json", "content-encoding": "gzip"}
            ),
            "slow-headers": lambda: Reply(200, good, drip_seconds=-1),
            "slow-drip": lambda: Reply(200, good, drip_seconds=2.0),
            "reset": lambda: Reply(200, good, cut_after=10),
        }
        if scenario == "flaky":
            return Reply(503, b"") if len(self.requests) % 2 else None
        if scenario == "second-page-fails":
            return _json({"error": "boom"}, 500) if params.get("p") == "1" else None
        return faults[scenario]()

    # -- transports -----------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An in-process transport for `HFClient(transport=...)`."""

        def handle(request: httpx.Request) -> httpx.Response:
            reply = self.respond(request.url.path, dict(request.url.params))
            if reply.drip_seconds or reply.cut_after is not None:
                raise httpx.ReadTimeout("simulated", request=request)
            return httpx.Response(reply.status, headers=reply.headers, content=reply.body)

        return httpx.MockTransport(handle)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHF
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        with contextlib.suppress(ConnectionError):  # the client may give up mid-answer
            self._answer()

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        reply = self.fake.respond(parts.path, dict(parse_qsl(parts.query)))
        if reply.drip_seconds < 0:  # never answer
            time.sleep(30)
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        if reply.cut_after is not None:
            self.wfile.write(reply.body[: reply.cut_after])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if reply.drip_seconds:
            for byte in reply.body[:30]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(reply.drip_seconds)
            return
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(fake: FakeHF, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve `fake` on 127.0.0.1 in a background thread; yields the base URL."""
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> str:
    """A base URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


if __name__ == "__main__":  # `python tests/fakehf.py [PORT]`: serve for manual runs
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    handler = type("Handler", (_Handler,), {"fake": FakeHF()})
    print(f"fake HF API on http://127.0.0.1:{port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
