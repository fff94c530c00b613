"""The caller's wait as a person hears it: end of the caller's audio → first persona audio, from outside the app.

    .venv/bin/python bench/outside_latency.py [--turns 24] [--hog N] [--barge-in 20] [--no-inside]

A private PulseAudio rig (scripts/audio-sandbox.sh) stands in for the sound card. Caller lines spoken by
espeak-ng (two voices) are played into its virtual microphone (the `callsim_mouth` sink, whose monitor is
the default source) while whole calls run as `callsim run gatekeeper-screen --mic`, a separate process
that knows nothing of the meter. Both sinks' monitors are recorded on one clock, and the latency of a
turn is read off the recordings: the last sound of the caller's line on the microphone to the first
sound of the persona on the speaker. The naive baseline and the in-process pipeline of bench/latency.py
run on the same lines in the same run, so the three figures are comparable.

`--barge-in N` then talks over N persona lines (a full caller sentence 0.6 s into the line) and times the
caller's first sound → the persona's audio going quiet; and says "mm-hm", "right", "okay" over persona
lines, which must be talked through (no caller turn, the persona's line goes on).
`--hog N` runs N `yes > /dev/null` beside it (a second CPU-bound job), to see the tail under load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from caller_lines import CALLER_LINES, VOICES, espeak_available, synthesise  # noqa: E402

RATE = 16_000
BLOCK = 160  # 10 ms
SOUND_RMS = 0.004  # about -48 dBFS: louder than this is sound on a track
QUIET_AFTER_LINE = 0.9  # the persona has finished when the speaker has been quiet this long
REPLY_TIMEOUT = 12.0
SCENARIO = "gatekeeper-screen"
BACKCHANNELS = ("Hmm.", "Right.", "Okay.")  # "Hmm." stands in for "mm-hm", which espeak-ng spells out
INTERRUPTIONS = (
    "Sorry, can I just say one thing about that?",
    "Actually, I only need two minutes of his time.",
    "Hold on, let me explain why I am calling.",
)
TARGETS = {"p50": 0.300, "p95": 0.500, "p95_loaded": 0.800, "max_loaded": 1.5, "barge_in_p95": 0.200}


class Track:
    """One sink's monitor recorded with `parec`, every sample placed on the monotonic clock."""

    def __init__(self, device: str) -> None:
        self.device = device
        self._process = subprocess.Popen(
            [
                "parec",
                f"--device={device}",
                "--raw",
                "--format=s16le",
                "--channels=1",
                f"--rate={RATE}",
                "--latency-msec=10",
                "--client-name=callsim-meter",
            ],
            stdout=subprocess.PIPE,
        )
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._origin = float("inf")  # monotonic time of sample 0: the least delayed arrival bounds it
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        while True:
            data = self._process.stdout.read1(BLOCK * 2)  # type: ignore[attr-defined]
            if not data:
                return
            arrived = time.monotonic()
            chunk = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float32) / 32768.0
            with self._lock:
                self._chunks.append(chunk)
                self._samples += len(chunk)
                self._origin = min(self._origin, arrived - self._samples / RATE)

    def audio(self) -> tuple[np.ndarray, float]:
        with self._lock:
            return (np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)), self._origin

    def loud_blocks(self) -> tuple[np.ndarray, float]:
        """Per 10 ms block: is it sound? And the monotonic time of block 0."""
        audio, origin = self.audio()
        count = len(audio) // BLOCK
        blocks = audio[: count * BLOCK].reshape(count, BLOCK)
        return np.sqrt(np.mean(blocks.astype(np.float64) ** 2, axis=1)) > SOUND_RMS, origin

    def last_sound(self) -> float | None:
        loud, origin = self.loud_blocks()
        hits = np.flatnonzero(loud)
        return None if not len(hits) else origin + (hits[-1] + 1) * BLOCK / RATE

    def first_sound_after(self, moment: float) -> float | None:
        loud, origin = self.loud_blocks()
        start = max(0, int((moment - origin) * RATE / BLOCK))
        hits = np.flatnonzero(loud[start:])
        return None if not len(hits) else origin + (start + hits[0]) * BLOCK / RATE

    def first_quiet_after(self, moment: float, quiet: float = 0.1) -> float | None:
        """Start of the first stretch of `quiet` seconds without sound after `moment`."""
        loud, origin = self.loud_blocks()
        start = max(0, int((moment - origin) * RATE / BLOCK))
        need = int(quiet * RATE / BLOCK)
        run = 0
        for index in range(start, len(loud)):
            run = 0 if loud[index] else run + 1
            if run >= need:
                return origin + (index - need + 1) * BLOCK / RATE
        return None

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(5)


