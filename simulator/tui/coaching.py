"""Help during a coached call: the rubric's three reminders, a hint on demand, and rare unprompted nudges.

The texts live here, in one place, so the Prepare screen and the Call screen say the same thing. The hint
itself is the scoring package's own tip for the weakest score on the call so far: the coach judges nothing
the report would judge differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from simulator.scoring.report import LOWER_IS_BETTER, SCORE_LABELS, ScoreName, goodness, plain_words
from simulator.transcript import Transcript

Mode = Literal["coached", "exam"]

NUDGE_INTERVAL = 20.0
"""Seconds that must pass between two unprompted nudges."""
MONOLOGUE_SECONDS = 30.0
"""A caller who talks longer than this without a break gets a nudge."""

REMINDERS: dict[ScoreName, str] = {
    "value_added": "Give before you ask: say early why you are calling, with a fact from your research "
    "and something useful to them (an insight, a benchmark, an introduction).",
    "rigidity": "Prepared, not scripted: keep turns short, answer the question they asked, ask questions back.",
    "next_step": "Position the next contact before you hang up: a day and a time, and who calls whom.",
}
"""One reminder per score, shown on the Prepare screen and as the hint when no call has started."""

WRAP_UP_HINTS: dict[str, str] = {
    "meeting_booked": "Agreed. Say it back (day, time, who calls whom) and goodbye",
    "callback_scheduled": "Agreed. Say it back (day, time, who calls whom) and goodbye",
    "message_taken": "Nothing is booked: they will only pass a message on. Thank them, leave your name and "
    "number, and say goodbye",
}
"""What the caller's last turn is for, by the outcome the persona reached (a message is no agreement)."""
WRAP_UP_FALLBACK = "The call is ending: thank them and say goodbye"


# How a score reads (its label, which way is better) belongs to scoring; the app only shows it.
__all__ = ["LOWER_IS_BETTER", "SCORE_LABELS", "goodness", "plain_words"]


def weakest(scores: Mapping[str, float], caller_turns: int) -> ScoreName:
    """The score most worth working on now; next step only counts once the call is under way."""
    candidates: list[ScoreName] = ["value_added", "rigidity"]
    if caller_turns >= 2:
        candidates.append("next_step")
    return min(candidates, key=lambda name: goodness(name, scores.get(name, 0.0)))


def hint(transcript: Transcript) -> str:
    """One suggestion for the call so far: the scoring rubric's tip for its weakest score."""
    caller_turns = len(transcript.caller_turns())
    if caller_turns == 0:
        return REMINDERS["value_added"]
    from simulator.scoring import score_transcript

    report = score_transcript(transcript)
    name = weakest(report.scores, caller_turns)
    tip = report.tips.get(name)
    return tip if tip else REMINDERS[name]


@dataclass
class Coach:
    """Decides when an unprompted nudge is due; exam mode never nudges.

    Time is whatever clock the call runs on (seconds); the coach only compares instants, so a simulated
    clock in tests behaves like the wall clock on a real call.
    """

    mode: Mode = "coached"
    interval: float = NUDGE_INTERVAL
    monologue_seconds: float = MONOLOGUE_SECONDS
    _last_nudge: float | None = field(default=None, init=False)
    _talking_since: float | None = field(default=None, init=False)

    @property
    def helps(self) -> bool:
        return self.mode == "coached"

    def caller_started(self, now: float) -> None:
        if self._talking_since is None:
            self._talking_since = now

    def caller_stopped(self) -> None:
        self._talking_since = None

    def _nudge(self, now: float, text: str) -> str | None:
        if not self.helps:
            return None
        if self._last_nudge is not None and now - self._last_nudge < self.interval:
            return None
        self._last_nudge = now
        return text

    def tick(self, now: float) -> str | None:
        """Called every second or so: a nudge when the caller's current turn has become a monologue."""
        if self._talking_since is not None and now - self._talking_since > self.monologue_seconds:
            return self._nudge(now, monologue_nudge(now - self._talking_since))
        return None

    def caller_turn(self, now: float, duration: float) -> str | None:
        """A caller turn ended: a nudge if it ran long (typed turns are timed by the call clock too)."""
        self.caller_stopped()
        if duration > self.monologue_seconds:
            return self._nudge(now, monologue_nudge(duration))
        return None

    def persona_patience(self, now: float, name: str, patience: int) -> str | None:
        """A persona spoke: a nudge when one more pushy or vague turn could end the call."""
        from simulator.persona.engine import MAX_PATIENCE_LOSS_PER_TURN

        if patience <= MAX_PATIENCE_LOSS_PER_TURN:
            return self._nudge(
                now, f"{name} is running out of patience: get to your reason, or offer a concrete next step."
            )
        return None


def wrap_up_hint(outcome: str, typed: bool) -> str:
    """The line shown for the caller's last turn; "Agreed" only when the persona agreed to a next step."""
    done = "hang up (ctrl+x)" if typed else "stay quiet or hang up (ctrl+x)"
    return f"{WRAP_UP_HINTS.get(outcome, WRAP_UP_FALLBACK)}, or {done}."


def monologue_nudge(seconds: float) -> str:
    return f"You have talked for {round(seconds)} seconds: stop, and ask them a question."
