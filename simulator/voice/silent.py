"""A persona voice that plays nothing: text-mode calls, tests, and machines with no speaker.

With a simulated clock it lets the line's speaking time pass, so a typed call gets the timings it would
have had out loud, and scoring's metrics (talk ratio, gaps) stay meaningful.
"""

from __future__ import annotations

from simulator.scenario.model import Voice
from simulator.voice.ports import Clock

RESPONSE_GAP_SECONDS = 0.4  # a persona's pause before answering, as on a real call


def speaking_seconds(text: str, words_per_minute: float) -> float:
    """How long `text` takes to say at a speaking rate."""
    return len(text.split()) * 60.0 / max(words_per_minute, 1.0)


class FinishedPlayback:
    """A line already fully 'played' at the moment it was created."""

    def __init__(self, text: str, started_at: float, finished_at: float) -> None:
        self.text = text
        self._started_at = started_at
        self._finished_at = finished_at

    @property
    def done(self) -> bool:
        return True

    @property
    def interrupted(self) -> bool:
        return False

    @property
    def first_audio_at(self) -> float | None:
        return self._started_at

    @property
    def finished_at(self) -> float | None:
        return self._finished_at

    def level(self) -> float:
        return 0.0

    def heard_fraction(self) -> float:
        return 1.0

    def wait(self, timeout: float | None = None) -> bool:
        return True

    def stop(self) -> None:
        return None


class SilentVoice:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def speak(self, text: str, voice: Voice, speaker: str | None = None) -> FinishedPlayback:
        self._clock.advance(RESPONSE_GAP_SECONDS)
        start = self._clock.now()
        self._clock.advance(speaking_seconds(text, voice.rate))
        return FinishedPlayback(text, start, self._clock.now())

    def close(self) -> None:
        return None
