"""The layering promises of docs/architecture.md, checked in fresh interpreters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CORE_MODULES = [
    "simulator.scenario.model",
    "simulator.scenario.loader",
    "simulator.language.intents",
    "simulator.persona.engine",
    "simulator.scoring",
    "simulator.transcript",
    "simulator.history.store",
    "simulator.call.session",
    "simulator.call.practice",
    "simulator.call.recorded",
    "simulator.voice.recording",
]
PURE_MODULES = ["simulator.scenario.loader", "simulator.persona.engine", "simulator.scoring"]
AUDIO_LIBRARIES = ["sounddevice", "pyttsx3", "faster_whisper", "ctranslate2", "onnxruntime"]


def _modules_after_import(module: str, env: dict[str, str] | None = None) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_modules_do_not_import_textual_or_sounddevice(module: str) -> None:
    loaded = _modules_after_import(module)
    assert "textual" not in loaded
    assert "sounddevice" not in loaded


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_import_no_audio_library(module: str) -> None:
    loaded = _modules_after_import(module)
    assert not loaded & set(AUDIO_LIBRARIES)


def test_importing_the_cli_and_app_creates_no_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"CALLSIM_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    _modules_after_import("simulator.cli", env=env)
    _modules_after_import("simulator.tui.app", env=env)
    assert not home.exists()


def test_import_linter_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stdout + result.stderr
