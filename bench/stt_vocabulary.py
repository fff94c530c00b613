"""Which way of giving Whisper the scenario's vocabulary works better: `hotwords` or `initial_prompt`?

    .venv/bin/python bench/stt_vocabulary.py

Transcribes the benchmark's caller lines (espeak-ng) with the default scenario's vocabulary given each
way (and not at all), with callsim's low-latency decode options, and prints word error rate, how many of
the scenario's names came out right, and the time per line.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from caller_lines import CALLER_LINES, synthesise_all  # noqa: E402
from latency import word_error_rate  # noqa: E402

from simulator.config import SpeechToText  # noqa: E402
from simulator.scenario.loader import DEFAULT_SCENARIO, load_scenario, resolve_scenario  # noqa: E402
from simulator.voice.capture import read_audio  # noqa: E402
from simulator.voice.stt import Transcriber, vocabulary_prompt  # noqa: E402


def decode(model: Any, audio: np.ndarray, **hint: Any) -> str:
    segments, _ = model.transcribe(
        audio,
        language="en",
        beam_size=1,
        temperature=0.0,
        condition_on_previous_text=False,
        without_timestamps=True,
        **hint,
    )
    return " ".join(segment.text.strip() for segment in segments)


def main() -> int:
    scenario = load_scenario(resolve_scenario(DEFAULT_SCENARIO))
    vocabulary = scenario.vocabulary()
    prompt = vocabulary_prompt(vocabulary)
    names = sorted({word for term in vocabulary for word in term.split() if word[:1].isupper()})
    transcriber = Transcriber(SpeechToText())
    model = transcriber.whisper_model()
    with tempfile.TemporaryDirectory() as folder:
        clips = [read_audio(path) for path in synthesise_all(CALLER_LINES, Path(folder))]
    decode(model, clips[0])
    wanted = sum(line.count(name) for line in CALLER_LINES for name in names)
    print(f"vocabulary: {prompt}")
    print(f"{'hint':16s} {'WER':>6s} {'names':>7s} {'ms/line':>8s}")
    hints: list[tuple[str, dict[str, Any]]] = [
        ("none", {}),
        ("hotwords", {"hotwords": prompt}),
        ("initial_prompt", {"initial_prompt": prompt}),
    ]
    for label, hint in hints:
        texts: list[str] = []
        seconds = 0.0
        for _ in range(2):  # the second pass is timed warm
            texts, seconds = [], 0.0
            for clip in clips:
                began = time.perf_counter()
                texts.append(decode(model, clip, **hint))
                seconds += time.perf_counter() - began
        pairs = zip(CALLER_LINES, texts, strict=True)
        found = sum(min(line.count(name), text.count(name)) for line, text in pairs for name in names)
        wer = word_error_rate(CALLER_LINES, texts)
        print(f"{label:16s} {wer:6.1%} {found:3d}/{wanted:<3d} {seconds / len(clips) * 1000:8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
