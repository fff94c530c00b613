"""The scenario loader: valid files load, and every kind of problem is reported at its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import config
from simulator.language.intents import load_intent_library
from simulator.scenario.loader import (
    DEFAULT_SCENARIO,
    Problem,
    ScenarioError,
    list_scenarios,
    load_intent_file,
    load_intents,
    load_scenario,
    load_scenario_text,
    node_position,
    problem_at,
    resolve_scenario,
    scenario_files,
)
from simulator.scenario.model import Scenario
from simulator.scenario.template import render_template

BAD = Path(__file__).parent / "data" / "bad_scenarios"
SHIPPED_IDS = {"gatekeeper-screen", "busy-executive", "full-path", "referral", "event-follow-up", "callback"}


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("CALLSIM_HOME", str(home))
    return home


def template_text(scenario_id: str = "my-call", target: Path | None = None) -> str:
    return render_template(scenario_id, target or Path("/tmp/my-call.yaml"))


def problems_of(path: Path) -> list[str]:
    """The problems of a file, without the file name: 'LINE:COL: message'."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert all(problem.file == str(path) for problem in caught.value.problems)
    return [str(problem).removeprefix(f"{path}:") for problem in caught.value.problems]


# --- valid files ---------------------------------------------------------------------------------


def test_a_valid_file_loads_into_the_model(tmp_path: Path) -> None:
    path = tmp_path / "my-call.yaml"
    path.write_text(template_text(), encoding="utf-8")
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.id == "my-call"
    assert scenario.start == "reception"
    assert scenario.personas.gatekeeper is not None and scenario.personas.gatekeeper.name == "Priya Shah"
    assert scenario.state("objection").objection is True
    assert scenario.research[0].keywords == ["leeds", "second warehouse", "new warehouse"]


def test_text_loads_with_the_given_file_name_in_problems() -> None:
    assert load_scenario_text(template_text("from-text")).id == "from-text"
    broken = template_text().replace("difficulty: medium", "difficulty: tough")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(broken, "editor-buffer")
    [problem] = caught.value.problems
    line = broken.splitlines().index("difficulty: tough  # easy, medium or hard") + 1
    assert problem == Problem("editor-buffer", line, 13, "difficulty: expected 'easy', 'medium' or 'hard', got 'tough'")


def test_every_shipped_scenario_loads() -> None:
    files = scenario_files(config.shipped_scenarios_dir())
    loaded = {load_scenario(path).id for path in files}
    assert loaded >= SHIPPED_IDS
    assert DEFAULT_SCENARIO in loaded


def test_the_shared_intent_library_is_valid() -> None:
    intents = load_intent_file(config.shipped_scenarios_dir() / "intents.yaml")
    assert {"introduce_self", "state_reason", "propose_time", "entitled_demand"} <= set(intents)
    assert all(definition.examples for definition in intents.values())


# --- each kind of problem, at its line and column -------------------------------------------------

