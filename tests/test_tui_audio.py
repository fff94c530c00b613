"""The app with a real microphone and speaker (the PulseAudio rig of tests/conftest.py): the mic check's
level moves when the caller speaks, a spoken turn is heard and shown, push-to-talk can be switched on."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import AudioSandbox, espeak_wav
from conftest_tui import (  # the fixtures register under their names: callsim_home, fixed_scenarios
    GOOD_CALLER,
    callsim_home_fixture,  # noqa: F401
    fixed_scenarios_fixture,  # noqa: F401
    synchronous,
    until,
)
from textual.widgets import ProgressBar, Static

from simulator.tui.app import create_app
from simulator.tui.screens.call import CallScreen
from simulator.tui.screens.prepare import PrepareScreen
from simulator.tui.screens.report import ReportScreen
from simulator.tui.widgets.transcript_view import TranscriptView


def word_error_rate(said: str, heard: str) -> float:
    import re

    import jiwer

    def words(text: str) -> str:
        return " ".join(re.findall(r"[a-z']+", text.lower()))

    return float(jiwer.wer(words(said), words(heard)))


pytestmark = [pytest.mark.audio, pytest.mark.model, pytest.mark.timeout(180)]


@pytest.mark.usefixtures("fixed_scenarios")
@synchronous
async def test_a_spoken_turn_through_the_app(audio_sandbox: AudioSandbox, tmp_path: Path) -> None:
    first_line = espeak_wav(GOOD_CALLER[0], tmp_path / "first.wav")
    app = create_app(scenario_id="front-desk", speak="speaker", cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        prepare = app.screen
        assert isinstance(prepare, PrepareScreen)
        status = prepare.query_one("#mic-status", Static)
        await until(pilot, lambda: "Say something" in str(status.render()), seconds=30)
        levels: list[float] = []
        meter = prepare.query_one("#mic-level", ProgressBar)
        prepare.watch(meter, "progress", lambda value: levels.append(value), init=False)
        speaking = audio_sandbox.say_into_mouth(first_line, wait=False)
        await until(pilot, lambda: max(levels, default=0) > 20, seconds=15)
        speaking.wait(timeout=30)

        await pilot.press("enter")
        call = app.screen
        assert isinstance(call, CallScreen) and not call.typed
        view = call.query_one(TranscriptView)
        await until(pilot, lambda: view.shown >= 1 and call.call is not None, seconds=30)
        assert "hands-free" in str(call.query_one("#talk-mode", Static).render())
        await until(pilot, lambda: "speech model ready" in str(call.query_one("#talk-mode", Static).render()), 60)
        await until(pilot, lambda: str(call.query_one("#status", Static).render()) == "listening", seconds=30)
        audio_sandbox.say_into_mouth(first_line)
        await until(pilot, lambda: view.shown >= 2, seconds=30)
        heard = [turn for turn in call.turns.values() if turn.speaker == "caller"]
        assert heard and word_error_rate(GOOD_CALLER[0], heard[0].text) <= 0.35, heard[0].text

        await pilot.press("ctrl+f")  # to push-to-talk
        assert "push-to-talk" in str(call.query_one("#talk-mode", Static).render())
        assert call.call.settings.listening.mode == "push_to_talk"
        await pilot.press("ctrl+t")
        assert call.talking and "talking" in str(call.query_one("#talk-mode", Static).render())
        await pilot.press("ctrl+t")
        assert not call.talking

        await pilot.press("ctrl+x")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen), seconds=30)
        assert len(app.screen.query(".score-words")) == 3
