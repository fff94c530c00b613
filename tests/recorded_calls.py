"""Recorded calls made for the tests and the benchmark: espeak-ng voices and real speech, one party a channel.

A call is a list of lines, each placed at a known time on the caller's or the prospect's channel, so the
turns, their order, overlaps and silences are known exactly; the file is written in any format PyAV
encodes (wav, flac, mp3, m4a, ogg) at any sample rate.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

TEST_AUDIO = Path(__file__).resolve().parent / "data" / "audio"
JFK = TEST_AUDIO / "jfk.flac"
JFK_TEXT = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
CODECS = {".wav": "pcm_s16le", ".flac": "flac", ".mp3": "libmp3lame", ".m4a": "aac", ".ogg": "libopus"}

Party = Literal["caller", "prospect"]


@dataclass(frozen=True)
class Line:
    party: Party
    text: str
    gap: float = 0.6  # seconds after the previous line ends (negative: starts over it); the first: from 0
    voice: str = "en-us"
    words_per_minute: int = 165
    real_speech: bool = False  # jfk.flac instead of espeak (its text must be JFK_TEXT)


@dataclass(frozen=True)
class PlacedLine:
    party: Party
    text: str
    start: float  # where the sound of it starts and ends (espeak's silences trimmed)
    end: float


def speak(line: Line, rate: int) -> np.ndarray:
    """The line's samples (float32 at `rate`)."""
    from faster_whisper import decode_audio

    if line.real_speech:
        return decode_audio(str(JFK), sampling_rate=rate)
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (scripts/setup.sh installs it)")
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "line.wav"
        subprocess.run(
            ["espeak-ng", "-v", line.voice, "-s", str(line.words_per_minute), "-w", str(wav), line.text],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return decode_audio(str(wav), sampling_rate=rate)


def _trimmed(samples: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples) > threshold)
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples[:0]


def make_call(
    lines: Sequence[Line], path: Path, rate: int = 16_000, tail: float = 1.0, caller_side: str = "left"
) -> list[PlacedLine]:
    """Write the call to `path` (format from its suffix) and return where each line really is."""
    spoken = [(line, _trimmed(speak(line, rate))) for line in lines]
    starts, end = [], 0
    for line, samples in spoken:
        start = max(0, end + int(line.gap * rate))
        starts.append(start)
        end = max(end, start + len(samples))
    length = max(start + len(samples) for start, (_line, samples) in zip(starts, spoken, strict=True))
    length += int(tail * rate)
    tracks = {"caller": np.zeros(length, dtype=np.float32), "prospect": np.zeros(length, dtype=np.float32)}
    placed = []
    for start, (line, samples) in zip(starts, spoken, strict=True):
        tracks[line.party][start : start + len(samples)] += samples
        text = JFK_TEXT if line.real_speech else line.text
        placed.append(PlacedLine(line.party, text, start / rate, (start + len(samples)) / rate))
    left, right = (tracks["caller"], tracks["prospect"])
    if caller_side == "right":
        left, right = right, left
    write_audio(path, np.stack([left, right]), rate)
    return sorted(placed, key=lambda item: item.start)


def write_audio(path: Path, channels: np.ndarray, rate: int) -> None:
    """Float samples (channels × samples) to a file PyAV encodes by its suffix; any channel count."""
    import av

    codec = CODECS[path.suffix]
    count = channels.shape[0]
    layout = {1: "mono", 2: "stereo", 6: "5.1"}[count]
    interleaved = (np.clip(channels.T, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream(codec, rate=48_000 if codec == "libopus" else rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(interleaved, format="s16", layout=layout)
        frame.sample_rate = rate
        resampler = av.AudioResampler(format=stream.codec_context.format, layout=layout, rate=stream.rate)
        fifo = av.AudioFifo()
        for converted in resampler.resample(frame) + resampler.resample(None):
            fifo.write(converted)
        size = stream.codec_context.frame_size or 1024
        for piece in iter(lambda: fifo.read(size), None):
            container.mux(stream.encode(piece))
        rest = fifo.read()
        if rest is not None:
            container.mux(stream.encode(rest))
        container.mux(stream.encode(None))


def mono_to_stereo_silent(path: Path, out: Path) -> None:
    """A copy of a two-channel file with the second channel silenced."""
    from faster_whisper import decode_audio

    left, _right = decode_audio(str(path), split_stereo=True)
    write_audio(out, np.stack([left, np.zeros_like(left)]), 16_000)
