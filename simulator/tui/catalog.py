"""What the app lists: the scenarios with the caller's last and best scores, and the calls in the history.

Screens ask here instead of opening the loader and the database themselves, so each screen only renders.
Everything is read on demand (no database opened, no folder made at import or at app start).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.call.practice import CallResult
    from simulator.history.store import CallSummary, Scores, StoredCall
    from simulator.scenario.model import Scenario
    from simulator.transcript import Transcript


@dataclass(frozen=True)
class ScenarioCard:
    """One row of the Scenarios screen."""

    scenario: Scenario
    path: Path
    shipped: bool
    last: Scores | None
    best: Scores | None

    @property
    def personas(self) -> str:
        """'Priya → Maria': first names, in the order they come to the phone."""
        people = self.scenario.personas
        names = [people.gatekeeper.name] if people.gatekeeper is not None else []
        names.append(people.executive.name)
        return " → ".join(name.split()[0] for name in names)


@dataclass(frozen=True)
class CallReport:
    """Everything the Report screen shows about one call."""

    call_id: int | None
    scenario_id: str | None
    title: str
    transcript: Transcript
    report: dict[str, Any] | None
    previous: dict[str, float] | None  # the three scores of the last attempt before this one
    names: dict[str, str]  # speaker -> how the transcript names them
    success: bool | None
    mode: str = "typed"  # how the caller spoke: typed, prompt and lines calls run on a simulated clock

    @property
    def timing_measured(self) -> bool:
        """Whether the turn timings were measured (a spoken call) or simulated from word counts (typed)."""
        return self.mode in ("mic", "audio")

    @property
    def ended_early(self) -> bool:
        """The caller left before the persona reached an outcome: partial scores, kept out of trends."""
        return self.transcript.outcome is None and self.report is not None


def overall(scores: Scores) -> float:
    """One number to pick the best call by: the three scores with rigidity flipped, averaged."""
    return ((100.0 - scores.rigidity) + scores.value_added + scores.next_step) / 3.0


def speaker_names(scenario: Scenario | None) -> dict[str, str]:
    names = {"caller": "You", "gatekeeper": "Assistant", "executive": "Executive"}
    if scenario is not None:
        if scenario.personas.gatekeeper is not None:
            names["gatekeeper"] = scenario.personas.gatekeeper.name
        names["executive"] = scenario.personas.executive.name
    return names


def _history() -> Any:
    from simulator.config import database_path
    from simulator.history.store import HistoryStore

    return HistoryStore(database_path())


def history_exists() -> bool:
    from simulator.config import database_path

    return database_path().exists()


def calls(scenario: str | None = None) -> list[CallSummary]:
    """The practice calls in the history, oldest first; none when nothing was ever saved (no file is made).

    Recorded calls (`callsim score-call`) are kept apart: they are real calls, not practice, and would mix
    into the trends and comparisons here.
    """
    if not history_exists():
        return []
    store = _history()
    try:
        return list(store.list_calls(scenario, kind="practice"))
    finally:
        store.close()


def stored_call(call_id: int) -> StoredCall:
    store = _history()
    try:
        return store.get_call(call_id)
    finally:
        store.close()


def scenario_cards(history: Iterable[CallSummary] | None = None) -> list[ScenarioCard]:
    """The shipped and user scenarios, each with its last call that ran to an outcome and its best success."""
    from simulator.history.trend import ran_to_an_outcome
    from simulator.scenario.loader import list_scenarios

    summaries = list(history) if history is not None else calls()
    cards = []
    for entry in list_scenarios():
        attempts = [c for c in summaries if c.scenario == entry.scenario.id and ran_to_an_outcome(c)]
        scored = [c.scores for c in attempts if c.scores is not None]
        successes = [c.scores for c in attempts if c.scores is not None and c.outcome in entry.scenario.success]
        last = scored[-1] if scored else None
        best = max(successes, key=overall) if successes else None  # a failed call is no one's best
        cards.append(ScenarioCard(entry.scenario, entry.path, entry.shipped, last, best))
    return cards


def find_scenario(scenario_id: str | None) -> Scenario | None:
    """The scenario with this id among shipped and user ones, if it still exists and is valid."""
    if scenario_id is None:
        return None
    from simulator.scenario.loader import list_scenarios

    for entry in list_scenarios():
        if entry.scenario.id == scenario_id:
            return entry.scenario
    return None


def previous_scores(scenario_id: str | None, call_id: int | None) -> dict[str, float] | None:
    """The scores of the last attempt at this scenario that ran to an outcome, before call `call_id`."""
    from simulator.history.trend import ran_to_an_outcome

    if scenario_id is None:
        return None
    earlier = [c for c in calls(scenario_id) if ran_to_an_outcome(c) and (call_id is None or c.id < call_id)]
    last = earlier[-1].scores if earlier else None
    return last.to_dict() if last is not None else None


def report_for_call(call_id: int) -> CallReport:
    """A call from the history, ready for the Report screen."""
    stored = stored_call(call_id)
    scenario = find_scenario(stored.summary.scenario)
    return CallReport(
        call_id=call_id,
        scenario_id=stored.summary.scenario,
        title=scenario.title if scenario is not None else (stored.summary.scenario or "imported call"),
        transcript=stored.transcript,
        report=stored.report,
        previous=previous_scores(stored.summary.scenario, call_id),
        names=speaker_names(scenario),
        success=(stored.transcript.outcome in scenario.success) if scenario is not None else None,
        mode=stored.summary.mode,
    )


def report_for_result(result: CallResult) -> CallReport:
    """A call just finished, ready for the Report screen (an unsaved call compares with the latest saved)."""
    scenario = result.scenario
    previous = previous_scores(scenario.id, result.call_id)
    return CallReport(
        call_id=result.call_id,
        scenario_id=scenario.id,
        title=scenario.title,
        transcript=result.transcript,
        report=result.report,
        previous=previous,
        names=speaker_names(scenario),
        success=result.success,
        mode=result.mode,
    )