def play(samples: np.ndarray) -> subprocess.Popen[bytes]:
    """Say `samples` into the virtual microphone (returns at once; the line plays in real time)."""
    process = subprocess.Popen(
        [
            "pacat",
            "--playback",
            "--device=callsim_mouth",
            "--raw",
            "--format=float32le",
            "--channels=1",
            f"--rate={RATE}",
            "--latency-msec=10",
            "--client-name=callsim-caller",
        ],
        stdin=subprocess.PIPE,
    )
    assert process.stdin is not None
    process.stdin.write(np.ascontiguousarray(samples, dtype="<f4").tobytes())
    process.stdin.close()
    return process


def load_line(text: str, voice: str, folder: Path, name: str) -> np.ndarray:
    from simulator.voice.capture import read_audio

    return read_audio(synthesise(text, folder / f"{name}.wav", voice=voice))


@dataclass
class Call:
    """One `callsim run --mic` process."""

    process: subprocess.Popen[str]
    home: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def finish(self, timeout: float = 20.0) -> dict[str, object] | None:
        try:
            out, _err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            out, _err = self.process.communicate(timeout=10)
        try:
            return json.loads(out)
        except json.JSONDecodeError:
            return None


def start_call(extra_env: dict[str, str]) -> Call:
    home = Path(tempfile.mkdtemp(prefix="callsim-meter-home-"))
    env = {**os.environ, **extra_env, "CALLSIM_HOME": str(home)}
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/callsim"), "run", SCENARIO, "--mic", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    return Call(process, home)


def wait_for_persona(
    speaker: Track, since: float, call: Call, timeout: float = REPLY_TIMEOUT
) -> tuple[float, float] | None:
    """(first sound, end) of the persona's next line after `since`; None if none came or the call ended."""
    deadline = time.monotonic() + timeout
    onset = None
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if onset is None:
            onset = speaker.first_sound_after(since)
            if onset is None and not call.alive():
                return None
            continue
        last = speaker.last_sound()
        if last is not None and time.monotonic() - last >= QUIET_AFTER_LINE:
            return onset, last
        if not call.alive():
            return (onset, last or onset)
    return (onset, speaker.last_sound() or onset) if onset is not None else None


@dataclass
class Outside:
    latencies: list[float] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    calls: int = 0
    texts: list[str] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)  # the app's own timings, end of speech → step

    def take_app_timings(self, home: Path) -> None:
        """The call's own per-turn timings, from the history it saved (it is stopped, so it prints nothing)."""
        import sqlite3

        for database in home.rglob("history.sqlite3"):
            with sqlite3.connect(database) as db:
                rows = db.execute("SELECT speaker, text, latency FROM turns ORDER BY call_id, idx").fetchall()
            for speaker, text, raw in rows:
                if speaker == "caller":
                    self.texts.append(text)
                if raw:
                    self._add(json.loads(raw))

    def _add(self, latency: dict[str, float]) -> None:
        for stage in ("transcript_ready", "reply_chosen", "first_audio"):
            if latency.get(stage) is not None:
                self.stages.setdefault(stage, []).append(latency[stage] - latency["end_of_speech"])


