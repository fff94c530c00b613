"""When has the caller finished? End-of-turn detection fed one 32 ms VAD window at a time.

A fixed silence is either too slow (people leave ~200 ms between turns) or cuts callers off mid-thought.
So after a short pause the turn so far is transcribed speculatively, in the background; if the caller
goes on, that result is thrown away. The words then decide how long to wait: a finished sentence or a
question ends the turn after a short pause, a trailing "and..." or "um" after a long one. In push-to-talk
mode the turn is simply the audio between press and release.
"""

from __future__ import annotations

import math
import re
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.config import Listening
from simulator.voice.stt import TranscriptionResult
from simulator.voice.vad import WINDOW_SECONDS

PRE_ROLL_SECONDS = 0.3  # audio kept from before the VAD fired, so the first syllable is not clipped
HYSTERESIS = 0.15  # inside a turn, a window is silence only below threshold minus this (as Silero does)

# Words after which the caller has not finished, however Whisper punctuates it: conjunctions and fillers
# ("and...", "um"), and, unless Whisper heard a question, words that cannot end a statement ("the", "of").
CONJUNCTIONS_AND_FILLERS = frozenset(
    ("and", "but", "so", "or", "because", "cause", "plus", "also", "if", "um", "uh", "er", "erm", "hmm", "like")
)
OPEN_ENDED = frozenset(("with", "to", "the", "a", "an", "of", "for", "my", "our", "your", "their", "at", "in", "on"))
TRAILING_WORDS = CONJUNCTIONS_AND_FILLERS | OPEN_ENDED

Transcribe = Callable[[np.ndarray], TranscriptionResult]


def ends_on_trailing_word(text: str) -> bool:
    """True when the words stop mid-thought: on "and", "but", "um"..., or an ellipsis.

    A question may end on a preposition ("Who am I speaking with?") and still be finished. A final comma
    is not enough: tiny.en puts one after complete questions often enough ("...about route costs,") that
    waiting the long pause for it cost more than it saved; such text waits like unpunctuated text.
    """
    stripped = text.strip()
    if stripped.endswith(("...", "…", "-", ";", ":")):
        return True
    words = re.findall(r"[a-z0-9']+", stripped.lower())
    if not words:
        return False
    if stripped.endswith("?"):
        return words[-1] in CONJUNCTIONS_AND_FILLERS
    return words[-1] in TRAILING_WORDS


def sounds_finished(text: str) -> bool:
    """True when the words end a sentence or a question (and not on a conjunction or a filler)."""
    stripped = text.strip()
    return bool(stripped) and stripped[-1] in ".?!" and not ends_on_trailing_word(stripped)


def pause_needed_ms(text: str, settings: Listening) -> int:
    """How long a pause ends the turn after these words.

    A finished sentence or question: `end_pause_ms`. A trailing "and..."/"um": `trailing_pause_ms`.
    Words without closing punctuation, which tiny.en often leaves off a complete sentence: a quarter of the
    way from the one to the other.
    """
    if sounds_finished(text):
        return settings.end_pause_ms
    if ends_on_trailing_word(text):
        return settings.trailing_pause_ms
    return settings.end_pause_ms + max(0, settings.trailing_pause_ms - settings.end_pause_ms) // 4


@dataclass(frozen=True)
class SpeechStarted:
    at: float


@dataclass(frozen=True)
class PartialTranscript:
    """What the caller has said so far (from a speculative transcription)."""

    text: str


@dataclass(frozen=True)
class NotSpeech:
    """Something set the VAD off but Whisper heard no words in it (a cough, a door): no turn."""

    start: float
    end: float


@dataclass(frozen=True)
class TurnEnded:
    audio: np.ndarray
    start: float  # when speech began (call clock)
    end: float  # end of the caller's last word
    result: TranscriptionResult
    decided_at: float  # when the turn was known to be over, with its text
    discarded_speculations: int  # speculative transcripts thrown away because the caller went on

    @property
    def text(self) -> str:
        return self.result.text


TurnEvent = SpeechStarted | PartialTranscript | NotSpeech | TurnEnded


class _Job:
    """One transcription of the turn so far; `version` says which stretch of speech it covers."""

    def __init__(self, version: int, future: Future[TranscriptionResult], ready_at: float | None) -> None:
        self.version = version
        self.future = future
        self.ready_at = ready_at  # inline transcription: when a background one would have finished
        self.reported = False

    def done(self, now: float) -> bool:
        return self.future.done() and (self.ready_at is None or now >= self.ready_at)


