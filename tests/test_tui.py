"""The practice app driven by Pilot as a user would: pick, prepare, call (typed), review, find in history.

No audio device is needed: calls are typed and the personas speak through the silent voice on a
simulated clock. Each test has its own CALLSIM_HOME.
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
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, OptionList, Static, TextArea

from simulator.tui.app import CallsimApp, create_app
from simulator.tui.screens.call import CallScreen
from simulator.tui.screens.editor import EditorScreen
from simulator.tui.screens.history import HistoryScreen
from simulator.tui.screens.prepare import PrepareScreen
from simulator.tui.screens.report import TYPING_GUARD_SECONDS, ReportScreen
from simulator.tui.screens.scenarios import ScenariosScreen
from simulator.tui.widgets.transcript_view import TranscriptView

pytestmark = pytest.mark.timeout(120)


def typed_app(**options: object) -> CallsimApp:
    return create_app(typed=True, speak="silent", cursor_blink=False, **options)  # type: ignore[arg-type]


def texts(screen: object, selector: str) -> list[str]:
    return [str(widget.render()) for widget in screen.query(selector)]  # type: ignore[attr-defined]


async def type_text(pilot: Pilot[None], text: str) -> None:
    keys = {" ": "space", "\n": "enter"}
    await pilot.press(*[keys.get(char, char) for char in text])


async def say(pilot: Pilot[None], app: CallsimApp, line: str) -> None:
    """Put a caller turn in the input box (as a paste would: key by key is slow) and press Enter."""
    box = app.screen.query_one("#say", Input)
    assert box.has_focus
    box.insert_text_at_cursor(line)
    await pilot.press("enter")


async def make_call(pilot: Pilot[None], app: CallsimApp, lines: list[str]) -> None:
    """On the Call screen: say each line once the persona has answered the previous one."""
    screen = app.screen
    assert isinstance(screen, CallScreen)
    view = screen.query_one(TranscriptView)
    await until(pilot, lambda: view.shown >= 1)
    for line in lines:
        if not isinstance(app.screen, CallScreen):
            break
        before = view.shown
        await say(pilot, app, line)
        await until(pilot, lambda b=before: view.shown >= b + 2 or not isinstance(app.screen, CallScreen))


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_a_whole_typed_call_from_scenario_to_history() -> None:
    app = typed_app()
    async with app.run_test(size=(100, 32)) as pilot:
        assert isinstance(app.screen, ScenariosScreen)
        table = app.screen.query_one("#scenarios", DataTable)
        assert table.row_count == 2
        await type_text(pilot, "front")  # type to search
        await until(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        assert isinstance(app.screen, PrepareScreen)
        shown = " ".join(texts(app.screen, "Static"))
        assert "Get past the assistant" in shown
        assert "second warehouse in Leeds" in shown
        assert len(app.screen.query(".reminder")) == 3
        assert "Typed call" in shown

        await pilot.press("enter")  # start the call
        assert isinstance(app.screen, CallScreen)
        await make_call(pilot, app, GOOD_CALLER[:-1])
        call_screen = app.screen
        assert isinstance(call_screen, CallScreen)  # agreed: the call waits for the caller's wrap-up
        await until(pilot, lambda: "Agreed. Say it back" in str(call_screen.query_one("#coach", Static).render()))
        await make_call(pilot, app, GOOD_CALLER[-1:])
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        report = app.screen
        assert isinstance(report, ReportScreen)
        assert report.call.transcript.outcome == "meeting_booked"
        words = texts(report, ".score-words")
        assert len(words) == 3
        assert words[0].startswith("rigidity ") and words[0].endswith("— lower is better")
        assert words[1].startswith("value added ") and words[1].endswith("— higher is better")
        assert words[2].startswith("next step ") and words[2].endswith("— higher is better")
        assert report.call.report is not None
        scores = report.call.report["scores"]
        assert words[0] == f"rigidity {round(scores['rigidity'])} — lower is better"
        transcript = report.query_one("#report-transcript", TranscriptView)
        assert transcript.shown == len(report.call.transcript.turns) >= 2 * len(GOOD_CALLER)
        wrap_up, goodbye = report.call.transcript.turns[-2:]
        assert wrap_up.text == GOOD_CALLER[-1] and goodbye.speaker == "executive"

        await pilot.pause(TYPING_GUARD_SECONDS)  # letter keys wait until a typist has stopped
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        calls = app.screen.query_one("#calls", DataTable)
        assert calls.row_count == 1
        row = [str(cell) for cell in calls.get_row_at(0)]
        assert row[2] == "front-desk" and row[3] == "meeting booked"
        assert row[4:] == [str(round(scores[name])) for name in ("rigidity", "value_added", "next_step")]
        await pilot.press("enter")
        assert isinstance(app.screen, ReportScreen)
        assert app.screen.call.call_id == report.call.call_id
        await pilot.press("escape")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ScenariosScreen)
        last = app.screen.query_one("#scenarios", DataTable).get_row_at(0)
        expected = f"R{round(scores['rigidity'])} V{round(scores['value_added'])} N{round(scores['next_step'])}"
        assert str(last[3]) == expected


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_hanging_up_mid_call_still_scores_and_saves_it() -> None:
    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, PrepareScreen)
        await pilot.press("enter")
        await make_call(pilot, app, GOOD_CALLER[:1])
        assert isinstance(app.screen, CallScreen)
        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert isinstance(app.screen, ReportScreen)
        assert app.screen.call.call_id == 1
        assert len(app.screen.query(".score-words")) == 3
    from simulator.tui.catalog import calls

    (saved,) = calls()
    assert saved.complete and saved.scores is not None and saved.scenario == "front-desk"


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_the_report_shows_the_change_against_the_last_attempt() -> None:
    from simulator.tui.catalog import scenario_cards

    # the last attempt that ran to an outcome; the later one the caller quit (no outcome) is not measured against
    seed_history([("front-desk", "rejected", (90.0, 5.0, 0.0)), ("front-desk", None, (40.0, 0.0, 0.0))])
    (card,) = [card for card in scenario_cards() if card.scenario.id == "front-desk"]
    assert card.last is not None and card.last.to_dict() == {"rigidity": 90.0, "value_added": 5.0, "next_step": 0.0}
    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await make_call(pilot, app, GOOD_CALLER)
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        changes = texts(app.screen, ".score-change")
        assert app.screen.call.previous == {"rigidity": 90.0, "value_added": 5.0, "next_step": 0.0}
        assert any(change.endswith("better") for change in changes)


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_coached_mode_gives_a_hint_and_exam_mode_none() -> None:
    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await make_call(pilot, app, GOOD_CALLER[:1])
        coach = app.screen.query_one("#coach", Static)
        assert not coach.display
        await pilot.press("ctrl+o")
        await until(pilot, lambda: bool(coach.display))
        assert len(str(coach.render())) > 20
        await make_call(pilot, app, GOOD_CALLER[1:2])  # the hint was for this line: once it is said, it goes
        assert not coach.display
        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))

    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")  # exam mode
        assert "exam" in str(app.screen.query_one("#mode", Static).render())
        await pilot.press("enter")
        await make_call(pilot, app, GOOD_CALLER[:1])
        screen = app.screen
        assert isinstance(screen, CallScreen)
        await pilot.press("ctrl+o")
        await pilot.pause(0.3)
        assert not screen.query_one("#coach", Static).display
        hint_keys = [b for b in app.active_bindings.values() if b.binding.action == "hint" and b.enabled]
        assert hint_keys == []
        await pilot.press("ctrl+x")


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_ask_them_to_repeat_replays_the_last_persona_line() -> None:
    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await make_call(pilot, app, GOOD_CALLER[:1])
        screen = app.screen
        assert isinstance(screen, CallScreen) and screen.last_persona is not None
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        again = texts(screen, ".repeat")
        assert len(again) == 1 and screen.last_persona.text in again[0]
        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        turns = app.screen.call.transcript.turns
        assert sum(turn.text == screen.last_persona.text for turn in turns) == 1  # no new turn


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_without_a_microphone_prepare_says_so_and_the_call_is_typed(callsim_home: Path) -> None:
    callsim_home.mkdir(parents=True, exist_ok=True)
    (callsim_home / "settings.toml").write_text('[audio]\ninput_device = "no such microphone"\n')
    app = create_app(scenario_id="front-desk", speak="silent", cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.screen.query_one("#mic-status", Static)
        await until(pilot, lambda: "The call will be typed" in str(status.render()))
        assert str(status.render()).startswith("No microphone found") or "cannot" in str(status.render())
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, CallScreen) and screen.typed
        assert screen.query_one("#say", Input).display
        await pilot.press("ctrl+x")


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_history_filters_sorts_and_charts_trends() -> None:
    seed_history(
        [
            ("front-desk", "rejected", (60.0, 30.0, 10.0)),
            ("front-desk", "message_taken", (45.0, 50.0, 30.0)),
            ("direct-line", "meeting_booked", (20.0, 75.0, 80.0)),
        ]
    )
    app = typed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        table = screen.query_one("#calls", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["3", "2", "1"]  # newest first
        assert screen.query_one("#trend-value_added").data == [30.0, 50.0, 75.0]
        assert "better" in str(screen.query_one("#trend-label-value_added", Label).render())
        await type_text(pilot, "front")
        await until(pilot, lambda: table.row_count == 2)
        assert screen.query_one("#trend-rigidity").data == [60.0, 45.0]
        await pilot.press("ctrl+s")  # from date to the next column: scenario
        assert screen.sort_column == "scenario"
        await pilot.click("#calls", offset=(60, 0))  # the Value column's header
        assert screen.sort_column == "value_added"
        assert [str(table.get_row_at(i)[5]) for i in range(table.row_count)] == ["50", "30"]
        await pilot.press("ctrl+r")
        assert [str(table.get_row_at(i)[5]) for i in range(table.row_count)] == ["30", "50"]


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_the_editor_shows_problems_as_you_type_and_saves_to_the_scenarios_list(
    callsim_home: Path,
) -> None:
    user = callsim_home / "scenarios"
    app = typed_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f4")
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        area = editor.query_one("#yaml", TextArea)
        summary = editor.query_one("#problem-summary", Static)
        await until(pilot, lambda: "No problems" in str(summary.render()))
        area.load_text(
            FRONT_DESK.replace("id: front-desk", "id: my-front-desk").replace(
                "title: Past the front desk", "title: My own front desk"
            )
        )
        await until(pilot, lambda: "No problems" in str(summary.render()) and editor.scenario is not None)

        # break it: a misspelt key on line 3
        area.move_cursor((2, 0))
        await type_text(pilot, "dificulty: hard\n")
        await until(pilot, lambda: bool(editor.problems) and editor.checked_text == area.text)
        problems = editor.query_one("#problems", OptionList)
        assert problems.display
        first = str(problems.get_option_at_index(0).prompt)
        assert first.startswith("line 3:") and "dificulty" in first
        await pilot.press("f6")
        assert area.cursor_location == (2, 0)

        # fix it again
        area.move_cursor((2, 0))
        await pilot.press("shift+down", "delete")
        await until(pilot, lambda: not editor.problems)
        assert not problems.display
        assert "No problems" in str(summary.render())

        await pilot.press("ctrl+s")
        saved = user / "my-front-desk.yaml"
        await until(pilot, saved.exists)
        assert "title: My own front desk" in saved.read_text()
        await pilot.press("escape")
        assert isinstance(app.screen, ScenariosScreen)
        table = app.screen.query_one("#scenarios", DataTable)
        titles = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "✎ My own front desk to the head of operations" in titles


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_the_editor_saves_a_broken_new_scenario_as_a_draft_and_try_it_runs_a_typed_call(
    callsim_home: Path,
) -> None:
    app = typed_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f4")
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        area = editor.query_one("#yaml", TextArea)
        await until(pilot, lambda: editor.scenario is not None)
        await pilot.press("ctrl+t")  # try it: a typed call on the text as it stands
        assert isinstance(app.screen, CallScreen) and not app.screen.save
        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert app.screen.call.call_id is None
        await pilot.press("escape")
        assert app.screen is editor

        draft = "id: half-done\ntitle: [unclosed\n"
        area.load_text(draft)
        await until(pilot, lambda: bool(editor.problems) and editor.checked_text == draft)
        assert editor.problems[0][0] >= 1
        await pilot.press("ctrl+s")  # a draft with problems is kept, under the id it names
        saved = callsim_home / "scenarios" / "half-done.yaml"
        await until(pilot, saved.exists)
        assert saved.read_text(encoding="utf-8") == draft
        assert not editor.unsaved()
        assert any("draft" in notice.message for notice in app._notifications)
        await pilot.press("escape")  # saved: leaves at once
        assert isinstance(app.screen, ScenariosScreen)
    from simulator.tui.catalog import calls

    assert calls() == []  # "try it" keeps nothing in the history


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_command_palette_opens_history_and_a_scenario() -> None:
    app = typed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await type_text(pilot, "History")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("escape", "ctrl+p")
        await type_text(pilot, "Practise: A direct dial")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PrepareScreen))
        assert app.screen.scenario.id == "direct-line"


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_an_unknown_scenario_name_is_one_line_not_a_crash() -> None:
    app = typed_app(scenario_id="no-such-scenario")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ScenariosScreen)
        (notice,) = list(app._notifications)
        assert "unknown scenario 'no-such-scenario'" in notice.message and "\n" not in notice.message


def test_callsim_without_a_command_opens_the_app(monkeypatch: pytest.MonkeyPatch, callsim_home: Path) -> None:
    from typer.testing import CliRunner

    from simulator.cli import app as cli

    opened: list[CallsimApp] = []
    monkeypatch.setattr(CallsimApp, "run", lambda self, *args, **kwargs: opened.append(self))
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 0, result.output
    assert len(opened) == 1 and opened[0].options.scenario_id is None
    assert not callsim_home.exists()  # opening the app made no folder and no database


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_quitting_in_the_middle_of_a_call_hangs_up_and_keeps_the_turns() -> None:
    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await make_call(pilot, app, GOOD_CALLER[:1])
        assert isinstance(app.screen, CallScreen)
        await pilot.press("ctrl+q")
    from simulator.tui.catalog import calls, stored_call

    (saved,) = calls()
    assert saved.turns >= 3
    assert saved.finished_at is not None and saved.scores is not None  # quitting waited for the call to close
    assert [turn.text for turn in stored_call(saved.id).transcript.turns][1] == GOOD_CALLER[0]


@synchronous
async def test_the_default_shipped_scenario_opens_and_a_good_typed_call_succeeds(callsim_home: Path) -> None:
    from simulator.scenario.loader import DEFAULT_SCENARIO

    lines = (Path(__file__).parent / "data" / "callers" / f"{DEFAULT_SCENARIO}.good.txt").read_text().splitlines()
    app = typed_app(scenario_id=DEFAULT_SCENARIO)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, PrepareScreen) and app.screen.scenario.id == DEFAULT_SCENARIO
        await pilot.press("enter")
        await make_call(pilot, app, [line for line in lines if line.strip()])
        if isinstance(app.screen, CallScreen):
            await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        report = app.screen
        assert isinstance(report, ReportScreen)
        assert report.call.success, report.call.transcript.outcome
        assert len(report.query(".score-words")) == 3


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_a_monologue_gets_an_unprompted_nudge_in_coached_mode() -> None:
    monologue = " ".join(["We help freight firms forecast late deliveries two days ahead of time."] * 9)  # ~100 words
    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await make_call(pilot, app, [monologue])
        coach = app.screen.query_one("#coach", Static)
        await until(pilot, lambda: bool(coach.display))
        assert "seconds: stop, and ask them a question" in str(coach.render())
        await pilot.press("ctrl+x")


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_partial_text_shows_while_the_caller_speaks_and_gives_way_to_the_turn() -> None:
    from simulator.call.events import TurnFinished
    from simulator.transcript import Turn
    from simulator.tui.screens.call import CallEventArrived
    from simulator.voice.ports import PartialText

    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, CallScreen)
        view = screen.query_one(TranscriptView)
        await until(pilot, lambda: view.shown >= 1)
        screen.post_message(CallEventArrived(PartialText("good morning this is")))
        await until(pilot, lambda: bool(texts(screen, ".partial")))
        assert texts(screen, ".partial") == ["You: good morning this is …"]
        turn = Turn(speaker="caller", text="Good morning, this is Sam.", start=1.0, end=2.5)
        screen.post_message(CallEventArrived(TurnFinished(99, turn)))
        await until(pilot, lambda: not texts(screen, ".partial"))
        assert "You: Good morning, this is Sam." in texts(screen, ".caller")
        await pilot.press("ctrl+x")


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_the_command_palette_cannot_start_a_second_call_over_a_live_one() -> None:
    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await make_call(pilot, app, GOOD_CALLER[:1])
        call_screen = app.screen
        assert isinstance(call_screen, CallScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles and not any(
            t.startswith(("Practise", "Edit scenario", "History", "New scenario")) for t in titles
        )
        await type_text(pilot, "Practise")
        await pilot.press("enter")
        await pilot.pause(0.3)
        app.prepare("front-desk")  # what a stale palette entry would call
        await pilot.pause(0.3)
        if app.screen is not call_screen:
            await pilot.press("escape")
        await until(pilot, lambda: app.screen is call_screen)
        assert not any(isinstance(screen, PrepareScreen) for screen in app.screen_stack)


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_a_call_hung_up_before_saying_anything_is_neither_scored_nor_kept() -> None:
    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await make_call(pilot, app, [])
        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert not app.screen.query(".score-words")
        assert "you said nothing before it ended" in " ".join(texts(app.screen, ".notice"))
    from simulator.tui.catalog import calls

    assert calls() == []  # the persona's hello alone is no attempt (issue 12: "an empty hang-up is a call")


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_keys_still_being_typed_when_the_call_ends_do_not_act_on_the_report() -> None:
    app = typed_app(scenario_id="front-desk")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await make_call(pilot, app, GOOD_CALLER[:1])
        await pilot.press("ctrl+x")  # as when the persona hangs up mid-sentence: the report opens at once
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        report = app.screen
        for _ in range(3):  # "a" is Practise again, "h" History: typed on, over more than the guard
            await type_text(pilot, "wait a hat ")
            await pilot.pause(TYPING_GUARD_SECONDS / 3)
        assert app.screen is report
        assert not any(isinstance(screen, PrepareScreen | CallScreen) for screen in app.screen_stack)
        await pilot.pause(TYPING_GUARD_SECONDS + 0.1)  # the keyboard has been quiet: the keys act again
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
    from simulator.tui.catalog import calls

    assert len(calls()) == 1


def test_a_saved_copy_of_a_shipped_scenario_still_points_at_the_schema(tmp_path: Path) -> None:
    from urllib.parse import unquote, urlparse

    from simulator.config import shipped_scenarios_dir
    from simulator.tui.screens.editor import with_schema_comment_for

    shipped = (shipped_scenarios_dir() / "gatekeeper-screen.yaml").read_text(encoding="utf-8")
    assert shipped.startswith("# yaml-language-server: $schema=./scenario.schema.json")
    copy = with_schema_comment_for(tmp_path / "mine.yaml", shipped)
    first, _, rest = copy.partition("\n")
    reference = first.split("$schema=", 1)[1]
    assert reference.startswith("file://") and Path(unquote(urlparse(reference).path)).is_file()
    assert rest == shipped.partition("\n")[2]
