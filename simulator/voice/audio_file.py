"""A caller's audio file decoded to float32 mono at 16 kHz, with bounded cost.

faster-whisper's decode_audio reads the whole file and resamples whatever its header says, so a WAV that
claims 1 Hz becomes gigabytes once upsampled and an hour of silence is decoded whole. Here the sample rate
is checked first and decoding stops as soon as the audio passes MAX_AUDIO_SECONDS, so memory and time
grow with at most that much audio.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from simulator.bounded_read import FileRefused, regular_file_size, size_words
from simulator.errors import CallsimError

SAMPLE_RATE = 16_000
MAX_AUDIO_BYTES = 200_000_000  # ten minutes of 48 kHz stereo 32-bit float is 230 MB; compressed far less
MAX_AUDIO_SECONDS = 600  # one caller turn; the longest turn setting ([listening] max_turn_seconds) is 600
RATE_RANGE = (4_000, 384_000)  # Hz a file may declare
MIN_AUDIO_SAMPLES = SAMPLE_RATE // 10  # a tenth of a second: shorter than any word


class AudioFileError(CallsimError):
    """An audio file that cannot be used as a caller turn; the message is one line naming the file."""


def read_audio(path: Path) -> np.ndarray:
    """A wav/flac/mp3/... file as float32 mono at 16 kHz (PyAV, as faster-whisper decodes)."""
    import av

    try:
        size = regular_file_size(path, "audio file")
    except FileRefused as refused:
        words = "no such audio file" if str(refused) == "no such file" else str(refused)
        raise AudioFileError(f"{path}: {words}") from None
    if size > MAX_AUDIO_BYTES:
        raise AudioFileError(f"{path}: too large for a caller turn (the limit is {size_words(MAX_AUDIO_BYTES)})")
    chunks: list[np.ndarray] = []
    total = 0
    limit = MAX_AUDIO_SECONDS * SAMPLE_RATE
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioFileError(f"{path}: not an audio file (no sound in it); use wav, flac, mp3 or ogg")
            stream = container.streams.audio[0]
            rate = int(stream.codec_context.sample_rate or stream.sample_rate or 0)
            if not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
                low, high = RATE_RANGE
                raise AudioFileError(f"{path}: a sample rate of {rate:,} Hz; callsim reads {low:,} to {high:,} Hz")
            resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in _frames(container, stream):
                raw = frame.to_ndarray()
                if raw.dtype.kind == "f" and not np.isfinite(raw).all():
                    raise AudioFileError(f"{path}: holds samples that are not numbers (a damaged float recording)")
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1)
                    total += samples.size
                    if total > limit:
                        minutes = MAX_AUDIO_SECONDS // 60
                        raise AudioFileError(f"{path}: longer than {minutes} minutes: too long for one caller turn")
                    chunks.append(samples)
    except AudioFileError:
        raise
    except Exception as error:
        # the decoder's own words ("avcodec_open2(...) returned 22", "'NoneType' object has no attribute")
        # mean nothing to a caller; what it was is kept in the log through the chained exception
        raise AudioFileError(
            f"{path}: cannot decode this audio (a damaged or unusual file); use wav, flac, mp3 or ogg"
        ) from error
    if total < MIN_AUDIO_SAMPLES:  # a header and no samples, or a file cut short: no turn can be in it
        seconds = total / SAMPLE_RATE
        raise AudioFileError(f"{path}: holds no sound ({seconds:.2f} s of audio); use a recording of the caller's turn")
    return np.concatenate(chunks).astype(np.float32) / 32768.0


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    """Decoded frames, skipping frames the decoder calls invalid (as faster-whisper does)."""
    import av

    frames = container.decode(stream)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            continue
        yield frame
