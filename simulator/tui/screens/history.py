"""History: every call in a sortable, filterable table, a trend chart per score, and each call's report."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Sparkline, Static

from simulator.tui.catalog import calls
from simulator.tui.coaching import SCORE_LABELS, ScoreName
from simulator.tui.literal import cell
from simulator.tui.requests import ReportRequested

if TYPE_CHECKING:
    from simulator.history.store import CallSummary

SCORES: tuple[ScoreName, ...] = ("rigidity", "value_added", "next_step")
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "#"),
    ("date", "Date"),
    ("scenario", "Scenario"),
    ("outcome", "Outcome"),
    ("rigidity", "Rig."),
    ("value_added", "Value"),
    ("next_step", "Next"),
)


def when(moment: datetime) -> str:
    """Local date and time to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def outcome_words(call: CallSummary) -> str:
    """'meeting booked'; a call without an outcome says why, so its scores are not read as a full call's."""
    if not call.complete:
        return "incomplete"
    if call.outcome is None:
        return "ended early (partial)" if call.scores is not None else "ended early"
    return call.outcome.replace("_", " ")


def sort_value(call: CallSummary, column: str) -> Any:
    """A key that sorts every column, with missing values last."""
    if column in SCORES:
        value = getattr(call.scores, column) if call.scores is not None else None
        return (value is None, value or 0.0)
    if column == "date":
        return (False, call.started_at)
    if column == "id":
        return (False, call.id)
    text = getattr(call, column) or ""
    return (not text, str(text))


def matches(call: CallSummary, query: str) -> bool:
    """Every word typed appears in the call's scenario, outcome, date or mode."""
    haystack = " ".join(
        str(part) for part in (call.scenario, call.outcome, when(call.started_at), call.mode, call.id) if part
    ).lower()
    if not call.complete:
        haystack += " incomplete"
    return all(word in haystack for word in query.lower().split())


class HistoryScreen(Screen[None]):
    """Asks the app (`ReportRequested`) to open a call's report on top; back dismisses it."""

    BINDINGS = [
        Binding("enter", "open", "Open", priority=True),
        Binding("ctrl+s", "cycle_sort", "Sort"),
        Binding("ctrl+r", "reverse", "Reverse"),
        Binding("up", "move(-1)", "Up", show=False, priority=True),
        Binding("down", "move(1)", "Down", show=False, priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, *, cursor_blink: bool = True) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink
        self.all_calls: list[CallSummary] = []
        self.listed: list[CallSummary] = []
        self.sort_column = "date"
        self.descending = True

    def compose(self) -> ComposeResult:
        yield Header()
        search = Input(placeholder="Filter calls: scenario, outcome, date…", id="filter")
        search.cursor_blink = self.cursor_blink
        yield search
        yield DataTable(id="calls", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="trends"):
            for name in SCORES:
                with Vertical(classes="trend"):
                    yield Label(SCORE_LABELS[name], id=f"trend-label-{name}", classes="trend-label")
                    yield Sparkline([], id=f"trend-{name}", classes=f"trend-line {name}")
        yield Static("", id="history-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#calls", DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        self.all_calls = calls()
        self.show()
        self.query_one("#filter", Input).focus()

    def on_screen_resume(self) -> None:
        if not self.query("#calls"):
            return
        self.all_calls = calls()
        self.show()

    def show(self) -> None:
        from simulator.history.trend import ran_to_an_outcome, score_trends

        query = self.query_one("#filter", Input).value
        chosen = [call for call in self.all_calls if matches(call, query)]
        was_on = self.selected()
        self.listed = sorted(chosen, key=lambda call: sort_value(call, self.sort_column), reverse=self.descending)
        table: DataTable[Text] = self.query_one("#calls", DataTable)
        table.clear()
        for call in self.listed:
            scores = call.scores
            table.add_row(
                cell(call.id),
                cell(when(call.started_at)),
                cell(call.scenario or "—"),
                cell(outcome_words(call)),
                *(cell(round(getattr(scores, name)) if scores is not None else "—") for name in SCORES),
                key=str(call.id),
            )
        ids = [call.id for call in self.listed]
        if was_on is not None and was_on.id in ids:  # back from a report: still on the call just read
            table.move_cursor(row=ids.index(was_on.id), animate=False)
        oldest_first = [call for call in self.all_calls if call in chosen]
        trends = score_trends(oldest_first)
        for name in SCORES:
            values = [float(getattr(c.scores, name)) for c in oldest_first if ran_to_an_outcome(c) and c.scores]
            self.query_one(f"#trend-{name}", Sparkline).data = values
            trend = trends.get(name)
            words = SCORE_LABELS[name]
            if trend is not None:
                words += f" {trend.arrow} {trend.verdict}"
            elif values:
                words += f" {round(values[-1])}"
            self.query_one(f"#trend-label-{name}", Label).update(words)
        empty = self.query_one("#history-empty", Static)
        empty.update("" if self.listed else ("No call matches." if self.all_calls else "No calls yet."))
        empty.display = not self.listed

    @on(Input.Changed, "#filter")
    def filtered(self) -> None:
        self.show()

    @on(DataTable.HeaderSelected)
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column == self.sort_column:
            self.descending = not self.descending
        else:
            self.sort_column = column
        self.show()

    @on(DataTable.RowSelected)
    def chosen(self) -> None:
        self.action_open()

    def action_cycle_sort(self) -> None:
        keys = [key for key, _label in COLUMNS]
        self.sort_column = keys[(keys.index(self.sort_column) + 1) % len(keys)]
        self.notify(f"Sorted by {dict(COLUMNS)[self.sort_column]}", timeout=2)
        self.show()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.show()

    def action_move(self, step: int) -> None:
        table = self.query_one("#calls", DataTable)
        if self.listed:
            table.move_cursor(row=max(0, min(len(self.listed) - 1, table.cursor_row + step)))

    def selected(self) -> CallSummary | None:
        table = self.query_one("#calls", DataTable)
        if not self.listed or not 0 <= table.cursor_row < len(self.listed):
            return None
        return self.listed[table.cursor_row]

    def action_open(self) -> None:
        call = self.selected()
        if call is not None:
            self.post_message(ReportRequested(call.id))

    def action_back(self) -> None:
        self.dismiss(None)
