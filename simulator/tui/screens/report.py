"""Report: three score bars in plain words, the evidence quotes, metrics with good ranges, tips, the change
against the last attempt at this scenario, and the transcript."""

from __future__ import annotations

import time
from typing import Any, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Label, Static

from simulator.scoring.report import evidence_words, range_words
from simulator.tui.catalog import CallReport
from simulator.tui.coaching import SCORE_LABELS, ScoreName
from simulator.tui.literal import plain, shown
from simulator.tui.requests import ReportChoice
from simulator.tui.widgets.score_bar import ScoreBar
from simulator.tui.widgets.transcript_view import TranscriptView

TYPING_GUARD_SECONDS = 1.5  # quiet keyboard needed before a report opened by a call's end takes letter keys

SCORES: tuple[ScoreName, ...] = ("rigidity", "value_added", "next_step")


def number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def metric_line(name: str, metric: dict[str, Any]) -> Content:
    value = metric.get("value")
    unit = str(metric.get("unit") or "")
    measured = "—" if value is None else f"{number(value)} {unit}".strip()
    from simulator.scoring.report import METRIC_TITLES

    mark = "✓" if metric.get("in_range") else "✗"
    label = METRIC_TITLES.get(name, name.replace("_", " "))
    good = range_words(metric.get("good_range"), unit)
    return shown("$mark [b]$label[/b]: $measured (good: $good)", mark=mark, label=label, measured=measured, good=good)


def evidence_line(score: ScoreName, item: dict[str, Any]) -> Content:
    """'turn 4: “…” — answers the question directly (lowers rigidity 4)', from scoring's formatter."""
    return plain(evidence_words(score, item))


class ReportScreen(Screen[ReportChoice | None]):
    """A call's scores, evidence, tips, metrics and transcript; dismisses with what the caller wants next.

    Opened the moment a call ends, often while the caller is still typing a line the persona never heard.
    Those keystrokes must not act here ("a" would start a new call), so the one-letter keys wait until the
    keyboard has been quiet for `TYPING_GUARD_SECONDS`.
    """

    BINDINGS = [
        Binding("a", "again", "Practise again"),
        Binding("h", "history", "History"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, call: CallReport, *, straight_from_a_call: bool = False) -> None:
        super().__init__()
        self.call = call
        self._keys_quiet_from = time.monotonic() + TYPING_GUARD_SECONDS if straight_from_a_call else 0.0
        self._quiet_timer: Timer | None = None  # re-shows the letter keys once the keyboard is quiet

    def _still_typing(self) -> bool:
        return time.monotonic() < self._keys_quiet_from

    def on_key(self, event: events.Key) -> None:
        if self._still_typing() and event.is_printable:
            self._keys_quiet_from = time.monotonic() + TYPING_GUARD_SECONDS  # a typist is still going
            if self._quiet_timer is not None:
                self._quiet_timer.reset()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("again", "history") and self._still_typing():
            return None  # shown, dimmed, until the keyboard is quiet
        return True

    def compose(self) -> ComposeResult:
        call = self.call
        report = call.report or {}
        scores = cast(dict[str, float], report.get("scores", {}))
        yield Header()
        with VerticalScroll(id="report-body"):
            yield Static(self.headline(), classes="title")
            if not scores:
                why = "it did not finish" if call.transcript.caller_spoke() else "you said nothing before it ended"
                yield Static(f"This call has no scores ({why}).", classes="notice")
            elif call.ended_early:
                yield Static(
                    "You ended this call before an outcome: the scores cover only what was said, and the call is "
                    "left out of your trends and best scores.",
                    classes="notice",
                )
            previous = call.previous or {}
            if call.previous is not None and scores:
                yield Static("Scores, and the change against your last attempt at this scenario:", classes="note")
            for name in SCORES:
                if name in scores:
                    yield ScoreBar(name, float(scores[name]), previous.get(name), id=f"score-{name}")
            if call.previous is None and scores:
                yield Static("First scored attempt at this scenario.", classes="score-change")
            tips = report.get("tips", {})
            if tips:
                yield Label("Tips", classes="section")
                for name in SCORES:
                    if tips.get(name):
                        yield Static(
                            shown("[b]$label[/b]: $tip", label=SCORE_LABELS[name], tip=tips[name]), classes="tip"
                        )
            evidence = report.get("evidence", {})
            if any(evidence.get(name) for name in SCORES):
                yield Label("Evidence from your words", classes="section")
                for name in SCORES:
                    for item in evidence.get(name, []):
                        yield Static(evidence_line(name, item), classes="evidence")
            metrics = report.get("metrics", {})
            if metrics:
                from simulator.scoring.metrics import CLOCK_METRICS

                yield Label("Conversation metrics", classes="section")
                for metric_name, metric in metrics.items():
                    if not call.timing_measured and metric_name in CLOCK_METRICS:
                        continue  # a typed call's clock is simulated from word counts: nothing was measured
                    yield Static(metric_line(metric_name, metric), classes="metric")
                    if metric.get("source"):
                        yield Static(plain(f"source: {metric['source']}"), classes="metric-source")
                if not call.timing_measured:
                    yield Static(
                        "Pace, talk share, pauses and times to your reason and first question need a spoken call: "
                        "a typed call's timings are simulated, so they are not shown.",
                        classes="metric-source",
                    )
            yield Label("Transcript", classes="section")
            view = TranscriptView(call.names, show_heard=True, id="report-transcript")
            yield view
        yield Footer(compact=True)

    def on_mount(self) -> None:
        view = self.query_one("#report-transcript", TranscriptView)
        for index, turn in enumerate(self.call.transcript.turns):
            view.show_turn(index, turn)
        self.query_one("#report-body").scroll_home(animate=False)
        self.query_one("#report-body").focus()
        if self._still_typing():
            self._quiet_timer = self.set_timer(TYPING_GUARD_SECONDS, self.refresh_bindings)

    def headline(self) -> Content:
        call = self.call
        outcome = call.transcript.outcome
        outcome_words = outcome.replace("_", " ") if outcome else "no outcome"
        verdict = "" if call.success is None else (" ✓ success" if call.success else " ✗ not a success")
        saved = f" · call {call.call_id}" if call.call_id is not None else " · not saved"
        return shown("[b]$title[/b] · $rest", title=call.title, rest=f"{outcome_words}{verdict}{saved}")

    def action_again(self) -> None:
        self.dismiss("again")

    def action_history(self) -> None:
        self.dismiss("history")

    def action_back(self) -> None:
        """To the screen the call was started from (Scenarios, History, or the editor after "try it")."""
        self.dismiss(None)
