"""How long the caller waits: end of speech → first persona audio, this pipeline against a naive one.

    .venv/bin/python bench/latency.py [--rounds N] [--soak MINUTES]   (--rounds 0 --soak 30: the soak alone)

Caller lines synthesised with espeak-ng are streamed in 32 ms windows at wall-clock pace, as a
microphone delivers them, through the full pipeline: streaming VAD and end of turn (speculative
transcription, sentence-aware pauses) → speech-to-text → persona engine (default scenario) → TTS, timed
to the first synthesised buffer handed to the output. The naive baseline in the same run waits for 1 s
of silence, then transcribes the whole utterance with faster-whisper's default decode options (beam 5,
temperature fallback, timestamps), then synthesises.

`--soak MINUTES` then runs a simulated call of that length through the same pipeline on a simulated
clock (faster than real time: windows are fed as fast as the CPU allows, the clock moves by their
length and by the persona's speaking time) and reports resident memory along the way.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from caller_lines import CALLER_LINES, espeak_available, synthesise_all  # noqa: E402

from simulator.config import Settings  # noqa: E402
from simulator.language.intents import load_intent_library  # noqa: E402
from simulator.persona.engine import PersonaEngine, PersonaState, Reply  # noqa: E402
from simulator.scenario.loader import DEFAULT_SCENARIO, load_scenario, resolve_scenario  # noqa: E402
from simulator.scenario.model import Scenario  # noqa: E402
from simulator.voice import tts  # noqa: E402
from simulator.voice.capture import AudioFileInput, read_audio  # noqa: E402
from simulator.voice.ports import SimulatedClock, WallClock, ignore  # noqa: E402
from simulator.voice.stt import Transcriber, TranscriptionResult  # noqa: E402
from simulator.voice.vad import SAMPLE_RATE, WINDOW_SAMPLES, WINDOW_SECONDS, StreamingVad  # noqa: E402

TARGET_P50 = 0.500
TARGET_P95 = 0.800
TARGET_PEAK_MB = 600
SOAK_GROWTH_LIMIT_MB = 25


class TimedTranscriber(Transcriber):
    """The project's transcriber, keeping each call's time and audio length for the real-time factor."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.calls: list[tuple[float, float]] = []  # (seconds taken, seconds of audio)

    def transcribe(self, audio: np.ndarray, vocabulary: Any = ()) -> TranscriptionResult:
        result = super().transcribe(audio, vocabulary)
        self.calls.append((result.seconds, len(audio) / SAMPLE_RATE))
        return result


@dataclass
class Run:
    name: str
    latencies: list[float] = field(default_factory=list)
    stt_seconds: float = 0.0
    stt_calls: list[float] = field(default_factory=list)
    audio_seconds: float = 0.0
    texts: list[str] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)  # end of speech → each step, seconds
    transcriptions: int = 0

    def stage(self, name: str, seconds: float) -> None:
        self.stages.setdefault(name, []).append(seconds)

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies, q)) if self.latencies else float("nan")

    @property
    def rtf(self) -> float:
        return self.stt_seconds / self.audio_seconds if self.audio_seconds else float("nan")


def rss_mb() -> float:
    """Resident memory now (Linux /proc; 0 where it is not available)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * resource.getpagesize() / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


class Persona:
    """The default scenario's engine, restarted when a call reaches an outcome."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.engine = PersonaEngine(scenario, load_intent_library(scenario), seed=0)
        self.state: PersonaState = self.engine.opening().state

    def answer(self, text: str) -> Reply:
        reply = self.engine.respond(self.state, text)
        self.state = reply.state if reply.outcome is None else self.engine.opening().state
        return reply

    def first_audio(self, reply: Reply) -> tts.Speech:
        """Synthesise the first piece of what the persona says next (the buffer handed to the output)."""
        speaker, text = reply.preface[0] if reply.preface else (reply.speaker, reply.text)
        voice = self.scenario.persona(speaker).voice
        return next(iter(tts.synthesize_stream(text, voice)))


VERBOSE = "--verbose" in sys.argv  # one line per turn: latency, what was heard, what the persona said


def run_pipeline(paths: list[Path], settings: Settings, transcriber: TimedTranscriber, persona: Persona) -> Run:
    run = Run("callsim pipeline")
    clock = WallClock()
    caller = AudioFileInput(paths, settings, transcriber, persona.scenario.vocabulary(), clock)
    caller.warm_up()
    transcriber.calls.clear()
    try:
        for _ in paths:
            utterance = caller.listen(None, ignore)
            if utterance is None:
                break
            end = caller.speech_ends[-1]
            run.stage("turn ended, text ready", clock.now() - end)
            reply = persona.answer(utterance.text)
            run.stage("reply chosen", clock.now() - end)
            persona.first_audio(reply)
            run.latencies.append(clock.now() - end)
            run.texts.append(utterance.text)
            if VERBOSE:
                print(f"  {run.latencies[-1] * 1000:5.0f} ms  {utterance.text!r} -> {reply.text[:60]!r}")
    finally:
        caller.close()
    # Every transcription counts, speculative ones included: that is the CPU the pipeline spends.
    run.stt_seconds = sum(seconds for seconds, _ in transcriber.calls)
    run.transcriptions = len(transcriber.calls)
    run.stt_calls = [seconds for seconds, _ in transcriber.calls]
    run.audio_seconds = sum(len(read_audio(path)) / SAMPLE_RATE for path in paths)
    return run


