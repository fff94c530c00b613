"""Persona voices that make sound: the speaker (stoppable, for barge-in) and WAV files.

`SpeakerVoice` synthesises a line (first sentence first) and plays it through a sounddevice OutputStream
whose callback pulls from the synthesised buffer in 20 ms blocks, so `stop()` silences it within a block
or two. `WavFileVoice` writes each line to `NN-<speaker>.wav` (`--persona-audio-out`); `TeeVoice` does
both. The silent voice for text mode is `simulator.voice.silent.SilentVoice`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

from simulator.config import Audio
from simulator.scenario.model import Voice
from simulator.voice.devices import AudioUnavailable, check_output, load_sounddevice
from simulator.voice.ports import Clock, PersonaVoice, Playback
from simulator.voice.silent import RESPONSE_GAP_SECONDS, FinishedPlayback
from simulator.voice.tts import Speech, Synthesizer, shared_synthesizer, stream_pieces

log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.02  # one callback's worth of audio: stop() takes effect within a block or two
STALL_SECONDS = 5.0  # a line still not played this long after its length: the device hangs


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Linear resampling: enough for speech going to a device that will not take the synthesiser's rate."""
    if from_rate == to_rate or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    count = int(round(len(samples) * to_rate / from_rate))
    positions = np.linspace(0.0, len(samples) - 1, num=count)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def rms(samples: np.ndarray) -> float:
    """Root mean square of float samples in [-1, 1]: the loudness the echo rule compares."""
    if len(samples) == 0:
        return 0.0
    return float(min(1.0, np.sqrt(np.mean(np.square(samples, dtype=np.float64)))))


