"""Persona speech synthesis with the real engine (pyttsx3 + espeak-ng): audible, distinct, quiet, stoppable."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from simulator.scenario.loader import list_scenarios
from simulator.scenario.model import Voice
from simulator.voice.tts import Synthesizer, is_speakable, split_sentences, stream_pieces

pytestmark = pytest.mark.timeout(120)

LINE = "Good morning, Halden Freight, this is the office of Daniel Reyes. Who may I say is calling?"


@pytest.fixture(scope="module")
def synth() -> Synthesizer:
    warnings: list[str] = []
    synthesizer = Synthesizer(warn=warnings.append)
    synthesizer.warnings = warnings  # type: ignore[attr-defined]
    yield synthesizer
    synthesizer.close()


def shipped_voices() -> list[tuple[str, Voice]]:
    voices = []
    for entry in list_scenarios():
        if not entry.shipped:
            continue
        personas = entry.scenario.personas
        for role, persona in (("gatekeeper", personas.gatekeeper), ("executive", personas.executive)):
            if persona is not None:
                voices.append((f"{entry.scenario.id}/{role}", persona.voice))
    return voices


def median_pitch(samples: np.ndarray, rate: int) -> float:
    """Median fundamental frequency of the voiced 40 ms frames (autocorrelation peak, 60-400 Hz)."""
    size = int(rate * 0.04)
    low, high = int(rate / 400), int(rate / 60)
    loudness = np.sqrt(np.mean(samples**2))
    pitches = []
    for start in range(0, len(samples) - size, size):
        frame = samples[start : start + size].astype(np.float64)
        if np.sqrt(np.mean(frame**2)) < loudness:
            continue
        frame = frame - frame.mean()
        corr = np.correlate(frame, frame, mode="full")[size - 1 :]
        lag = low + int(np.argmax(corr[low:high]))
        if corr[lag] > 0.3 * corr[0]:
            pitches.append(rate / lag)
    return float(np.median(pitches))


def test_there_are_shipped_persona_voices() -> None:
    assert len(shipped_voices()) >= 6


@pytest.mark.parametrize("label,voice", shipped_voices(), ids=[label for label, _ in shipped_voices()])
def test_each_shipped_persona_voice_is_audible_with_plausible_length(
    synth: Synthesizer, label: str, voice: Voice
) -> None:
    speech = synth.synthesize(LINE, voice)
    words = len(LINE.split())
    expected = words * 60.0 / voice.rate
    assert speech.rate > 8000
    assert speech.samples.dtype == np.float32
    assert 0.6 * expected < speech.seconds < 2.0 * expected + 1.0, (label, speech.seconds, expected)
    peak = float(np.max(np.abs(speech.samples)))
    rms = float(np.sqrt(np.mean(speech.samples**2)))
    assert peak > 0.1 and rms > 0.02, (label, peak, rms)
    assert peak <= 1.0
    assert synth.warnings == [], synth.warnings  # type: ignore[attr-defined]


def test_distinct_shipped_voices_sound_different(synth: Synthesizer) -> None:
    distinct: dict[tuple[str | None, str | None, int], Voice] = {}
    for _, voice in shipped_voices():
        distinct.setdefault((voice.id, voice.variant, voice.rate), voice)
    assert len(distinct) >= 2
    rendered = {key: synth.synthesize("Who may I say is calling?", voice) for key, voice in distinct.items()}
    keys = list(rendered)
    for i, first in enumerate(keys):
        for second in keys[i + 1 :]:
            a, b = rendered[first], rendered[second]
            same_length = len(a.samples) == len(b.samples)
            assert not (same_length and np.allclose(a.samples, b.samples, atol=1e-3)), (first, second)


def test_variant_changes_the_timbre(synth: Synthesizer) -> None:
    female = synth.synthesize(LINE, Voice(id="gmw/en-us", variant="f3"))
    male = synth.synthesize(LINE, Voice(id="gmw/en-us", variant="m3"))
    ratio = median_pitch(female.samples, female.rate) / median_pitch(male.samples, male.rate)
    assert ratio > 1.3, ratio


def test_rate_and_volume_are_applied(synth: Synthesizer) -> None:
    slow = synth.synthesize(LINE, Voice(rate=110))
    fast = synth.synthesize(LINE, Voice(rate=260))
    assert slow.seconds > 1.6 * fast.seconds
    loud = synth.synthesize(LINE, Voice(volume=1.0))
    quiet = synth.synthesize(LINE, Voice(volume=0.3))
    assert np.max(np.abs(quiet.samples)) < 0.6 * np.max(np.abs(loud.samples))


def test_empty_or_unspeakable_text_is_silence_without_the_engine() -> None:
    synthesizer = Synthesizer()
    for text in ("", "   ", "...", "?!"):
        speech = synthesizer.synthesize(text, Voice())
        assert len(speech.samples) == 0 and speech.seconds == 0.0
    assert synthesizer._thread is None  # the engine was never started for nothing
    assert not is_speakable(" - ") and is_speakable("ok")


def test_unknown_voice_falls_back_to_the_default_with_one_warning() -> None:
    warnings: list[str] = []
    synthesizer = Synthesizer(warn=warnings.append)
    try:
        first = synthesizer.synthesize("Hello there.", Voice(id="xx/no-such-voice"))
        second = synthesizer.synthesize("Hello again.", Voice(id="xx/no-such-voice"))
        default = synthesizer.synthesize("Hello there.", Voice())
    finally:
        synthesizer.close()
    assert len(warnings) == 1 and "xx/no-such-voice" in warnings[0]
    assert np.max(np.abs(first.samples)) > 0.1 and np.max(np.abs(second.samples)) > 0.1
    assert abs(first.seconds - default.seconds) < 0.05  # espeak varies by a few samples run to run


def test_unknown_variant_warns_once_and_still_speaks() -> None:
    warnings: list[str] = []
    synthesizer = Synthesizer(warn=warnings.append)
    try:
        speech = [synthesizer.synthesize("Hello there.", Voice(variant="nonesuch")) for _ in range(2)]
    finally:
        synthesizer.close()
    assert len(warnings) == 1 and "nonesuch" in warnings[0]
    assert all(np.max(np.abs(s.samples)) > 0.1 for s in speech)


def test_voices_lists_the_platform_voices(synth: Synthesizer) -> None:
    ids = {voice.id for voice in synth.voices()}
    assert "gmw/en-us" in ids


def test_stream_starts_with_the_first_sentence(synth: Synthesizer) -> None:
    text = "Thanks for calling. Daniel is in meetings all afternoon. Can I take a message?"
    assert split_sentences(text) == [
        "Thanks for calling.",
        "Daniel is in meetings all afternoon.",
        "Can I take a message?",
    ]
    assert stream_pieces(text) == ["Thanks for calling.", "Daniel is in meetings all afternoon. Can I take a message?"]
    pieces = list(synth.synthesize_stream(text, Voice()))
    whole = synth.synthesize(text, Voice())
    assert len(pieces) == 2
    first_only = synth.synthesize("Thanks for calling.", Voice())
    assert abs(pieces[0].seconds - first_only.seconds) < 0.05
    assert pieces[0].seconds < 0.4 * whole.seconds
    assert abs(sum(p.seconds for p in pieces) - whole.seconds) < 0.35 * whole.seconds
    assert list(synth.synthesize_stream("", Voice())) == []


def test_synthesis_prints_nothing_on_the_terminal() -> None:
    """pyttsx3's espeak driver prints 'Audio saved to ...'; it must not reach stdout (think `--json`)."""
    script = textwrap.dedent(
        """
        from simulator.scenario.model import Voice
        from simulator.voice.tts import synthesize
        speech = synthesize("Hello, this is a quiet test.", Voice(id="gmw/en-us", variant="f3"))
        assert len(speech.samples) > 1000
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""


def test_requests_from_many_threads_share_one_engine(synth: Synthesizer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"Line number {n}." for n in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda text: synth.synthesize(text, Voice()), texts))
    assert all(np.max(np.abs(r.samples)) > 0.1 for r in results)
    assert synth._thread is not None and synth._thread.name == "callsim-tts"
