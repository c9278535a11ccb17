"""The ``paperterm`` script and `python -m paperterm`: `paperterm status` answered from the tally when it can, everything
else (and `status` when the tally is out of date) by the command line.

A tmux status line starts ``paperterm status`` every few seconds, so this module loads only
`paperterm.tally` (sqlite3, os) before it knows it must load the rest: not argparse, the
service, Textual or httpx (`benchmarks/bench_status.py` measures it).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``paperterm`` script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["status"]:
        from paperterm import tally

        line = tally.quick(args[1:])
        if line is not None:
            try:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            except (BrokenPipeError, OSError):
                return 1
            return 0
    from paperterm import pause_collection

    pause_collection()  # until the command runs, or the reader's first frame is on screen
    from paperterm.cli import main as full

    return full(args)


if __name__ == "__main__":
    raise SystemExit(main())