class SpeakerPlayback:
    """One persona line on the speaker: synthesised on a worker thread, played by the stream callback."""

    def __init__(self, text: str, voice: Voice, audio: Audio, clock: Clock, synthesizer: Synthesizer, sd: Any) -> None:
        self.text = text
        self._voice = voice
        self._audio_settings = audio
        self._clock = clock
        self._synth = synthesizer
        self._sd = sd
        self._audio = np.zeros(0, dtype=np.float32)  # replaced (never mutated) as chunks arrive
        self._rate: int | None = None  # the stream's rate once open
        self._position = 0  # samples handed to the device so far (written by the callback only)
        self._synth_done = False
        self._chars_total = max(1, sum(len(piece) for piece in stream_pieces(text)))
        self._chars_done = 0
        self._latency_frames = 0
        self._level = 0.0
        self._first_audio_at: float | None = None
        self._finished_at: float | None = None
        self._heard_at_stop: float | None = None
        self._stop = threading.Event()
        self._finished = threading.Event()  # set by PortAudio when the stream has stopped
        self._done = threading.Event()
        self._interrupted = False
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="callsim-playback", daemon=True)
        self._thread.start()

    # -- Playback --------------------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def interrupted(self) -> bool:
        return self._interrupted

    @property
    def first_audio_at(self) -> float | None:
        return self._first_audio_at

    @property
    def finished_at(self) -> float | None:
        return self._finished_at

    @property
    def samples(self) -> int:
        """Samples handed to the output device so far."""
        return self._position

    def level(self) -> float:
        return 0.0 if self.done else self._level

    def heard_fraction(self) -> float:
        if self._heard_at_stop is not None:
            return self._heard_at_stop
        if self.done:
            return 1.0
        return self._heard_now()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def stop(self) -> None:
        if self._done.is_set() or self._stop.is_set():
            return
        self._heard_at_stop = self._heard_now()
        self._interrupted = True
        self._stop.set()

    # -- internals -------------------------------------------------------------------------------------

    def _heard_now(self) -> float:
        total = len(self._audio)
        if not self._synth_done and self._chars_done:
            total = int(total * self._chars_total / self._chars_done)
        if total <= 0:
            return 0.0
        heard = max(0, self._position - self._latency_frames)
        return min(1.0, heard / total)

    def _run(self) -> None:
        stream = None
        started = False
        try:
            for piece in stream_pieces(self.text):
                speech = self._synth.synthesize(piece, self._voice)
                if self._stop.is_set():
                    break
                if stream is None and len(speech.samples):
                    stream = self._open(speech.rate)
                if self._rate is not None:
                    self._audio = np.concatenate([self._audio, resample(speech.samples, speech.rate, self._rate)])
                self._chars_done += len(piece)
                if stream is not None and not started and not self._stop.is_set():
                    stream.start()
                    started = True
            self._synth_done = True
            if stream is not None and started:
                self._wait_until_played(stream)
        except Exception as error:  # a device lost mid-line: end the line, keep the call going
            self.error = str(error).splitlines()[0] if str(error) else type(error).__name__
            log.warning("persona playback failed: %s", self.error)
        finally:
            self._synth_done = True
            if stream is not None:
                try:
                    stream.close(ignore_errors=True)
                except Exception as error:
                    log.debug("closing the output stream failed: %s", error)
            if self._finished_at is None:
                self._finished_at = self._clock.now()
            self._level = 0.0
            self._done.set()

    def _wait_until_played(self, stream: Any) -> None:
        """Until the callback has played everything or was stopped; a stalled device is aborted."""
        rate = self._rate or 1
        deadline = time.monotonic() + len(self._audio) / rate + STALL_SECONDS
        stop_seen: float | None = None
        while not self._finished.wait(BLOCK_SECONDS):
            now = time.monotonic()
            if self._stop.is_set():
                stop_seen = stop_seen if stop_seen is not None else now
                if now - stop_seen > 0.1:
                    stream.abort(ignore_errors=True)
                    return
            elif now > deadline:
                log.warning("the speaker stalled; the persona line was cut short")
                stream.abort(ignore_errors=True)
                return

    def _open(self, rate: int) -> Any:
        sd = self._sd
        device = self._audio_settings.output_device
        for candidate in (rate, None):
            try:
                stream_rate = (
                    rate
                    if candidate is not None
                    else int(sd.query_devices(device, kind="output")["default_samplerate"])
                )
                stream = sd.OutputStream(
                    samplerate=stream_rate,
                    channels=1,
                    dtype="float32",
                    device=device,
                    blocksize=max(1, int(stream_rate * BLOCK_SECONDS)),
                    latency="low",
                    callback=self._callback,
                    finished_callback=self._on_finished,
                )
            except (sd.PortAudioError, ValueError) as error:
                if candidate is None:
                    raise AudioUnavailable(f"cannot play on the speaker: {error}") from None
                continue
            self._rate = stream_rate
            self._latency_frames = int(float(stream.latency) * stream_rate)
            return stream
        return None

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        sd = self._sd
        if self._stop.is_set():
            outdata.fill(0)
            raise sd.CallbackAbort
        audio = self._audio
        start = self._position
        chunk = audio[start : start + frames]
        count = len(chunk)
        outdata[:count, 0] = chunk
        outdata[count:, 0] = 0.0
        if count:
            if self._first_audio_at is None:
                self._first_audio_at = self._clock.now() + self._output_delay(time_info)
            self._position = start + count
        self._level = rms(chunk)
        if count < frames and self._synth_done and self._position >= len(self._audio):
            raise sd.CallbackStop

    def _output_delay(self, time_info: Any) -> float:
        """How long until this block reaches the speaker, from PortAudio's timestamps (or its latency)."""
        try:
            delay = float(time_info.outputBufferDacTime) - float(time_info.currentTime)
        except (AttributeError, TypeError, ValueError):
            delay = -1.0
        if not 0.0 <= delay < 1.0:
            rate = self._rate or 1
            delay = self._latency_frames / rate
        return delay

    def _on_finished(self) -> None:
        self._finished_at = self._clock.now()
        self._level = 0.0
        self._finished.set()


