"""The scenario format as a JSON Schema, for editors (yaml-language-server) and `callsim scenarios schema`.

The schema is generated from the pydantic models, so it cannot disagree with the loader; a copy is kept
beside the shipped scenarios (scenarios/scenario.schema.json) and a test fails when that copy goes stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simulator import config
from simulator.scenario.model import Scenario

SCHEMA_FILE = "scenario.schema.json"
SCHEMA_ID = "urn:callsim:scenario.schema.json"


def scenario_json_schema() -> dict[str, Any]:
    generated = Scenario.model_json_schema()
    generated.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "callsim scenario",
        "description": "One practice cold call for callsim: the brief, research, personas and the call's flow.",
        **generated,
    }


def schema_text() -> str:
    """The schema as it is written to scenarios/scenario.schema.json (stable key order, newline at end)."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_path() -> Path:
    return config.shipped_scenarios_dir() / SCHEMA_FILE


def schema_comment(scenario_file: Path) -> str:
    """The yaml-language-server line that points an editor at the schema from where the file will live."""
    schema = shipped_schema_path().resolve()
    folder = scenario_file.resolve().parent
    reference = f"./{SCHEMA_FILE}" if schema.parent == folder else schema.as_uri()
    return f"# yaml-language-server: $schema={reference}"
