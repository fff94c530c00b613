"""Caller lines for the benchmarks, synthesised with espeak-ng into 16 kHz mono float32 audio.

espeak-ng stands in for the person at the microphone: deterministic, offline, and with the pauses of
real sentences (between clauses, after a full stop) that end-of-turn detection has to get right.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

# What a caller might say to Priya in the default scenario (gatekeeper-screen).
CALLER_LINES = [
    "Hi Priya, this is Sam Carter from Brightline Analytics.",
    "I saw that Halden opened a new cross dock hub in Leeds in September.",
    "We compared twelve cross dock hubs and found where each one loses money to empty miles.",
    "Is Daniel the right person to talk to about route costs?",
    "Would Daniel have fifteen minutes on Thursday at ten?",
    "Could you tell me when he is usually free?",
    "Thanks Priya, that is really helpful.",
    "I noticed you are hiring three transport planners for the north.",
    "How are you planning the switch to an electric van fleet?",
    "Shall I call back on Tuesday at nine?",
    "I can send you a one page summary of the benchmark first.",
    "Great, I will call him on Wednesday at two then.",
]


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def synthesise(text: str, path: Path, words_per_minute: int = 150) -> Path:
    """Write `text` as spoken by espeak-ng to a WAV file (its native 22.05 kHz; readers resample)."""
    subprocess.run(
        ["espeak-ng", "-v", "en", "-s", str(words_per_minute), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


def synthesise_all(lines: list[str], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [synthesise(line, folder / f"caller-{index:02d}.wav") for index, line in enumerate(lines)]
