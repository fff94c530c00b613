"""Turns ended too early, and how soon finished ones end: the end-of-turn model against the words alone.

    .venv/bin/python bench/end_of_turn.py

48 utterances with a natural pause inside (300-800 ms of silence after "um", "and" or a comma), spoken
by two espeak-ng voices, go through the microphone's path (streaming VAD → end of turn → speech to text)
on the call clock; a turn that ends in the pause was ended too early (target: at most 1 in 20). The
default scenario's 12 caller lines in both voices say how long after the end of speech a finished turn
is over. Both with the Smart Turn model (callsim's default) and without it (the words alone).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from caller_lines import CALLER_LINES, VOICES, synthesise  # noqa: E402

from simulator.config import Settings  # noqa: E402
from simulator.scenario.loader import DEFAULT_SCENARIO, load_scenario, resolve_scenario  # noqa: E402
from simulator.voice.capture import read_audio  # noqa: E402
from simulator.voice.end_of_turn import shared_model  # noqa: E402
from simulator.voice.stt import Transcriber  # noqa: E402
from simulator.voice.turns import TurnDetector, TurnEnded  # noqa: E402
from simulator.voice.vad import WINDOW_SAMPLES, WINDOW_SECONDS, StreamingVad  # noqa: E402

# (before the pause, after it): the caller has not finished when the pause comes.
PAUSED_LINES = [
    ("So what we found was, um", "most hubs lose money on empty miles."),
    ("I was hoping to speak to Daniel, and", "ask him about the new site."),
    ("We work with a lot of freight firms,", "mostly in the north of England."),
    ("The reason I am calling is, uh", "a short piece of research we did."),
    ("I saw the news about Leeds, and", "wondered how the launch went."),
    ("If he has a moment this week,", "I would love fifteen minutes."),
    ("We looked at twelve depots, and", "every one had the same problem."),
    ("Honestly, um", "it is quicker if I explain it to him."),
    ("Could you tell him that I called, and", "that I will send an email?"),
    ("Our report covers route costs,", "driver hours and fuel."),
    ("I know he is busy, but", "this will only take a minute."),
    ("What we usually do is, um", "a quick call to compare notes."),
    ("Last month we helped a firm in Hull,", "and they saved a fifth on fuel."),
    ("I think Thursday works, or", "maybe Friday morning."),
    ("The benchmark shows, um", "where the empty miles come from."),
    ("He might remember me, because", "we met at the logistics show."),
    ("So the idea is,", "we send you the numbers first."),
    ("We are a small team, and", "we only work with transport firms."),
    ("If now is a bad time,", "I am happy to call back."),
    ("What I wanted to ask was, er", "who plans the routes for the north?"),
    ("It is about the electric vans, and", "how to plan the charging."),
    ("We noticed you are hiring,", "so I thought this might help."),
    ("Before I forget, um", "is this the best number for him?"),
    ("Our clients tell us that, well", "the first month pays for itself."),
]
PAUSES_MS = (300, 450, 600, 800)


def feed(detector: TurnDetector, vad: StreamingVad, audio: np.ndarray) -> list[tuple[TurnEnded, float]]:
    """Windows on a simulated clock (inline transcription), then silence; the turns that ended, with when."""
    vad.reset()
    detector.reset()
    samples = np.concatenate([np.zeros(6 * WINDOW_SAMPLES, np.float32), audio, np.zeros(2 * 16000, np.float32)])
    ended: list[tuple[TurnEnded, float]] = []
    for index in range(len(samples) // WINDOW_SAMPLES):
        window = samples[index * WINDOW_SAMPLES : (index + 1) * WINDOW_SAMPLES]
        now = (index + 1) * WINDOW_SECONDS
        for event in detector.feed(window, vad.probability(window), now):
            if isinstance(event, TurnEnded):
                ended.append((event, now))
    return ended


def main() -> int:
    vocabulary = load_scenario(resolve_scenario(DEFAULT_SCENARIO)).name_hints()
    transcriber = Transcriber(Settings().stt)
    transcriber.load()
    transcriber.warm_up()
    model = shared_model()
    model.warm_up()
    with tempfile.TemporaryDirectory() as folder:
        paused: list[tuple[str, np.ndarray, float]] = []  # text, audio, where the second part starts (s)
        for v, voice in enumerate(VOICES):
            for i, (before, after) in enumerate(PAUSED_LINES):
                first = read_audio(synthesise(before, Path(folder) / f"a-{v}-{i}.wav", voice=voice))
                second = read_audio(synthesise(after, Path(folder) / f"b-{v}-{i}.wav", voice=voice))
                first = first[: last_sound(first)]
                second = second[first_sound(second) :]
                gap = np.zeros(int(PAUSES_MS[(i + v) % len(PAUSES_MS)] * 16), np.float32)
                paused.append((f"{before} ... {after}", np.concatenate([first, gap, second]), len(first) / 16000))
        finished = [
            read_audio(synthesise(line, Path(folder) / f"c-{v}-{i}.wav", voice=voice))
            for v, voice in enumerate(VOICES)
            for i, line in enumerate(CALLER_LINES)
        ]
    lead = 6 * WINDOW_SECONDS
    print(f"load {Path('/proc/loadavg').read_text()[:14]}")
    print(f"{'':22s} {'ended too early':>16s} {'finished turn over after end of speech: p50':>46s} {'p95':>6s}")
    for label, use_model in (("Smart Turn + words", True), ("words alone", False)):
        settings = Settings().listening.model_copy(update={"end_of_turn_model": use_model})
        detector = TurnDetector(
            settings,
            lambda audio: transcriber.transcribe(audio, vocabulary),
            background=False,
            completeness=model.probability if use_model else None,
        )
        vad = StreamingVad()
        early = []
        for text, audio, split in paused:
            ended = feed(detector, vad, audio)
            if ended and ended[0][1] < lead + split + 0.25:  # decided before the second part had begun
                early.append(f"{text!r} -> {ended[0][0].text!r}")
        waits = []
        for audio in finished:
            ended = feed(detector, vad, audio)
            if ended:
                waits.append(ended[-1][1] - (lead + last_sound(audio) / 16000))
        print(
            f"{label:22s} {len(early):6d} of {len(paused):<7d} {np.percentile(waits, 50) * 1000:44.0f}ms "
            f"{np.percentile(waits, 95) * 1000:5.0f}ms"
        )
        for example in early[:6]:
            print(f"    early: {example}")
    print("target: at most 1 in 20 ended too early")
    return 0


def last_sound(audio: np.ndarray) -> int:
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return int(loud[-1]) + 1 if len(loud) else len(audio)


def first_sound(audio: np.ndarray) -> int:
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return int(loud[0]) if len(loud) else 0


if __name__ == "__main__":
    raise SystemExit(main())
