"""One score as a bar with plain words, and the change since the last attempt."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from simulator.tui.coaching import LOWER_IS_BETTER, ScoreName, goodness, plain_words


def change_words(score: ScoreName, value: float, previous: float | None) -> str:
    """'+8 better', '-3 worse', 'same' against the last attempt, or '' when there is none."""
    if previous is None:
        return ""
    delta = round(value) - round(previous)
    if delta == 0:
        return "same"
    better = (delta < 0) if score in LOWER_IS_BETTER else (delta > 0)
    return f"{delta:+d} {'better' if better else 'worse'}"


class ScoreBar(Horizontal):
    DEFAULT_CLASSES = "score-bar"

    def __init__(self, score: ScoreName, value: float, previous: float | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.score = score
        self.value = value
        self.previous = previous

    def compose(self) -> ComposeResult:
        quality = goodness(self.score, self.value)
        level = "good" if quality >= 66 else "fair" if quality >= 40 else "poor"
        yield Label(plain_words(self.score, self.value), classes="score-words")
        bar = ProgressBar(total=100, show_eta=False, show_percentage=False, classes=f"score-level {level}")
        bar.progress = self.value
        yield bar
        yield Label(change_words(self.score, self.value, self.previous), classes="score-change")
