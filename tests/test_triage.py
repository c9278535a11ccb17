"""Triage in the reader: read marks, bookmarks, tags, notes, undo, and state that survives."""

from __future__ import annotations

from pathlib import Path

from appdata import fill_cache, fire_timers, make_service, paths_in, reader_app
from fakebrowser import Browser
from textual.pilot import Pilot

from paperterm.config import Settings
from paperterm.library import StateStore
from paperterm.models import FeedSpec, ReadingState
from paperterm.service import PaperService
from paperterm.ui.app import PapertermApp
from paperterm.ui.screens.prompt import ConfirmModal, NoteModal, TagsModal
from paperterm.ui.screens.reader import ReaderScreen
from paperterm.ui.widgets.detail import DetailPane
from paperterm.ui.widgets.paper_list import PaperList
from paperterm.ui.widgets.status import Status, StatusLine

SIZE = (120, 36)
NO_DWELL = Settings(auto_read_delay=0)


def make_app(
    home: Path, settings: Settings = NO_DWELL, *, offline: bool = False, fill: bool = True
) -> PapertermApp:
    service = make_service(home)
    if fill:
        fill_cache(service)
    return reader_app(service, offline=offline, settings=settings)


def reader(app: PapertermApp) -> ReaderScreen:
    return app.reader


def plist(app: PapertermApp) -> PaperList:
    return reader(app).paper_list


def status(app: PapertermApp) -> Status:
    return reader(app).query_one(StatusLine).status


def messages(app: PapertermApp) -> list[str]:
    return [n.message for n in app._notifications]


def on_disk(home: Path) -> ReadingState:
    """What another process reads now: the state file and its journal."""
    store = StateStore(paths_in(home).state_file)
    store.load()
    return store.state


