"""The comma trap: `say: [Thank you. One moment, I'll see if she's free.]` is two variants, not one line.

In a YAML `[ ]` list a comma separates items, so a line with a comma in it silently becomes two variants,
each said on its own. A spoken line ends a sentence; a variant that does not, followed by another in the
same list, is almost always such a split. Warned by `validate --strict` and in the editor.
"""

from __future__ import annotations

from collections.abc import Iterator

from simulator.scenario.loader import Problem, problem_at
from simulator.scenario.model import Scenario
from simulator.scenario.source import Loc, parse_yaml

SENTENCE_ENDS = (".", "?", "!", "…", '"', "”", "'", ")")


def _lists(scenario: Scenario) -> Iterator[tuple[Loc, list[str]]]:
    for state in scenario.states:
        yield ("states", state.id, "say"), state.say
        for index, transition in enumerate(state.transitions):
            yield ("states", state.id, "transitions", index, "say"), transition.say


def split_lines(scenario: Scenario) -> list[tuple[Loc, str]]:
    """(where, message) for each variant that looks like half a line split at a comma."""
    found = []
    for where, variants in _lists(scenario):
        for index, (variant, following) in enumerate(zip(variants, variants[1:], strict=False)):
            if variant.rstrip().endswith(SENTENCE_ENDS):
                continue
            message = (
                f"'{variant}' and '{following}' are two separate variants: a comma inside [ ] splits a line;"
                " put a line that has a comma in quotes"
            )
            found.append(((*where, index), message))
    return found


def split_line_problems(scenario: Scenario, path: str) -> list[Problem]:
    """The comma trap in a scenario file, at the variant's line."""
    return [problem_at(path, where, message) for where, message in split_lines(scenario)]


def split_line_problems_in_text(scenario: Scenario, text: str, filename: str) -> list[Problem]:
    """The same for an editor's text (positions from the text, not a file)."""
    found = split_lines(scenario)
    if not found:
        return []
    source = parse_yaml(text, filename)
    problems = []
    for where, message in found:
        line, col = source.locate(where).value
        problems.append(Problem(filename, line + 1, col + 1, message))
    return problems
