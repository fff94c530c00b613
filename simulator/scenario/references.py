"""Checks pydantic cannot make: names in a scenario that must refer to something defined elsewhere.

They run on the plain data, not on a validated Scenario, so a file with a type error still gets its
undefined states and intents reported in the same pass. Anything of the wrong shape is skipped here:
the model validation reports it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from simulator.scenario.source import Loc, Problem, YamlSource
from simulator.scenario.suggest import did_you_mean


def check_references(source: YamlSource, known_intents: Collection[str] | None) -> list[Problem]:
    """Undefined states (start, gives_up, transition `to`), intents (`on`), personas; duplicate state and fact ids.

    known_intents is None when the shared intent library could not be read (its own problems say why).
    """
    data = source.data
    problems: list[Problem] = []
    states = _list(data.get("states"))
    first_seen = _unique_ids(source, "states", "state", problems)
    _unique_ids(source, "research", "research fact", problems)
    state_ids = list(first_seen)

    def state_reference(loc: Loc, value: Any, what: str) -> None:
        if isinstance(value, str) and value not in first_seen:
            message = f"{what}: undefined state '{value}'" + did_you_mean(value, state_ids)
            problems.append(source.problem(loc, message))

    state_reference(("start",), data.get("start"), "start")
    personas = _dict(data.get("personas"))
    for role, persona in personas.items():
        state_reference(("personas", role, "gives_up"), _dict(persona).get("gives_up"), f"personas.{role}.gives_up")

    own_intents = [name for name in _dict(data.get("intents")) if isinstance(name, str)]
    intents = None if known_intents is None else [*known_intents, *own_intents]
    has_gatekeeper = isinstance(data.get("personas"), dict) and personas.get("gatekeeper") is not None
    for index, state in enumerate(states):
        state = _dict(state)
        name = state.get("id", f"#{index + 1}")
        if state.get("persona") == "gatekeeper" and isinstance(data.get("personas"), dict) and not has_gatekeeper:
            message = f"state '{name}' is spoken by the gatekeeper, but the scenario has no gatekeeper persona"
            problems.append(source.problem(("states", index, "persona"), message))
        stuck = _dict(state.get("stuck"))
        stuck_target = stuck.get("to")
        for pick, each in enumerate(stuck_target if isinstance(stuck_target, list) else [stuck_target]):
            where: Loc = ("states", index, "stuck", "to", pick) if isinstance(stuck_target, list) else (
                "states", index, "stuck", "to")
            state_reference(where, each, f"state '{name}' stuck to")
        for number, transition in enumerate(_list(state.get("transitions"))):
            transition = _dict(transition)
            loc: Loc = ("states", index, "transitions", number)
            target = transition.get("to")
            if isinstance(target, list):
                for pick, each in enumerate(target):
                    state_reference((*loc, "to", pick), each, f"state '{name}' transition to")
            else:
                state_reference((*loc, "to"), target, f"state '{name}' transition to")
            if intents is None:
                continue
            for pick, intent in enumerate(_list(transition.get("on"))):
                if isinstance(intent, str) and intent not in intents:
                    message = f"unknown intent '{intent}'" + did_you_mean(intent, intents)
                    message += "" if " (did you mean" in message else " (not in the shared library or `intents:`)"
                    problems.append(source.problem((*loc, "on", pick), message))
    return problems


def _unique_ids(source: YamlSource, key: str, what: str, problems: list[Problem]) -> dict[str, int]:
    """Each id in the list under `key` with its first index; a repeated id is a problem at the repeat."""
    first_seen: dict[str, int] = {}
    for index, item in enumerate(_list(source.data.get(key))):
        item_id = _dict(item).get("id")
        if not isinstance(item_id, str):
            continue
        if item_id in first_seen:
            line = source.locate((key, first_seen[item_id], "id")).value[0] + 1
            message = f"duplicate {what} id '{item_id}' (first defined on line {line})"
            problems.append(source.problem((key, index, "id"), message))
        else:
            first_seen[item_id] = index
    return first_seen


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}
