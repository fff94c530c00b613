"""`--help` speaks to a user: value names, not Python types, and the top help says a bare `callsim` opens the app."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CALLSIM = str(Path(sys.executable).with_name("callsim"))
COMMANDS = [
    [],
    ["run"],
    ["practice"],
    ["history"],
    ["report"],
    ["export"],
    ["doctor"],
    ["score"],
    ["scenarios"],
    ["scenarios", "list"],
    ["scenarios", "validate"],
    ["scenarios", "new"],
]


def help_text(args: list[str], tmp_path: Path) -> str:
    env = {**os.environ, "CALLSIM_HOME": str(tmp_path), "COLUMNS": "100", "NO_COLOR": "1"}
    done = subprocess.run([CALLSIM, *args, "--help"], capture_output=True, text=True, env=env, check=True)
    return done.stdout


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args) or "callsim")
def test_help_names_values_not_python_types(args: list[str], tmp_path: Path) -> None:
    text = help_text(args, tmp_path)
    assert not re.search(r"<(bool|str|int|float|path|list\[\w+\])>", text), text


def test_the_top_help_says_a_bare_callsim_opens_the_app(tmp_path: Path) -> None:
    text = " ".join(help_text([], tmp_path).split())
    assert "Run `callsim` with no command to open the practice app" in text


def test_options_that_take_a_value_still_name_it(tmp_path: Path) -> None:
    text = help_text(["run"], tmp_path)
    assert re.search(r"--caller-lines\s+PATH", text)
    assert re.search(r"--seed\s+N\b", text)
    assert re.search(r"--format\s+json\|csv", help_text(["export"], tmp_path))
