"""Audio devices: find the microphone and the speaker, and say in one line when there is none.

sounddevice loads PortAudio when it is imported, and PortAudio probes every ALSA/JACK device on the way,
which makes ALSA print pages of "ALSA lib ..." chatter on stderr. Everything here imports sounddevice
through `load_sounddevice()`, which silences that chatter and turns a missing PortAudio into
`AudioUnavailable` instead of a traceback.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from simulator.errors import CallsimError

TYPED_MODE_HINT = "typed mode works: callsim practice --text"


class AudioUnavailable(CallsimError):
    """No usable microphone or speaker; the message is one line and says what still works."""


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    host_api: str
    inputs: int
    outputs: int
    default_rate: float
    default_input: bool = False
    default_output: bool = False


_load_lock = threading.Lock()
_alsa_handler: Any = None  # keeps the ctypes callback alive for as long as ALSA may call it


def _silence_alsa() -> None:
    """Give ALSA an error handler that prints nothing (its default writes to stderr)."""
    global _alsa_handler
    if _alsa_handler is not None or not sys.platform.startswith("linux"):
        return
    name = ctypes.util.find_library("asound")
    if not name:
        return
    try:
        alsa = ctypes.cdll.LoadLibrary(name)
        handler_type = ctypes.CFUNCTYPE(
            None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
        )
        _alsa_handler = handler_type(lambda *_args: None)
        alsa.snd_lib_error_set_handler(_alsa_handler)
    except (OSError, AttributeError):
        _alsa_handler = False


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a moment (PortAudio and JACK write there directly).

    Used only while PortAudio starts up and lists devices: before any full-screen app owns the terminal.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def load_sounddevice() -> ModuleType:
    """Import sounddevice quietly; raises AudioUnavailable when PortAudio is missing."""
    if "sounddevice" in sys.modules:
        return sys.modules["sounddevice"]
    with _load_lock:
        _silence_alsa()
        try:
            with quiet_stderr():
                import sounddevice
        except OSError as error:  # sounddevice raises OSError when the PortAudio library is not found
            raise AudioUnavailable(
                f"no audio: the PortAudio library is missing ({error}); install libportaudio2, or {TYPED_MODE_HINT}"
            ) from None
        return sounddevice


def rescan() -> None:
    """Let PortAudio look for devices again (after a headset is plugged in, or a sound server started)."""
    sd = load_sounddevice()
    with _load_lock, quiet_stderr():
        sd._terminate()
        sd._initialize()


def list_devices() -> list[Device]:
    """Every input and output device PortAudio sees, with the defaults marked."""
    sd = load_sounddevice()
    with quiet_stderr():
        try:
            found = sd.query_devices()
            apis = sd.query_hostapis()
        except sd.PortAudioError:
            return []
        default_in, default_out = _defaults(sd)
    devices = []
    for index, info in enumerate(found):
        devices.append(
            Device(
                index=index,
                name=str(info["name"]),
                host_api=str(apis[info["hostapi"]]["name"]) if info["hostapi"] < len(apis) else "?",
                inputs=int(info["max_input_channels"]),
                outputs=int(info["max_output_channels"]),
                default_rate=float(info["default_samplerate"]),
                default_input=index == default_in,
                default_output=index == default_out,
            )
        )
    return devices


def _defaults(sd: ModuleType) -> tuple[int, int]:
    try:
        default_in, default_out = sd.default.device
    except (TypeError, ValueError):
        return -1, -1
    return int(default_in if default_in is not None else -1), int(default_out if default_out is not None else -1)


def _describe(device: str | int | None) -> str:
    return "the default device" if device is None else f"device {device!r}"


def check_input(device: str | int | None = None, rate: int = 16000) -> Device:
    """The microphone to use; raises AudioUnavailable (one line) when there is none or it cannot record."""
    return _check("input", device, rate)


def check_output(device: str | int | None = None, rate: int | None = None) -> Device:
    """The speaker to use; raises AudioUnavailable (one line) when there is none or it cannot play."""
    return _check("output", device, rate)


def _check(kind: str, device: str | int | None, rate: int | None) -> Device:
    sd = load_sounddevice()
    what = "microphone" if kind == "input" else "speaker"
    try:
        with quiet_stderr():
            info = sd.query_devices(device, kind=kind)
    except (sd.PortAudioError, ValueError) as error:
        reason = _reason(error)
        raise AudioUnavailable(f"no {what} found: {reason} ({_describe(device)}); {TYPED_MODE_HINT}") from None
    channels = int(info[f"max_{kind}_channels"])
    if channels < 1:
        raise AudioUnavailable(f"no {what} found: {info['name']!r} has no {kind} channels; {TYPED_MODE_HINT}")
    check_rate = rate or int(info["default_samplerate"])
    try:
        with quiet_stderr():
            if kind == "input":
                sd.check_input_settings(device=info["index"], channels=1, samplerate=check_rate)
            else:
                sd.check_output_settings(device=info["index"], channels=1, samplerate=check_rate)
    except (sd.PortAudioError, ValueError) as error:
        raise AudioUnavailable(
            f"the {what} {info['name']!r} cannot {'record' if kind == 'input' else 'play'} at {check_rate} Hz: "
            f"{_reason(error)}; {TYPED_MODE_HINT}"
        ) from None
    apis = sd.query_hostapis()
    return Device(
        index=int(info["index"]),
        name=str(info["name"]),
        host_api=str(apis[info["hostapi"]]["name"]),
        inputs=int(info["max_input_channels"]),
        outputs=int(info["max_output_channels"]),
        default_rate=float(info["default_samplerate"]),
    )


def _reason(error: BaseException) -> str:
    text = str(error.args[0] if error.args else error).strip()
    if "querying device -1" in text:
        return "no audio device is available"
    line = text.splitlines()[0] if text else type(error).__name__
    return line[:1].lower() + line[1:]


@dataclass(frozen=True)
class ToneCheck:
    """A test tone played on the speaker while the microphone recorded."""

    played_seconds: float
    tone_db: float  # level of the tone's frequency band in the recording, dBFS
    room_db: float  # the same band before the tone started (the room and the microphone's own noise)
    level_db: float  # overall level of the recording during the tone, dBFS

    @property
    def heard(self) -> bool:
        """The microphone picked the speaker up: laptop speakers, or a headset that leaks."""
        return self.tone_db > self.room_db + 10.0 and self.tone_db > -70.0


TONE_HZ = 1000.0


def play_and_record_tone(
    input_device: str | int | None = None,
    output_device: str | int | None = None,
    seconds: float = 0.8,
    lead_in: float = 0.3,
    rate: int = 16000,
) -> ToneCheck:
    """Play a 1 kHz tone and record at the same time; raises AudioUnavailable when either side fails."""
    import numpy as np

    sd = load_sounddevice()
    inp = check_input(input_device, rate)
    out = check_output(output_device)
    out_rate = int(out.default_rate) or 44100
    count = int(seconds * out_rate)
    fade = np.minimum(1.0, np.minimum(np.arange(count), np.arange(count)[::-1]) / (0.02 * out_rate))
    tone = (0.5 * np.sin(2 * np.pi * TONE_HZ * np.arange(count) / out_rate) * fade).astype(np.float32)
    recorded: list[np.ndarray] = []
    try:
        with sd.InputStream(
            samplerate=rate, channels=1, dtype="float32", device=inp.index, callback=_collect(recorded)
        ):
            sd.sleep(int(lead_in * 1000))
            sd.play(tone, out_rate, device=out.index, blocking=True)
            sd.sleep(200)
    except (sd.PortAudioError, ValueError) as error:
        raise AudioUnavailable(f"the test tone failed: {_reason(error)}; {TYPED_MODE_HINT}") from None
    audio = np.concatenate(recorded) if recorded else np.zeros(0, dtype=np.float32)
    split = int(lead_in * rate)
    room, during = audio[:split], audio[split : split + int(seconds * rate)]
    return ToneCheck(
        played_seconds=count / out_rate,
        tone_db=_band_db(during, rate, TONE_HZ),
        room_db=_band_db(room, rate, TONE_HZ),
        level_db=_db(float(np.sqrt(np.mean(np.square(during)))) if len(during) else 0.0),
    )


def _collect(recorded: list[Any]) -> Any:
    def callback(indata: Any, frames: int, time_info: Any, status: Any) -> None:
        recorded.append(indata[:, 0].copy())

    return callback


def _db(value: float) -> float:
    import math

    return 20.0 * math.log10(max(value, 1e-6))


def _band_db(samples: Any, rate: int, hz: float) -> float:
    """Level of the band around `hz` (±50 Hz), as the RMS of a sine of that power, in dBFS."""
    import numpy as np

    if len(samples) < 256:
        return -120.0
    window = np.hanning(len(samples))
    spectrum = np.fft.rfft(samples * window)
    freqs = np.fft.rfftfreq(len(samples), 1.0 / rate)
    band = (freqs > hz - 50) & (freqs < hz + 50)
    power = np.sum(np.abs(spectrum[band]) ** 2) * 2 / (np.sum(window**2) * len(samples))
    return _db(float(np.sqrt(power)))
