"""The personas' generic lines (`scenarios/persona_lines.yaml`), validated like a scenario and read once."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field

from simulator import config
from simulator.scenario.model import Outcome, Role, Strict
from simulator.scenario.source import ScenarioError, read_yaml

PERSONA_LINES_FILE = "language/persona_lines.yaml"  # under the shipped scenarios folder

Lines = list[str]


class PersonaLines(Strict):
    """What any persona says when the flow has no line of its own for the moment."""

    silence: Lines = Field(min_length=1)
    nonsense: Lines = Field(min_length=1)
    who: Lines = Field(min_length=1)
    why: Lines = Field(min_length=1)
    pushy: dict[Role, Lines]
    lost: Lines = Field(min_length=1)
    call_over: Lines = Field(min_length=1)
    ask_time: Lines = Field(min_length=1)
    moving_on: dict[Role, Lines]
    closing: dict[Outcome, Lines]


def persona_lines_path() -> Path:
    return config.shipped_scenarios_dir() / PERSONA_LINES_FILE


def load_persona_lines_file(path: Path | str) -> PersonaLines:
    """Load and check a persona-lines file; raises ScenarioError with FILE:LINE:COL problems."""
    source = read_yaml(Path(path))
    lines, problems = source.validate(PersonaLines)
    if lines is None:
        raise ScenarioError(problems)
    return lines


@functools.cache
def persona_lines() -> PersonaLines:
    """The shipped persona lines, read on first use."""
    return load_persona_lines_file(persona_lines_path())
