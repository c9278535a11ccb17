"""`paperterm view ID [--plain]`: a paper's full text in the terminal, paged when standard
output is a terminal, plain lines otherwise (`| head` ends cleanly: `main` treats a closed
pipe as the reader going away). The text comes from the cache, else from Hugging Face, and
is kept for the next time; the same parsing and layout as the reading view."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from typing import Any

from paperterm.cli.output import Failure
from paperterm.service import FetchError, PaperService

EXIT_OK = 0
PLAIN_WIDTH = 100  # lines for a pipe: wide enough to read, narrow enough to diff


def add_parsers(commands: argparse._SubParsersAction[Any]) -> None:
    view = commands.add_parser("view", help="print a paper's full text (paged on a terminal)")
    view.add_argument("id", metavar="ID", help="the paper's arXiv id")
    view.add_argument("--plain", action="store_true", help="plain lines: no pager")
    view.add_argument("--width", type=int, metavar="N", help="wrap at N columns")
    view.add_argument("--offline", action="store_true", help="use the cache only")


async def run(service: PaperService, args: argparse.Namespace, offline: bool) -> int:
    paper_id = args.id.strip().removeprefix("arXiv:").removeprefix("arxiv:")
    paper, _ = await service.feeds.find(paper_id, offline=offline)
    texts = service.texts
    text = texts.cached(paper_id)
    if text is None and offline:
        raise Failure(f"the text of {paper_id} is not kept here yet (offline: nothing fetched)")
    if text is None:
        try:
            text = await texts.fetch(paper_id)
        except FetchError as exc:
            links = (
                f"arXiv: https://arxiv.org/abs/{paper_id} · PDF: https://arxiv.org/pdf/{paper_id}"
            )
            raise Failure(f"could not get the full text of {paper_id} ({exc}). {links}") from None
    paged = sys.stdout.isatty() and not args.plain
    width = args.width or (shutil.get_terminal_size().columns - 1 if paged else PLAIN_WIDTH)
    lines = texts.lines(texts.document(paper, text), max(20, width))
    if paged and _page(lines):
        return EXIT_OK
    for line in lines:
        sys.stdout.write(line + "\n")
    return EXIT_OK


def _page(lines: list[str]) -> bool:
    """Show `lines` through $PAGER (less by default); False when no pager could start."""
    command = shlex.split(os.environ.get("PAGER") or "less") or ["less"]
    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE, env=env, text=True)
    except OSError:
        return False
    assert pager.stdin is not None
    try:
        for line in lines:
            pager.stdin.write(line + "\n")
        pager.stdin.close()
    except BrokenPipeError:
        pass  # the pager was quit before the end
    pager.wait()
    return True
