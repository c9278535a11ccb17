"""paperterm.files without fcntl: the state code imports, saves and locks where Windows would.

Windows has no `fcntl`; its lock is `msvcrt.locking`. These tests run paperterm in a fresh
interpreter where `import fcntl` fails, with a stand-in `msvcrt` whose `locking` behaves like
Windows' (a non-blocking lock of one byte that another process cannot take), built on POSIX
record locks that the stand-in grabbed before fcntl was hidden.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

WINDOWS_LIKE = """
import errno, importlib.abc, sys, types
import fcntl as _posix

class _NoFcntl(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "fcntl":
            raise ImportError("No module named 'fcntl'")
        return None

del sys.modules["fcntl"]
sys.meta_path.insert(0, _NoFcntl())

msvcrt = types.ModuleType("msvcrt")
msvcrt.LK_NBLCK = 2

def _locking(fd, mode, nbytes):
    assert mode == msvcrt.LK_NBLCK and nbytes == 1
    try:
        _posix.lockf(fd, _posix.LOCK_EX | _posix.LOCK_NB, 1)
    except BlockingIOError:
        raise PermissionError(errno.EACCES, "Permission denied") from None

msvcrt.locking = _locking
sys.modules["msvcrt"] = msvcrt
"""


def run_windows_like(code: str, *, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WINDOWS_LIKE + code],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_state_store_imports_and_saves_without_fcntl(tmp_path: Path) -> None:
    state = tmp_path / "state.toml"
    result = run_windows_like(
        "try:\n"
        "    import fcntl\n"
        "except ImportError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('fcntl is still importable')\n"
        "from pathlib import Path\n"
        "import paperterm.library\n"
        "from paperterm.library import MarkRead, StateStore\n"
        f"store = StateStore(Path({str(state)!r}))\n"
        "store.load()\n"
        "change = store.apply(MarkRead(('2501.00001',)))\n"
        "print(change.saved, 'fcntl' in sys.modules)\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]
    assert '"2501.00001"' in state.read_text("utf-8")


def test_the_lock_without_fcntl_keeps_a_second_process_out(tmp_path: Path) -> None:
    lock = tmp_path / "state.toml.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WINDOWS_LIKE + "from pathlib import Path\n"
            "from paperterm.files import locked\n"
            f"with locked(Path({str(lock)!r}), timeout=5):\n"
            "    print('held', flush=True)\n"
            "    sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        contender = run_windows_like(
            "import json\n"
            "from pathlib import Path\n"
            "from paperterm.files import LockTimeout, locked\n"
            "try:\n"
            f"    with locked(Path({str(lock)!r}), timeout=0.05):\n"
            "        print(json.dumps('got it'))\n"
            "except LockTimeout as exc:\n"
            "    print(json.dumps(str(exc)))\n"
        )
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=60)
    assert contender.returncode == 0, contender.stderr
    assert "locked by another paperterm" in json.loads(contender.stdout)
    again = run_windows_like(
        "from pathlib import Path\n"
        "from paperterm.files import locked\n"
        f"with locked(Path({str(lock)!r}), timeout=5):\n"
        "    print('free')\n"
    )
    assert again.stdout.strip() == "free", again.stderr
