"""Scoring a call: conversation metrics and three scores (rigidity, value added, next step), with evidence."""

from simulator.scoring.rubric import ScoreReport, score_transcript

__all__ = ["ScoreReport", "score_transcript"]
