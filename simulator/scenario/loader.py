"""Loading scenarios: from a file, a text or an id, with every problem reported as FILE:LINE:COL: message.

A scenario is checked in three passes that all report (never stop at the first problem): YAML syntax and
tags, the pydantic models (types, required and unknown keys), and references (states, intents, personas).
Scenarios are found among the shipped ones and the user's own folder, where a user file may override a
shipped id.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from simulator import config
from simulator.scenario.model import IntentDef, Scenario, Strict
from simulator.scenario.references import check_references
from simulator.scenario.source import (
    Loc,
    Problem,
    ScenarioError,
    YamlSource,
    parse_yaml,
    parse_yaml_bytes,
    read_file_bytes,
    read_yaml,
)
from simulator.scenario.suggest import closest

__all__ = [
    "DEFAULT_SCENARIO",
    "INTENTS_FILE",
    "LIBRARY_FILES",
    "IntentFile",
    "Loc",
    "Problem",
    "ScenarioEntry",
    "ScenarioError",
    "list_scenarios",
    "load_intent_file",
    "load_intents",
    "load_scenario",
    "load_scenario_text",
    "node_position",
    "problem_at",
    "resolve_scenario",
    "scenario_files",
    "shared_intents_path",
]

DEFAULT_SCENARIO = "gatekeeper-screen"
INTENTS_FILE = "intents.yaml"  # the shared intent library, beside the shipped scenarios
# The shared language files beside the scenarios (intents, the lexicon, the personas' generic lines): data,
# not scenarios; `callsim scenarios validate` checks each against its own model.
LIBRARY_FILES = frozenset({INTENTS_FILE, "lexicon.yaml", "persona_lines.yaml", "cues.yaml"})


class IntentFile(Strict):
    """The shared intent library file: `intents:` name -> definition."""

    intents: dict[str, IntentDef]


@dataclass(frozen=True)
class ScenarioEntry:
    scenario: Scenario
    path: Path
    shipped: bool


def shared_intents_path() -> Path:
    return config.shipped_scenarios_dir() / INTENTS_FILE


def load_scenario(path: Path | str) -> Scenario:
    """Load and check a scenario file; raises ScenarioError listing every problem."""
    path = Path(path)
    if path.name in LIBRARY_FILES:
        what = "an intent library" if path.name == INTENTS_FILE else "a language file"
        message = f"this is {what}, not a scenario (check it with `callsim scenarios validate`)"
        raise ScenarioError([Problem(str(path), 0, 0, message)])
    raw = read_file_bytes(path)
    key = (hashlib.sha1(raw).hexdigest(), _stamp(shared_intents_path()))
    cached = _scenario_cache.get(path)
    if cached is not None and cached[0] == key:
        return cached[1].model_copy(deep=True)
    scenario = _check(parse_yaml_bytes(raw, str(path)))
    _scenario_cache[path] = (key, scenario.model_copy(deep=True))
    return scenario


# Parsing YAML with positions is slow (~0.1 s a file): the lists re-parse only files whose bytes changed.
_scenario_cache: dict[Path, tuple[tuple[str, tuple[int, int]], Scenario]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


def load_scenario_text(text: str, filename: str = "<scenario>") -> Scenario:
    """Load and check a scenario from text (an editor's buffer); filename is used in the problems."""
    return _check(parse_yaml(text, filename))


def load_intent_file(path: Path | str) -> dict[str, IntentDef]:
    """Load and check an intent library file (the shared one, or one being edited)."""
    source = read_yaml(Path(path))
    library, problems = source.validate(IntentFile)
    if library is None:
        raise ScenarioError(_sorted(problems))
    return library.intents


def load_intents(scenario: Scenario) -> dict[str, IntentDef]:
    """The shared library merged with the scenario's own `intents:` (which add to or override it)."""
    return {**_shared_intents(), **scenario.intents}


def _check(source: YamlSource) -> Scenario:
    scenario, problems = source.validate(Scenario)
    try:
        known: list[str] | None = list(_shared_intents())
    except ScenarioError as error:
        problems += error.problems
        known = None
    problems += check_references(source, known)
    if problems or scenario is None:
        raise ScenarioError(_sorted(problems))
    return scenario


_shared_cache: dict[Path, tuple[tuple[int, int], dict[str, IntentDef] | ScenarioError]] = {}


def _shared_intents() -> dict[str, IntentDef]:
    """The shared intent library, read once per change of the file."""
    path = shared_intents_path()
    stamp = _stamp(path)
    cached = _shared_cache.get(path)
    if cached is None or cached[0] != stamp:
        try:
            result: dict[str, IntentDef] | ScenarioError = load_intent_file(path)
        except ScenarioError as error:
            result = error
        cached = (stamp, result)
        _shared_cache[path] = cached
    if isinstance(cached[1], ScenarioError):
        raise cached[1]
    return cached[1]


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(dict.fromkeys(problems), key=lambda p: (p.file, p.line, p.col, p.message))


# --- positions for checks made after loading (lint) ------------------------------------------------

_source_cache: dict[Path, tuple[tuple[int, int], YamlSource | None]] = {}


def node_position(path: Path | str, loc: Loc) -> tuple[int, int]:
    """1-based (line, col) of the node at loc in a file, e.g. ("states", "reception") or ("start",).

    A string step into a list picks the item with that `id`. Parts of loc that are not in the file are
    skipped; (1, 1) when the file cannot be read at all.
    """
    source = _cached_source(Path(path))
    if source is None:
        return (1, 1)
    line, col = source.locate(loc).value
    return (line + 1, col + 1)


def problem_at(path: Path | str, loc: Loc, message: str) -> Problem:
    """A Problem pointing at the node at loc (see node_position)."""
    line, col = node_position(path, loc)
    return Problem(str(path), line, col, message)


def _cached_source(path: Path) -> YamlSource | None:
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        return None
    cached = _source_cache.get(path)
    if cached is None or cached[0] != stamp:
        try:
            source: YamlSource | None = read_yaml(path)
        except ScenarioError:
            source = None
        cached = (stamp, source)
        _source_cache[path] = cached
    return cached[1]


# --- finding scenarios -----------------------------------------------------------------------------


def scenario_files(folder: Path) -> list[Path]:
    """The scenario files in a folder (YAML files other than the intent library), sorted by name."""
    if not folder.is_dir():
        return []
    files = [*folder.glob("*.yaml"), *folder.glob("*.yml")]
    return sorted(path for path in files if path.name not in LIBRARY_FILES and path.is_file())


def list_scenarios(on_invalid: Callable[[ScenarioError], None] | None = None) -> list[ScenarioEntry]:
    """Shipped and user scenarios, sorted by id; a user scenario replaces a shipped one with its id.

    Invalid files are skipped (on_invalid hears about each); `callsim scenarios validate` reports them.
    """
    entries: dict[str, ScenarioEntry] = {}
    for folder, shipped in ((config.shipped_scenarios_dir(), True), (config.user_scenarios_dir(), False)):
        for entry in _folder_entries(folder, shipped, on_invalid):
            known = entries.get(entry.scenario.id)
            if known is None or known.shipped != shipped:  # in one folder, the first file by name wins
                entries[entry.scenario.id] = entry
    return [entries[key] for key in sorted(entries)]


def _folder_entries(
    folder: Path, shipped: bool, on_invalid: Callable[[ScenarioError], None] | None = None
) -> Iterator[ScenarioEntry]:
    for path in scenario_files(folder):
        try:
            yield ScenarioEntry(load_scenario(path), path, shipped)
        except ScenarioError as error:
            if on_invalid is not None:
                on_invalid(error)


def resolve_scenario(name_or_path: str | Path) -> Path:
    """The file of a scenario named by id (user scenarios first, then shipped) or by path."""
    text = str(name_or_path)
    path = Path(text).expanduser()
    looks_like_path = isinstance(name_or_path, Path) or "/" in text or "\\" in text or path.suffix in (".yaml", ".yml")
    if looks_like_path or path.is_file():
        if not path.exists():
            raise ScenarioError([Problem(text, 0, 0, "no such file")])
        return path
    found = _find_by_id(text)
    if found is not None:
        return found
    for folder in (config.user_scenarios_dir(), config.shipped_scenarios_dir()):
        for candidate in (folder / f"{text}.yaml", folder / f"{text}.yml"):
            if candidate.is_file():
                return candidate  # invalid, but named: loading it will say what is wrong
    entries = list_scenarios()
    known = [entry.scenario.id for entry in entries]
    close = closest(text, known, limit=3, cutoff=50)
    hint = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
    hint += " (`callsim scenarios list` shows them all)"
    raise ScenarioError([Problem("", 0, 0, f"unknown scenario '{text}'{hint}")])


def _find_by_id(scenario_id: str) -> Path | None:
    """User scenarios first (they override), then the shipped file named after the id, then all shipped."""
    for entry in _folder_entries(config.user_scenarios_dir(), shipped=False):
        if entry.scenario.id == scenario_id:
            return entry.path
    shipped = config.shipped_scenarios_dir()
    named = shipped / f"{scenario_id}.yaml"
    with contextlib.suppress(ScenarioError):
        if named.is_file() and load_scenario(named).id == scenario_id:
            return named
    for entry in _folder_entries(shipped, shipped=True):
        if entry.scenario.id == scenario_id:
            return entry.path
    return None
