"""The caller's voice as turns: from the microphone, or from audio files through the very same path.

Audio arrives in 32 ms windows; each goes through the streaming VAD and the end-of-turn detector, which
transcribes speculatively. While a persona line plays, caller speech longer than a backchannel stops it
(barge-in); in speaker mode only speech clearly louder than the persona's own voice counts, since the
microphone hears the persona too. Audio files are fed window by window on the call clock, so a call run
from files exercises what a call at the microphone does.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simulator.config import Settings
from simulator.voice.audio_file import AudioFileError, read_audio

__all__ = ["AudioFileError", "AudioFileInput", "MicrophoneInput", "read_audio"]
from simulator.voice.ports import (
    Clock,
    InputLevel,
    InputStatus,
    Notify,
    PartialText,
    Playback,
    SimulatedClock,
    Utterance,
)
from simulator.voice.stt import Transcriber
from simulator.voice.turns import NotSpeech, PartialTranscript, SpeechStarted, TurnDetector, TurnEnded
from simulator.voice.vad import SAMPLE_RATE, WINDOW_SAMPLES, WINDOW_SECONDS, StreamingVad

LEVEL_EVERY = 3  # windows between level-meter updates (~100 ms)
POLL_SECONDS = 0.01  # how often a waiting listener checks a transcription in flight
LEAD_IN_SECONDS = 0.2  # silence before a file's audio, as before anyone speaks on a line
MAX_TAIL_SECONDS = 15.0  # silence fed after a file at most, waiting for its turn to end


def rms(samples: np.ndarray) -> float:
    """Root mean square of float samples: the same measure as the persona playback's `level()`."""
    if len(samples) == 0:
        return 0.0
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def meter_level(samples: np.ndarray) -> float:
    """Loudness for the level meter, 0..1: RMS on a -60..0 dBFS scale, as ears and meters work."""
    value = rms(samples)
    if value <= 1e-6:
        return 0.0
    return float(min(1.0, max(0.0, (20 * math.log10(value) + 60) / 60)))


class Listener:
    """VAD → end of turn → speech-to-text over a stream of windows, with barge-in; shared by both inputs."""

    def __init__(
        self,
        settings: Settings,
        transcriber: Transcriber,
        vocabulary: Sequence[str],
        background: bool,
    ) -> None:
        self.settings = settings
        self.transcriber = transcriber
        self.vocabulary = list(vocabulary)
        self.vad = StreamingVad()
        self.detector = TurnDetector(settings.listening, self._transcribe, background=background)
        self.barged_in = False
        self._windows = 0
        self._status: str | None = None
        self._during_playback = False
        self._playing: Playback | None = None

    def _transcribe(self, audio: np.ndarray) -> Any:
        return self.transcriber.transcribe(audio, self.vocabulary)

    def warm_up(self) -> None:
        self.vad.warm_up()
        self.transcriber.load()
        self.transcriber.warm_up()

    def begin(self, playing: Playback | None, notify: Notify) -> None:
        """A new listen(): remember what is playing, and say we are listening."""
        self._playing = playing
        self.barged_in = False
        self._status = None
        self._set_status("listening", notify)

    def _set_status(self, status: Any, notify: Notify) -> None:
        if status != self._status:
            self._status = status
            notify(InputStatus(status))

    def _persona_playing(self) -> bool:
        return self._playing is not None and not self._playing.done

    def handle(self, window: np.ndarray, now: float, notify: Notify) -> Utterance | None:
        """One 32 ms window that ended at `now`; returns the caller's turn when it has ended."""
        self._windows += 1
        if self._windows % LEVEL_EVERY == 0:
            notify(InputLevel(meter_level(window)))
        probability = self.vad.probability(window)
        playing = self._persona_playing()
        if (
            playing
            and self.settings.audio.mode == "speaker"
            and self._playing is not None
            and rms(window) < self._playing.level() * self.settings.listening.echo_ratio
        ):
            probability = 0.0  # the persona's own voice coming back through the microphone
        return self._handle_events(self.detector.feed(window, probability, now), now, notify)

    def poll(self, now: float, notify: Notify) -> Utterance | None:
        return self._handle_events(self.detector.poll(now), now, notify)

    def _handle_events(self, events: list[Any], now: float, notify: Notify) -> Utterance | None:
        self._check_barge_in()
        for event in events:
            if isinstance(event, SpeechStarted):
                self._during_playback = self._persona_playing()
                self._set_status("hearing", notify)
            elif isinstance(event, PartialTranscript):
                notify(PartialText(event.text))
            elif isinstance(event, NotSpeech):
                self._set_status("listening", notify)
            elif isinstance(event, TurnEnded):
                if self._is_backchannel(event):
                    self._set_status("listening", notify)
                    continue
                self._set_status("idle", notify)
                return Utterance(event.text, event.start, event.end, transcript_ready=event.decided_at)
        if self.detector.in_turn:  # in a pause while the turn so far is transcribed, or talking on
            self._set_status("transcribing" if self.detector.transcribing else "hearing", notify)
        return None

    def _check_barge_in(self) -> None:
        if not self._persona_playing() or not self.detector.in_turn or self._playing is None:
            return
        if self.detector.speech_seconds() * 1000 >= self.settings.listening.backchannel_ms:
            self._playing.stop()
            self.barged_in = True

    def _is_backchannel(self, turn: TurnEnded) -> bool:
        """'Mm-hm' over a persona line: not a turn of its own, and it did not interrupt."""
        short = (turn.end - turn.start) * 1000 < self.settings.listening.backchannel_ms
        return self._during_playback and short and not self.barged_in

    def close(self) -> None:
        self.detector.close()


