"""The three scores of a call together: each read from one reading of the call, with tips and metrics.

Each score is a base plus the rows of its table (rigidity.py, value_added.py, next_step.py); every row
that moves a score leaves evidence quoting the caller's own words, and a row that earns nothing still
says why, so no score is a silent zero. docs/scoring.md shows the tables and the teaching behind them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simulator.scoring import next_step, rigidity, value_added
from simulator.scoring.feedback import choose_tips
from simulator.scoring.metrics import Metric, compute_metrics
from simulator.scoring.reading import read_call
from simulator.scoring.rules import ScoreCard
from simulator.transcript import Transcript


@dataclass(frozen=True)
class ScoreReport:
    """Scores, evidence, tips and metrics of one call; `to_dict()` is what history stores and --json prints."""

    cards: tuple[ScoreCard, ...]
    tips: dict[str, str]
    metrics: tuple[Metric, ...]
    cross_call: dict[str, Any]

    @property
    def scores(self) -> dict[str, int]:
        return {card.name: card.value for card in self.cards}

    def to_dict(self) -> dict[str, Any]:
        return {
            "scores": self.scores,
            "evidence": {card.name: [item.to_dict() for item in card.evidence] for card in self.cards},
            "tips": dict(self.tips),
            "metrics": {metric.name: metric.to_dict() for metric in self.metrics},
            "cross_call": dict(self.cross_call),
            "criteria": {
                card.name: [
                    {"criterion": rule.key, "label": rule.looks_for, "points": round(card.points(rule.key), 1),
                     "range": [rule.low, rule.high]}
                    for rule in card.rules if rule.low != rule.high
                ]
                for card in self.cards
            },
        }  # fmt: skip


def score_transcript(transcript: Transcript, earlier_openings: Sequence[str] = ()) -> ScoreReport:
    """Score one call. Pure: the same transcript and earlier openings always give the same report."""
    call = read_call(transcript)
    rigid, cross = rigidity.score(call, earlier_openings)
    cards = (rigid, value_added.score(call), next_step.score(call))
    return ScoreReport(cards=cards, tips=choose_tips(cards, call), metrics=tuple(compute_metrics(transcript)),
                       cross_call=cross)  # fmt: skip
