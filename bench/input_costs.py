"""What a file made to be slow costs: checking, `--strict`, scoring and audio decoding against input size.

Run: `.venv/bin/python bench/input_costs.py` (a private CALLSIM_HOME). Each row is one input size, its
CPU time (process time, best of 3: the machine is shared, so wall time would measure the neighbours) and
the time per unit of input; the last column stays flat when the cost is linear.
Inputs past a limit are refused, and the refusal is timed too. Goals (exit status 1 if one is missed):
every row under 5 s, and time per unit at the largest size at most 3x that at the smallest measured
size worth timing (costs grow at most linearly, up to noise and fixed start-up costs).
"""

from __future__ import annotations

import contextlib
import os
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
GOAL_SECONDS = 5.0
GOAL_GROWTH = 3.0


def best_of(work: Callable[[], object], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        with contextlib.suppress(Exception):  # a refusal is the expected outcome past a limit; it is timed
            work()
        best = min(best, time.process_time() - start)
    return best


def scenario_with_states(count: int) -> str:
    base = (REPO / "scenarios" / "gatekeeper-screen.yaml").read_text(encoding="utf-8")
    head = base.split("states:")[0].replace("start: screening", "start: s0")
    head = head.replace("gives_up: rejected", "gives_up: s0")
    states = "".join(
        f"  - {{id: s{i}, persona: executive, say: [line {i}], transitions: [{{on: [greet], to: s{i + 1}}}]}}\n"
        for i in range(count - 1)
    )
    states += f"  - {{id: s{count - 1}, persona: executive, say: [bye], outcome: meeting_booked}}\n"
    return head + "states:\n" + states


def scenario_with_examples(count: int) -> str:
    base = (REPO / "scenarios" / "gatekeeper-screen.yaml").read_text(encoding="utf-8")
    per_intent = 50
    intents = []
    for start in range(0, count, per_intent):
        examples = ", ".join(f"phrase number {n} about freight" for n in range(start, min(count, start + per_intent)))
        intents.append(f"  extra_{start}: {{examples: [{examples}]}}\n")
    return base + "intents:\n" + "".join(intents)


def wav(seconds: float, rate: int = 16_000) -> bytes:
    samples = b"\x00\x00" * int(seconds * rate)
    header = struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(samples))
        + b"WAVEfmt "
        + header
        + b"data"
        + struct.pack("<I", len(samples))
        + samples
    )


def rows() -> list[tuple[str, list[tuple[int, float]], str, int]]:
    from simulator.language.intents import load_intent_library
    from simulator.persona.lint import lint
    from simulator.scenario.loader import load_scenario_text
    from simulator.scoring import score_transcript
    from simulator.transcript import Transcript, Turn
    from simulator.voice.audio_file import read_audio

    results: list[tuple[str, list[tuple[int, float]], str, int]] = []

    checks = []
    for states in (10, 25, 50, 100, 400):
        text = scenario_with_states(states)
        checks.append((states, best_of(lambda text=text: load_scenario_text(text))))
    results.append(("validate: states (limit 100; 400 refused)", checks, "state", 100))

    strict = []
    for states in (10, 25, 50, 100):
        scenario = load_scenario_text(scenario_with_states(states))
        library = load_intent_library(scenario)
        strict.append((states, best_of(lambda s=scenario, lib=library: lint(s, lib, "x.yaml"), rounds=1)))
    results.append(("--strict: states", strict, "state", 100))

    examples = []
    for count in (50, 100, 200, 300):
        scenario = load_scenario_text(scenario_with_examples(count))
        library = load_intent_library(scenario)
        examples.append((count, best_of(lambda s=scenario, lib=library: lint(s, lib, "x.yaml"), rounds=1)))
    results.append(("--strict: scenario intent examples (limit 300)", examples, "example", 300))

    scoring = []
    for chars in (250, 500, 1000, 2000):
        words = ("we help freight teams cut empty miles on tuesday " * 400)[:chars]
        transcript = Transcript(
            scenario="gatekeeper-screen",
            turns=[
                Turn(speaker="gatekeeper", text="Halden Freight, Priya speaking.", start=0, end=1),
                Turn(speaker="caller", text=words, start=1.5, end=60),
                Turn(speaker="gatekeeper", text="And what is it regarding?", start=61, end=62),
            ],
        )
        scoring.append((chars, best_of(lambda t=transcript: score_transcript(t))))
    results.append(("scoring: one caller turn (limit 2,000 characters)", scoring, "char", 2000))

    audio = []
    folder = Path(tempfile.mkdtemp())
    for seconds in (10, 60, 300, 600, 3600):
        path = folder / f"{seconds}.wav"
        path.write_bytes(wav(seconds))
        audio.append((seconds, best_of(lambda p=path: read_audio(p), rounds=1)))
    results.append(("audio decoding: seconds of silence (limit 600; 3600 refused)", audio, "second", 600))
    one_hz = folder / "1hz.wav"
    one_hz.write_bytes(wav(100_000, rate=1))
    results.append(("audio: a header claiming 1 Hz (refused)", [(1, best_of(lambda: read_audio(one_hz)))], "file", 0))
    return results


def main() -> int:
    os.environ.setdefault("CALLSIM_HOME", tempfile.mkdtemp())
    missed = 0
    for title, measured, unit, limit in rows():
        print(title)
        for size, seconds in measured:
            print(f"  {size:>6} {unit}s  {seconds * 1000:9.1f} ms  {seconds / size * 1e6:10.1f} µs/{unit}")
            if seconds > GOAL_SECONDS:
                print(f"  MISSED: over {GOAL_SECONDS:g} s")
                missed += 1
        # below 20 ms, start-up dominates; past the limit the input is refused (timed above, not a growth)
        timed = [(size, seconds) for size, seconds in measured if seconds > 0.02 and size <= limit]
        if len(timed) >= 2:
            (small, small_s), (large, large_s) = timed[0], timed[-1]
            growth = (large_s / large) / (small_s / small)
            print(f"  per-{unit} cost at {large} vs {small}: {growth:.2f}x")
            if growth > GOAL_GROWTH:
                print(f"  MISSED: grows faster than linear (>{GOAL_GROWTH:g}x per unit)")
                missed += 1
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
