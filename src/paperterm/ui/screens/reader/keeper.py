"""StateKeeper: the reader's reading state on disk — loaded after the first frame when it is
large, each change flushed to the journal in a worker at once, folded into state.toml once
the user pauses, and never left unsaved at quit without asking."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from paperterm.service import PaperService

if TYPE_CHECKING:
    from paperterm.ui.screens.reader.screen import ReaderScreen
    from paperterm.ui.screens.reader.timers import Pending

IDLE_FOLD_DELAY = 3.0  # seconds after the last change before the journal is folded
WAIT_RETRY_DELAY = 1.0  # seconds between tries while waiting to quit


class StateKeeper:
    """Loads, saves and folds the state of a `ReaderScreen`, and guards its quit."""

    def __init__(self, screen: ReaderScreen, service: PaperService) -> None:
        self.screen = screen
        self.service = service
        self._fold_timer: Pending | None = None
        self._quit_anyway = False  # waiting for a save: q quits without it

    def load(self) -> None:
        """Read a large state file (and its journal) off the UI thread."""

        def work() -> None:
            self.service.load_state()
            self.screen.app.call_from_thread(self.screen.state_loaded)

        self._run(work, "load")

    def save(self) -> None:
        """Make queued changes durable in the journal (a small write, whatever the size of the
        state) and pick up other instances' changes, in a worker."""

        def work() -> None:
            notices = self.service.triage.save()
            self.screen.app.call_from_thread(self._saved, notices, True)

        self._run(work, "save", exclusive=False)

    def fold(self) -> None:
        """Write the journal into state.toml (the whole file, so off the UI thread)."""
        self._fold_timer = None

        def work() -> None:
            notices = self.service.triage.fold()
            self.screen.app.call_from_thread(self._saved, notices, False)

        self._run(work, "fold")

    def quit(self) -> None:
        """Quit, but never with changes that are not on disk without saying so: a save that
        fails asks whether to wait, retry or quit anyway."""
        app = self.screen.app
        if self._quit_anyway:
            app.exit()
            return
        self._notify(self.service.triage.save())
        if not self.service.triage.dirty:
            app.exit()
            return
        from paperterm.ui.screens.prompt import UnsavedModal  # loaded when first needed

        def answered(choice: str | None) -> None:
            if choice == "quit":
                app.exit()
            elif choice == "retry":
                self.quit()
            elif choice == "wait":
                self._wait_then_quit()

        problem = self.service.triage.problem or "the changes are not on disk"
        app.push_screen(UnsavedModal(problem), answered)

    def _wait_then_quit(self) -> None:
        """Try saving again every second and quit once it works (the status line shows the
        problem meanwhile; q quits anyway)."""
        self.service.triage.save()
        if not self.service.triage.dirty:
            self.screen.app.exit()
            return
        self.screen.notify("Waiting to save… (q again quits anyway)", markup=False)
        self._quit_anyway = True
        self.screen.delays.after(self.screen, WAIT_RETRY_DELAY, self._wait_then_quit)

    def _saved(self, notices: Sequence[str], schedule_fold: bool) -> None:
        self._notify(notices)
        self.screen.update_counts()
        if schedule_fold:  # once the user pauses, the journal goes into state.toml
            if self._fold_timer is not None:
                self._fold_timer.stop()
            self._fold_timer = self.screen.delays.after(self.screen, IDLE_FOLD_DELAY, self.fold)

    def _notify(self, notices: Sequence[str]) -> None:
        for notice in notices:
            self.screen.notify(notice, severity="warning", markup=False)

    def _run(self, work: object, group: str, *, exclusive: bool = True) -> None:
        self.screen.run_worker(
            work,  # type: ignore[arg-type]
            thread=True,
            group=group,
            exclusive=exclusive,
            exit_on_error=False,
            description=group,
        )
