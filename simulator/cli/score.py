"""Command 'score': score a transcript file (the JSON that `run --json` and `export` write)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add `callsim score FILE.json [--json]` to the app."""
    app.command("score")(score)


def score(
    file: Annotated[Path, typer.Argument(metavar="FILE.json", help="A transcript file (JSON).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Score a call: rigidity (lower is better), value added, next step, with evidence, tips and metrics."""
    from simulator.scoring import score_transcript
    from simulator.scoring.report import format_report
    from simulator.transcript import load_transcript

    report = score_transcript(load_transcript(file)).to_dict()
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        typer.echo(format_report(report))
