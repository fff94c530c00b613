"""The practice journey as a sales rep lives it (issue 12): nothing typed is lost or sent twice, the brief is
at hand during the call, the hint says "Agreed" only after an agreement, the editor never drops work, the
list keeps its place, and every screen's keys fit an 80-column footer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_tui import (  # the fixtures register under their names: callsim_home, fixed_scenarios
    FRONT_DESK,
    GOOD_CALLER,
    callsim_home_fixture,  # noqa: F401
    fixed_scenarios_fixture,  # noqa: F401
    seed_history,
    synchronous,
    until,
)
from test_tui import make_call, say, type_text, typed_app
from textual import events
from textual.widgets import DataTable, Input, Static, TextArea
from textual.widgets._footer import FooterKey

from simulator.tui.app import CallsimApp
from simulator.tui.screens.call import CallScreen
from simulator.tui.screens.confirm import ConfirmScreen
from simulator.tui.screens.editor import EditorScreen
from simulator.tui.screens.history import HistoryScreen
from simulator.tui.screens.prepare import PrepareScreen
from simulator.tui.screens.report import TYPING_GUARD_SECONDS, ReportScreen
from simulator.tui.screens.scenarios import ScenariosScreen
from simulator.tui.widgets.transcript_view import TranscriptView

pytestmark = pytest.mark.timeout(120)

FAST_LINES = ["Hi Priya, Sam from Brightline", "calling about the Leeds hub", "that opened in September"]


def key_events(text: str) -> list[events.Key]:
    names = {" ": "space", ",": "comma"}
    return [events.Key(names.get(char, char), char) for char in text]


async def on_a_call(pilot: object, app: CallsimApp) -> CallScreen:
    await pilot.press("enter")  # type: ignore[attr-defined]  # Prepare → start the (typed) call
    screen = app.screen
    assert isinstance(screen, CallScreen)
    await until(pilot, lambda: screen.query_one(TranscriptView).shown >= 1)  # type: ignore[arg-type]
    return screen


# -- the call screen -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_three_lines_typed_within_a_moment_are_three_turns_each_sent_once() -> None:
    app = typed_app(scenario_id="front-desk", save=False)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await on_a_call(pilot, app)
        box = screen.query_one("#say", Input)
        for line in FAST_LINES:  # all keys queued before the screen handles the first Enter
            for key in key_events(line):
                box.post_message(key)
            box.post_message(events.Key("enter", "\r"))
        await until(pilot, lambda: len([t for t in screen.turns.values() if t.speaker == "caller"]) >= 3)
        await pilot.pause(0.5)
        said = [turn.text for _i, turn in sorted(screen.turns.items()) if turn.speaker == "caller"]
        assert said == FAST_LINES
        assert box.value == ""


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_a_multi_line_paste_keeps_every_line_in_the_box() -> None:
    app = typed_app(scenario_id="front-desk", save=False)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await on_a_call(pilot, app)
        box = screen.query_one("#say", Input)
        box.post_message(events.Paste("Hi Priya, Sam from Brightline.\ncalling about the Leeds hub\n\nthat opened.\n"))
        await until(pilot, lambda: bool(box.value))
        assert box.value == "Hi Priya, Sam from Brightline. calling about the Leeds hub that opened."


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_the_brief_research_offer_and_goal_are_on_the_call_screen() -> None:
    for size in ((80, 24), (120, 40)):
        app = typed_app(scenario_id="front-desk", save=False)
        async with app.run_test(size=size) as pilot:
            screen = await on_a_call(pilot, app)
            brief = screen.query_one("#call-brief")
            shown = str(screen.query_one("#brief-text", Static).render())
            assert brief.display and brief.region.width >= 24
            assert "Get past the assistant and book a 20-minute meeting" in shown
            assert "Delivery forecasts that warn a freight company" in shown
            assert "opened a second warehouse in Leeds" in shown
            assert "late deliveries were her biggest worry" in shown
            transcript = screen.query_one("#transcript")
            assert transcript.region.width >= 46  # the conversation keeps most of the width
            await pilot.press("ctrl+b")  # room for the transcript on a small terminal
            assert not brief.display
            await pilot.press("ctrl+b")
            assert brief.display


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_the_wrap_up_hint_says_agreed_only_after_an_agreement() -> None:
    app = typed_app(scenario_id="front-desk", save=False)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await on_a_call(pilot, app)
        coach = screen.query_one("#coach", Static)
        await make_call(pilot, app, ["Put me through to Maria now."] * 4)  # pushy: the assistant takes a message
        await until(pilot, lambda: screen.wrapping_up)
        words = str(coach.render())
        assert "Agreed" not in words and "Say it back" not in words
        assert "Nothing is booked" in words and "message" in words

    app = typed_app(scenario_id="front-desk", save=False)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = await on_a_call(pilot, app)
        coach = screen.query_one("#coach", Static)
        await make_call(pilot, app, GOOD_CALLER[:-1])
        await until(pilot, lambda: screen.wrapping_up)
        assert "Agreed. Say it back (day, time, who calls whom)" in str(coach.render())


# -- the editor never loses work -------------------------------------------------------------------------


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_ctrl_q_and_f2_with_unsaved_edits_ask_first(callsim_home: Path) -> None:
    app = typed_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f4")
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        await until(pilot, lambda: editor.checked_text is not None)
        await type_text(pilot, "# my notes")
        assert editor.unsaved()

        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        assert "unsaved changes" in str(app.screen.query_one("#confirm-question", Static).render())
        await pilot.press("n")
        assert app.screen is editor and app.is_running
        assert "# my notes" in editor.query_one("#yaml", TextArea).text

        await pilot.press("f2")  # the list would pop the editor: asked too
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        assert app.screen is editor

        await pilot.press("ctrl+q", "y")
        await pilot.pause(0.2)
        assert not app.is_running


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_ctrl_q_without_edits_quits_at_once() -> None:
    app = typed_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
        assert not app.is_running


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_keys_typed_while_the_check_runs_all_land_in_the_text() -> None:
    app = typed_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f4")
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        area = editor.query_one("#yaml", TextArea)
        area.load_text(FRONT_DESK)
        await until(pilot, lambda: editor.checked_text == FRONT_DESK)
        row = FRONT_DESK.splitlines().index("start: reception")
        area.move_cursor((row, len("start: reception")))
        for _ in range(len("reception")):
            area.post_message(events.Key("backspace", None))
        for key in key_events("lobby"):
            area.post_message(key)
        await until(pilot, lambda: editor.checked_text == area.text and "lobby" in area.text)
        assert area.text.splitlines()[row] == "start: lobby"
        assert editor.problems  # the check saw the finished text: no state 'lobby'


# -- the list keeps its place ----------------------------------------------------------------------------


def cursor_key(app: CallsimApp) -> str:
    screen = app.screen
    assert isinstance(screen, ScenariosScreen)
    card = screen.selected()
    assert card is not None
    return card.scenario.id


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_the_list_keeps_its_cursor_after_the_palette_the_history_and_a_report() -> None:
    app = typed_app()
    async with app.run_test(size=(100, 32)) as pilot:
        table = app.screen.query_one("#scenarios", DataTable)
        assert table.row_count == 2
        await pilot.press("down")
        second = cursor_key(app)
        assert table.cursor_row == 1

        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScenariosScreen))
        assert cursor_key(app) == second

        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScenariosScreen))
        assert cursor_key(app) == second

        await pilot.press("enter")
        assert isinstance(app.screen, PrepareScreen) and app.screen.scenario.id == second
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CallScreen))
        await until(pilot, lambda: app.screen.query_one(TranscriptView).shown >= 1)
        await say(pilot, app, "Hello, this is Sam Carter from Brightline Analytics.")
        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScenariosScreen))
        assert cursor_key(app) == second
        await pilot.press("enter")  # enter opens the scenario the cursor shows
        assert isinstance(app.screen, PrepareScreen) and app.screen.scenario.id == second


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_an_old_search_does_not_hide_a_scenario_just_saved() -> None:
    app = typed_app()
    async with app.run_test(size=(100, 32)) as pilot:
        table = app.screen.query_one("#scenarios", DataTable)
        await type_text(pilot, "direct")
        await until(pilot, lambda: table.row_count == 1)
        await pilot.press("f4")
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        area = editor.query_one("#yaml", TextArea)
        mine = FRONT_DESK.replace("id: front-desk", "id: my-reception").replace(
            "title: Past the front desk", "title: My reception desk"
        )
        area.load_text(mine)
        await until(pilot, lambda: editor.checked_text == mine and editor.scenario is not None)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not editor.unsaved())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ScenariosScreen))
        assert app.screen.query_one("#search", Input).value == ""
        assert table.row_count == 3
        assert cursor_key(app) == "my-reception"


# -- the footer fits 80 columns --------------------------------------------------------------------------


def footer_problems(app: CallsimApp, must_show: tuple[str, ...]) -> list[str]:
    """Keys cut off or missing from the footer at the app's width."""
    width = app.size.width
    shown = {}
    found = []
    for key in app.screen.query(FooterKey):
        text = f"{key.key_display} {key.description}".strip()
        shown[key.description] = key
        if key.region.right > width or key.region.width < len(text):
            found.append(f"cut: {text!r} at {key.region}")
    found += [f"missing: {name}" for name in must_show if name not in shown]
    placed = sorted((key.region for key in app.screen.query(FooterKey)), key=lambda region: region.x)
    found += [f"overlap: {a} {b}" for a, b in zip(placed, placed[1:], strict=False) if a.right > b.x]
    return found


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_every_screen_footer_fits_80_columns_and_shows_quit() -> None:
    app = typed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert footer_problems(app, ("Prepare", "Edit", "History", "New", "Quit")) == []
        await pilot.press("enter")
        assert isinstance(app.screen, PrepareScreen)
        await pilot.pause(0.1)
        assert footer_problems(app, ("Start", "Typed", "Mode", "Back", "Quit")) == []
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CallScreen))
        await until(pilot, lambda: app.screen.query_one(TranscriptView).shown >= 1)
        assert footer_problems(app, ("Hang up", "Hint", "Repeat", "Brief", "Quit")) == []
        await say(pilot, app, "Hello, this is Sam Carter from Brightline Analytics.")
        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.pause(TYPING_GUARD_SECONDS + 0.2)
        assert footer_problems(app, ("Practise again", "History", "Back", "Quit")) == []
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert footer_problems(app, ("Open", "Sort", "Back", "Quit")) == []
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert footer_problems(app, ("Save", "Try", "Problem", "Back", "Quit")) == []


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_a_screenshot_without_a_downloads_folder_lands_in_the_data_folder_and_says_where(
    callsim_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare_home = tmp_path / "bare-home"
    bare_home.mkdir()
    monkeypatch.setenv("HOME", str(bare_home))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(bare_home / "Downloads"))
    app = typed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_screenshot()
        await pilot.pause(0.1)
        from simulator.config import data_dir

        assert data_dir().is_relative_to(callsim_home)
        shots = list((data_dir() / "screenshots").glob("*.svg"))
        assert len(shots) == 1 and shots[0].stat().st_size > 0
        assert any(str(shots[0]) in notice.message for notice in app._notifications)


