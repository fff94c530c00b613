"""How fast, how lean and how exact is scoring a recorded call (`callsim score-call`)?

    .venv/bin/python bench/recorded_call.py [--minutes 30] [--threads 2] [--keep DIR]

Makes a two-channel call of the given length (FLAC, 16 kHz) with known turns: espeak-ng voices saying the
caller lines of tests/data/callers and the persona lines of the shipped scenarios, jfk.flac (real speech) as
every tenth caller turn, answer gaps of 0.2-1.5 s, one overlap in eight turns, a long hold now and then.
Then, in a fresh process (so its peak memory is the import's alone), runs the import exactly as the command
does (decode, Silero VAD per channel, tiny.en with word timestamps, turns, roles, scoring; not saved) and
prints: wall time and real-time factor, the load average of the machine before and after (the machine may
be shared: re-run it idle to compare), peak RSS, word error rate on the real speech (the jfk turns) and on
the espeak turns, and the turn-boundary error (start and end of each true turn against the turn found for it).

The lines are not the ones the test recordings or the transcription settings were tuned on (those are in
tests/test_recorded_calls.py), but they are espeak-ng voices too: real calls will have other errors.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from recorded_calls import JFK_TEXT, Line, speak, write_audio  # noqa: E402

RATE = 16_000
VOICES = {"caller": ["en-us", "en-us+m3"], "prospect": ["en-gb", "en-us+f3"]}


def caller_lines() -> list[str]:
    lines = []
    for path in sorted((REPO / "tests" / "data" / "callers").glob("*.txt")):
        lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


def persona_lines() -> list[str]:
    from simulator.scenario.loader import list_scenarios

    lines = []
    for entry in list_scenarios():
        for state in entry.scenario.states:
            lines += state.say
    return list(dict.fromkeys(lines))


def make_long_call(path: Path, minutes: float, seed: int = 7) -> list[dict[str, object]]:
    """Write the call and return its true turns (party, text, start, end, real speech or not)."""
    rng = random.Random(seed)
    pools = {"caller": caller_lines(), "prospect": persona_lines()}
    cache: dict[tuple[str, str], np.ndarray] = {}
    length = int(minutes * 60 * RATE)
    tracks = {"caller": np.zeros(length, dtype=np.float32), "prospect": np.zeros(length, dtype=np.float32)}
    truth: list[dict[str, object]] = []
    at, party, turn = 0.5 * RATE, "prospect", 0
    while True:
        real = party == "caller" and turn % 10 == 3
        text = JFK_TEXT if real else rng.choice(pools[party])
        voice = VOICES[party][(turn // 7) % 2]
        key = (text, voice)
        if key not in cache:
            samples = speak(Line(party, text, voice=voice, real_speech=real), RATE)  # type: ignore[arg-type]
            loud = np.flatnonzero(np.abs(samples) > 0.01)
            cache[key] = samples[loud[0] : loud[-1] + 1]
        samples = cache[key]
        start = int(at)
        if start + len(samples) >= length - RATE:
            break
        tracks[party][start : start + len(samples)] += samples
        truth.append({"party": party, "text": text, "start": start / RATE, "end": (start + len(samples)) / RATE,
                      "real": real})  # fmt: skip
        turn += 1
        gap = rng.uniform(0.2, 1.5)
        if turn % 8 == 0:
            gap = -rng.uniform(0.4, 1.2)  # the next speaker starts over this one
        elif turn % 37 == 0:
            gap = rng.uniform(5, 12)  # a hold, or someone looking something up
        at = start + len(samples) + gap * RATE
        party = "caller" if party == "prospect" else "prospect"
    write_audio(path, np.stack([tracks["caller"], tracks["prospect"]]), RATE)
    return truth


def score_in_this_process(path: Path, threads: int) -> dict[str, object]:
    from simulator.call.recorded import ImportPlan, import_recording
    from simulator.config import SpeechToText
    from simulator.voice.stt import Transcriber

    transcriber = Transcriber(SpeechToText(threads=threads))
    transcriber.load()
    started = time.perf_counter()
    result = import_recording(ImportPlan(recording=path), transcriber, None)
    seconds = time.perf_counter() - started
    turns = [
        {"speaker": turn.speaker, "text": turn.text, "start": turn.start, "end": turn.end}
        for turn in result.transcript.turns
    ]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,  # the whole process, model loading included
        "peak_mb": usage.ru_maxrss / 1024,
        "turns": turns,
        "recording_seconds": result.seconds,
    }


def boundary_errors(truth: list[dict[str, object]], found: list[dict[str, object]]) -> dict[str, float]:
    """Each true turn against the found turn of the same party that overlaps it most."""
    starts, ends, missed = [], [], 0
    for true in truth:
        party = true["party"]
        candidates = [t for t in found if (t["speaker"] == "caller") == (party == "caller")]
        best, overlap = None, 0.0
        for turn in candidates:
            shared = min(float(turn["end"]), float(true["end"])) - max(float(turn["start"]), float(true["start"]))  # type: ignore[arg-type]
            if shared > overlap:
                best, overlap = turn, shared
        if best is None:
            missed += 1
            continue
        starts.append(abs(float(best["start"]) - float(true["start"])))  # type: ignore[arg-type]
        ends.append(abs(float(best["end"]) - float(true["end"])))  # type: ignore[arg-type]
    both = np.array(starts + ends)
    return {
        "true_turns": len(truth),
        "found_turns": len(found),
        "missed": missed,
        "median_ms": float(np.median(both) * 1000),
        "p90_ms": float(np.percentile(both, 90) * 1000),
        "within_250ms": float(np.mean(both <= 0.25) * 100),
    }


def word_error_rates(truth: list[dict[str, object]], found: list[dict[str, object]]) -> dict[str, float]:
    """WER of the words found inside each true turn's time, real speech and espeak apart."""
    from jiwer import wer

    from simulator.scoring.language import normalise

    said: dict[bool, list[str]] = {True: [], False: []}
    heard: dict[bool, list[str]] = {True: [], False: []}
    for true in truth:
        party_found = [t for t in found if (t["speaker"] == "caller") == (true["party"] == "caller")]
        inside = [
            t for t in party_found
            if min(float(t["end"]), float(true["end"])) - max(float(t["start"]), float(true["start"])) > 0  # type: ignore[arg-type]
        ]  # fmt: skip
        said[bool(true["real"])].append(normalise(str(true["text"])))
        heard[bool(true["real"])].append(normalise(" ".join(str(t["text"]) for t in inside)))
    return {
        "real_speech_wer": wer(" ".join(said[True]), " ".join(heard[True])) * 100 if said[True] else float("nan"),
        "espeak_wer": wer(" ".join(said[False]), " ".join(heard[False])) * 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for tiny.en (the target is on 2 cores)")
    parser.add_argument("--keep", type=Path, help="keep the recording and its true turns in this folder")
    parser.add_argument("--score", type=Path, help=argparse.SUPPRESS)  # the child process
    arguments = parser.parse_args()
    if arguments.score is not None:
        print(json.dumps(score_in_this_process(arguments.score, arguments.threads)))
        return
    folder = arguments.keep or Path(tempfile.mkdtemp(prefix="callsim-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    recording = folder / f"call-{arguments.minutes:g}min.flac"
    print(f"making a {arguments.minutes:g}-minute two-channel call in {recording} ...", flush=True)
    truth = make_long_call(recording, arguments.minutes)
    (folder / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    load_before = os.getloadavg()
    child = subprocess.run(
        [sys.executable, __file__, "--score", str(recording), "--threads", str(arguments.threads)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    load_after = os.getloadavg()
    result = json.loads(child.stdout.strip().splitlines()[-1])
    found = result["turns"]
    boundaries = boundary_errors(truth, found)
    rates = word_error_rates(truth, found)
    seconds, length = result["seconds"], result["recording_seconds"]
    before = " ".join(f"{value:.2f}" for value in load_before)
    after = " ".join(f"{value:.2f}" for value in load_after)
    print(f"recording: {length / 60:.1f} min, two channels, {len(truth)} true turns")
    print(f"cores: {os.cpu_count()}, tiny.en threads: {arguments.threads}")
    print(f"load average (1, 5, 15 min) before: {before}; after: {after}")
    print(f"import time: {seconds:.1f} s (real-time factor {seconds / length:.3f})")
    print(f"CPU time of the import process: {result['cpu_seconds']:.1f} s (all threads, model loading included)")
    print(f"peak memory (RSS of the import process): {result['peak_mb']:.0f} MB")
    real, synthetic = rates["real_speech_wer"], rates["espeak_wer"]
    print(f"word error rate: real speech (jfk.flac turns) {real:.1f} %, espeak turns {synthetic:.1f} %")
    found_count, true_count = boundaries["found_turns"], boundaries["true_turns"]
    print(f"turns found: {found_count} for {true_count} true ({boundaries['missed']} missed)")
    median, p90, within = boundaries["median_ms"], boundaries["p90_ms"], boundaries["within_250ms"]
    print(f"turn-boundary error: median {median:.0f} ms, p90 {p90:.0f} ms, {within:.0f} % within 250 ms")


if __name__ == "__main__":
    main()