class SpeakerVoice:
    """The personas on the speaker; one line at a time, as on a phone (a new line stops the last one)."""

    def __init__(self, audio: Audio, clock: Clock, synthesizer: Synthesizer | None = None) -> None:
        self._audio = audio
        self._clock = clock
        self._synth = synthesizer or shared_synthesizer()
        self._sd = load_sounddevice()
        self.device = check_output(audio.output_device)
        self._current: SpeakerPlayback | None = None

    def speak(self, text: str, voice: Voice, speaker: str | None = None) -> SpeakerPlayback:
        previous = self._current
        if previous is not None and not previous.done:
            previous.stop()
            previous.wait(1.0)
        playback = SpeakerPlayback(text, voice, self._audio, self._clock, self._synth, self._sd)
        self._current = playback
        return playback

    def close(self) -> None:
        current = self._current
        if current is not None:
            current.stop()
            current.wait(2.0)


def write_wav(path: Path, speech: Speech) -> None:
    """16-bit mono PCM, readable by anything."""
    pcm = np.clip(speech.samples, -1.0, 1.0)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(speech.rate)
        wav.writeframes((pcm * 32767.0).astype("<i2").tobytes())


class WavFileVoice:
    """Writes each persona line to `DIR/NN-<speaker>.wav`.

    On its own it stands in for the speaker with a simulated clock: the line's real audio length passes.
    Next to a speaker (`advance_clock=False`, in a TeeVoice) it writes in the background and leaves time
    to the real clock.
    """

    def __init__(
        self,
        directory: Path,
        clock: Clock,
        synthesizer: Synthesizer | None = None,
        advance_clock: bool = True,
    ) -> None:
        self.directory = Path(directory)
        self._clock = clock
        self._synth = synthesizer or shared_synthesizer()
        self._advance = advance_clock
        self._count = 0
        self._lock = threading.Lock()
        self._writers: list[threading.Thread] = []
        self.paths: list[Path] = []
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # an earlier call's lines would mix with this one's: only the files this class names are removed
            for earlier in self.directory.glob("*.wav"):
                if re.fullmatch(r"\d{2,}-(gatekeeper|executive|persona)\.wav", earlier.name):
                    earlier.unlink()
        except OSError as error:
            raise AudioUnavailable(f"cannot write persona audio to {self.directory}: {error.strerror}") from None

    def speak(self, text: str, voice: Voice, speaker: str | None = None) -> FinishedPlayback:
        with self._lock:
            self._count += 1
            path = self.directory / f"{self._count:02d}-{_safe(speaker or 'persona')}.wav"
            self.paths.append(path)
        if not self._advance:
            writer = threading.Thread(target=self._write, args=(path, text, voice), daemon=True)
            writer.start()
            self._writers.append(writer)
            now = self._clock.now()
            return FinishedPlayback(text, now, now)
        speech = self._write(path, text, voice)
        self._clock.advance(RESPONSE_GAP_SECONDS)
        start = self._clock.now()
        self._clock.advance(speech.seconds)
        return FinishedPlayback(text, start, self._clock.now())

    def _write(self, path: Path, text: str, voice: Voice) -> Speech:
        speech = self._synth.synthesize(text, voice)
        try:
            write_wav(path, speech)
        except OSError as error:
            log.warning("could not write %s: %s", path, error.strerror)
        return speech

    def close(self) -> None:
        for writer in self._writers:
            writer.join(timeout=10)
        self._writers.clear()


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name) or "persona"


class TeeVoice:
    """One persona voice heard, others fed the same lines (the speaker, and WAV files of what was said)."""

    def __init__(self, primary: PersonaVoice, *others: PersonaVoice) -> None:
        self.primary = primary
        self.others = others

    def speak(self, text: str, voice: Voice, speaker: str | None = None) -> Playback:
        playback = _speak(self.primary, text, voice, speaker)
        for other in self.others:
            _speak(other, text, voice, speaker)
        return playback

    def close(self) -> None:
        self.primary.close()
        for other in self.others:
            other.close()


def _speak(voice_out: PersonaVoice, text: str, voice: Voice, speaker: str | None) -> Playback:
    if speaker is not None and isinstance(voice_out, SpeakerVoice | WavFileVoice | TeeVoice):
        return voice_out.speak(text, voice, speaker=speaker)
    return voice_out.speak(text, voice)
