"""Where a slow transcript's seconds go: CTranslate2 threads (1 vs 2), idle and beside a CPU hog, and fallbacks.

    .venv/bin/python bench/stt_threads.py [--hog N] [--threads 1 2]

Decodes the benchmark's caller lines (espeak-ng, two voices) with callsim's Transcriber, once per thread
count, and prints per-decode p50/p95/max wall time and how many decodes fell back to the standard 30 s
window. `--hog N` runs N `yes > /dev/null` beside it, the second job on a busy laptop.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from caller_lines import CALLER_LINES, VOICES, synthesise  # noqa: E402

from simulator.config import SpeechToText  # noqa: E402
from simulator.scenario.loader import DEFAULT_SCENARIO, load_scenario, resolve_scenario  # noqa: E402
from simulator.voice.capture import read_audio  # noqa: E402
from simulator.voice.stt import Transcriber  # noqa: E402


class CountingTranscriber(Transcriber):
    """Counts decodes that fell back to the standard (30 s window) path."""

    fallbacks = 0

    def _decode_standard(self, model, samples, vocabulary):  # type: ignore[no-untyped-def]
        self.fallbacks += 1
        return super()._decode_standard(model, samples, vocabulary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hog", type=int, default=0)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    vocabulary = load_scenario(resolve_scenario(DEFAULT_SCENARIO)).name_hints()
    with tempfile.TemporaryDirectory() as folder:
        clips = [
            read_audio(synthesise(line, Path(folder) / f"{voice}-{index}.wav", voice=voice))
            for voice in VOICES
            for index, line in enumerate(CALLER_LINES)
        ]
    # the speculative transcripts of a turn are prefixes of it: decode the first 60% of each line too
    clips += [clip[: int(len(clip) * 0.6)] for clip in clips]
    hogs = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(args.hog)]
    try:
        print(f"{len(clips)} decodes per row, hog {args.hog} x yes, load {Path('/proc/loadavg').read_text()[:14]}")
        print(f"{'threads':>7s} {'p50':>7s} {'p95':>7s} {'max':>7s} {'fallbacks':>9s}")
        for threads in args.threads:
            transcriber = CountingTranscriber(SpeechToText(threads=threads))
            transcriber.load()
            transcriber.warm_up()
            transcriber.fallbacks = 0
            seconds = []
            for clip in clips:
                began = time.perf_counter()
                transcriber.transcribe(clip, vocabulary)
                seconds.append(time.perf_counter() - began)
            values = np.array(seconds) * 1000
            print(
                f"{threads:7d} {np.percentile(values, 50):5.0f}ms {np.percentile(values, 95):5.0f}ms "
                f"{values.max():5.0f}ms {transcriber.fallbacks:9d}"
            )
    finally:
        for hog in hogs:
            hog.terminate()
    print(f"load after: {Path('/proc/loadavg').read_text()[:14]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
