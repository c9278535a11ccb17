"""paperterm against newsboat, given the same papers, in the same run, measured from outside.

The papers are the fixtures' 9,877 (28 months plus trending). newsboat gets them as one Atom
feed served from 127.0.0.1 (ingested once with ``newsboat -x reload``); paperterm gets them
in its cache as `paperterm fetch` stores them (a daily feed per day, trending on top). Both
run with temporary config and cache directories, in tmux (120x36), polled with
``capture-pane``; runs alternate between the tools and medians are printed with the ratios:

* launch → papers on screen, ready to triage (newsboat: launch, Enter on its one feed, until
  the article list is drawn; paperterm: until the first trending title and the unread count
  are drawn);
* search everything for a word (newsboat: ``/`` WORD, from Enter to its result list;
  paperterm: ``/``, ctrl+a, WORD typed at once, from the last key to the final count);
* widen (paperterm only: ``/`` then ctrl+a, until the whole cache's count is drawn);
* the CLI: ``newsboat -x print-unread`` against ``paperterm list --offline``;
* memory (RSS) with everything in view, and the cache on disk.

newsboat is the Debian package; without it the script says so and stops.

    python benchmarks/bench_newsboat.py [--runs N] [--word diffusion]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import store_days  # noqa: E402
from hf_data import collection_papers  # noqa: E402

from paperterm.feed.cache import FeedCache  # noqa: E402
from paperterm.models import FeedSpec, Paper  # noqa: E402
from paperterm.query import SearchContext, parse_query  # noqa: E402

POLL = 0.01


class Terminal:
    """A tmux server of our own with one 120x36 pane."""

    def __init__(self, name: str) -> None:
        self.base = ["tmux", "-L", name, "-f", "/dev/null"]

    def tmux(self, *args: str) -> str:
        done = subprocess.run([*self.base, *args], capture_output=True, text=True, check=False)
        return done.stdout

    def start(self, command: str, env: dict[str, str]) -> float:
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        start = time.perf_counter()
        self.tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "36",
                  f"env {exports} {command}")  # fmt: skip
        return start

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "b")

    def keys(self, *keys: str) -> float:
        self.tmux("send-keys", "-t", "b", *keys)
        return time.perf_counter()

    def wait(self, *texts: str, timeout: float = 60) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return time.perf_counter()
            time.sleep(POLL)
        raise RuntimeError(f"{texts!r} never appeared; the screen was:\n{self.screen()}")

    def rss_mib(self) -> float:
        pid = self.tmux("display-message", "-p", "-t", "b", "#{pane_pid}").strip()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def kill(self) -> None:
        self.tmux("kill-server")


def atom(papers: list[Paper]) -> bytes:
    entries = []
    for paper in papers:
        day = paper.feed_day or paper.published or dt.date(2026, 1, 1)
        authors = "".join(
            f"<author><name>{html.escape(name)}</name></author>" for name in paper.authors[:8]
        )
        entries.append(
            f"<entry><id>https://huggingface.co/papers/{paper.id}</id>"
            f"<title>{html.escape(paper.title)}</title>"
            f'<link href="https://huggingface.co/papers/{paper.id}"/>'
            f"<updated>{day.isoformat()}T00:00:00Z</updated>{authors}"
            f"<summary>{html.escape(paper.abstract)}</summary></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>paperterm bench</title>'
        "<id>urn:paperterm-bench</id><updated>2026-08-21T00:00:00Z</updated>"
        + "".join(entries)
        + "</feed>"
    ).encode()


def serve(body: bytes) -> tuple[http.server.HTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/papers.atom"


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--word", default="diffusion")
    args = parser.parse_args()
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        print("newsboat is not installed (apt-get install newsboat); nothing to compare")
        return
    print(
        subprocess.run([newsboat, "--version"], capture_output=True, text=True).stdout.split("\n")[
            0
        ]
    )
    papers = collection_papers()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        now = dt.datetime.now(dt.UTC)
        cache_path = home / "cache" / "paperterm" / "cache.sqlite3"
        cache = FeedCache(cache_path)
        store_days(cache, papers, now)
        trending = sorted((p for p in papers if p.title.isascii()), key=lambda p: -p.upvotes)[:50]
        cache.store_feed(FeedSpec("trending"), FeedSpec("trending"), trending, now)
        total = len(cache.index.search_ids(parse_query(""), SearchContext(today=now.date())) or [])
        found = len(
            cache.index.search_ids(parse_query(args.word), SearchContext(today=now.date())) or []
        )
        cache.close()
        marker = trending[0].title[:30]

        server, url = serve(atom(papers))
        nb = home / "newsboat"
        nb.mkdir()
        (nb / "urls").write_text(url + "\n")
        (nb / "config").write_text("show-read-feeds yes\nreload-threads 1\nmax-items 0\n")
        nb_args = f"{newsboat} -u {nb / 'urls'} -c {nb / 'cache.db'} -C {nb / 'config'}"
        start = time.perf_counter()
        subprocess.run(f"{nb_args} -x reload", shell=True, check=True, capture_output=True)
        print(f"newsboat ingest (-x reload of one {len(atom(papers)) / 2**20:.1f} MB feed): "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        server.shutdown()
        env = {
            "TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none",
            "XDG_CACHE_HOME": str(home / "cache"), "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"), "HF_ENDPOINT": "http://127.0.0.1:9",
            "HOME": str(home), "PATH": os.environ["PATH"],
        }  # fmt: skip
        paperterm = f"{sys.executable} -m paperterm"
        times: dict[str, list[float]] = {
            k: [] for k in ("nb launch", "pt launch", "nb search", "pt search", "pt widen")
        }
        rss: dict[str, float] = {}
        for run in range(args.runs):
            term = Terminal(f"bench-nb-{os.getpid()}-{run}")
            try:
                start = term.start(f"{nb_args}", env)
                term.wait("paperterm bench")
                term.keys("Enter")
                times["nb launch"].append(term.wait("Articles in feed") - start)
                rss["newsboat, its article list open"] = term.rss_mib()
                term.keys("/")
                term.wait("Search for")
                term.keys(args.word)
                sent = term.keys("Enter")
                times["nb search"].append(term.wait("Search result") - sent)
            finally:
                term.kill()
            term = Terminal(f"bench-pt-{os.getpid()}-{run}")
            try:
                start = term.start(f"{paperterm} --offline", env)
                times["pt launch"].append(term.wait(marker, " unread ·") - start)
                rss["paperterm at start"] = term.rss_mib()
                term.keys("/")
                time.sleep(0.3)
                sent = term.keys("C-a")
                times["pt widen"].append(term.wait(f"{total} papers") - sent)
                rss["paperterm, everything in view"] = term.rss_mib()
                sent = term.keys(args.word)
                times["pt search"].append(term.wait(f"{found} of {total} papers") - sent)
                rss["paperterm, everything searched"] = term.rss_mib()
            finally:
                term.kill()
        cli: dict[str, list[float]] = {"newsboat -x print-unread": [], "paperterm list": []}
        for _ in range(args.runs):
            for name, command in (
                ("newsboat -x print-unread", f"{nb_args} -x print-unread"),
                ("paperterm list", f"{paperterm} list --offline"),
            ):
                start = time.perf_counter()
                subprocess.run(command, shell=True, env=env, check=True, capture_output=True)
                cli[name].append(time.perf_counter() - start)
        disk_pt = sum(f.stat().st_size for f in cache_path.parent.iterdir())
        disk_nb = (nb / "cache.db").stat().st_size

    print(f"\n{len(papers):,} papers; {args.runs} interleaved runs; medians; "
          f"load average {os.getloadavg()[0]:.2f}\n")  # fmt: skip
    for what, nb_key, pt_key in (
        ("launch -> papers on screen (newsboat + Enter)", "nb launch", "pt launch"),
        (f"search everything for {args.word!r}", "nb search", "pt search"),
    ):
        nb_ms, pt_ms = median_ms(times[nb_key]), median_ms(times[pt_key])
        print(f"{what:<48} newsboat {nb_ms:7.0f} ms  paperterm {pt_ms:7.0f} ms  "
              f"ratio {pt_ms / nb_ms:.2f}")  # fmt: skip
    print(f"{'widen to everything (/ then ctrl+a)':<48} newsboat       —     paperterm "
          f"{median_ms(times['pt widen']):7.0f} ms  (max {max(times['pt widen']) * 1000:.0f})")  # fmt: skip
    nb_cli, pt_cli = median_ms(cli["newsboat -x print-unread"]), median_ms(cli["paperterm list"])
    print(f"{'CLI: print-unread vs list --offline':<48} newsboat {nb_cli:7.0f} ms  "
          f"paperterm {pt_cli:7.0f} ms  ratio {pt_cli / nb_cli:.2f}")  # fmt: skip
    for name, value in rss.items():
        print(f"RSS {name}: {value:.1f} MiB")
    print(f"on disk: newsboat {disk_nb / 2**20:.1f} MiB, paperterm {disk_pt / 2**20:.1f} MiB")
    for key, values in times.items():
        print(f"  {key}: " + ", ".join(f"{v * 1000:.0f}" for v in values) + " ms")


if __name__ == "__main__":
    main()
