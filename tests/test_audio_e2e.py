"""A whole spoken call through real audio devices: `callsim run --mic` on the PulseAudio rig.

espeak-ng speaks the caller's lines into the virtual mouth (the default microphone) while callsim holds
the call; the virtual speaker's monitor records what the personas said. Checked: the transcript (word
error rate on the caller's lines), the outcome, that the personas were heard, and barge-in.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import AudioSandbox, MonitorRecorder, Recording, espeak_wav

pytestmark = [pytest.mark.audio, pytest.mark.model, pytest.mark.timeout(300)]

# A courteous, prepared caller (as tests/data/callers/gatekeeper-screen.good.txt, in words espeak says clearly)
CALLER_LINES = [
    "Hello Priya, this is Sam Carter from Brightline Analytics. I wonder if you could help me?",
    "Of course, I am calling because Halden just opened the new Leeds hub, and we have benchmarked route costs "
    "for twelve similar hubs. I would be happy to share the findings with Daniel.",
    "That is very kind of you, thank you. Would Tuesday at ten work, or Thursday at two?",
    "Thank you, Priya. Have a great day.",
]
CALLER_VOICE = "en-us+m1"  # espeak-ng voice and speed of the caller (the personas use other voices)
CALLER_WPM = 130
SENTENCE_GAP = 0.25  # seconds between a caller's sentences (espeak's own is ~0.5 s at this speed)
NUMBERS = {"2": "two", "10": "ten", "12": "twelve", "two": "two"}


def words(text: str) -> str:
    """Lower case words, digits spelled out (Whisper writes "10" for "ten")."""
    return " ".join(NUMBERS.get(word, word) for word in re.findall(r"[a-z0-9']+", text.lower()))


def word_error_rate(said: list[str], heard: list[str]) -> float:
    import jiwer

    return float(jiwer.wer(words(" ".join(said)), words(" ".join(heard))))


@dataclass
class SpokenCall:
    data: dict[str, Any]
    speaker: Recording
    stderr: str
    said: list[str]  # the caller lines played into the mouth before the call ended

    def turns(self, speaker: str) -> list[dict[str, Any]]:
        return [turn for turn in self.data["turns"] if turn["speaker"] == speaker]


def run_mic_call(sandbox: AudioSandbox, tmp_path: Path, lines: list[str], barge_in_first: bool = False) -> SpokenCall:
    """Hold `callsim run gatekeeper-screen --mic --json`, saying each line when the persona has finished
    (or, with barge_in_first, the first line while the persona is still greeting)."""
    wavs = [
        espeak_wav(line, tmp_path / f"caller-{n}.wav", CALLER_VOICE, CALLER_WPM, sentence_gap=SENTENCE_GAP)
        for n, line in enumerate(lines)
    ]
    recorder: MonitorRecorder = sandbox.record()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "run", "gatekeeper-screen", "--mic", "--json"],
        env=sandbox.subprocess_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    said: list[str] = []
    try:
        mark = 0.0
        for n, wav in enumerate(wavs):
            if process.poll() is not None:  # the call reached its outcome before the lines ran out
                break
            if n == 0 and barge_in_first:
                began = recorder.wait_for_sound(since=0.0, timeout=60)
                while recorder.so_far().seconds < began + 1.0:  # a second into the greeting
                    time.sleep(0.02)
            else:
                recorder.wait_for_sound_then_quiet(since=mark, quiet=1.0, timeout=90)
            sandbox.say_into_mouth(wav)
            said.append(lines[n])
            mark = recorder.so_far().seconds
        try:
            stdout, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)
            pytest.fail(f"the call did not reach an outcome; it went: {saved_turns(sandbox)}")
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        time.sleep(0.2)
        speaker = recorder.stop()
    assert process.returncode == 0, stderr
    return SpokenCall(json.loads(stdout), speaker, stderr, said)


def saved_turns(sandbox: AudioSandbox) -> str:
    """The turns history kept of the call (each turn is saved as it ends), to show how a call went wrong."""
    result = subprocess.run(
        [sys.executable, "-m", "simulator", "export", "--format", "json"],
        env=sandbox.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    try:
        calls = json.loads(result.stdout)
        return json.dumps([(turn["speaker"], turn["text"]) for turn in calls[-1]["turns"]])
    except (ValueError, LookupError, TypeError):
        return result.stdout + result.stderr


def full_line_seconds(text: str, speaker: str) -> float:
    from simulator.scenario.loader import load_scenario, resolve_scenario
    from simulator.voice.tts import synthesize

    scenario = load_scenario(resolve_scenario("gatekeeper-screen"))
    return synthesize(text, scenario.persona(speaker).voice).seconds  # type: ignore[arg-type]


def test_a_spoken_call_is_heard_answered_and_scored(audio_sandbox: AudioSandbox, tmp_path: Path) -> None:
    call = run_mic_call(audio_sandbox, tmp_path, CALLER_LINES)
    heard = [turn["text"] for turn in call.turns("caller")]
    yielded = sum(bool(turn.get("yielded")) for turn in call.data["turns"])
    # one turn per line said, plus one for each pause between sentences that was taken for the end of a
    # turn (the persona then gave way: "yielded"); the last line may have been said as the call was ending
    answered = len(heard) - yielded
    assert answered >= 3 and answered in (len(call.said), len(call.said) - 1), (call.said, heard)
    wer = word_error_rate(call.said[:answered], heard)
    assert wer <= 0.25, (wer, heard)
    assert call.data["outcome"] in ("meeting_booked", "callback_scheduled"), call.data["turns"]
    assert call.data["success"] is True

    personas = call.turns("gatekeeper") + call.turns("executive")
    assert len(personas) >= len(heard)
    spoken_seconds = sum(turn["end"] - turn["start"] for turn in personas)
    assert spoken_seconds > 5
    # the personas' speech reached the speaker: recorded from its monitor, not silence
    assert call.speaker.active() is not None
    assert call.speaker.loud_seconds() > 0.5 * spoken_seconds
    # the persona never cut itself off (its own voice must not count as the caller barging in); it may only
    # have given way to a caller who was still mid-turn after a pause between sentences
    assert not any(turn.get("interrupted") and not turn.get("yielded") for turn in personas), json.dumps(
        call.data["turns"]
    )
    for turn in personas[1:]:
        latency = turn.get("latency") or {}
        assert latency.get("first_audio") is not None and latency.get("end_of_speech") is not None
        assert latency["first_audio"] >= latency["end_of_speech"]
    assert "Traceback" not in call.stderr


def test_talking_over_the_persona_stops_it(audio_sandbox: AudioSandbox, tmp_path: Path) -> None:
    call = run_mic_call(audio_sandbox, tmp_path, CALLER_LINES, barge_in_first=True)
    opening = call.data["turns"][0]
    assert opening["speaker"] == "gatekeeper"
    assert opening["interrupted"] is True, call.data["turns"]
    assert opening["heard"] is not None and 0.0 < opening["heard"] < 0.9
    # the greeting really stopped early on the speaker: its first stretch of sound is shorter than the line
    full = full_line_seconds(opening["text"], "gatekeeper")
    assert opening["end"] - opening["start"] < full - 0.5, (opening, full)
    envelope = call.speaker.envelope(0.02)
    first_sound = next(i for i, value in enumerate(envelope) if value > 0.01)
    quiet_run = 0
    end = first_sound
    for i in range(first_sound, len(envelope)):
        quiet_run = quiet_run + 1 if envelope[i] <= 0.01 else 0
        if quiet_run * 0.02 >= 0.8:
            end = i - quiet_run + 1
            break
    greeting_heard = (end - first_sound) * 0.02
    assert greeting_heard < full - 0.5, (greeting_heard, full)
    # and what the caller said over it was heard
    heard = [turn["text"] for turn in call.turns("caller")]
    assert word_error_rate(CALLER_LINES[:1], heard[:1]) <= 0.35, heard
    assert call.data["outcome"] in ("meeting_booked", "callback_scheduled")