def measure_turns(
    turns: int, clips: list[tuple[str, np.ndarray]], mouth: Track, speaker: Track, env: dict[str, str], verbose: bool
) -> Outside:
    """Whole calls, one after another, until `turns` caller turns have had their answer."""
    result = Outside()
    line = 0
    while len(result.latencies) < turns:
        call = start_call(env)
        result.calls += 1
        opening = wait_for_persona(speaker, time.monotonic(), call, timeout=60.0)  # includes model loading
        if opening is None:
            raise SystemExit("the persona never picked up: is the rig running and callsim installed?")
        while call.alive() and len(result.latencies) < turns:
            label, samples = clips[line % len(clips)]
            line += 1
            player = play(samples)
            player.wait()
            time.sleep(0.05)
            end = mouth.last_sound()
            assert end is not None
            reply = wait_for_persona(speaker, end, call)
            if reply is None:
                break
            result.latencies.append(reply[0] - end)
            result.labels.append(label)
            if verbose:
                print(
                    f"  call {result.calls} turn {len(result.latencies):2d}: "
                    f"{result.latencies[-1] * 1000:5.0f} ms  {label}"
                )
        if call.alive():
            call.process.terminate()
        call.finish()
        result.take_app_timings(call.home)
        shutil.rmtree(call.home, ignore_errors=True)
    return result


@dataclass
class BargeIn:
    quiet_after: list[float] = field(default_factory=list)  # caller's first sound → persona quiet
    backchannels: int = 0
    talked_through: int = 0
    gaps: list[float] = field(default_factory=list)  # how long the persona was quiet for a backchannel
    backchannel_turns: int = 0  # backchannels the call took as a caller turn


def measure_barge_in(
    count: int, voice: str, folder: Path, mouth: Track, speaker: Track, env: dict[str, str], verbose: bool
) -> BargeIn:
    """Whole calls in which every persona line is talked over 0.6 s in: by a full sentence (an interruption)
    or by a backchannel, in turn, until there are `count` of each."""
    interruptions = [load_line(text, voice, folder, f"interrupt-{i}") for i, text in enumerate(INTERRUPTIONS)]
    backchannels = [load_line(text, voice, folder, f"backchannel-{i}") for i, text in enumerate(BACKCHANNELS)]
    follow_on = load_line(CALLER_LINES[0], voice, folder, "follow-on")
    result = BargeIn()
    said_backchannels = 0
    while len(result.quiet_after) < count or said_backchannels < count:
        call = start_call(env)
        line = wait_for_onset(speaker, time.monotonic(), call, timeout=60.0)  # the persona picks up
        backchannel_next = False
        while line is not None and call.alive():
            time.sleep(max(0.0, line + 0.6 - time.monotonic()))
            if speaker.first_quiet_after(line, 0.3) is not None:  # a short line, already over: answer it
                play(follow_on).wait()
            elif backchannel_next and said_backchannels < count:
                play(backchannels[said_backchannels % len(backchannels)]).wait()
                said_backchannels += 1
                time.sleep(0.05)
                first = mouth.first_sound_after(line + 0.3)
                end = mouth.last_sound()
                time.sleep(1.2)
                if first is not None and end is not None:
                    quiet = speaker.first_quiet_after(first, 0.05)
                    resumed = speaker.first_sound_after(quiet) if quiet is not None else None
                    went_on = quiet is None or quiet > end + 0.3 or (resumed is not None and resumed - end < 0.8)
                    gap = 0.0 if quiet is None or resumed is None or quiet > end + 0.3 else resumed - quiet
                    result.gaps.append(gap)
                    result.backchannels += 1
                    result.talked_through += int(went_on)
                    if verbose:
                        state = "went on" if went_on else "DID NOT GO ON"
                        print(f"  backchannel {result.backchannels:2d}: persona {state}, quiet for {gap * 1000:.0f} ms")
                finished = speaker.first_quiet_after(end or time.monotonic(), QUIET_AFTER_LINE)
                while finished is None and call.alive():
                    time.sleep(0.1)
                    finished = speaker.first_quiet_after(end or time.monotonic(), QUIET_AFTER_LINE)
                play(follow_on).wait()
            elif len(result.quiet_after) < count:
                player = play(interruptions[len(result.quiet_after) % len(interruptions)])
                time.sleep(0.7)
                first = mouth.first_sound_after(line + 0.3)
                quiet = speaker.first_quiet_after(first, 0.15) if first is not None else None
                player.wait()
                if first is not None and quiet is not None:
                    result.quiet_after.append(max(0.0, quiet - first))
                    if verbose:
                        print(f"  barge-in {len(result.quiet_after):2d}: quiet {result.quiet_after[-1] * 1000:.0f} ms")
            else:
                play(follow_on).wait()
            backchannel_next = not backchannel_next
            time.sleep(0.05)
            line = wait_for_onset(speaker, (mouth.last_sound() or time.monotonic()) + 0.02, call)
        if call.alive():
            call.process.terminate()
        call.finish()
        result.backchannel_turns += backchannel_turns(call.home)
        shutil.rmtree(call.home, ignore_errors=True)
    return result


