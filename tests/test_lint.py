"""`validate --strict`: unreachable states, states with no way out, unreachable success, proved by the engine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.language.intents import load_intent_library
from simulator.persona.lint import caller_phrases, lint, walk_scenario
from simulator.scenario.loader import LIBRARY_FILES, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if p.name not in LIBRARY_FILES)

TINY = """\
id: tiny
title: Tiny
difficulty: easy
brief: {caller: Sam from Acme, offer: Benchmarks, goal: A meeting}
research:
  - id: leeds
    fact: A new hub in Leeds.
    keywords: [leeds]
personas:
  executive:
    name: Ann Lee
    role: CEO
    company: Lee Freight
    gives_up: hung_up
success: [meeting_booked]
start: pickup
states:
  - id: pickup
    persona: executive
    say: ["Ann Lee.", "Ann here."]
    transitions:
      - on: [propose_time]
        when: {facts: [research_mentioned, time_proposed]}
        to: meeting_booked
{extra_transitions}
{extra_states}
  - id: meeting_booked
    persona: executive
    outcome: meeting_booked
    say: ["Great, see you then."]
  - id: hung_up
    persona: executive
    outcome: hung_up
    say: ["Goodbye."]
"""


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSIM_HOME", str(tmp_path / "home"))


def write(tmp_path: Path, extra_transitions: str = "", extra_states: str = "") -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.replace("{extra_transitions}", extra_transitions).replace("{extra_states}", extra_states))
    return path


def lint_file(path: Path) -> list[str]:
    scenario = load_scenario(path)
    return [str(problem) for problem in lint(scenario, load_intent_library(scenario), path)]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_passes_strict(path: Path) -> None:
    scenario = load_scenario(path)
    assert lint(scenario, load_intent_library(scenario), path) == []
    walk = walk_scenario(scenario, load_intent_library(scenario))
    assert walk.complete
    assert walk.reached == {state.id for state in scenario.states}
    assert set(scenario.success) <= walk.outcomes


def test_a_sound_scenario_has_no_problems(tmp_path: Path) -> None:
    assert lint_file(write(tmp_path)) == []


def test_unreachable_state_is_reported_at_its_node(tmp_path: Path) -> None:
    orphan = """\
  - id: orphan
    persona: executive
    say: ["Nobody gets here."]
    transitions:
      - on: [greet]
        to: pickup"""
    path = write(tmp_path, extra_states=orphan)
    assert lint_file(path) == [
        f"{path}:{line_of(path, '- id: orphan')}:5: state 'orphan' cannot be reached by any caller phrase"
    ]


def test_state_with_no_transition_out_is_a_dead_end(tmp_path: Path) -> None:
    transitions = """\
      - on: [greet]
        to: limbo"""
    limbo = """\
  - id: limbo
    persona: executive
    say: ["Hm.", "Mm."]"""
    path = write(tmp_path, transitions, limbo)
    assert lint_file(path) == [
        f"{path}:{line_of(path, '- id: limbo')}:5: state 'limbo' has no way out (no transition leaves it)"
    ]


def test_state_whose_transitions_can_never_fire_is_a_dead_end(tmp_path: Path) -> None:
    transitions = """\
      - on: [greet]
        to: limbo"""
    limbo = """\
  - id: limbo
    persona: executive
    say: ["Hm.", "Mm."]
    transitions:
      - on: [accept]
        when: {at_least: {objections_handled: 1}}
        to: meeting_booked"""
    path = write(tmp_path, transitions, limbo)
    assert lint_file(path) == [
        f"{path}:{line_of(path, '- id: limbo')}:5: state 'limbo' has no way out: none of its transitions can fire"
    ]


def test_unreachable_success_is_reported_at_the_success_list(tmp_path: Path) -> None:
    path = write(tmp_path)
    text = path.read_text().replace(
        "when: {facts: [research_mentioned, time_proposed]}",
        "when: {at_least: {monologues: 2}, at_most: {monologues: 1}}",
    )
    path.write_text(text)
    problems = lint_file(path)
    success_line = line_of(path, "success: [meeting_booked]")
    assert f"{path}:{success_line}:11: success outcome 'meeting_booked': no caller can reach it" in problems
    assert any("state 'meeting_booked' cannot be reached" in problem for problem in problems)
    path.write_text(text.replace("success: [meeting_booked]", "success: [meeting_booked, callback_scheduled]"))
    assert any("'callback_scheduled': no state ends with it" in problem for problem in lint_file(path))


def test_the_walk_speaks_research_names_and_a_time(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path))
    phrases = caller_phrases(scenario, load_intent_library(scenario))
    assert "I noticed leeds" in phrases and "Thank you, Ann" in phrases and "" in phrases
    assert any("Tuesday" in phrase for phrase in phrases)


def test_validate_strict_from_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "CALLSIM_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "simulator", "scenarios", "validate", "--strict"]
    shipped = subprocess.run([*command, *map(str, SHIPPED)], capture_output=True, text=True, env=env, timeout=120)
    assert shipped.returncode == 0, shipped.stderr
    transitions = """\
      - on: [greet]
        to: limbo"""
    limbo = """\
  - id: limbo
    persona: executive
    say: ["Hm."]"""
    broken = write(tmp_path, transitions, limbo)
    result = subprocess.run([*command, str(broken)], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert f"{broken}:{line_of(broken, '- id: limbo')}:5: state 'limbo' has no way out" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_the_template_has_no_comma_trap_and_the_lint_warns_about_one(tmp_path: Path) -> None:
    from simulator.scenario.loader import load_scenario
    from simulator.scenario.say_lines import split_line_problems
    from simulator.scenario.template import render_template

    path = tmp_path / "mine.yaml"
    path.write_text(render_template("mine", path), encoding="utf-8")
    assert split_line_problems(load_scenario(path), str(path)) == []
    trapped = path.read_text(encoding="utf-8").replace(
        "\"Thank you. One moment, I'll see if she's free.\"", "Thank you. One moment, I'll see if she's free."
    )
    assert trapped != path.read_text(encoding="utf-8")
    path.write_text(trapped, encoding="utf-8")
    problems = split_line_problems(load_scenario(path), str(path))
    assert len(problems) == 1
    line = trapped.splitlines()[problems[0].line - 1]
    assert "One moment, I'll see" in line
    assert "'Thank you. One moment' and 'I'll see if she's free.' are two separate variants" in problems[0].message
