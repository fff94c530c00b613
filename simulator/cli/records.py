"""`callsim history`, `callsim report` and `callsim export`: the saved calls, one call, all of them as files."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simulator.cli.errors import UserError

if TYPE_CHECKING:
    from simulator.history.store import CallKind, CallSummary, HistoryStore, StoredCall
    from simulator.history.trend import Trend

MEASURED_MODES = ("mic", "audio")  # calls whose turn timings were measured, not simulated
SCORE_LABELS = {"rigidity": "rigidity", "value_added": "value added", "next_step": "next step"}
CSV_COLUMNS = (
    "id", "started_at", "finished_at", "scenario", "mode", "outcome", "complete", "turns",
    "rigidity", "value_added", "next_step", "clock",
)  # fmt: skip


class Kind(StrEnum):
    practice = "practice"
    recorded = "recorded"


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def register(app: typer.Typer) -> None:
    app.command("history")(history)
    app.command("report")(report)
    app.command("export")(export)


# -- history ---------------------------------------------------------------------------------------


def history(
    scenario: Annotated[str | None, typer.Option("--scenario", help="Only calls on this scenario id.")] = None,
    kind: Annotated[
        Kind | None, typer.Option("--kind", help="Only practice calls, or only recorded calls (`score-call`).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the calls and trends as JSON.")] = False,
) -> None:
    """List saved calls with their three scores and whether each score is getting better.

    Practice calls and recorded real calls each have their own trend: one should not lift the other's.
    """
    from simulator.history.store import open_history
    from simulator.history.trend import score_trends

    calls: list[CallSummary] = []
    known: list[str] = []
    chosen: CallKind | None = None if kind is None else ("recorded" if kind is Kind.recorded else "practice")
    if _history_exists():
        with open_history(read_only=True) as store:
            calls = store.list_calls(scenario, kind=chosen)
            known = store.scenario_ids() if not calls and scenario is not None else []
            for damaged in store.skipped:
                typer.echo(f"callsim: skipped {damaged}", err=True)
    practice = [call for call in calls if call.kind == "practice"]
    recorded = [call for call in calls if call.kind == "recorded"]
    trends = score_trends(recorded if kind is Kind.recorded else practice)
    if as_json:
        payload: dict[str, Any] = {
            "calls": [_summary_json(call) for call in calls],
            "trends": {name: trend.to_dict() if trend else None for name, trend in trends.items()},
        }
        if kind is None:  # "trends" is the practice calls'; the recorded calls' own beside it
            payload["recorded_trends"] = {
                name: trend.to_dict() if trend else None for name, trend in score_trends(recorded).items()
            }
        typer.echo(json.dumps(payload, indent=2))
        return
    if not calls:
        typer.echo(_no_calls_message(scenario, known, chosen))
        return
    typer.echo(_table(calls))
    present = [(title, group) for title, group in (("Practice calls", practice), ("Recorded calls", recorded)) if group]
    for title, group in present:
        lines = _trend_lines(score_trends(group))
        if len(present) > 1:
            lines = [f"{title}:"] + [f"  {line}" for line in lines]
        typer.echo("")
        typer.echo("\n".join(lines))


def _no_calls_message(scenario: str | None, known: list[str], kind: str | None = None) -> str:
    if kind == "recorded" and scenario is None:
        return "No recorded calls yet: `callsim score-call RECORDING` scores a real call and saves it here."
    if scenario is None:
        return "No calls yet: `callsim practice` starts one, and every call is saved here."
    message = f"No {kind + ' ' if kind else ''}calls on scenario '{scenario}'."
    if known:
        from rapidfuzz import process

        close = process.extractOne(scenario, known, score_cutoff=60)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        message += f"{hint} Scenarios with calls: {', '.join(known)}."
    return message


def _table(calls: list[CallSummary]) -> str:
    """One row a call; what stands under a score column is a score, and the state of the call says the rest."""
    from simulator.history.trend import ran_to_an_outcome

    header = ["ID", "Date", "Scenario", "Outcome", "Rigidity", "Value added", "Next step"]
    if any(call.kind == "recorded" for call in calls):
        header.append("Kind")
    rows = [header]
    for call in calls:
        if call.scores is not None:
            scores = [_points(call.scores.rigidity), _points(call.scores.value_added), _points(call.scores.next_step)]
        else:
            scores = ["—", "—", "—"]
        row = [str(call.id), _local(call.started_at), call.scenario or "(no scenario)", _state(call), *scores]
        if call.scores is not None and not ran_to_an_outcome(call):
            row[3] += " (partial)"
        rows.append(row + [call.kind] if len(header) > len(row) else row)
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    right = {0, 4, 5, 6}
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if column in right else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _state(call: CallSummary) -> str:
    """The outcome, or why there is none: 'incomplete' (never finished), 'ended early', 'not scored'."""
    if not call.complete:
        return "incomplete"
    if call.outcome is None:
        return "ended early" if call.scores is not None else "ended early, not scored"
    outcome = call.outcome
    return outcome if call.scores is not None else f"{outcome}, not scored"


def _trend_lines(trends: dict[str, Trend | None]) -> list[str]:
    present = [trend for trend in trends.values() if trend is not None]
    if not present:
        return ["Trend: needs at least two calls that ran to an outcome."]
    calls = present[0].calls
    half = calls // 2
    lines = [f"Trend over {calls} calls that ran to an outcome (mean of the earliest {half} → the latest {half}):"]
    for name, trend in trends.items():
        if trend is None:
            continue
        note = " (lower is better)" if name == "rigidity" else ""
        lines.append(
            f"  {SCORE_LABELS[name]:<12} {trend.earlier:5.1f} → {trend.later:5.1f}  {trend.arrow} {trend.verdict}{note}"
        )
    return lines


# -- report ----------------------------------------------------------------------------------------


def report(
    call_id: Annotated[int, typer.Argument(metavar="ID", help="The call's id, as `callsim history` lists it.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the call and its scores as JSON.")] = False,
) -> None:
    """Show one call: its transcript, the three scores, the evidence for each and a tip."""
    from simulator.history.store import open_history

    if not _history_exists():
        raise UserError(f"no call {call_id} in the history: no calls have been saved yet")
    with open_history(read_only=True) as store:
        call = store.get_call(call_id)
        scored, source = _report_for(store, call)
    if as_json:
        payload = _call_json(call)
        payload["scored"] = source if scored else None
        payload["not_scored_because"] = None if scored else source
        for key in ("scores", "evidence", "tips", "metrics"):
            payload[key] = scored.get(key) if scored else None
        typer.echo(json.dumps(payload, indent=2))
        return
    for line in _report_lines(call, scored, source):
        typer.echo(line)


def _report_for(store: HistoryStore, call: StoredCall) -> tuple[dict[str, Any] | None, str]:
    """The saved report ("saved"); else one worked out now ("now", for an incomplete call); else why not."""
    if call.report is not None:
        return call.report, "saved"
    if not call.transcript.caller_spoke():
        return None, "no caller turns"
    from simulator.scoring import score_transcript

    earlier = store.earlier_openings(call.summary.scenario, exclude=call.summary.id)
    result: dict[str, Any] = score_transcript(call.transcript, earlier_openings=earlier).to_dict()
    return result, "now"


def _report_lines(call: StoredCall, scored: dict[str, Any] | None, source: str) -> list[str]:
    summary, transcript = call.summary, call.transcript
    lines = [
        f"Call {summary.id} · {summary.scenario or '(no scenario)'} · {_local(summary.started_at)} · {summary.mode}",
    ]
    if call.recording is not None:
        files = " + ".join(str(name) for name in call.recording.get("files", []))
        caller = call.recording.get("caller")
        side = f" (the caller on the {caller} channel)" if caller in ("left", "right") else ""
        lines.append(f"Recorded call: {files}{side}")
        lines.append(str(call.recording.get("prospect", "")).capitalize())
    elif summary.complete:
        ended = "none: the call ended before one (partial scores, left out of trends)"
        lines.append(f"Outcome: {summary.outcome or ended}")
    else:
        lines.append(f"Incomplete: the call never finished ({summary.turns} turns saved).")
    if transcript.research:
        lines += ["", "Research"] + [f"  - {fact}" for fact in transcript.research]
    lines += ["", "Transcript"]
    clock = "" if summary.mode in MEASURED_MODES else "~"  # typed: the times are simulated, not measured
    if not transcript.turns:
        lines.append("  (no turns saved)")
    for number, turn in enumerate(transcript.turns, start=1):
        cut = " [interrupted]" if turn.interrupted else ""
        lines.append(f"  {number:>3}  [{clock + f'{turn.start:.1f}':>7}s] {turn.speaker}: {turn.text}{cut}")
        if turn.reading is not None and turn.reading.summary:
            lines.append(f"{'':>19}heard: {turn.reading.summary}")
    lines.append("")
    if scored is None:
        lines.append(f"Scores: not scored ({source})")
        return lines
    from simulator.scoring.report import LOWER_IS_BETTER, direction

    lines.append("Scores" + (" (worked out now: this call has no saved scores)" if source == "now" else ""))
    scores = scored.get("scores") or {}
    for name, label in SCORE_LABELS.items():
        note = f"  ({direction(name)})" if name in LOWER_IS_BETTER else ""
        lines.append(f"  {label:<12} {_points(scores.get(name))}{note}")
    for title, key in (("Evidence", "evidence"), ("Tips", "tips")):
        section = scored.get(key)
        if not section:
            continue
        lines += ["", title]
        lines += _section_lines(section)
    from simulator.scoring.metrics import CLOCK_METRICS
    from simulator.scoring.report import metric_lines

    metrics = scored.get("metrics")
    if summary.mode not in MEASURED_MODES and isinstance(metrics, dict):
        metrics = {name: metric for name, metric in metrics.items() if name not in CLOCK_METRICS}
        lines += metric_lines(metrics)
        lines.append(f"  (timing metrics left out: a {summary.mode} call's clock is simulated from word counts)")
        return lines
    lines += metric_lines(metrics)
    return lines


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _section_lines(section: Any) -> list[str]:
    """Evidence and tips per score, whatever their shape: text, lists of quotes, or nested records."""
    if not isinstance(section, dict):
        return [f"  {line}" for line in _item_lines(section)]
    lines = []
    for name, value in section.items():
        items = _item_lines(value)
        label = SCORE_LABELS.get(name, name)
        if len(items) == 1:
            lines.append(f"  {label}: {items[0]}")
        elif items:
            lines.append(f"  {label}:")
            lines += [f"    - {item}" for item in items]
    return lines


def _item_lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [line for item in value for line in _item_lines(item)]
    if isinstance(value, dict):
        turn = value.get("turn")
        quote = value.get("text") or value.get("quote")
        note = value.get("note") or value.get("reason") or value.get("why") or value.get("criterion")
        if turn is not None or quote or note:
            parts = (f"turn {turn}" if turn is not None else "", f'"{quote}"' if quote else "", str(note or ""))
            line = " · ".join(part for part in parts if part)
            points = value.get("points")
            if _is_number(points):
                line += f" ({points:+g})"
            return [line]
        return [json.dumps(value, ensure_ascii=False)]
    return [str(value)]


# -- export ----------------------------------------------------------------------------------------


def export(
    format: Annotated[ExportFormat, typer.Option("--format", help="json: transcripts; csv: one row a call.")] = (
        ExportFormat.json
    ),
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of the screen.")] = None,
) -> None:
    """Write the whole history: JSON in the transcript format (each call can be scored again), or CSV."""
    from simulator.history.store import DamagedCall, open_history

    calls: list[StoredCall] = []
    if _history_exists():
        with open_history(read_only=True) as store:
            summaries = store.list_calls()
            for damaged_row in store.skipped:
                typer.echo(f"callsim: skipped {damaged_row}", err=True)
            for summary in summaries:
                try:
                    calls.append(store.get_call(summary.id))
                except DamagedCall as damaged:  # one bad row must not hold back every other call
                    typer.echo(f"callsim: skipped {damaged}", err=True)
    if format is ExportFormat.json:
        text = json.dumps([_call_json(call) for call in calls], indent=2, ensure_ascii=False) + "\n"
    else:
        text = _csv(calls)
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        out.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise UserError(f"{out}: cannot write the export: {error.strerror or error}") from None
    typer.echo(f"Exported {len(calls)} call{'s' if len(calls) != 1 else ''} to {out}", err=True)


def _csv(calls: list[StoredCall]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for call in calls:
        row = _summary_json(call.summary)
        scores = row.pop("scores") or {}
        row.update({name: scores.get(name, "") for name in SCORE_LABELS})
        writer.writerow([_csv_cell(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# -- shared ----------------------------------------------------------------------------------------


def _history_exists() -> bool:
    """Reading commands never create a history: with no file there are simply no calls."""
    from simulator.config import database_path

    return database_path().exists()


def _summary_json(call: CallSummary) -> dict[str, Any]:
    return {
        "id": call.id,
        "started_at": call.started_at.isoformat(),
        "finished_at": call.finished_at.isoformat() if call.finished_at else None,
        "scenario": call.scenario,
        "mode": call.mode,
        "outcome": call.outcome,
        "complete": call.complete,
        "turns": call.turns,
        "scores": call.scores.to_dict() if call.scores else None,
        # the turns' start and end: measured on a spoken call, simulated from word counts on a typed one
        "clock": "measured" if call.mode in MEASURED_MODES else "simulated",
        "kind": call.kind,
    }


def _call_json(call: StoredCall) -> dict[str, Any]:
    """A call in the transcript format (`callsim score` reads it back) plus where it sits in the history."""
    summary = _summary_json(call.summary)
    transcript = json.loads(call.transcript.to_json())
    return {
        "id": summary["id"],
        "started_at": summary["started_at"],
        "finished_at": summary["finished_at"],
        "mode": summary["mode"],
        "kind": summary["kind"],
        "recording": call.recording,  # a recorded call's source (None for practice calls)
        "complete": summary["complete"],
        "scores": summary["scores"],
        "clock": summary["clock"],
        **transcript,
    }


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _points(value: Any) -> str:
    return f"{value:.0f}" if isinstance(value, int | float) else "—"