async def saved(pilot: Pilot[None]) -> None:
    """Wait for the save worker (never sleep)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def current_id(app: PapertermApp) -> str:
    paper = plist(app).highlighted
    assert paper is not None
    return paper.id


async def test_m_toggles_read_and_the_counts_change_at_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        total = len(plist(app).papers)
        assert status(app).unread == total
        assert plist(app).render_line(0).text.startswith("●")
        await pilot.press("m")
        assert status(app).unread == total - 1
        assert plist(app).render_line(0).text.startswith(" ")
        await pilot.press("m")
        assert status(app).unread == total
        await saved(pilot)
        assert current_id(app) not in on_disk(tmp_path).read


async def test_a_paper_becomes_read_after_dwelling_in_the_detail_pane(tmp_path: Path) -> None:
    app = make_app(tmp_path, Settings(auto_read_delay=0.2))
    async with app.run_test(size=SIZE) as pilot:
        first = current_id(app)
        await pilot.press("j")  # leaves the first paper before the delay
        second = current_id(app)
        assert fire_timers(app) >= 1  # the delay passes
        state = app.service.triage.state
        assert first not in state.read
        assert second in state.read
        await saved(pilot)
        assert second in on_disk(tmp_path).read


async def test_opening_a_paper_marks_it_read(tmp_path: Path, browser: Browser) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await saved(pilot)
        assert current_id(app) in app.service.triage.state.read
        assert browser.opened == [plist(app).papers[0].url]


async def test_n_and_N_jump_between_unread_papers(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "m", "j", "m", "k", "k")  # rows 1 and 2 read, cursor on 0
        await pilot.press("n")
        assert plist(app).cursor == 3
        await pilot.press("N")
        assert plist(app).cursor == 0
        await pilot.press("N")
        assert "No unread papers above." in messages(app)


async def test_M_marks_every_shown_paper_read_after_a_confirmation(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        total = len(plist(app).papers)
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.pause()
        assert status(app).unread == total
        await pilot.press("M")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert status(app).unread == 0
        assert f"Marked {total} papers read (u undoes)" in messages(app)
        await pilot.press("u")
        assert status(app).unread == total


async def test_M_without_confirmation_when_configured(tmp_path: Path) -> None:
    app = make_app(tmp_path, Settings(auto_read_delay=0, confirm_mark_all_read=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await pilot.pause()
        assert status(app).unread == 0


async def test_U_hides_and_shows_read_papers(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        total = len(plist(app).papers)
        await pilot.press("m", "j", "m", "j")
        kept = current_id(app)
        await pilot.press("U")
        assert len(plist(app).papers) == total - 2
        assert (status(app).shown, status(app).total) == (total - 2, total)
        assert current_id(app) == kept
        await pilot.press("U")
        assert len(plist(app).papers) == total


async def test_b_bookmarks_and_the_marker_and_counts_follow(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        paper_id = current_id(app)
        assert status(app).bookmarked == 1
        assert plist(app).render_line(0).text[1] == "★"
        await saved(pilot)
        snapshot = on_disk(tmp_path).bookmarks[paper_id]
        assert snapshot.paper.title == plist(app).papers[0].title
        await pilot.press("b")
        assert status(app).bookmarked == 0


async def test_the_bookmarks_view_works_offline_with_the_same_keys(tmp_path: Path) -> None:
    first = make_app(tmp_path)
    async with first.run_test(size=SIZE) as pilot:
        await pilot.press("b", "j", "j", "b")
        titles = [plist(first).papers[i].title for i in (2, 0)]  # newest bookmark first
    # A new session, offline, with the feed cache gone: the snapshots still show.
    paths_in(tmp_path).cache_db.unlink()
    again = make_app(tmp_path, offline=True, fill=False)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("B")
        assert reader(again).feeds.bookmarks_mode
        assert [p.title for p in plist(again).papers] == titles
        assert status(again).feed == "bookmarks"
        detail = reader(again).query_one(DetailPane)
        assert detail.paper is not None and detail.paper.title == titles[0]
        await pilot.press("j", "m", "b")
        assert status(again).bookmarked == 1
        await pilot.press("B")
        assert not reader(again).feeds.bookmarks_mode


async def test_t_edits_tags_and_e_edits_the_note(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        paper_id = current_id(app)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagsModal)
        await pilot.press(*"rl, reading-group #rl", "enter")
        await pilot.pause()
        bookmark = app.service.triage.state.bookmarks[paper_id]
        assert bookmark.tags == ("rl", "reading-group")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NoteModal)
        await pilot.press(*"Read section 4", "ctrl+s")
        await pilot.pause()
        assert app.service.triage.state.bookmarks[paper_id].note == "Read section 4"
        detail_text = str(reader(app).query_one("#detail-text").content)  # type: ignore[attr-defined]
        assert "Read section 4" in detail_text and "rl, reading-group" in detail_text
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.service.triage.state.bookmarks[paper_id].note == "Read section 4"


async def test_u_undoes_every_kind_of_change_step_by_step(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        paper_id = current_id(app)
        store = app.service.triage.store
        await pilot.press("m")  # read
        await pilot.press("m")  # unread
        await pilot.press("b")  # bookmark
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"x", "enter")  # tag
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"n", "ctrl+s")  # note
        await pilot.pause()
        await pilot.press("b")  # unbookmark
        await pilot.press("M")
        await pilot.pause()
        await pilot.press("y")  # mark all
        await pilot.pause()
        states = []
        for _ in range(7):
            await pilot.press("u")
            state = store.state
            bookmark = state.bookmarks.get(paper_id)
            states.append((paper_id in state.read, bookmark is not None,
                           bookmark.tags if bookmark else None, bookmark.note if bookmark else None))  # fmt: skip
        assert states == [
            (False, False, None, None),  # mark-all undone
            (False, True, ("x",), "n"),  # unbookmark undone
            (False, True, ("x",), ""),  # note undone
            (False, True, (), ""),  # tag undone
            (False, False, None, None),  # bookmark undone
            (True, False, None, None),  # unread undone
            (False, False, None, None),  # read undone
        ]
        await pilot.press("u")
        assert "Nothing to undo." in messages(app)
        await saved(pilot)
        assert not on_disk(tmp_path).bookmarks and not on_disk(tmp_path).read


async def test_quit_and_restart_offline_keeps_every_mark(tmp_path: Path) -> None:
    first = make_app(tmp_path)
    async with first.run_test(size=SIZE) as pilot:
        await pilot.press("m", "j", "b", "j", "j", "m", "b")
        marks = (set(first.service.triage.state.read), set(first.service.triage.state.bookmarks))
        await pilot.press("q")  # quit at once: nothing may be lost, saved or not
    first.service.close()
    assert len(marks[0]) == 2 and len(marks[1]) == 2
    again = make_app(tmp_path, offline=True, fill=False)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        state = again.service.triage.state
        assert (set(state.read), set(state.bookmarks)) == marks
        assert status(again).unread == len(plist(again).papers) - 2


async def test_a_state_that_cannot_be_saved_is_reported_and_kept(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    service = PaperService(paths_in(tmp_path), state_file=blocker / "state.toml",
                           transport=make_service(tmp_path).transport)  # fmt: skip
    fill_cache(service)
    app = reader_app(service, settings=NO_DWELL, start=FeedSpec("trending"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await saved(pilot)
        assert service.triage.state.bookmarks  # kept in memory
        assert status(app).problem
        assert any("not-a-dir" in m for m in messages(app))