def wait_for_onset(speaker: Track, since: float, call: Call, timeout: float = REPLY_TIMEOUT) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and call.alive():
        onset = speaker.first_sound_after(since)
        if onset is not None:
            return onset
        time.sleep(0.02)
    return None


def backchannel_turns(home: Path) -> int:
    """Caller turns of the call that were only a backchannel (each one the persona did not talk through)."""
    import sqlite3

    count = 0
    for database in home.rglob("history.sqlite3"):
        with sqlite3.connect(database) as db:
            for (text,) in db.execute("SELECT text FROM turns WHERE speaker = 'caller'"):
                words = " ".join(re.findall(r"[a-z]+", text.lower()))
                count += words in {"mm hm", "mhm", "hm", "right", "okay", "ok", "mm", "mm hmm"}
    return count


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def start_rig(folder: Path) -> dict[str, str]:
    if os.environ.get("PULSE_SERVER"):
        return {}
    out = subprocess.run(
        [str(ROOT / "scripts/audio-sandbox.sh"), "start", str(folder)], check=True, capture_output=True, text=True
    ).stdout
    env = dict(line.split("=", 1) for line in out.split() if "=" in line)
    os.environ.update(env)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--turns", type=int, default=24, help="caller turns measured from outside (default 24)")
    parser.add_argument("--hog", type=int, default=0, help="run N `yes > /dev/null` beside it")
    parser.add_argument("--barge-in", type=int, default=0, metavar="N", help="then N interruptions and N backchannels")
    parser.add_argument("--no-inside", action="store_true", help="skip the in-process pipeline and naive baseline")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if not espeak_available():
        print("bench/outside_latency.py needs espeak-ng", file=sys.stderr)
        return 2
    hogs = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(args.hog)]
    rig_dir = Path(tempfile.mkdtemp(prefix="callsim-meter-rig-"))
    started_rig = not os.environ.get("PULSE_SERVER")
    env = start_rig(rig_dir)
    mouth = Track("callsim_mouth.monitor")
    speaker = Track("callsim_speaker.monitor")
    try:
        with tempfile.TemporaryDirectory(prefix="callsim-meter-") as name:
            folder = Path(name)
            clips: list[tuple[str, np.ndarray]] = []
            paths: list[Path] = []
            for index, text in enumerate(CALLER_LINES):
                voice = VOICES[index % len(VOICES)]
                paths.append(synthesise(text, folder / f"line-{index:02d}.wav", voice=voice))
                clips.append((f"[{voice}] {text}", load_line(text, voice, folder, f"line-{index:02d}")))
            print(f"load average before: {load_average()}  (hog: {args.hog} x yes)")
            time.sleep(0.5)
            outside = measure_turns(args.turns, clips, mouth, speaker, env, args.verbose) if args.turns else Outside()
            load_outside = load_average()
            inside = baseline = None
            if not args.no_inside and args.turns:
                inside, baseline = run_inside(paths)
            barge = None
            if args.barge_in:
                barge = measure_barge_in(args.barge_in, VOICES[1], folder, mouth, speaker, env, args.verbose)
            report(outside, inside, baseline, barge, args.hog, load_outside)
    finally:
        mouth.close()
        speaker.close()
        for hog in hogs:
            hog.terminate()
        if started_rig:
            subprocess.run([str(ROOT / "scripts/audio-sandbox.sh"), "stop", str(rig_dir)], check=False)
    return 0


