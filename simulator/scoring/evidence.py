"""What a score is made of: criteria with capped ranges, and evidence quoting the caller's words.

Kept apart from the rubric so the tips (feedback.py) and the rubric share one picture of a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.scoring.language import words


@dataclass(frozen=True)
class Evidence:
    """One observation behind a score: the caller's words, and how many points they moved it."""

    criterion: str
    turn: int
    text: str
    points: float
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "text": self.text,
            "effect": "+" if self.points > 0 else "-",
            "why": self.why,
            "points": round(self.points, 1),
            "criterion": self.criterion,
        }


@dataclass(frozen=True)
class Criterion:
    """A rule of one score: the range its points are capped to, and what the best call gets from it."""

    key: str
    label: str
    low: float
    high: float
    best: float


@dataclass
class ScoreCard:
    """One score being built: a base, the criteria (each capped to its range) and their evidence."""

    name: str
    base: float
    criteria: list[Criterion]
    evidence: list[Evidence] = field(default_factory=list)

    def add(self, criterion: str, turn: int, text: str, points: float, why: str) -> None:
        self.evidence.append(Evidence(criterion, turn, text, points, why))

    def points(self, key: str) -> float:
        rule = next(rule for rule in self.criteria if rule.key == key)
        raw = sum(item.points for item in self.evidence if item.criterion == key)
        return min(rule.high, max(rule.low, raw))

    @property
    def value(self) -> int:
        total = self.base + sum(self.points(rule.key) for rule in self.criteria)
        return int(round(min(100.0, max(0.0, total))))

    def shortfalls(self) -> list[tuple[float, Criterion]]:
        """Points each criterion cost compared with the best call, largest first."""
        lost = [(abs(rule.best - self.points(rule.key)), rule) for rule in self.criteria]
        return sorted(lost, key=lambda pair: -pair[0])


def quote(text: str, start: int = 0, length: int = 30) -> str:
    """The caller's own words (original spelling) from normalised word `start`, at most `length` words."""
    pieces = text.split()
    if len(words(text)) <= length:
        return " ".join(pieces)
    position = 0
    first = 0
    for index, piece in enumerate(pieces):
        if position >= max(0, start - 3):
            first = index
            break
        position += len(words(piece))
    chosen = pieces[first : first + length]
    prefix = "… " if first else ""
    suffix = " …" if first + length < len(pieces) else ""
    return prefix + " ".join(chosen) + suffix
