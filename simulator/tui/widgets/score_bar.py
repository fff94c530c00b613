"""One score as a bar with plain words, and the change since the last attempt."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from simulator.scoring.report import ScoreName, change_words, level, plain_words

__all__ = ["ScoreBar", "change_words"]


class ScoreBar(Horizontal):
    DEFAULT_CLASSES = "score-bar"

    def __init__(self, score: ScoreName, value: float, previous: float | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.score = score
        self.value = value
        self.previous = previous

    def compose(self) -> ComposeResult:
        yield Label(plain_words(self.score, self.value), classes="score-words")
        bar = ProgressBar(
            total=100, show_eta=False, show_percentage=False, classes=f"score-level {level(self.score, self.value)}"
        )
        bar.progress = self.value
        yield bar
        yield Label(change_words(self.score, self.value, self.previous), classes="score-change")
