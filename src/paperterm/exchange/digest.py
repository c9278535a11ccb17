"""What is new, as a digest for the inbox: plain text, Markdown, an HTML e-mail body, or JSON.

Pure functions over records: `paperterm.service.digest` decides what is new. Every item has
its title, authors, upvotes, its place on its feed and how it moved, a one-line AI summary and
links (only http(s)). The HTML is a self-contained e-mail body: inline styles, no script, no
external resource, every text escaped (`html.escape`), every link checked and quoted. The
Markdown escapes CommonMark's punctuation as the Markdown export does.
"""

from __future__ import annotations

import html
import json

from paperterm.clean import replace_surrogates
from paperterm.exchange.formats import DigestFormat
from paperterm.exchange.writers import markdown_escape
from paperterm.links import safe_url
from paperterm.models import Paper
from paperterm.records import Record

SUMMARY_MAX = 200


class DigestItem(Record, frozen=True):
    """One new paper: where it is listed and how it moved there."""

    paper: Paper
    feed: str  # the feed's label: "trending", "daily 2026-08-21", "saved:rl"
    place: int  # 1-based, on that feed
    movement: str = "NEW"  # "NEW", "↑3" …: against the last digest


class Digest(Record, frozen=True):
    title: str  # "paperterm digest: trending"
    since: str  # "since yesterday 18:02"
    items: tuple[DigestItem, ...]


def render_digest(digest: Digest, fmt: DigestFormat) -> str:
    """The digest in `fmt`."""
    text = {"text": _text, "markdown": _markdown, "html": _html, "json": _json}[fmt](digest)
    return replace_surrogates(text)


def summary_line(paper: Paper) -> str:
    """The AI summary (else the abstract's start) as one line of at most 200 characters."""
    text = " ".join((paper.ai_summary or paper.abstract or "").split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "…"


def links(paper: Paper) -> list[tuple[str, str]]:
    """(label, URL) for every link worth following, http(s) only."""
    found = [("Hugging Face", paper.url), ("arXiv", paper.arxiv_url), ("PDF", paper.pdf_url)]
    for label, value in (("code", paper.github), ("project", paper.project_page)):
        url = safe_url(value) if value else None
        if url:
            found.append((label, url))
    return found


def _md_url(url: str) -> str:
    # Inside <…> a Markdown link destination ends at ">"; percent-encoding keeps the URL.
    return url.replace("<", "%3C").replace(">", "%3E")


def _line(text: str) -> str:
    return " ".join(text.split())


def _facts(item: DigestItem) -> str:
    paper = item.paper
    stars = f" · ★{paper.stars}" if paper.github and paper.stars is not None else ""
    moved = "new at" if item.movement == "NEW" else item.movement
    return f"▲{paper.upvotes}{stars} · {moved} #{item.place} on {item.feed}"


def _text(digest: Digest) -> str:
    out = [f"{digest.title} — {len(digest.items)} new {digest.since}", ""]
    for n, item in enumerate(digest.items, 1):
        paper = item.paper
        out.append(f"{n}. {_line(paper.title)}")
        if paper.authors:
            out.append(f"   {_line(paper.author_line(4))}")
        out.append(f"   {_facts(item)}")
        if summary := summary_line(paper):
            out.append(f"   {summary}")
        out.append("   " + "  ".join(url for _, url in links(paper)))
        out.append("")
    return "\n".join(out)


def _markdown(digest: Digest) -> str:
    heading = f"# {markdown_escape(digest.title)}"
    out = [heading, "", f"{len(digest.items)} new {markdown_escape(digest.since)}", ""]
    for n, item in enumerate(digest.items, 1):
        paper = item.paper
        out.append(f"{n}. **[{markdown_escape(_line(paper.title))}](<{paper.url}>)**  ")
        if paper.authors:
            out.append(f"   {markdown_escape(_line(paper.author_line(4)))}  ")
        out.append(f"   {markdown_escape(_facts(item))}  ")
        if summary := summary_line(paper):
            out.append(f"   {markdown_escape(summary)}  ")
        out.append(
            "   " + " · ".join(f"[{label}](<{_md_url(url)}>)" for label, url in links(paper))
        )
        out.append("")
    return "\n".join(out)


_BODY = "font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222;max-width:720px"
_ITEM = "margin:0 0 18px 0;padding:0 0 12px 0;border-bottom:1px solid #e5e5e5"
_MUTED = "color:#666;font-size:13px;margin:2px 0"
_LINK = "color:#1a5fb4"


def _html(digest: Digest) -> str:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{e(digest.title)}</title></head>",
        f'<body style="{_BODY}">',
        f'<h1 style="font-size:20px">{e(digest.title)}</h1>',
        f'<p style="{_MUTED}">{len(digest.items)} new {e(digest.since)}</p>',
    ]
    for item in digest.items:
        paper = item.paper
        out.append(f'<div style="{_ITEM}">')
        out.append(
            f'<p style="font-size:16px;font-weight:bold;margin:0 0 4px 0">'
            f'<a style="{_LINK}" href="{e(paper.url, quote=True)}">{e(_line(paper.title))}</a></p>'
        )
        if paper.authors:
            out.append(f'<p style="{_MUTED}">{e(_line(paper.author_line(4)))}</p>')
        out.append(f'<p style="{_MUTED}">{e(_facts(item))}</p>')
        if summary := summary_line(paper):
            out.append(f'<p style="margin:6px 0">{e(summary)}</p>')
        anchors = " · ".join(
            f'<a style="{_LINK}" href="{e(url, quote=True)}">{e(label)}</a>'
            for label, url in links(paper)
        )
        out.append(f'<p style="{_MUTED}">{anchors}</p>')
        out.append("</div>")
    out += ["</body></html>", ""]
    return "\n".join(out)


def _json(digest: Digest) -> str:
    rows = [
        {
            "id": item.paper.id,
            "title": item.paper.title,
            "authors": list(item.paper.authors),
            "upvotes": item.paper.upvotes,
            "stars": item.paper.stars,
            "feed": item.feed,
            "place": item.place,
            "movement": item.movement,
            "summary": summary_line(item.paper),
            "links": dict(links(item.paper)),
        }
        for item in digest.items
    ]
    body = {"title": digest.title, "since": digest.since, "papers": rows}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
