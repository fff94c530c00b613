"""`callsim scenarios validate | schema | new | list`, run as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import callsim_in_process as callsim

from simulator import config
from simulator.scenario.loader import LIBRARY_FILES, load_scenario
from simulator.scenario.schema import schema_comment, schema_text

REPO = Path(__file__).resolve().parent.parent
CALLSIM = REPO / ".venv" / "bin" / "callsim"
BAD = REPO / "tests" / "data" / "bad_scenarios"
SHIPPED_IDS = {"gatekeeper-screen", "busy-executive", "full-path", "referral", "event-follow-up", "callback"}
PROBLEM_LINE = re.compile(r"^\S+:\d+:\d+: \S")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CALLSIM_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def run_callsim(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `callsim` script in a fresh process, as a user would run it."""
    env = {**os.environ, "CALLSIM_HOME": str(home)}
    return subprocess.run([str(CALLSIM), *args], capture_output=True, text=True, env=env, timeout=120, cwd=REPO)


# --- validate ------------------------------------------------------------------------------------


def test_validate_every_bad_file_exits_1_with_one_located_line_per_problem(home: Path) -> None:
    result = run_callsim(home, "scenarios", "validate", str(BAD))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) >= len(list(BAD.iterdir()))
    assert all(PROBLEM_LINE.match(line) for line in lines), lines
    assert f"{BAD / 'unknown_keys.yaml'}:22:5: unknown key 'trasitions' (did you mean 'transitions'?)" in lines
    assert f"{BAD / 'python_tag.yaml'}:2:8: YAML tag '!!python/object/apply:os.system' is not allowed" in (
        result.stdout
    )
    files = len(list(BAD.iterdir()))
    assert result.stderr.strip() == f"{len(lines)} problems in {files} of {files} file(s)"


def test_validate_the_shipped_scenarios_strictly_exits_0(home: Path) -> None:
    result = run_callsim(home, "scenarios", "validate", "--strict", str(config.shipped_scenarios_dir()))
    assert result.stdout == ""
    assert result.returncode == 0, result.stderr
    count = len(list(config.shipped_scenarios_dir().glob("*.yaml")))  # scenarios and language files
    assert count >= len(SHIPPED_IDS) + 1  # the scenarios and the shared intent library
    assert result.stderr.strip() == f"{count} files valid (strict)"