def run_baseline(paths: list[Path], transcriber: Transcriber, persona: Persona) -> Run:
    """Fixed 1 s of silence, then faster-whisper's default decode of the whole utterance, then TTS."""
    run = Run("naive baseline")
    model = transcriber.whisper_model()
    vad = StreamingVad()
    vad.warm_up()
    silence_windows = round(1.0 / WINDOW_SECONDS)
    for path in paths:
        audio = read_audio(path)
        lead = np.zeros(6 * WINDOW_SAMPLES, dtype=np.float32)
        stream = np.concatenate([lead, audio, np.zeros(4 * SAMPLE_RATE, dtype=np.float32)])
        loud = np.flatnonzero(np.abs(audio) > 0.01)
        start = time.monotonic()
        speech_end = start + (len(lead) + (int(loud[-1]) + 1 if len(loud) else 0)) / SAMPLE_RATE
        vad.reset()
        heard, quiet, index = False, 0, 0
        while (index + 1) * WINDOW_SAMPLES <= len(stream):
            target = start + (index + 1) * WINDOW_SECONDS
            while (wait := target - time.monotonic()) > 0:
                time.sleep(min(0.005, wait))
            probability = vad.probability(stream[index * WINDOW_SAMPLES : (index + 1) * WINDOW_SAMPLES])
            index += 1
            if probability >= 0.5:
                heard, quiet = True, 0
            elif heard:
                quiet += 1
                if quiet >= silence_windows:
                    break
        utterance = stream[: index * WINDOW_SAMPLES]
        run.stage("turn ended (1 s of silence)", time.monotonic() - speech_end)
        began = time.perf_counter()
        segments, _info = model.transcribe(utterance)  # faster-whisper's defaults
        text = " ".join(segment.text.strip() for segment in segments)
        run.stt_seconds += time.perf_counter() - began
        run.stt_calls.append(time.perf_counter() - began)
        run.audio_seconds += len(audio) / SAMPLE_RATE
        run.transcriptions += 1
        run.stage("text ready", time.monotonic() - speech_end)
        reply = persona.answer(text)
        persona.first_audio(reply)
        run.latencies.append(time.monotonic() - speech_end)
        run.texts.append(text)
    return run