class TurnDetector:
    """Turns a stream of (window, speech probability) into caller turns with their text.

    Not thread-safe except `press()`/`release()`, which the UI thread may call while another thread feeds.
    With `background=False` speculative transcriptions run inline (simulated clocks, tests).
    """

    def __init__(self, settings: Listening, transcribe: Transcribe, background: bool = True) -> None:
        self.settings = settings
        self._transcribe = transcribe
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="callsim-stt") if background else None
        self._start_windows = max(1, math.ceil(settings.speech_start_ms / 1000 / WINDOW_SECONDS))
        self._pre_roll: deque[np.ndarray] = deque(maxlen=max(1, round(PRE_ROLL_SECONDS / WINDOW_SECONDS)))
        self._ptt_lock = threading.Lock()
        self._ptt_down = False
        self._ptt_pressed = False
        self.reset()

    # -- push-to-talk (called from the UI thread) ---------------------------------------------------------

    @property
    def push_to_talk(self) -> bool:
        return self.settings.mode == "push_to_talk"

    def press(self) -> None:
        with self._ptt_lock:
            self._ptt_down = True
            self._ptt_pressed = True

    def release(self) -> None:
        with self._ptt_lock:
            self._ptt_down = False

    # -- state -------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to waiting for speech; any transcription in flight is ignored."""
        self._in_turn = False
        self._audio: list[np.ndarray] = []
        self._run = 0
        self._start = 0.0
        self._last_speech = 0.0
        self._paused = False
        self._version = 0
        self._job: _Job | None = None
        self._stale: list[_Job] = []
        self._discarded = 0
        self._forced = False
        self._pre_roll.clear()

    @property
    def in_turn(self) -> bool:
        return self._in_turn

    @property
    def transcribing(self) -> bool:
        """A transcription of this turn is in flight."""
        return self._job is not None and not self._job.future.done()  # (inline jobs are never "in flight")

    def speech_seconds(self) -> float:
        """How long the caller has been talking in this turn so far (0 outside a turn)."""
        return self._last_speech - self._start if self._in_turn else 0.0

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    # -- feeding -----------------------------------------------------------------------------------------

    def feed(self, window: np.ndarray, probability: float, now: float) -> list[TurnEvent]:
        """One 32 ms window that ended at call-clock time `now`, and the VAD's speech probability for it."""
        if self.push_to_talk:
            return self._feed_push_to_talk(window, now)
        events: list[TurnEvent] = []
        threshold = self.settings.vad_threshold
        if not self._in_turn:
            self._pre_roll.append(window)
            self._run = self._run + 1 if probability >= threshold else 0
            if self._run >= self._start_windows:
                self._begin(now - self._run * WINDOW_SECONDS, now)
                events.append(SpeechStarted(self._start))
            return events
        if self._forced:
            return self.poll(now)
        self._audio.append(window)
        speaking = probability >= threshold - HYSTERESIS if not self._paused else probability >= threshold
        if speaking:
            if self._paused:
                self._resume()
            self._last_speech = now
        else:
            self._paused = True
            if self._job is None and now - self._last_speech >= self.settings.speculative_pause_ms / 1000:
                self._submit(now)
        if now - self._start >= self.settings.max_turn_seconds:
            self._forced = True
            if self._job is None:
                self._submit(now)
        return events + self.poll(now)

    def _feed_push_to_talk(self, window: np.ndarray, now: float) -> list[TurnEvent]:
        with self._ptt_lock:
            pressed, down = self._ptt_pressed, self._ptt_down
            self._ptt_pressed = False
        events: list[TurnEvent] = []
        if not self._in_turn:
            self._pre_roll.append(window)
            if pressed:
                self._begin(now - WINDOW_SECONDS, now)
                events.append(SpeechStarted(self._start))
            else:
                return events
        elif self._job is None:
            self._audio.append(window)
            self._last_speech = now
        if not down and self._job is None:
            self._forced = True
            self._submit(now)
        return events + self.poll(now)

    def poll(self, now: float) -> list[TurnEvent]:
        """Check a transcription in flight; call between windows so a finished one is not left waiting."""
        events: list[TurnEvent] = []
        for stale in self._stale:
            if stale.done(now) and not stale.future.cancelled() and not stale.reported:
                stale.reported = True
                text = stale.future.result().text
                if text:
                    events.append(PartialTranscript(text))
        self._stale = [stale for stale in self._stale if not (stale.reported or stale.future.cancelled())]
        job = self._job
        if not self._in_turn or job is None or not job.done(now):
            return events
        result = job.future.result()
        if result.text and not job.reported:
            job.reported = True
            events.append(PartialTranscript(result.text))
        pause = now - self._last_speech
        if not result.text:
            if self._forced or pause >= self.settings.end_pause_ms / 1000:
                events.append(NotSpeech(self._start, self._last_speech))
                self._finish()
            return events
        needed = pause_needed_ms(result.text, self.settings)
        if self._forced or pause >= needed / 1000:
            events.append(
                TurnEnded(
                    audio=np.concatenate(self._audio),
                    start=self._start,
                    end=self._last_speech,
                    result=result,
                    decided_at=now,
                    discarded_speculations=self._discarded,
                )
            )
            self._finish()
        return events

    def wait(self, timeout: float | None = None) -> None:
        """Block until the transcription in flight (if any) is done."""
        if self._job is not None:
            try:
                self._job.future.exception(timeout)
            except TimeoutError:
                return

    # -- inside a turn -----------------------------------------------------------------------------------

    def _begin(self, start: float, now: float) -> None:
        self._in_turn = True
        self._audio = list(self._pre_roll)
        self._pre_roll.clear()
        self._start = start
        self._last_speech = now
        self._paused = False
        self._discarded = 0
        self._forced = False
        self._version += 1

    def _resume(self) -> None:
        """The caller went on after a pause: a transcription of the turn so far is now out of date."""
        self._paused = False
        self._version += 1
        if self._job is not None:
            self._discarded += 1
            if not self._job.future.cancel():
                self._stale.append(self._job)
            self._job = None

    def _submit(self, now: float) -> None:
        audio = np.concatenate(self._audio)
        future: Future[TranscriptionResult]
        ready_at = None
        if self._executor is None:
            future = Future()
            result = self._transcribe(audio)
            future.set_result(result)
            ready_at = now + result.seconds  # as if it had run alongside the audio still arriving
        else:
            try:
                future = self._executor.submit(self._transcribe, audio)
            except RuntimeError:  # closed (the call was hung up) while a window was being handled
                return
        self._job = _Job(self._version, future, ready_at)

    def _finish(self) -> None:
        self._in_turn = False
        self._audio = []
        self._job = None
        self._run = 0
        self._forced = False
        self._paused = False
        self._version += 1
