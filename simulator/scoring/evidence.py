"""Evidence: one observation behind a score, quoting the caller's own words."""

from __future__ import annotations

from dataclasses import dataclass
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