# -- the history tells the truth -------------------------------------------------------------------------


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_a_hang_up_before_a_word_is_not_kept_as_a_call() -> None:
    from simulator.tui.catalog import calls

    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(80, 24)) as pilot:
        await on_a_call(pilot, app)  # the assistant has picked up
        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        report = app.screen
        assert isinstance(report, ReportScreen)
        assert report.call.call_id is None
        assert "not saved" in str(report.query_one(".title", Static).render())
    assert calls() == []


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_a_call_quit_after_one_turn_is_marked_and_left_out_of_trends() -> None:
    seed_history(
        [
            ("front-desk", "rejected", (60.0, 20.0, 10.0)),
            ("front-desk", "meeting_booked", (20.0, 70.0, 80.0)),
            ("front-desk", None, (46.0, 0.0, 0.0)),  # quit after one turn
        ]
    )
    app = typed_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one("#calls", DataTable)
        newest = table.get_row_at(0)
        assert str(newest[3]) == "ended early (partial)"  # cells are literal Text (issue 10)
        rigidity = str(app.screen.query_one("#trend-label-rigidity").render())
        assert "better" in rigidity  # 60 → 20: the partial 46 would not change the verdict, but it is not counted
        from textual.widgets import Sparkline

        assert list(app.screen.query_one("#trend-rigidity", Sparkline).data or []) == [60.0, 20.0]
        await pilot.press("enter")  # open the partial call's report
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        notices = [str(w.render()) for w in app.screen.query(".notice")]
        assert any("before an outcome" in notice and "left out of your trends" in notice for notice in notices)


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_best_is_the_best_successful_call_not_a_failed_one() -> None:
    from simulator.tui.catalog import scenario_cards

    seed_history(
        [
            ("front-desk", "message_taken", (5.0, 90.0, 90.0)),  # high scores, but only a message
            ("front-desk", "meeting_booked", (30.0, 60.0, 70.0)),
            ("direct-line", "hung_up", (10.0, 80.0, 80.0)),
        ]
    )
    cards = {card.scenario.id: card for card in scenario_cards()}
    best = cards["front-desk"].best
    assert best is not None and best.to_dict() == {"rigidity": 30.0, "value_added": 60.0, "next_step": 70.0}
    assert cards["direct-line"].best is None and cards["direct-line"].last is not None


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_a_typed_call_report_shows_no_timing_measured_on_a_simulated_clock() -> None:
    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(100, 32)) as pilot:
        await on_a_call(pilot, app)
        await make_call(pilot, app, GOOD_CALLER[:3])
        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        report = app.screen
        assert isinstance(report, ReportScreen)
        assert report.call.report is not None and "pace" in report.call.report["metrics"]  # scored, not shown
        metrics = " ".join(str(w.render()) for w in report.query(".metric"))
        assert "Questions asked" in metrics
        for timed in ("Speaking pace", "Caller talk share", "Time to stated reason", "Mean gap before answering"):
            assert timed not in metrics
        notes = " ".join(str(w.render()) for w in report.query(".metric-source"))
        assert "typed call's timings are simulated" in notes and "wpm under pushback" not in notes


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_the_history_keeps_its_cursor_after_a_report() -> None:
    seed_history([("front-desk", "rejected", (60.0, 20.0, 10.0)), ("front-desk", "meeting_booked", (20.0, 70.0, 80.0))])
    app = typed_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        assert isinstance(history, HistoryScreen)
        await pilot.press("down")
        chosen = history.selected()
        assert chosen is not None and history.query_one("#calls", DataTable).cursor_row == 1
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is history)
        again = history.selected()
        assert again is not None and again.id == chosen.id
