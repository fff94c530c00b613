"""How steadily does tiny.en hear a test line, however the audio rig shifts, resamples and levels it?

    .venv/bin/python bench/line_stability.py [--runs 30] ["a line" ...]

A real-audio test says an espeak-ng line into the PulseAudio rig and checks the words that come back. The
rig never delivers the same samples twice: the line starts at a different point in a 32 ms window, Pulse
resamples it, the level varies. On some lines tiny.en flips a word with that ("calling about" becomes
"calling him out of"), which makes a flaky test. This runs each line through the microphone's own path
(VAD, end of turn, speech-to-text, as `callsim run --caller-audio` does) with random offsets, sample
rates, gains and noise, and prints its word error rate over the runs. Pick lines with a max near 0.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency import word_error_rate  # noqa: E402

from simulator.config import Settings  # noqa: E402
from simulator.voice.capture import AudioFileInput, read_audio  # noqa: E402
from simulator.voice.playback import write_wav  # noqa: E402
from simulator.voice.ports import SimulatedClock  # noqa: E402
from simulator.voice.stt import Transcriber  # noqa: E402
from simulator.voice.tts import Speech  # noqa: E402

# the lines tests/test_capture.py says at the microphone
DEFAULT_LINES = [
    "I am calling about the new warehouse you opened last month.",
    "Thank you for your help, I will call back tomorrow.",
    "I will call you back on Thursday morning.",
]
RATES = (16000, 22050, 44100, 48000)  # what Pulse might resample through


def varied(source: Path, folder: Path, rng: np.random.Generator) -> Path:
    """The line as the rig might deliver it: resampled, late by up to 200 ms, quieter, with a little hiss."""
    resampled = folder / "resampled.wav"
    subprocess.run(["sox", str(source), "-r", str(rng.choice(RATES)), str(resampled)], check=True)
    audio = read_audio(resampled) * rng.uniform(0.5, 1.0)
    audio = np.concatenate([np.zeros(int(rng.integers(0, 3200)), np.float32), audio])
    audio = audio + rng.normal(0, rng.uniform(0.0005, 0.003), len(audio)).astype(np.float32)
    write_wav(folder / "varied.wav", Speech(audio, 16000))
    return folder / "varied.wav"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lines", nargs="*", default=DEFAULT_LINES)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--limit", type=float, default=0.25, help="the WER a test allows")
    parser.add_argument("--voice", default="en", help="espeak-ng voice, as the test speaks it")
    parser.add_argument("--wpm", type=int, default=150, help="espeak-ng words per minute")
    args = parser.parse_args()
    transcriber = Transcriber()
    transcriber.load()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for line in args.lines:
            source = folder / "line.wav"
            command = ["espeak-ng", "-v", args.voice, "-s", str(args.wpm), "-w", str(source), line]
            subprocess.run(command, check=True, capture_output=True)
            rates, misses = [], []
            for _ in range(args.runs):
                caller = AudioFileInput([varied(source, folder, rng)], Settings(), transcriber, [], SimulatedClock())
                utterance = caller.listen(None, lambda _event: None)
                heard = utterance.text if utterance else ""
                rates.append(word_error_rate([line], [heard]))
                if rates[-1] > args.limit:
                    misses.append(heard)
            print(
                f"{line!r}: WER mean {np.mean(rates):.3f}, max {max(rates):.2f}, "
                f"over {args.limit} in {len(misses)} of {args.runs}"
            )
            for heard in dict.fromkeys(misses):
                print(f"    heard {heard!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
