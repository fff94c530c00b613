"""Failures read as one line, in the command line and the app alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.call.failures import one_line
from simulator.scenario.loader import Problem, ScenarioError


def test_a_known_error_is_shown_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLSIM_HOME", str(tmp_path))
    error = ScenarioError([Problem("mine.yaml", 3, 5, "unknown key 'sya' (did you mean 'say'?)")])
    assert one_line(error) == "mine.yaml:3:5: unknown key 'sya' (did you mean 'say'?)"
    assert not (tmp_path / "callsim.log").exists()


def test_an_unexpected_error_is_one_line_and_its_trace_goes_to_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLSIM_HOME", str(tmp_path))
    try:
        {}["missing"]  # noqa: B018 - a real KeyError with a real traceback
    except KeyError as error:
        message = one_line(error)
    assert message.startswith("unexpected error: KeyError: 'missing' (details in ")
    assert "\n" not in message
    log = (tmp_path / "callsim.log").read_text()
    assert "Traceback" in log and "KeyError" in log
