"""Rules as tables: each criterion of a score is one named row, and a score card adds up their evidence.

A row says what the criterion looks for, the points it moves the score by each time it is met in full,
the lesser points for meeting it in part, and the cap on its total, so one habit cannot swamp the rest.
The rows of each score live in its own module (rigidity.py, value_added.py, next_step.py);
docs/scoring.md shows the same tables and a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from simulator.scoring.evidence import Evidence


@dataclass(frozen=True)
class Rule:
    """One criterion: `points` each time it is met in full (signed: + raises the score), `partial` the
    lesser amounts for meeting it in part, `cap` the most its total can move the score (same sign)."""

    key: str
    looks_for: str
    points: float
    partial: tuple[float, ...] = ()
    cap: float = 0.0
    best: float = 0.0  # what the best call gets from it (the tips measure what was missed against it)

    @property
    def low(self) -> float:
        return min(0.0, self.cap)

    @property
    def high(self) -> float:
        return max(0.0, self.cap)


@dataclass
class ScoreCard:
    """One score being built: a base, its rule rows (each capped) and their evidence."""

    name: str
    base: float
    rules: Sequence[Rule]
    scale: float = 1.0  # value added without research facts: the other gains carry its weight
    evidence: list[Evidence] = field(default_factory=list)

    def rule(self, key: str) -> Rule:
        return next(rule for rule in self.rules if rule.key == key)

    def add(self, key: str, turn: int, text: str, points: float, why: str) -> None:
        """Evidence with points worked out by the criterion (scaled like the row's cap)."""
        self.evidence.append(Evidence(key, turn, text, points * self.scale, why))

    def award(self, key: str, where: tuple[int, str], why: str, level: int = 0) -> None:
        """Evidence for a row met in full (level 0) or in part (level 1, 2…: the row's partial amounts)."""
        rule = self.rule(key)
        points = rule.points if level == 0 else rule.partial[level - 1]
        self.add(key, where[0], where[1], points, why)

    def note(self, key: str, where: tuple[int, str], why: str) -> None:
        """A row that earned nothing, said out loud: no score is a silent zero."""
        self.evidence.append(Evidence(key, where[0], where[1], 0.0, why))

    def points(self, key: str) -> float:
        rule = self.rule(key)
        raw = sum(item.points for item in self.evidence if item.criterion == key)
        return min(rule.high * self.scale, max(rule.low * self.scale, raw))

    def earned(self, key: str) -> bool:
        return any(item.criterion == key and item.points for item in self.evidence)

    @property
    def value(self) -> int:
        total = self.base + sum(self.points(rule.key) for rule in self.rules)
        return int(round(min(100.0, max(0.0, total))))

    def shortfalls(self) -> list[tuple[float, Rule]]:
        """Points each criterion cost compared with the best call, largest first."""
        lost = [(abs(rule.best * self.scale - self.points(rule.key)), rule) for rule in self.rules]
        return sorted(lost, key=lambda pair: -pair[0])
