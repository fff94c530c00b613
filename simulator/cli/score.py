"""Command 'score': score a transcript file (the JSON that `run --json` and `export` write)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from simulator.transcript import Transcript


def register(app: typer.Typer) -> None:
    """Add `callsim score FILE.json [--json]` to the app."""
    app.command("score")(score)


def earlier_openings_in_file(calls: list[Transcript]) -> list[list[str]]:
    """For each call, the openings of the calls before it on its scenario, as the history counts them.

    An export lists calls oldest first, so the calls before one in the file are the calls the history
    compared it with; an opening is the first caller turn that is not blank (SQLite's trim: spaces only).
    """
    seen: dict[str, list[str]] = {}
    earlier: list[list[str]] = []
    for transcript in calls:
        if transcript.scenario is None:
            earlier.append([])
            continue
        before = seen.setdefault(transcript.scenario, [])
        earlier.append(list(before))
        opening = next((t.text for t in transcript.turns if t.speaker == "caller" and t.text.strip(" ")), None)
        if opening is not None:
            before.append(opening)
    return earlier


def score(
    file: Annotated[
        Path, typer.Argument(metavar="FILE.json", help="A transcript (`run --json`) or an export (`callsim export`).")
    ],
    call_id: Annotated[int | None, typer.Option("--call", metavar="ID", help="Only this call of an export.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Score a call: rigidity (lower is better), value added, next step, with evidence, tips and metrics.

    An export holds many calls: each is scored in turn (or only the one named with --call).
    """
    from simulator.cli.errors import UserError
    from simulator.scoring import score_transcript
    from simulator.scoring.report import format_report
    from simulator.transcript import load_transcripts

    calls = load_transcripts(file)
    earlier = earlier_openings_in_file([transcript for _number, transcript in calls])
    openings = {id(transcript): earlier[index] for index, (_number, transcript) in enumerate(calls)}
    if call_id is not None:
        calls = [(number, transcript) for number, transcript in calls if number == call_id]
        if not calls:
            raise UserError(f"{file}: no call {call_id} in this file")
    if not calls:
        raise UserError(f"{file}: no calls in this file")
    single = len(calls) == 1 and (calls[0][0] is None or call_id is not None)
    reports = [
        (number, score_transcript(transcript, earlier_openings=openings[id(transcript)]).to_dict())
        for number, transcript in calls
    ]
    if as_json:
        payload: object = reports[0][1] if single else [{"call": n, **report} for n, report in reports]
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    for position, (number, report) in enumerate(reports):
        if not single:
            typer.echo(("\n" if position else "") + f"== Call {number if number is not None else position + 1} ==")
        typer.echo(format_report(report))
