"""Worker processes for the process tests, started in milliseconds.

A fresh `python state_worker.py` spends ~0.4 s starting up before it does anything; these
workers are forked from a server that already has paperterm imported (multiprocessing's
forkserver), so a test can afford fifty SIGKILLs. They run the same jobs as the script
(`state_worker.run`) and talk over a pipe instead of stdin/stdout. Jobs that must run under
another program (setpriv) still start the script.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import signal
from multiprocessing.connection import Connection
from typing import Any

import state_worker

_CONTEXT: multiprocessing.context.ForkServerContext | None = None


def _context() -> multiprocessing.context.ForkServerContext:
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(["state_worker"])
    return _CONTEXT


class Worker:
    """One job of `state_worker` in a forked process."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        context = _context()
        self._conn, child = context.Pipe()
        self.process = context.Process(
            target=state_worker.run_forked, args=(list(args), env or {}, child), daemon=True
        )
        self.process.start()
        child.close()

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def send(self, line: str = "go") -> None:
        self._conn.send(line)

    def reply(self, timeout: float = 60) -> dict[str, Any]:
        """The worker's next message; fails if it died or said nothing in `timeout` s."""
        if not self._conn.poll(timeout):
            raise AssertionError(f"worker {self.pid} said nothing for {timeout} s")
        try:
            message: dict[str, Any] = self._conn.recv()
        except EOFError:
            raise AssertionError(f"worker {self.pid} died ({self.process.exitcode})") from None
        return message

    def signal(self, number: int) -> None:
        os.kill(self.pid, number)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        self.wait()

    def wait(self, timeout: float = 60) -> int | None:
        self.process.join(timeout)
        self._conn.close()
        return self.process.exitcode


def spawn(*args: str, cache: str | None = None) -> Worker:
    """A worker for `state_worker` job `args`; `cache`: the parse cache it keeps."""
    env = {"PAPERTERM_TEST_STATE_CACHE": cache} if cache else {}
    return Worker(*args, env=env)


__all__ = ["Connection", "Worker", "spawn"]
