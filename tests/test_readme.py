"""The README's settings example is a settings file callsim accepts, with the real defaults."""

from __future__ import annotations

import tomllib
from pathlib import Path

from simulator.config import Settings

README = Path(__file__).parents[1] / "README.md"


def test_the_readme_settings_example_is_valid_and_matches_the_defaults() -> None:
    block = README.read_text(encoding="utf-8").split("```toml", 1)[1].split("```", 1)[0]
    example = Settings.model_validate(tomllib.loads(block))
    assert example == Settings()
