"""The two audio-side interfaces the call session talks to, and the clock they share.

A caller input yields the caller's turns (from a microphone, audio files, typed text or a lines file); a
persona voice plays the personas' lines (speaker, WAV files, or silence). Every mode of a call is the same
session code over different implementations of these.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from simulator.scenario.model import Voice

InputStatusName = Literal["listening", "hearing", "transcribing", "idle"]


@dataclass(frozen=True)
class InputStatus:
    """What the caller input is doing now (shown by the TUI)."""

    status: InputStatusName


@dataclass(frozen=True)
class PartialText:
    """Speech-to-text so far while the caller is still talking."""

    text: str


@dataclass(frozen=True)
class InputLevel:
    """Microphone level, 0.0 to 1.0 (RMS, scaled), for the level meter."""

    level: float


InputEvent = InputStatus | PartialText | InputLevel
Notify = Callable[[InputEvent], None]


def ignore(_event: InputEvent) -> None:
    """A notify callback for callers that show nothing."""


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the call started."""
        ...

    def advance(self, seconds: float) -> None:
        """Let simulated time pass (a no-op for real time)."""
        ...


class WallClock:
    """Real time since the call started."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self._start

    def advance(self, seconds: float) -> None:
        return None


class SimulatedClock:
    """Time that moves only when told: text-mode calls get realistic, deterministic turn timings."""

    def __init__(self) -> None:
        self._now = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)


@dataclass
class Utterance:
    """One caller turn as heard: text plus when it was said (call clock seconds)."""

    text: str
    start: float
    end: float  # end of speech
    transcript_ready: float | None = None


class Playback(Protocol):
    """A persona line being played; the caller input may stop it (barge-in)."""

    text: str

    @property
    def done(self) -> bool: ...

    @property
    def interrupted(self) -> bool: ...

    @property
    def first_audio_at(self) -> float | None:
        """Call-clock time the first sample reached the output (None before it has)."""
        ...

    @property
    def finished_at(self) -> float | None:
        """Call-clock time the line finished or was stopped (None while it plays)."""
        ...

    def level(self) -> float:
        """Loudness of what is playing right now, 0.0 to 1.0 (speaker mode compares the mic against it)."""
        ...

    def heard_fraction(self) -> float:
        """Share of the line played so far (1.0 once finished without interruption)."""
        ...

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the line has finished or was stopped; True if it has."""
        ...

    def stop(self) -> None:
        """Stop playing now (barge-in or hang-up); safe to call twice."""
        ...


class PersonaVoice(Protocol):
    def speak(self, text: str, voice: Voice, speaker: str | None = None) -> Playback:
        """Start saying `text` in `voice` and return at once; the line plays in the background."""
        ...

    def close(self) -> None: ...


class CallerInput(Protocol):
    def listen(self, playing: Playback | None, notify: Notify) -> Utterance | None:
        """Block until the caller's next turn and return it; None when the caller has nothing more to say.

        While `playing` is not done, speech from the caller that is longer than a backchannel stops it
        (barge-in); the returned utterance is what the caller said over it.
        """
        ...

    def close(self) -> None:
        """Release devices; also wakes a blocked `listen`, which then returns None."""
        ...


# -- what some caller inputs can do besides listening (a microphone can; typed text and files cannot) ------


@runtime_checkable
class PushToTalk(Protocol):
    """An input the caller can hold open with a key: speech counts between `press` and `release`."""

    def press(self) -> None: ...

    def release(self) -> None: ...


@runtime_checkable
class WarmsUp(Protocol):
    """An input with models to load (VAD, speech-to-text) that can be loaded ahead of the first turn."""

    def warm_up(self) -> None: ...


@runtime_checkable
class GivesUpAfterSilence(Protocol):
    """An input that ends the caller's turn as "nothing more to say" after this many quiet seconds."""

    give_up_after: float | None


@runtime_checkable
class TakesTypedTurns(Protocol):
    """An input fed with text from a keyboard (the app's input box); `submit` may come from any thread."""

    def submit(self, text: str) -> None: ...
