"""A score report as plain text for the terminal (`callsim score`, and `callsim report` if it wants it).

It reads the report dict (`ScoreReport.to_dict()`), the same form history stores, so a call scored
today and one read back from the database print the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SCORE_TITLES = {
    "rigidity": "Rigidity (lower is better)",
    "value_added": "Value added",
    "next_step": "Next-step positioning",
}
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
    for name, title in SCORE_TITLES.items():
        lines.append(f"  {title:<28} {_number(scores.get(name)):>3} / 100")
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
