"""Command group 'scenarios': check, describe, start and list scenario files."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simulator.cli.errors import UserError

if TYPE_CHECKING:
    from simulator.scenario.loader import Problem

scenarios_app = typer.Typer(
    name="scenarios",
    help="Write, check and list practice scenarios (YAML files).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(scenarios_app, name="scenarios")


@scenarios_app.command()
def validate(
    targets: Annotated[
        list[str], typer.Argument(metavar="PATH", help="Scenario files, folders of them, or scenario ids.")
    ],
    strict: Annotated[
        bool, typer.Option("--strict", help="Also check the flow: unreachable states, dead ends, unreachable success.")
    ] = False,
) -> None:
    """Check scenario files; prints one FILE:LINE:COL: message line per problem (exit 1 if any)."""
    from simulator.scenario.loader import Problem, ScenarioError, resolve_scenario  # noqa: F811
    from simulator.scenario.source import shown_problems

    files: list[Path] = []
    problems: list[Problem] = []
    unusable = 0  # targets that name no file at all
    for target in targets:
        folder = Path(target).expanduser()
        if folder.is_dir():
            found = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
            if not found:
                problems.append(Problem(target, 0, 0, "no .yaml files in this folder"))
                unusable += 1
            files += found
            continue
        try:
            files.append(resolve_scenario(target))
        except ScenarioError as error:
            problems += error.problems
            unusable += 1
    files = list(dict.fromkeys(files))
    bad_files = unusable
    for path in files:
        found_here = _check_file(path, strict)
        bad_files += bool(found_here)
        problems += found_here
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    for found_in_file in by_file.values():  # each file's first problems, then how many more
        for line in shown_problems(found_in_file):
            typer.echo(line)
    checked = len(files) + unusable
    if problems:
        count = len(problems)
        typer.echo(f"{count} problem{'s' * (count != 1)} in {bad_files} of {checked} file(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{checked} file{'s' * (checked != 1)} valid{' (strict)' if strict else ''}", err=True)


def _check_file(path: Path, strict: bool) -> list[Problem]:
    from simulator.language.lexicon import LEXICON_FILE, load_lexicon_file
    from simulator.persona.lines import PERSONA_LINES_FILE, load_persona_lines_file
    from simulator.scenario.loader import (
        INTENTS_FILE,
        ScenarioError,
        load_intent_file,
        load_scenario,
    )
    from simulator.scoring.phrasebook import CUES_FILE, load_cues

    try:
        if path.name == INTENTS_FILE:
            load_intent_file(path)
            return []
        if path.name == Path(LEXICON_FILE).name:
            load_lexicon_file(path)
            return []
        if path.name == Path(PERSONA_LINES_FILE).name:
            load_persona_lines_file(path)
            return []
        if path.name == Path(CUES_FILE).name:
            load_cues(path)
            return []
        scenario = load_scenario(path)
        if not strict:
            return []
        from simulator.language.intents import load_intent_library
        from simulator.persona.lint import lint

        return list(lint(scenario, load_intent_library(scenario), path))
    except ScenarioError as error:
        return list(error.problems)


@scenarios_app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (editors use it to complete and check YAML)."""
    from simulator.scenario.schema import schema_text

    sys.stdout.write(schema_text())


@scenarios_app.command()
def new(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="The new scenario's id, e.g. 'my-first-call'.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="A .yaml file, or a folder to write ID.yaml in; default: your scenarios folder."
        ),
    ] = None,
) -> None:
    """Write a commented starting scenario to edit; it is valid as it is."""
    from simulator import config
    from simulator.scenario.template import render_template

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", scenario_id):
        raise UserError(f"'{scenario_id}' is not a valid id: use lower-case letters, digits, '-' and '_'")
    if out is None:
        _refuse_a_shipped_id(scenario_id)
        target = config.user_scenarios_dir() / f"{scenario_id}.yaml"
    elif out.is_dir() or out.suffix.lower() not in (".yaml", ".yml"):  # "-o new/" is a folder, made if need be
        target = out / f"{scenario_id}.yaml"
    else:
        target = out
    text = render_template(scenario_id, target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        raise UserError(f"{target} already exists; choose another id or --out PATH") from None
    except OSError as error:
        raise UserError(f"{target}: cannot write: {error.strerror or error}") from None
    typer.echo(str(target))
    typer.echo(f"Edit it, then check it with: callsim scenarios validate --strict {target}", err=True)


def _refuse_a_shipped_id(scenario_id: str) -> None:
    """Your scenario with a shipped id would hide the shipped one: `new` never does that by accident."""
    from simulator import config

    if (config.shipped_scenarios_dir() / f"{scenario_id}.yaml").is_file():
        raise UserError(
            f"'{scenario_id}' is a shipped scenario; yours with that id would replace it in every list."
            f" Choose another id, e.g. 'my-{scenario_id}'"
        )


LIST_WIDTH = 100  # `scenarios list` fits a 100-column terminal; long titles are cut with "…"


def _list_table(entries: list[Any]) -> str:
    """ID, title, level, who answers (first names, in the order they come to the phone), shipped or yours."""
    table = [("ID", "TITLE", "LEVEL", "PEOPLE", "SOURCE")]
    for entry in entries:
        people = [entry.scenario.personas.gatekeeper, entry.scenario.personas.executive]
        names = " → ".join(person.name.split()[0] for person in people if person is not None)
        source = "shipped" if entry.shipped else "yours"
        table.append((entry.scenario.id, entry.scenario.title, entry.scenario.difficulty, names, source))
    widths = [max(len(row[column]) for row in table) for column in range(len(table[0]))]
    room = LIST_WIDTH - sum(widths) + widths[1] - 2 * (len(widths) - 1)
    widths[1] = max(12, min(widths[1], room))
    lines = []
    for row in table:
        title = row[1] if len(row[1]) <= widths[1] else row[1][: widths[1] - 1] + "…"
        cells = [row[0], title, *row[2:]]
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(lines)


@scenarios_app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list instead of a table.")] = False,
) -> None:
    """List the shipped scenarios and your own (yours replace a shipped one with the same id)."""
    from simulator.scenario.loader import ScenarioError, list_scenarios

    skipped: list[ScenarioError] = []
    entries = list_scenarios(on_invalid=skipped.append)
    if as_json:
        rows = [
            {
                "id": entry.scenario.id,
                "title": entry.scenario.title,
                "difficulty": entry.scenario.difficulty,
                "personas": [
                    {"role": role, "name": persona.name}
                    for role, persona in (
                        ("gatekeeper", entry.scenario.personas.gatekeeper),
                        ("executive", entry.scenario.personas.executive),
                    )
                    if persona is not None
                ],
                "path": str(entry.path),
                "shipped": entry.shipped,
            }
            for entry in entries
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        typer.echo(_list_table(entries))
    for error in skipped:
        first = error.problems[0] if error.problems else None
        where = first.file if first is not None else "a scenario file"
        typer.echo(f"skipped {where}: not valid (see `callsim scenarios validate {where}`)", err=True)
