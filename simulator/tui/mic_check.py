"""The Prepare screen's mic check: is there a microphone, and does its level move when the caller speaks.

Runs on a worker thread (PortAudio calls block); reports levels through callbacks the screen forwards
to the UI thread. Device discovery and the one-line "no microphone" message come from simulator.voice.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

from simulator.errors import CallsimError

RATE = 16000
BLOCK = 512  # 32 ms, the VAD's window
CHECK_INTERVAL = 0.05


class MicrophoneMissing(CallsimError):
    """No microphone to check; the message is one line for the screen."""


def level_of(rms: float) -> float:
    """RMS of float samples to 0.0–1.0 on a -60..0 dBFS scale, so speech moves the bar and silence does not."""
    if rms <= 0:
        return 0.0
    return max(0.0, min(1.0, (20.0 * math.log10(rms) + 60.0) / 60.0))


def watch_levels(stop: threading.Event, on_level: Callable[[float], None], on_ready: Callable[[], None]) -> None:
    """Open the configured microphone and report its level until `stop` is set."""
    from simulator.config import load_settings
    from simulator.voice.devices import AudioUnavailable, check_input, load_sounddevice, quiet_stderr

    try:
        device = check_input(load_settings().audio.input_device, RATE)
        sd = load_sounddevice()
    except AudioUnavailable as error:
        raise MicrophoneMissing(str(error).split(";")[0]) from None
    import numpy as np

    latest = [0.0]

    def callback(indata: object, frames: int, time: object, status: object) -> None:
        samples = np.asarray(indata, dtype=np.float32)
        latest[0] = float(np.sqrt(np.mean(samples * samples))) if samples.size else 0.0

    try:
        with quiet_stderr():
            stream = sd.InputStream(
                device=device.index, channels=1, samplerate=RATE, blocksize=BLOCK, dtype="float32", callback=callback
            )
        with stream:
            on_ready()
            while not stop.wait(CHECK_INTERVAL):
                on_level(level_of(latest[0]))
    except sd.PortAudioError as error:
        raise MicrophoneMissing(f"the microphone cannot be opened: {error}") from None
