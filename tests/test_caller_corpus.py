"""Callers written by people who never saw the rules, played through the personas (seed 0).

tests/data/corpus/callers/ holds good and bad calls for every shipped scenario, typed and as
speech-to-text gives them (see bench/understanding.py for how they were written and for all the figures
over 3 seeds). Here: no bad caller ever succeeds, in either split, and on the tuned split good callers
succeed at the targets (95% typed, 90% speech-to-text).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from simulator.language.intents import IntentLibrary, load_intent_library
from simulator.language.semantic import shared_embedder
from simulator.persona.engine import PersonaEngine
from simulator.scenario.loader import load_scenario
from simulator.scenario.model import Scenario

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus" / "callers"
MAX_TURNS = 14


@functools.cache
def loaded(scenario_id: str) -> tuple[Scenario, IntentLibrary]:
    scenario = load_scenario(ROOT / "scenarios" / f"{scenario_id}.yaml")
    library = load_intent_library(scenario, shared_embedder())
    library.warm_up()
    return scenario, library


def callers(split: str) -> list[tuple[str, dict[str, object]]]:
    found = []
    for path in sorted((CORPUS / split).glob("*.yaml")):
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        found += [(data["scenario"], caller) for caller in data["callers"]]
    return found


def succeeds(scenario_id: str, lines: list[str], seed: int = 0) -> bool:
    scenario, library = loaded(scenario_id)
    engine = PersonaEngine(scenario, library, seed=seed)
    reply = engine.opening()
    for line in lines[:MAX_TURNS]:
        if reply.outcome is not None:
            break
        reply = engine.respond(reply.state, line)
    return reply.outcome in scenario.success


@pytest.mark.parametrize("split", ["tuned", "heldout", "heldout2"])
def test_no_bad_caller_succeeds(split: str) -> None:
    bad = [(scenario, caller) for scenario, caller in callers(split) if caller["kind"] == "bad"]
    assert len(bad) >= 30
    booked = [
        f"{caller['id']} ({form})"
        for scenario, caller in bad
        for form in ("typed", "stt")
        if succeeds(scenario, list(caller[form]))  # type: ignore[call-overload]
    ]
    assert not booked


def test_good_callers_succeed_on_the_tuned_split() -> None:
    good = [(scenario, caller) for scenario, caller in callers("tuned") if caller["kind"] == "good"]
    assert len({scenario for scenario, _ in good}) == 6 and len(good) >= 50
    for form, target in (("typed", 0.95), ("stt", 0.90)):
        failed = [c["id"] for s, c in good if not succeeds(s, list(c[form]))]  # type: ignore[call-overload]
        assert 1 - len(failed) / len(good) >= target, (form, failed)
