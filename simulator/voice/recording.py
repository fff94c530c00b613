"""A dialer's recording as one track per party: decoded with PyAV (faster-whisper's decoder), at 16 kHz.

Two-channel files (one party per channel, what dialers and softphones record) or two files, one per party.
A mono recording would need telling the voices apart (diarization); no torch-free diarization model ships
its weights in a package, so mono is refused with a line that says what works. Decoding is done frame by
frame into int16 per channel rather than through `faster_whisper.decode_audio`, which builds the whole file
as interleaved float32 (an hour of stereo would be about 700 MB before a word is transcribed), cannot tell
six channels from two (it would mix them down) and silently skips damaged data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from simulator.errors import CallsimError

SAMPLE_RATE = 16_000
FORMATS = (
    "a two-channel wav, flac, mp3, m4a or ogg (one party per channel), "
    "or two files with --caller-audio and --prospect-audio"
)
TRUNCATED_SHARE = 0.97  # decoding less than this share of the duration the header declares: truncated
MIN_SECONDS = 1.0
MAX_EXPECTED_SECONDS = 4 * 3600.0  # room made up front; a longer recording grows its buffer as it decodes
SILENT_PEAK = 1e-3  # a track whose loudest sample is below this (-60 dBFS) has nothing on it

Side = Literal["left", "right"]


class RecordingError(CallsimError):
    """A recording that cannot be scored; the message is one line naming the file and what works."""


@dataclass(frozen=True)
class Recording:
    """The caller's and the prospect's tracks, int16 at 16 kHz, of equal length, and where they came from."""

    caller: np.ndarray
    prospect: np.ndarray
    source: str  # the file (or the two files) in words, for messages
    fingerprint: str  # sha256 of the audio files' bytes and the caller's side: the same call scored twice

    @property
    def seconds(self) -> float:
        return len(self.caller) / SAMPLE_RATE


def as_float(samples: np.ndarray) -> np.ndarray:
    """int16 samples as float32 in -1..1 (what the VAD and Whisper take)."""
    return samples.astype(np.float32) / 32768.0


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        raise RecordingError(f"{path}: cannot read: {error.strerror or error}") from error
    return digest.hexdigest()


def two_channel_fingerprint(path: Path, caller: Side = "left") -> str:
    """What identifies a two-channel recording scored with the caller on `caller` (its bytes and the side)."""
    return _fingerprint([file_digest(_existing(path))], f"stereo:{caller}")


def two_files_fingerprint(caller: Path, prospect: Path) -> str:
    return _fingerprint([file_digest(_existing(caller)), file_digest(_existing(prospect))], "files")


def read_two_channel(path: Path, caller: Side = "left") -> Recording:
    """A two-channel recording, the caller on `caller` and the prospect on the other channel."""
    path = _existing(path)
    fingerprint = two_channel_fingerprint(path, caller)
    left, right = _decode(path, channels_wanted=2)
    caller_track, prospect_track = (left, right) if caller == "left" else (right, left)
    _check_tracks(path, caller_track, prospect_track, (f"{caller} channel", f"{_other(caller)} channel"))
    return Recording(caller_track, prospect_track, str(path), fingerprint)


def read_two_files(caller: Path, prospect: Path) -> Recording:
    """One file per party (each mono, or stereo mixed down); the shorter is padded with silence."""
    caller, prospect = _existing(caller), _existing(prospect)
    fingerprint = two_files_fingerprint(caller, prospect)
    (caller_track,) = _decode(caller, channels_wanted=1)
    (prospect_track,) = _decode(prospect, channels_wanted=1)
    length = max(len(caller_track), len(prospect_track))
    caller_track = np.pad(caller_track, (0, length - len(caller_track)))
    prospect_track = np.pad(prospect_track, (0, length - len(prospect_track)))
    for path, track in ((caller, caller_track), (prospect, prospect_track)):
        if not _has_sound(track):
            raise RecordingError(f"{path}: silent (nothing louder than -60 dB); nothing was saved")
    return Recording(caller_track, prospect_track, f"{caller} + {prospect}", fingerprint)


def _fingerprint(digests: list[str], layout: str) -> str:
    return hashlib.sha256("|".join([layout, *digests]).encode()).hexdigest()


def _other(side: Side) -> Side:
    return "right" if side == "left" else "left"


def _existing(path: Path) -> Path:
    if path.is_dir():
        raise RecordingError(f"{path}: is a folder, not a recording")
    if not path.exists():
        raise RecordingError(f"{path}: no such recording")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise RecordingError(f"{path}: cannot read: {error.strerror or error}") from error
    if size == 0:
        raise RecordingError(f"{path}: empty file (0 bytes); use {FORMATS}")
    return path


def _check_tracks(path: Path, caller: np.ndarray, prospect: np.ndarray, names: tuple[str, str]) -> None:
    if len(caller) < MIN_SECONDS * SAMPLE_RATE:
        raise RecordingError(f"{path}: shorter than {MIN_SECONDS:g} s; nothing to score")
    silent = [name for name, track in zip(names, (caller, prospect), strict=True) if not _has_sound(track)]
    if len(silent) == 2:
        raise RecordingError(f"{path}: silent on both channels (nothing louder than -60 dB); nothing was saved")
    if silent:
        party = "caller" if silent[0] == names[0] else "prospect"
        raise RecordingError(
            f"{path}: the {silent[0]} ({party}) is silent: a recording with one party per channel is needed "
            f"(is it mono copied to two channels, or the wrong file?); nothing was saved"
        )


def _has_sound(track: np.ndarray) -> bool:
    return bool(len(track)) and max(int(track.max()), -int(track.min())) >= SILENT_PEAK * 32768


def _wav_cut_short(path: Path) -> bool:
    """A WAV file whose data chunk declares more bytes than the file holds (a copy or a download cut off).

    FFmpeg quietly takes the file's own length for a WAV's duration, so this is read from the header.
    """
    try:
        with path.open("rb") as file:
            header = file.read(12)
            if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
                return False
            while chunk := file.read(8):
                if len(chunk) < 8:
                    return True
                size = int.from_bytes(chunk[4:8], "little")
                if chunk[:4] == b"data":
                    remaining = path.stat().st_size - file.tell()
                    return size not in (0, 0xFFFFFFFF) and size > remaining
                file.seek(size + (size & 1), 1)
    except OSError:
        return False
    return False


def _decode(path: Path, channels_wanted: Literal[1, 2]) -> list[np.ndarray]:
    """Every channel wanted as int16 at 16 kHz; a one-line RecordingError for anything else."""
    import av

    if _wav_cut_short(path):
        raise RecordingError(
            f"{path}: truncated: the file ends before the audio its header declares; nothing was saved"
        )

    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.error.InvalidDataError, av.error.EOFError) as error:
        raise RecordingError(f"{path}: not an audio file PyAV can read; use {FORMATS}") from error
    except av.error.FFmpegError as error:
        raise RecordingError(f"{path}: cannot read audio: {_reason(error)}; use {FORMATS}") from error
    with container:
        if not container.streams.audio:
            raise RecordingError(f"{path}: has no audio in it; use {FORMATS}")
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels or len(stream.layout.channels)
        _check_channels(path, channels, channels_wanted)
        declared = _declared_seconds(container, stream)
        layout = "stereo" if channels_wanted == 2 else "mono"
        resampler = av.audio.resampler.AudioResampler(format="s16", layout=layout, rate=SAMPLE_RATE)
        expected = min(declared or 600.0, MAX_EXPECTED_SECONDS)  # a header may claim anything
        tracks = _Tracks(channels_wanted, int(expected * SAMPLE_RATE * 1.01) + SAMPLE_RATE)
        damaged = False
        for frame in _frames(container, stream):
            if frame is None:
                damaged = True
                continue
            for resampled in resampler.resample(frame):
                tracks.add(resampled.to_ndarray())
        for resampled in resampler.resample(None):
            tracks.add(resampled.to_ndarray())
    decoded_tracks = tracks.finished()
    decoded = len(decoded_tracks[0]) / SAMPLE_RATE
    if decoded == 0:
        raise RecordingError(f"{path}: no sound could be decoded from it; use {FORMATS}")
    if declared and decoded < TRUNCATED_SHARE * declared:
        raise RecordingError(
            f"{path}: truncated or damaged: {decoded:.1f} s of the {declared:.1f} s it declares could be "
            f"decoded; nothing was saved"
        )
    if damaged and not declared:
        raise RecordingError(f"{path}: damaged audio data; nothing was saved")
    return decoded_tracks


class _Tracks:
    """Decoded samples written straight into one int16 array per channel, grown if the header was short.

    Appending frames to a list and joining them would hold the recording twice (an hour of stereo is
    230 MB of int16, and faster-whisper's own decoder holds it as float32 besides).
    """

    def __init__(self, channels: int, capacity: int) -> None:
        self.channels = channels
        self.arrays = np.zeros((channels, capacity), dtype=np.int16)
        self.length = 0

    def add(self, interleaved: np.ndarray) -> None:
        samples = interleaved.reshape(-1, self.channels).T  # packed s16: L R L R ...
        count = samples.shape[1]
        if self.length + count > self.arrays.shape[1]:
            grown = np.zeros((self.channels, max(2 * self.arrays.shape[1], self.length + count)), dtype=np.int16)
            grown[:, : self.length] = self.arrays[:, : self.length]
            self.arrays = grown
        self.arrays[:, self.length : self.length + count] = samples
        self.length += count

    def finished(self) -> list[np.ndarray]:
        return [self.arrays[channel, : self.length] for channel in range(self.channels)]


def _check_channels(path: Path, channels: int, wanted: int) -> None:
    if wanted == 1 or channels == 2:
        return
    if channels == 1:
        raise RecordingError(
            f"{path}: a mono recording: callsim cannot tell the two speakers apart in one channel; use {FORMATS}"
        )
    raise RecordingError(f"{path}: has {channels} channels; use {FORMATS}")


def _declared_seconds(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000
    return None


def _frames(container: Any, stream: Any) -> Iterator[Any]:
    """Decoded frames; None in place of data that could not be decoded (a damaged or cut-off file)."""
    import av

    iterator = container.decode(stream)
    while True:
        try:
            frame = next(iterator)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            yield None
            continue
        except av.error.FFmpegError:
            yield None
            return
        yield frame


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:160]