def soak(minutes: float, paths: list[Path], settings: Settings, transcriber: Transcriber, persona: Persona) -> bool:
    """A long simulated call through the pipeline; True when memory did not grow."""
    clock = SimulatedClock()
    length = minutes * 60
    samples: list[tuple[float, float]] = []
    turns = 0
    began = time.perf_counter()
    print(f"\nsoak: a {minutes:g}-minute simulated call (simulated clock, faster than real time)")
    next_mark = 0.0
    # One caller input for the whole call, as a real call has; the lines come round again and again.
    caller = AudioFileInput(paths * 10_000, settings, transcriber, persona.scenario.vocabulary(), clock)
    try:
        while clock.now() < length:
            utterance = caller.listen(None, ignore)
            if utterance is None:
                break
            turns += 1
            speech = persona.first_audio(persona.answer(utterance.text))
            clock.advance(speech.seconds)  # the persona's line "plays" on the call clock
            if clock.now() >= next_mark:
                gc.collect()
                samples.append((clock.now() / 60, rss_mb()))
                print(f"  call minute {clock.now() / 60:5.1f}  turns {turns:4d}  RSS {samples[-1][1]:7.1f} MB")
                next_mark += 60 * max(1.0, minutes / 10)
    finally:
        caller.close()
    gc.collect()
    samples.append((clock.now() / 60, rss_mb()))
    wall = time.perf_counter() - began
    settle = samples[min(1, len(samples) - 1)][1]  # after the first turns have allocated what they keep
    growth = samples[-1][1] - settle
    minutes_axis = np.array([minute for minute, _ in samples[1:]] or [0.0])
    rss_axis = np.array([mb for _, mb in samples[1:]] or [0.0])
    slope = float(np.polyfit(minutes_axis, rss_axis, 1)[0]) if len(samples) > 3 else 0.0
    ok = growth < SOAK_GROWTH_LIMIT_MB
    print(
        f"soak: {turns} caller turns, {clock.now() / 60:.1f} call minutes in {wall / 60:.1f} wall minutes; "
        f"RSS {settle:.1f} → {samples[-1][1]:.1f} MB (growth {growth:+.1f} MB, slope {slope:+.2f} MB/min), "
        f"peak {peak_rss_mb():.0f} MB: {'no growth' if ok else 'GROWS'}"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--rounds", type=int, default=2, help="times through the caller lines (default 2; 0: soak only)"
    )
    parser.add_argument("--verbose", action="store_true", help="print each turn's latency and text")
    parser.add_argument("--soak", type=float, default=0.0, metavar="MINUTES", help="then a simulated call this long")
    args = parser.parse_args(argv)
    if not espeak_available():
        print("bench/latency.py needs espeak-ng to synthesise the caller's lines", file=sys.stderr)
        return 2

    settings = Settings()
    scenario = load_scenario(resolve_scenario(DEFAULT_SCENARIO))
    transcriber = TimedTranscriber(settings.stt)
    transcriber.load()
    transcriber.warm_up()
    tts.synthesize("Warming up.", scenario.persona("gatekeeper").voice)
    with tempfile.TemporaryDirectory(prefix="callsim-bench-") as folder:
        paths = synthesise_all(CALLER_LINES, Path(folder)) * args.rounds
        print(
            f"{len(paths)} caller turns ({len(CALLER_LINES)} espeak-ng lines x {args.rounds}), tiny.en int8, "
            f"beam {settings.stt.beam_size}, speculative pause {settings.listening.speculative_pause_ms} ms, "
            f"end pause {settings.listening.end_pause_ms} ms"
        )
        ok = True
        if args.rounds > 0:
            pipeline = run_pipeline(paths, settings, transcriber, Persona(scenario))
            baseline = run_baseline(paths, transcriber, Persona(scenario))
            ok = report(pipeline, baseline, CALLER_LINES * args.rounds)
        if args.soak > 0:
            lines = synthesise_all(CALLER_LINES, Path(folder) / "soak")
            ok = soak(args.soak, lines, settings, transcriber, Persona(scenario)) and ok
    return 0 if ok else 1


def report(pipeline: Run, baseline: Run, references: list[str]) -> bool:
    print(f"\n{'end of speech → first persona audio':40s} {'p50':>8s} {'p95':>8s} {'STT RTF':>8s}")
    for run in (pipeline, baseline):
        print(f"{run.name:40s} {run.percentile(50) * 1000:6.0f}ms {run.percentile(95) * 1000:6.0f}ms {run.rtf:8.3f}")
    ratio = baseline.percentile(50) / pipeline.percentile(50)
    ratio95 = baseline.percentile(95) / pipeline.percentile(95)
    print(f"baseline / pipeline at p50: {ratio:.1f}x;  p95 ratio {ratio95:.1f}x")
    peak = peak_rss_mb()
    print(f"peak memory (RSS): {peak:.0f} MB")
    checks = {
        f"p50 ≤ {TARGET_P50 * 1000:.0f} ms": pipeline.percentile(50) <= TARGET_P50,
        f"p95 ≤ {TARGET_P95 * 1000:.0f} ms": pipeline.percentile(95) <= TARGET_P95,
        f"peak < {TARGET_PEAK_MB} MB": peak < TARGET_PEAK_MB,
    }
    print("targets: " + ", ".join(f"{name} {'ok' if passed else 'MISSED'}" for name, passed in checks.items()))
    print(f"pipeline latencies (ms): {', '.join(f'{value * 1000:.0f}' for value in pipeline.latencies)}")
    for run in (pipeline, baseline):
        steps = ", ".join(f"{name} {np.median(values) * 1000:.0f} ms" for name, values in run.stages.items())
        print(
            f"{run.name}, p50 after end of speech: {steps}; {run.transcriptions} transcriptions, "
            f"median {np.median(run.stt_calls) * 1000:.0f} ms each"
        )
    for run in (pipeline, baseline):
        print(f"word error rate, {run.name}: {word_error_rate(references, run.texts):.1%}")
    return all(checks.values())


def word_error_rate(references: list[str], texts: list[str]) -> float:
    import jiwer

    normalise = jiwer.Compose(
        [
            jiwer.ToLowerCase(),
            jiwer.RemovePunctuation(),
            jiwer.RemoveMultipleSpaces(),
            jiwer.Strip(),
            jiwer.ReduceToListOfListOfWords(),
        ]
    )
    pairs = [(ref, hyp or "-") for ref, hyp in zip(references, texts, strict=False)]
    return float(
        jiwer.wer(
            [r for r, _ in pairs], [h for _, h in pairs], reference_transform=normalise, hypothesis_transform=normalise
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