def test_validate_names_scenarios_by_id_and_reports_unknown_ones(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = callsim(capsys, monkeypatch, "scenarios", "validate", "busy-executive", "referal")
    assert code == 1
    assert out.splitlines() == [
        "unknown scenario 'referal'; did you mean 'referral'? (`callsim scenarios list` shows them all)"
    ]
    assert err.strip() == "1 problem in 1 of 2 file(s)"


def test_validate_a_missing_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = callsim(capsys, monkeypatch, "scenarios", "validate", str(tmp_path / "nope.yaml"))
    assert code == 1
    assert out == f"{tmp_path / 'nope.yaml'}: no such file\n"


def test_strict_reports_flow_problems_at_the_state(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = callsim(capsys, monkeypatch, "scenarios", "new", "flawed", "--out", str(tmp_path))
    assert code == 0
    path = tmp_path / "flawed.yaml"
    text = path.read_text(encoding="utf-8")
    # Nothing leads to email-only any more: without --strict it is still a valid file.
    text = text.replace("      - on: [send_info, goodbye]\n        to: email-only\n", "")
    text = text.replace("      - on: [send_info]\n        to: email-only\n", "")
    path.write_text(text, encoding="utf-8")
    assert callsim(capsys, monkeypatch, "scenarios", "validate", str(path))[0] == 0
    code, out, _ = callsim(capsys, monkeypatch, "scenarios", "validate", "--strict", str(path))
    assert code == 1
    line = text.splitlines().index("  - id: email-only") + 1
    [problem] = out.splitlines()
    assert problem.startswith(f"{path}:{line}:5: ")
    assert "email-only" in problem


# --- schema --------------------------------------------------------------------------------------


def test_schema_prints_the_json_schema_of_the_model(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = callsim(capsys, monkeypatch, "scenarios", "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] == "callsim scenario"
    assert {"id", "title", "difficulty", "brief", "personas", "states", "start", "success"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    assert "State" in schema["$defs"]


def test_the_schema_file_in_the_repository_is_not_stale() -> None:
    kept = (REPO / "scenarios" / "scenario.schema.json").read_text(encoding="utf-8")
    assert kept == schema_text(), "regenerate: callsim scenarios schema > scenarios/scenario.schema.json"


def test_every_shipped_scenario_points_editors_at_the_schema() -> None:
    for path in config.shipped_scenarios_dir().glob("*.yaml"):
        if path.name not in LIBRARY_FILES:
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == "# yaml-language-server: $schema=./scenario.schema.json", path


# --- new -----------------------------------------------------------------------------------------


def test_new_writes_a_commented_scenario_that_passes_strict_validation(home: Path) -> None:
    result = run_callsim(home, "scenarios", "new", "my-first-call")
    path = home / "scenarios" / "my-first-call.yaml"
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    schema = (config.shipped_scenarios_dir() / "scenario.schema.json").resolve().as_uri()
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema}"
    assert text.count("\n#") >= 5 and "id: my-first-call" in text
    assert load_scenario(path).id == "my-first-call"
    checked = run_callsim(home, "scenarios", "validate", "--strict", "my-first-call")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout == ""


def test_new_refuses_to_overwrite(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert callsim(capsys, monkeypatch, "scenarios", "new", "twice")[0] == 0
    path = home / "scenarios" / "twice.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# my edits\n", encoding="utf-8")
    code, out, err = callsim(capsys, monkeypatch, "scenarios", "new", "twice")
    assert code == 1
    assert err == f"callsim: {path} already exists; choose another id or --out PATH\n"
    assert path.read_text(encoding="utf-8").endswith("# my edits\n")


def test_new_into_a_folder_or_file_and_a_bad_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert callsim(capsys, monkeypatch, "scenarios", "new", "in-folder", "--out", str(tmp_path))[0] == 0
    assert load_scenario(tmp_path / "in-folder.yaml").id == "in-folder"
    target = tmp_path / "deeper" / "named.yaml"
    assert callsim(capsys, monkeypatch, "scenarios", "new", "by-file", "-o", str(target))[0] == 0
    assert load_scenario(target).id == "by-file"
    beside = config.shipped_scenarios_dir() / "x.yaml"
    assert schema_comment(beside) == "# yaml-language-server: $schema=./scenario.schema.json"
    new_folder = tmp_path / "not-yet"  # a path without .yaml is a folder, made if need be
    assert callsim(capsys, monkeypatch, "scenarios", "new", "fresh", "-o", f"{new_folder}/")[0] == 0
    assert load_scenario(new_folder / "fresh.yaml").id == "fresh"
    code, _, err = callsim(capsys, monkeypatch, "scenarios", "new", "Not An Id")
    assert code == 1
    assert err == "callsim: 'Not An Id' is not a valid id: use lower-case letters, digits, '-' and '_'\n"


def test_new_does_not_hide_a_shipped_scenario_by_accident(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = callsim(capsys, monkeypatch, "scenarios", "new", "gatekeeper-screen")
    assert code == 1 and "'gatekeeper-screen' is a shipped scenario" in err and "'my-gatekeeper-screen'" in err
    assert not (home / "scenarios" / "gatekeeper-screen.yaml").exists()


# --- list ----------------------------------------------------------------------------------------


def test_list_shows_shipped_and_user_scenarios(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert callsim(capsys, monkeypatch, "scenarios", "new", "my-practice")[0] == 0
    (home / "scenarios" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    code, out, err = callsim(capsys, monkeypatch, "scenarios", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "LEVEL", "PEOPLE", "SOURCE"]
    assert max(len(line) for line in lines) <= 100  # fits a 100-column terminal
    rows = {line.split()[0]: line for line in lines[1:]}
    assert SHIPPED_IDS | {"my-practice"} <= set(rows)
    assert rows["my-practice"].endswith("yours")
    assert "Priya → Maria" in rows["my-practice"]
    assert rows["busy-executive"].endswith("shipped")
    assert f"skipped {home / 'scenarios' / 'broken.yaml'}" in err


def test_list_json(home: Path) -> None:
    result = run_callsim(home, "scenarios", "new", "my-practice")
    assert result.returncode == 0
    result = run_callsim(home, "scenarios", "list", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert SHIPPED_IDS | {"my-practice"} <= set(rows)
    mine = rows["my-practice"]
    assert set(mine) >= {"id", "title", "difficulty", "personas", "path"}
    assert mine["personas"] == [
        {"role": "gatekeeper", "name": "Priya Shah"},
        {"role": "executive", "name": "Maria Ortega"},
    ]
    assert mine["path"] == str(home / "scenarios" / "my-practice.yaml")
    for row in rows.values():
        assert row["difficulty"] in ("easy", "medium", "hard")
        assert load_scenario(Path(row["path"])).id == row["id"]
    assert {row["difficulty"] for row in rows.values() if row["id"] in SHIPPED_IDS} >= {"easy", "hard"}
