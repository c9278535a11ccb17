"""Run a program on a pseudo-terminal and read every byte it writes to it."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time


def times_on_pty(
    argv: list[str],
    env: dict[str, str],
    markers: tuple[bytes, ...],
    *,
    seconds: float,
    size: tuple[int, int] = (120, 36),
) -> list[float]:
    """Seconds from spawn until each of `markers` first appears in what `argv` writes to a
    `size` terminal (the run ends once all have)."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    columns, rows = size
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    output, found = b"", dict[bytes, float]()
    try:
        while len(found) < len(markers) and time.perf_counter() - started < seconds:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                output += os.read(fd, 65536)
            except OSError:
                break
            now = time.perf_counter() - started
            for marker in markers:
                if marker not in found and marker in output:
                    found[marker] = now
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    missing = [marker for marker in markers if marker not in found]
    if missing:
        raise RuntimeError(f"{missing[0]!r} not seen; got {output[-300:]!r}")
    return [found[marker] for marker in markers]


def run_on_pty(
    argv: list[str],
    env: dict[str, str],
    *,
    seconds: float,
    until: bytes | None = None,
    size: tuple[int, int] = (120, 36),
    send: tuple[bytes, bytes] | None = None,
) -> tuple[bytes, float | None]:
    """Run `argv` on a `size` (columns, rows) terminal until `until` appears in its output or
    `seconds` pass, then kill it. Returns the output, and how long `until` took to appear
    (None when it never did, or was not asked for). `send`: (marker, keys) — once the marker
    has appeared, the keys are typed, once."""
    started = time.perf_counter()
    pid, fd = pty.fork()
    columns, rows = size
    if pid == 0:  # the child: its terminal has the size before the program can ask
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    output = b""
    sent = 0  # where to look for `until`: after the keys were typed
    try:
        while time.perf_counter() - started < seconds:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                output += os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if send is not None and send[0] in output:
                os.write(fd, send[1])
                sent, send = len(output), None
                continue
            if until is not None and until in output[sent:]:
                return output, time.perf_counter() - started
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return output, None
