"""The one report model and formatter: how a score reads (its bar, its words, its direction, the good
ranges of the metrics) for the terminal (`callsim score`, `callsim report`) and the app alike.

It reads the report dict (`ScoreReport.to_dict()`), the same form history stores, so a call scored
today and one read back from the database print the same way. "Lower is better" lives here, in scoring,
not in the app: the app asks `goodness`, `plain_words` and `change_words`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

ScoreName = Literal["rigidity", "value_added", "next_step"]
SCORE_NAMES: tuple[ScoreName, ...] = ("rigidity", "value_added", "next_step")
SCORE_LABELS: dict[ScoreName, str] = {"rigidity": "Rigidity", "value_added": "Value added", "next_step": "Next step"}
LOWER_IS_BETTER: frozenset[ScoreName] = frozenset({"rigidity"})
SCORE_TITLES = {
    "rigidity": "Rigidity (lower is better)",
    "value_added": "Value added",
    "next_step": "Next-step positioning",
}
BAR_WIDTH = 20


def direction(score: str) -> str:
    return "lower is better" if score in LOWER_IS_BETTER else "higher is better"


def plain_words(score: ScoreName, value: float) -> str:
    """'rigidity 22 — lower is better': the score as a sentence a caller reads at a glance."""
    return f"{SCORE_LABELS[score].lower()} {round(value)} — {direction(score)}"


def goodness(score: str, value: float) -> float:
    """The score on a 0–100 scale where higher is always better (rigidity flipped)."""
    return 100.0 - value if score in LOWER_IS_BETTER else value


def level(score: str, value: float) -> str:
    """'good', 'fair' or 'poor', whichever way the score runs."""
    quality = goodness(score, value)
    return "good" if quality >= 66 else "fair" if quality >= 40 else "poor"


def score_bar(score: str, value: float, width: int = BAR_WIDTH) -> str:
    """The score as a bar of `width` cells, filled by its value ("█████░░░░░")."""
    filled = round(max(0.0, min(100.0, value)) / 100 * width)
    return "█" * filled + "░" * (width - filled)


def change_words(score: str, value: float, previous: float | None) -> str:
    """'+8 better', '-3 worse', 'same' against the last attempt, or '' when there is none."""
    if previous is None:
        return ""
    delta = round(value) - round(previous)
    if delta == 0:
        return "same"
    better = (delta < 0) if score in LOWER_IS_BETTER else (delta > 0)
    return f"{delta:+d} {'better' if better else 'worse'}"


@dataclass(frozen=True)
class ScoreLine:
    """One score as shown anywhere: its value, bar, level and words."""

    name: ScoreName
    value: float

    @property
    def title(self) -> str:
        return SCORE_TITLES[self.name]

    @property
    def words(self) -> str:
        return plain_words(self.name, self.value)

    @property
    def bar(self) -> str:
        return score_bar(self.name, self.value)

    @property
    def level(self) -> str:
        return level(self.name, self.value)


def score_lines(report: Mapping[str, Any]) -> list[ScoreLine]:
    """The scores a report dict has, in the usual order."""
    scores = report.get("scores") or {}
    return [ScoreLine(name, float(scores[name])) for name in SCORE_NAMES if isinstance(scores.get(name), int | float)]


def range_words(good_range: object, unit: str) -> str:
    """[40, 60] → '40–60 %'; an open end reads 'at most' / 'at least'."""
    if not isinstance(good_range, list | tuple) or len(good_range) != 2:
        return str(good_range)
    low, high = good_range
    shown_unit = f" {unit}" if unit and unit not in _COUNT_UNITS else ""
    if low is None and high is None:
        return "any"
    if low is None:
        return f"at most {_short_number(high)}{shown_unit}"
    if high is None:
        return f"at least {_short_number(low)}{shown_unit}"
    return f"{_short_number(low)}–{_short_number(high)}{shown_unit}"


def evidence_words(score: str, item: Mapping[str, Any]) -> str:
    """'turn 4: “…” — answers the question directly (lowers rigidity 4)', in plain text."""
    turn = item.get("turn")
    where = f"turn {turn}: " if turn is not None else ""
    why = f" — {item['why']}" if item.get("why") else ""
    points = item.get("points")
    if isinstance(points, int | float) and points == 0:
        effect = "no points"
    else:
        moved = "raises" if item.get("effect") == "+" else "lowers"
        amount = f" {_short_number(abs(points))}" if isinstance(points, int | float) else ""
        label = {str(key): value for key, value in SCORE_LABELS.items()}.get(score, score)
        effect = f"{moved} {label.lower()}{amount}"
    return f"{where}“{item.get('text', '')}”{why} ({effect})"


METRIC_TITLES = {
    "talk_ratio": "Caller talk share",
    "longest_monologue": "Longest monologue",
    "questions": "Questions asked",
    "questions_per_minute": "Questions per minute",
    "open_questions": "Open questions",
    "closed_questions": "Closed questions",
    "fillers_per_minute": "Fillers per minute",
    "pace": "Speaking pace",
    "mean_answer_gap": "Mean gap before answering",
    "interruptions": "Interruptions",
    "time_to_first_question": "Time to first question",
    "time_to_reason": "Time to stated reason",
}


def _number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _short_number(value: Any) -> str:
    """A number as the app shows it: at most one decimal ("2.5", "60")."""
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


# Units that reports saved before counts lost theirs still carry: shown as plain numbers too.
_COUNT_UNITS = frozenset({"questions", "times", "count"})


def _with_unit(text: str, unit: str) -> str:
    """A number and its unit ("6 s", "52 %"); a count has none, so it reads "1", not "1 questions"."""
    return f"{text} {unit}" if unit and unit not in _COUNT_UNITS else text


def _good_range(bounds: list[Any], unit: str) -> str:
    low, high = bounds
    if low is None and high is None:
        return "(no target)"
    if low is None:
        return _with_unit(f"≤ {_number(high)}", unit)
    if high is None:
        return _with_unit(f"≥ {_number(low)}", unit)
    return _with_unit(f"{_number(low)}–{_number(high)}", unit)


def _points(points: Any) -> str:
    """Signed points ("+25", "-4"); an item that earned nothing says so instead of a bare "0"."""
    return f"{points:+g}" if points else "no points"


def format_report(report: Mapping[str, Any]) -> str:
    """The scores, their evidence and tips, and the metrics with good ranges, as readable lines.

    Parts missing from the dict (an older saved report, say) are left out rather than failing.
    """
    scores = report.get("scores") or {}
    evidence = report.get("evidence") or {}
    tips = report.get("tips") or {}
    lines: list[str] = ["Scores"]
    shown = {line.name: line for line in score_lines(report)}
    for name, title in SCORE_TITLES.items():
        line = shown.get(name)  # type: ignore[call-overload]
        bar = f"  {line.bar}  {line.level}" if line is not None else ""
        lines.append(f"  {title:<28} {_number(scores.get(name)):>3} / 100{bar}")
    for name, title in SCORE_TITLES.items():
        if not evidence.get(name) and not tips.get(name):
            continue
        lines += ["", f"{title}: {_number(scores.get(name))}"]
        for item in evidence.get(name, []):
            points = item.get("points") or 0
            effect = item.get("effect", " ") if points else "·"  # earned nothing: neither raised nor lowered
            lines.append(f'  {effect} turn {item.get("turn")}: "{item.get("text", "")}"')
            lines.append(f"      {item.get('why', '')} ({_points(points)})")
        if tips.get(name):
            lines.append(f"  Tip: {tips[name]}")
    cross = report.get("cross_call") or {}
    if cross.get("repeated_opening"):
        lines += ["", f"Across calls: your opening is {cross['best_similarity']:.0f}% the same as an earlier call's."]
    lines += metric_lines(report.get("metrics"))
    return "\n".join(lines)


def metric_lines(metrics: Any) -> list[str]:
    """The conversation metrics, each with the range call research calls good (also `callsim report`)."""
    if not isinstance(metrics, dict) or not metrics:
        return []
    lines = ["", "Metrics (good range from published call research; see docs/scoring.md)"]
    for name, metric in metrics.items():
        if not isinstance(metric, dict):
            lines.append(f"     {METRIC_TITLES.get(name, name):<27} {metric}")
            continue
        mark = "ok" if metric.get("in_range") else "--"
        value = _with_unit(_number(metric.get("value")), metric.get("unit", ""))
        good = _good_range(metric.get("good_range") or [None, None], metric.get("unit", ""))
        lines.append(f"  {mark} {METRIC_TITLES.get(name, name):<27} {value:<14} good: {good}")
    return lines
