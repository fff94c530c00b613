"""Is the caller getting better? The mean of the earlier half of the scored calls against the later half.

Halves rather than a fitted slope because a caller can check it by hand from the list above it, and one
odd call moves it less than it moves a line through a handful of points. Rigidity is lower-is-better, so
"better" is worked out per score, not read off the arrow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from simulator.history.store import SCORE_NAMES, CallSummary

LOWER_IS_BETTER = frozenset({"rigidity"})
STEADY_WITHIN = 1.0  # points: smaller changes are noise on a 0-100 score
MIN_CALLS = 2


@dataclass(frozen=True)
class Trend:
    score: str
    calls: int
    earlier: float
    later: float

    @property
    def change(self) -> float:
        return self.later - self.earlier

    @property
    def direction(self) -> Literal["up", "down", "steady"]:
        if abs(self.change) < STEADY_WITHIN:
            return "steady"
        return "up" if self.change > 0 else "down"

    @property
    def verdict(self) -> Literal["better", "worse", "steady"]:
        if self.direction == "steady":
            return "steady"
        improving = (self.direction == "down") == (self.score in LOWER_IS_BETTER)
        return "better" if improving else "worse"

    @property
    def arrow(self) -> str:
        return {"up": "↑", "down": "↓", "steady": "→"}[self.direction]

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "earlier_mean": round(self.earlier, 1),
            "later_mean": round(self.later, 1),
            "change": round(self.change, 1),
            "direction": self.direction,
            "verdict": self.verdict,
            "lower_is_better": self.score in LOWER_IS_BETTER,
        }


def ran_to_an_outcome(call: CallSummary) -> bool:
    """A finished, scored call the persona ended (booked, rejected, hung up...): an attempt that counts.

    A call the caller left before an outcome (hung up after one turn, quit the app) keeps its transcript
    and its partial scores, but trends, "last" and "best" would be flattered or dragged by a half-made call.
    """
    return call.complete and call.scores is not None and call.outcome is not None


def score_trends(calls: Sequence[CallSummary]) -> dict[str, Trend | None]:
    """One trend per score over the calls that ran to an outcome, oldest first; None while fewer than two."""
    scored = [call.scores for call in calls if ran_to_an_outcome(call) and call.scores is not None]
    trends: dict[str, Trend | None] = {}
    for name in SCORE_NAMES:
        values = [getattr(scores, name) for scores in scored]
        trends[name] = halves_trend(name, values)
    return trends


def halves_trend(score: str, values: Sequence[float]) -> Trend | None:
    """Earlier half against later half; with an odd count the middle call belongs to neither."""
    if len(values) < MIN_CALLS:
        return None
    half = len(values) // 2
    earlier, later = values[:half], values[len(values) - half :]
    return Trend(score=score, calls=len(values), earlier=sum(earlier) / half, later=sum(later) / half)
