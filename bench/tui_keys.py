"""Does the app answer a key press within 100 ms while the speech model loads and while it transcribes?

Run: `.venv/bin/python bench/tui_keys.py [SECONDS]` (default 20). A typed call runs in the Textual app
(headless, in a temp CALLSIM_HOME); beside it a thread does what a microphone call does in the background:
load the embedded faster-whisper model, then transcribe tests/data/audio/jfk.flac over and over. Meanwhile
keys are typed into the call's input box and the time until the app has handled each one is measured.
Prints p50/p95/max per phase (model loading, transcribing). Goal: p95 under 100 ms; exit status 1 if missed.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

GOAL_MS = 100.0
JFK = Path(__file__).resolve().parents[1] / "tests" / "data" / "audio" / "jfk.flac"


def background_speech_work(phase: list[str], stop: threading.Event) -> None:
    """Load the model, then transcribe a real recording until told to stop (as a mic call would)."""
    from faster_whisper import decode_audio

    from simulator.voice.stt import Transcriber

    transcriber = Transcriber()
    phase[0] = "loading"
    transcriber.load()
    audio = decode_audio(str(JFK), sampling_rate=16000) if JFK.exists() else None
    phase[0] = "transcribing"
    while not stop.is_set():
        if audio is None:
            transcriber.warm_up()
        else:
            transcriber.transcribe(audio, ())


def type_keys(
    app: object, changed: threading.Event, phase: list[str], timings: dict[str, list[float]], until: float
) -> None:
    """A keyboard on its own thread, as the terminal driver is: each key goes in the way a real one does."""
    from textual import events

    driver = app._driver  # type: ignore[attr-defined]
    while time.perf_counter() < until and phase[0] != "done":
        for key, character in (("h", "h"), ("backspace", None)):
            current = phase[0]
            changed.clear()
            started = time.perf_counter()
            driver.process_message(events.Key(key, character))
            if not changed.wait(5.0):
                raise SystemExit(f"the app did not answer '{key}' within 5 s")
            if current in timings:
                timings[current].append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)


async def measure(seconds: float) -> dict[str, list[float]]:
    from textual.widgets import Input

    from simulator.config import user_scenarios_dir
    from simulator.scenario.template import render_template
    from simulator.tui.app import create_app
    from simulator.tui.screens.call import CallScreen

    folder = user_scenarios_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "bench-call.yaml"
    target.write_text(render_template("bench-call", target), encoding="utf-8")

    timings: dict[str, list[float]] = {"loading": [], "transcribing": []}
    phase = ["starting"]
    stop = threading.Event()
    changed = threading.Event()
    app = create_app(scenario_id="bench-call", typed=True, speak="silent", save=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")  # start the typed call
        screen = app.screen
        assert isinstance(screen, CallScreen)
        box = screen.query_one("#say", Input)
        screen.watch(box, "value", lambda _value: changed.set(), init=False)
        speech = threading.Thread(target=background_speech_work, args=(phase, stop), daemon=True)
        keyboard = threading.Thread(
            target=type_keys, args=(app, changed, phase, timings, time.perf_counter() + seconds), daemon=True
        )
        speech.start()
        keyboard.start()
        while keyboard.is_alive():
            await asyncio.sleep(0.1)
        stop.set()
        await pilot.press("ctrl+x")
    speech.join(timeout=30)
    return timings


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    with tempfile.TemporaryDirectory() as home:
        os.environ["CALLSIM_HOME"] = home
        timings = asyncio.run(measure(seconds))
    failed = False
    for name, values in timings.items():
        if not values:
            print(f"{name:>12}: no key presses measured")
            continue
        values.sort()
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(
            f"{name:>12}: {len(values)} keys, p50 {statistics.median(values):.1f} ms, "
            f"p95 {p95:.1f} ms, max {values[-1]:.1f} ms (goal p95 < {GOAL_MS:.0f} ms)"
        )
        failed |= p95 >= GOAL_MS
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
