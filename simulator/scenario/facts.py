"""A file of research facts for scoring a recorded call: one fact a line, or a YAML list of strings.

Blank lines and lines starting with '#' are skipped in the plain form; a file whose first fact line starts
with "- " is read as YAML. Every problem is reported as FILE:LINE:COL: message (a ScenarioError).
"""

from __future__ import annotations

from pathlib import Path

from simulator.scenario.source import Problem, ScenarioError

MAX_FACT_CHARS = 500
MAX_FACTS = 200


def load_facts(path: Path) -> list[str]:
    """The facts in `path`, in order; raises ScenarioError (one line per problem) for anything unusable."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise ScenarioError([Problem(name, 0, 0, f"cannot read the research file: {reason}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ScenarioError([Problem(name, line, 1, "not UTF-8 text (is it the recording?)")]) from None
    if "\x00" in text:
        raise ScenarioError([Problem(name, 1, 1, "not a text file (is it the recording?)")])
    lines = text.splitlines()
    content = [
        (number, line)
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not content:
        raise ScenarioError([Problem(name, 0, 0, "no research facts in this file (one fact a line, or a YAML list)")])
    facts = _yaml_facts(name, text) if content[0][1].lstrip().startswith("- ") else _line_facts(content)
    problems = [
        Problem(name, number, 1, f"a fact is at most {MAX_FACT_CHARS} characters (this one has {len(fact)})")
        for number, fact in facts
        if len(fact) > MAX_FACT_CHARS
    ]
    if len(facts) > MAX_FACTS:
        problems.append(Problem(name, facts[MAX_FACTS][0], 1, f"at most {MAX_FACTS} facts"))
    if problems:
        raise ScenarioError(problems)
    return [fact for _number, fact in facts]


def _line_facts(content: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [(number, " ".join(line.split())) for number, line in content]


def _yaml_facts(name: str, text: str) -> list[tuple[int, str]]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise ScenarioError([Problem(name, line, col, f"not valid YAML: {error.problem or error.context}")]) from None
    except YAMLError as error:
        raise ScenarioError([Problem(name, 0, 0, f"not valid YAML: {error}")]) from None
    if not isinstance(data, list):
        raise ScenarioError([Problem(name, 1, 1, "a YAML research file is a list of facts (- one fact)")])
    facts, problems = [], []
    for index, item in enumerate(data):
        line, col = data.lc.item(index)  # type: ignore[attr-defined]  # ruamel's round-trip list knows positions
        if not isinstance(item, str) or not item.strip():
            problems.append(Problem(name, line + 1, col + 1, "each fact is a line of text"))
        else:
            facts.append((line + 1, " ".join(item.split())))
    if problems:
        raise ScenarioError(problems)
    return facts