EXPECTED: dict[str, list[str]] = {
    "syntax.yaml": ["2:24: a second ': ' on this line; put a text that contains ': ' in quotes"],
    "unclosed.yaml": ["5:1: a [list] is not closed: add the ']' or a ',' between its items (it starts at line 3)"],
    "duplicate_key.yaml": [
        '3:1: YAML syntax: duplicate key "title" with value "Again" (original value: "One key twice")'
    ],
    "two_documents.yaml": ["2:1: YAML syntax: expected a single document in the stream, but found another document"],
    "python_tag.yaml": [
        "2:8: YAML tag '!!python/object/apply:os.system' is not allowed: a scenario file holds plain data only",
        "4:8: YAML tag '!custom' is not allowed: a scenario file holds plain data only",
    ],
    "wrong_types.yaml": [
        "1:5: id: 'Wrong Types' is not a valid id: use lower-case letters, digits, '-' and '_'",
        "3:13: difficulty: expected 'easy', 'medium' or 'hard', got 'impossible'",
        "14:17: personas.executive.traits.patience: expected a whole number, got 'lots'",
        "16:27: success[1]: expected 'meeting_booked', 'callback_scheduled', 'message_taken', 'rejected' or"
        " 'hung_up', got 'won'",
        "21:10: states[0].say: expected a list, got 'Maria Ortega.'",
        "24:13: states[0].transitions[0].to: expected text or a list, got the number 5",
    ],
    "missing_keys.yaml": [
        "1:1: missing required key 'title'",
        "4:3: missing required key 'goal' in brief",
        "15:5: missing required key 'say' in states[0]",
        "18:9: missing required key 'to' in states[0].transitions[0]",
    ],
    "unknown_keys.yaml": [
        "14:7: unknown key 'patiense' (did you mean 'patience'?)",
        "22:5: unknown key 'trasitions' (did you mean 'transitions'?)",
        "33:1: unknown key 'colour'",
    ],
    "bad_references.yaml": [
        "13:15: personas.executive.gives_up: undefined state 'hang-up'",
        "15:8: start: undefined state 'pickup' (did you mean 'pick-up'?)",
        "21:14: unknown intent 'propose_tme' (did you mean 'propose_time'?)",
        "22:22: state 'pick-up' transition to: undefined state 'voicemail'",
        "26:14: state 'reception' is spoken by the gatekeeper, but the scenario has no gatekeeper persona",
        "32:9: duplicate state id 'booked' (first defined on line 28)",
    ],
    "duplicate_ids_and_empty_target.yaml": [
        "12:9: duplicate research fact id 'leeds-hub' (first defined on line 9)",
        "29:13: states[0].transitions[0].to: expected text or a list of at least 1 item, got none",
    ],
    "empty.yaml": ["1:1: the file is empty; expected a mapping of keys"],
    "comment_only.yaml": ["1:1: the file is empty; expected a mapping of keys"],
    "top_list.yaml": ["1:1: expected a mapping of keys at the top, got a list"],
    "top_scalar.yaml": ["1:1: expected a mapping of keys at the top, got 'just some words'"],
    "latin1.yaml": ["2:11: not UTF-8 text (byte 0xe9); save the file as UTF-8"],
    "binary.yaml": ["1:1: not UTF-8 text (byte 0x89); save the file as UTF-8"],
    "control_chars.yaml": ["2:12: not a text file: unexpected control character U+0007"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_problem_is_reported_at_its_line_and_column(name: str) -> None:
    assert problems_of(BAD / name) == EXPECTED[name]


def test_every_bad_file_has_its_expectation() -> None:
    assert sorted(path.name for path in BAD.iterdir()) == sorted(EXPECTED)


def test_a_python_tag_is_refused_and_never_executed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError):
        load_scenario(BAD / "python_tag.yaml")
    with pytest.raises(ScenarioError):
        load_scenario_text("id: x\ntitle: !!python/object/new:os.system [touch callsim-tag-was-executed]\n")
    assert not (tmp_path / "callsim-tag-was-executed").exists()


def test_a_missing_file_and_a_folder_are_one_line_problems(tmp_path: Path) -> None:
    assert [str(p) for p in _problems(tmp_path / "nope.yaml")] == [f"{tmp_path / 'nope.yaml'}: no such file"]
    assert [str(p) for p in _problems(tmp_path)] == [f"{tmp_path}: is a folder, not a scenario file"]


def test_a_huge_file_is_refused_quickly_as_one_problem(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    shipped = (config.shipped_scenarios_dir() / "gatekeeper-screen.yaml").read_text(encoding="utf-8")
    huge.write_text(shipped + "# padding\n" * 120_000, encoding="utf-8")
    [problem] = _problems(huge)
    assert str(problem) == f"{huge}: too large for a scenario file (the limit is 150 KB)"


def test_the_intent_library_is_not_a_scenario() -> None:
    [problem] = _problems(config.shipped_scenarios_dir() / "intents.yaml")
    assert "intent library, not a scenario" in problem.message


def _problems(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value.problems


def test_aliases_that_expand_without_end_are_a_problem_not_a_hang() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text("\n".join(lines) + "\n", "laughs.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "laughs.yaml:1:1: the document is too large (aliases expand too far)"
    ]


def test_error_strings_are_one_line_per_problem() -> None:
    error = ScenarioError([Problem("a.yaml", 3, 5, "first"), Problem("a.yaml", 0, 0, "whole file")])
    assert str(error) == "a.yaml:3:5: first\na.yaml: whole file"
    assert str(Problem("", 0, 0, "no file at all")) == "no file at all"


def test_problems_in_a_user_file_combine_all_three_passes() -> None:
    text = template_text().replace("difficulty: medium", "difficulty: 3").replace("to: interested", "to: intrested")
    text = text.replace("      - on: [send_info, goodbye]", "      - on: [send_inf, goodbye]")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "mine.yaml")
    messages = [problem.message for problem in caught.value.problems]
    assert messages == [
        "difficulty: expected 'easy', 'medium' or 'hard', got the number 3",
        "state 'objection' transition to: undefined state 'intrested' (did you mean 'interested'?)",
        "unknown intent 'send_inf' (did you mean 'send_info'?)",
    ]


# --- intents ---------------------------------------------------------------------------------------


def test_a_scenario_adds_to_and_overrides_the_shared_intents() -> None:
    text = template_text().replace(
        "# intents:\n#   ask_about_leeds:",
        "intents:\n  greet:\n    examples: [ahoy there]\n  ask_about_leeds:\n    examples: [how is leeds]\n  unused:",
    )
    text = text.replace("#     description", "    description").replace("#     examples", "    examples")
    text = text.replace("#     keywords", "    keywords")
    scenario = load_scenario_text(text, "own-intents.yaml")
    merged = load_intents(scenario)
    assert merged["greet"].examples == ["ahoy there"]
    assert merged["ask_about_leeds"].examples == ["how is leeds"]
    assert "state_reason" in merged
    library = load_intent_library(scenario)
    assert "ask_about_leeds" in library and "state_reason" in library


def test_a_broken_shared_library_is_reported_with_its_own_position(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "intents.yaml").write_text("intents:\n  greet:\n    exampels: [hi]\n", encoding="utf-8")
    monkeypatch.setattr(config, "shipped_scenarios_dir", lambda: shipped)
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(template_text(), "mine.yaml")
    assert [str(p) for p in caught.value.problems] == [
        f"{shipped / 'intents.yaml'}:3:5: missing required key 'examples' in intents.greet",
        f"{shipped / 'intents.yaml'}:3:5: unknown key 'exampels' (did you mean 'examples'?)",
    ]


# --- positions for lint --------------------------------------------------------------------------


def test_node_position_finds_a_state_by_id_and_keys_inside_it(tmp_path: Path) -> None:
    path = tmp_path / "my-call.yaml"
    text = template_text()
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    objection_line = lines.index("  - id: objection") + 1
    assert node_position(path, ("states", "objection")) == (objection_line, 5)
    assert node_position(path, ("states", "objection", "say")) == (objection_line + 4, 7)
    start_line = next(number for number, line in enumerate(lines, 1) if line.startswith("start:"))
    assert node_position(path, ("start",)) == (start_line, 8)
    # a state that is not there: the nearest node that is, the list of states
    assert node_position(path, ("states", "no-such-state")) == (lines.index("states:") + 2, 3)
    assert problem_at(path, ("states", "objection"), "dead end") == Problem(str(path), objection_line, 5, "dead end")
    assert node_position(tmp_path / "missing.yaml", ("states",)) == (1, 1)


# --- finding scenarios ----------------------------------------------------------------------------


def write_user_scenario(home: Path, file_name: str, scenario_id: str, title: str = "Mine") -> Path:
    folder = home / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    text = template_text(scenario_id).replace("title: A first call to a busy head of operations", f"title: {title}")
    path.write_text(text, encoding="utf-8")
    return path


def test_resolve_by_id_path_and_unknown_id(private_home: Path, tmp_path: Path) -> None:
    mine = write_user_scenario(private_home, "file-name-differs.yaml", "my-practice")
    assert resolve_scenario("my-practice") == mine
    assert resolve_scenario(str(mine)) == mine
    assert resolve_scenario(DEFAULT_SCENARIO).parent == config.shipped_scenarios_dir()
    with pytest.raises(ScenarioError) as caught:
        resolve_scenario("gatekeeper-scren")
    assert str(caught.value).startswith("unknown scenario 'gatekeeper-scren'; did you mean 'gatekeeper-screen'")
    assert "\n" not in str(caught.value)
    with pytest.raises(ScenarioError, match="no such file"):
        resolve_scenario(str(tmp_path / "elsewhere.yaml"))


def test_an_invalid_user_file_named_by_id_is_resolved_so_its_problems_show(private_home: Path) -> None:
    folder = private_home / "scenarios"
    folder.mkdir(parents=True)
    (folder / "draft.yaml").write_text("id: draft\ntitle: [unfinished\n", encoding="utf-8")
    path = resolve_scenario("draft")
    assert path == folder / "draft.yaml"
    with pytest.raises(ScenarioError, match=r"draft.yaml:3:1: a \[list\] is not closed"):
        load_scenario(path)


def test_list_has_shipped_and_user_scenarios_and_a_user_file_overrides_a_shipped_id(private_home: Path) -> None:
    write_user_scenario(private_home, "mine.yaml", "my-practice")
    override = write_user_scenario(private_home, "override.yaml", DEFAULT_SCENARIO, title="My own version")
    (private_home / "scenarios" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    skipped: list[ScenarioError] = []
    entries = {entry.scenario.id: entry for entry in list_scenarios(on_invalid=skipped.append)}
    assert SHIPPED_IDS | {"my-practice"} <= set(entries)
    assert entries["my-practice"].shipped is False
    assert entries[DEFAULT_SCENARIO].path == override
    assert entries[DEFAULT_SCENARIO].scenario.title == "My own version"
    assert resolve_scenario(DEFAULT_SCENARIO) == override
    assert resolve_scenario("busy-executive") == config.shipped_scenarios_dir() / "busy-executive.yaml"
    assert entries["busy-executive"].shipped is True
    assert [error.problems[0].file for error in skipped] == [str(private_home / "scenarios" / "broken.yaml")]
    assert list(entries) == sorted(entries)


# --- no bad file ever gets past the loader as anything but problems ------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1: x\n", ["1:1: key 1 must be text (put it in quotes)"]),
        ("id: 2024-01-01\n", ["1:5: id: expected text, got a date"]),
        ("id: !!binary aGk=\n", ["1:5: YAML tag '!!binary' is not allowed: a scenario file holds plain data only"]),
        ("id: *nowhere\n", ["1:5: YAML syntax: found undefined alias 'nowhere'"]),
        ("a: &r [1, *r]\n", None),
        ("states:\n  - id: a\n?\n  - id: b\n", None),
    ],
)
def test_odd_yaml_is_reported_as_problems(text: str, expected: list[str] | None) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "odd.yaml")
    found = [str(problem).removeprefix("odd.yaml:") for problem in caught.value.problems]
    assert found
    if expected is not None:
        assert set(expected) <= set(found)


