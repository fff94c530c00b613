"""Snapshots of every screen at 80x24 and 120x40 (and the light theme), made stable by the fixtures:
a silent voice on a simulated clock, no cursor blink, UTC, fixed scenarios and fixed history dates.

Update them after a deliberate change with `pytest tests/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest_tui import (  # the fixtures register under their names: callsim_home, fixed_scenarios
    DIRECT_LINE,
    GOOD_CALLER,
    callsim_home_fixture,  # noqa: F401
    fixed_scenarios_fixture,  # noqa: F401
    seed_history,
)
from textual.pilot import Pilot
from textual.widgets import Input

from simulator.transcript import Transcript, Turn
from simulator.tui.app import CallsimApp, create_app
from simulator.tui.catalog import CallReport
from simulator.tui.screens.report import ReportScreen
from simulator.tui.widgets.transcript_view import TranscriptView

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("fixed_scenarios")]
SIZES = [(80, 24), (120, 40)]
Snap = Callable[..., bool]


def steady_app(**options: object) -> CallsimApp:
    return create_app(typed=True, speak="silent", cursor_blink=False, **options)  # type: ignore[arg-type]


async def settle(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    for _ in range(400):
        if condition():
            await pilot.pause(0.6)  # let the once-every-half-second clock label catch up
            return
        await pilot.pause(0.05)
    raise AssertionError("the app did not settle")


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_scenarios_screen(snap_compare: Snap, size: tuple[int, int]) -> None:
    seed_history([("front-desk", "message_taken", (45.0, 50.0, 30.0)), ("front-desk", "rejected", (60.0, 30.0, 10.0))])
    assert snap_compare(steady_app(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_prepare_screen(snap_compare: Snap, size: tuple[int, int]) -> None:
    assert snap_compare(steady_app(scenario_id="front-desk"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_call_screen(snap_compare: Snap, size: tuple[int, int]) -> None:
    async def two_turns(pilot: Pilot[None]) -> None:
        await pilot.press("enter")
        view = pilot.app.screen.query_one(TranscriptView)
        await settle(pilot, lambda: view.shown >= 1)
        for count, line in ((3, GOOD_CALLER[0]), (5, GOOD_CALLER[1])):
            pilot.app.screen.query_one("#say", Input).insert_text_at_cursor(line)
            await pilot.press("enter")
            await settle(pilot, lambda n=count: view.shown >= n)  # type: ignore[misc]

    assert snap_compare(steady_app(scenario_id="front-desk"), terminal_size=size, run_before=two_turns)


REPORT = CallReport(
    call_id=7,
    scenario_id="front-desk",
    title="Past the front desk to the head of operations",
    transcript=Transcript(
        scenario="front-desk",
        outcome="meeting_booked",
        turns=[
            Turn(speaker="executive", text="Maria Ortega.", start=0.4, end=1.2),
            Turn(speaker="caller", text="Hi Maria, I'm calling about your new Leeds warehouse.", start=1.8, end=4.6),
            Turn(speaker="executive", text="We already work with a forecasting vendor.", start=5.0, end=7.0),
            Turn(speaker="caller", text="Could we take twenty minutes on Tuesday at 10?", start=7.5, end=10.0),
            Turn(speaker="executive", text="Fine, put it in my calendar.", start=10.4, end=12.0),
        ],
    ),
    report={
        "scores": {"rigidity": 22, "value_added": 64, "next_step": 81},
        "evidence": {
            "rigidity": [
                {
                    "turn": 4,
                    "text": "Could we take twenty minutes on Tuesday at 10?",
                    "effect": "-",
                    "points": 6,
                    "why": "a short turn that moves the call on",
                },
            ],
            "value_added": [
                {
                    "turn": 2,
                    "text": "Hi Maria, I'm calling about your new Leeds warehouse.",
                    "effect": "+",
                    "points": 20,
                    "why": "an early reason, from your research",
                },
            ],
            "next_step": [
                {
                    "turn": 4,
                    "text": "Could we take twenty minutes on Tuesday at 10?",
                    "effect": "+",
                    "points": 40,
                    "why": "a concrete day, time and length",
                },
            ],
        },
        "tips": {
            "rigidity": "Ask one open question before you propose the meeting.",
            "value_added": "Offer a benchmark that helps them whether or not they buy.",
            "next_step": "Say who sends the invite, and confirm the time back.",
        },
        "metrics": {
            "talk_ratio": {"value": 52.0, "unit": "%", "good_range": [40, 60], "source": "Gong", "in_range": True},
            "longest_monologue": {
                "value": 2.8,
                "unit": "s",
                "good_range": [None, 60],
                "source": "Gong",
                "in_range": True,
            },
            "questions": {"value": 1, "unit": "", "good_range": [2, None], "source": "Gong", "in_range": False},
        },
    },  # fmt: skip
    previous={"rigidity": 30.0, "value_added": 64.0, "next_step": 40.0},
    names={"caller": "You", "gatekeeper": "Priya Shah", "executive": "Maria Ortega"},
    success=True,
    mode="mic",  # a spoken call: its timing metrics were measured, so they are shown
)


async def show_report(pilot: Pilot[None]) -> None:
    await pilot.app.push_screen(ReportScreen(REPORT))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_report_screen(snap_compare: Snap, size: tuple[int, int]) -> None:
    assert snap_compare(steady_app(), terminal_size=size, run_before=show_report)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_history_screen(snap_compare: Snap, size: tuple[int, int]) -> None:
    seed_history(
        [
            ("front-desk", "rejected", (60.0, 30.0, 10.0)),
            ("front-desk", "message_taken", (45.0, 50.0, 30.0)),
            ("direct-line", "hung_up", (70.0, 20.0, 0.0)),
            ("front-desk", "meeting_booked", (25.0, 70.0, 80.0)),
            ("direct-line", "meeting_booked", (20.0, 75.0, 85.0)),
        ]
    )
    assert snap_compare(steady_app(), terminal_size=size, press=["f3"])


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_editor_screen_with_a_problem(snap_compare: Snap, size: tuple[int, int], callsim_home: Path) -> None:
    folder = callsim_home / "scenarios"
    folder.mkdir(parents=True)
    broken = DIRECT_LINE.replace("id: direct-line", "id: my-direct-line").replace("difficulty:", "dificulty:")
    path = folder / "my-direct-line.yaml"
    path.write_text(broken, encoding="utf-8")

    async def open_editor(pilot: Pilot[None]) -> None:
        from simulator.tui.screens.editor import EditorScreen

        await pilot.app.push_screen(EditorScreen(path, cursor_blink=False))
        screen = pilot.app.screen
        assert isinstance(screen, EditorScreen)
        await settle(pilot, lambda: bool(screen.problems))

    assert snap_compare(steady_app(), terminal_size=size, run_before=open_editor)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_quit_with_unsaved_edits_asks(snap_compare: Snap, size: tuple[int, int], callsim_home: Path) -> None:
    folder = callsim_home / "scenarios"
    folder.mkdir(parents=True)
    path = folder / "my-direct-line.yaml"  # a file of fixed text (a new scenario's template names tmp paths)
    path.write_text(DIRECT_LINE.replace("id: direct-line", "id: my-direct-line"), encoding="utf-8")

    async def edit_then_quit(pilot: Pilot[None]) -> None:
        from simulator.tui.screens.editor import EditorScreen

        screen = EditorScreen(path, cursor_blink=False)
        await pilot.app.push_screen(screen)
        await settle(pilot, lambda: screen.checked_text is not None)
        await pilot.press("#", "space", "n", "o", "t", "e")
        area = screen.query_one("#yaml")
        await settle(pilot, lambda: screen.checked_text == area.text)  # type: ignore[attr-defined]
        await pilot.press("ctrl+q")
        await pilot.pause(0.3)

    assert snap_compare(steady_app(), terminal_size=size, run_before=edit_then_quit)


def test_light_theme_report(snap_compare: Snap) -> None:
    async def light(pilot: Pilot[None]) -> None:
        pilot.app.theme = "textual-light"
        await show_report(pilot)

    assert snap_compare(steady_app(), terminal_size=(80, 24), run_before=light)


def test_light_theme_scenarios(snap_compare: Snap) -> None:
    async def light(pilot: Pilot[None]) -> None:
        pilot.app.theme = "textual-light"
        await pilot.pause()

    assert snap_compare(steady_app(), terminal_size=(80, 24), run_before=light)
