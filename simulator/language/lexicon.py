"""The language layer's word lists (`scenarios/lexicon.yaml`), validated like a scenario and read once."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field

from simulator import config
from simulator.scenario.model import Strict
from simulator.scenario.source import ScenarioError, read_yaml

LEXICON_FILE = "language/lexicon.yaml"  # under the shipped scenarios folder, beside cues.yaml


class Lexicon(Strict):
    """Every English word list the reading uses; see the comments in lexicon.yaml for what each is for."""

    negations: list[str] = Field(min_length=1)
    negation_idioms: list[str] = Field(default_factory=list)
    past_markers: list[str] = Field(default_factory=list)
    proposal_openers: list[str] = Field(default_factory=list)
    days: dict[str, str] = Field(min_length=1)
    day_parts: dict[str, str] = Field(default_factory=dict)
    numbers: dict[str, int] = Field(default_factory=dict)
    clock_followers: list[str] = Field(default_factory=list)
    duration_units: dict[str, int] = Field(default_factory=dict)
    deference: list[str] = Field(default_factory=list)
    instruction_verbs: list[str] = Field(default_factory=list)
    contrast_words: list[str] = Field(default_factory=list)
    commitments: list[str] = Field(default_factory=list)
    deadline_markers: list[str] = Field(default_factory=list)


def lexicon_path() -> Path:
    return config.shipped_scenarios_dir() / LEXICON_FILE


def load_lexicon_file(path: Path | str) -> Lexicon:
    """Load and check a lexicon file; raises ScenarioError with FILE:LINE:COL problems."""
    source = read_yaml(Path(path))
    lexicon, problems = source.validate(Lexicon)
    if lexicon is None:
        raise ScenarioError(problems)
    return lexicon


@functools.cache
def lexicon() -> Lexicon:
    """The shipped lexicon, read on first use."""
    return load_lexicon_file(lexicon_path())
