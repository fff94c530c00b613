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


# espeak-ng voices the benchmarks speak with: two accents, a man's and a woman's voice.
VOICES = ("en", "en-us+f3")


def synthesise(text: str, path: Path, words_per_minute: int = 150, voice: str = "en") -> Path:
    """Write `text` as spoken by espeak-ng to a WAV file (its native 22.05 kHz; readers resample)."""
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


def synthesise_all(lines: list[str], folder: Path, voice: str = "en") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    tag = "" if voice == "en" else "-" + "".join(ch if ch.isalnum() else "_" for ch in voice)
    return [synthesise(line, folder / f"caller{tag}-{index:02d}.wav", voice=voice) for index, line in enumerate(lines)]


# Caller lines that name nothing from any shipped scenario: a word of a scenario's vocabulary in their
# transcript was invented. Written before any vocabulary change was measured on them (not tuned on).
NEUTRAL_LINES = [
    "Great, so Thursday at ten.",
    "Good morning, I hope you are well.",
    "I am calling about your delivery schedule.",
    "Could I speak to whoever looks after purchasing?",
    "We help teams like yours plan their week.",
    "That sounds fair, thank you.",
    "When would be a good time to call back?",
    "I read your annual report last night.",
    "Our clients usually save about a fifth on fuel.",
    "Is there a better number to reach him on?",
    "I will keep it short, two minutes at most.",
    "We work with a few firms in your sector.",
    "Right, I understand he is busy.",
    "Can I send a short note by email instead?",
    "Friday afternoon would work well for me.",
    "I saw the news about your new warehouse.",
    "What is the best way to get on his calendar?",
    "We have a simple report that shows the savings.",
    "No problem at all, I can wait.",
    "Who else should I talk to about this?",
    "I think we could really help your drivers.",
    "Thanks, that is very kind of you.",
    "Could we pencil in Monday at eleven?",
    "I am not trying to sell anything today.",
    "It is about the cost of running your routes.",
    "Would next week be any easier?",
    "I only need a quick yes or no.",
    "Great, I look forward to it.",
    "May I ask who I am speaking with?",
    "We met briefly at the trade show in spring.",
    "So what we found was, um, quite surprising.",
    "Please tell him I called, and have a good day.",
]