def test_mangled_scenarios_only_ever_raise_one_line_problems() -> None:
    """Seeded random edits of a valid file (deletions, stray YAML characters, swapped lines)."""
    import random

    base = template_text("mangled")
    stray = ["1: x\n", "[a]: x\n", "? {a: 1}\n", "&a a: *a\n", "<<: {x: 1}\n", "\t", "'", '"', "{", "]", ":", "- "]
    stray += ["!!python/name:os.system ", "2024-01-01", "*x", "\x00", "\ufeff", "\u2028", "?", "|", ">", "---\n"]
    rng = random.Random(2026)
    refused = 0
    for _ in range(150):
        text = base
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            choice = rng.random()
            if choice < 0.3:
                text = text[:at] + text[at + rng.randint(1, 20) :]
            elif choice < 0.7:
                text = text[:at] + rng.choice(stray) + text[at:]
            else:
                lines = text.splitlines(keepends=True)
                a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[a], lines[b] = lines[b], lines[a]
                text = "".join(lines)
        try:
            load_scenario_text(text, "mangled.yaml")
        except ScenarioError as error:
            refused += 1
            assert error.problems
            for problem in error.problems:
                assert len(str(problem).splitlines()) == 1
                assert problem.file == "mangled.yaml" and problem.line >= 1 and problem.col >= 1
    assert refused > 100  # most random edits do break a scenario, and each says where


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "id: x\nbrief:\n  caller: Sam\n    offer: forecasts\n",
            "4:5: this line is indented more than the one above it; line it up with the key it belongs beside",
        ),
        (
            "id: x\nbrief:\n  caller: Sam\n   offer: forecasts\n",
            "4:4: this line is indented more than the one above it; line it up with the key it belongs beside",
        ),
        ("id: x\nbrief:\n  caller: Sam\n offer: forecasts\n", "4:2: this line's indentation does not match"),
        ('id: x\ntitle: "unfinished\n', "3:1: a quote opened at line 2 is never closed"),
        ("id: x\nbrief:\n\tcaller: Sam\n", "3:1: a tab character: YAML indents with spaces only"),
    ],
)
def test_yaml_syntax_errors_read_as_sentences_about_the_line(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(text, "mine.yaml")
    message = str(raised.value).splitlines()[0]
    assert message.startswith(f"mine.yaml:{expected}")
    assert "<block" not in message and "expected" not in message