class MicrophoneInput:
    """The caller at the microphone: sounddevice InputStream (16 kHz mono) → queue → VAD → turns → STT."""

    def __init__(self, settings: Settings, transcriber: Transcriber, vocabulary: Sequence[str], clock: Clock) -> None:
        self.settings = settings
        self._clock = clock
        self._listener = Listener(settings, transcriber, vocabulary, background=True)
        self._queue: queue.Queue[tuple[np.ndarray, float] | None] = queue.Queue()
        self._stream: Any = None
        self._closed = threading.Event()
        self._pending = np.zeros(0, dtype=np.float32)
        self._pending_end = 0.0
        self._lock = threading.Lock()
        # Seconds of silence, once the persona's line is over, after which listen() gives up and returns None
        # (the call's wrap-up turn: a caller who says nothing after a yes has hung up). None waits for ever.
        self.give_up_after: float | None = None
        self._quiet_since: float | None = None

    def start(self) -> None:
        """Open the microphone (done by the first `listen` if not before); AudioUnavailable if there is none."""
        from simulator.voice.devices import AudioUnavailable, check_input, load_sounddevice

        with self._lock:
            if self._stream is not None or self._closed.is_set():
                return
            device = check_input(self.settings.audio.input_device, SAMPLE_RATE)
            sd = load_sounddevice()
            try:
                stream = sd.InputStream(
                    samplerate=SAMPLE_RATE,
                    channels=1,
                    dtype="float32",
                    blocksize=WINDOW_SAMPLES,
                    device=device.index,
                    callback=self.on_audio,
                )
                stream.start()
            except Exception as error:  # PortAudio errors carry pages of detail; the caller gets one line
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                raise AudioUnavailable(f"cannot record from {device.name!r}: {reason}") from None
            self._stream = stream

    def warm_up(self) -> None:
        """Load and exercise the VAD and the speech model before the caller's first turn."""
        self._listener.warm_up()

    def on_audio(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """The InputStream callback, on PortAudio's thread: copy and hand over, nothing else (never blocks)."""
        self._queue.put_nowait((indata[:, 0].copy(), self._clock.now()))

    def press(self) -> None:
        """Push-to-talk: the caller starts talking."""
        self._listener.detector.press()

    def release(self) -> None:
        """Push-to-talk: the caller has finished; the turn is what was said since `press()`."""
        self._listener.detector.release()

    @property
    def barged_in(self) -> bool:
        return self._listener.barged_in

    def listen(self, playing: Playback | None, notify: Notify) -> Utterance | None:
        if self._closed.is_set():
            return None
        self.start()
        self._listener.begin(playing, notify)
        if len(self._pending) >= WINDOW_SAMPLES:
            utterance = self._take(np.zeros(0, dtype=np.float32), self._pending_end, notify)
            if utterance is not None:
                return utterance
        self._quiet_since = None
        while not self._closed.is_set():
            try:
                item = self._queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                utterance = self._listener.poll(self._clock.now(), notify)
                if utterance is not None:
                    return utterance
                if self._given_up(playing):
                    return None
                continue
            if item is None:
                break
            utterance = self._take(*item, notify)
            if utterance is not None:
                return utterance
            if self._given_up(playing):
                return None
        return None

    def _given_up(self, playing: Playback | None) -> bool:
        """Silent for `give_up_after` seconds since the persona's line ended (and not mid-turn)."""
        if self.give_up_after is None:
            return False
        if (playing is not None and not playing.done) or self._listener.detector.in_turn:
            self._quiet_since = None
            return False
        now = self._clock.now()
        if self._quiet_since is None:
            self._quiet_since = now
        return now - self._quiet_since >= self.give_up_after

    def _take(self, block: np.ndarray, block_end: float, notify: Notify) -> Utterance | None:
        samples = np.concatenate([self._pending, block]) if len(self._pending) else block
        used = 0
        utterance = None
        while utterance is None and len(samples) - used >= WINDOW_SAMPLES:
            window = samples[used : used + WINDOW_SAMPLES]
            used += WINDOW_SAMPLES
            now = block_end - (len(samples) - used) / SAMPLE_RATE
            utterance = self._listener.handle(window, now, notify)
        # What is left (part of a window, or the start of the next turn) waits for the next listen().
        self._pending = samples[used:].copy()
        self._pending_end = block_end
        return utterance

    def close(self) -> None:
        self._closed.set()
        self._queue.put(None)
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # closing a device that vanished must not turn a hang-up into a crash
                pass
        self._listener.close()


class AudioFileInput:
    """Each audio file is one caller turn, fed in 32 ms windows through the microphone's VAD/turn/STT path.

    The caller waits for the persona to finish, then "speaks" the file, followed by silence until the turn
    ends. On a simulated clock windows are fed at once and the clock moves by their length (plus the time
    transcription took); on a real clock they are fed at wall-clock pace, as a microphone would deliver them.
    """

    def __init__(
        self,
        paths: Sequence[Path],
        settings: Settings,
        transcriber: Transcriber,
        vocabulary: Sequence[str],
        clock: Clock,
    ) -> None:
        self.paths = [Path(path) for path in paths]
        # every file is decoded before the call starts: a bad one is reported before a call is half made
        decoded = {path: read_audio(path) for path in dict.fromkeys(self.paths)}  # a file named twice: once
        self._audio = [decoded[path] for path in self.paths]
        self._clock = clock
        self._simulated = isinstance(clock, SimulatedClock)
        self._listener = Listener(settings, transcriber, vocabulary, background=not self._simulated)
        self._next = 0
        self._closed = threading.Event()
        self.speech_ends: list[float] = []  # where each file's audio ended on the call clock (benchmarks)

    def warm_up(self) -> None:
        self._listener.warm_up()

    @property
    def barged_in(self) -> bool:
        return self._listener.barged_in

    def listen(self, playing: Playback | None, notify: Notify) -> Utterance | None:
        if playing is not None:
            while not playing.wait(0.05):
                if self._closed.is_set():
                    return None
        while self._next < len(self.paths) and not self._closed.is_set():
            audio = self._audio[self._next]
            self._next += 1
            utterance = self._feed_file(audio, notify)
            if utterance is not None:
                return utterance
        return None

    def _feed_file(self, audio: np.ndarray, notify: Notify) -> Utterance | None:
        self._listener.begin(None, notify)
        self._listener.vad.reset()
        self._listener.detector.reset()
        lead_in = np.zeros(round(LEAD_IN_SECONDS / WINDOW_SECONDS) * WINDOW_SAMPLES, dtype=np.float32)
        samples = np.concatenate([lead_in, audio, np.zeros((-len(audio)) % WINDOW_SAMPLES, dtype=np.float32)])
        silence = np.zeros(WINDOW_SAMPLES, dtype=np.float32)
        start = self._clock.now()
        self.speech_ends.append(start + (len(lead_in) + _speech_length(audio)) / SAMPLE_RATE)
        heard: list[Utterance] = []
        total = len(samples) // WINDOW_SAMPLES + int(MAX_TAIL_SECONDS / WINDOW_SECONDS)
        for index in range(total):
            if index * WINDOW_SAMPLES < len(samples):
                window = samples[index * WINDOW_SAMPLES : (index + 1) * WINDOW_SAMPLES]
            elif self._listener.detector.in_turn:
                window = silence
            else:
                break  # the file is over and no turn is in progress
            target = start + (index + 1) * WINDOW_SECONDS
            if self._simulated:
                self._clock.advance(target - self._clock.now())
                utterance = self._listener.handle(window, target, notify)
            else:
                utterance = self._sleep_until(target, notify) or self._listener.handle(window, target, notify)
            if self._closed.is_set():
                return None
            if utterance is not None:
                heard.append(utterance)
        if self._simulated and heard and heard[-1].transcript_ready is not None:
            self._clock.advance(heard[-1].transcript_ready - self._clock.now())
        return _joined(heard)

    def _sleep_until(self, target: float, notify: Notify) -> Utterance | None:
        """Wall-clock pacing, as a microphone delivers audio; a turn may end between two windows."""
        while (now := self._clock.now()) < target:
            time.sleep(min(POLL_SECONDS, target - now))
            utterance = self._listener.poll(self._clock.now(), notify)
            if utterance is not None:
                return utterance
        return None

    def close(self) -> None:
        self._closed.set()
        self._listener.close()


def _speech_length(audio: np.ndarray) -> int:
    """Samples up to the last one above -40 dBFS: where the speech in a file really ends."""
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return int(loud[-1]) + 1 if len(loud) else 0


def _joined(parts: list[Utterance]) -> Utterance | None:
    """A file is one caller turn, even where the caller paused long enough mid-file to end one."""
    if not parts:
        return None
    text = " ".join(part.text for part in parts)
    return Utterance(text, parts[0].start, parts[-1].end, transcript_ready=parts[-1].transcript_ready)