def run_inside(paths: list[Path]) -> tuple[list[float], list[float]]:
    """bench/latency.py's in-process pipeline and naive baseline over the same lines."""
    import latency

    from simulator.config import Settings
    from simulator.scenario.loader import load_scenario, resolve_scenario
    from simulator.voice import tts

    settings = Settings()
    scenario = load_scenario(resolve_scenario(SCENARIO))
    transcriber = latency.TimedTranscriber(settings.stt)
    transcriber.load()
    transcriber.warm_up()
    tts.synthesize("Warming up.", scenario.persona("gatekeeper").voice)
    pipeline = latency.run_pipeline(paths, settings, transcriber, latency.Persona(scenario))
    baseline = latency.run_baseline(paths, transcriber, latency.Persona(scenario))
    return pipeline.latencies, baseline.latencies


def row(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:44s} {'-':>7s}"
    return (
        f"{name:44s} {percentile(values, 50) * 1000:5.0f}ms {percentile(values, 95) * 1000:5.0f}ms "
        f"{max(values) * 1000:5.0f}ms {len(values):5d}"
    )


def report(
    outside: Outside,
    inside: list[float] | None,
    baseline: list[float] | None,
    barge: BargeIn | None,
    hog: int,
    load: str,
) -> None:
    if outside.latencies:
        report_turns(outside, inside, baseline, hog, load)
    if barge is not None:
        print(
            f"\nbarge-in: caller's first sound → persona quiet: p50 {percentile(barge.quiet_after, 50) * 1000:.0f} ms, "
            f"p95 {percentile(barge.quiet_after, 95) * 1000:.0f} ms, max {max(barge.quiet_after or [0]) * 1000:.0f} ms "
            f"over {len(barge.quiet_after)} interruptions (target p95 ≤ 200 ms)"
        )
        print(
            f"backchannels talked through (line went on): {barge.talked_through} of {barge.backchannels} "
            f"(target 19 of 20); taken as a caller turn: {barge.backchannel_turns}; persona quiet for one "
            f"p50 {percentile(barge.gaps, 50) * 1000:.0f} ms, max {max(barge.gaps or [0]) * 1000:.0f} ms"
        )
    print(f"load average after: {load_average()}")


def report_turns(
    outside: Outside, inside: list[float] | None, baseline: list[float] | None, hog: int, load: str
) -> None:
    print(f"\nend of caller audio → first persona audio       p50     p95     max  turns   (load {load}, hog {hog})")
    print(row(f"outside: callsim run --mic ({outside.calls} calls)", outside.latencies))
    if inside is not None and baseline is not None:
        print(row("in-process pipeline (bench/latency.py)", inside))
        print(row("naive baseline (1 s silence, default decode)", baseline))
        print(f"naive baseline / outside at p50: {percentile(baseline, 50) / percentile(outside.latencies, 50):.1f}x")
    for stage, values in outside.stages.items():
        print(row(f"  app's own: end of speech → {stage}", values))
    print("outside latencies (ms): " + ", ".join(f"{value * 1000:.0f}" for value in outside.latencies))
    if hog:
        ok = (
            percentile(outside.latencies, 95) <= TARGETS["p95_loaded"]
            and max(outside.latencies) <= TARGETS["max_loaded"]
        )
        print(f"target under load (p95 ≤ 800 ms, max ≤ 1.5 s): {'ok' if ok else 'MISSED'}")
    else:
        ok = percentile(outside.latencies, 50) <= TARGETS["p50"] and percentile(outside.latencies, 95) <= TARGETS["p95"]
        print(f"target idle (p50 ≤ 300 ms, p95 ≤ 500 ms): {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    raise SystemExit(main())
