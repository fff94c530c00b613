"""Every screen of the app rendered with a hostile scenario: its text shows literally, no escape is drawn.

The scenario's title, names, brief, research and persona lines carry an OSC 52 clipboard write, a window
title, a C1 CSI, BEL/BS/CR, a bidi override and Rich/Textual markup ("[/]" alone used to stop the app).
On each screen the text the compositor would draw (every segment of every line, what the driver writes
between its own cursor and colour codes) must hold no character a terminal acts on, and must show the
markup as typed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest_tui import (  # the fixtures register under their names: callsim_home, fixed_scenarios
    FRONT_DESK,
    callsim_home_fixture,  # noqa: F401
    fixed_scenarios_fixture,  # noqa: F401
    synchronous,
    until,
)
from textual.widgets import Input

from simulator.tui.app import CallsimApp, create_app
from simulator.tui.screens.call import CallScreen
from simulator.tui.screens.editor import EditorScreen
from simulator.tui.screens.history import HistoryScreen
from simulator.tui.screens.prepare import PrepareScreen
from simulator.tui.screens.report import TYPING_GUARD_SECONDS, ReportScreen
from simulator.tui.screens.scenarios import ScenariosScreen
from simulator.tui.widgets.transcript_view import TranscriptView

pytestmark = pytest.mark.timeout(120)

OSC52 = "\\e]52;c;SGFja2Vk\\a"  # as YAML double-quoted escapes
TITLE = "Cold call [/] warm lead [Draft] [bold red]hi[/]"
HOSTILE = (
    FRONT_DESK.replace("title: Past the front desk to the head of operations", f'title: "{TITLE} {OSC52}"')
    .replace("    name: Priya Shah", '    name: "Priya \\e]0;pwned\\a [b]Shah[/b]"')
    .replace("    name: Maria Ortega", '    name: "Maria \\x9b2J Ortega"')
    .replace(
        "  goal: Get past the assistant and book a 20-minute meeting with Maria Ortega next week.",
        '  goal: "Book a meeting \\a\\b\\rfake [link=https://x.test]x[/link]"',
    )
    .replace(
        "    fact: Ortega Freight opened a second warehouse in Leeds in March.",
        '    fact: "Leeds \\u202etxt.exe warehouse [/]"',
    )
    .replace(
        '    say: ["Good morning, Ortega Freight, Priya speaking. How can I help?"]',
        '    say: ["Good morning \\e[2J\\e[H [/] Priya speaking."]',
    )
)
CALLER_LINE = "Hi Priya [/] [bold]Sam[/bold] \x1b]52;c;SGk=\x07 from Brightline."
LITERALS = ("Cold call [/] warm lead [Draft] [bold red]hi[/]", "\\u001b]52;c;SGFja2Vk\\u0007")
# What a terminal acts on: C0 controls (but newline), DEL, C1, lone surrogates, bidi controls.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def drawn(app: CallsimApp) -> str:
    """The text of every segment the compositor would send for the current screen, line by line."""
    strips = app.screen._compositor.render_strips()
    for strip in strips:
        for segment in strip:
            bad = UNSAFE.search(segment.text)
            assert bad is None, f"{bad.group()!r} drawn on {type(app.screen).__name__}: {segment.text!r}"
    return "\n".join(strip.text for strip in strips)


def shows(app: CallsimApp, *literals: str) -> None:
    screen = drawn(app)
    for literal in literals:
        assert literal in screen, f"{literal!r} is not shown literally on {type(app.screen).__name__}:\n{screen}"


@pytest.fixture
def hostile_scenarios(fixed_scenarios: Path) -> Path:
    (fixed_scenarios / "front-desk.yaml").write_text(HOSTILE, encoding="utf-8")
    return fixed_scenarios


@pytest.mark.usefixtures("hostile_scenarios")
@synchronous
async def test_every_screen_shows_hostile_scenario_text_literally(callsim_home: Path) -> None:
    app = create_app(typed=True, speak="silent", cursor_blink=False)
    async with app.run_test(size=(220, 60)) as pilot:
        assert isinstance(app.screen, ScenariosScreen)
        await pilot.pause()
        shows(app, "Cold call [/] warm lead [Draft] [bold red]hi[/]")
        await pilot.press("down")  # the hostile scenario's detail line
        await pilot.pause()
        shows(app, "Book a meeting \\u0007\\u0008\\u000dfake [link=https://x.test]x[/link]")
        await pilot.press("enter")
        assert isinstance(app.screen, PrepareScreen)
        await pilot.pause()
        shows(
            app,
            *LITERALS,
            "Priya \\u001b]0;pwned\\u0007 [b]Shah[/b]",
            "Maria \\u009b2J Ortega",
            "[link=https://x.test]x[/link]",
            "Leeds \\u202etxt.exe warehouse [/]",
        )
        await pilot.press("enter")
        assert isinstance(app.screen, CallScreen)
        view = app.screen.query_one(TranscriptView)
        await until(pilot, lambda: view.shown >= 1)
        shows(app, "Good morning \\u001b[2J\\u001b[H [/] Priya speaking.", "Priya \\u001b]0;pwned\\u0007 [b]Shah[/b]")
        box = app.screen.query_one("#say", Input)
        box.insert_text_at_cursor(CALLER_LINE)
        await pilot.press("enter")
        await until(pilot, lambda: view.shown >= 3)
        shows(app, "Hi Priya [/] [bold]Sam[/bold] \\u001b]52;c;SGk=\\u0007 from Brightline.")
        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.pause()
        shows(app, *LITERALS[:1], "Hi Priya [/] [bold]Sam[/bold] \\u001b]52;c;SGk=\\u0007 from Brightline.")
        await pilot.pause(TYPING_GUARD_SECONDS)
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.pause()
        shows(app, "front-desk")
        await pilot.press("escape")
        assert isinstance(app.screen, ScenariosScreen)
        await pilot.press("down", "ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        await until(pilot, lambda: editor.scenario is not None)
        shows(app, "No problems: Cold call [/] warm lead [Draft] [bold red]hi[/] \\u001b]52;c;SGFja2Vk\\u0007")


@pytest.mark.usefixtures("hostile_scenarios")
@synchronous
async def test_the_editor_shows_a_problem_quoting_hostile_text_literally(callsim_home: Path) -> None:
    app = create_app(typed=True, speak="silent", cursor_blink=False)
    async with app.run_test(size=(220, 60)) as pilot:
        await pilot.press("down", "ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        area = editor.query_one("#yaml")
        area.load_text(HOSTILE.replace("start: reception", 'start: "rec\\e]52;c;x\\a[/]eption"'))  # type: ignore[attr-defined]
        await until(pilot, lambda: bool(editor.problems))
        await pilot.pause()
        shows(app, "rec\\u001b]52;c;x\\u0007[/]eption")


@pytest.mark.usefixtures("hostile_scenarios")
@synchronous
async def test_pilot_tests_draw_only_safe_text(callsim_home: Path) -> None:
    """The check itself can fail: a raw escape put straight into a widget is caught."""
    from textual.widgets import Static

    app = create_app(typed=True, speak="silent", cursor_blink=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await app.screen.mount(Static("raw \x1b]52;c;SGk=\x07 escape", markup=False))
        await pilot.pause()
        with pytest.raises(AssertionError, match="drawn on"):
            drawn(app)


@pytest.mark.usefixtures("hostile_scenarios")
@synchronous
async def test_control_characters_pasted_into_the_editor_are_shown_as_text(callsim_home: Path) -> None:
    from textual.widgets import TextArea

    app = create_app(typed=True, speak="silent", cursor_blink=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        area = app.screen.query_one("#yaml", TextArea)
        area.move_cursor((0, 0))
        area.insert("# pasted \x1b]52;c;SGk=\x07 and \x9b2J\n")
        await pilot.pause()
        await pilot.pause()
        shows(app, "# pasted \\u001b]52;c;SGk=\\u0007 and \\u009b2J")
        assert area.text.startswith("# pasted \\u001b]52;c;SGk=\\u0007")
